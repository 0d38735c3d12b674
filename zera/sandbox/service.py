"""The Accounting API's behaviour, independent of HTTP: create, read, update, delete, void.

The server owns Id, SyncToken, MetaData and every computed amount; only the latest SyncToken may
write (5010 otherwise); paying transactions keep their targets' Balance and LinkedTxn current.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from zera.sandbox import balances, faults, ledger
from zera.sandbox.clock import INTUIT_ZONE, SandboxClock, intuit_time
from zera.sandbox.entities import (
    BY_NAME,
    NAME,
    READONLY,
    SERVER_KEYS,
    SINGLETON,
    VOID_INCLUDE,
    VOID_OPERATION,
    EntitySpec,
)
from zera.sandbox.starter import preference_defaults
from zera.sandbox.store import SandboxStore, StoredDoc
from zera.sandbox.validation import ACCOUNT_TYPES, Validator, check_field_names

AUTO_NUMBERED = frozenset({"Invoice", "SalesReceipt", "CreditMemo", "Estimate"})


class ChangeListener(Protocol):
    """Told about every committed write (webhooks subscribe here)."""

    def record_change(
        self, realm_id: str, entity: str, entity_id: str, operation: str, last_updated: datetime
    ) -> object: ...


@dataclass(frozen=True)
class Change:
    realm: str
    entity: str
    id: str
    operation: str
    at: datetime


def spec_for(entity: str) -> EntitySpec:
    spec = BY_NAME.get(entity)
    if spec is None:
        raise faults.unsupported_operation(f"on entity {entity!r}", status=400)
    return spec


def clean(value: Any) -> Any:
    """Drop empty strings and empty objects: clients like python-quickbooks send every
    attribute, blank or not, and Intuit does not echo blanks back."""
    if isinstance(value, dict):
        out = {k: clean(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v is not None and v != "" and v != {}}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


class Accounting:
    """One sandbox's Accounting API over its store. Safe for concurrent callers."""

    def __init__(self, store: SandboxStore, clock: SandboxClock, *,
                 reject_unknown_fields: bool = True) -> None:
        self.store = store
        self.clock = clock
        self.reject_unknown_fields = reject_unknown_fields
        self.listeners: list[ChangeListener] = []

    # -- reads -----------------------------------------------------------------------------------
    def read(self, realm: str, entity: str, entity_id: str) -> dict[str, Any]:
        spec = spec_for(entity)
        found = self.store.get(realm, spec.name, entity_id)
        if found is None:
            raise faults.object_not_found(spec.name, entity_id)
        if found.status == "Deleted":
            raise faults.deleted_transaction(spec.name, entity_id)
        return found.doc

    def read_raw(self, realm: str, entity: str, entity_id: str) -> str:
        """One record's stored JSON text, with the same faults as `read`."""
        spec = spec_for(entity)
        found = self.store.get_raw(realm, spec.name, entity_id)
        if found is None:
            raise faults.object_not_found(spec.name, entity_id)
        if found[0] == "Deleted":
            raise faults.deleted_transaction(spec.name, entity_id)
        return found[1]

    def singleton(self, realm: str, entity: str) -> dict[str, Any]:
        docs = self.store.live_docs(realm, entity)
        if not docs:
            raise faults.object_not_found(entity, "1")
        doc = docs[0].doc
        if entity == "Preferences":
            # Companies stored before these sections were kept still answer with them.
            for key, value in preference_defaults(self._company_name(realm)).items():
                doc.setdefault(key, value)
        return doc

    def _company_name(self, realm: str) -> str:
        info = self.store.live_docs(realm, "CompanyInfo")
        return str(info[0].doc.get("CompanyName", "")) if info else ""

    # -- writes ----------------------------------------------------------------------------------
    def create(self, realm: str, entity: str, payload: dict[str, Any], *,
               options: frozenset[str] = frozenset()) -> dict[str, Any]:
        spec = spec_for(entity)
        if spec.kind in (READONLY, SINGLETON):
            raise faults.unsupported_operation(f"create on {spec.name}")
        self._check_names(spec, payload)
        doc = self._incoming(spec, payload)
        doc.pop("Id", None)
        changes: list[Change] = []
        with self.store.write():
            validator = Validator(self.store, realm)
            self._defaults(realm, spec, doc, None)
            validator.check(spec, doc, None)
            if spec.is_transaction:
                validator.check_period(doc)
                if "allowduplicatedocnum" not in options:
                    validator.check_doc_number(spec.name, doc)
            doc["Id"] = self.store.next_id(realm, spec.name)
            saved = self._save(realm, spec, doc, None, "Create", changes)
        self._notify(changes)
        return saved

    def update(self, realm: str, entity: str, payload: dict[str, Any], *,
               options: frozenset[str] = frozenset()) -> dict[str, Any]:
        spec = spec_for(entity)
        if spec.kind == READONLY:
            raise faults.unsupported_operation(f"update on {spec.name}")
        self._check_names(spec, payload)
        changes: list[Change] = []
        with self.store.write():
            current = self._current(realm, spec, payload)
            incoming = self._incoming(spec, payload)
            if payload.get("sparse") in (True, "true"):
                doc = {**copy.deepcopy(current.doc), **incoming}
            else:
                doc = {**incoming, **{k: current.doc[k] for k in ("Id",) if k in current.doc}}
                for key in spec.computed:
                    if key in current.doc:
                        doc[key] = current.doc[key]
            doc["Id"] = current.id
            operation = "Update"
            if "void" in options and spec.void == VOID_INCLUDE:
                self._void_doc(spec, doc)
                operation = "Void"
            validator = Validator(self.store, realm)
            self._defaults(realm, spec, doc, current.doc)
            if operation == "Update":
                validator.check(spec, doc, current.doc)
            if spec.is_transaction:
                validator.check_period(current.doc, doc)
                self._check_not_deposited(realm, spec, current.id)
                if "allowduplicatedocnum" not in options:
                    validator.check_doc_number(spec.name, doc)
            saved = self._save(realm, spec, doc, current, operation, changes,
                               voided=operation == "Void")
        self._notify(changes)
        return saved

    def delete(self, realm: str, entity: str, payload: dict[str, Any]) -> dict[str, Any]:
        spec = spec_for(entity)
        if not (spec.is_transaction or spec.name == "Attachable"):
            # Name lists have no hard delete: Active=false instead (QBO-API.md §2).
            raise faults.unsupported_operation(
                f"delete on {spec.name} (make it inactive with Active=false)")
        changes: list[Change] = []
        with self.store.write():
            current = self._current(realm, spec, payload)
            if spec.is_transaction:
                Validator(self.store, realm).check_period(current.doc)
                self._check_not_deposited(realm, spec, current.id)
                self._check_no_payments(realm, spec, current.id, "delete")
            now = self.clock.now()
            doc = copy.deepcopy(current.doc)
            doc["MetaData"] = {**doc.get("MetaData", {}), "LastUpdatedTime": intuit_time(now)}
            self.store.put(StoredDoc(realm, spec.name, current.id, current.sync_token + 1,
                                     "Deleted", doc), now)
            self.store.log_change(realm, spec.name, current.id, "Delete", now)
            changes.append(Change(realm, spec.name, current.id, "Delete", now))
            self._relink(realm, spec, current.id, [], changes)
            balances.refresh(self.store, realm, balances.parties(spec.name, current.doc))
        self._notify(changes)
        return {"domain": "QBO", "status": "Deleted", "Id": current.id}

    def void(self, realm: str, entity: str, payload: dict[str, Any]) -> dict[str, Any]:
        """`operation=void`: only Invoice is voided this way (QBO-API.md §2)."""
        spec = spec_for(entity)
        if spec.void != VOID_OPERATION:
            raise faults.unsupported_operation(f"void on {spec.name}")
        changes: list[Change] = []
        with self.store.write():
            current = self._current(realm, spec, payload)
            Validator(self.store, realm).check_period(current.doc)
            self._check_no_payments(realm, spec, current.id, "void")
            doc = copy.deepcopy(current.doc)
            self._void_doc(spec, doc)
            saved = self._save(realm, spec, doc, current, "Void", changes, voided=True)
        self._notify(changes)
        return saved

    # -- helpers ---------------------------------------------------------------------------------
    def _check_names(self, spec: EntitySpec, payload: dict[str, Any]) -> None:
        if self.reject_unknown_fields:
            check_field_names(spec.name, payload)

    def _incoming(self, spec: EntitySpec, payload: dict[str, Any]) -> dict[str, Any]:
        doc: dict[str, Any] = clean(copy.deepcopy(payload))
        for key in (*SERVER_KEYS, *spec.computed):
            if key == "Id" or (key == "TotalAmt" and spec.name in {"Payment", "BillPayment"}):
                continue
            doc.pop(key, None)
        return doc

    def _current(self, realm: str, spec: EntitySpec, payload: dict[str, Any]) -> StoredDoc:
        entity_id = str(payload.get("Id", "")).strip()
        if not entity_id:
            raise faults.required_param("Id")
        token = payload.get("SyncToken")
        if token is None or str(token).strip() == "":
            raise faults.required_param("SyncToken")
        current = self.store.get(realm, spec.name, entity_id)
        if current is None:
            raise faults.object_not_found(spec.name, entity_id)
        if current.status == "Deleted":
            raise faults.deleted_transaction(spec.name, entity_id)
        if str(token).strip() != str(current.sync_token):
            raise faults.stale_object(spec.name)
        return current

    def _defaults(self, realm: str, spec: EntitySpec, doc: dict[str, Any],
                  old: dict[str, Any] | None) -> None:
        today = self.clock.now().astimezone(INTUIT_ZONE).date().isoformat()
        if spec.is_transaction:
            doc.setdefault("TxnDate", (old or {}).get("TxnDate", today))
            doc.setdefault("CurrencyRef", {"value": "USD", "name": "United States Dollar"})
            if spec.name in AUTO_NUMBERED and not doc.get("DocNumber") and old is None:
                doc["DocNumber"] = self.store.next_doc_number(realm, spec.name)
            if spec.name in {"Invoice", "Bill"}:
                doc.setdefault("DueDate", doc["TxnDate"])
        elif spec.name == "Preferences":
            # Intuit always answers with these sections; a full update cannot clear them.
            for key, value in preference_defaults(self._company_name(realm)).items():
                doc.setdefault(key, copy.deepcopy((old or {}).get(key, value)))
        elif spec.kind == NAME:
            doc.setdefault("Active", True)
            if spec.name_field == "DisplayName" and not doc.get("DisplayName"):
                parts = [doc.get(p) for p in ("Title", "GivenName", "MiddleName", "FamilyName",
                                              "Suffix")]
                doc["DisplayName"] = " ".join(str(p) for p in parts if p) or doc.get(
                    "CompanyName", "")
            if spec.name_field == "DisplayName" and doc.get("DisplayName"):
                doc.setdefault("PrintOnCheckName", doc["DisplayName"])
            name = doc.get(spec.name_field)
            if name and "FullyQualifiedName" in spec.computed:
                doc["FullyQualifiedName"] = self._qualified(realm, spec, doc, str(name))
            if spec.name == "Account" and doc.get("AccountType") in ACCOUNT_TYPES:
                doc["Classification"] = ACCOUNT_TYPES[doc["AccountType"]]
                doc["SubAccount"] = bool(doc.get("ParentRef"))
                for key in ("CurrentBalance", "CurrentBalanceWithSubAccounts"):
                    doc[key] = (old or {}).get(key, 0)
            if spec.name in {"Customer", "Vendor"}:
                doc["Balance"] = (old or {}).get("Balance", 0)
            if spec.name == "Customer":
                doc["BalanceWithJobs"] = (old or {}).get("BalanceWithJobs", 0)

    def _qualified(self, realm: str, spec: EntitySpec, doc: dict[str, Any], name: str) -> str:
        parent = (doc.get("ParentRef") or {}).get("value")
        if not parent:
            return name
        found = self.store.get(realm, spec.name, str(parent))
        if found is None:
            raise faults.invalid_reference("ParentRef", str(parent))
        return f"{found.doc.get('FullyQualifiedName') or found.doc.get(spec.name_field)}:{name}"

    def _void_doc(self, spec: EntitySpec, doc: dict[str, Any]) -> None:
        # Voiding keeps the record with zero amounts and a note, as QuickBooks shows it.
        for line in doc.get("Line") or []:
            if "Amount" in line:
                line["Amount"] = 0
            line.pop("LinkedTxn", None)
        if spec.name in {"Payment", "BillPayment"}:
            doc["TotalAmt"] = 0
        if spec.name in ledger.ACCOUNT_MOVES:
            doc["Amount"] = 0
        doc["PrivateNote"] = "Voided"

    def _check_not_deposited(self, realm: str, spec: EntitySpec, entity_id: str) -> None:
        if spec.name in {"Payment", "SalesReceipt"} and any(
            src == "Deposit" for src, _, _ in self.store.links_to(realm, spec.name, entity_id)
        ):
            raise faults.QboFault([faults.FaultError(
                "6540", "Deposited Transaction cannot be changed",
                f"This {spec.name} is linked to a deposit; remove it from the deposit first.")])

    def _check_no_payments(self, realm: str, spec: EntitySpec, entity_id: str, what: str) -> None:
        paid = self.store.links_to(realm, spec.name, entity_id)
        if paid and spec.name not in {"Payment", "SalesReceipt"}:
            src, src_id, _ = paid[0]
            raise faults.business(
                f"You cannot {what} this {spec.name}: {src} {src_id} is applied to it.")

    def _save(self, realm: str, spec: EntitySpec, doc: dict[str, Any], old: StoredDoc | None,
              operation: str, changes: list[Change], *, voided: bool = False,
              relink: bool = True) -> dict[str, Any]:
        now = self.clock.now()
        token = 0 if old is None else old.sync_token + 1
        created = (old.doc.get("MetaData") or {}).get("CreateTime") if old else None
        if spec.name in ledger.SALES and doc.get("Line"):
            doc["Line"] = ledger.with_subtotal(doc["Line"])
        self._number_lines(spec, doc)
        if spec.name in ledger.ACCOUNT_MOVES:
            doc["Amount"] = ledger.total(spec.name, doc)  # a number, however the client sent it
        elif spec.is_transaction:
            total = ledger.total(spec.name, doc)
            if spec.name in {"Payment", "BillPayment"}:
                applied = ledger.links(spec.name, doc)
                doc["TotalAmt"] = total
                if spec.name == "Payment":
                    doc["UnappliedAmt"] = ledger.unapplied(spec.name, total, applied)
            else:
                doc["TotalAmt"] = total
                self._balance(realm, spec, doc, total)
        doc.update({
            "domain": "QBO", "sparse": False, "Id": doc["Id"], "SyncToken": str(token),
            "MetaData": {"CreateTime": created or intuit_time(now),
                         "LastUpdatedTime": intuit_time(now)},
        })
        status = "Voided" if voided or (old is not None and old.status == "Voided") else ""
        self.store.put(StoredDoc(realm, spec.name, doc["Id"], token, status, doc), now)
        self.store.log_change(realm, spec.name, doc["Id"], operation, now)
        changes.append(Change(realm, spec.name, doc["Id"], operation, now))
        if relink and spec.name in ledger.PAYABLE:
            targets = [] if voided else ledger.links(spec.name, doc)
            self._relink(realm, spec, doc["Id"], targets, changes)
        before = old.doc if old is not None else None
        balances.refresh(self.store, realm, balances.parties(spec.name, before, doc))
        return doc

    def _balance(self, realm: str, spec: EntitySpec, doc: dict[str, Any], total: Decimal) -> None:
        applied = sum((a for _, _, a in self.store.links_to(realm, spec.name, doc["Id"])),
                      Decimal(0)) if "Id" in doc else Decimal(0)
        if spec.name in {"Invoice", "Bill", "VendorCredit"}:
            doc["Balance"] = total - applied
        elif spec.name == "CreditMemo":
            doc["RemainingCredit"] = doc["Balance"] = total - applied
        elif spec.name == "SalesReceipt":
            doc["Balance"] = 0

    def _relink(self, realm: str, spec: EntitySpec, entity_id: str, targets: list[ledger.Link],
                changes: list[Change]) -> None:
        """Record what `entity_id` applies and refresh every target it touched, before or now."""
        if spec.name not in ledger.PAYABLE:
            return
        before = set(self.store.links_from(realm, spec.name, entity_id))
        self.store.set_links(realm, spec.name, entity_id,
                             [(t.entity, t.id, t.amount) for t in targets])
        for target_entity, target_id in sorted(before | {(t.entity, t.id) for t in targets}):
            target = self.store.get(realm, target_entity, target_id)
            if target is None or target.status == "Deleted":
                continue
            doc = copy.deepcopy(target.doc)
            sources = self.store.links_to(realm, target_entity, target_id)
            linked = [{"TxnId": src_id, "TxnType": src} for src, src_id, _ in sources]
            if linked:
                doc["LinkedTxn"] = linked
            else:
                doc.pop("LinkedTxn", None)
            self._balance(realm, BY_NAME[target_entity], doc, ledger.total(target_entity, doc))
            self._save(realm, BY_NAME[target_entity], doc, target, "Update", changes,
                       relink=False)

    @staticmethod
    def _number_lines(spec: EntitySpec, doc: dict[str, Any]) -> None:
        if spec.name in {"Payment", "BillPayment"}:
            return
        used = {str(line.get("Id")) for line in doc.get("Line") or [] if line.get("Id")}
        next_id = 1
        for position, line in enumerate(doc.get("Line") or [], start=1):
            if line.get("DetailType") == "SubTotalLineDetail":
                continue
            if not line.get("Id") or (str(line.get("Id")).lstrip("-").isdigit() and int(
                str(line["Id"])
            ) <= 0):
                while str(next_id) in used:
                    next_id += 1
                line["Id"] = str(next_id)
                used.add(line["Id"])
            line["LineNum"] = position

    def _notify(self, changes: list[Change]) -> None:
        for change in changes:
            spec = BY_NAME[change.entity]
            if not spec.webhooks:
                continue
            for listener in self.listeners:
                listener.record_change(change.realm, change.entity, change.id, change.operation,
                                       change.at)
