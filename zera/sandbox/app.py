"""`create_sandbox_app(config)`: the QBO sandbox as its own Litestar app, Intuit's URL layout at
its root, so only base URLs differ between it and Intuit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from litestar import Litestar, asgi
from litestar.datastructures import State
from litestar.handlers import ASGIRouteHandler
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.types import ControllerRouterHandler, Receive, Scope, Send

from zera.sandbox.access import Authorize
from zera.sandbox.api import ACCOUNTING_ROUTES, EXCEPTION_HANDLERS, OAUTH_ROUTES
from zera.sandbox.config import SandboxConfig
from zera.sandbox.control import CONTROL_ROUTER
from zera.sandbox.runtime import SandboxRuntime
from zera.sandbox.views import VIEW_ROUTER

log = logging.getLogger("zera.sandbox")
TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class SandboxMount:
    """The sandbox inside another Litestar app: a mounted ASGI handler plus the lifespan hooks
    the host must run (a mounted app never sees lifespan events of its own)."""

    handler: ASGIRouteHandler
    on_startup: list[Callable[[], Awaitable[None]]]
    on_shutdown: list[Callable[[], Awaitable[None]]]
    app: Litestar


def mount_sandbox(config: SandboxConfig, path: str = "/qbo-sandbox", *,
                  authorize: Authorize | None = None) -> SandboxMount:
    """Everything a host app needs to serve the sandbox under `path` (Intuit's layout below it).
    `authorize` (see `create_sandbox_app`) lets the host's own users in."""
    start, shutdown, app = _build(config, None, authorize, _to_stderr, hooks_in_app=False)

    prefix = path.rstrip("/")

    # Intuit's endpoints are called server to server and the consent form comes from the
    # sandbox itself, so the host's CSRF middleware must not apply (CSRFConfig's default key).
    @asgi(path, is_mount=True, copy_scope=True, opt={"exclude_from_csrf": True})
    async def qbo_sandbox(scope: Scope, receive: Receive, send: Send) -> None:
        # The host router already cut `path` off scope["path"]; adding it to root_path makes the
        # sandbox's absolute URLs (discovery document, consent redirects, views) include it.
        inner = dict(scope)
        inner["root_path"] = scope.get("root_path", "") + prefix
        await app(inner, receive, send)  # type: ignore[arg-type]

    return SandboxMount(qbo_sandbox, [start], [shutdown], app)


def create_sandbox_app(config: SandboxConfig, *, runtime: SandboxRuntime | None = None,
                       authorize: Authorize | None = None,
                       announce: Callable[[str], None] | None = None) -> Litestar:
    """Build the sandbox. Its store is opened (and the first company seeded) here.

    The control surface answers the `X-Sandbox-Token` header, the sign-in cookie and, when the
    host app passes `authorize` (given a request's cookies: is this a signed-in firm owner?),
    the host's owners. `announce` shows a person the generated secrets at start-up (default:
    plain text on stderr; a host with JSON-lines output passes its own); they are never logged.
    """
    return _build(config, runtime, authorize, announce or _to_stderr, hooks_in_app=True)[2]


def _to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _build(config: SandboxConfig, runtime: SandboxRuntime | None, authorize: Authorize | None,
           announce: Callable[[str], None], *, hooks_in_app: bool) -> tuple[
    Callable[[], Awaitable[None]], Callable[[], Awaitable[None]], Litestar
]:
    sandbox = runtime or SandboxRuntime.build(config)
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    async def start() -> None:
        if sandbox.dev_app.generated:
            # Shown once so a person can paste them into an app; never logged.
            announce(
                "QBO sandbox development app (set ZERA_SANDBOX_CLIENT_ID/_CLIENT_SECRET/"
                f"_VERIFIER_TOKEN to fix them):\n  client id:      {sandbox.dev_app.client_id}\n"
                f"  client secret:  {sandbox.dev_app.client_secret}\n"
                f"  verifier token: {sandbox.dev_app.verifier_token}"
            )
        if config.control_enabled and config.control_token_file is not None:
            # A script needs it for X-Sandbox-Token, a person for the sign-in form.
            announce(
                "QBO sandbox control token (kept in "
                f"{config.control_token_file}; set ZERA_SANDBOX_CONTROL_TOKEN to fix it):\n"
                f"  {config.control_token}\n  scripts send it as the header X-Sandbox-Token; "
                f"people paste it at {config.public_url}/_sandbox/sign-in"
            )
        if sandbox.dispatcher is not None:
            stop.clear()
            tasks.append(asyncio.create_task(sandbox.dispatcher.run(stop)))

    async def shutdown() -> None:
        stop.set()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=5)
        tasks.clear()
        if sandbox.dispatcher is not None:
            await sandbox.dispatcher.aclose()
        sandbox.close()

    route_handlers: list[ControllerRouterHandler] = [*OAUTH_ROUTES, *ACCOUNTING_ROUTES]
    if config.control_enabled:
        route_handlers += [CONTROL_ROUTER, VIEW_ROUTER]
    app = Litestar(
        route_handlers=route_handlers,
        state=State({"sandbox": sandbox, "authorize": authorize}),
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[start] if hooks_in_app else [],
        on_shutdown=[shutdown] if hooks_in_app else [],
        request_max_body_size=110 * 1024 * 1024,
        logging_config=None,
        openapi_config=None,
        debug=False,
    )
    return start, shutdown, app
