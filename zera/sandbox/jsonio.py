"""JSON in and out the way Intuit speaks it: money parsed as Decimal, written as a JSON number."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def _number(value: object) -> object:
    if isinstance(value, Decimal):
        # Intuit writes amounts as plain JSON numbers (337.5, 12). Two-decimal money round-trips
        # exactly through the shortest float repr, which is what json emits.
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def loads(raw: str | bytes) -> Any:
    """Parse JSON keeping every fractional number as Decimal."""
    return json.loads(raw, parse_float=Decimal)


def dumps(value: object) -> str:
    """Serialise with Decimals as JSON numbers, compactly."""
    return json.dumps(value, default=_number, separators=(",", ":"), ensure_ascii=False)


def to_decimal(value: object) -> Decimal:
    """Read an amount the client sent (number or numeric string) as Decimal."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{value!r} is not an amount")
    if isinstance(value, int | str):
        return Decimal(str(value).strip())
    if isinstance(value, float):
        return Decimal(repr(value))
    raise ValueError(f"{value!r} is not an amount")


def json_pretty(value: object) -> str:
    """Indented JSON for people (the HTML record view)."""
    return json.dumps(value, default=_number, indent=2, ensure_ascii=False)
