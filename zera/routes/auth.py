"""First-run set-up, sign-in and sign-out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from zera.accounts import Actor, CurrentUser
from zera.accounts import users as accounts
from zera.accounts.audit import record
from zera.accounts.sessions import COOKIE_NAME, end_session, start_session, user_for_session
from zera.accounts.setup_token import is_setup_token
from zera.errors import ZeraError
from zera.routes.deps import client_ip
from zera.settings import Settings


@dataclass
class SetupForm:
    firm: str
    name: str
    email: str
    password: str
    setup_token: str = ""


@dataclass
class LoginForm:
    email: str
    password: str


def _session_cookie(settings: NamedDependency[Settings], token: str, max_age: int) -> Cookie:
    return Cookie(
        key=COOKIE_NAME,
        value=token,
        max_age=max_age,
        httponly=True,
        secure=settings.secure_cookies,
        samesite="lax",
        path="/",
    )


async def _signed_in(
    request: Request[Any, Any, Any], settings: NamedDependency[Settings], user_id: FromPath[int]
) -> Response[Any]:
    token = await start_session(
        user_id,
        max_age_seconds=settings.session_max_age_seconds,
        replacing=request.cookies.get(COOKIE_NAME),
    )
    return Redirect(
        path="/",
        status_code=303,
        cookies=[_session_cookie(settings, token, settings.session_max_age_seconds)],
    )


def _setup_page(
    settings: Settings, token: str, *, form: dict[str, str], error: str | None, status: int = 200
) -> Response[Any]:
    """The set-up form; a correct token (from the printed URL) rides along unseen."""
    return Template(
        "setup.html",
        status_code=status,
        context={
            "form": form,
            "error": error,
            "setup_token": token[:100],
            "token_known": is_setup_token(token, settings.secret_key),
        },
    )


@get("/setup")
async def setup_page(
    settings: NamedDependency[Settings], token: FromQuery[str] = ""
) -> Response[Any]:
    if not await accounts.needs_setup():
        return Redirect(path="/login", status_code=303)
    return _setup_page(settings, token, form={}, error=None)


@post("/setup")
async def setup_submit(
    request: Request[Any, Any, Any],
    settings: NamedDependency[Settings],
    data: URLEncodedBody[SetupForm],
) -> Response[Any]:
    try:
        user = await accounts.set_up_firm(
            data.firm,
            data.name,
            data.email,
            data.password,
            setup_token=data.setup_token,
            secret_key=settings.secret_key,
            ip=client_ip(request),
        )
    except ZeraError as exc:
        return _setup_page(
            settings,
            data.setup_token,
            form={"firm": data.firm, "name": data.name, "email": data.email},
            error=str(exc),
            status=exc.status_code,
        )
    return await _signed_in(request, settings, user.id)


@get("/login")
async def login_page(request: Request[Any, Any, Any]) -> Response[Any]:
    if await accounts.needs_setup():
        return Redirect(path="/setup", status_code=303)
    if await user_for_session(request.cookies.get(COOKIE_NAME)):
        return Redirect(path="/", status_code=303)
    return Template("login.html", context={"email": "", "error": None})


@post("/login")
async def login_submit(
    request: Request[Any, Any, Any],
    settings: NamedDependency[Settings],
    data: URLEncodedBody[LoginForm],
) -> Response[Any]:
    try:
        user = await accounts.authenticate(
            data.email,
            data.password,
            max_failures=settings.login_max_failures,
            lockout_seconds=settings.login_lockout_seconds,
            ip=client_ip(request),
        )
    except ZeraError as exc:
        return Template(
            "login.html",
            status_code=exc.status_code,
            context={"email": data.email[:254], "error": str(exc)},
        )
    return await _signed_in(request, settings, user.id)


@post("/logout")
async def logout(
    request: Request[Any, Any, Any],
    user: NamedDependency[CurrentUser],
    settings: NamedDependency[Settings],
) -> Response[Any]:
    token = request.cookies.get(COOKIE_NAME)
    if token:
        await end_session(token)
    await record(Actor(user.id, user.email, client_ip(request)), "auth.signed_out")
    response: Response[Any] = Redirect(path="/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


ROUTES = [setup_page, setup_submit, login_page, login_submit, logout]
