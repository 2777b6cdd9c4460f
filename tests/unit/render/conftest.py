"""Fixtures for the render tests."""

from __future__ import annotations

import pytest
from render_samples import make_platform

from charon.compile.model import CompiledPlatform


@pytest.fixture
def compiled() -> CompiledPlatform:
    return make_platform()
