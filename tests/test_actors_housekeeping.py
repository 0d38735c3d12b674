"""The housekeeping actors, started by the scheduler as in production and run by the real queue
and worker: each removes what is past its time and keeps what is not. The job table's `actor`
column proves which actor ran."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import post_form, set_up_firm
from zera.app import create_app
from zera.db.tables import Job, LoginGuard, Session, SignInSource, User, WebhookDelivery
from zera.queue.dead_letters import list_dead_letters
from zera.settings import Settings
from zera.tasks.schedule import run_due

pytestmark = [pytest.mark.db, pytest.mark.queue]


async def firm(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as http:
        await set_up_firm(http)
        app.state.queue.start_worker(1)
        try:
            yield http, app
        finally:
            app.state.queue.close()


@pytest.fixture
async def office(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """A set-up firm, signed in as the owner, with a worker."""
    async for pair in firm(settings):
        yield pair


async def run_the_schedule(app: Any) -> dict[str, str]:
    """Enqueue every periodic job (all are due on a fresh installation), wait for them all;
    return each firm-wide actor's final state."""
    started = await run_due(app.state.queue)
    assert started, "nothing was due"
    deadline = time.monotonic() + 60
    while await Job.count().where(Job.state.is_in(["queued", "running"])).run():
        assert time.monotonic() < deadline, await Job.select().run()
        await asyncio.sleep(0.1)
    rows = await Job.select(Job.actor, Job.state).where(Job.client_id.is_null()).run()
    return {row["actor"]: row["state"] for row in rows}


async def test_purge_expired_sessions_deletes_expired_sessions_and_keeps_live_ones(
    office: tuple[httpx.AsyncClient, Any],
) -> None:
    """Given the owner's live session and an expired one, when purge_expired_sessions runs,
    then only the expired one is gone and the owner is still signed in."""
    http, app = office
    owner = await User.select(User.id).first().run()
    assert owner is not None
    expired = datetime.now(UTC) - timedelta(hours=1)
    await Session.insert(Session(token_hash="e" * 64, user=owner["id"], expires_at=expired)).run()

    states = await run_the_schedule(app)

    assert states["purge_expired_sessions"] == "done"
    hashes = [row["token_hash"] for row in await Session.select(Session.token_hash).run()]
    assert "e" * 64 not in hashes and len(hashes) == 1
    assert (await http.get("/", follow_redirects=False)).status_code == 200


async def test_purge_stale_sign_in_counts_forgets_finished_windows_only(
    office: tuple[httpx.AsyncClient, Any],
) -> None:
    """Given counters from sign-in failures a day old and one from a failure just now, when
    purge_stale_sign_in_counts runs, then the old ones are gone and the recent one stays."""
    _, app = office
    now = datetime.now(UTC)
    day_ago = now - timedelta(days=1)
    await LoginGuard.insert(
        LoginGuard(email="old@example.com", failures=2, last_attempt_at=day_ago),
        LoginGuard(email="recent@example.com", failures=2, last_attempt_at=now),
    ).run()
    await SignInSource.insert(
        SignInSource(ip="192.0.2.1", failures=2, last_failure_at=day_ago),
        SignInSource(ip="192.0.2.2", failures=2, last_failure_at=now),
    ).run()

    states = await run_the_schedule(app)

    assert states["purge_stale_sign_in_counts"] == "done"
    assert [r["email"] for r in await LoginGuard.select(LoginGuard.email).run()] == [
        "recent@example.com"
    ]
    assert [r["ip"] for r in await SignInSource.select(SignInSource.ip).run()] == ["192.0.2.2"]


async def test_forget_webhook_deliveries_drops_replay_keys_older_than_the_window(
    office: tuple[httpx.AsyncClient, Any],
) -> None:
    """Given a replay key from two days ago and one from now (the window is 24 hours), when
    forget_webhook_deliveries runs, then only the recent key is kept."""
    _, app = office
    await WebhookDelivery.insert(
        WebhookDelivery(delivery_key="old", event_at=time.time() - 2 * 86400),
        WebhookDelivery(delivery_key="new", event_at=time.time()),
    ).run()

    states = await run_the_schedule(app)

    assert states["forget_webhook_deliveries"] == "done"
    keys = [
        r["delivery_key"] for r in await WebhookDelivery.select(WebhookDelivery.delivery_key).run()
    ]
    assert keys == ["new"]


async def test_purge_dead_letters_removes_failed_messages_past_the_retention(
    settings: Settings,
) -> None:
    """Given a retention of zero days and a job that failed for good (Refresh for a client with
    no connection), when purge_dead_letters runs, then the dead letter is gone and the failed
    job's row stays to say what happened."""
    async for http, app in firm(dataclasses.replace(settings, dead_letter_days=0)):
        created = await post_form(http, "/clients", {"name": "Never Connected"})
        client_id = int(created.headers["location"].rsplit("/", 1)[1])
        await post_form(http, f"/clients/{client_id}/qbo/refresh", {})
        broker = app.state.queue.broker
        deadline = time.monotonic() + 60
        while not await list_dead_letters(broker):
            assert time.monotonic() < deadline, await Job.select().run()
            await asyncio.sleep(0.2)

        states = await run_the_schedule(app)

        assert states["purge_dead_letters"] == "done"
        assert await list_dead_letters(broker) == []
        failed = await Job.select(Job.state).where(Job.client_id == client_id).run()
        assert [row["state"] for row in failed] == ["failed"]
