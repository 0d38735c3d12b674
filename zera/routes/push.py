"""The Push page: what pushing the client's approved records would do (a dry run against
QuickBooks as it is now), the button that starts the push as a job, its progress and, once it
is done, what it did and which records failed and why.

Each handler checks access once, with `clients.get_client` (404 for a client the user may not
see). While a push runs the page shows its progress instead of a plan (a plan then would list
records already on their way) and polls until it is done."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from zera import clients
from zera.accounts import Actor, CurrentUser
from zera.clients import ClientSummary
from zera.errors import Conflict, InvalidInput, NotFound
from zera.qbo.errors import NeedsReconnect, QBOError
from zera.qbo.service import QuickBooks
from zera.qbo.vault import connection_info
from zera.queue import JobQueue, JobView, recent_jobs
from zera.review import payloads
from zera.review.records import (
    APPROVED,
    FAILED,
    IN_QUICKBOOKS,
    PUSHING,
    RecordView,
    list_records,
    override_closing_date,
)
from zera.routes.sections import render_section
from zera.sync.push import BLOCKED, DUPLICATE, WILL_CREATE, WILL_UPDATE, Outcome, push
from zera.sync.records import PushRunView, last_run
from zera.tasks.qbo import push_records, undo_push_run

# How far back the page looks for the client's last push among its jobs.
JOBS_LOOKED_AT = 50


@dataclass(frozen=True)
class PlannedRecord:
    """One record of the plan: what the push will do with it, and the record to link to."""

    outcome: Outcome
    record: RecordView | None

    @property
    def label(self) -> str:
        spec = payloads.TYPES.get(self.outcome.type)
        return spec.label if spec else self.outcome.type


@dataclass(frozen=True)
class PlanView:
    will_create: list[PlannedRecord] = field(default_factory=list)
    will_update: list[PlannedRecord] = field(default_factory=list)  # edited since pushed
    duplicates: list[PlannedRecord] = field(default_factory=list)
    blocked: list[PlannedRecord] = field(default_factory=list)

    @property
    def by_type(self) -> list[tuple[str, int]]:
        """(type label, how many) of the records the push will create, most first."""
        counts = Counter(p.label for p in self.will_create)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    @property
    def empty(self) -> bool:
        return not (self.will_create or self.will_update or self.duplicates or self.blocked)


@dataclass(frozen=True)
class LastPush:
    """The client's most recent push job and what the records say it did."""

    job: JobView
    created: int  # records that reached QuickBooks since it started
    failed: int  # records QuickBooks refused since it started


@dataclass(frozen=True)
class PushView:
    run: PushRunView | None = None  # the last push run, for its Undo
    job: JobView | None = None  # the last push, running or finished
    last: LastPush | None = None  # set once it has finished
    plan: PlanView | None = None  # None while a push runs or when QuickBooks cannot be asked
    problem: str = ""  # why there is no plan: not connected, needs reconnecting, unreachable
    failed: list[RecordView] = field(default_factory=list)  # every record whose push failed

    @property
    def running(self) -> bool:
        return self.job is not None and not self.job.finished


async def _last_push_job(client: ClientSummary) -> JobView | None:
    jobs = await recent_jobs(client.id, limit=JOBS_LOOKED_AT)
    return next((job for job in jobs if job.title == push_records.title), None)


async def _connection_problem(client: ClientSummary) -> str:
    connection = await connection_info(client.id)
    if connection is None:
        return "QuickBooks is not connected for this client yet: connect it on the Connection tab."
    if connection.needs_reconnect:
        return (
            "QuickBooks needs reconnecting: it no longer accepts this client's connection"
            f"{f' ({connection.last_error})' if connection.last_error else ''}. Reconnect it on "
            "the Connection tab, then push."
        )
    return ""


async def _plan(
    quickbooks: QuickBooks, client: ClientSummary, actor: Actor
) -> tuple[PlanView | None, str]:
    """The dry run against QuickBooks as it is now, or why it could not be made."""
    problem = await _connection_problem(client)
    if problem:
        return None, problem
    try:
        async with quickbooks.client_for(client.id) as qbo:
            outcomes = await push(qbo, client, actor, dry_run=True)
    except NeedsReconnect as exc:
        return None, (
            f"QuickBooks needs reconnecting ({exc}). Reconnect it on the Connection tab, then push."
        )
    except QBOError as exc:
        return None, (
            f"QuickBooks could not be asked what a push would do ({exc}). Nothing was sent; "
            "try again in a moment."
        )
    waiting = await list_records(client, status=APPROVED) + await list_records(
        client, status=PUSHING
    )
    by_id = {r.id: r for r in waiting}
    plan = PlanView()
    for outcome in outcomes:
        planned = PlannedRecord(outcome, by_id.get(outcome.id))
        if outcome.outcome == WILL_CREATE:
            plan.will_create.append(planned)
        elif outcome.outcome == WILL_UPDATE:
            plan.will_update.append(planned)
        elif outcome.outcome == DUPLICATE:
            plan.duplicates.append(planned)
        elif outcome.outcome == BLOCKED:
            plan.blocked.append(planned)
    return plan, ""


def _since(found: list[RecordView], job: JobView) -> int:
    return sum(1 for r in found if r.updated_at >= job.created_at)


async def push_view(quickbooks: QuickBooks, client: ClientSummary, actor: Actor) -> PushView:
    """The page: the last push (its progress, or what it did) and, unless one is running, the
    plan of the next."""
    job = await _last_push_job(client)
    failed = await list_records(client, status=FAILED)
    if job is not None and not job.finished:
        return PushView(job=job, failed=failed)
    last = None
    if job is not None:
        pushed = await list_records(client, status=IN_QUICKBOOKS)
        last = LastPush(job, created=_since(pushed, job), failed=_since(failed, job))
    planned, problem = await _plan(quickbooks, client, actor)
    return PushView(run=await last_run(client.id), job=job, last=last, plan=planned,
                    problem=problem, failed=failed)  # fmt: skip


@get("/clients/{client_id:int}/push")
async def push_page(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    quickbooks: NamedDependency[QuickBooks],
    client_id: FromPath[int],
) -> Template:
    client = await clients.get_client(user, client_id)
    view = await push_view(quickbooks, client, actor)
    return await render_section(request, user, client, "push", push=view)


@post("/clients/{client_id:int}/push")
async def start_push(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    quickbooks: NamedDependency[QuickBooks],
    queue: NamedDependency[JobQueue],
    client_id: FromPath[int],
) -> Response[Any]:
    """Start the push job (unless one is already running) and show its progress."""
    client = await clients.get_client(user, client_id)
    if await _connection_problem(client):
        view = await push_view(quickbooks, client, actor)
        return await render_section(request, user, client, "push", 409, push=view)
    running = await _last_push_job(client)
    if running is None or running.finished:
        await push_records.send(queue, client_id=client.id, started_by=user.email)
    if not request.htmx:
        return Redirect(path=f"/clients/{client.id}/push", status_code=303)
    view = await push_view(quickbooks, client, actor)
    return await render_section(request, user, client, "push", push=view)


@post("/clients/{client_id:int}/push/runs/{run_id:int}/undo")
async def undo_push_page(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    queue: NamedDependency[JobQueue],
    client_id: FromPath[int],
    run_id: FromPath[int],
) -> Response[Any]:
    """Start undoing the client's last push (a closed-period record gets a reversing journal
    entry when the form asks for one)."""
    client = await clients.get_client(user, client_id)
    run = await last_run(client.id)
    if run is None or run.id != run_id:
        raise NotFound("Only the client's last push can be undone here.")
    form = await request.form()
    await undo_push_run.send(
        queue, client_id=client.id, run_id=run.id, started_by=user.email,
        reverse_with_journal=form.get("reverse_with_journal") == "yes",
    )  # fmt: skip
    return Redirect(path=f"/clients/{client.id}/push", status_code=303)


@post("/clients/{client_id:int}/push/records/{record_id:int}/closing-override")
async def override_closing(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    quickbooks: NamedDependency[QuickBooks],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Response[Any]:
    """Send a record dated in the closed period anyway, with the user's reason."""
    client = await clients.get_client(user, client_id)
    form = await request.form()
    try:
        await override_closing_date(
            actor, client, record_id, int(str(form.get("version") or 0)),
            str(form.get("reason") or ""),
        )  # fmt: skip
    except (InvalidInput, Conflict) as exc:
        view = await push_view(quickbooks, client, actor)
        status = 409 if isinstance(exc, Conflict) else 400
        return await render_section(request, user, client, "push", status, push=view,
                                    override_error=str(exc))  # fmt: skip
    return Redirect(path=f"/clients/{client.id}/push", status_code=303)


ROUTES = [push_page, start_push, undo_push_page, override_closing]
