"""The job progress fragment: polls while a job runs, stops when it ends, scoped by client."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from tests.conftest import csrf_token, post_form, set_up_firm, sign_in
from zera.tasks.maintenance import purge_expired_sessions

pytestmark = [pytest.mark.db, pytest.mark.queue]


async def test_job_fragment_polls_until_done_and_firm_jobs_are_hidden_from_staff(
    client: httpx.AsyncClient,
) -> None:
    await set_up_firm(client)
    await post_form(
        client,
        "/users",
        {"name": "Una", "email": "una@example.com", "password": "unassigned pw 1", "role": "staff"},
        token_page="/users",
    )
    queue = client._transport.app.state.queue  # type: ignore[attr-defined]
    job_id = await purge_expired_sessions.with_options(title="Tidy sessions").send(queue)

    waiting = await client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})
    assert waiting.status_code == 200
    assert 'hx-trigger="every 1s"' in waiting.text and "queued" in waiting.text

    queue.start_worker(1)
    try:
        for _ in range(200):
            done = await client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})
            if done.status_code == 286:
                break
            await asyncio.sleep(0.05)
    finally:
        queue.stop_worker()
    assert done.status_code == 286, done.text
    assert "hx-trigger" not in done.text
    assert re.search(r'value="100"', done.text) and "done" in done.text

    await client.post("/logout", data={"_csrf_token": await csrf_token(client, "/")})
    await sign_in(client, "una@example.com", "unassigned pw 1")
    assert (await client.get(f"/jobs/{job_id}")).status_code == 404
    assert (await client.get(f"/jobs/{job_id}", headers={"HX-Request": "true"})).status_code == 404
