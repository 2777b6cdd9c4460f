"""The words and examples that turn a validation failure into a fix a person can apply.

Patterns of the models map to a plain name and a valid example; keys map to example values for
"add `size: 10Gi`"; misspellings map to the nearest allowed word.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import Any

from charon.spec import models

__all__ = [
    "PATTERNS",
    "VALIDATORS",
    "did_you_mean",
    "example_for",
    "kind_of",
    "pattern_fix",
    "show",
]

#: pattern → (what it is, how to fix a value that does not match)
PATTERNS: dict[str, tuple[str, str]] = {
    models._DNS1123_LABEL: (
        "a DNS-1123 name (lower-case letters, digits and '-', starting and ending with a letter "
        "or digit, at most 63 characters)",
        "e.g. 'my-app'",
    ),
    models._QUANTITY: (
        "a Kubernetes quantity",
        "write a number with an optional unit, e.g. 10Gi, 512Mi or 500m (binary units end in 'i')",
    ),
    models._CIDR: ("a CIDR range", "write an address and a prefix length, e.g. 10.244.0.0/16"),
    r"^/": ("an absolute path", "start it with '/', e.g. '/data'"),
    r"^tag:[a-z0-9-]+$": ("a Headscale tag", "write 'tag:' and a lower-case name, e.g. 'tag:web'"),
    r"^age1[0-9a-z]{20,}$": (
        "an age public key",
        "use the recipient printed by `age-keygen -y key.txt` (it starts with 'age1')",
    ),
}

#: AfterValidator function name → fix
VALIDATORS: dict[str, str] = {
    "_is_cron": "write five fields (minute hour day-of-month month day-of-week), e.g. '17 3 * * *',"
    " or a macro such as '@daily'",
    "_is_dns_name": "use lower-case labels separated by dots, e.g. 'example.com'",
    "_is_egress_cidr": "write the destination as a CIDR range, e.g. 203.0.113.10/32 for one"
    " address or 10.0.5.0/24; resolve a DNS name yourself and name it in the reason",
}

_EXAMPLES: dict[str, str] = {
    "apiVersion": models.API_VERSION,
    "kind": "Platform",
    "name": "my-platform",
    "domain": "example.com",
    "default": "local-path",
    "encrypted": "encrypted-ssd",
    "url": "https://headscale.example.com",
    "headscale": "{url: https://headscale.example.com}",
    "tier": "3-edge",
    "category": "apps",
    "image": "ghcr.io/example/app:1.0.0",
    "port": "8080",
    "ports": "[5432]",
    "size": "10Gi",
    "mountPath": "/data",
    "secret": "app-secrets",
    "key": "password",
    "reason": "'why this is acceptable here'",
    "rule": "image-pinned",
    "namespace": "core",
    "server": "ns1.example.com",
    "keyName": "charon-update",
    "baseDn": "dc=example,dc=com",
    "issuer": "https://auth.example.com",
}

_QUANTITY_LIKE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGtTpPeE])i?[bB]?\s*$")


def show(value: Any) -> str:
    """A short, safe rendering of a value the user wrote."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, int | float):
        return str(value)
    return kind_of(value)


def kind_of(value: Any) -> str:
    """What YAML made of a value, in words."""
    if isinstance(value, bool):
        return "true/false"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, date):
        return "a date"
    return type(value).__name__


def _shared_prefix(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def did_you_mean(word: str, choices: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The allowed word a misspelling most likely meant, if any is close.

    Values use a higher ``cutoff`` than keys: suggesting ``scratch`` for ``secret`` would steer a
    sensitive volume onto throwaway storage, while a wrong key suggestion is merely unhelpful.
    """
    options = list(choices)
    for option in options:
        if option.lower() == word.lower() or option.lower() == word.lower().replace("_", ""):
            return option
    close = difflib.get_close_matches(word, options, n=1, cutoff=cutoff)
    if close:
        return close[0]
    # 'retain' → 'retention': difflib's ratio punishes a long tail; a shared stem is telling
    stems = [(_shared_prefix(word, o), o) for o in options]
    best, option = max(stems, default=(0, ""))
    return option if best >= 3 and best * 2 >= min(len(word), len(option)) else None


def example_for(alias: str, annotation: Any) -> str:
    """A value to show in "add `key: <example>`"."""
    if alias in _EXAMPLES:
        return _EXAMPLES[alias]
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return str(next(iter(annotation)).value)
    return "<value>"


def pattern_fix(pattern: str, value: Any) -> tuple[str, str]:
    """``(what the value must be, fix)`` for a value that does not match ``pattern``."""
    what, fix = PATTERNS.get(pattern, ("of the expected form", f"match the pattern {pattern}"))
    if isinstance(value, str) and pattern == models._DNS1123_LABEL:
        slug = re.sub(r"[^a-z0-9-]+", "-", value.lower()).strip("-")[:63].strip("-")
        if slug and slug != value:
            fix = f"use lower-case letters, digits and '-', e.g. '{slug}'"
    elif isinstance(value, str) and pattern == models._QUANTITY:
        match = _QUANTITY_LIKE.match(value)
        if match:
            number, unit = match.groups()
            bytes_ = value.rstrip().endswith(("b", "B", "i"))
            unit = (
                "m" if unit == "m" and not bytes_ else "Ki" if unit in "kK" else unit.upper() + "i"
            )
            fix = f"did you mean '{number}{unit}'? ({fix})"
    elif isinstance(value, str) and pattern == r"^/" and value:
        fix = f"start it with '/', e.g. '/{value.lstrip('./')}'"
    return what, fix
