"""Dashboard and client pages. Every handler resolves the client through `clients.get_client`,
which answers 404 for a client the user may not see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from zera import clients
from zera.accounts import Actor, CurrentUser
from zera.accounts.users import firm_name
from zera.documents import document_counts
from zera.errors import InvalidInput, NotFound, ZeraError
from zera.qbo.service import QuickBooks
from zera.qbo.vault import connection_statuses
from zera.routes.sections import render_section, section_context
from zera.sync.health import health_by_client


@dataclass
class NameForm:
    name: str


async def _dashboard(
    user: CurrentUser,
    quickbooks: QuickBooks,
    *,
    archived: bool = False,
    error: str | None = None,
    status: int = 200,
) -> Template:
    visible = await clients.visible_clients(user, archived=archived)
    ids = [c.id for c in visible]
    return Template(
        "dashboard.html",
        status_code=status,
        context={
            "user": user,
            "firm": await firm_name(),
            "archived": archived,
            "clients": visible,
            "connections": await connection_statuses(ids),
            "documents": await document_counts(ids),
            "health": await health_by_client(ids, limiter=quickbooks.limiter),
            "error": error,
        },
    )


@get("/")
async def dashboard(
    user: NamedDependency[CurrentUser],
    quickbooks: NamedDependency[QuickBooks],
    archived: FromQuery[bool] = False,
) -> Template:
    return await _dashboard(user, quickbooks, archived=archived)


@post("/clients")
async def create_client(
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    quickbooks: NamedDependency[QuickBooks],
    data: URLEncodedBody[NameForm],
) -> Response[Any]:
    try:
        client_id = await clients.create_client(user, actor, data.name)
    except ZeraError as exc:
        if isinstance(exc, NotFound):
            raise
        return await _dashboard(user, quickbooks, error=str(exc), status=exc.status_code)
    return Redirect(path=f"/clients/{client_id}", status_code=303)


@get("/clients/{client_id:int}")
async def client_page(
    user: NamedDependency[CurrentUser],
    quickbooks: NamedDependency[QuickBooks],
    client_id: FromPath[int],
) -> Template:
    client = await clients.get_client(user, client_id)
    context = await section_context(user, client, "documents", limiter=quickbooks.limiter)
    return Template("client.html", context={**context, "firm": await firm_name()})


@get("/clients/{client_id:int}/{section:str}")
async def client_section(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    client_id: FromPath[int],
    section: FromPath[str],
) -> Template:
    client = await clients.get_client(user, client_id)
    return await render_section(request, user, client, section)


@post("/clients/{client_id:int}/rename")
async def rename_client(
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    client_id: FromPath[int],
    data: URLEncodedBody[NameForm],
) -> Response[Any]:
    await clients.rename_client(user, actor, client_id, data.name)
    return Redirect(path=f"/clients/{client_id}/settings", status_code=303)


@post("/clients/{client_id:int}/archive")
async def archive_client(
    user: NamedDependency[CurrentUser], actor: NamedDependency[Actor], client_id: FromPath[int]
) -> Response[Any]:
    await clients.set_archived(user, actor, client_id, True)
    return Redirect(path="/", status_code=303)


@post("/clients/{client_id:int}/restore")
async def restore_client(
    user: NamedDependency[CurrentUser], actor: NamedDependency[Actor], client_id: FromPath[int]
) -> Response[Any]:
    await clients.set_archived(user, actor, client_id, False)
    return Redirect(path=f"/clients/{client_id}", status_code=303)


@post("/clients/{client_id:int}/staff")
async def assign_staff(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    client_id: FromPath[int],
) -> Response[Any]:
    form = await request.form()
    try:
        # No box ticked sends no "staff" field at all: that means nobody is assigned.
        user_ids = {int(value) for value in form.getall("staff", [])}
    except ValueError:
        raise InvalidInput("staff", "Choose staff members from the list.") from None
    await clients.assign_staff(user, actor, client_id, user_ids)
    return Redirect(path=f"/clients/{client_id}/settings", status_code=303)


ROUTES = [
    dashboard,
    create_client,
    client_page,
    client_section,
    rename_client,
    archive_client,
    restore_client,
    assign_staff,
]
