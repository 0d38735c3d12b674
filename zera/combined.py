"""`zera serve` in the embedded mode: Zera and the built-in QuickBooks sandbox in one server.

The sandbox keeps Intuit's URL layout at the root, so requests are routed by their first path
segment: Intuit's segments go to the sandbox, everything else to Zera. Zera's start-up and shutdown
run the sandbox's hooks too, so both start and stop together. The sandbox's control surface lets
in Zera's signed-in owners through `owner_authorizer`. Never built in production mode.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from litestar import Litestar

from zera.settings import Settings

# First path segments Intuit (and so the sandbox) uses; Zera's own routes use none of them.
SANDBOX_SEGMENTS = frozenset(
    {"connect", "oauth2", "v2", "v3", ".well-known", "_sandbox", "sandbox"}
)


def sandbox_config_for(settings: Settings, environ: Mapping[str, str]) -> Any:
    """The sandbox's configuration, wired to this Zera: same app credentials and redirect URI.
    Its control token is `ZERA_SANDBOX_CONTROL_TOKEN`, else one generated under `var/`."""
    from zera.sandbox.config import SandboxConfig

    if settings.production:
        raise RuntimeError("the built-in QuickBooks sandbox never runs in production mode")

    config = SandboxConfig.from_env(environ, base_dir=settings.base_dir)
    return dataclasses.replace(
        config,
        client_id=settings.sandbox_client_id,
        client_secret=settings.sandbox_client_secret,
        verifier_token=settings.sandbox_verifier_token,
        redirect_uris=(settings.redirect_uri, *config.redirect_uris),
        public_url=settings.public_url,
        webhook_url=config.webhook_url or f"{settings.public_url}/qbo/webhooks",
    )


def owner_authorizer() -> Callable[[Mapping[str, str]], Awaitable[bool]]:
    """The sandbox's `authorize`: given a request's cookies, is a firm owner signed in to Zera?
    (The sandbox knows nothing of Zera's accounts, so the check is handed to it.)"""
    from zera.accounts.sessions import COOKIE_NAME, user_for_session

    async def is_owner(cookies: Mapping[str, str]) -> bool:
        user = await user_for_session(cookies.get(COOKIE_NAME))
        return user is not None and user.is_owner

    return is_owner


def announce_as_json_line(message: str) -> None:
    """The sandbox's start-up notices (its control token) as one JSON line on stderr, so the
    server's output stays JSON lines. Printed, not logged: the logger masks tokens."""
    line = {"at": datetime.now(UTC).isoformat(timespec="milliseconds"), "level": "warning",
            "logger": "zera.sandbox", "message": message}
    print(json.dumps(line), file=sys.stderr, flush=True)


def with_sandbox(zera: Litestar, sandbox: Litestar) -> Any:
    """One ASGI app serving both."""
    # The sandbox's own start-up and shutdown hooks run as Zera's (first and last): entering
    # its lifespan context in one task and leaving it in another would cross anyio cancel scopes.
    zera.on_startup[:0] = list(sandbox.on_startup)
    zera.on_shutdown.extend(sandbox.on_shutdown)

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in {"http", "websocket"}:
            segment = scope["path"].lstrip("/").split("/", 1)[0]
            if segment in SANDBOX_SEGMENTS:
                await sandbox(scope, receive, send)  # type: ignore[arg-type]
                return
        await zera(scope, receive, send)  # type: ignore[arg-type]

    return app
