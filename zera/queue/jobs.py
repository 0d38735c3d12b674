"""The job table: what a person sees of background work, and the middleware that keeps it true."""

from __future__ import annotations

import logging
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


async def create_job(actor: str, *, title: str, client_id: int | None) -> uuid.UUID:
    rows = (
        await Job.insert(Job(actor=actor, title=title, client_id=client_id)).returning(Job.id).run()
    )
    return uuid.UUID(str(rows[0]["id"]))


async def load_job(job_id: uuid.UUID) -> JobView | None:
    row = (
        await Job.select(
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
        .where(Job.id == job_id)
        .first()
        .run()
    )
    return JobView(**row) if row else None


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
        await Job.select(
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


class JobTracking(Middleware):
    """Moves a job row through queued -> running -> done/failed around each message.

    A message for a job already done is skipped: delivery is at-least-once (a worker killed after
    finishing but before acking hands its message to another), and the job must finish once.
    """

    def before_process_message(self, broker: dramatiq.Broker, message: Any) -> None:
        job_id = message.kwargs.get("job_id")
        if not job_id:
            return
        job_uuid = uuid.UUID(str(job_id))
        row = run_sync(Job.select(Job.state).where(Job.id == job_uuid).first().run())
        if row is None or row["state"] == "done":
            raise SkipMessage(f"job {job_id} is {'unknown' if row is None else 'already done'}")
        run_sync(
            Job.update(
                {
                    Job.state: "running",
                    Job.attempts: Job.attempts + 1,
                    Job.started_at: datetime.now(UTC),
                }
            )
            .where(Job.id == job_uuid)
            .run()
        )

    def after_process_message(
        self,
        broker: dramatiq.Broker,
        message: Any,
        *,
        result: Any = None,
        exception: BaseException | None = None,
    ) -> None:
        job_id = message.kwargs.get("job_id")
        if not job_id:
            return
        now = datetime.now(UTC)
        if exception is None:
            values: dict[Any, Any] = {
                Job.state: "done",
                Job.progress: 100,
                Job.error: "",
                Job.finished_at: now,
            }
        elif getattr(message, "failed", False):
            values = {Job.state: "failed", Job.error: _describe(exception), Job.finished_at: now}
        else:
            values = {Job.state: "queued", Job.error: f"retrying after: {_describe(exception)}"}
        run_sync(Job.update(values).where(Job.id == uuid.UUID(str(job_id))).run())


def _describe(exception: BaseException) -> str:
    return f"{type(exception).__name__}: {exception}"[:2000]
