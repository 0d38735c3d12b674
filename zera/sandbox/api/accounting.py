"""Accounting API v3 routes under /v3/company/{realmId}/ (QBO-API.md §2-§5).

Handlers are thin: authenticate, admit under the realm's limits, honour requestid, call one
operation. They run in worker threads so that concurrent requests really are concurrent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.params import FromPath

from zera.sandbox import faults, jsonio, operations
from zera.sandbox.api.common import new_tid, respond, runtime_of, wants_xml, with_time
from zera.sandbox.api.upload import parse_upload
from zera.sandbox.clock import intuit_time
from zera.sandbox.entities import BY_NAME, BY_PATH
from zera.sandbox.runtime import SandboxRuntime

MINOR_VERSION_FLOOR = 75
SPECIAL = {"query", "batch", "cdc", "upload", "preferences"}


def guard(request: Request[Any, Any, Any], realm: str) -> SandboxRuntime:
    runtime = runtime_of(request)
    grant = runtime.oauth.check_access(request.headers.get("authorization"))
    if grant.realm != realm:
        raise faults.realm_forbidden(realm)
    return runtime


def _minor_version(request: Request[Any, Any, Any]) -> int:
    """Values below 75, or none, are served as 75 (Intuit, Aug 2025)."""
    raw = request.query_params.get("minorversion", "")
    try:
        return max(int(raw), MINOR_VERSION_FLOOR)
    except ValueError:
        return MINOR_VERSION_FLOOR


def entity_name(entity: str) -> str:
    spec = BY_PATH.get(entity)
    if spec is None:
        # URIs are case sensitive: /Customer is not /customer.
        raise faults.unsupported_operation(f"on resource {entity!r}", status=400)
    return spec.name


def _remembered(request: Request[Any, Any, Any], runtime: SandboxRuntime, realm: str,
                request_id: str | None,
                produce: Callable[[], tuple[int, dict[str, Any]]],
                max_length: int = 50) -> Response[bytes]:
    """A repeated requestid returns the first response without repeating the write.
    Intuit caps requestid at 50 characters, 36 for batch (QBO-API.md §2)."""
    if request_id:
        if len(request_id) > max_length:
            raise faults.QboFault([faults.FaultError(
                "2000", "Invalid requestid",
                f"requestid may be at most {max_length} characters")])
        seen = runtime.store.remembered(realm, request_id)
        if seen is not None:
            return respond(request, jsonio.loads(seen[1]), seen[0])
    try:
        status, body = produce()
    except faults.QboFault as fault:
        status, body = fault.status, with_time(runtime, {"Fault": fault.envelope()})
        if not request_id:
            raise
    if request_id:
        runtime.store.remember(realm, request_id, status, jsonio.dumps(body), runtime.clock.now())
    return respond(request, body, status)


@get("/v3/company/{realm_id:str}/{entity:str}")
async def get_collection(request: Request[Any, Any, Any], realm_id: FromPath[str],
                         entity: FromPath[str]) -> Response[bytes]:
    return await to_thread.run_sync(_get_collection, request, realm_id, entity)


def _get_collection(request: Request[Any, Any, Any], realm_id: str, entity: str) -> Response[bytes]:
    runtime = guard(request, realm_id)
    _minor_version(request)
    limits = runtime.config.limits
    with runtime.limiter.admit(realm_id):
        if entity == "query":
            text = request.query_params.get("query", "")
            result = operations.run_query(runtime.api, realm_id, text, limits)
            return respond(request, with_time(runtime, {"QueryResponse": result}))
        if entity == "cdc":
            cdc = operations.run_cdc(runtime.api, realm_id,
                                     request.query_params.get("entities", ""),
                                     request.query_params.get("changedSince", ""), limits)
            return respond(request, with_time(runtime, {"CDCResponse": cdc}))
        if entity in ("preferences", "companyinfo"):
            name = entity_name(entity)
            doc = runtime.api.singleton(realm_id, name)
            return respond(request, with_time(runtime, {name: doc}))
        raise faults.unsupported_operation(f"GET on {entity!r} without an Id")


@get("/v3/company/{realm_id:str}/{entity:str}/{entity_id:str}")
async def read_one(request: Request[Any, Any, Any], realm_id: FromPath[str], entity: FromPath[str],
                   entity_id: FromPath[str]) -> Response[bytes]:
    return await to_thread.run_sync(_read_one, request, realm_id, entity, entity_id)


def _read_one(request: Request[Any, Any, Any], realm_id: str, entity: str,
              entity_id: str) -> Response[bytes]:
    runtime = guard(request, realm_id)
    _minor_version(request)
    name = entity_name(entity)
    with runtime.limiter.admit(realm_id):
        if name == "CompanyInfo" and entity_id == realm_id:
            doc = runtime.api.singleton(realm_id, name)
        elif not wants_xml(request):
            # The hot path: the stored JSON goes out as it is, without a parse and re-dump.
            raw = runtime.api.read_raw(realm_id, name, entity_id)
            stamp = intuit_time(runtime.clock.now(), millis=True)
            body = f'{{"{BY_NAME[name].response_name}":{raw},"time":"{stamp}"}}'.encode()
            return Response(content=body, media_type="application/json",
                            headers={"intuit_tid": new_tid()})
        else:
            doc = runtime.api.read(realm_id, name, entity_id)
        return respond(request, with_time(runtime, {BY_NAME[name].response_name: doc}))


@post("/v3/company/{realm_id:str}/{entity:str}", status_code=200)
async def post_collection(request: Request[Any, Any, Any], realm_id: FromPath[str],
                          entity: FromPath[str]) -> Response[bytes]:
    data = await request.body()
    return await to_thread.run_sync(_post_collection, request, realm_id, entity, data)


def _post_collection(request: Request[Any, Any, Any], realm_id: str, entity: str,
                     data: bytes) -> Response[bytes]:
    runtime = guard(request, realm_id)
    _minor_version(request)
    limits = runtime.config.limits
    request_id = request.query_params.get("requestid")
    if entity == "query":
        with runtime.limiter.admit(realm_id):
            text = data.decode(errors="replace") or request.query_params.get("query", "")
            result = operations.run_query(runtime.api, realm_id, text, limits)
            return respond(request, with_time(runtime, {"QueryResponse": result}))
    if entity == "batch":
        body = _json_body(data)
        items = body.get("BatchItemRequest") if isinstance(body, dict) else None
        calls = len(items) if isinstance(items, list) else 1
        with runtime.limiter.admit(realm_id, calls=calls, batch=True):
            return _remembered(request, runtime, realm_id, request_id, lambda: (200, with_time(
                runtime, {"BatchItemResponse": operations.run_batch(
                    runtime.api, realm_id, body, limits, with_request_id=bool(request_id))})),
                max_length=36)
    if entity == "upload":
        with runtime.limiter.admit(realm_id):
            return _remembered(request, runtime, realm_id, request_id, lambda: (200, with_time(
                runtime, {"AttachableResponse": parse_upload(
                    runtime, realm_id, request.headers.get("content-type", ""), data)})))
    name = entity_name(entity)
    operation = request.query_params.get("operation", "create").lower()
    include = {i.strip().lower() for i in request.query_params.get("include", "").split(",")}
    payload = _json_body(data)
    if not isinstance(payload, dict):
        raise faults.QboFault([faults.FaultError("2000", "Invalid request body",
                                                 "The body must be one JSON object")])
    if operation == "create" and payload.get("Id") not in (None, "", 0, "0"):
        operation = "update"  # SDKs post updates to the same URL without ?operation=update
    if operation == "update" and "void" in include:
        operation = "void"
    if operation not in {"create", "update", "delete", "void"}:
        raise faults.unsupported_operation(f"operation={operation}")
    options = frozenset(include - {""})
    with runtime.limiter.admit(realm_id):
        return _remembered(request, runtime, realm_id, request_id, lambda: (200, with_time(
            runtime, {BY_NAME[name].response_name: operations.write(
                runtime.api, realm_id, name, operation, payload, options)})))


def _json_body(data: bytes) -> Any:
    try:
        return jsonio.loads(data or b"{}")
    except UnicodeDecodeError:
        raise faults.QboFault([faults.FaultError(
            "500", "Unsupported Operation", "The request body is not UTF-8")]) from None
    except ValueError as exc:
        raise faults.QboFault([faults.FaultError(
            "2000", "Invalid request body", f"The body is not valid JSON: {exc}")]) from None


ACCOUNTING_ROUTES = [get_collection, read_one, post_collection]
