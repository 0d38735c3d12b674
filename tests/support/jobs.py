"""Reading job rows and waiting, boundedly, for them to change."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from zera.db.tables import Job


async def job_rows(job_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, dict[str, Any]]:
    ids = list(job_ids)
    rows = await Job.select().where(Job.id.is_in(ids)).run()
    return {uuid.UUID(str(row["id"])): row for row in rows}


async def wait_for_jobs(
    job_ids: Iterable[uuid.UUID],
    done: Callable[[dict[uuid.UUID, dict[str, Any]]], bool],
    *,
    within: float,
    what: str,
    context: Callable[[], str] = lambda: "",
) -> dict[uuid.UUID, dict[str, Any]]:
    """Poll the job rows until `done(rows)`; fail with their states after `within` seconds."""
    ids = list(job_ids)
    deadline = time.monotonic() + within
    while True:
        rows = await job_rows(ids)
        if done(rows):
            return rows
        if time.monotonic() > deadline:
            states: dict[str, int] = {}
            for row in rows.values():
                states[row["state"]] = states.get(row["state"], 0) + 1
            sample = [
                {k: row[k] for k in ("state", "attempts", "progress", "error")}
                for row in list(rows.values())[:5]
            ]
            raise AssertionError(
                f"timed out after {within} s waiting for {what}; job states {states};"
                f" sample {sample}\n{context()}"
            )
        await asyncio.sleep(0.1)


async def wait_until(
    predicate: Callable[[], bool], *, within: float, what: str, context: Callable[[], str]
) -> None:
    deadline = time.monotonic() + within
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}\n{context()}")
        await asyncio.sleep(0.02)


def all_in_state(state: str) -> Callable[[dict[uuid.UUID, dict[str, Any]]], bool]:
    return lambda rows: bool(rows) and all(row["state"] == state for row in rows.values())
