"""Open balances of customers and vendors, kept current as their transactions change.

Customer.Balance = open invoices - unused credit memos - unapplied payments; Vendor.Balance =
open bills - unused vendor credits - unapplied bill payments. The seed's balances follow the same
rule, so a write leaves them consistent. Like a balance shown in QuickBooks, this changes neither
the name's SyncToken nor its LastUpdatedTime (Intuit's behaviour here is not documented).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from zera.sandbox import jsonio, ledger
from zera.sandbox.clock import parse_time
from zera.sandbox.store import SandboxStore, StoredDoc

# party entity -> (party reference field, [(entity, amount expression, sign)])
RULES: dict[str, tuple[str, tuple[tuple[str, str, int], ...]]] = {
    "Customer": ("CustomerRef", (("Invoice", "$.Balance", 1), ("CreditMemo", "$.Balance", -1),
                                 ("Payment", "$.UnappliedAmt", -1))),
    "Vendor": ("VendorRef", (("Bill", "$.Balance", 1), ("VendorCredit", "$.Balance", -1),
                             ("BillPayment", "$.TotalAmt", -1))),
}
PARTY_OF: dict[str, str] = {entity: party for party, (_, rules) in RULES.items()
                            for entity, _, _ in rules}


def parties(entity: str, *docs: dict[str, Any] | None) -> set[tuple[str, str]]:
    """The (party entity, Id) pairs whose balance a write of `entity` may change."""
    party = PARTY_OF.get(entity)
    if party is None:
        return set()
    field = RULES[party][0]
    return {(party, str((d.get(field) or {}).get("value"))) for d in docs
            if d and (d.get(field) or {}).get("value")}


def _open_amount(store: SandboxStore, realm: str, party: str, party_id: str) -> Decimal:
    field, rules = RULES[party]
    total = Decimal(0)
    for entity, expression, sign in rules:
        rows = store.query(
            f"SELECT CAST(json_extract(doc, '{expression}') AS TEXT) AS amount, "  # noqa: S608
            "doc FROM documents WHERE realm = ? AND entity = ? AND status != 'Deleted' "
            f"AND json_extract(doc, '$.{field}.value') = ?",
            (realm, entity, party_id),
        )
        for row in rows:
            if entity == "BillPayment":
                # Only the part no line applies is a credit with the vendor.
                doc = jsonio.loads(row["doc"])
                amount = ledger.unapplied("BillPayment", ledger.total("BillPayment", doc),
                                          ledger.links("BillPayment", doc))
            else:
                amount = Decimal(row["amount"] or "0")
            total += sign * amount
    return total


def refresh(store: SandboxStore, realm: str, affected: set[tuple[str, str]]) -> None:
    """Recompute each affected party's Balance (and BalanceWithJobs up its parent chain)."""
    for party, party_id in sorted(affected):
        current = store.get(realm, party, party_id)
        if current is None:
            continue
        balance = _open_amount(store, realm, party, party_id)
        old = Decimal(str(current.doc.get("Balance", 0)))
        if balance == old:
            continue
        delta = balance - old
        doc = dict(current.doc)
        doc["Balance"] = balance
        _put(store, current, doc)
        if party == "Customer":
            _bump_with_jobs(store, realm, current, delta)


def _bump_with_jobs(store: SandboxStore, realm: str, customer: StoredDoc,
                    delta: Decimal) -> None:
    seen: set[str] = set()
    node: StoredDoc | None = store.get(realm, "Customer", customer.id)
    while node is not None and node.id not in seen:
        seen.add(node.id)
        doc = dict(node.doc)
        doc["BalanceWithJobs"] = Decimal(str(doc.get("BalanceWithJobs", 0))) + delta
        _put(store, node, doc)
        parent = (doc.get("ParentRef") or {}).get("value")
        node = store.get(realm, "Customer", str(parent)) if parent else None


def _put(store: SandboxStore, stored: StoredDoc, doc: dict[str, Any]) -> None:
    when = parse_time(doc["MetaData"]["LastUpdatedTime"])
    store.put(StoredDoc(stored.realm, stored.entity, stored.id, stored.sync_token, stored.status,
                        doc), when)
