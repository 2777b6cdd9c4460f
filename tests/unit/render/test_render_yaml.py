"""The YAML dialect: literal blocks that round-trip, no anchors, sorted keys, and SOPS guards."""

from __future__ import annotations

import pytest
import yaml
from render_samples import NGINX_CONF, SOPS_SECRET, make_platform

from charon.compile.model import Unit
from charon.errors import RenderError
from charon.render import render_files
from charon.render.yaml_emit import dump


def test_multiline_strings_are_literal_blocks_that_round_trip() -> None:
    text = dump({"data": {"nginx.conf": NGINX_CONF}}).decode()
    assert "nginx.conf: |\n    server {\n" in text
    assert yaml.safe_load(text) == {"data": {"nginx.conf": NGINX_CONF}}


@pytest.mark.parametrize(
    "value",
    [
        "no trailing newline\nsecond",
        "trailing spaces   \nbreak",
        "\nleading newline",
        "tabs\tand\nunicode é ✓\n",
        "ends with blank lines\n\n\n",
        "  indented first line\nsecond\n",
    ],
)
def test_awkward_multiline_strings_round_trip(value: str) -> None:
    assert yaml.safe_load(dump({"v": value})) == {"v": value}


def test_no_anchors_for_shared_objects_and_sorted_keys() -> None:
    labels = {"b": "2", "a": "1"}
    text = dump({"z": labels, "y": [labels, labels]}).decode()
    assert "&" not in text
    assert "*" not in text
    assert text.index("y:") < text.index("z:")
    assert text.index("a: '1'") < text.index("b: '2'")
    assert text.endswith("\n")


def test_long_strings_are_not_folded() -> None:
    long = "x" * 300 + " " + "y" * 300
    assert dump({"v": long}).decode() == f"v: {long}\n"


def _with_raw(name: str, content: str) -> Unit:
    return Unit(name="web", layer="apps", objects=(), raw_files=((name, content),))


def test_encrypted_raw_file_is_copied_verbatim() -> None:
    files = render_files(make_platform(units=(_with_raw("db.sops.yaml", SOPS_SECRET),)))
    assert files["units/web/db.sops.yaml"] == SOPS_SECRET.encode()


def test_sealed_secret_raw_file_is_accepted() -> None:
    sealed = "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata: {name: x}\n"
    files = render_files(make_platform(units=(_with_raw("x.yaml", sealed),)))
    assert "units/web/x.yaml" in files


def test_plaintext_secret_raw_file_is_refused_naming_the_file() -> None:
    plain = "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: hunter2}\n"
    with pytest.raises(RenderError, match=r"db-plain\.yaml.*sops") as info:
        render_files(make_platform(units=(_with_raw("db-plain.yaml", plain),)))
    assert "hunter2" not in str(info.value)


def test_sops_metadata_with_plaintext_values_is_refused() -> None:
    half = SOPS_SECRET.replace("ENC[AES256_GCM,data:q83Zmw==,iv:abc=,tag:def=,type:str]", "pw")
    with pytest.raises(RenderError, match="plaintext values"):
        render_files(make_platform(units=(_with_raw("db.yaml", half),)))


@pytest.mark.parametrize("name", ["../escape.yaml", "sub/dir.yaml", ".hidden.yaml", "x.txt"])
def test_raw_file_names_cannot_escape_the_unit(name: str) -> None:
    with pytest.raises(RenderError, match="file name"):
        render_files(make_platform(units=(_with_raw(name, SOPS_SECRET),)))


def test_raw_file_clashing_with_an_object_file_is_refused() -> None:
    unit = Unit(
        name="web",
        layer="apps",
        objects=({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}},),
        raw_files=(("secret-db.yaml", SOPS_SECRET),),
    )
    with pytest.raises(RenderError, match="clashes"):
        render_files(make_platform(units=(unit,)))
