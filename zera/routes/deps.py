"""Dependencies every route can ask for: the signed-in user, the audit actor, the queue."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency

from zera.accounts import Actor, CurrentUser, NotFound
from zera.accounts.sessions import COOKIE_NAME, user_for_session
from zera.accounts.users import needs_setup
from zera.qbo.service import QuickBooks
from zera.queue import JobQueue
from zera.settings import Settings


class SignInRequired(Exception):
    """No valid session: the error handler sends the person to `target` (sign-in or set-up)."""

    def __init__(self, target: str) -> None:
        super().__init__(target)
        self.target = target


def client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else ""


async def provide_user(request: Request[Any, Any, Any]) -> CurrentUser:
    user = await user_for_session(request.cookies.get(COOKIE_NAME))
    if user is None:
        raise SignInRequired("/setup" if await needs_setup() else "/login")
    return user


async def provide_owner(user: NamedDependency[CurrentUser]) -> CurrentUser:
    if not user.is_owner:
        raise NotFound("No such page.")
    return user


async def provide_actor(
    request: Request[Any, Any, Any], user: NamedDependency[CurrentUser]
) -> Actor:
    return Actor(user_id=user.id, email=user.email, ip=client_ip(request))


def provide_settings(request: Request[Any, Any, Any]) -> Settings:
    settings: NamedDependency[Settings] = request.app.state.settings
    return settings


def provide_queue(request: Request[Any, Any, Any]) -> JobQueue:
    queue: NamedDependency[JobQueue] = request.app.state.queue
    return queue


def provide_quickbooks(request: Request[Any, Any, Any]) -> QuickBooks:
    quickbooks: QuickBooks = request.app.state.quickbooks
    return quickbooks
