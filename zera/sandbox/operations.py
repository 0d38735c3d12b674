"""Query, change data capture and batch: the Accounting API's multi-record endpoints."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from zera.sandbox import faults, fields, query
from zera.sandbox.clock import intuit_time, parse_time
from zera.sandbox.config import Limits
from zera.sandbox.entities import BY_ANY_NAME, BY_NAME, BY_QUERY_NAME, NAME, VOID_INCLUDE
from zera.sandbox.service import Accounting

QUERYABLE_EXTRA = frozenset({"Id", "SyncToken", "MetaData"})


def run_query(api: Accounting, realm: str, text: str, limits: Limits,
              default_max: int = 100) -> dict[str, Any]:
    """Intuit's QueryResponse for one statement (QBO-API.md §2)."""
    parsed = query.parse(text)
    # Entity and property names are read without regard to case: public clients send
    # "select * from attachable" and "AttachableRef.EntityRef.Type" (JSON `type`) and rely on
    # the answer. (QBO-API.md §2 calls entity names case sensitive; clients in use say not.)
    spec = BY_QUERY_NAME.get(parsed.entity.lower())
    if spec is None:
        raise faults.query_invalid(f"Invalid context declaration : {parsed.entity}")
    allowed = {f.lower() for f in fields.ENTITY_FIELDS[spec.name] | QUERYABLE_EXTRA}
    for name in [c.field for c in parsed.where] + [o[0] for o in parsed.order]:
        if name.split(".")[0].lower() not in allowed:
            raise faults.query_invalid(f"property '{name}' is not queryable on {spec.name}")
    if parsed.max_results is not None and parsed.max_results > limits.query_max_results:
        raise faults.query_invalid(
            f"MAXRESULTS may be at most {limits.query_max_results}, not {parsed.max_results}")
    if parsed.start < 1:
        raise faults.query_invalid("STARTPOSITION is 1-based")
    docs = [d.doc for d in api.store.live_docs(realm, spec.name)]
    selected = query.run(parsed, docs, active_only=spec.kind == NAME)
    if parsed.count:
        return {"totalCount": len(selected)}
    size = parsed.max_results if parsed.max_results is not None else default_max
    page = selected[parsed.start - 1: parsed.start - 1 + size]
    if not page:
        return {}
    return {spec.response_name: page, "startPosition": parsed.start, "maxResults": len(page)}


def run_cdc(api: Accounting, realm: str, entities: str, changed_since: str,
            limits: Limits) -> list[dict[str, Any]]:
    """The CDCResponse list: latest state of each changed record, deleted ones as stubs."""
    names = [e.strip() for e in entities.split(",") if e.strip()]
    if not names:
        raise faults.required_param("entities")
    for name in names:
        spec = BY_NAME.get(name)
        if spec is None or not spec.cdc:
            raise faults.query_invalid(f"CDC is not available for entity {name!r}")
    if not changed_since.strip():
        raise faults.required_param("changedSince")
    try:
        since = parse_time(changed_since)
    except ValueError:
        raise faults.query_invalid(f"changedSince {changed_since!r} is not a date-time") from None
    now = api.clock.now()
    if since < now - timedelta(days=limits.cdc_lookback_days):
        raise faults.query_invalid(
            f"changedSince may be at most {limits.cdc_lookback_days} days in the past")
    changed = api.store.changed_since(realm, names, since)[: limits.cdc_max_objects]
    grouped: dict[str, list[dict[str, Any]]] = {}
    for stored in changed:
        if stored.status == "Deleted":
            item: dict[str, Any] = {
                "domain": "QBO", "status": "Deleted", "Id": stored.id,
                "MetaData": {"LastUpdatedTime": stored.doc["MetaData"]["LastUpdatedTime"]},
            }
        else:
            item = stored.doc
        grouped.setdefault(stored.entity, []).append(item)
    responses = [
        {BY_NAME[name].response_name: grouped[name], "startPosition": 1,
         "maxResults": len(grouped[name])}
        for name in names if name in grouped
    ]
    return [{"QueryResponse": responses or [{}]}]


def write(api: Accounting, realm: str, entity: str, operation: str, payload: dict[str, Any],
          options: frozenset[str]) -> dict[str, Any]:
    """One write by operation name, shared by the REST routes and batch items."""
    if operation == "create":
        return api.create(realm, entity, payload, options=options)
    if operation == "update":
        return api.update(realm, entity, payload, options=options)
    if operation == "delete":
        return api.delete(realm, entity, payload)
    if operation == "void":
        spec = BY_NAME.get(entity)
        if spec is not None and spec.void == VOID_INCLUDE:
            return api.update(realm, entity, {**payload, "sparse": True},
                              options=options | {"void"})
        return api.void(realm, entity, payload)
    raise faults.unsupported_operation(operation)


def run_batch(api: Accounting, realm: str, body: dict[str, Any], limits: Limits, *,
              with_request_id: bool = False) -> list[dict[str, Any]]:
    """BatchItemResponse list: every item runs alone; a failing item carries its own Fault."""
    items = body.get("BatchItemRequest")
    if not isinstance(items, list) or not items:
        raise faults.required_param("BatchItemRequest")
    if len(items) > limits.batch_max_items:
        raise faults.business(
            f"A batch request may hold at most {limits.batch_max_items} items, not {len(items)}.")
    seen: set[str] = set()
    for item in items:
        bid = str(item.get("bId", "")) if isinstance(item, dict) else ""
        if not bid:
            raise faults.required_param("BatchItemRequest.bId")
        if with_request_id and len(bid) > 10:
            # With a requestid, Intuit allows bIds of at most 10 characters (QBO-API.md §2).
            raise faults.business(f"bId {bid!r} is longer than 10 characters.")
        if bid in seen:
            raise faults.business(f"bId {bid} is used by more than one item.")
        seen.add(bid)
    return [_batch_item(api, realm, item, limits) for item in items]


def _batch_item(api: Accounting, realm: str, item: dict[str, Any],
                limits: Limits) -> dict[str, Any]:
    bid = str(item["bId"])
    try:
        if "Query" in item:
            return {"bId": bid, "QueryResponse": run_query(api, realm, str(item["Query"]), limits)}
        keys = [k for k in item if k in BY_ANY_NAME]
        if len(keys) != 1:
            raise faults.required_param("BatchItemRequest entity")
        spec = BY_ANY_NAME[keys[0]]
        operation = str(item.get("operation", "")).lower()
        options = {o.strip().lower() for o in str(item.get("optionsData") or "").split(",")}
        options.discard("")
        if operation == "update" and "void" in options:
            operation = "void"
        if operation not in {"create", "update", "delete", "void"}:
            raise faults.invalid_enum(operation or "(none)", "operation")
        if "allowduplicatedocnumber" in options:
            options.add("allowduplicatedocnum")
        result = write(api, realm, spec.name, operation, dict(item[keys[0]]),
                       frozenset(options))
        return {"bId": bid, spec.response_name: result}
    except faults.QboFault as fault:
        return {"bId": bid, "Fault": fault.envelope()}


def envelope_time(api: Accounting) -> str:
    return intuit_time(api.clock.now(), millis=True)
