"""The seed generator's working state: ids, records, references, money and the general ledger.

Everything random comes from one `random.Random(seed)` and every date from `today`, so the same
inputs give byte-identical companies. Money is Decimal cents throughout.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

__all__ = ["CENT", "ENTITY_ORDER", "ZERO", "Book", "Record", "cents"]

Record = dict[str, Any]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# Dependency order: everything a record refers to comes before it.
ENTITY_ORDER: tuple[str, ...] = (
    "CompanyInfo", "Account", "TaxRate", "TaxCode", "Term", "PaymentMethod",
    "Class", "Department", "Vendor", "Customer", "Employee", "Item", "Preferences",
    "Estimate", "Invoice", "CreditMemo", "SalesReceipt", "Payment", "Deposit",
    "PurchaseOrder", "Bill", "VendorCredit", "BillPayment", "Purchase", "JournalEntry",
)  # fmt: skip

# Intuit stamps MetaData in Pacific time with the offset written out.
_PACIFIC = ZoneInfo("America/Los_Angeles")


def cents(amount: int) -> Decimal:
    return (Decimal(amount) / 100).quantize(CENT)


class Book:
    """Collects records per entity type and keeps the ledger they post to."""

    def __init__(self, seed: int, today: date, months: int) -> None:
        # Determinism, not secrecy: the same seed must give the same company.
        self.rng = random.Random(seed)  # noqa: S311
        self.today = today
        self.start = _months_before(today, months) + timedelta(days=1)
        self.records: dict[str, list[Record]] = {name: [] for name in ENTITY_ORDER}
        self._by_id: dict[str, dict[str, Record]] = defaultdict(dict)
        self.keyed: dict[str, dict[str, Record]] = defaultdict(dict)  # entity -> catalog key
        self.customer_tax_code: dict[str, Record] = {}
        self._doc_numbers: dict[str, set[str]] = defaultdict(set)
        # Debit-positive balance per Account Id; credits are negative.
        self.ledger: dict[str, Decimal] = defaultdict(lambda: ZERO)

    # records -------------------------------------------------------------------------------

    def add(self, entity: str, payload: Record, on: date, key: str | None = None) -> Record:
        """Give `payload` the next Id for its type and Intuit's server fields, and keep it."""
        records = self.records[entity]
        record: Record = {"Id": str(len(records) + 1), "SyncToken": "0", "domain": "QBO",
                          "sparse": False, **payload}  # fmt: skip
        stamp = self.stamp(on)
        record["MetaData"] = {"CreateTime": stamp, "LastUpdatedTime": stamp}
        records.append(record)
        self._by_id[entity][record["Id"]] = record
        if key is not None:
            self.keyed[entity][key] = record
        return record

    def touch(self, record: Record, on: date) -> None:
        """A later change (a payment applied, an estimate closed) moves LastUpdatedTime."""
        record["MetaData"]["LastUpdatedTime"] = self.stamp(on)

    def get(self, entity: str, record_id: str) -> Record:
        return self._by_id[entity][record_id]

    def by_key(self, entity: str, key: str) -> Record:
        return self.keyed[entity][key]

    def account(self, key: str) -> Record:
        return self.keyed["Account"][key]

    def stamp(self, on: date) -> str:
        moment = datetime.combine(on, time(7, 0), _PACIFIC) + timedelta(
            seconds=self.rng.randrange(11 * 3600)
        )
        return moment.isoformat(timespec="seconds")

    @staticmethod
    def ref(record: Record, name_field: str = "Name") -> dict[str, str]:
        """An Intuit ReferenceType: {"value": Id, "name": display name}."""
        name = record.get(name_field) or record.get("DisplayName") or record.get("Name")
        return {"value": record["Id"], "name": str(name)}

    # money and chance ----------------------------------------------------------------------

    def money(self, low: int, high: int) -> Decimal:
        """A random amount between two whole-dollar bounds, to the cent."""
        return cents(self.rng.randint(low * 100, high * 100))

    def doc_number(self, entity: str, prefix: str, low: int, high: int) -> str:
        """A random document number not used before by this entity type.

        The seeded company asks for unique numbers (CustomTxnNumbers), so a later update of a
        seeded record must not trip Intuit's duplicate-number check (6140).
        """
        used = self._doc_numbers[entity]
        while True:
            number = f"{prefix}{self.rng.randint(low, high)}"
            if number not in used:
                used.add(number)
                return number

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def days(self) -> list[date]:
        span = (self.today - self.start).days
        return [self.start + timedelta(days=offset) for offset in range(span + 1)]

    # ledger --------------------------------------------------------------------------------

    def post(self, account: Record, debit: Decimal) -> None:
        """Post to the ledger: a positive amount is a debit, a negative one a credit."""
        self.ledger[account["Id"]] += debit


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable: every month has a 28th")
