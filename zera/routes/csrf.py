"""CSRF protection bound to the session.

A request that carries a session cookie must carry the token derived from that session
(HMAC of the session token under the secret key): a token minted for another session, or for
no session, is refused. Pages seen before signing in (sign-in, set-up) use a signed random token
that is also set as a cookie (double submit). Either way the token reaches templates as
`csrf_input` and `csrf_token()`, and comes back as the `_csrf_token` form field or the
`x-csrftoken` header that htmx sends. Handlers opt out with `exclude_from_csrf=True`.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from zera.accounts.sessions import COOKIE_NAME as SESSION_COOKIE

CSRF_COOKIE = "csrftoken"
HEADER = "x-csrftoken"
FORM_FIELD = "_csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class SessionBoundCSRF(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)
    exclude_opt_key = "exclude_from_csrf"

    def __init__(self, secret_key: str, *, secure_cookie: bool) -> None:
        self._key = secret_key.encode()
        self._secure_cookie = secure_cookie

    def _sign(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def session_token(self, session: str) -> str:
        return self._sign("session", session)

    def _anonymous_token_is_valid(self, token: str) -> bool:
        nonce, _, signature = token.partition(".")
        return bool(nonce) and hmac.compare_digest(signature, self._sign("anonymous", nonce))

    def _new_anonymous_token(self) -> str:
        nonce = secrets.token_hex(16)
        return f"{nonce}.{self._sign('anonymous', nonce)}"

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        request: Request[Any, Any, Any] = Request(scope, receive)
        session = request.cookies.get(SESSION_COOKIE)
        cookie = request.cookies.get(CSRF_COOKIE, "")
        state = ScopeState.from_scope(scope)
        if request.method in SAFE_METHODS:
            if session:
                state.csrf_token = self.session_token(session)
                await next_app(scope, receive, send)
            elif self._anonymous_token_is_valid(cookie):
                state.csrf_token = cookie
                await next_app(scope, receive, send)
            else:
                state.csrf_token = self._new_anonymous_token()
                await next_app(scope, receive, self._setting_cookie(send, state.csrf_token))
            return
        given = request.headers.get(HEADER)
        if not given and request.content_type[0] in {
            RequestEncodingType.URL_ENCODED,
            RequestEncodingType.MULTI_PART,
        }:
            field = (await request.form()).get(FORM_FIELD)
            given = field if isinstance(field, str) else None
        expected = self.session_token(session) if session else cookie
        if not given or not hmac.compare_digest(given.encode(), expected.encode()):
            raise PermissionDeniedException("CSRF token verification failed")
        if not session and not self._anonymous_token_is_valid(cookie):
            raise PermissionDeniedException("CSRF token verification failed")
        state.csrf_token = given
        await next_app(scope, receive, send)

    def _setting_cookie(self, send: Send, token: str) -> Send:
        cookie = Cookie(
            key=CSRF_COOKIE,
            value=token,
            path="/",
            secure=self._secure_cookie,
            httponly=True,
            samesite="lax",
        )

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                MutableScopeHeaders.from_message(message).add(
                    "set-cookie", cookie.to_header(header="")
                )
            await send(message)

        return send_with_cookie
