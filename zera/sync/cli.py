"""`zera push --client CLIENT [--dry-run]`: the client's approved records written to QuickBooks.

The same push the Push button starts as a job (`zera.sync.push.push`), run in this process: one
JSON line per record considered, `{"id", "type", "outcome", "qbo_id", "message"}`, then one
summary line `{"summary": {"created": n, "updated": n, "duplicate": n, "blocked": n, "failed":
n}}`. Exit status 0 when no record failed or was blocked, 1 otherwise; 1 too, with the reason on
stderr and nothing on stdout, for an unknown client or a QuickBooks that cannot be reached.

`--dry-run` prints the plan instead (outcome "will create", likely duplicates and blocked
records with why; the summary counts "will create" too) and writes nothing to QuickBooks or to
any record."""

from __future__ import annotations

import argparse
import asyncio
import sys

from zera.accounts.audit import Actor
from zera.clients import client_by_reference
from zera.db import bind_tables, engine_for
from zera.errors import NotFound
from zera.jsonmoney import dumps
from zera.qbo.errors import NeedsReconnect, QBOError, Transient
from zera.qbo.service import QuickBooks
from zera.queue import recent_jobs
from zera.settings import Settings
from zera.sync.push import (
    BLOCKED,
    CREATED,
    DUPLICATE,
    FAILED,
    JOB_TITLE,
    UPDATED,
    WILL_CREATE,
    Outcome,
    push,
)

CLI = Actor(None, "cli")
OUTCOMES = (CREATED, UPDATED, DUPLICATE, BLOCKED, FAILED)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--client", required=True, metavar="CLIENT", help="id or exact name")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="print what a push would do (will create, likely duplicate, blocked and why) and "
        "write nothing",
    )


def summary(outcomes: list[Outcome], *, dry_run: bool) -> dict[str, int]:
    """How many records had each outcome (every outcome named, zeros included)."""
    counts = dict.fromkeys(((WILL_CREATE,) if dry_run else ()) + OUTCOMES, 0)
    for outcome in outcomes:
        counts[outcome.outcome] = counts.get(outcome.outcome, 0) + 1
    return counts


def succeeded(outcomes: list[Outcome]) -> bool:
    return not any(o.outcome in (BLOCKED, FAILED) for o in outcomes)


class PushRunning(Exception):
    """A push of this client is queued or running already; two at once could write twice."""


async def push_client(settings: Settings, client_ref: str, *, dry_run: bool) -> list[Outcome]:
    client = await client_by_reference(client_ref)
    if not dry_run:
        running = [
            job for job in await recent_jobs(client.id, limit=20)
            if job.title == JOB_TITLE and not job.finished
        ]  # fmt: skip
        if running:
            raise PushRunning(
                f"a push of this client is {running[0].state} (job {running[0].id}); wait for "
                "it to finish, then push again."
            )
    quickbooks = QuickBooks(settings)
    async with quickbooks.client_for(client.id) as qbo:
        return await push(qbo, client, CLI, dry_run=dry_run)


def _why(exc: QBOError) -> str:
    if isinstance(exc, NeedsReconnect):
        return (
            f"{exc} Connect (or reconnect) QuickBooks on the client's Connection page, then "
            "push again."
        )
    if isinstance(exc, Transient):
        return f"QuickBooks did not answer ({exc}); try again in a moment."
    return f"QuickBooks refused the push ({exc})."


def run(settings: Settings, args: argparse.Namespace) -> int:
    bind_tables(engine_for(settings.database_url))
    try:
        outcomes = asyncio.run(push_client(settings, args.client, dry_run=args.dry_run))
    except (NotFound, PushRunning) as exc:
        print(f"zera push: {exc}", file=sys.stderr)
        return 1
    except QBOError as exc:
        print(f"zera push: {_why(exc)}", file=sys.stderr)
        return 1
    for outcome in outcomes:
        print(dumps(outcome.to_json()))
    print(dumps({"summary": summary(outcomes, dry_run=args.dry_run)}))
    return 0 if succeeded(outcomes) else 1
