"""`zera push --client CLIENT [--dry-run]`, run as the real command on the app's own database
and the sandbox company the `books` fixture connected: JSON lines, one per record, then a
summary line; exit status 0 only when nothing failed or was blocked; a dry run writes nothing."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from typing import Any

import pytest

from tests.qbo.conftest import add_client, app_of
from tests.review.conftest import Books
from tests.review.test_push_ui import account_id, approve, client_of, deactivate, expense, vendor_of
from tests.review.test_records_cli import CLIENT_NAME, run_zera
from zera.review import records
from zera.settings import Settings

pytestmark = pytest.mark.db


def zera_push(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `zera push ...` as a separate process with the settings of the test's app."""
    return run_zera(settings, "push", *args, timeout=300)


def lines_of(done: subprocess.CompletedProcess[str]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The per-record lines and the summary; every line of stdout is one JSON object."""
    parsed = [json.loads(line) for line in done.stdout.splitlines()]
    assert parsed, done.stderr
    *outcomes, last = parsed
    assert set(last) == {"summary"}, last
    for line in outcomes:
        assert set(line) == {"id", "type", "outcome", "qbo_id", "message"}, line
    return outcomes, last["summary"]


async def markers_in_quickbooks(books: Books) -> Counter[int]:
    """How many Purchases in the sandbox company carry each record's push marker."""
    found: Counter[int] = Counter()
    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        async for page in qbo.query_all("Purchase"):
            for txn in page:
                note = str(txn.get("PrivateNote") or "")
                if "[zera " in note:
                    found[int(note.rsplit("[zera ", 1)[1].split("]")[0])] += 1
    return found


async def test_a_dry_run_prints_the_plan_and_writes_nothing_then_a_push_creates(
    books: Books, qbo_settings: Settings
) -> None:
    """Given two approved expenses, when `zera push --dry-run` runs, then it prints a "will
    create" line for each and a summary, exits 0, and nothing changes (records approved,
    nothing in QuickBooks); when `zera push` then runs for the client named by its name, it
    prints a "created" line with the QuickBooks Id for each, exits 0, and the records are in
    QuickBooks with those Ids."""
    vendor = await vendor_of(books)
    made = await approve(books, [expense("Fuel", "84.10", "1207", vendor),
                                 expense("Fuel", "12.00", "1208", vendor)])  # fmt: skip
    ids = sorted(r.id for r in made)

    dry = zera_push(qbo_settings, "--client", str(books.client_id), "--dry-run")

    assert dry.returncode == 0, dry.stderr
    planned, summary = lines_of(dry)
    assert [(p["id"], p["type"], p["outcome"], p["qbo_id"]) for p in planned] == [
        (i, "Purchase", "will create", None) for i in ids]  # fmt: skip
    assert all(p["message"] for p in planned)
    assert summary == {"will create": 2, "created": 0, "updated": 0, "duplicate": 0,
                       "blocked": 0, "failed": 0}  # fmt: skip
    client = await client_of(books)
    for record in made:
        after = await records.get_record(client, record.id)
        assert (after.status, after.version, after.qbo_id) == (records.APPROVED, record.version,
                                                               None)  # fmt: skip
    assert await markers_in_quickbooks(books) == Counter()

    done = zera_push(qbo_settings, "--client", CLIENT_NAME)

    assert done.returncode == 0, done.stderr
    pushed, summary = lines_of(done)
    assert [(p["id"], p["type"], p["outcome"]) for p in pushed] == [
        (i, "Purchase", "created") for i in ids]  # fmt: skip
    assert summary == {"created": 2, "updated": 0, "duplicate": 0, "blocked": 0, "failed": 0}
    for line in pushed:
        after = await records.get_record(client, line["id"])
        assert after.status == records.IN_QUICKBOOKS
        assert line["qbo_id"] and after.qbo_id == line["qbo_id"]
    assert await markers_in_quickbooks(books) == Counter(ids)


async def test_a_blocked_record_is_reported_with_why_and_the_exit_status_is_1(
    books: Books, qbo_settings: Settings
) -> None:
    """Given an approved expense and one booked to an account made inactive in QuickBooks since,
    when `zera push` runs (dry and for real), then the second is reported blocked with the
    reason and the exit status is 1; the first is still created by the real push."""
    vendor = await vendor_of(books)
    good, stuck = await approve(books, [
        expense("Fuel", "84.10", "1207", vendor), expense("Shop Supplies", "40.00", "1209", vendor)
    ])  # fmt: skip
    deactivate(books, await account_id(books, "Shop Supplies"))

    dry = zera_push(qbo_settings, "--client", CLIENT_NAME, "--dry-run")
    done = zera_push(qbo_settings, "--client", CLIENT_NAME)

    for answer, went in ((dry, "will create"), (done, "created")):
        assert answer.returncode == 1, answer.stderr
        lines, summary = lines_of(answer)
        by_id = {line["id"]: line for line in lines}
        assert by_id[good.id]["outcome"] == went
        assert by_id[stuck.id]["outcome"] == "blocked" and by_id[stuck.id]["qbo_id"] is None
        assert "Account 'Shop Supplies' was made inactive" in by_id[stuck.id]["message"]
        assert summary["blocked"] == 1 and summary.get("will create", 0) + summary["created"] == 1
    client = await client_of(books)
    assert (await records.get_record(client, good.id)).status == records.IN_QUICKBOOKS
    assert (await records.get_record(client, stuck.id)).status == records.APPROVED


async def test_an_unknown_or_unconnected_client_is_refused(
    books: Books, qbo_settings: Settings
) -> None:
    """Given a client reference that names no client, and a client with no QuickBooks
    connection, when `zera push` runs for either, then it says why on stderr, prints nothing
    on stdout and exits 1."""
    unknown = zera_push(qbo_settings, "--client", "juniper landscaping")
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert "no client has the id or the exact name 'juniper landscaping'" in unknown.stderr

    await add_client(books.http, "Unconnected Books")
    unconnected = zera_push(qbo_settings, "--client", "Unconnected Books", "--dry-run")
    assert unconnected.returncode == 1 and unconnected.stdout == ""
    assert "QuickBooks is not connected for this client." in unconnected.stderr


async def test_a_push_is_refused_while_the_clients_push_job_is_queued(
    books: Books, qbo_settings: Settings
) -> None:
    """Two pushes of one client at once could send the same records twice: while the push job
    the Push button started is waiting, `zera push` refuses and writes nothing."""
    from tests.qbo.conftest import wait_for_jobs
    from zera.tasks.qbo import push_records

    vendor = await vendor_of(books)
    (made,) = await approve(books, [expense("Fuel", "84.10", "1207", vendor)])
    queue = app_of(books.http).state.queue
    queue.stop_worker()
    try:
        await push_records.send(queue, client_id=books.client_id, started_by="olive@example.com")
        refused = zera_push(qbo_settings, "--client", CLIENT_NAME)
        assert refused.returncode == 1 and refused.stdout == ""
        assert "a push of this client is queued" in refused.stderr
        client = await client_of(books)
        assert (await records.get_record(client, made.id)).status == records.APPROVED
    finally:
        queue.start_worker(2)
    await wait_for_jobs(books.client_id)
    assert (await records.get_record(client, made.id)).status == records.IN_QUICKBOOKS
