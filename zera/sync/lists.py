"""A client's QuickBooks lists as one value: what an edit or an import is checked against, and
what the review grid's type-ahead offers. Read from the mirror (`zera.sync.mirror`), which a
refresh keeps in step with QuickBooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zera.db.tables import QBOReference
from zera.jsonmoney import loads

# Account types by what they are for (Intuit's AccountType values).
BANK = "Bank"
CREDIT_CARD = "Credit Card"
RECEIVABLE = "Accounts Receivable"
PAYABLE = "Accounts Payable"
PEOPLE = ("Vendor", "Customer", "Employee")


@dataclass(frozen=True)
class ListEntry:
    entity: str
    qbo_id: str
    name: str
    active: bool
    kind: str = ""  # AccountType for an account, Type for an item
    number: str = ""  # AcctNum for an account
    currency: str = ""  # CurrencyRef of an account or a name, where QuickBooks gives one
    changed_on: str = ""  # the day QuickBooks last changed it (MetaData.LastUpdatedTime)


@dataclass(frozen=True)
class ReferenceLists:
    """Every list entry by entity, and the company preferences that shape a record."""

    entries: dict[str, list[ListEntry]] = field(default_factory=dict)
    class_per_line: bool = False
    class_per_txn: bool = False
    locations: bool = False
    loaded: bool = False  # False when the client's lists were never pulled

    def of(self, entity: str) -> list[ListEntry]:
        return self.entries.get(entity, [])

    def get(self, entity: str, qbo_id: str) -> ListEntry | None:
        return next((e for e in self.of(entity) if e.qbo_id == qbo_id), None)

    def named(self, entity: str, name: str) -> ListEntry | None:
        """The entry whose name is `name`, ignoring case and surrounding spaces."""
        wanted = " ".join(name.split()).casefold()
        return next((e for e in self.of(entity) if e.name.casefold() == wanted), None)

    def person(self, qbo_id: str) -> ListEntry | None:
        for entity in PEOPLE:
            found = self.get(entity, qbo_id)
            if found is not None:
                return found
        return None

    def accounts(self, *kinds: str, active_only: bool = True) -> list[ListEntry]:
        return [
            a
            for a in self.of("Account")
            if (not kinds or a.kind in kinds) and (a.active or not active_only)
        ]


def _payload(raw: Any) -> dict[str, Any]:
    value = loads(raw) if isinstance(raw, str | bytes) else raw
    return value if isinstance(value, dict) else {}


def _entry(row: dict[str, Any]) -> ListEntry:
    payload = _payload(row["payload"])
    kind = payload.get("AccountType") or payload.get("Type") or ""
    return ListEntry(
        entity=row["entity"],
        qbo_id=row["qbo_id"],
        name=row["name"],
        active=bool(row["active"]),
        kind=str(kind),
        number=str(payload.get("AcctNum") or ""),
        currency=str((payload.get("CurrencyRef") or {}).get("value") or ""),
        changed_on=str((payload.get("MetaData") or {}).get("LastUpdatedTime") or "")[:10],
    )


async def reference_lists(client_id: int) -> ReferenceLists:
    rows = (
        await QBOReference.select(
            QBOReference.entity,
            QBOReference.qbo_id,
            QBOReference.name,
            QBOReference.active,
            QBOReference.payload,
        )
        .where(QBOReference.client_id == client_id)
        .order_by(QBOReference.name)
        .run()
    )
    entries: dict[str, list[ListEntry]] = {}
    prefs: dict[str, Any] = {}
    for row in rows:
        if row["entity"] == "Preferences":
            prefs = _payload(row["payload"]).get("AccountingInfoPrefs") or {}
            continue
        entries.setdefault(row["entity"], []).append(_entry(row))
    return ReferenceLists(
        entries=entries,
        class_per_line=bool(prefs.get("ClassTrackingPerTxnLine")),
        class_per_txn=bool(prefs.get("ClassTrackingPerTxn")),
        locations=bool(prefs.get("TrackDepartments")),
        loaded=bool(rows),
    )
