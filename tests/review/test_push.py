"""Push: approved records of all 14 types written to the built-in sandbox (over HTTP) as native
records, names created once, live checks before any write, exactly once across an interruption."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.qbo.conftest import app_of
from tests.review.conftest import Books
from tests.review.test_records_cli import every_type
from zera.accounts.audit import Actor
from zera.clients import client_by_reference
from zera.review import records
from zera.sync.push import push

pytestmark = [pytest.mark.db, pytest.mark.queue]
ACTOR = Actor(user_id=None, email="olive@example.com")


async def _approved(books: Books, items: list[dict[str, Any]]) -> list[records.RecordView]:
    client = await client_by_reference(str(books.client_id))
    drafts = [records.Draft(item["type"], item["record"]) for item in items]
    return await records.create_records(ACTOR, client, drafts, approve=True)


async def test_every_type_is_written_once_and_keeps_quickbooks_answer(books: Books) -> None:
    items = await every_type(books)
    fuel = {"Amount": "12.00", "DetailType": "AccountBasedExpenseLineDetail",
            "AccountBasedExpenseLineDetail": {"AccountRef": {"name": "Fuel"}}}  # fmt: skip
    for n, spelling in enumerate(("Fresh Sod Farms", "FRESH SOD FARMS", "fresh  sod farms")):
        items.append({"type": "Purchase", "record": {
            "PaymentType": "Cash", "AccountRef": {"name": "Business Checking"},
            "EntityRef": {"name": spelling, "type": "Vendor"}, "TxnDate": f"2026-03-0{n + 4}",
            "Line": [fuel]}})  # fmt: skip
    stored = await _approved(books, items)
    client = await client_by_reference(str(books.client_id))
    quickbooks = app_of(books.http).state.quickbooks
    async with quickbooks.client_for(books.client_id) as qbo:
        outcomes = await push(qbo, client, ACTOR)
        assert [o.outcome for o in outcomes] == ["created"] * len(stored), outcomes
        for record in stored:
            after = await records.get_record(client, record.id)
            assert after.status == records.IN_QUICKBOOKS
            assert after.qbo_id and after.sync_token is not None
            remote = await qbo.read(record.entity, after.qbo_id)
            assert f"[zera {record.id}]" in remote["PrivateNote"]
        vendors = (await qbo.query("SELECT * FROM Vendor WHERE DisplayName = 'Fresh Sod Farms'"))
        assert len(vendors["Vendor"]) == 1
        again = await push(qbo, client, ACTOR)
        assert again == []


async def test_the_push_job_runs_on_the_worker_with_its_progress(books: Books) -> None:
    """`push_records`, the job the Push button and `zera push` start, through the real queue."""
    from tests.qbo.conftest import wait_for_jobs
    from zera.db.tables import Job
    from zera.tasks.qbo import push_records

    items = (await every_type(books))[:3]
    stored = await _approved(books, items)
    client = await client_by_reference(str(books.client_id))
    job_id = await push_records.send(
        app_of(books.http).state.queue, client_id=books.client_id, started_by="olive@example.com"
    )
    await wait_for_jobs(books.client_id)
    job = await Job.select().where(Job.id == job_id).first().run()
    assert job is not None and (job["state"], job["progress"]) == ("done", 100)
    for record in stored:
        after = await records.get_record(client, record.id)
        assert (after.status, bool(after.qbo_id)) == (records.IN_QUICKBOOKS, True)


def _cash(account: str, day: str, **extra: Any) -> dict[str, Any]:
    kind = "AccountBasedExpenseLineDetail"
    return {"type": "Purchase", "record": {
        "PaymentType": "Cash", "AccountRef": {"name": "Business Checking"}, "TxnDate": day,
        "Line": [{"Amount": "25.00", "DetailType": kind, kind: {"AccountRef": {"name": account}}}],
        **extra}}  # fmt: skip


async def test_live_checks_block_what_quickbooks_would_refuse_and_a_dry_run_writes_nothing(
    books: Books,
) -> None:
    client = await client_by_reference(str(books.client_id))
    quickbooks = app_of(books.http).state.quickbooks
    stored = await _approved(books, [
        _cash("Fuel", "2026-03-10"),
        _cash("Shop Supplies", "2026-03-11"),
        _cash("Fuel", "2025-12-30"),
        _cash("Fuel", "2026-03-12", CurrencyRef={"value": "EUR"}),
        _cash("Fuel", "2026-03-13", TxnTaxDetail={"TotalTax": "1.00"}),
    ])  # fmt: skip
    ok, inactive, closed, euro, taxed = (r.id for r in stored)
    async with quickbooks.client_for(books.client_id) as qbo:
        supplies = (await qbo.query("SELECT * FROM Account WHERE Name = 'Shop Supplies'"))
        account = supplies["Account"][0]
        await qbo.update("Account", {"Id": account["Id"], "SyncToken": account["SyncToken"],
                                     "Name": account["Name"], "Active": False},
                         operation="test:deactivate", sparse=True)  # fmt: skip
        prefs = await qbo.preferences()
        await qbo.update("Preferences", {"Id": prefs["Id"], "SyncToken": prefs["SyncToken"],
                                         "AccountingInfoPrefs": {"BookCloseDate": "2025-12-31"}},
                         operation="test:close-books", sparse=True)  # fmt: skip
        before = (await qbo.query("SELECT COUNT(*) FROM Purchase"))["totalCount"]
        plan = {o.id: o for o in await push(qbo, client, ACTOR, dry_run=True)}
        assert (await qbo.query("SELECT COUNT(*) FROM Purchase"))["totalCount"] == before
        statuses = {(await records.get_record(client, r.id)).status for r in stored}
        assert statuses == {"approved"}
        assert plan[ok].outcome == "will create"
        assert plan[inactive].outcome == "blocked"
        assert "'Shop Supplies' was made inactive" in plan[inactive].message
        today = dt.datetime.now(dt.UTC).date()  # the sandbox dates the change (allow a day's skew)
        days = [today + dt.timedelta(days=d) for d in (-1, 0, 1)]
        said = plan[inactive].message
        assert any(f"QuickBooks on {day}: choose another" in said for day in days), said
        assert plan[closed].outcome == "blocked"
        assert "closing date 2025-12-31" in plan[closed].message
        assert plan[euro].outcome == "blocked" and "EUR" in plan[euro].message
        assert plan[taxed].outcome == "will create"
        assert "automated sales tax" in plan[taxed].message
        done = {o.id: o for o in await push(qbo, client, ACTOR)}
        assert {i: done[i].outcome for i in (ok, inactive, closed, euro, taxed)} == {
            ok: "created", inactive: "blocked", closed: "blocked", euro: "blocked",
            taxed: "created"}  # fmt: skip
        assert (await qbo.query("SELECT COUNT(*) FROM Purchase"))["totalCount"] == before + 2


async def test_a_new_name_quickbooks_already_has_inactive_is_found_not_failed(books: Books) -> None:
    """Intuit's 6240 (the name exists, here made inactive since the record was approved) is
    resolved by finding that name and making it active again."""
    item = _cash("Fuel", "2026-03-14", EntityRef={"name": "Zeta Mowing Co", "type": "Vendor"})
    (stored,) = await _approved(books, [item])
    client = await client_by_reference(str(books.client_id))
    quickbooks = app_of(books.http).state.quickbooks
    assert stored.payload["EntityRef"] == {"name": "Zeta Mowing Co", "type": "Vendor"}
    async with quickbooks.client_for(books.client_id) as qbo:
        vendor = await qbo.create("Vendor", {"DisplayName": "Zeta Mowing Co"}, operation="t:v")
        await qbo.update("Vendor", {"Id": vendor["Id"], "SyncToken": vendor["SyncToken"],
                                    "DisplayName": "Zeta Mowing Co", "Active": False},
                         operation="t:off", sparse=True)  # fmt: skip
        (outcome,) = await push(qbo, client, ACTOR)
        assert outcome.outcome == "created", outcome
        purchase = await qbo.read("Purchase", str(outcome.qbo_id))
        assert purchase["EntityRef"]["value"] == vendor["Id"]
        assert (await qbo.read("Vendor", vendor["Id"]))["Active"] is True
