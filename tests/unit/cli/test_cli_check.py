"""``charon check``: exit codes, the JSON document and how spec errors are reported."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import charon.spec
from charon.cli.main import main

HAS_POSITIONS = (
    hasattr(charon.spec, "load") or importlib.util.find_spec("charon.spec.loader") is not None
)


def test_clean_platform_exits_0(
    good_spec: dict, write_spec, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_spec(good_spec)
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "0 errors" in out


def test_json_document_for_a_clean_platform(
    good_spec: dict, write_spec, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_spec(good_spec)
    assert main(["check", str(path), "--output", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is True
    assert doc["exit_code"] == 0
    assert doc["file"] == str(path)
    assert doc["spec_issues"] == []
    assert set(doc["counts"]) == {"error", "warning", "info", "waived", "blocking"}
    assert doc["counts"]["blocking"] == 0


def test_policy_error_exits_3_and_names_rule_and_place(
    good_spec: dict, write_spec, capsys: pytest.CaptureFixture[str]
) -> None:
    good_spec["services"]["web"]["image"] = "nginx:latest"
    path = write_spec(good_spec)
    assert main(["check", str(path), "--output", "json"]) == 3
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False
    assert doc["counts"]["blocking"] >= 1
    pinned = [f for f in doc["findings"] if f["rule"] == "image-pinned"]
    assert pinned
    finding = pinned[0]
    assert finding["severity"] == "error"
    assert finding["path"].startswith("services.web")
    assert set(finding) >= {"object", "field", "line", "column", "message", "fix", "waived"}


def test_policy_error_table(good_spec: dict, write_spec, capsys) -> None:
    good_spec["services"]["web"]["image"] = "nginx:latest"
    assert main(["check", str(write_spec(good_spec))]) == 3
    out = capsys.readouterr().out
    assert "image-pinned" in out
    assert "1 error" in out or "errors" in out


def test_waived_error_does_not_block(good_spec: dict, write_spec, capsys) -> None:
    good_spec["services"]["web"]["image"] = "nginx:latest"
    good_spec["services"]["web"]["waivers"] = [
        {"rule": "image-pinned", "reason": "upstream publishes only latest for this one"}
    ]
    assert main(["check", str(write_spec(good_spec)), "--output", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    waived = [f for f in doc["findings"] if f["rule"] == "image-pinned"]
    assert waived
    assert all(f["waived"] for f in waived)
    assert doc["counts"]["waived"] >= 1


def test_yaml_syntax_error_exits_2_with_line_and_column(write_spec, capsys) -> None:
    path = write_spec("apiVersion: charon.dev/v1alpha1\nkind: [Platform\n")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:" in err
    assert "Traceback" not in err
    first = err.splitlines()[0]
    line, col = first[len(str(path)) + 1 :].split(":")[:2]
    assert int(line) >= 2
    assert int(col) >= 1


@pytest.mark.skipif(not HAS_POSITIONS, reason="the spec loader with positions has not landed")
def test_schema_error_points_at_file_line_col(good_spec: dict, write_spec, capsys) -> None:
    good_spec["services"]["web"]["prot"] = 8080
    path = write_spec(good_spec)
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert any(
        line.startswith(f"{path}:") and "services.web" in line and line.split(":")[1].isdigit()
        for line in err.splitlines()
    ), err


def test_schema_error_exits_2_and_names_the_path(good_spec: dict, write_spec, capsys) -> None:
    good_spec["services"]["web"]["prot"] = 8080
    path = write_spec(good_spec)
    assert main(["check", str(path)]) == 2
    captured = capsys.readouterr()
    assert "services.web" in captured.err
    assert "prot" in captured.err
    assert "Traceback" not in captured.err + captured.out


def test_spec_errors_in_json(good_spec: dict, write_spec, capsys) -> None:
    del good_spec["cluster"]
    path = write_spec(good_spec)
    assert main(["check", str(path), "--output", "json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["ok"] is False
    assert doc["exit_code"] == 2
    assert doc["findings"] == []
    assert any(i["path"].startswith("cluster") for i in doc["spec_issues"])
    assert set(doc["spec_issues"][0]) == {"file", "line", "column", "path", "message", "fix"}


def test_missing_file_is_a_spec_error_not_a_traceback(tmp_path: Path, capsys) -> None:
    assert main(["check", str(tmp_path / "nope.yaml")]) == 2
    err = capsys.readouterr().err
    assert "nope.yaml" in err
    assert "Traceback" not in err


def test_rules_are_listed(capsys) -> None:
    assert main(["check", "--rules", "--output", "json"]) == 0
    rules = json.loads(capsys.readouterr().out)["rules"]
    ids = [r["id"] for r in rules]
    assert "image-pinned" in ids
    assert set(rules[0]) == {"id", "family", "severity", "summary"}
