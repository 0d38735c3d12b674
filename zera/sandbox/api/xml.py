"""Intuit's XML rendering of response bodies, for clients that ask for XML only (quickbooks-ruby
speaks XML; its fixtures are the XML examples in QBO-API.md §2 and §5). JSON stays the default."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from zera.sandbox.entities import BY_ANY_NAME

NAMESPACE = "http://schema.intuit.com/finance/v3"
ENTITY_ATTRIBUTES = ("domain", "status", "sparse")
REFERENCE_KEYS = frozenset({"value", "name", "type"})
LIST_ATTRIBUTES = ("startPosition", "maxResults", "totalCount")
_ENTITY_KEYS = frozenset(BY_ANY_NAME)


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | float):
        return format(Decimal(str(value)), "f")
    return str(value)


def _element(name: str, value: Any, *, entity: bool = False) -> str:
    if isinstance(value, list):
        return "".join(_element(name, item, entity=entity) for item in value)
    if not isinstance(value, dict):
        return f"<{name}>{escape(_scalar(value))}</{name}>"
    if "value" in value and set(value) <= REFERENCE_KEYS:
        # ReferenceType: the Id is the text, name and type are attributes (XSD).
        attrs = "".join(f" {k}={quoteattr(_scalar(value[k]))}" for k in ("name", "type")
                        if k in value)
        return f"<{name}{attrs}>{escape(_scalar(value['value']))}</{name}>"
    attr_keys = ENTITY_ATTRIBUTES if entity else LIST_ATTRIBUTES if name == "QueryResponse" else ()
    attrs = "".join(f" {k}={quoteattr(_scalar(value[k]))}" for k in attr_keys if k in value)
    children = "".join(
        _element(key, inner, entity=name == "QueryResponse" or key in _ENTITY_KEYS)
        for key, inner in value.items() if key not in attr_keys
    )
    return f"<{name}{attrs}>{children}</{name}>"


def render(body: dict[str, Any]) -> str:
    """`{"Customer": {...}, "time": ...}` and friends as an IntuitResponse document."""
    time = body.get("time", "")
    inner = "".join(
        _element(key, value, entity=key in _ENTITY_KEYS)
        for key, value in body.items() if key != "time"
    )
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<IntuitResponse xmlns="{NAMESPACE}" time={quoteattr(str(time))}>{inner}'
            "</IntuitResponse>")


