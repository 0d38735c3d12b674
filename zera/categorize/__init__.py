"""Categorize: what a statement line is, read from its words and the client's own books.

- `names`: payee names read from bank text and matched to the company's own;
- `suggest`: the `Suggester` interface and the payee-history suggester (ranked accounts, a
  confidence and an explanation);
- `transfers` and `movements`: money moved between the client's own accounts;
- `open_items`: the open bill or invoice a payment settles;
- `duplicates`: likely copies of a transaction already known.

Pure: knows nothing of HTTP, the database or the QuickBooks transport; callers hand it names,
accounts and history rows."""

from zera.categorize.names import NameIndex, name_key, payee_name, title_case
from zera.categorize.suggest import Booking, PayeeHistory, Ranked, Suggester, Suggestions, Txn

__all__ = [
    "Booking",
    "NameIndex",
    "PayeeHistory",
    "Ranked",
    "Suggester",
    "Suggestions",
    "Txn",
    "name_key",
    "payee_name",
    "title_case",
]
