"""Connecting, reconnecting and disconnecting a client's QuickBooks company."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect

from zera import clients, sync
from zera.accounts import Actor, CurrentUser
from zera.accounts.sessions import COOKIE_NAME
from zera.qbo.connect import complete_connect, start_connect
from zera.qbo.connect import disconnect as disconnect_client
from zera.qbo.errors import QBOError
from zera.qbo.service import QuickBooks
from zera.qbo.webhooks import MAX_BODY_BYTES, signature_is_valid
from zera.queue import JobQueue
from zera.routes.errors import error_page
from zera.settings import Settings
from zera.sync.records import push_interrupted
from zera.tasks.qbo import (
    pull_reference_data,
    pull_transaction_history,
    push_records,
    refresh_reference_data,
)


@post("/clients/{client_id:int}/qbo/connect")
async def connect(
    request: Request[Any, Any, Any],
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    quickbooks: NamedDependency[QuickBooks],
    client_id: FromPath[int],
) -> Response[Any]:
    url = await start_connect(
        quickbooks, user, actor, client_id, request.cookies.get(COOKIE_NAME, "")
    )
    return Redirect(path=url, status_code=303)


@get("/qbo/callback")
async def callback(
    request: HTMXRequest,
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    quickbooks: NamedDependency[QuickBooks],
    queue: NamedDependency[JobQueue],
    oauth_state: Annotated[str, QueryParameter(name="state")] = "",
    code: FromQuery[str] = "",
    realm_id: Annotated[str, QueryParameter(name="realmId")] = "",
    error: FromQuery[str] = "",
) -> Response[Any]:
    try:
        client_id = await complete_connect(
            quickbooks,
            user,
            actor,
            request.cookies.get(COOKIE_NAME, ""),
            state=oauth_state[:200],
            code=code[:500],
            realm_id=realm_id[:32],
            error=error[:200],
        )
    except QBOError as exc:
        return error_page(request, 400, "QuickBooks was not connected", str(exc))
    await pull_reference_data.send(queue, client_id=client_id)
    await pull_transaction_history.send(queue, client_id=client_id)
    if await push_interrupted(client_id):  # a push the lost connection stopped goes on
        await push_records.send(queue, client_id=client_id, started_by=user.email)
    return Redirect(path=f"/clients/{client_id}/connection", status_code=303)


@post("/clients/{client_id:int}/qbo/refresh")
async def refresh(
    user: NamedDependency[CurrentUser],
    queue: NamedDependency[JobQueue],
    client_id: FromPath[int],
) -> Response[Any]:
    await clients.get_client(user, client_id)
    await refresh_reference_data.send(queue, client_id=client_id)
    return Redirect(path=f"/clients/{client_id}/connection", status_code=303)


@post("/clients/{client_id:int}/qbo/disconnect")
async def disconnect(
    user: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    quickbooks: NamedDependency[QuickBooks],
    client_id: FromPath[int],
) -> Response[Any]:
    await disconnect_client(quickbooks, user, actor, client_id)
    return Redirect(path=f"/clients/{client_id}/connection", status_code=303)


@post("/qbo/webhooks", exclude_from_csrf=True, status_code=200)
async def webhooks(
    request: Request[Any, Any, Any],
    settings: NamedDependency[Settings],
    queue: NamedDependency[JobQueue],
) -> Response[Any]:
    """Intuit's webhook endpoint: server-to-server, so no session or CSRF; the signature is
    the authentication, checked over the raw body before anything else happens.

    A replay (a repeat, or events older than the replay window) is answered 200 like any other
    delivery: Intuit retries anything else for ever, and this body will never be accepted."""
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        return Response({"error": "body too large"}, status_code=413)
    token = settings.intuit_verifier_token or settings.sandbox_verifier_token
    if not signature_is_valid(body, request.headers.get("intuit-signature"), token):
        return Response({"error": "invalid signature"}, status_code=401)
    receipt = await sync.receive(
        body, queue, replay_window_seconds=settings.webhook_replay_window_seconds
    )
    return Response({"status": receipt.outcome})


ROUTES = [connect, callback, refresh, disconnect, webhooks]
