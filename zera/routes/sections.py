"""The client page shell: which sections a user may open, what each one shows, and the page or
HTMX fragment that carries it. The route has checked access: it passes the client it got."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from zera import clients, documents, review
from zera.accounts import CurrentUser, NotFound
from zera.accounts.users import firm_name
from zera.clients import ClientSummary
from zera.qbo.ratelimit import RateLimiter
from zera.qbo.vault import connection_info
from zera.queue import recent_jobs
from zera.routes.deps import provide_quickbooks
from zera.sync import chart_of_accounts
from zera.sync.health import sync_health

# "push" is served by zera/routes/push.py (its plan needs QuickBooks); here it is a tab.
SECTIONS = ("documents", "review", "records", "push", "conflicts", "connection")
OWNER_SECTIONS = ("settings",)


async def section_context(
    user: CurrentUser, client: ClientSummary, section: str, *, limiter: RateLimiter | None = None
) -> dict[str, Any]:
    """What the client page's `section` shows; NotFound for a section `user` may not open.

    Every section carries the client's sync health, for the page's banner; `limiter` (the one
    requests go through) supplies its call counts."""
    allowed = SECTIONS + (OWNER_SECTIONS if user.is_owner else ())
    if section not in allowed:
        raise NotFound("No such page.")
    context: dict[str, Any] = {
        "user": user,
        "client": client,
        "section": section,
        "sections": allowed,
        "connection": await connection_info(client.id),
        "health": await sync_health(client.id, limiter=limiter),
    }
    if section == "documents":
        context["documents"] = await documents.list_documents(client)
    if section == "review":
        context["batches"] = await review.list_batches(client)
    if section == "connection":
        context["jobs"] = await recent_jobs(client.id)
        context["accounts"], context["refreshed_at"] = await chart_of_accounts(client.id)
        context["now"] = datetime.now(UTC)
    if section == "settings":
        context["staff"] = await clients.staff_assignments(user, client.id)
    return context


async def render_section(
    request: HTMXRequest,
    user: CurrentUser,
    client: ClientSummary,
    section: str,
    status: int = 200,
    **extra: Any,
) -> Template:
    """The section as a whole page, or as the fragment an HTMX request swaps in."""
    limiter = provide_quickbooks(request).limiter
    context = {**await section_context(user, client, section, limiter=limiter), **extra}
    if request.htmx:
        return Template("client/_section.html", context=context, status_code=status)
    return Template(
        "client.html", context={**context, "firm": await firm_name()}, status_code=status
    )
