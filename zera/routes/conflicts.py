"""The Conflicts section: records both Zera and QuickBooks changed in the same field or line,
listed with what clashes, shown side by side (base, Zera, QuickBooks) and resolved by a person's
choice per field or line, or "all Zera" / "all QuickBooks".

Each handler checks access once, with `clients.get_client` (404 for a client the user may not
see); another client's record is 404 through `get_record`. A resolution is sent to QuickBooks at
once as an update of that one record: the push reads QuickBooks again first, so a change made
there meanwhile is merged, or shown here as a new conflict, never overwritten."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from litestar import Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from zera import clients
from zera.accounts import Actor, CurrentUser
from zera.clients import ClientSummary
from zera.errors import Conflict, InvalidInput
from zera.queue import JobQueue
from zera.review.records import DELETED
from zera.routes.sections import render_section
from zera.sync.conflicts import ConflictView, conflict_view, list_conflicts, resolve_conflict
from zera.sync.merge import SIDES
from zera.tasks.qbo import push_records

LIST_LIMIT = 200  # each listed conflict is merged to say what clashes: keep the page quick
CHOICE = "choice:"  # form fields `choice:<key>` = ours | theirs, one per conflicting row
RESOLVED = {
    "sent": "Resolved: sending your choice to QuickBooks.",
    "deleted": "Resolved: QuickBooks' delete is accepted; the record is marked deleted in Zera.",
}


async def _open_conflicts(client: ClientSummary) -> tuple[list[ConflictView], bool]:
    """The client's open conflicts, each with its rows (and whether the list was cut short)."""
    found = await list_conflicts(client)
    views = []
    for record in found[:LIST_LIMIT]:
        try:
            views.append(await conflict_view(client, record.id))
        except Conflict:  # resolved between the list and its read: no longer open
            continue
    return views, len(found) > LIST_LIMIT


async def _list_page(
    request: HTMXRequest,
    user: CurrentUser,
    client: ClientSummary,
    status: int = 200,
    *,
    message: str = "",
    error: str = "",
) -> Template:
    views, truncated = await _open_conflicts(client)
    return await render_section(request, user, client, "conflicts", status, conflicts=views,
                                truncated=truncated, message=message, error=error)  # fmt: skip


async def _conflict_page(
    request: HTMXRequest,
    user: CurrentUser,
    client: ClientSummary,
    record_id: int,
    status: int = 200,
    *,
    error: str = "",
    chosen: Mapping[str, str] | None = None,
) -> Template:
    """One conflict side by side; the list with why, when it is no longer open."""
    try:
        view = await conflict_view(client, record_id)
    except Conflict as exc:
        return await _list_page(request, user, client, status, error=error or str(exc))
    return await render_section(request, user, client, "conflicts", status, conflict=view,
                                error=error, chosen=dict(chosen or {}))  # fmt: skip


def _choices(form: FormMultiDict) -> dict[str, str]:
    return {
        key.removeprefix(CHOICE): str(value)
        for key, value in form.multi_items()
        if key.startswith(CHOICE)
    }


def _version(form: FormMultiDict) -> int:
    try:
        return int(str(form.get("version") or ""))
    except ValueError:
        raise InvalidInput("version", "The form lost track of the conflict: reload it.") from None


@get("/clients/{client_id:int}/conflicts")
async def conflicts_section(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    resolved: FromQuery[str] = "",
) -> Template:
    """Every open conflict: its record, and which fields clash with both sides' values."""
    client = await clients.get_client(user, client_id)
    return await _list_page(request, user, client, message=RESOLVED.get(resolved, ""))


@get("/clients/{client_id:int}/conflicts/{record_id:int}")
async def conflict_page(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Template:
    client = await clients.get_client(user, client_id)
    return await _conflict_page(request, user, client, record_id)


@post("/clients/{client_id:int}/conflicts/{record_id:int}")
async def resolve(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    queue: NamedDependency[JobQueue],
    client_id: FromPath[int],
    record_id: FromPath[int],
) -> Response[Any]:
    """Resolve with the form's `choice:<key>` fields (or `all` = ours | theirs for every
    conflicting row) against `version`, then send the result to QuickBooks."""
    client = await clients.get_client(user, client_id)
    form = await request.form()
    choices = _choices(form)
    try:
        version = _version(form)
        everything = str(form.get("all") or "")
        if everything:
            if everything not in SIDES:
                raise InvalidInput("all", "Choose all Zera or all QuickBooks.")
            view = await conflict_view(client, record_id)
            choices = {row.key: everything for row in view.conflicts}
        done = await resolve_conflict(actor, client, record_id, version, choices)
    except InvalidInput as exc:
        return await _conflict_page(request, user, client, record_id, 422, error=str(exc),
                                    chosen=choices)  # fmt: skip
    except Conflict as exc:  # StaleEdit too: the fresh conflict, never the old choices
        return await _conflict_page(request, user, client, record_id, 409, error=str(exc))
    outcome = "deleted" if done.status == DELETED else "sent"
    if outcome == "sent":
        await push_records.send(queue, client_id=client.id, started_by=user.email,
                                record_ids=[done.id])  # fmt: skip
    url = f"/clients/{client.id}/conflicts"
    if not request.htmx:
        return Redirect(path=f"{url}?resolved={outcome}", status_code=303)
    page = await _list_page(request, user, client, message=RESOLVED[outcome])
    page.headers["HX-Push-Url"] = url
    return page


ROUTES = [conflicts_section, conflict_page, resolve]
