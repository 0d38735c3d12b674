"""A record's payload read back in words for its page: facts, lines, the total, and what each
version changed (the forms that write payloads are in `zera.review.forms`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zera.review.forms import FORMS
from zera.review.payloads import (
    TYPES,
    line_account,
    line_detail,
    lines,
    money,
    payee_ref,
    ref_name,
    ref_value,
    total,
)


def amount_text(value: Any) -> str:
    number = value if isinstance(value, Decimal) else money(value)
    return "" if number is None else f"{number:,.2f}"


def describe(value: Any) -> str:
    """A payload value as one line of text: a reference by its name, money as written."""
    if isinstance(value, dict):
        if "name" in value or "value" in value:
            return ref_name(value) or ref_value(value)
        return ", ".join(f"{k}: {describe(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(describe(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


@dataclass(frozen=True)
class Fact:
    label: str
    text: str


def facts(entity: str, payload: dict[str, Any]) -> list[Fact]:
    """The record's top-level fields, labelled as the form labels them; others by their name."""
    spec = FORMS.get(entity)
    shown: list[Fact] = []
    seen = {"Line"}
    for f in spec.fields if spec else ():
        if f.name == "PaidFrom":
            part = payload.get("CheckPayment") or payload.get("CreditCardPayment") or {}
            value: Any = part.get("BankAccountRef") or part.get("CCAccountRef")
            seen |= {"CheckPayment", "CreditCardPayment"}
        elif f.name == "ReceivedFrom":
            value = payee_ref(entity, payload)
        else:
            value = payload.get(f.name)
            seen.add(f.name)
        text = amount_text(value) if f.kind == "money" else describe(value)
        if text:
            shown.append(Fact(f.label, text))
    for key, value in payload.items():
        if key not in seen and describe(value):
            shown.append(
                Fact(key, amount_text(value) if key in ("TotalAmt", "Amount") else describe(value))
            )
    return shown


@dataclass(frozen=True)
class LineText:
    number: int
    kind: str
    target: str  # the account, item or paid transaction
    name: str  # a customer or payee named on the line
    description: str
    qty: str
    price: str
    posting: str
    amount: str


def line_texts(payload: dict[str, Any]) -> list[LineText]:
    shown = []
    for number, line in enumerate(lines(payload), start=1):
        detail = line_detail(line)
        links = [
            f"{link.get('TxnType', '')} {link.get('TxnId', '')}".strip()
            for link in line.get("LinkedTxn") or []
            if isinstance(link, dict)
        ]
        name = detail.get("Entity") or detail.get("CustomerRef")
        shown.append(
            LineText(
                number=number,
                kind=str(line.get("DetailType") or ("Payment" if links else "")),
                target=describe(line_account(line)) or ", ".join(links),
                name=describe(name) if isinstance(name, dict) else "",
                description=str(line.get("Description") or ""),
                qty=describe(detail.get("Qty")),
                price=describe(detail.get("UnitPrice")),
                posting=str(detail.get("PostingType") or ""),
                amount=amount_text(line.get("Amount")),
            )
        )
    return shown


def total_text(entity: str, payload: dict[str, Any]) -> str:
    return amount_text(total(entity, payload)) if entity in TYPES else ""


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: str
    after: str


def _lines_text(value: Any) -> str:
    if not isinstance(value, list):
        return describe(value)
    found = line_texts({"Line": value})
    return "; ".join(
        " ".join(p for p in (t.posting, t.target, t.description, t.amount) if p) for t in found
    )


def changed_fields(
    before: Mapping[str, Any] | None, after: Mapping[str, Any], statuses: Mapping[str, str]
) -> list[FieldChange]:
    """What one version changed: type, status and each top-level field of the record (named
    as the form names it)."""
    if before is None:
        return []
    spec = FORMS.get(str(after.get("type")))
    out = []
    for key in ("type", "status"):
        if before.get(key) != after.get(key):
            name = "Type" if key == "type" else "Status"
            labels: Mapping[str, str] = (
                statuses if key == "status" else {k: v.label for k, v in TYPES.items()}
            )
            out.append(
                FieldChange(
                    name,
                    labels.get(str(before.get(key)), str(before.get(key))),
                    labels.get(str(after.get(key)), str(after.get(key))),
                )
            )
    old, new = before.get("record") or {}, after.get("record") or {}
    for key in [*old, *(k for k in new if k not in old)]:
        if old.get(key) != new.get(key):
            text = _lines_text if key == "Line" else describe
            label = "Lines" if key == "Line" else spec.field_label(key) if spec else key
            out.append(FieldChange(label, text(old.get(key)), text(new.get(key))))
    return out
