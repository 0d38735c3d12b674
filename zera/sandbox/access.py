"""Who may use the control surface (`/_sandbox/...`): one guard for the JSON API and the views.

A request must name this sandbox's host (a page on another name reaching it through DNS
rebinding is refused), must not come from a browser on another site (there is no CSRF token:
the sandbox is exempt from the host app's CSRF so Intuit's endpoints work), and must carry a
credential: the header `X-Sandbox-Token` (scripts, tests), the cookie the sign-in form sets
(a person running `zera sandbox`), or, inside `zera serve`, a signed-in firm owner's session,
which the host app checks through the injected `authorize` callable.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from zera.sandbox.config import SandboxConfig

# Given the request's cookies: is this a signed-in firm owner of the host app?
Authorize = Callable[[Mapping[str, str]], Awaitable[bool]]

TOKEN_HEADER = "x-sandbox-token"  # noqa: S105 (a header name, not a secret)
COOKIE_NAME = "zera_sandbox_control"
# Route handlers marked with this opt key need the host and origin checks but no credential.
SIGN_IN = "sandbox_sign_in"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
_ANY_ADDRESS = frozenset({"0.0.0.0", "::"})  # noqa: S104 (names, compared, never bound)


def allowed_hosts(public_url: str) -> frozenset[str]:
    """The `Host` header values that name this sandbox: its public URL's host and port, and
    the other loopback names on that port when it listens on loopback (or on every address)."""
    parts = urlsplit(public_url)
    default_port = 443 if parts.scheme == "https" else 80
    port = parts.port or default_port
    host = (parts.hostname or "").lower()
    names = {host}
    if host in _LOOPBACK | _ANY_ADDRESS:
        names = set(_LOOPBACK)
    allowed: set[str] = set()
    for name in names:
        shown = f"[{name}]" if ":" in name else name
        allowed.add(f"{shown}:{port}")
        if port == default_port:
            allowed.add(shown)
    return frozenset(allowed)


def cookie_value(token: str) -> str:
    """What the sign-in cookie holds: derived from the token, so the cookie is not the token
    itself, and changing the token signs every browser out."""
    return hmac.new(token.encode(), b"zera-sandbox-control-cookie", hashlib.sha256).hexdigest()


def token_matches(presented: str, token: str) -> bool:
    """Constant-time comparison; an unset token matches nothing."""
    return bool(token) and hmac.compare_digest(presented.encode(), token.encode())


def check_host(connection: ASGIConnection[Any, Any, Any, Any], config: SandboxConfig) -> None:
    if connection.headers.get("host", "").lower() not in allowed_hosts(config.public_url):
        raise HTTPException(status_code=421, detail="this sandbox does not answer to that host "
                            "name; use the address it printed at start-up")


def check_same_origin(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Refuse a browser request made from another site, whatever cookies it carries."""
    origin = connection.headers.get("origin")
    if origin is not None and urlsplit(origin).netloc.lower() != (
        connection.headers.get("host", "").lower()
    ):
        raise PermissionDeniedException("cross-site request refused")
    if connection.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise PermissionDeniedException("cross-site request refused")


async def has_credential(connection: ASGIConnection[Any, Any, Any, Any], config: SandboxConfig,
                         authorize: Authorize | None) -> bool:
    """True for the right token (header or sign-in cookie) or a signed-in firm owner.

    A wrong `X-Sandbox-Token` is refused outright (403) rather than falling back to cookies.
    """
    presented = connection.headers.get(TOKEN_HEADER)
    if presented is not None:
        if token_matches(presented, config.control_token):
            return True
        raise PermissionDeniedException("X-Sandbox-Token is wrong")
    cookie = connection.cookies.get(COOKIE_NAME)
    if cookie and config.control_token and hmac.compare_digest(
        cookie.encode(), cookie_value(config.control_token).encode()
    ):
        return True
    return authorize is not None and await authorize(connection.cookies)


async def control_guard(connection: ASGIConnection[Any, Any, Any, Any],
                        handler: BaseRouteHandler) -> None:
    """Litestar guard on every control route: host, then origin, then credential."""
    runtime = connection.app.state["sandbox"]
    authorize: Authorize | None = connection.app.state.get("authorize")
    check_host(connection, runtime.config)
    check_same_origin(connection)
    if handler.opt.get(SIGN_IN):
        return
    if not await has_credential(connection, runtime.config, authorize):
        raise NotAuthorizedException(
            "the sandbox's control surface needs a signed-in firm owner or the header "
            "X-Sandbox-Token: $ZERA_SANDBOX_CONTROL_TOKEN")
