"""Just enough Kubernetes quantity arithmetic to size a backup volume from its data volumes."""

from __future__ import annotations

import re
from decimal import Decimal

__all__ = ["format_bytes", "parse_quantity"]

_SUFFIX = {
    "": 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}
_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$")


def parse_quantity(text: str) -> Decimal:
    match = _QUANTITY.match(text)
    if match is None:
        raise ValueError(f"not a quantity: {text!r}")
    number, suffix = Decimal(match.group(1)), match.group(2) or ""
    if suffix == "m":
        return number / 1000
    return number * _SUFFIX[suffix]


def format_bytes(value: Decimal) -> str:
    """The smallest whole number of Mi or Gi that holds ``value`` bytes."""
    gib = Decimal(2**30)
    mib = Decimal(2**20)
    if value >= gib:
        return f"{-(-value // gib)}Gi"
    return f"{max(1, -(-value // mib))}Mi"
