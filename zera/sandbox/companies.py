"""Sandbox companies: create one (starter records or a seeded history) and merge records."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from zera.sandbox import faults, ledger
from zera.sandbox.clock import INTUIT_ZONE, intuit_time
from zera.sandbox.entities import BY_NAME, PEOPLE
from zera.sandbox.service import Accounting, Change, clean
from zera.sandbox.starter import starter_company
from zera.sandbox.store import StoredDoc

MERGEABLE = frozenset({"Customer", "Vendor", "Account", "Item", "Employee"})


def new_realm_id() -> str:
    # Sandbox realm ids are 16-19 digit numbers ("9130357942212345").
    return "9130" + "".join(secrets.choice("0123456789") for _ in range(12))


def load_documents(api: Accounting, realm: str,
                   docs: Iterable[tuple[str, dict[str, Any]]]) -> int:
    """Store Intuit-shaped payloads with their local Ids as SyncToken 0, computing totals and
    links the way a write would (no change log: history predates any connection)."""
    now = api.clock.now()
    rows: list[tuple[StoredDoc, datetime]] = []
    links: list[tuple[str, str, list[ledger.Link]]] = []
    for entity, payload in docs:
        spec = BY_NAME[entity]
        doc: dict[str, Any] = clean(dict(payload))
        doc["Id"] = str(doc["Id"])
        created = doc.get("MetaData", {}).get("CreateTime") or _txn_time(doc, now)
        doc.update({"domain": "QBO", "sparse": False, "SyncToken": "0",
                    "MetaData": {"CreateTime": created, "LastUpdatedTime": created}})
        if entity in ledger.SALES and doc.get("Line"):
            doc["Line"] = ledger.with_subtotal(doc["Line"])
        if entity in ledger.ACCOUNT_MOVES:
            doc["Amount"] = ledger.total(entity, doc)
        elif spec.is_transaction:
            doc["TotalAmt"] = ledger.total(entity, doc)
            if entity in ledger.PAYABLE:
                links.append((entity, doc["Id"], ledger.links(entity, doc)))
        rows.append((StoredDoc(realm, entity, doc["Id"], 0, "", doc), now))
    api.store.put_many(rows)
    by_key = {(s.entity, s.id): s for s, _ in rows}
    applied: dict[tuple[str, str], Decimal] = {}
    with api.store.write():
        for entity, entity_id, found in links:
            api.store.set_links(realm, entity, entity_id, [(x.entity, x.id, x.amount)
                                                            for x in found])
            for link in found:
                key = (link.entity, link.id)
                applied[key] = applied.get(key, ledger.ZERO) + link.amount
    for (entity, entity_id), stored in by_key.items():
        if entity in {"Invoice", "Bill", "VendorCredit", "CreditMemo", "SalesReceipt"}:
            doc = stored.doc
            balance = ledger.total(entity, doc) - applied.get((entity, entity_id), ledger.ZERO)
            if entity == "SalesReceipt":
                balance = ledger.ZERO
            doc["Balance"] = balance
            if entity == "CreditMemo":
                doc["RemainingCredit"] = balance
    api.store.put_many(rows)
    return len(rows)


def _txn_time(doc: dict[str, Any], now: datetime) -> str:
    if doc.get("TxnDate"):
        return f"{str(doc['TxnDate'])[:10]}T09:00:00" + intuit_time(now)[-6:]
    return intuit_time(now)


def create_company(api: Accounting, name: str | None, *, seed: int | None = None,
                   months: int = 12, realm: str | None = None) -> str:
    """A new company: starter records, or a seeded business with `months` of history.
    With a seed and no name, the generated business keeps its own name."""
    realm_id = realm or new_realm_id()
    today = api.clock.now().astimezone(INTUIT_ZONE).date()
    if seed is not None:
        docs, seeded_name = _seeded(name, seed, today, months)
        name = seeded_name
    else:
        name = name or "Sandbox Company"
        docs = starter_company(name, today)
    api.store.add_company(realm_id, name, api.clock.now(), seed)
    load_documents(api, realm_id, docs)
    return realm_id


def _seeded(name: str | None, seed: int, today: date,
            months: int) -> tuple[list[tuple[str, dict[str, Any]]], str]:
    from zera.sandbox.seed import generate_company

    company = generate_company(seed, today=today, months=months)
    docs = [(entity, dict(payload)) for entity, payload in company.records()]
    if name:
        for entity, payload in docs:
            if entity == "CompanyInfo":
                payload["CompanyName"] = name
    return docs, name or company.name


def merge(api: Accounting, realm: str, entity: str, from_id: str, into_id: str) -> list[Change]:
    """A QuickBooks user merging two names: `from_id`'s transactions move to `into_id`, and
    `from_id` becomes inactive (Intuit's Merge webhook, QBO-API.md §6)."""
    if entity not in MERGEABLE:
        raise faults.unsupported_operation(f"merge on {entity}")
    source = api.store.get(realm, entity, from_id)
    target = api.store.get(realm, entity, into_id)
    if source is None or target is None or from_id == into_id:
        raise faults.object_not_found(entity, from_id if source is None else into_id)
    ref_keys = {"Customer": ("CustomerRef",), "Vendor": ("VendorRef",),
                "Item": ("ItemRef",), "Account": ("AccountRef", "DepositToAccountRef",
                                                  "APAccountRef", "ARAccountRef",
                                                  "BankAccountRef", "CCAccountRef",
                                                  "FromAccountRef", "ToAccountRef",
                                                  "CreditCardAccountRef"),
                "Employee": ()}[entity]
    now = api.clock.now()
    changes: list[Change] = []
    with api.store.write():
        for spec in [s for s in BY_NAME.values() if s.is_transaction]:
            for stored in api.store.live_docs(realm, spec.name):
                if _retarget(stored.doc, ref_keys, from_id, into_id, target.doc, entity):
                    stored.doc["SyncToken"] = str(stored.sync_token + 1)
                    stored.doc["MetaData"]["LastUpdatedTime"] = intuit_time(now)
                    api.store.put(StoredDoc(realm, spec.name, stored.id, stored.sync_token + 1,
                                            stored.status, stored.doc), now)
                    api.store.log_change(realm, spec.name, stored.id, "Update", now)
                    changes.append(Change(realm, spec.name, stored.id, "Update", now))
        doc = dict(source.doc)
        doc["Active"] = False
        doc["SyncToken"] = str(source.sync_token + 1)
        doc["MetaData"] = {**doc["MetaData"], "LastUpdatedTime": intuit_time(now)}
        api.store.put(StoredDoc(realm, entity, from_id, source.sync_token + 1, "", doc), now)
        api.store.log_change(realm, entity, from_id, "Merge", now)
        changes.append(Change(realm, entity, into_id, "Merge", now))
    for change in changes:
        for listener in api.listeners:
            extra = {"deleted_id": from_id} if change.operation == "Merge" else {}
            _record(listener, change, extra)
    return changes


def _record(listener: Any, change: Change, extra: dict[str, str]) -> None:
    if not BY_NAME[change.entity].webhooks:
        return
    try:
        listener.record_change(change.realm, change.entity, change.id, change.operation,
                               change.at, **extra)
    except TypeError:
        listener.record_change(change.realm, change.entity, change.id, change.operation,
                               change.at)


def _retarget(value: Any, keys: tuple[str, ...], old: str, new: str,
              target: dict[str, Any], entity: str) -> bool:
    changed = False
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in keys and isinstance(inner, dict) and str(inner.get("value")) == old:
                inner["value"] = new
                name = target.get("DisplayName") or target.get("Name")
                if name:
                    inner["name"] = name
                changed = True
            elif (key == "EntityRef" and isinstance(inner, dict)
                  and str(inner.get("value")) == old and inner.get("type") == entity):
                # EntityRef may name a vendor or employee that merely shares the Id.
                inner["value"] = new
                changed = True
            else:
                changed = _retarget(inner, keys, old, new, target, entity) or changed
    elif isinstance(value, list):
        for item in value:
            changed = _retarget(item, keys, old, new, target, entity) or changed
    return changed


__all__ = ["PEOPLE", "create_company", "load_documents", "merge", "new_realm_id"]
