"""The README's description example and its two opening commands stay true."""

from __future__ import annotations

import re
from pathlib import Path

from charon.compile import compile_platform
from charon.policy import evaluate
from charon.spec import load_text

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_opens_with_the_two_commands() -> None:
    first_block = re.search(r"```sh\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines()]
    assert commands == ["make example", "make test"]
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "examples/charon.yaml" in makefile.split("example:", 1)[1].split("\n\n", 1)[0]


def test_readme_description_example_is_policy_clean() -> None:
    block = re.search(r"```yaml\n(apiVersion: charon.dev/v1alpha1.*?)```", README, re.S)
    assert block is not None
    loaded = load_text(block.group(1), "README.md")
    findings = evaluate(loaded.spec, compile_platform(loaded.spec))
    assert [f for f in findings if f.severity != "info"] == []
