"""After a push: each source statement attached once in QuickBooks and linked to every record
read from it; and a push undone, its transactions deleted (or, in a closed period, reversed by a
journal entry), its new names made inactive, its records approved again. Over HTTP against the
built-in sandbox, from statements uploaded and read as a user's would be."""

from __future__ import annotations

from typing import Any

import pytest

from tests.extract.corpus import TrueTx
from tests.qbo.conftest import app_of
from tests.review.conftest import Books
from tests.review.test_proposals import ACTOR, D, account_id, client_of, day, statement
from tests.review.test_proposals import upload_statement as read_statement
from zera.accounts.audit import recent
from zera.db.tables import Document, PushedName, PushRun
from zera.qbo import ObjectNotFound, QBOClient
from zera.review.proposals import remember_statement_account
from zera.review.records import (
    APPROVED,
    IN_QUICKBOOKS,
    RecordView,
    edit_record,
    get_record,
    list_records,
    set_status_many,
)
from zera.sync.attachments import attach_sources
from zera.sync.push import push
from zera.sync.undo import (
    DELETED,
    INACTIVE,
    JOURNAL_CREATED,
    JOURNAL_PROPOSED,
    LEFT,
    UNLINKED,
    UndoStep,
    undo_push,
)

pytestmark = pytest.mark.db

# Savings is asked for (no QuickBooks account ends 4321); checking is matched by its digits.
SAVINGS_LINES = [
    TrueTx(day(1), "BLUE HERON NURSERY 4411", D("-64.99")),  # a vendor QuickBooks lacks
    TrueTx(day(5), "HOME DEPOT #6621 CONF# 77A1", D("-182.40")),
    TrueTx(day(9), "MOBILE DEPOSIT", D("900.00")),
]
CHECKING_LINES = [TrueTx(day(3), "SHELL OIL 57444", D("-48.10"))]


async def _statement_records(
    books: Books, name: str, last4: str, lines: list[TrueTx], *, approve: int | None = None
) -> list[RecordView]:
    """Upload a statement, answer its account question if asked, approve its first `approve`
    records (every one by default)."""
    records = await read_statement(books, name, statement(last4, lines))
    client = await client_of(books)
    if any(f.kind == "account" for r in records for f in r.flags):
        savings = await account_id(books, "Business Savings")
        await remember_statement_account(ACTOR, client, f"bank:{last4}", savings)
    category = {"Deposit": await account_id(books, "Design Income"),
                "Purchase": await account_id(books, "Shop Supplies")}  # fmt: skip
    for record in await list_records(client, document_id=records[0].document_id):
        line = record.payload["Line"][0]
        if not line[line["DetailType"]].get("AccountRef"):  # no suggestion: categorized here
            line[line["DetailType"]]["AccountRef"] = {"value": category[record.entity]}
            await edit_record(ACTOR, client, record.id, record.version, record.payload)
    chosen = records[:approve] if approve is not None else records
    approved = await set_status_many(ACTOR, client, APPROVED, ids=[r.id for r in chosen])
    assert approved.skipped == [] and approved.changed == len(chosen), approved
    return [await get_record(client, r.id) for r in records]


async def _pushed(books: Books, qbo: QBOClient) -> int:
    """Push every approved record; return the push run's id."""
    outcomes = await push(qbo, await client_of(books), ACTOR)
    assert {o.outcome for o in outcomes} == {"created"}, outcomes
    run = await PushRun.select(PushRun.id).order_by(PushRun.id, ascending=False).first().run()
    assert run is not None
    return int(run["id"])


async def _attachables(qbo: QBOClient, record: RecordView) -> list[dict[str, Any]]:
    answer = await qbo.query(
        "select * from Attachable where AttachableRef.EntityRef.Type = "  # noqa: S608 (ours)
        f"'{record.entity}' and AttachableRef.EntityRef.value = '{record.qbo_id}'"
    )
    return list(answer.get("Attachable") or [])


async def _gone(qbo: QBOClient, entity: str, qbo_id: str) -> bool:
    try:
        await qbo.read(entity, qbo_id)
    except ObjectNotFound:
        return True
    return False


async def _size(record: RecordView) -> int:
    row = (
        await Document.select(Document.size).where(Document.id == record.document_id).first().run()
    )
    assert row is not None
    return int(row["size"])


def _by_record(steps: list[UndoStep]) -> dict[int, UndoStep]:
    return {s.record_id: s for s in steps if s.record_id is not None}


async def test_each_source_document_is_attached_once_and_linked_to_every_record_it_produced(
    books: Books,
) -> None:
    """Given two statements read and approved, when they are pushed (the push attaches its
    sources), then each statement is one Attachable (its PDF, name and type) linked to every
    transaction read from it; attaching again uploads nothing."""
    savings = await _statement_records(books, "savings.pdf", "4321", SAVINGS_LINES)
    checking = await _statement_records(books, "checking.pdf", "1000", CHECKING_LINES)
    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        before = (await qbo.query("SELECT COUNT(*) FROM Attachable")).get("totalCount", 0)
        await _pushed(books, qbo)
        ids = [r.id for r in savings + checking]

        client = await client_of(books)
        for records, name in ((savings, "savings.pdf"), (checking, "checking.pdf")):
            found = [await _attachables(qbo, await get_record(client, r.id)) for r in records]
            assert all(len(one) == 1 for one in found), found
            assert len({one[0]["Id"] for one in found}) == 1
            attachable = found[0][0]
            assert (attachable["FileName"], attachable["ContentType"]) == (name, "application/pdf")
            assert attachable["Size"] == await _size(records[0])
            assert len(attachable["AttachableRef"]) == len(records)
        assert (await qbo.query("SELECT COUNT(*) FROM Attachable"))["totalCount"] == before + 2

        assert await attach_sources(qbo, books.client_id, ids) == 0
        assert (await qbo.query("SELECT COUNT(*) FROM Attachable"))["totalCount"] == before + 2


async def test_a_document_pushed_twice_stays_one_attachable_and_undo_unlinks_only_its_run(
    books: Books,
) -> None:
    """Given a statement whose records were pushed in two runs, when each run's sources are
    attached, then the second run links its transaction to the Attachable the first uploaded;
    undoing the second run unlinks only that one and keeps the Attachable."""
    records = await _statement_records(books, "savings.pdf", "4321", SAVINGS_LINES, approve=2)
    client = await client_of(books)
    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        await _pushed(books, qbo)  # attaches the statement to its two records
        assert await attach_sources(qbo, books.client_id, [r.id for r in records[:2]]) == 0
        [first] = await _attachables(qbo, await get_record(client, records[0].id))
        assert len((await qbo.read("Attachable", first["Id"]))["AttachableRef"]) == 2
        count = (await qbo.query("SELECT COUNT(*) FROM Attachable"))["totalCount"]
        await set_status_many(ACTOR, client, APPROVED, ids=[records[2].id])
        second_run = await _pushed(books, qbo)  # links its record to the same Attachable

        assert await attach_sources(qbo, books.client_id, [records[2].id]) == 0

        late = await get_record(client, records[2].id)
        assert [a["Id"] for a in await _attachables(qbo, late)] == [first["Id"]]
        assert len((await qbo.read("Attachable", first["Id"]))["AttachableRef"]) == 3
        assert (await qbo.query("SELECT COUNT(*) FROM Attachable"))["totalCount"] == count

        steps = await undo_push(qbo, client, ACTOR, second_run)

        assert [(s.record_id, s.action) for s in steps if s.record_id] == [(late.id, DELETED)]
        assert [s.action for s in steps if s.type == "Attachable"] == [UNLINKED]
        kept = await qbo.read("Attachable", first["Id"])
        linked = {ref["EntityRef"]["value"] for ref in kept["AttachableRef"]}
        earlier = [await get_record(client, r.id) for r in records[:2]]
        assert linked == {r.qbo_id for r in earlier}
        assert all(r.status == IN_QUICKBOOKS for r in earlier)


async def test_undo_deletes_what_the_push_created_and_makes_its_new_names_inactive(
    books: Books,
) -> None:
    """Given a statement pushed (a new vendor created for it) and attached, when the push is
    undone, then QuickBooks no longer has its transactions, its Attachable or an active new
    vendor, the records are approved again without a QuickBooks Id, every step is audited; and
    pushing again creates them anew with the vendor active again."""
    records = await _statement_records(books, "savings.pdf", "4321", SAVINGS_LINES)
    client = await client_of(books)
    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        run_id = await _pushed(books, qbo)
        pushed = [await get_record(client, r.id) for r in records]
        await attach_sources(qbo, books.client_id, [r.id for r in pushed])
        [attachable] = await _attachables(qbo, pushed[0])
        names = await PushedName.select().where(PushedName.push_run_id == run_id).run()
        created = [n for n in names if n["created"]]
        assert created, names  # the push created at least one vendor

        steps = await undo_push(qbo, client, ACTOR, run_id)

        by_record = _by_record(steps)
        assert {by_record[r.id].action for r in pushed} == {DELETED}, steps
        for record in pushed:
            assert await _gone(qbo, record.entity, str(record.qbo_id))
            after = await get_record(client, record.id)
            assert (after.status, after.qbo_id, after.sync_token) == (APPROVED, None, None)
        assert await _gone(qbo, "Attachable", attachable["Id"])
        assert [s.action for s in steps if s.type == "Attachable"] == [DELETED]
        for name in created:
            vendor = await qbo.read(name["entity"], name["qbo_id"])
            assert vendor["Active"] is False
        assert [s.action for s in steps if s.type == "Vendor"] == [INACTIVE] * len(created)
        assert await PushedName.count().where(PushedName.push_run_id == run_id).run() == len(
            names
        ) - len(created)
        audited = [e for e in await recent() if e.action == "undo push"]
        assert len(audited) == len(steps)

        again = await push(qbo, client, ACTOR)
        assert {o.outcome for o in again} == {"created"} and len(again) == len(records), again
        for name in created:
            assert (await qbo.read(name["entity"], name["qbo_id"]))["Active"] is True


async def test_a_record_in_a_closed_period_is_left_and_reversed_by_a_journal_entry_when_asked(
    books: Books,
) -> None:
    """Given a pushed statement whose first transaction the books have since closed, when the
    push is undone, then that one is not deleted: a reversing journal entry is proposed (and the
    vendor it names stays active), and created when asked, once; the others are deleted."""
    records = await _statement_records(books, "savings.pdf", "4321", SAVINGS_LINES)
    client = await client_of(books)
    nursery = records[0]
    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        run_id = await _pushed(books, qbo)
        closed = await get_record(client, nursery.id)
        prefs = await qbo.preferences()
        closing = {"BookCloseDate": day(2).isoformat()}
        await qbo.update("Preferences", {"Id": prefs["Id"], "SyncToken": prefs["SyncToken"],
                                         "AccountingInfoPrefs": closing},
                         operation="test:close-books", sparse=True)  # fmt: skip
        journals = (await qbo.query("SELECT COUNT(*) FROM JournalEntry")).get("totalCount", 0)

        proposed = await undo_push(qbo, client, ACTOR, run_id)

        step = _by_record(proposed)[nursery.id]
        assert step.action == JOURNAL_PROPOSED and "(6210)" in step.message, step
        assert step.journal is not None
        lines = [(line["JournalEntryLineDetail"]["PostingType"],
                  line["JournalEntryLineDetail"]["AccountRef"]["value"], line["Amount"])
                 for line in step.journal["Line"]]  # fmt: skip
        savings = await account_id(books, "Business Savings")
        expense = closed.payload["Line"][0]["AccountBasedExpenseLineDetail"]["AccountRef"]["value"]
        assert sorted(lines) == [("Credit", expense, D("64.99")), ("Debit", savings, D("64.99"))]
        assert {s.action for s in proposed if s.record_id not in (None, nursery.id)} == {DELETED}
        assert not await _gone(qbo, "Purchase", str(closed.qbo_id))
        assert (await get_record(client, nursery.id)).status == IN_QUICKBOOKS
        vendor_steps = [s for s in proposed if s.type == "Vendor"]
        assert any(s.action == LEFT and f"Purchase {closed.qbo_id}" in s.message
                   for s in vendor_steps), vendor_steps  # fmt: skip
        assert (await qbo.query("SELECT COUNT(*) FROM JournalEntry"))["totalCount"] == journals

        reversed_ = await undo_push(qbo, client, ACTOR, run_id, reverse_with_journal=True)

        [step] = [s for s in reversed_ if s.record_id is not None]
        assert step.action == JOURNAL_CREATED and step.journal is not None, reversed_
        journal = await qbo.read("JournalEntry", step.journal["Id"])
        assert journal["TxnDate"] > day(2).isoformat()
        assert D(str(journal["TotalAmt"])) == D("64.99")
        after = await get_record(client, nursery.id)
        assert after.status == IN_QUICKBOOKS and after.qbo_id == closed.qbo_id
        assert [f.kind for f in after.flags] == ["reversed"]

        once_more = await undo_push(qbo, client, ACTOR, run_id, reverse_with_journal=True)

        assert [s.action for s in once_more if s.record_id is not None] == [LEFT]
        assert (await qbo.query("SELECT COUNT(*) FROM JournalEntry"))["totalCount"] == journals + 1
