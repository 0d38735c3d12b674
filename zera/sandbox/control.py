"""The control surface (`/_sandbox/api/...`): act as a QuickBooks user, and steer the emulator.

Outside Intuit's paths, JSON in and out. Edits go through the same service as the API, so they
bump SyncToken and fire webhooks exactly as a change made in QuickBooks would. Every route needs
a credential from the right host and origin (`access.control_guard`).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from functools import partial
from typing import Any

from anyio import to_thread
from litestar import Request, Response, Router, get, post
from litestar.exceptions import ClientException, PermissionDeniedException
from litestar.params import FromPath

from zera.sandbox import companies, faults, jsonio, operations
from zera.sandbox.access import control_guard
from zera.sandbox.api.common import json_response, runtime_of
from zera.sandbox.clock import intuit_time
from zera.sandbox.entities import BY_NAME
from zera.sandbox.runtime import SandboxRuntime


def _body(data: bytes) -> dict[str, Any]:
    try:
        parsed = jsonio.loads(data or b"{}")
    except ValueError as exc:
        raise faults.QboFault(
            [faults.FaultError("2000", "Invalid request body", str(exc))]) from None
    if not isinstance(parsed, dict):
        raise faults.QboFault([faults.FaultError("2000", "Invalid request body",
                                                 "The body must be one JSON object")])
    return parsed


def _company(request: Request[Any, Any, Any], realm: str) -> None:
    if not runtime_of(request).store.has_company(realm):
        raise faults.QboFault([faults.FaultError("610", "Object Not Found",
                                                 f"No sandbox company {realm}")], status=404)


@get("/app")
async def app_info(request: Request[Any, Any, Any]) -> Response[bytes]:
    runtime = runtime_of(request)
    app = runtime.dev_app
    # The client secret and verifier token are never rendered; they come from the environment
    # or were printed once at start-up.
    return json_response({"client_id": app.client_id, "redirect_uris": list(app.redirect_uris),
                          "limits_enabled": runtime.limiter.enabled})


@get("/companies")
async def list_companies(request: Request[Any, Any, Any]) -> Response[bytes]:
    rows = runtime_of(request).store.companies()
    return json_response({"companies": [{"realmId": r["realm_id"], "name": r["name"],
                                         "seed": r["seed"]} for r in rows]})


@post("/companies", status_code=201)
async def create_company(request: Request[Any, Any, Any]) -> Response[bytes]:
    data = await request.body()
    runtime = runtime_of(request)
    body = _body(data)
    seed = body.get("seed")
    # Seeding a year of history takes seconds: keep it off the event loop.
    realm = await to_thread.run_sync(partial(
        companies.create_company, runtime.api, str(body.get("name") or "Sandbox Company"),
        seed=None if seed is None else int(seed), months=int(body.get("months", 12))))
    return json_response({"realmId": realm}, 201)


@post("/companies/{realm_id:str}/records/{entity:str}", status_code=200)
async def edit_record(request: Request[Any, Any, Any], realm_id: FromPath[str],
                      entity: FromPath[str]) -> Response[bytes]:
    """`{"operation": "create|update|delete|void", "payload": {...}}` as a QuickBooks user.
    An update without SyncToken uses the current one: a person in QuickBooks never sees it."""
    data = await request.body()
    _company(request, realm_id)
    runtime = runtime_of(request)
    if entity not in BY_NAME:
        raise faults.unsupported_operation(f"on entity {entity!r}")
    body = _body(data)
    operation = str(body.get("operation", "update"))
    payload = dict(body.get("payload") or {})
    if operation != "create" and "SyncToken" not in payload and payload.get("Id"):
        current = runtime.store.get(realm_id, entity, str(payload["Id"]))
        if current is not None:
            payload["SyncToken"] = str(current.sync_token)
    if operation == "update":
        payload.setdefault("sparse", True)
    result = operations.write(runtime.api, realm_id, entity, operation, payload,
                              frozenset({"allowduplicatedocnum"}))
    return json_response({entity: result})


@post("/companies/{realm_id:str}/merge", status_code=200)
async def merge_records(request: Request[Any, Any, Any],
                        realm_id: FromPath[str]) -> Response[bytes]:
    data = await request.body()
    _company(request, realm_id)
    body = _body(data)
    changes = companies.merge(runtime_of(request).api, realm_id, str(body.get("entity")),
                              str(body.get("fromId")), str(body.get("intoId")))
    return json_response({"changed": [{"entity": c.entity, "id": c.id, "operation": c.operation}
                                      for c in changes]})


@post("/companies/{realm_id:str}/throttle", status_code=200)
async def force_throttle(request: Request[Any, Any, Any],
                         realm_id: FromPath[str]) -> Response[bytes]:
    data = await request.body()
    _company(request, realm_id)
    seconds = float(_body(data).get("seconds", 60))
    until = runtime_of(request).limiter.force(realm_id, seconds)
    return json_response({"throttledUntil": until})


@post("/limits", status_code=200)
async def set_limits(request: Request[Any, Any, Any]) -> Response[bytes]:
    """`{"enabled": false}` lifts Intuit's throttles (benchmarks); true restores them."""
    data = await request.body()
    runtime = runtime_of(request)
    body = _body(data)
    if "enabled" in body:
        runtime.limiter.enabled = bool(body["enabled"])
    runtime.limiter.reset()
    return json_response({"enabled": runtime.limiter.enabled})


@post("/tokens/expire", status_code=200)
async def expire_tokens(request: Request[Any, Any, Any]) -> Response[bytes]:
    data = await request.body()
    body = _body(data)
    oauth = runtime_of(request).oauth
    realm = body.get("realmId")
    kind = body.get("kind", "access")
    count = oauth.expire_refresh(realm) if kind == "refresh" else oauth.expire_access(realm)
    return json_response({"grants": count, "kind": kind})


@post("/tokens/revoke", status_code=200)
async def revoke_tokens(request: Request[Any, Any, Any]) -> Response[bytes]:
    data = await request.body()
    count = runtime_of(request).oauth.revoke_realm(_body(data).get("realmId"))
    return json_response({"grants": count})


@get("/webhooks")
async def webhook_state(request: Request[Any, Any, Any]) -> Response[bytes]:
    dispatcher = runtime_of(request).dispatcher
    if dispatcher is None:
        return json_response({"enabled": False})
    settings = dispatcher.settings.to_row()
    settings.pop("verifier_token", None)
    controls = dispatcher.controls
    deliveries = [
        {**{k: v for k, v in asdict(d).items() if k != "body"}, "body": d.body.decode()}
        for d in dispatcher.deliveries(request.query_params.get("realmId"))
    ]
    return json_response({"enabled": True, "settings": settings,
                          "controls": {"drop_next": controls.drop_next,
                                       "delay_s": controls.delay_s,
                                       "duplicate_next": controls.duplicate_next},
                          "deliveries": deliveries})


@post("/webhooks", status_code=200)
async def configure_webhooks(request: Request[Any, Any, Any]) -> Response[bytes]:
    """Settings (endpoint_url, verifier_token, format, aggregation_window_s, time_scale) and
    fault controls (drop_next, delay_s, duplicate_next) in one body."""
    data = await request.body()
    dispatcher = runtime_of(request).dispatcher
    if dispatcher is None:
        raise faults.unsupported_operation("webhooks (disabled by ZERA_SANDBOX_WEBHOOKS)")
    body = _body(data)
    setting_keys = {"endpoint_url", "verifier_token", "format", "aggregation_window_s",
                    "time_scale", "response_timeout_s", "max_attempts"}
    floats = {"aggregation_window_s", "time_scale", "response_timeout_s", "delay_s"}
    body = {k: (float(v) if k in floats and v is not None
                else int(v) if isinstance(v, Decimal) else v) for k, v in body.items()}
    changes = {k: v for k, v in body.items() if k in setting_keys}
    _check_webhook_changes(runtime_of(request), changes)
    if changes:
        dispatcher.update_settings(**changes)
    controls = {k: body[k] for k in ("drop_next", "delay_s", "duplicate_next") if k in body}
    if controls:
        dispatcher.set_controls(**controls)
    return await webhook_state.fn(request)  # type: ignore[no-any-return]


def _check_webhook_changes(runtime: SandboxRuntime, changes: dict[str, Any]) -> None:
    """Deliveries go only to Zera's own webhook URL (a POST signed with the real verifier token
    to any other address would be a request-forgery tool), and the verifier token stays while
    the app is connected to a company (Zera checks every delivery's signature with it)."""
    config = runtime.config
    url = changes.get("endpoint_url")
    if url and not config.allow_any_webhook_url and (
        not config.webhook_url or str(url).rstrip("/") != config.webhook_url.rstrip("/")
    ):
        own = config.webhook_url or "none is configured (ZERA_SANDBOX_WEBHOOK_URL)"
        raise PermissionDeniedException(
            f"endpoint_url may only be Zera's own webhook URL ({own}); set "
            "ZERA_SANDBOX_ALLOW_ANY_WEBHOOK_URL=1 in development to deliver elsewhere")
    token = changes.get("verifier_token")
    dispatcher = runtime.dispatcher
    if "verifier_token" in changes and dispatcher is not None and (
        token != dispatcher.settings.verifier_token
    ):
        realms = runtime.oauth.connected_realms()
        if realms:
            raise ClientException(
                status_code=409,
                detail=f"the verifier token cannot change while the app is connected to "
                f"{', '.join(realms)}: Zera checks every webhook's signature with the current "
                "one. Disconnect first (POST /_sandbox/api/tokens/revoke).")


@get("/clock")
async def read_clock(request: Request[Any, Any, Any]) -> Response[bytes]:
    clock = runtime_of(request).clock
    return json_response({"now": intuit_time(clock.now()), "offsetSeconds": clock.offset()})


@post("/clock", status_code=200)
async def move_clock(request: Request[Any, Any, Any]) -> Response[bytes]:
    """`{"advanceSeconds": 3600}`, `{"set": "2026-01-01T00:00:00Z"}` or `{"reset": true}`."""
    data = await request.body()
    clock = runtime_of(request).clock
    body = _body(data)
    if body.get("reset"):
        clock.reset()
    elif "set" in body:
        clock.set(datetime.fromisoformat(str(body["set"]).replace("Z", "+00:00")))
    else:
        clock.advance(float(body.get("advanceSeconds", 0)))
    return await read_clock.fn(request)  # type: ignore[no-any-return]


CONTROL_ROUTER = Router(
    path="/_sandbox/api",
    route_handlers=[app_info, list_companies, create_company, edit_record, merge_records,
                    force_throttle, set_limits, expire_tokens, revoke_tokens, webhook_state,
                    configure_webhooks, read_clock, move_clock],
    guards=[control_guard],
)
