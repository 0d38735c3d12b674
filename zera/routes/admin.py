"""Owner pages: users and the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from zera.accounts import Actor, CurrentUser
from zera.accounts import users as accounts
from zera.accounts.audit import recent
from zera.accounts.users import firm_name
from zera.errors import ZeraError
from zera.routes.deps import provide_owner

OWNER_ONLY = {"owner": Provide(provide_owner)}


@dataclass
class NewUserForm:
    name: str
    email: str
    password: str
    role: str = "staff"


async def _users_page(
    owner: NamedDependency[CurrentUser],
    *,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Template:
    return Template(
        "users.html",
        status_code=status,
        context={
            "user": owner,
            "firm": await firm_name(),
            "users": await accounts.list_users(),
            "error": error,
            "form": form or {},
        },
    )


@get("/users", dependencies=OWNER_ONLY)
async def users_page(owner: NamedDependency[CurrentUser]) -> Template:
    return await _users_page(owner)


@post("/users", dependencies=OWNER_ONLY)
async def create_user(
    owner: NamedDependency[CurrentUser],
    actor: NamedDependency[Actor],
    data: URLEncodedBody[NewUserForm],
) -> Response[Any]:
    try:
        await accounts.create_user(
            actor, name=data.name, email=data.email, password=data.password, role=data.role
        )
    except ZeraError as exc:
        return await _users_page(
            owner,
            error=str(exc),
            status=exc.status_code,
            form={"name": data.name, "email": data.email, "role": data.role},
        )
    return Redirect(path="/users", status_code=303)


@post("/users/{user_id:int}/deactivate", dependencies=OWNER_ONLY)
async def deactivate_user(
    owner: NamedDependency[CurrentUser], actor: NamedDependency[Actor], user_id: FromPath[int]
) -> Response[Any]:
    await accounts.set_active(actor, user_id, False)
    return Redirect(path="/users", status_code=303)


@post("/users/{user_id:int}/activate", dependencies=OWNER_ONLY)
async def activate_user(
    owner: NamedDependency[CurrentUser], actor: NamedDependency[Actor], user_id: FromPath[int]
) -> Response[Any]:
    await accounts.set_active(actor, user_id, True)
    return Redirect(path="/users", status_code=303)


@get("/audit", dependencies=OWNER_ONLY)
async def audit_page(
    owner: NamedDependency[CurrentUser], before: FromQuery[int | None] = None
) -> Template:
    return Template(
        "audit.html",
        context={
            "user": owner,
            "firm": await firm_name(),
            "events": await recent(before_id=before),
        },
    )


ROUTES = [users_page, create_user, deactivate_user, activate_user, audit_page]
