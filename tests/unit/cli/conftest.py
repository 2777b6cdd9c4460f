"""Platform files for the command-line tests, written per test from one known-good document."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

GOOD = Path(__file__).with_name("platform-ok.yaml")


@pytest.fixture
def good_spec() -> dict:
    return yaml.safe_load(GOOD.read_text(encoding="utf-8"))


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[[dict | str], Path]:
    def write(doc: dict | str) -> Path:
        path = tmp_path / "platform.yaml"
        text = doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def _wide_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("CHARON_DEBUG", raising=False)
