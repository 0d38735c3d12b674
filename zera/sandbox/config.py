"""Sandbox configuration: read once from the environment into a frozen object."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


class SandboxConfigError(ValueError):
    """A sandbox setting is malformed; the message names the variable."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SandboxConfigError(f"{name} must be an integer, not {raw!r}") from None


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    return raw in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Limits:
    """Intuit's throttling limits (QBO-API.md §7); `enabled=False` lifts them for benchmarks."""

    enabled: bool = True
    requests_per_minute: int = 500
    concurrent_per_realm: int = 10
    batch_per_minute: int = 120
    batch_max_items: int = 30
    query_max_results: int = 1000
    cdc_max_objects: int = 1000
    cdc_lookback_days: int = 30


@dataclass(frozen=True)
class TokenPolicy:
    """OAuth lifetimes (QBO-API.md §1). Rotation and grace are the configurable unknowns."""

    access_seconds: int = 3600
    refresh_days: int = 100
    rotation_seconds: int = 24 * 3600
    # Intuit's current help text says a superseded refresh token dies at once: the strict default.
    grace_seconds: int = 0
    hard_expiry_days: int = 5 * 365
    code_seconds: int = 600


@dataclass(frozen=True)
class SandboxConfig:
    """Everything the sandbox reads from its environment (`ZERA_SANDBOX_*`)."""

    db_path: Path = Path("var/qbo-sandbox.db")
    client_id: str = ""
    client_secret: str = field(default="", repr=False)
    verifier_token: str = field(default="", repr=False)
    redirect_uris: tuple[str, ...] = ()
    webhook_url: str = ""
    webhook_format: str = "legacy"
    webhook_time_scale: float = 1.0
    # None: the first company gets starter records only (no generated history).
    seed: int | None = 1
    seed_months: int = 12
    # A base URL lets the discovery document and consent redirects name absolute URLs.
    public_url: str = "http://127.0.0.1:8001"
    limits: Limits = Limits()
    tokens: TokenPolicy = TokenPolicy()
    # Intuit rejects properties it does not know with 2010; off only for debugging odd clients.
    reject_unknown_fields: bool = True
    control_enabled: bool = True
    webhooks_enabled: bool = True
    # The control surface's shared secret (header `X-Sandbox-Token`); empty: no token opens it.
    control_token: str = field(default="", repr=False)
    # Where a generated control token is kept (None when it came from the environment): set,
    # the token is printed at start-up so a person can use it.
    control_token_file: Path | None = None
    # Development only: webhooks may be sent anywhere, not just to `webhook_url` (the tests run
    # their own receivers). Off, the control surface cannot aim signed POSTs at other addresses.
    allow_any_webhook_url: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str], *, base_dir: Path | None = None) -> SandboxConfig:
        """Build the configuration from `environ`; nothing else reads the environment."""
        env = dict(environ)
        root = base_dir or Path(env.get("ZERA_BASE_DIR", ".")).resolve()
        db = env.get("ZERA_SANDBOX_DB", "").strip()
        fmt = env.get("ZERA_SANDBOX_WEBHOOK_FORMAT", "legacy").strip().lower()
        if fmt not in {"legacy", "cloudevents"}:
            raise SandboxConfigError(
                f"ZERA_SANDBOX_WEBHOOK_FORMAT must be 'legacy' or 'cloudevents', not {fmt!r}"
            )
        scale_raw = env.get("ZERA_SANDBOX_WEBHOOK_TIME_SCALE", "1").strip() or "1"
        try:
            scale = float(scale_raw)
        except ValueError:
            raise SandboxConfigError(
                f"ZERA_SANDBOX_WEBHOOK_TIME_SCALE must be a number, not {scale_raw!r}"
            ) from None
        limits = Limits(
            enabled=_bool(env, "ZERA_SANDBOX_LIMITS", True),
            requests_per_minute=_int(env, "ZERA_SANDBOX_REQUESTS_PER_MINUTE", 500),
            concurrent_per_realm=_int(env, "ZERA_SANDBOX_CONCURRENT_PER_REALM", 10),
            batch_per_minute=_int(env, "ZERA_SANDBOX_BATCH_PER_MINUTE", 120),
        )
        tokens = TokenPolicy(
            rotation_seconds=_int(env, "ZERA_SANDBOX_REFRESH_ROTATION_SECONDS", 24 * 3600),
            grace_seconds=_int(env, "ZERA_SANDBOX_REFRESH_GRACE_SECONDS", 0),
        )
        uris = tuple(
            u.strip() for u in env.get("ZERA_SANDBOX_REDIRECT_URIS", "").split(",") if u.strip()
        )
        control_enabled = _bool(env, "ZERA_SANDBOX_CONTROL", True)
        control_token = env.get("ZERA_SANDBOX_CONTROL_TOKEN", "").strip()
        token_file = None
        if control_enabled and not control_token:
            token_file = root / "var" / "sandbox_control_token"
            control_token = stored_secret(token_file)
        return cls(
            db_path=Path(db) if db else root / "var" / "qbo-sandbox.db",
            client_id=env.get("ZERA_SANDBOX_CLIENT_ID", "").strip(),
            client_secret=env.get("ZERA_SANDBOX_CLIENT_SECRET", "").strip(),
            verifier_token=env.get("ZERA_SANDBOX_VERIFIER_TOKEN", "").strip(),
            redirect_uris=uris,
            webhook_url=env.get("ZERA_SANDBOX_WEBHOOK_URL", "").strip(),
            webhook_format=fmt,
            webhook_time_scale=scale,
            seed=None if env.get("ZERA_SANDBOX_SEED", "").strip().lower() == "none"
            else _int(env, "ZERA_SANDBOX_SEED", 1),
            seed_months=_int(env, "ZERA_SANDBOX_SEED_MONTHS", 12),
            public_url=env.get("ZERA_SANDBOX_PUBLIC_URL", "http://127.0.0.1:8001").rstrip("/"),
            limits=limits,
            tokens=tokens,
            reject_unknown_fields=_bool(env, "ZERA_SANDBOX_REJECT_UNKNOWN_FIELDS", True),
            control_enabled=control_enabled,
            webhooks_enabled=_bool(env, "ZERA_SANDBOX_WEBHOOKS", True),
            control_token=control_token,
            control_token_file=token_file,
            allow_any_webhook_url=_bool(env, "ZERA_SANDBOX_ALLOW_ANY_WEBHOOK_URL", False),
        )


def stored_secret(path: Path) -> str:
    """The secret kept at `path`, generated there (mode 0600) the first time."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first: theirs is the one
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
