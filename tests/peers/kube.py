"""Fixtures: see tests/peers/__init__.py."""
