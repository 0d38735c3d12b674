"""A push of 1,000 records with Intuit's limits on: paced by the per-item meter, never failing
on 429s, every record and name written once. Not re-run on PostgreSQL and Redis in CI: what it
proves is the pacing (two minutes under Intuit's 500 calls a minute), not the database."""

from __future__ import annotations

from tests.qbo.conftest import app_of
from tests.review.conftest import Books
from tests.review.test_push_faults import (
    approved,
    assert_each_once,
    purchase,
    push_all,
    unmetered,
)


async def test_a_thousand_records_are_each_written_once_within_intuits_limits(
    books: Books,
) -> None:
    """Given 1,000 records naming five new vendors, with Intuit's limits on (500 requests a
    minute, each batch item metered as one), when they are pushed, then the push paces itself
    instead of failing on 429s, the vendors are created once, and every record is written
    once."""
    payees = [f"Thousand Payee {n}" for n in range(5)]
    items = [purchase(n, payees[n % 5], day=f"2026-03-{1 + n % 20:02d}") for n in range(1000)]
    stored = await approved(books, items)

    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        outcomes = await push_all(qbo, books)

    assert outcomes == {"created": 1000}
    await assert_each_once(books, stored)
    async with unmetered(books) as qbo:
        for payee in payees:
            found = await qbo.query(
                f"SELECT * FROM Vendor WHERE DisplayName = '{payee}' AND Active IN (true, false)"  # noqa: S608
            )
            assert len(found["Vendor"]) == 1, payee
