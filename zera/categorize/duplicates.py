"""Likely duplicates: two transactions that move the same amount through the same account
within a few days, for the same payee where both name one. Pure: no I/O.

A transaction "touches" accounts: a purchase touches its bank or card account with its signed
amount; a transfer touches both of its accounts, with opposite signs. Two transactions are the
same when they touch one account with the same signed amount, so the transfer read from the
checking statement and the one read from the savings statement are recognised as one."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

DAYS = 3


@dataclass(frozen=True)
class Seen:
    """A transaction already known (in QuickBooks, or a record), or one being proposed."""

    touches: Mapping[str, Decimal]  # account key -> signed amount as that account saw it
    date: dt.date | None
    payee_id: str = ""  # a QuickBooks name's Id, when known
    payee: str = ""  # a name key (zera.categorize.names.name_key) joined, when known
    label: str = ""  # how a flag names it
    ref: object = field(default=None, compare=False)  # what the caller keeps for it


def same_payee(a: Seen, b: Seen) -> bool:
    """Equal where both sides know the payee; unknown on either side does not count against."""
    if a.payee_id and b.payee_id:
        return a.payee_id == b.payee_id
    if a.payee and b.payee:
        return a.payee == b.payee
    return True


class DuplicateIndex:
    """Known transactions by (account, signed amount), to look a proposal up in."""

    def __init__(self, known: Iterable[Seen], *, days: int = DAYS) -> None:
        self.days = days
        self._by: dict[tuple[str, Decimal], list[Seen]] = defaultdict(list)
        for item in known:
            self.add(item)

    def add(self, item: Seen) -> None:
        if item.date is None:
            return
        for account, amount in item.touches.items():
            self._by[(account, amount)].append(item)

    def find(self, item: Seen) -> Seen | None:
        """The closest-dated known transaction `item` likely duplicates, if any."""
        if item.date is None:
            return None
        best: tuple[int, Seen] | None = None
        for account, amount in item.touches.items():
            for known in self._by.get((account, amount), ()):
                assert known.date is not None
                gap = abs((known.date - item.date).days)
                if gap <= self.days and same_payee(item, known) and (
                    best is None or gap < best[0]
                ):
                    best = (gap, known)
        return best[1] if best else None
