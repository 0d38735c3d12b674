"""Conflicts: records both Zera and QuickBooks changed in the same field or line.

A conflict keeps three versions: the base (the last one both sides agreed on), Zera's (the
record) and QuickBooks' (stored beside it when the merge found the clash). Nothing is written on
either side until a person chooses, per field or line, which side wins. The choice becomes Zera's
version with QuickBooks' as the new base, and is pushed as an update: the push reads QuickBooks
again first, so a change made there meanwhile is merged (or shown as a new conflict), never
overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from zera.accounts.audit import Actor
from zera.accounts.audit import record as audit
from zera.clients import ClientSummary
from zera.errors import Conflict, InvalidInput
from zera.review import payloads
from zera.review.records import (
    APPROVED,
    CONFLICT,
    DELETED,
    RecordView,
    StaleEdit,
    get_record,
    list_records,
)
from zera.sync import records as synced
from zera.sync.merge import RECORD, SIDES, MergeResult, merge, resolve, view

LABELS = {
    "TxnDate": "Date",
    "DocNumber": "Number",
    "PrivateNote": "Memo",
    "EntityRef": "Payee",
    "VendorRef": "Vendor",
    "CustomerRef": "Customer",
    "AccountRef": "Account",
    "DepositToAccountRef": "Deposit to",
    "PaymentType": "Payment type",
    "DueDate": "Due date",
    "TotalAmt": "Total",
    "CurrencyRef": "Currency",
    "ExchangeRate": "Exchange rate",
    "SalesTermRef": "Terms",
    "DepartmentRef": "Location",
    "ClassRef": "Class",
    "ItemRef": "Item",
    RECORD: "The record",
}


@dataclass(frozen=True)
class Row:
    """One field or line, as base, Zera and QuickBooks have it."""

    key: str
    label: str
    base: str
    ours: str
    theirs: str
    conflict: bool  # both changed it differently: the user must choose
    changed: str  # "", "ours", "theirs" or "both": who changed it since the base


@dataclass(frozen=True)
class ConflictView:
    record: RecordView
    rows: list[Row]
    deleted: bool  # QuickBooks deleted (or voided) it while Zera changed it

    @property
    def conflicts(self) -> list[Row]:
        return [row for row in self.rows if row.conflict]


def _text(key: str, value: Any) -> str:
    """A field or line in words, for the side-by-side view."""
    if value is None or value == "" or value == {}:
        return "—"
    if isinstance(value, dict) and (key.endswith("Ref") or key == "Entity"):
        return payloads.ref_name(value) or f"Id {payloads.ref_value(value)}"
    if key.startswith("Line"):
        return _line_text(value)
    if isinstance(value, dict | list):
        return ", ".join(f"{k}: {_text(k, v)}" for k, v in value.items()) if isinstance(
            value, dict) else "; ".join(_text("", v) for v in value)  # fmt: skip
    return str(value)


def _line_text(line: Any) -> str:
    if not isinstance(line, dict):
        return "—"
    parts = [_money(line.get("Amount"))]
    if line.get("Description"):
        parts.append(str(line["Description"]))
    detail = line.get(str(line.get("DetailType", ""))) or {}
    for key, ref in detail.items() if isinstance(detail, dict) else ():
        if isinstance(ref, dict) and key.endswith("Ref"):
            parts.append(f"{LABELS.get(key, key.removesuffix('Ref'))}: {_text(key, ref)}")
    return " · ".join(p for p in parts if p)


def _money(value: Any) -> str:
    """An amount as money ("41.20" on both sides, whether QuickBooks sent 41.2 or "41.20")."""
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)


def _label(key: str, base: Any, ours: Any, theirs: Any) -> str:
    if key.startswith("Line"):
        line = next((x for x in (theirs, ours, base) if isinstance(x, dict)), {})
        number = key.split(":", 1)[-1].lstrip("+")
        return f"Line {number}: {line['Description']}" if line.get("Description") else (
            f"Line {number}")  # fmt: skip
    return LABELS.get(key, key)


def _sides(doc: dict[str, Any] | None) -> dict[str, Any]:
    """Every field and line of a document by merge key."""
    if doc is None:
        return {}
    out: dict[str, Any] = {k: v for k, v in doc.items() if k != "Line"}
    for line in payloads.lines(doc):
        if line.get("Id"):
            out[f"Line:{line['Id']}"] = line
    return out


def _result(record: RecordView) -> MergeResult:
    return merge(record.merge_base or {}, record.payload, record.theirs)


async def list_conflicts(client: ClientSummary) -> list[RecordView]:
    return await list_records(client, status=CONFLICT)


async def conflict_view(client: ClientSummary, record_id: int) -> ConflictView:
    record = await get_record(client, record_id)
    if record.status != CONFLICT:
        raise Conflict("This record has no open conflict.")
    result = _result(record)
    clashing = {d.key: d for d in result.conflicts}
    base, ours = view(record.merge_base or {}), view(record.payload)
    theirs = view(record.theirs) if record.theirs is not None else None
    fields = [_sides(base), _sides(ours), _sides(theirs)]
    keys = list(dict.fromkeys(k for side in fields for k in side))
    rows = []
    if RECORD in clashing:
        d = clashing[RECORD]
        rows.append(Row(RECORD, LABELS[RECORD], "as pushed",
                        "changed in Zera" if d.ours is not None else "deleted in Zera",
                        "changed in QuickBooks" if d.theirs is not None else
                        "deleted or voided in QuickBooks", True, "both"))  # fmt: skip
    changed_ours, changed_theirs = set(result.ours_changed), set(result.theirs_changed)
    for key in keys:
        b, o, t = (side.get(key) for side in fields)
        who = ("both" if key in changed_ours and key in changed_theirs else "ours"
               if key in changed_ours else "theirs" if key in changed_theirs else "")  # fmt: skip
        rows.append(Row(key, _label(key, b, o, t), _text(key, b), _text(key, o), _text(key, t),
                        key in clashing, who))  # fmt: skip
    return ConflictView(record, rows, record.theirs is None)


async def resolve_conflict(
    actor: Actor,
    client: ClientSummary,
    record_id: int,
    version: int,
    choices: Mapping[str, str],
) -> RecordView:
    """Apply the user's choice (conflict key -> "ours" or "theirs"). The record becomes the
    chosen version, waiting to be pushed as an update against QuickBooks' version as it was
    shown (the push merges again if QuickBooks changed since). Choosing QuickBooks' side of a
    delete accepts the delete."""
    record = await get_record(client, record_id)
    if record.version != version:
        raise StaleEdit("This conflict changed since you opened it (QuickBooks or a colleague "
                        "changed it again). Nothing was saved: look at it again.")  # fmt: skip
    if record.status != CONFLICT:
        raise Conflict("This record has no open conflict.")
    wrong = sorted(k for k, v in choices.items() if v not in SIDES)
    if wrong:
        raise InvalidInput("choice", f"Choose Zera or QuickBooks for: {', '.join(wrong)}.")
    result = _result(record)
    missing = [d.key for d in result.conflicts if d.key not in choices]
    if missing:
        labels = [_label(d.key, d.base, d.ours, d.theirs) for d in result.conflicts
                  if d.key in missing]  # fmt: skip
        raise InvalidInput("choice", f"Choose a side for: {', '.join(labels)}.")
    picked = {d.key: choices[d.key] for d in result.conflicts}
    if record.theirs is None:  # deleted or voided in QuickBooks
        if picked.get(RECORD) == "theirs":
            done = await synced.sync_step(actor, record, "accepted QuickBooks' delete", DELETED)
        else:
            raise InvalidInput(
                "choice",
                "QuickBooks no longer has this record, so Zera's version cannot be written back "
                "to it: accept the delete, or create the record again from its document.",
            )
    else:
        chosen = resolve(result, record.merge_base or {}, record.payload, record.theirs, picked)
        done = await synced.sync_step(
            actor, record, "conflict resolved", APPROVED, theirs=record.theirs, payload=chosen
        )
    if done is None:
        raise StaleEdit("This conflict changed while you chose. Nothing was saved: look again.")
    await audit(actor, "conflict.resolve", client_id=client.id, record=record.id,
                choices=dict(sorted(picked.items())))  # fmt: skip
    return done
