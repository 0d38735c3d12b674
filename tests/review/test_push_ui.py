"""The Push page: the plan of a push (will create by type, likely duplicates, blocked and why)
made against a connected sandbox company as it is now, the button that starts the push job
with its progress bar, and what the push did once it is done (failed records with the reason
QuickBooks gave). Access and CSRF as on every client page."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html import unescape
from typing import Any

import httpx
import pytest

from tests.conftest import csrf_token, post_form, sign_in
from tests.qbo.conftest import add_client, app_of, wait_for_jobs
from tests.review.conftest import Books
from tests.review.test_records_cli import open_transaction
from zera.accounts.audit import Actor
from zera.clients import ClientSummary, client_by_reference
from zera.db.tables import User
from zera.review import records
from zera.review.records import Flag
from zera.sync.lists import reference_lists

pytestmark = [pytest.mark.db, pytest.mark.queue]

OLIVE = Actor(user_id=None, email="olive@example.com")
BASE = "http://testserver"
HX = {"HX-Request": "true"}
PUSH_JOB = "Push approved records to QuickBooks"
STAFF = {"name": "Sam Staff", "email": "sam@example.com", "password": "staff password 123"}


def text_of(response: httpx.Response) -> str:
    """The page as words: markup dropped, one space between them."""
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text)))


def expense_line(account: str, amount: str) -> dict[str, Any]:
    detail = "AccountBasedExpenseLineDetail"
    return {"Amount": amount, "DetailType": detail, detail: {"AccountRef": {"name": account}}}


def expense(account: str, amount: str, doc: str, vendor: str) -> dict[str, Any]:
    return {"type": "Purchase", "record": {
        "PaymentType": "Check", "AccountRef": {"name": "Business Checking"}, "DocNumber": doc,
        "EntityRef": {"name": vendor, "type": "Vendor"}, "TxnDate": "2026-03-05",
        "Line": [expense_line(account, amount)]}}  # fmt: skip


async def client_of(books: Books) -> ClientSummary:
    return await client_by_reference(str(books.client_id))


async def approve(books: Books, items: list[dict[str, Any]]) -> list[records.RecordView]:
    drafts = [records.Draft(item["type"], item["record"]) for item in items]
    return await records.create_records(OLIVE, await client_of(books), drafts, approve=True)


async def vendor_of(books: Books) -> str:
    lists = await reference_lists(books.client_id)
    return next(e.name for e in lists.of("Vendor") if e.active)


def deactivate(books: Books, account_id: str) -> None:
    """Make the account inactive in QuickBooks, as a QuickBooks user would."""
    books.sandbox.control(
        "POST",
        f"/companies/{books.realm_id}/records/Account",
        {"operation": "update", "payload": {"Id": account_id, "Active": False}},
    )


async def account_id(books: Books, name: str) -> str:
    lists = await reference_lists(books.client_id)
    return next(e.qbo_id for e in lists.of("Account") if e.name == name)


async def three_approved(books: Books) -> dict[str, records.RecordView]:
    """Two expenses that will go, and one booked to Shop Supplies, since made inactive in
    QuickBooks (so it is blocked)."""
    vendor = await vendor_of(books)
    fuel, gas, shop = await approve(books, [
        expense("Fuel", "84.10", "1207", vendor), expense("Fuel", "12.00", "1208", vendor),
        expense("Shop Supplies", "40.00", "1209", vendor)])  # fmt: skip
    deactivate(books, await account_id(books, "Shop Supplies"))
    return {"fuel": fuel, "gas": gas, "shop": shop}


def outcome_counts(response: httpx.Response) -> dict[str, int]:
    """What the last push did, as the page counts it."""
    found = re.findall(r'<li data-outcome="(\w+)"><span class="count">(\d+)</span>', response.text)
    return {outcome: int(n) for outcome, n in found}


def planned(response: httpx.Response, outcome: str) -> list[int]:
    """Ids of the records the page lists with this outcome, in order."""
    return [
        int(i)
        for i in re.findall(
            rf'<tr id="push-record-(\d+)" data-outcome="{re.escape(outcome)}">', response.text
        )
    ]


async def test_the_plan_lists_what_will_be_created_and_what_is_blocked_and_why(
    books: Books,
) -> None:
    """Given two approved expenses and a third booked to an account made inactive in
    QuickBooks since it was approved, when the owner opens Push (as a page and as a fragment),
    then it will create 2 expenses, offers to push 2 records, lists the third as blocked with
    the reason and a link to it, and no record changes."""
    made = await three_approved(books)
    url = f"/clients/{books.client_id}/push"
    for headers in ({}, HX):
        page = await books.http.get(url, headers=headers)
        assert page.status_code == 200, page.text
        assert ("<html" in page.text) is not bool(headers)
        assert 'class="tabs"' in page.text and 'aria-current="page">Push</a>' in page.text
        text = text_of(page)
        assert "Will create 2 records in QuickBooks" in text
        assert "2 Expense" in text
        assert "Push 2 records to QuickBooks" in text
        assert planned(page, "will create") == sorted([made["fuel"].id, made["gas"].id])
        assert planned(page, "blocked") == [made["shop"].id]
        assert f'href="/clients/{books.client_id}/records/{made["shop"].id}"' in page.text
        assert "Account 'Shop Supplies' was made inactive or deleted in QuickBooks" in text
        assert 'name="_csrf_token"' in page.text
    client = await client_of(books)
    assert {r.status for r in await records.list_records(client)} == {records.APPROVED}


async def test_a_likely_duplicate_of_a_quickbooks_transaction_is_held_back_with_its_link(
    books: Books,
) -> None:
    """Given an approved bill flagged as a likely duplicate of a bill already in QuickBooks,
    when Push is opened, then it is listed as a likely duplicate with the flag's message and a
    link to the record, and there is nothing to push."""
    known = await open_transaction(books.client_id, "Bill")
    vendor = await vendor_of(books)
    [bill] = await approve(books, [{"type": "Bill", "record": {
        "VendorRef": {"name": vendor}, "TxnDate": "2026-03-06",
        "Line": [expense_line("Fuel", "75.00")]}}])  # fmt: skip
    message = f"likely duplicate of QuickBooks Bill {known['Id']}, 2026-03-06 {vendor} 75.00"
    await records.record_flags(OLIVE, await client_of(books), bill.id, bill.version,
                               [Flag("duplicate", message)])  # fmt: skip

    page = await books.http.get(f"/clients/{books.client_id}/push", headers=HX)

    assert page.status_code == 200
    assert planned(page, "duplicate") == [bill.id]
    assert message in text_of(page)
    assert f'href="/clients/{books.client_id}/records/{bill.id}"' in page.text
    assert "Nothing to push until the records below are fixed." in text_of(page)
    assert "records to QuickBooks</button>" not in page.text


async def test_nothing_to_push_says_so(books: Books) -> None:
    """Given a connected client with no approved record, when Push is opened, then the page
    says there is nothing to push and offers no button."""
    page = await books.http.get(f"/clients/{books.client_id}/push")
    assert page.status_code == 200
    assert "Nothing to push: no approved record is waiting" in text_of(page)
    assert f'action="/clients/{books.client_id}/push"' not in page.text


async def test_pushing_runs_as_a_job_with_progress_then_shows_what_it_did(books: Books) -> None:
    """Given the three approved records (one blocked) and the worker busy elsewhere (stopped),
    when the owner presses Push (htmx), then the answer shows the push job's progress bar and
    keeps polling, not the plan, and pressing again starts no second push; once the worker has
    run it the two expenses are in QuickBooks with their Ids, the blocked one is still approved,
    and the page shows 2 created, 0 failed, 1 blocked and stops polling."""
    made = await three_approved(books)
    url = f"/clients/{books.client_id}/push"
    queue = app_of(books.http).state.queue
    queue.stop_worker()
    try:
        token = await csrf_token(books.http, url)
        started = await books.http.post(url, data={"_csrf_token": token}, headers=HX)
        again = await books.http.post(url, data={"_csrf_token": token})
        waiting = await books.http.get(url, headers=HX)
    finally:
        queue.start_worker(2)

    assert started.status_code == 200, started.text
    assert again.status_code == 303 and again.headers["location"] == url
    for answer in (started, waiting):
        assert "<html" not in answer.text and 'class="push-progress"' in answer.text
        assert "<progress" in answer.text and "Push approved records to QuickBooks" in answer.text
        assert f'hx-get="{url}" hx-trigger="every 2s"' in answer.text
        assert "Will create" not in answer.text
    jobs = await wait_for_jobs(books.client_id)
    assert [j["state"] for j in jobs if j["title"] == PUSH_JOB] == ["done"]
    client = await client_of(books)
    quickbooks = app_of(books.http).state.quickbooks
    async with quickbooks.client_for(books.client_id) as qbo:
        for key in ("fuel", "gas"):
            after = await records.get_record(client, made[key].id)
            assert after.status == records.IN_QUICKBOOKS and after.qbo_id
            remote = await qbo.read("Purchase", after.qbo_id)
            assert f"[zera {after.id}]" in remote["PrivateNote"]
    assert (await records.get_record(client, made["shop"].id)).status == records.APPROVED

    page = await books.http.get(url)
    assert outcome_counts(page) == {"created": 2, "failed": 0, "blocked": 1, "duplicate": 0}
    assert 'class="badge state-done"' in page.text
    assert 'hx-trigger="every 2s"' not in page.text
    assert planned(page, "blocked") == [made["shop"].id]
    assert "Nothing to push until the records below are fixed." in text_of(page)
    assert "records to QuickBooks</button>" not in page.text


async def test_records_quickbooks_refused_are_listed_as_failed_with_the_reason(
    books: Books,
) -> None:
    """Given two approved bill payments that each pay the whole of the same open bill, when
    they are pushed, then QuickBooks takes the first and refuses the second; the page counts 1
    created and 1 failed and lists the second with QuickBooks' reason and a link to it; its
    record page shows the reason and Records points to it."""
    bill = await open_transaction(books.client_id, "Bill")
    lists = await reference_lists(books.client_id)
    vendor = lists.get("Vendor", bill["VendorRef"]["value"])
    assert vendor is not None
    owed = str(bill["Balance"])
    payment = {"type": "BillPayment", "record": {
        "VendorRef": {"name": vendor.name}, "PayType": "Check", "TotalAmt": owed,
        "CheckPayment": {"BankAccountRef": {"name": "Business Checking"}},
        "Line": [{"Amount": owed,
                  "LinkedTxn": [{"TxnId": bill["Id"], "TxnType": "Bill"}]}]}}  # fmt: skip
    first, second = await approve(books, [payment, payment])
    url = f"/clients/{books.client_id}/push"

    posted = await post_form(books.http, url, {}, token_page=url)  # a plain form
    assert posted.status_code == 303 and posted.headers["location"] == url
    await wait_for_jobs(books.client_id)

    client = await client_of(books)
    assert (await records.get_record(client, first.id)).status == records.IN_QUICKBOOKS
    refused = await records.get_record(client, second.id)
    assert refused.status == records.FAILED
    [reason] = [f.message for f in refused.flags if f.kind == "push"]
    assert "more than its open balance" in reason
    for headers in ({}, HX):
        page = await books.http.get(url, headers=headers)
        counts = outcome_counts(page)
        assert (counts["created"], counts["failed"]) == (1, 1)
        assert planned(page, "failed") == [second.id]
        assert reason in text_of(page)
        assert f'href="/clients/{books.client_id}/records/{second.id}"' in page.text
    record_page = await books.http.get(f"/clients/{books.client_id}/records/{second.id}")
    assert "Failed" in text_of(record_page) and reason in text_of(record_page)
    listing = await books.http.get(f"/clients/{books.client_id}/records")
    assert "QuickBooks refused 1 record: see why" in text_of(listing)


async def test_review_and_records_link_to_the_push_page(books: Books) -> None:
    """Given approved records, when Records and Review are opened, then each offers a visible
    Push to QuickBooks link (Records with how many records are approved)."""
    await three_approved(books)
    push = f'href="/clients/{books.client_id}/push"'
    listing = await books.http.get(f"/clients/{books.client_id}/records")
    assert push in listing.text and "Push to QuickBooks (3 approved)" in text_of(listing)
    review = await books.http.get(f"/clients/{books.client_id}/review", headers=HX)
    assert push in review.text and "Push to QuickBooks" in text_of(review)


async def test_a_client_not_connected_is_told_to_connect_and_nothing_starts(
    books: Books,
) -> None:
    """Given a client with no QuickBooks connection, when Push is opened and posted, then the
    page says QuickBooks is not connected (with a link to Connection), offers no button, and
    the post is refused (409) without starting a job."""
    client_id = await add_client(books.http, "Unconnected Books")
    url = f"/clients/{client_id}/push"
    page = await books.http.get(url)
    assert page.status_code == 200
    assert "QuickBooks is not connected for this client yet" in text_of(page)
    assert f'href="/clients/{client_id}/connection"' in page.text
    assert f'action="{url}"' not in page.text
    token = await csrf_token(books.http, url)
    refused = await books.http.post(url, data={"_csrf_token": token}, headers=HX)
    assert refused.status_code == 409
    assert "QuickBooks is not connected for this client yet" in text_of(refused)
    assert "Push approved records" not in refused.text


@asynccontextmanager
async def signed_in_staff(books: Books, *, assigned: bool) -> AsyncIterator[httpx.AsyncClient]:
    """A staff member's session, assigned to the client or not."""
    created = await post_form(books.http, "/users", {**STAFF, "role": "staff"},
                              token_page="/users")  # fmt: skip
    assert created.status_code == 303
    if assigned:
        row = await User.select(User.id).where(User.email == STAFF["email"]).first().run()
        assert row is not None
        await post_form(books.http, f"/clients/{books.client_id}/staff", {"staff": str(row["id"])})
    async with httpx.AsyncClient(transport=books.http._transport, base_url=BASE) as staff:
        assert (await sign_in(staff, STAFF["email"], STAFF["password"])).status_code == 303
        yield staff


async def test_staff_without_access_get_404_and_cannot_push(books: Books) -> None:
    """Given staff not assigned to the client, when they open Push (page and fragment) or post
    it with a valid token, then every answer is 404, the client is not named and no job
    starts."""
    await three_approved(books)
    url = f"/clients/{books.client_id}/push"
    async with signed_in_staff(books, assigned=False) as staff:
        for headers in ({}, HX):
            answer = await staff.get(url, headers=headers)
            assert answer.status_code == 404 and "Juniper" not in answer.text
        token = await csrf_token(staff, "/")
        posted = await staff.post(url, data={"_csrf_token": token})
        assert posted.status_code == 404
    jobs = await wait_for_jobs(books.client_id)
    assert PUSH_JOB not in {j["title"] for j in jobs}


async def test_assigned_staff_see_the_plan_and_may_push(books: Books) -> None:
    """Given staff assigned to the client, when they open Push and press it, then they see the
    plan and the push runs, started by them."""
    made = await three_approved(books)
    url = f"/clients/{books.client_id}/push"
    async with signed_in_staff(books, assigned=True) as staff:
        page = await staff.get(url)
        assert page.status_code == 200 and "Push 2 records to QuickBooks" in text_of(page)
        assert (await post_form(staff, url, {}, token_page=url)).status_code == 303
    await wait_for_jobs(books.client_id)
    after = await records.get_record(await client_of(books), made["fuel"].id)
    assert after.status == records.IN_QUICKBOOKS and after.updated_by == STAFF["email"]


async def test_posting_push_without_the_csrf_token_is_refused(books: Books) -> None:
    """Given the owner's session and approved records, when Push is posted without the form's
    token, then it is refused (403), no job starts and the records stay approved."""
    await three_approved(books)
    answer = await books.http.post(f"/clients/{books.client_id}/push", data={})
    assert answer.status_code == 403
    jobs = await wait_for_jobs(books.client_id)
    assert PUSH_JOB not in {j["title"] for j in jobs}
    client = await client_of(books)
    assert {r.status for r in await records.list_records(client)} == {records.APPROVED}


async def test_the_last_push_can_be_undone_from_the_page(books: Books) -> None:
    """Given a finished push of two expenses, when the owner presses Undo this push, then the
    undo job deletes both transactions from QuickBooks, the records are approved again with no
    QuickBooks Id, and the page says the push was undone."""
    made = await three_approved(books)
    url = f"/clients/{books.client_id}/push"
    await books.http.post(url, data={"_csrf_token": await csrf_token(books.http, url)})
    await wait_for_jobs(books.client_id)
    client = await client_of(books)
    pushed = {k: await records.get_record(client, made[k].id) for k in ("fuel", "gas")}
    page = await books.http.get(url)
    form = re.search(rf'action="({url}/runs/\d+/undo)"', page.text)
    assert form is not None, page.text
    assert (await books.http.post(
        form.group(1), data={"_csrf_token": await csrf_token(books.http, url)}
    )).status_code == 303  # fmt: skip
    jobs = await wait_for_jobs(books.client_id)
    from zera.tasks.qbo import undo_push_run  # the job the Undo button starts

    assert [j["state"] for j in jobs if j["title"] == undo_push_run.title] == ["done"]
    quickbooks = app_of(books.http).state.quickbooks
    async with quickbooks.client_for(books.client_id) as qbo:
        for record in pushed.values():
            after = await records.get_record(client, record.id)
            assert (after.status, after.qbo_id) == (records.APPROVED, None)
            found = await qbo.query(f"SELECT * FROM Purchase WHERE Id = '{record.qbo_id}'")  # noqa: S608
            assert not found.get("Purchase")
    assert "This push was undone." in text_of(await books.http.get(url))


async def test_a_record_in_the_closed_period_is_pushed_only_with_a_reason(books: Books) -> None:
    """Given the books closed on 2026-03-31 and an approved expense dated 2026-03-05, the plan
    blocks it and offers Push it anyway; without a reason that is refused (400), with one the
    record goes in the next push carrying the reason in its history, and what QuickBooks then
    answers (here Intuit's 6210 refusal) is shown on it."""
    vendor = await vendor_of(books)
    (made,) = await approve(books, [expense("Fuel", "18.00", "1301", vendor)])
    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        prefs = await qbo.preferences()
        await qbo.update("Preferences", {"Id": prefs["Id"], "SyncToken": prefs["SyncToken"],
                                         "AccountingInfoPrefs": {"BookCloseDate": "2026-03-31"}},
                         operation="test:close-march", sparse=True)  # fmt: skip
    url = f"/clients/{books.client_id}/push"
    page = await books.http.get(url)
    assert planned(page, "blocked") == [made.id]
    action = f"{url}/records/{made.id}/closing-override"
    assert f'action="{action}"' in page.text
    token = await csrf_token(books.http, url)
    vague = await books.http.post(action, data={"_csrf_token": token, "version": str(made.version),
                                                "reason": "  "})  # fmt: skip
    assert vague.status_code == 400 and "Say why" in vague.text
    reason = {"_csrf_token": token, "version": str(made.version), "reason": "auditor's late fee"}
    given = await books.http.post(action, data=reason)
    assert given.status_code == 303
    assert planned(await books.http.get(url), "will create") == [made.id]

    await books.http.post(url, data={"_csrf_token": await csrf_token(books.http, url)})
    await wait_for_jobs(books.client_id)
    after = await records.get_record(await client_of(books), made.id)
    assert after.status == records.FAILED
    assert any("closed" in f.message.lower() for f in after.flags if f.kind == "push"), after.flags
    history = await records.history(await client_of(books), made.id)
    assert any(c.action == "closing override" for c in history)
