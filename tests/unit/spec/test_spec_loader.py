"""Loading files and text: the public API, locate(), and the file edge."""

from __future__ import annotations

from pathlib import Path

import pytest

import charon.spec
from charon.errors import SpecError
from charon.spec import LoadedPlatform, load, load_text

VALID = Path(__file__).resolve().parents[2] / "fixtures" / "specs" / "valid"


def test_public_surface() -> None:
    assert set(charon.spec.__all__) == {
        "SCHEMA_ID",
        "LoadedPlatform",
        "json_schema",
        "json_schema_text",
        "load",
        "load_text",
    }


def test_load_text_and_load_agree(tmp_path: Path) -> None:
    text = (VALID / "services.yaml").read_text(encoding="utf-8")
    target = tmp_path / "p.yaml"
    target.write_text(text, encoding="utf-8")
    from_file = load(target)
    from_text = load_text(text, "p.yaml")
    assert from_file.spec == from_text.spec
    assert from_text.path == "p.yaml"
    assert isinstance(from_file, LoadedPlatform)


def test_locate_walks_up_to_the_nearest_written_ancestor() -> None:
    loaded = load(VALID / "services.yaml")
    text = (VALID / "services.yaml").read_text(encoding="utf-8").splitlines()
    line, column = loaded.locate("services.postgres.storage.data.size") or (0, 0)
    assert text[line - 1][column - 1 :].startswith("size:")
    # defaults are not in the file: the nearest written ancestor answers
    assert loaded.locate("services.postgres.auth.mode") == loaded.locate("services.postgres")
    # model attribute names are accepted too
    assert loaded.locate("services.postgres.storage.data.mount_path") == loaded.locate(
        "services.postgres.storage.data.mountPath"
    )
    assert loaded.locate("waivers[0].reason") is not None
    assert loaded.locate("") == (2, 1)  # the document starts after the comment line
    assert loaded.locate("services.nope.port") == loaded.locate("services")


def test_missing_file_is_a_spec_error_not_an_oserror(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load(tmp_path / "absent.yaml")
    (issue,) = caught.value.issues
    assert "cannot read the file" in issue.message
    assert issue.file == str(tmp_path / "absent.yaml")


def test_directory_is_a_spec_error(tmp_path: Path) -> None:
    with pytest.raises(SpecError):
        load(tmp_path)


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    target = tmp_path / "bom.yaml"
    target.write_bytes(b"\xef\xbb\xbf" + (VALID / "minimal.yaml").read_bytes())
    assert load(target).spec.metadata.name == "minimal"


def test_snake_case_keys_are_not_accepted_as_aliases() -> None:
    text = (
        (VALID / "minimal.yaml")
        .read_text(encoding="utf-8")
        .replace("storageClasses:", "storage_classes:")
    )
    with pytest.raises(SpecError) as caught:
        load_text(text)
    messages = {(i.path, i.fix) for i in caught.value.issues}
    assert ("cluster.storage_classes", "did you mean 'storageClasses'?") in messages


def test_error_text_has_file_line_column_path_and_fix() -> None:
    text = (VALID / "minimal.yaml").read_text(encoding="utf-8").replace("0-core", "9-nope")
    with pytest.raises(SpecError) as caught:
        load_text(text, "platform.yaml")
    assert str(caught.value).startswith("platform.yaml:16:11: categories.core.tier: unknown tier")
    assert "\n    fix: " in str(caught.value)
    assert caught.value.exit_code == 2


def test_five_hundred_services_load() -> None:
    """Scale check (no timing asserted; benchmarks/ measures speed)."""
    head = (VALID / "minimal.yaml").read_text(encoding="utf-8")
    lines = [head, "services:"]
    for i in range(500):
        lines += [
            f"  svc-{i}:",
            "    category: core",
            f"    image: ghcr.io/example/app{i}:1.0.{i}",
            "    port: 8080",
            "    storage: {data: {size: 10Gi, mountPath: /data, sensitivity: sensitive}}",
        ] + ([f"    dependsOn: [svc-{i - 1}]"] if i else [])
    loaded = load_text("\n".join(lines) + "\n")
    assert len(loaded.spec.services) == 500
    assert loaded.locate("services.svc-499.port") is not None
