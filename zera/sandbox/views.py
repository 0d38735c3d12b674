"""Plain HTML views of each sandbox company: records by type, a record's JSON, and an edit form
that acts as a QuickBooks user (so a person can change something and watch Zera pick it up).

Forms post and redirect (no JavaScript needed). Edits go through the API's own service.
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

from anyio import to_thread
from litestar import Request, Response, Router, get, post
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from zera.sandbox import companies, faults, jsonio, operations
from zera.sandbox.access import (
    COOKIE_NAME,
    SIGN_IN,
    control_guard,
    cookie_value,
    token_matches,
)
from zera.sandbox.api.common import runtime_of
from zera.sandbox.entities import BY_NAME, NAME, SPECS


def _base(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url).rstrip("/")


def _label(entity: str, doc: dict[str, Any]) -> str:
    spec = BY_NAME[entity]
    if spec.is_transaction:
        who = (doc.get("CustomerRef") or doc.get("VendorRef") or doc.get("EntityRef")
               or doc.get("ToAccountRef") or doc.get("CreditCardAccountRef") or {})
        return " ".join(str(p) for p in (doc.get("DocNumber", ""), who.get("name", "")) if p)
    return str(doc.get(spec.name_field) or doc.get("Name") or doc.get("CompanyName") or "")


@get("/")
async def index(request: Request[Any, Any, Any]) -> Template:
    runtime = runtime_of(request)
    return Template("companies.html", context={
        "base": _base(request), "companies": [dict(r) for r in runtime.store.companies()],
        "client_id": runtime.dev_app.client_id})


@post("/", status_code=303)
async def add_company(request: Request[Any, Any, Any]) -> Redirect:
    data = await request.body()
    form = dict(parse_qsl(data.decode(errors="replace")))
    seed = form.get("seed", "").strip()
    # Seeding a year of history takes seconds: keep it off the event loop.
    realm = await to_thread.run_sync(partial(
        companies.create_company, runtime_of(request).api, form.get("name") or "New Company",
        seed=int(seed) if seed.isdigit() else None))
    return Redirect(f"{_base(request)}/_sandbox/companies/{realm}", status_code=303)


@get("/companies/{realm_id:str}")
async def company(request: Request[Any, Any, Any], realm_id: FromPath[str]) -> Template:
    store = runtime_of(request).store
    counts = [(s.name, store.count_docs(realm_id, s.name)) for s in SPECS]
    return Template("company.html", context={
        "base": _base(request), "realm": realm_id, "counts": counts})


@get("/companies/{realm_id:str}/{entity:str}")
async def records(request: Request[Any, Any, Any], realm_id: FromPath[str],
                  entity: FromPath[str]) -> Template:
    if entity not in BY_NAME:
        raise faults.unsupported_operation(f"on entity {entity!r}", status=404)
    docs = runtime_of(request).store.live_docs(realm_id, entity)
    rows = [{"id": d.id, "label": _label(entity, d.doc), "date": d.doc.get("TxnDate", ""),
             "total": d.doc.get("TotalAmt", d.doc.get("Amount", "")), "sync": d.sync_token,
             "status": d.status,
             "active": d.doc.get("Active", True)} for d in reversed(docs[-500:])]
    return Template("records.html", context={
        "base": _base(request), "realm": realm_id, "entity": entity, "rows": rows,
        "shown": len(rows), "total": len(docs)})


@get("/companies/{realm_id:str}/{entity:str}/{entity_id:str}")
async def record(request: Request[Any, Any, Any], realm_id: FromPath[str], entity: FromPath[str],
           entity_id: FromPath[str]) -> Template:
    stored = runtime_of(request).store.get(realm_id, entity, entity_id)
    if stored is None or entity not in BY_NAME:
        raise faults.object_not_found(entity, entity_id)
    spec = BY_NAME[entity]
    return Template("record.html", context={
        "base": _base(request), "realm": realm_id, "entity": entity, "id": entity_id,
        "json": jsonio.json_pretty(stored.doc), "status": stored.status,
        "message": request.query_params.get("message", ""),
        "error": request.query_params.get("error", ""),
        "can_delete": spec.is_transaction, "can_void": spec.void is not None,
        "can_deactivate": spec.kind == NAME, "deleted": stored.status == "Deleted"})


@post("/companies/{realm_id:str}/{entity:str}/{entity_id:str}",
      status_code=303)
async def act(request: Request[Any, Any, Any], realm_id: FromPath[str], entity: FromPath[str],
              entity_id: FromPath[str]) -> Response[Any]:
    """Save the edited JSON, delete, void or deactivate: as a QuickBooks user would."""
    data = await request.body()
    runtime = runtime_of(request)
    form = dict(parse_qsl(data.decode(errors="replace"), keep_blank_values=True))
    action = form.get("action", "save")
    here = f"{_base(request)}/_sandbox/companies/{realm_id}/{entity}/{entity_id}"
    current = runtime.store.get(realm_id, entity, entity_id)
    if current is None:
        raise faults.object_not_found(entity, entity_id)
    try:
        if action == "save":
            payload = jsonio.loads(form.get("json", "{}"))
            if not isinstance(payload, dict):
                raise ValueError("the record must be a JSON object")
            payload.update({"Id": entity_id, "SyncToken": str(current.sync_token)})
            operations.write(runtime.api, realm_id, entity, "update", payload,
                             frozenset({"allowduplicatedocnum"}))
        elif action == "deactivate":
            operations.write(runtime.api, realm_id, entity, "update",
                             {"Id": entity_id, "SyncToken": str(current.sync_token),
                              "sparse": True, "Active": False}, frozenset())
        elif action in ("delete", "void"):
            operations.write(runtime.api, realm_id, entity, action,
                             {"Id": entity_id, "SyncToken": str(current.sync_token)}, frozenset())
        else:
            raise ValueError(f"unknown action {action!r}")
    except faults.QboFault as fault:
        return Redirect(f"{here}?error={quote(str(fault))}", status_code=303)
    except ValueError as exc:
        return Redirect(f"{here}?error={quote(f'Not saved: {exc}')}", status_code=303)
    return Redirect(f"{here}?message={quote(action + ' done')}", status_code=303)


def _sign_in_page(request: Request[Any, Any, Any], *, error: str = "", status: int = 401,
                  next_url: str = "") -> Template:
    return Template("sign_in.html", status_code=status, context={
        "base": _base(request), "error": error, "next": next_url or request.url.path,
        "owner_sign_in": request.app.state.get("authorize") is not None})


def needs_sign_in(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Template:
    """A person without a credential gets the sign-in form (401) instead of the page."""
    return _sign_in_page(request)


@get("/sign-in", opt={SIGN_IN: True})
async def sign_in_form(request: Request[Any, Any, Any]) -> Template:
    return _sign_in_page(request, status=200, next_url=request.query_params.get("next", ""))


@post("/sign-in", status_code=303, opt={SIGN_IN: True})
async def sign_in(request: Request[Any, Any, Any]) -> Response[Any]:
    """The control token typed once sets an HttpOnly, SameSite=Strict cookie for this sandbox."""
    data = await request.body()
    form = dict(parse_qsl(data.decode(errors="replace")))
    token = runtime_of(request).config.control_token
    if not token_matches(form.get("token", "").strip(), token):
        return _sign_in_page(request, error="That is not this sandbox's control token.",
                             status=403, next_url=form.get("next", ""))
    home = f"{_base(request)}/_sandbox/"
    prefix = urlsplit(home).path
    wanted = form.get("next", "")
    # Only back to a page of this sandbox: never an open redirect.
    target = wanted if wanted.startswith(prefix) and "//" not in wanted else prefix
    cookie = Cookie(key=COOKIE_NAME, value=cookie_value(token), path=prefix.rstrip("/"),
                    httponly=True, samesite="strict",
                    secure=runtime_of(request).config.public_url.startswith("https:"))
    return Redirect(target, status_code=303, cookies=[cookie])


VIEW_ROUTER = Router(path="/_sandbox",
                     route_handlers=[index, add_company, company, records, record, act,
                                     sign_in_form, sign_in],
                     guards=[control_guard],
                     exception_handlers={NotAuthorizedException: needs_sign_in})
