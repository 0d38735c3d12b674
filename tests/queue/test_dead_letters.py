"""Failed jobs are dead letters: shown as such in the job table, listed and purged by
`zera queue dead-letters`, whichever broker keeps them."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import post_form, set_up_firm
from tests.support.jobs import all_in_state, wait_for_jobs
from zera.db.tables import Job
from zera.settings import Settings

pytestmark = [pytest.mark.queue, pytest.mark.db]

REPO = Path(__file__).resolve().parents[2]


def zera_queue(settings: Settings, *args: str) -> list[dict[str, Any]]:
    """Run `zera queue ...` as a separate process on the test's stores; its JSON lines."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZERA_")}
    env.update(
        ZERA_BASE_DIR=str(settings.base_dir),
        DATABASE_URL=settings.database_url,
        ZERA_QUEUE_URL=settings.queue_url,
        ZERA_SECRET_KEY=settings.secret_key,
        ZERA_TOKEN_KEYS=",".join(settings.token_keys),
        ZERA_LOG_LEVEL="WARNING",
    )
    done = subprocess.run(
        [sys.executable, "-m", "zera.cli", "queue", *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


async def listed(settings: Settings, job_id: str, *, within: float = 30) -> dict[str, Any]:
    """The dead letter of `job_id` (the worker nacks just after the job row says failed)."""
    deadline = time.monotonic() + within
    while True:
        letters = {letter["job_id"]: letter for letter in zera_queue(settings, "dead-letters")}
        if job_id in letters or time.monotonic() > deadline:
            assert job_id in letters, letters
            return letters[job_id]
        await asyncio.sleep(0.2)


async def test_a_job_that_gave_up_is_a_dead_letter_until_purged(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    """Given the owner presses Refresh for a client with no QuickBooks connection (a failure no
    retry can fix), when the worker gives up, then the job shows failed as a dead letter, the
    CLI lists it with actor, job, client, error and time, and a purge removes it."""
    await set_up_firm(client)
    created = await post_form(client, "/clients", {"name": "Never Connected"})
    client_id = int(created.headers["location"].rsplit("/", 1)[1])
    await post_form(client, f"/clients/{client_id}/qbo/refresh", {})
    job = await Job.select(Job.id).where(Job.client_id == client_id).first().run()
    assert job is not None
    queue = client._transport.app.state.queue  # type: ignore[attr-defined]
    queue.start_worker(1)
    try:
        await wait_for_jobs([job["id"]], all_in_state("failed"), within=60, what="the refresh")
        letter = await listed(settings, str(job["id"]))
    finally:
        queue.stop_worker()

    fragment = await client.get(f"/jobs/{job['id']}", headers={"HX-Request": "true"})
    assert "failed" in fragment.text and "Dead letter" in fragment.text
    assert "zera queue dead-letters" in fragment.text
    assert letter["actor"] == "refresh_reference_data"
    assert letter["client_id"] == client_id
    assert letter["error"] == "PermanentError: QuickBooks is not connected for this client."
    assert letter["dead_at"]

    zera_queue(settings, "dead-letters", "--purge", "--older-than", "1")  # died just now: kept
    assert str(job["id"]) in {letter["job_id"] for letter in zera_queue(settings, "dead-letters")}
    purged = zera_queue(settings, "dead-letters", "--purge")
    assert purged[0]["purged"] >= 1
    remaining = zera_queue(settings, "dead-letters")
    assert str(job["id"]) not in {letter["job_id"] for letter in remaining}
