"""What every family shares: money as exact numbers, references filled and trimmed."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

# Reference fields that name a vendor, customer or employee (filled from NameIds by name).
PERSON_REFS = {"VendorRef": "Vendor", "CustomerRef": "Customer", "EntityRef": None, "Entity": None}
REF_SUFFIX = "Ref"
NUMBER_KEYS = ("Amount", "TotalAmt", "UnitPrice", "Qty")

# (entity, display name folded) -> QuickBooks Id, for names created or found by the push.
NameIds = dict[tuple[str, str], str]


class MappingError(ValueError):
    """The payload cannot be sent yet (a name without an Id); the message says which."""


def fold(name: str) -> str:
    return " ".join(name.split()).casefold()


def _is_ref(key: str, value: Any) -> bool:
    return isinstance(value, dict) and (key.endswith(REF_SUFFIX) or key == "Entity")


def _reference(key: str, ref: dict[str, Any], names: NameIds) -> dict[str, Any]:
    value = str(ref.get("value") or "").strip()
    kind = ref.get("type")
    if not value:
        name = str(ref.get("name") or "")
        wanted = PERSON_REFS.get(key, "") if key in PERSON_REFS else None
        kinds = [wanted] if wanted else [kind] if kind else ["Vendor", "Customer", "Employee"]
        found = next((names[(k, fold(name))] for k in kinds if (k, fold(name)) in names), None)
        if found is None:
            raise MappingError(f"{key} '{name}' has no QuickBooks Id yet.")
        value = found
    out: dict[str, Any] = {"value": value}
    if key in ("EntityRef", "Entity"):
        out["type"] = kind or "Vendor"
    elif ref.get("name"):
        out["name"] = ref["name"]
    return out


def outgoing(payload: dict[str, Any], names: NameIds) -> dict[str, Any]:
    """A deep copy with numbers as Decimal and every reference as Intuit reads it."""

    def walk(value: Any, key: str = "") -> Any:
        if _is_ref(key, value):
            return _reference(key, value, names)
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(item) for item in value]
        if key in NUMBER_KEYS and isinstance(value, str | int) and not isinstance(value, bool):
            return Decimal(str(value))
        return value

    out = walk(copy.deepcopy(payload))
    assert isinstance(out, dict)
    return out


def without_subtotals(payload: dict[str, Any]) -> dict[str, Any]:
    """QuickBooks adds and computes a sales form's SubTotalLineDetail line itself."""
    found = payload.get("Line")
    if isinstance(found, list):
        payload["Line"] = [
            line for line in found if not (isinstance(line, dict)
                                           and line.get("DetailType") == "SubTotalLineDetail")
        ]  # fmt: skip
    return payload
