"""Intuit's OAuth 2.0 server behaviour (QBO-API.md §1), independent of HTTP.

Codes are single-use and a second exchange kills the grant; access tokens live 3600 s; refresh
tokens live 100 days rolling, their value rotates at most once per window, and a superseded value
lives on only for the configured grace. Tokens are stored as SHA-256 hashes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from zera.sandbox.clock import SandboxClock
from zera.sandbox.config import SandboxConfig, TokenPolicy
from zera.sandbox.faults import AuthenticationFailed
from zera.sandbox.store import SandboxStore, utc_text

ACCOUNTING_SCOPE = "com.intuit.quickbooks.accounting"
KNOWN_SCOPES = frozenset({
    ACCOUNTING_SCOPE, "com.intuit.quickbooks.payment", "openid", "profile", "email", "phone",
    "address", "intuit_name",
})
_ACCESS_SHAPE = re.compile(r"^eyJ[A-Za-z0-9_-]{80}$")


class OAuthError(Exception):
    """An RFC 6749 error body: `{"error": ..., "error_description": ...}`."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def body(self) -> dict[str, str]:
        return {"error_description": self.description, "error": self.error}


@dataclass(frozen=True)
class DevApp:
    """The development app registered from the start."""

    client_id: str
    client_secret: str
    verifier_token: str
    redirect_uris: tuple[str, ...]
    generated: bool


@dataclass(frozen=True)
class AccessGrant:
    realm: str
    grant_id: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def load_dev_app(store: SandboxStore, config: SandboxConfig) -> DevApp:
    """Credentials from the config, else generated once and kept in the store."""
    values: dict[str, str] = {}
    generated = False
    makers: tuple[tuple[str, str, Callable[[], str]], ...] = (
        ("client_id", config.client_id, lambda: "AB" + secrets.token_hex(23)),
        ("client_secret", config.client_secret, lambda: secrets.token_urlsafe(30)),
        ("verifier_token", config.verifier_token, lambda: secrets.token_hex(18)),
    )
    for key, given, make in makers:
        if given:
            values[key] = given
            continue
        stored = store.meta_get(f"app_{key}")
        if stored is None:
            stored = make()
            store.meta_set(f"app_{key}", stored)
            generated = True
        values[key] = stored
    return DevApp(values["client_id"], values["client_secret"], values["verifier_token"],
                  config.redirect_uris, generated)


class OAuthServer:
    def __init__(self, store: SandboxStore, clock: SandboxClock, policy: TokenPolicy,
                 app: DevApp) -> None:
        self.store = store
        self.clock = clock
        self.policy = policy
        self.app = app

    # -- authorization -----------------------------------------------------------------------------
    def check_authorize(self, client_id: str, redirect_uri: str, response_type: str,
                        scope: str) -> None:
        if client_id != self.app.client_id:
            raise OAuthError("invalid_client", "Unknown client_id", 401)
        if not self.redirect_allowed(redirect_uri):
            raise OAuthError("invalid_request", "redirect_uri is not registered for this app")
        if response_type != "code":
            raise OAuthError("unsupported_response_type", "response_type must be code")
        scopes = set(scope.split())
        if not scopes or not scopes <= KNOWN_SCOPES:
            raise OAuthError("invalid_scope", f"Unknown scope in {scope!r}")

    def redirect_allowed(self, uri: str) -> bool:
        if self.app.redirect_uris:
            return uri in self.app.redirect_uris
        # With none registered, local development callbacks are accepted.
        parsed = urlparse(uri)
        return parsed.scheme in ("http", "https") and parsed.hostname in ("localhost", "127.0.0.1")

    def issue_code(self, realm: str, scope: str, redirect_uri: str) -> str:
        now = self.clock.now()
        grant_id = secrets.token_hex(12)
        code = "AB11" + secrets.token_urlsafe(36)
        with self.store.write() as conn:
            conn.execute(
                "INSERT INTO grants (grant_id, client_id, realm, scope, created_at, "
                "hard_expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                (grant_id, self.app.client_id, realm, scope, utc_text(now),
                 utc_text(now + timedelta(days=self.policy.hard_expiry_days))),
            )
            conn.execute(
                "INSERT INTO auth_codes (code_hash, grant_id, redirect_uri, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (_hash(code), grant_id, redirect_uri,
                 utc_text(now + timedelta(seconds=self.policy.code_seconds))),
            )
        return code

    # -- token endpoint ----------------------------------------------------------------------------
    def authenticate_client(self, authorization: str | None, form: dict[str, str]) -> None:
        """client_secret_basic or client_secret_post; 401 invalid_client otherwise."""
        client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if authorization and authorization.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(authorization[6:].strip()).decode()
                client_id, _, secret = decoded.partition(":")
            except (ValueError, UnicodeDecodeError):
                raise OAuthError("invalid_client", "Malformed Basic credentials", 401) from None
        if not (hmac.compare_digest(client_id, self.app.client_id)
                and hmac.compare_digest(secret, self.app.client_secret)):
            raise OAuthError("invalid_client", "Client authentication failed", 401)

    def exchange_code(self, code: str, redirect_uri: str, *, hard: bool) -> dict[str, Any]:
        now = self.clock.now()
        failure: OAuthError | None = None
        # Failures are decided inside the transaction but raised after it commits: marking the
        # code used, or killing a replayed code's grant, must stick.
        with self.store.write() as conn:
            row = conn.execute("SELECT * FROM auth_codes WHERE code_hash = ?",
                               (_hash(code),)).fetchone()
            if row is None:
                failure = OAuthError("invalid_grant", "Invalid authorization code")
            elif row["used_at"] is not None:
                # A replayed code invalidates what the first exchange issued (oauth-jsclient#173).
                self._revoke_grant(row["grant_id"])
                failure = OAuthError("invalid_grant", "Authorization code has already been used")
            else:
                conn.execute("UPDATE auth_codes SET used_at = ? WHERE code_hash = ?",
                             (utc_text(now), _hash(code)))
                if _parse(row["expires_at"]) < now:
                    failure = OAuthError("invalid_grant", "Authorization code has expired")
                elif redirect_uri != row["redirect_uri"]:
                    failure = OAuthError("invalid_grant",
                                         "redirect_uri does not match the authorization")
                else:
                    refresh = self._new_refresh(row["grant_id"], now)
                    return self._response(row["grant_id"], refresh, now, hard=hard)
        assert failure is not None
        raise failure

    def refresh(self, token: str, *, hard: bool) -> dict[str, Any]:
        now = self.clock.now()
        bad = OAuthError("invalid_grant", "Incorrect or invalid refresh token")
        with self.store.write() as conn:
            row = conn.execute("SELECT * FROM refresh_tokens WHERE token_hash = ?",
                               (_hash(token),)).fetchone()
            if row is None:
                raise bad
            grant = conn.execute("SELECT * FROM grants WHERE grant_id = ?",
                                 (row["grant_id"],)).fetchone()
            if grant is None or grant["revoked"] or _parse(grant["hard_expires_at"]) <= now:
                raise bad
            if _parse(row["expires_at"]) <= now:
                raise bad
            if row["superseded_at"] is not None:
                grace = timedelta(seconds=self.policy.grace_seconds)
                if _parse(row["superseded_at"]) + grace <= now:
                    raise bad
                row = conn.execute(
                    "SELECT * FROM refresh_tokens WHERE grant_id = ? AND superseded_at IS NULL",
                    (row["grant_id"],)).fetchone()
                value = None  # the current value is only known by hash: rotate to a fresh one
            else:
                value = token
            if value is None or (now - _parse(row["issued_at"])).total_seconds() >= (
                self.policy.rotation_seconds
            ):
                value = self._new_refresh(row["grant_id"], now)
            else:
                conn.execute("UPDATE refresh_tokens SET expires_at = ? WHERE token_hash = ?",
                             (utc_text(now + timedelta(days=self.policy.refresh_days)),
                              row["token_hash"]))
            return self._response(row["grant_id"], value, now, hard=hard)

    def revoke(self, token: str) -> None:
        """Revoking either token disconnects the app from that company (whole grant)."""
        digest = _hash(token)
        for table in ("refresh_tokens", "access_tokens"):
            row = self.store.query_one(
                f"SELECT grant_id FROM {table} WHERE token_hash = ?", (digest,))  # noqa: S608
            if row is not None:
                self._revoke_grant(row["grant_id"])
                return

    # -- resource side -----------------------------------------------------------------------------
    def check_access(self, authorization: str | None) -> AccessGrant:
        """The grant behind a bearer token, or the 401 Intuit gives for its failure."""
        if not authorization or not authorization.startswith("Bearer "):
            raise AuthenticationFailed("Authorization header missing or not a Bearer token")
        token = authorization[7:].strip()
        if not _ACCESS_SHAPE.match(token):
            raise AuthenticationFailed("Malformed bearer token: too short or too long")
        row = self.store.query_one(
            "SELECT a.expires_at, g.realm, g.grant_id, g.revoked FROM access_tokens a "
            "JOIN grants g ON g.grant_id = a.grant_id WHERE a.token_hash = ?",
            (_hash(token),),
        )
        if row is None or row["revoked"]:
            raise AuthenticationFailed(f"Token revoked or unknown: {token[:12]}...")
        if _parse(row["expires_at"]) <= self.clock.now():
            raise AuthenticationFailed(f"Token expired: {token[:12]}...")
        return AccessGrant(row["realm"], row["grant_id"])

    # -- control surface ---------------------------------------------------------------------------
    def expire_access(self, realm: str | None = None) -> int:
        return self._for_grants(realm, "UPDATE access_tokens SET expires_at = ? WHERE grant_id = ?",
                                utc_text(self.clock.now() - timedelta(seconds=1)))

    def expire_refresh(self, realm: str | None = None) -> int:
        return self._for_grants(realm,
                                "UPDATE refresh_tokens SET expires_at = ? WHERE grant_id = ?",
                                utc_text(self.clock.now() - timedelta(seconds=1)))

    def revoke_realm(self, realm: str | None = None) -> int:
        return self._for_grants(realm, "UPDATE grants SET revoked = 1 WHERE grant_id = ? AND ?",
                                None)

    def connected_realms(self) -> list[str]:
        """Realms the app is connected to: a grant neither revoked nor past its hard expiry,
        whose current refresh token is still alive (a code never exchanged connects nothing)."""
        now = utc_text(self.clock.now())
        rows = self.store.query(
            "SELECT DISTINCT g.realm FROM grants g JOIN refresh_tokens r "
            "ON r.grant_id = g.grant_id WHERE g.revoked = 0 AND g.hard_expires_at > ? "
            "AND r.superseded_at IS NULL AND r.expires_at > ? ORDER BY g.realm", (now, now))
        return [str(row["realm"]) for row in rows]

    def grants(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self.store.query(
            "SELECT grant_id, realm, scope, created_at, revoked FROM grants ORDER BY created_at")]

    # -- internals ---------------------------------------------------------------------------------
    def _for_grants(self, realm: str | None, sql: str, value: str | None) -> int:
        rows = self.store.query(
            "SELECT grant_id FROM grants WHERE revoked = 0"  # noqa: S608  (fixed text)
            + (" AND realm = ?" if realm else ""),
            (realm,) if realm else (),
        )
        with self.store.write() as conn:
            for row in rows:
                if value is None:
                    conn.execute(sql, (row["grant_id"], 1))
                else:
                    conn.execute(sql, (value, row["grant_id"]))
        return len(rows)

    def _revoke_grant(self, grant_id: str) -> None:
        with self.store.write() as conn:
            conn.execute("UPDATE grants SET revoked = 1 WHERE grant_id = ?", (grant_id,))
            conn.execute("DELETE FROM access_tokens WHERE grant_id = ?", (grant_id,))

    def _new_refresh(self, grant_id: str, now: datetime) -> str:
        value = "AB11" + str(int(now.timestamp())) + secrets.token_urlsafe(30).replace("-", "x")
        with self.store.write() as conn:
            conn.execute(
                "UPDATE refresh_tokens SET superseded_at = ? WHERE grant_id = ? "
                "AND superseded_at IS NULL", (utc_text(now), grant_id))
            conn.execute(
                "INSERT INTO refresh_tokens (token_hash, grant_id, issued_at, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (_hash(value), grant_id, utc_text(now),
                 utc_text(now + timedelta(days=self.policy.refresh_days))))
        return value

    def _response(self, grant_id: str, refresh: str, now: datetime, *,
                  hard: bool) -> dict[str, Any]:
        access = "eyJ" + base64.urlsafe_b64encode(secrets.token_bytes(60)).decode().rstrip("=")
        with self.store.write() as conn:
            conn.execute(
                "INSERT INTO access_tokens (token_hash, grant_id, expires_at) VALUES (?, ?, ?)",
                (_hash(access), grant_id,
                 utc_text(now + timedelta(seconds=self.policy.access_seconds))))
            grant = conn.execute("SELECT hard_expires_at FROM grants WHERE grant_id = ?",
                                 (grant_id,)).fetchone()
            row = conn.execute("SELECT expires_at FROM refresh_tokens WHERE token_hash = ?",
                               (_hash(refresh),)).fetchone()
        hard_left = int((_parse(grant["hard_expires_at"]) - now).total_seconds())
        rolling = int((_parse(row["expires_at"]) - now).total_seconds())
        body: dict[str, Any] = {
            "token_type": "bearer", "expires_in": self.policy.access_seconds,
            "refresh_token": refresh, "x_refresh_token_expires_in": min(rolling, hard_left),
            "access_token": access,
        }
        if hard:
            body["x_refresh_token_hard_expires_in"] = hard_left
        return body
