"""Push under Intuit's faults (issue #11): throttling, 5xx, a token expiring or revoked mid-push,
a record or a name QuickBooks refuses, an answer lost after QuickBooks wrote the batch, and a
push of 1,000 records. Each ends with every record in QuickBooks exactly once (counted by the
"[zera <id>]" marker in the sandbox) or, for a refusal, with the reason on the record.

Faults come from the built-in sandbox (`zera sandbox` over HTTP): its control surface throttles,
expires and revokes, and acts as a person in QuickBooks. The sandbox has no switch for a 5xx or
for a lost answer, so `Wire`, a transport between Zera and the sandbox, stands in for the
network there: it answers as a failing gateway would, or drops an answer the sandbox gave."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import httpx
import pytest

from tests.qbo.conftest import app_of, connect, connection_row, wait_for_jobs
from tests.qbo.test_qbo_retry_budget import FreeLedger
from tests.review.conftest import Books
from zera.accounts.audit import Actor
from zera.clients import client_by_reference
from zera.db.tables import Job, QBOReference
from zera.qbo import NeedsReconnect, QBOClient, QuickBooks, RateLimiter, Throttled, VaultAuth
from zera.review import payloads, records
from zera.settings import Settings
from zera.sync.lists import reference_lists
from zera.sync.push import push
from zera.tasks.qbo import push_records

pytestmark = pytest.mark.db
ACTOR = Actor(user_id=None, email="olive@example.com")
MARKER = re.compile(r"\[zera (\d+)\]")
DAY = "2026-03-04"

Forward = Callable[[httpx.Request], Awaitable[httpx.Response]]
Hook = Callable[[httpx.Request, Forward], Awaitable[httpx.Response]]


# -- records -------------------------------------------------------------------------------------


def purchase(
    n: int, payee: str, *, day: str = DAY, account: str = "Fuel", note: str = ""
) -> dict[str, Any]:
    """A cash Purchase whose amount is its own (no two alike, so none looks like a duplicate);
    with `day` empty it is undated (QuickBooks dates it the day it is pushed)."""
    amount = Decimal(10 + n) + Decimal(n % 100) / 100
    record: dict[str, Any] = {
        "PaymentType": "Cash", "AccountRef": {"name": "Business Checking"},
        "EntityRef": {"name": payee, "type": "Vendor"},
        "Line": [{"Amount": str(amount), "DetailType": "AccountBasedExpenseLineDetail",
                  "AccountBasedExpenseLineDetail": {"AccountRef": {"name": account}}}]}  # fmt: skip
    if day:
        record["TxnDate"] = day
    if note:
        record["PrivateNote"] = note
    return {"type": "Purchase", "record": record}


async def approved(books: Books, items: list[dict[str, Any]]) -> list[records.RecordView]:
    client = await client_by_reference(str(books.client_id))
    drafts = [records.Draft(item["type"], item["record"]) for item in items]
    return await records.create_records(ACTOR, client, drafts, approve=True)


async def statuses(books: Books, stored: list[records.RecordView]) -> Counter[str]:
    client = await client_by_reference(str(books.client_id))
    return Counter([(await records.get_record(client, r.id)).status for r in stored])


async def push_all(qbo: QBOClient, books: Books) -> Counter[str]:
    client = await client_by_reference(str(books.client_id))
    return Counter(outcome.outcome for outcome in await push(qbo, client, ACTOR))


# -- the wire between Zera and the sandbox ---------------------------------------------------------


class Wire(httpx.AsyncBaseTransport):
    """The real network to the sandbox, with a hook on chosen batch requests (the n-th batch
    request sent, retries counted) that may act first, answer instead of the sandbox, or replace
    the sandbox's answer. Every API answer's path, status and content type is kept."""

    def __init__(self, batches: dict[int, Hook] | None = None) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.batches = dict(batches or {})
        self.batch_requests = 0
        self.answers: list[tuple[str, int, str]] = []

    async def forward(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        return response

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        hook = None
        if request.url.path.endswith("/batch"):
            self.batch_requests += 1
            hook = self.batches.get(self.batch_requests)
        response = await (hook(request, self.forward) if hook else self.forward(request))
        if "/v3/company/" in request.url.path:
            kind = response.headers.get("content-type", "")
            self.answers.append((request.url.path, response.status_code, kind))
        return response

    def statuses(self, path_end: str = "") -> Counter[int]:
        return Counter(s for path, s, _ in self.answers if path.endswith(path_end))

    async def aclose(self) -> None:
        await self.inner.aclose()


def acting(action: Callable[[], Any]) -> Hook:
    """A hook that does `action` (a control-surface call) just before the request goes."""

    async def hook(request: httpx.Request, forward: Forward) -> httpx.Response:
        action()
        return await forward(request)

    return hook


def answering(status: int, body: bytes, content_type: str, *, after_write: bool) -> Hook:
    """A hook that answers `status` instead of the sandbox: before the request reaches it, or
    after it wrote the batch (the answer lost on the way back)."""

    async def hook(request: httpx.Request, forward: Forward) -> httpx.Response:
        if after_write:
            await forward(request)
        return httpx.Response(status, content=body, headers={"content-type": content_type})

    return hook


class Crash(BaseException):
    """The process dying: nothing after it runs (a BaseException, as SystemExit is)."""


async def crash_after_write(request: httpx.Request, forward: Forward) -> httpx.Response:
    await forward(request)
    raise Crash


@asynccontextmanager
async def through(settings: Settings, books: Books, wire: Wire) -> AsyncIterator[QBOClient]:
    """A client whose requests (OAuth included) go over `wire`."""
    quickbooks = QuickBooks(settings, transport=wire)
    async with quickbooks.client_for(books.client_id) as qbo:
        yield qbo


@asynccontextmanager
async def unmetered(books: Books) -> AsyncIterator[QBOClient]:
    """A client for counting what QuickBooks holds after a push: the sandbox's limits are lifted
    meanwhile and Zera's are not consulted, so the count does not wait out the minute the push
    just used. (A forced throttle still applies.)"""
    vault = app_of(books.http).state.quickbooks.vault

    async def token(stale: str | None) -> str:
        return str(await vault.access_token(books.client_id, stale=stale))

    books.sandbox.control("POST", "/limits", {"enabled": False})
    try:
        async with httpx.AsyncClient() as http:
            yield QBOClient(
                http,
                api_base=books.sandbox.base,
                realm_id=books.realm_id,
                auth=VaultAuth(token),
                limiter=RateLimiter(FreeLedger()),
            )
    finally:
        books.sandbox.control("POST", "/limits", {"enabled": True})


async def in_quickbooks(books: Books, entity: str = "Purchase") -> dict[int, list[str]]:
    """The Ids of the company's `entity` transactions that carry each record's marker."""
    found: dict[int, list[str]] = {}
    async with unmetered(books) as qbo:
        async for page in qbo.query_all(entity):
            for txn in page:
                for tag in MARKER.findall(str(txn.get("PrivateNote"))):
                    found.setdefault(int(tag), []).append(str(txn["Id"]))
    return found


async def assert_each_once(books: Books, stored: list[records.RecordView]) -> None:
    """Every record is in QuickBooks once, and Zera has it in QuickBooks under that Id."""
    written = await in_quickbooks(books)
    assert [r.id for r in stored if len(written.get(r.id, [])) != 1] == [], "missing or doubled"
    client = await client_by_reference(str(books.client_id))
    now = [await records.get_record(client, r.id) for r in stored]
    assert [(r.status, [r.qbo_id]) for r in now] == [
        (records.IN_QUICKBOOKS, written[r.id]) for r in now
    ]


# -- faults ----------------------------------------------------------------------------------------


async def test_a_throttle_mid_push_is_waited_out_and_every_record_is_written_once(
    books: Books, qbo_settings: Settings
) -> None:
    """Given 75 records (3 batches), when QuickBooks throttles the realm for 2 s just as the
    second batch goes, then Zera waits it out (Intuit's 429 comes with an XML body even though
    JSON was asked for) and every record is written once."""
    stored = await approved(books, [purchase(n, "Harbor Fuel Co") for n in range(75)])
    throttle = acting(
        lambda: books.sandbox.control(
            "POST", f"/companies/{books.realm_id}/throttle", {"seconds": 2}
        )
    )
    wire = Wire({2: throttle})

    async with through(qbo_settings, books, wire) as qbo:
        outcomes = await push_all(qbo, books)

    assert outcomes == {"created": 75}
    throttled = [kind for path, status, kind in wire.answers if status == 429]
    assert throttled and all("xml" in kind for kind in throttled)
    assert qbo.retries >= len(throttled)
    await assert_each_once(books, stored)


async def test_a_throttle_outlasting_the_clients_budget_stops_the_push_and_the_next_completes(
    books: Books, qbo_settings: Settings
) -> None:
    """Given 90 records and a client whose retry budget is one second, when QuickBooks
    throttles the realm for 3 s as the second batch goes, then the push stops with the throttle
    (for the job queue to run again later) and loses nothing: the first batch is in QuickBooks,
    the second left pushing, the third approved. The next push, once the throttle is over,
    sends the second batch again and every record is in QuickBooks once."""
    stored = await approved(books, [purchase(n, "Harbor Fuel Co") for n in range(90)])
    throttle = acting(
        lambda: books.sandbox.control(
            "POST", f"/companies/{books.realm_id}/throttle", {"seconds": 3}
        )
    )
    quickbooks = app_of(books.http).state.quickbooks

    async def token(stale: str | None) -> str:
        return str(await quickbooks.vault.access_token(books.client_id, stale=stale))

    async with httpx.AsyncClient(transport=Wire({2: throttle})) as http:
        hurried = QBOClient(http, api_base=quickbooks.app.api_base, realm_id=books.realm_id,
                            auth=VaultAuth(token), limiter=quickbooks.limiter,
                            retry_budget_seconds=1.0)  # fmt: skip
        with pytest.raises(Throttled):
            await push_all(hurried, books)

    assert await statuses(books, stored) == {
        records.IN_QUICKBOOKS: 30, records.PUSHING: 30, records.APPROVED: 30
    }
    async with quickbooks.client_for(books.client_id) as qbo:
        outcomes = await push_all(qbo, books)

    assert outcomes == {"created": 60}
    await assert_each_once(books, stored)


SYSTEM_FAULT = (
    b'{"Fault":{"Error":[{"Message":"An application error has occurred while processing your '
    b'request","Detail":"System Failure Error: java.lang.NullPointerException","code":"10000"}],'
    b'"type":"SystemFault"},"time":"2026-03-04T10:00:00.000-08:00"}'
)


async def test_intuit_server_errors_are_retried_and_a_lost_answer_writes_nothing_twice(
    books: Books, qbo_settings: Settings
) -> None:
    """Given 90 records (3 batches), when the first batch meets a 503 from a gateway before
    QuickBooks sees it, the second is written but its answer is lost to a 502, and the third is
    written but answered with Intuit's 500 SystemFault, then each is sent again with the same
    requestid, QuickBooks answers the repeats from its memory of the first, and every record is
    in QuickBooks once."""
    stored = await approved(books, [purchase(n, "Harbor Fuel Co") for n in range(90)])
    wire = Wire({
        1: answering(503, b"<html>Service Unavailable</html>", "text/html", after_write=False),
        3: answering(502, b"", "text/plain", after_write=True),
        5: answering(500, SYSTEM_FAULT, "application/json", after_write=True),
    })  # fmt: skip

    async with through(qbo_settings, books, wire) as qbo:
        outcomes = await push_all(qbo, books)

    assert outcomes == {"created": 90}
    assert wire.statuses("/batch") == {503: 1, 502: 1, 500: 1, 200: 3}
    await assert_each_once(books, stored)


async def test_an_access_token_expiring_mid_push_is_refreshed_and_the_push_completes(
    books: Books, qbo_settings: Settings
) -> None:
    """Given 60 records, when Intuit expires the access token just before the second batch,
    then the batch is refused with a 401, the token is refreshed once, the batch goes again and
    every record is written once."""
    stored = await approved(books, [purchase(n, "Harbor Fuel Co") for n in range(60)])
    before = await connection_row(books.client_id)
    expire = acting(
        lambda: books.sandbox.control(
            "POST", "/tokens/expire", {"realmId": books.realm_id, "kind": "access"}
        )
    )
    wire = Wire({2: expire})

    async with through(qbo_settings, books, wire) as qbo:
        outcomes = await push_all(qbo, books)

    assert outcomes == {"created": 60}
    assert wire.statuses("/batch")[401] == 1
    after = await connection_row(books.client_id)
    assert before and after and after["refresh_count"] == before["refresh_count"] + 1
    await assert_each_once(books, stored)


async def test_a_revoked_connection_stops_the_push_and_after_reconnecting_it_completes(
    books: Books, qbo_settings: Settings
) -> None:
    """Given 90 records, when the connection is revoked in QuickBooks just before the second
    batch, then the push stops with NeedsReconnect: the first batch is in QuickBooks, no record
    is failed or lost (the second batch left pushing, the third approved), the client shows
    Reconnect, and the push job fails saying so without retrying. Reconnecting resumes the push,
    which writes the rest, each record once."""
    stored = await approved(books, [purchase(n, "Harbor Fuel Co") for n in range(90)])
    revoke = acting(
        lambda: books.sandbox.control("POST", "/tokens/revoke", {"realmId": books.realm_id})
    )
    wire = Wire({2: revoke})

    with pytest.raises(NeedsReconnect):
        async with through(qbo_settings, books, wire) as qbo:
            await push_all(qbo, books)

    left = await statuses(books, stored)
    assert left == {records.IN_QUICKBOOKS: 30, records.PUSHING: 30, records.APPROVED: 30}
    assert (await connection_row(books.client_id))["status"] == "needs_reconnect"
    page = (await books.http.get(f"/clients/{books.client_id}/records")).text
    assert "Reconnect QuickBooks" in page
    job_id = await push_records.send(
        app_of(books.http).state.queue, client_id=books.client_id, started_by=ACTOR.email
    )
    await wait_for_jobs(books.client_id)
    job = await Job.select().where(Job.id == job_id).first().run()
    assert job and job["state"] == "failed" and "reconnect" in job["error"].lower(), job
    assert job["attempts"] == 1
    assert await statuses(books, stored) == left

    # Reconnecting resumes the push the lost connection stopped: nobody presses Push again.
    assert (await connect(books.http, books.client_id, books.realm_id)).status_code == 303
    await wait_for_jobs(books.client_id)
    assert await statuses(books, stored) == {records.IN_QUICKBOOKS: 90}
    await assert_each_once(books, stored)


async def _account_id(books: Books, name: str) -> str:
    row = await QBOReference.select(QBOReference.qbo_id).where(
        (QBOReference.client_id == books.client_id) & (QBOReference.entity == "Account")
        & (QBOReference.name == name)
    ).first().run()  # fmt: skip
    assert row, name
    return str(row["qbo_id"])


async def test_a_record_quickbooks_refuses_fails_with_the_reason_and_its_batch_is_written(
    books: Books, qbo_settings: Settings
) -> None:
    """Given 40 records, one of them spent on Shop Supplies, when a person makes that account
    inactive in QuickBooks after Zera's live checks passed and just before the batch goes, then
    QuickBooks refuses that record alone: it is failed with QuickBooks's reason shown on it, is
    not in QuickBooks, and the other 39 (its batch and the next) are each written once."""
    items = [purchase(n, "Harbor Fuel Co") for n in range(40)]
    items[7] = purchase(7, "Harbor Fuel Co", account="Shop Supplies")
    stored = await approved(books, items)
    supplies = await _account_id(books, "Shop Supplies")
    retire = acting(
        lambda: books.sandbox.control(
            "POST", f"/companies/{books.realm_id}/records/Account",
            {"operation": "update", "payload": {"Id": supplies, "Active": False}},
        )
    )  # fmt: skip

    async with through(qbo_settings, books, Wire({1: retire})) as qbo:
        outcomes = await push_all(qbo, books)

    assert outcomes == {"created": 39, "failed": 1}
    client = await client_by_reference(str(books.client_id))
    refused = await records.get_record(client, stored[7].id)
    assert refused.status == records.FAILED and refused.qbo_id is None
    [flag] = [f for f in refused.flags if f.kind == "push"]
    assert flag.message.startswith("QuickBooks refused it") and "inactive" in flag.message
    assert stored[7].id not in await in_quickbooks(books)
    await assert_each_once(books, stored[:7] + stored[8:])


async def test_a_name_quickbooks_refuses_holds_back_only_the_records_that_name_it(
    books: Books,
) -> None:
    """Given records naming a new vendor whose name is already a customer's (Intuit keeps one
    name across customers, vendors and employees: 6240), and records naming a new vendor
    QuickBooks takes, when they are pushed, then the taken name is created once and its records
    written, while the refused name's records fail with the reason (shown on each) and nothing
    is created for them."""
    lists = await reference_lists(books.client_id)
    customer = next(e.name for e in lists.of("Customer") if e.active)
    items = [purchase(n, customer if n % 3 == 0 else "Brand New Gravel Ltd") for n in range(9)]
    stored = await approved(books, items)
    refused = [r for n, r in enumerate(stored) if n % 3 == 0]
    taken = [r for n, r in enumerate(stored) if n % 3]

    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        outcomes = await push_all(qbo, books)
        vendors = await qbo.query(
            "SELECT * FROM Vendor WHERE DisplayName = 'Brand New Gravel Ltd'"
            " AND Active IN (true, false)"
        )
        same_name = await qbo.query(
            f"SELECT * FROM Vendor WHERE DisplayName = '{customer}' AND Active IN (true, false)"  # noqa: S608
        )

    assert outcomes == {"created": 6, "failed": 3}
    assert len(vendors["Vendor"]) == 1 and not same_name.get("Vendor")
    client = await client_by_reference(str(books.client_id))
    for record in refused:
        after = await records.get_record(client, record.id)
        assert after.status == records.FAILED
        assert any(f.kind == "push" and "already a customer" in f.message for f in after.flags)
    written = await in_quickbooks(books)
    assert [r.id for r in refused if r.id in written] == []
    await assert_each_once(books, taken)


async def test_a_push_that_dies_after_quickbooks_wrote_a_batch_is_resumed_from_the_markers(
    books: Books, qbo_settings: Settings
) -> None:
    """Given 135 records on one day (more than a page of Intuit's query answer), 15 undated,
    and one whose memo is as long as Intuit allows, when the push dies just after QuickBooks
    wrote its last batch, before Zera recorded the answer, then those records are left pushing;
    the next push finds each in QuickBooks by the marker in its PrivateNote (the marker kept
    however long the memo) and records it without sending it again: each is in QuickBooks
    once."""
    items = [purchase(n, "Harbor Fuel Co", day=DAY if n < 135 else "") for n in range(150)]
    items[130] = purchase(130, "Harbor Fuel Co", note="m" * payloads.MAX_NOTE)
    stored = await approved(books, items)

    with pytest.raises(Crash):
        async with through(qbo_settings, books, Wire({5: crash_after_write})) as qbo:
            await push_all(qbo, books)

    assert await statuses(books, stored) == {records.IN_QUICKBOOKS: 120, records.PUSHING: 30}
    assert len(await in_quickbooks(books)) == 150
    wire = Wire()
    async with through(qbo_settings, books, wire) as qbo:
        outcomes = await push_all(qbo, books)

    assert outcomes == {"created": 30}
    assert wire.batch_requests == 0
    await assert_each_once(books, stored)
    client = await client_by_reference(str(books.client_id))
    long_memo = await records.get_record(client, stored[130].id)
    # The record now holds QuickBooks' version: the memo gave way to the marker (which the
    # record does not show); the memo as typed stays in the record's history.
    tag = f"[zera {stored[130].id}]"
    assert long_memo.payload["PrivateNote"] == "m" * (payloads.MAX_NOTE - len(tag) - 1)
    typed = (await records.history(client, stored[130].id))[0].after
    assert typed["record"]["PrivateNote"] == "m" * payloads.MAX_NOTE
