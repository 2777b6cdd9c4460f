"""``charon render``, ``schema``, ``version`` and the error contract of the entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from charon import __version__
from charon.cli import pipeline
from charon.cli.main import main


def test_render_writes_the_tree_and_summarises(good_spec: dict, write_spec, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["render", str(write_spec(good_spec)), "-o", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    assert line.startswith("rendered tiny:")
    assert "units" in line
    assert "objects" in line
    assert (out / "charon-render.json").is_file()
    assert (out / "clusters" / "tiny" / "kustomization.yaml").is_file()


def test_render_json_summary_matches_the_manifest(good_spec, write_spec, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["render", str(write_spec(good_spec)), "-o", str(out), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    manifest = json.loads((out / "charon-render.json").read_text(encoding="utf-8"))
    assert doc["rendered"] is True
    assert doc["platform"] == manifest["platform"] == "tiny"
    assert doc["units"] == len(manifest["units"])
    assert doc["objects"] == manifest["objects"]
    assert doc["files"] == len(manifest["files"]) + 1  # the manifest itself


def test_render_twice_is_byte_identical(good_spec, write_spec, tmp_path) -> None:
    spec = write_spec(good_spec)
    assert main(["render", str(spec), "-o", str(tmp_path / "a")]) == 0
    assert main(["render", str(spec), "-o", str(tmp_path / "b")]) == 0
    a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*.*")}
    b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*.*")}
    assert a == b
    assert len(a) > 5


def test_render_refuses_policy_errors_with_3(good_spec, write_spec, tmp_path, capsys):
    good_spec["services"]["web"]["image"] = "nginx:latest"
    out = tmp_path / "out"
    assert main(["render", str(write_spec(good_spec)), "-o", str(out)]) == 3
    err = capsys.readouterr().err
    assert "image-pinned" in err
    assert "refusing to render" in err
    assert not out.exists()


def test_render_into_a_foreign_directory_exits_1_without_traceback(
    good_spec, write_spec, tmp_path, capsys
):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "keep.txt").write_text("x", encoding="utf-8")
    assert main(["render", str(write_spec(good_spec)), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: refusing to replace")
    assert "--force" in err
    assert "Traceback" not in err
    assert main(["render", str(write_spec(good_spec)), "-o", str(out), "--force"]) == 0
    assert not (out / "keep.txt").exists()


def test_render_spec_error_exits_2(write_spec, tmp_path, capsys) -> None:
    path = write_spec("apiVersion: charon.dev/v1alpha1\nkind: Platform\n")
    assert main(["render", str(path), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "metadata" in err
    assert "Traceback" not in err


def test_usage_error_is_not_a_traceback(capsys) -> None:
    assert main(["render"]) == 2  # -o is required
    err = capsys.readouterr().err
    assert "--out" in err
    assert "Traceback" not in err


def test_unexpected_exception_is_internal_error_70(
    good_spec, write_spec, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    def boom(path: Path) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(pipeline, "check_file", boom)
    assert main(["check", str(write_spec(good_spec))]) == 70
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: kaboom" in err
    assert "report" in err
    assert "Traceback" not in err


def test_schema_is_deterministic_json(capsys) -> None:
    assert main(["schema"]) == 0
    first = capsys.readouterr().out
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == first
    schema = json.loads(first)
    assert "metadata" in schema["properties"]
    assert "storageClasses" in json.dumps(schema)  # aliases, not python names
    assert first == json.dumps(schema, indent=2, sort_keys=True) + "\n"


def test_version(capsys) -> None:
    assert main(["version"]) == 0
    assert capsys.readouterr().out.strip() == f"charon {__version__}"


@pytest.mark.parametrize("command", [["--help"], ["check", "--help"], ["render", "--help"]])
def test_help_exits_0_and_describes(command: list[str], capsys) -> None:
    assert main(command) == 0
    out = capsys.readouterr().out
    assert "Usage" in out
    assert "platform" in out.lower()


def test_no_arguments_shows_help(capsys) -> None:
    main([])
    captured = capsys.readouterr()
    assert "Usage" in captured.out + captured.err
