"""Charon: one typed platform description compiled to everything the platform needs."""

__version__ = "0.1.0"
__all__ = ["__version__"]
