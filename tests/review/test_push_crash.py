"""Exactly once across a crash (issue #11): a real `zera worker` process pushing approved
records to the built-in sandbox is killed with SIGKILL in the middle of the push; the push job
runs again on a new worker and every record ends in QuickBooks exactly once (counted by the
"[zera <id>]" marker in the sandbox), every new name once, no record left pushing."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.qbo.conftest import app_of
from tests.review.conftest import Books
from tests.review.test_push_faults import ACTOR, approved, in_quickbooks, purchase, unmetered
from tests.support.workers import Workers
from zera.db.tables import Job, Record
from zera.review import records
from zera.settings import Settings
from zera.tasks.qbo import push_records

pytestmark = [pytest.mark.db, pytest.mark.queue]

BATCH = 30
RECORDS = 240  # 8 batches, 120 on each of two days (more than a page of a query answer)
NEW_PAYEES = ["Crashproof Gravel", "Kill Nine Nursery", "Restart Irrigation", "Lease Lumber"]
WITHIN = 240  # seconds; generous for two loaded cores, reached in well under a minute normally


def short_leases(queue_url: str) -> str:
    """A killed worker's job comes back after 2 s, not the default 30. (The options are
    appended to the URL as written: `urlunsplit` would make `sqlite:////abs` relative.)"""
    options = urlencode({"lease_seconds": 2, "retry_min_ms": 200, "retry_max_ms": 2000})
    return f"{queue_url}{'&' if '?' in queue_url else '?'}{options}"


class PushWorkers(Workers):
    """`zera worker` processes on the test's database and queue that can reach the sandbox."""

    def environment(self, threads: int) -> dict[str, str]:
        env = super().environment(threads)
        env.update(
            ZERA_PUBLIC_URL=self.settings.public_url,
            ZERA_SANDBOX_URL=self.settings.sandbox_url,
            ZERA_SANDBOX_CLIENT_ID=self.settings.sandbox_client_id,
            ZERA_SANDBOX_CLIENT_SECRET=self.settings.sandbox_client_secret,
            ZERA_SANDBOX_VERIFIER_TOKEN=self.settings.sandbox_verifier_token,
        )
        return env


@pytest.fixture
def workers(qbo_settings: Settings, tmp_path: Path) -> Iterator[PushWorkers]:
    started = PushWorkers(qbo_settings, short_leases(qbo_settings.queue_url), tmp_path)
    try:
        yield started
    finally:
        started.clean_up()


async def record_states(ids: list[int]) -> Counter[str]:
    rows = await Record.select(Record.status).where(Record.id.is_in(ids)).run()
    return Counter(row["status"] for row in rows)


async def pushing(ids: list[int]) -> list[int]:
    rows = await Record.select(Record.id).where(
        Record.id.is_in(ids) & (Record.status == records.PUSHING)
    ).run()  # fmt: skip
    return [row["id"] for row in rows]


async def poll(
    ready: Callable[[], Awaitable[bool]], *, what: str, job_id: object, workers: Workers
) -> None:
    deadline = time.monotonic() + WITHIN
    while not await ready():
        if time.monotonic() > deadline:
            job = await Job.select().where(Job.id == job_id).first().run()
            raise AssertionError(
                f"timed out after {WITHIN} s waiting for {what}; job {job}\n{workers.logs()}"
            )
        await asyncio.sleep(0.02)


def sending(states: Counter[str]) -> bool:
    """A batch after the first is being claimed: at least ten of its records still to claim
    (so it cannot reach QuickBooks before the kill lands), none of its answers recorded."""
    done, claimed = states[records.IN_QUICKBOOKS], states[records.PUSHING]
    return done >= BATCH and done % BATCH == 0 and 0 < claimed <= BATCH - 10


def recording(states: Counter[str]) -> bool:
    """QuickBooks has answered a batch and Zera has recorded part of the answers, with at least
    ten still to record: those records are in QuickBooks while Zera has them as pushing."""
    done = states[records.IN_QUICKBOOKS]
    return done > BATCH and 0 < done % BATCH <= BATCH - 10 and states[records.PUSHING] > 0


@pytest.mark.parametrize("moment", [sending, recording], ids=["sending", "recording"])
async def test_a_worker_killed_mid_push_leaves_every_record_in_quickbooks_exactly_once(
    books: Books, workers: PushWorkers, moment: Callable[[Counter[str]], bool]
) -> None:
    """Given 240 approved Purchases naming four payees QuickBooks does not have yet, and the
    push job running on a real worker process, when the worker is SIGKILLed after a batch is
    in QuickBooks, while the next is being sent (its records left pushing, not in QuickBooks)
    or while QuickBooks's answers to it are being recorded (records left pushing that
    QuickBooks has: a lost answer), and a new worker starts, then the job is done, every record
    is in QuickBooks exactly once under the Id Zera recorded for it, each new payee exists
    once, and no record is left pushing."""
    app_of(books.http).state.queue.stop_worker()  # from here only the worker processes run jobs
    days = ("2026-03-05", "2026-03-06")
    payees = [*NEW_PAYEES, "Harbor Fuel Co"]
    items = [purchase(n, payees[n % 5], day=days[n % 2]) for n in range(RECORDS)]
    ids = [record.id for record in await approved(books, items)]
    job_id = await push_records.send(
        app_of(books.http).state.queue, client_id=books.client_id, started_by=ACTOR.email
    )
    first = workers.start(threads=2)

    async def at_the_moment() -> bool:
        states = await record_states(ids)
        assert states[records.IN_QUICKBOOKS] < RECORDS, "the push ended before the moment; rerun"
        return moment(states)

    await poll(at_the_moment, what=f"the push to be {moment.__name__}", job_id=job_id,
               workers=workers)  # fmt: skip
    first.kill()

    at_kill = await record_states(ids)
    assert 0 < at_kill[records.IN_QUICKBOOKS] < RECORDS and at_kill[records.PUSHING], at_kill
    held = await in_quickbooks(books)
    lost_answers = [i for i in await pushing(ids) if i in held]
    assert bool(lost_answers) == (moment is recording), (at_kill, lost_answers)

    second = workers.start(threads=2)

    async def job_done() -> bool:
        job = await Job.select(Job.state).where(Job.id == job_id).first().run()
        return job is not None and job["state"] in ("done", "failed")

    await poll(job_done, what="the push job to finish", job_id=job_id, workers=workers)
    assert second.stop() == 0, second.log_tail()

    job = await Job.select().where(Job.id == job_id).first().run()
    assert job and (job["state"], job["progress"], job["error"]) == ("done", 100, ""), job
    assert await record_states(ids) == {records.IN_QUICKBOOKS: RECORDS}
    written = await in_quickbooks(books)
    assert [i for i in ids if len(written.get(i, [])) != 1] == [], "missing or doubled"
    recorded = await Record.select(Record.id, Record.qbo_id).where(Record.id.is_in(ids)).run()
    assert {row["id"]: [row["qbo_id"]] for row in recorded} == {i: written[i] for i in ids}
    async with unmetered(books) as qbo:
        for payee in NEW_PAYEES:
            found = await qbo.query(
                f"SELECT * FROM Vendor WHERE DisplayName = '{payee}' AND Active IN (true, false)"  # noqa: S608
            )
            assert len(found.get("Vendor", [])) == 1, payee
