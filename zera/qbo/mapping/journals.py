"""Money moved in the books or between the client's own accounts: JournalEntry, Deposit,
Transfer and CreditCardPayment."""

from __future__ import annotations

from typing import Any

from zera.qbo.mapping.common import NameIds, outgoing


def journal_entry(payload: dict[str, Any], names: NameIds) -> dict[str, Any]:
    return outgoing(payload, names)


def deposit(payload: dict[str, Any], names: NameIds) -> dict[str, Any]:
    """A DepositLineDetail's Entity is Intuit's flat {value, type} (QBO-API.md §8)."""
    return outgoing(payload, names)


def between_accounts(payload: dict[str, Any], names: NameIds) -> dict[str, Any]:
    """Transfer (FromAccountRef, ToAccountRef, Amount) and CreditCardPayment
    (CreditCardAccountRef, BankAccountRef, Amount): no lines, no names."""
    return outgoing(payload, names)
