"""Which open bill a payment out of the bank pays, or which open invoice money in settles: the
same amount as the balance still open, for the payee the line names where it names one.
Pure: no I/O."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from zera.categorize.names import name_key

DAYS = 3  # a payment may be dated a little before the bill it pays


@dataclass(frozen=True)
class OpenItem:
    entity: str  # Bill or Invoice
    id: str
    date: dt.date | None
    balance: Decimal
    payee_id: str
    payee: str
    doc_number: str = ""


def may_be(name: str, other: str) -> bool:
    """The bank's words could be this name: a word in common, or its initials ("PG&E")."""
    mine, theirs = name_key(name), name_key(other)
    if set(mine) & {w for w in theirs if len(w) >= 3}:
        return True
    initials = "".join(w[0] for w in theirs if w not in ("and", "of"))
    return len(initials) >= 2 and "".join(mine) in (initials, initials + "s")


class OpenItems:
    """Open bills and invoices by their open balance; each is matched to one line at most."""

    def __init__(self, items: Iterable[OpenItem]) -> None:
        self._by: dict[tuple[str, Decimal], list[OpenItem]] = defaultdict(list)
        for item in items:
            self._by[(item.entity, item.balance)].append(item)
        self._used: set[tuple[str, str]] = set()

    def find(
        self, entity: str, amount: Decimal, date: dt.date, *, payee_id: str = "", name: str = ""
    ) -> OpenItem | None:
        """The open `entity` of balance `amount` this payment settles: the payee's own (the
        most recent) when the line's payee is known; else the only one of that amount whose
        payee the bank's words could be (any, when the words name no one)."""
        candidates = [
            item
            for item in self._by.get((entity, abs(amount)), ())
            if (entity, item.id) not in self._used
            and (item.date is None or item.date <= date + dt.timedelta(days=DAYS))
        ]
        if payee_id:
            candidates = [item for item in candidates if item.payee_id == payee_id]
        elif name:
            candidates = [item for item in candidates if may_be(name, item.payee)]
        if not candidates or (not payee_id and len(candidates) > 1):
            return None
        found = max(candidates, key=lambda item: item.date or dt.date.min)
        self._used.add((entity, found.id))
        return found
