"""The job table: what a person sees of background work, and the middleware that keeps it true."""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import dramatiq
from dramatiq.middleware import Middleware, SkipMessage
from piccolo.utils.sync import run_sync

from zera.accounts.errors import NotFound
from zera.accounts.users import CurrentUser
from zera.clients import get_client
from zera.db.tables import Job

log = logging.getLogger(__name__)

FINISHED = ("done", "failed")


@dataclass(frozen=True)
class JobView:
    id: uuid.UUID
    title: str
    client_id: int | None
    state: str
    progress: int
    attempts: int
    error: str
    created_at: datetime
    finished_at: datetime | None

    @property
    def finished(self) -> bool:
        return self.state in FINISHED

    @property
    def dead_letter(self) -> bool:
        """It ran and gave up: its message is kept as a dead letter (`zera queue dead-letters`)
        until purged. A job that never reached the queue failed too, but left no message."""
        return self.state == "failed" and self.attempts > 0


# The columns a JobView is made of.
_VIEW_COLUMNS = (
    Job.id,
    Job.title,
    Job.client_id,
    Job.state,
    Job.progress,
    Job.attempts,
    Job.error,
    Job.created_at,
    Job.finished_at,
)


async def create_job(actor: str, *, title: str, client_id: int | None) -> uuid.UUID:
    rows = (
        await Job.insert(Job(actor=actor, title=title, client_id=client_id)).returning(Job.id).run()
    )
    return uuid.UUID(str(rows[0]["id"]))


async def load_job(job_id: uuid.UUID) -> JobView | None:
    row = await Job.select(*_VIEW_COLUMNS).where(Job.id == job_id).first().run()
    return JobView(**row) if row else None


async def jobs_by_id(ids: list[Any]) -> dict[Any, JobView]:
    """The jobs with these ids, keyed by id (one query)."""
    if not ids:
        return {}
    rows = await Job.select(*_VIEW_COLUMNS).where(Job.id.is_in(ids)).run()
    return {row["id"]: JobView(**row) for row in rows}


async def job_for_user(user: CurrentUser, job_id: uuid.UUID) -> JobView:
    """The job if `user` may see it: client jobs need access to the client, firm jobs an owner."""
    job = await load_job(job_id)
    if job is None:
        raise NotFound("No such job.")
    if job.client_id is None:
        if not user.is_owner:
            raise NotFound("No such job.")
    else:
        await get_client(user, job.client_id)
    return job


async def recent_jobs(client_id: int, limit: int = 20) -> list[JobView]:
    rows = (
        await Job.select(*_VIEW_COLUMNS)
        .where(Job.client_id == client_id)
        .order_by(Job.created_at, ascending=False)
        .limit(limit)
        .run()
    )
    return [JobView(**row) for row in rows]


async def report_progress(job_id: str | uuid.UUID, percent: int) -> None:
    """Actors call this as they go; the page's progress bar reads it."""
    await (
        Job.update({Job.progress: max(0, min(100, percent))})
        .where(Job.id == uuid.UUID(str(job_id)))
        .run()
    )


async def mark_done(job_id: str | uuid.UUID) -> None:
    """Record that the job's work finished; the runtime calls it inside the actor itself."""
    await (
        Job.update(
            {
                Job.state: "done",
                Job.progress: 100,
                Job.error: "",
                Job.finished_at: datetime.now(UTC),
            }
        )
        .where(Job.id == uuid.UUID(str(job_id)))
        .run()
    )


async def mark_failed_to_send(job_id: uuid.UUID, exception: BaseException) -> None:
    """Record that the job's message never reached the queue."""
    await (
        Job.update(
            {
                Job.state: "failed",
                Job.error: f"could not queue the job: {_describe(exception)}",
                Job.finished_at: datetime.now(UTC),
            }
        )
        .where(Job.id == job_id)
        .run()
    )


class JobTracking(Middleware):
    """Moves a job row through queued -> running -> failed, or back to queued for a retry.

    Success is recorded by the actor itself (`mark_done`, wrapped around every task by the
    runtime): a failure to write it then fails the message and is retried, instead of being
    swallowed as Dramatiq swallows errors in `after_*` hooks.

    A message for a finished job is skipped: delivery is at-least-once (a worker killed after
    finishing but before acking hands its message to another), and a job must finish once.

    This middleware must come *before* Retries in the broker's list: Dramatiq runs `after_*`
    hooks in reverse order, and this one needs to know whether Retries gave up (`message.failed`).
    Retries may already have re-enqueued the message by then, and with a short backoff the next
    attempt may be running, so the "queued again" update only touches the attempt it belongs to.
    """

    def __init__(self) -> None:
        # before/after of one message run on the same worker thread.
        self._attempt = threading.local()

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        self._attempt.number = None
        job_id = message.kwargs.get("job_id")
        if not job_id:
            return
        # One conditional write claims the attempt: no gap between checking and updating.
        rows = run_sync(
            Job.update(
                {
                    Job.state: "running",
                    Job.attempts: Job.attempts + 1,
                    Job.started_at: datetime.now(UTC),
                }
            )
            .where(Job.id == uuid.UUID(str(job_id)), Job.state.not_in(list(FINISHED)))
            .returning(Job.attempts)
            .run()
        )
        if not rows:
            raise SkipMessage(f"job {job_id} is unknown or already finished")
        self._attempt.number = rows[0]["attempts"]

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: Any,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        attempt: int | None = getattr(self._attempt, "number", None)
        self._attempt.number = None
        job_id = message.kwargs.get("job_id")
        if not job_id or exception is None:
            return
        job_uuid = uuid.UUID(str(job_id))
        if getattr(message, "failed", False):
            run_sync(
                Job.update(
                    {
                        Job.state: "failed",
                        Job.error: _describe(exception),
                        Job.finished_at: datetime.now(UTC),
                    }
                )
                .where(Job.id == job_uuid, Job.state != "done")
                .run()
            )
        elif attempt is not None:
            run_sync(
                Job.update(
                    {Job.state: "queued", Job.error: f"retrying after: {_describe(exception)}"}
                )
                .where(Job.id == job_uuid, Job.state == "running", Job.attempts == attempt)
                .run()
            )


def _describe(exception: BaseException) -> str:
    return f"{type(exception).__name__}: {exception}"[:2000]
