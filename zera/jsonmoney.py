"""JSON with exact money: fractional numbers parse to Decimal and Decimals are written as the
same JSON number, digit for digit (no float anywhere on the way)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

_MARK = "\u0000"
_MARKED = re.compile(r'"\\u0000(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\\u0000"')


def _mark(value: object) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a JSON number")
        return f"{_MARK}{value}{_MARK}"
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(value: Any) -> str:
    """Serialise `value`; Decimals become JSON numbers with exactly their digits."""
    text = json.dumps(value, default=_mark, separators=(",", ":"), ensure_ascii=False)
    return _MARKED.sub(r"\1", text)


def loads(raw: str | bytes) -> Any:
    """Parse JSON keeping every fractional number as Decimal."""
    return json.loads(raw, parse_float=Decimal)
