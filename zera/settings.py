"""Settings: read once from the environment into a frozen object passed into `create_app`."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from zera.files import private_dir


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


def _bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    """Everything Zera reads from its environment. See the README for each variable."""

    mode: str = "development"
    base_dir: Path = field(default_factory=Path.cwd)
    database_url: str = ""
    queue_url: str = ""
    secret_key: str = field(default="", repr=False)
    token_keys: tuple[str, ...] = field(default=(), repr=False)
    host: str = "127.0.0.1"
    port: int = 8000
    worker_threads: int = 2
    max_upload_bytes: int = 25 * 1024 * 1024
    ocr_max_pages: int = 50
    ocr_max_seconds: float = 300.0
    login_max_failures: int = 5
    login_lockout_seconds: int = 900
    session_max_age_seconds: int = 12 * 3600
    # Intuit retries an unanswered webhook for about 12.5 h, then every 6 h: a day covers the
    # schedule and then some. Older events are refused as replays (CDC catches real misses).
    webhook_replay_window_seconds: int = 24 * 3600
    # How often every connection is caught up by CDC whatever webhooks said (missed webhooks
    # must never mean missed changes): the longest a change can wait when Intuit's is lost.
    catch_up_seconds: int = 15 * 60
    dead_letter_days: int = 7
    secure_cookies: bool = False
    log_level: str = "INFO"
    public_url: str = "http://127.0.0.1:8000"
    intuit_client_id: str = ""
    intuit_client_secret: str = field(default="", repr=False)
    intuit_redirect_uri: str = ""
    intuit_environment: str = "sandbox"
    intuit_verifier_token: str = field(default="", repr=False)
    sandbox_url: str = ""
    sandbox_client_id: str = ""
    sandbox_client_secret: str = field(default="", repr=False)
    sandbox_verifier_token: str = field(default="", repr=False)

    @property
    def uses_intuit(self) -> bool:
        """True when real Intuit credentials are configured; otherwise the built-in sandbox."""
        return bool(self.intuit_client_id)

    @property
    def redirect_uri(self) -> str:
        return self.intuit_redirect_uri or f"{self.public_url}/qbo/callback"

    @property
    def production(self) -> bool:
        return self.mode == "production"

    @property
    def var_dir(self) -> Path:
        return self.base_dir / "var"

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        host: str | None = None,
        port: int | None = None,
    ) -> Settings:
        """Build settings from `environ` (default: the process environment).

        In production mode every secret must be given; a missing one raises
        `SettingsError` naming the variable. In development mode a random secret is
        generated once and kept under ./var/ so sessions survive a restart.
        """
        env = dict(os.environ if environ is None else environ)
        mode = env.get("ZERA_MODE", "development").strip().lower()
        if mode not in {"development", "production"}:
            raise SettingsError(f"ZERA_MODE must be 'development' or 'production', not {mode!r}")
        base_dir = Path(env.get("ZERA_BASE_DIR", Path.cwd())).resolve()
        var_dir = base_dir / "var"

        database_url = env.get("DATABASE_URL", "").strip()
        if not database_url:
            if mode == "production":
                raise SettingsError("DATABASE_URL is required in production mode")
            database_url = f"sqlite:///{var_dir / 'zera.db'}"
        queue_url = (env.get("ZERA_QUEUE_URL") or env.get("REDIS_URL") or "").strip()
        if not queue_url:
            queue_url = (
                database_url
                if database_url.startswith("postgres")
                else f"sqlite:///{var_dir / 'queue.db'}"
            )

        secret_key = env.get("ZERA_SECRET_KEY", "").strip()
        token_keys = tuple(
            k.strip() for k in env.get("ZERA_TOKEN_KEYS", "").split(",") if k.strip()
        )
        if mode == "production":
            for name, value in (("ZERA_SECRET_KEY", secret_key), ("ZERA_TOKEN_KEYS", token_keys)):
                if not value:
                    raise SettingsError(f"{name} is required in production mode")
        else:
            if not secret_key:
                secret_key = _dev_secret(var_dir / "secret_key", 48)
            if not token_keys:
                token_keys = (_dev_secret(var_dir / "token_key", 32, urlsafe_b64=True),)
        if len(secret_key) < 32:
            raise SettingsError("ZERA_SECRET_KEY must be at least 32 characters long")

        # Command-line --host/--port win over the environment, and shape the default public URL.
        host = host or env.get("ZERA_HOST", "127.0.0.1")
        # An empty PORT (as `PORT= zera serve` leaves it) counts as unset.
        port_text = str(port or env.get("PORT") or env.get("ZERA_PORT") or "8000")
        public_url = env.get("ZERA_PUBLIC_URL", f"http://{host}:{port_text}").rstrip("/")
        intuit = {
            "intuit_client_id": env.get("INTUIT_CLIENT_ID", "").strip(),
            "intuit_client_secret": env.get("INTUIT_CLIENT_SECRET", "").strip(),
            "intuit_redirect_uri": env.get("INTUIT_REDIRECT_URI", "").strip(),
            "intuit_environment": env.get("INTUIT_ENVIRONMENT", "sandbox").strip().lower(),
            "intuit_verifier_token": env.get("INTUIT_WEBHOOK_VERIFIER_TOKEN", "").strip(),
        }
        if mode == "production" and not intuit["intuit_client_id"]:
            # Without it Zera would fall back to the built-in sandbox, which never runs in
            # production (its control surface edits records and moves the clock).
            raise SettingsError("INTUIT_CLIENT_ID is required in production mode")
        if intuit["intuit_environment"] not in {"sandbox", "production"}:
            raise SettingsError("INTUIT_ENVIRONMENT must be 'sandbox' or 'production'")
        if intuit["intuit_client_id"]:
            for name, key in (
                ("INTUIT_CLIENT_SECRET", "intuit_client_secret"),
                ("INTUIT_WEBHOOK_VERIFIER_TOKEN", "intuit_verifier_token"),
            ):
                if not intuit[key]:
                    raise SettingsError(f"{name} is required when INTUIT_CLIENT_ID is set")
        sandbox = (
            {
                "sandbox_url": env.get("ZERA_SANDBOX_URL", public_url).rstrip("/"),
                "sandbox_client_id": env.get("ZERA_SANDBOX_CLIENT_ID", "").strip()
                or _dev_secret(var_dir / "sandbox_client_id", 12),
                "sandbox_client_secret": env.get("ZERA_SANDBOX_CLIENT_SECRET", "").strip()
                or _dev_secret(var_dir / "sandbox_client_secret", 30),
                "sandbox_verifier_token": env.get("ZERA_SANDBOX_VERIFIER_TOKEN", "").strip()
                or _dev_secret(var_dir / "sandbox_verifier_token", 24),
            }
            if not intuit["intuit_client_id"]
            else {}
        )
        try:
            return cls(
                mode=mode,
                base_dir=base_dir,
                database_url=database_url,
                queue_url=queue_url,
                secret_key=secret_key,
                token_keys=token_keys,
                host=host,
                port=int(port_text),
                public_url=public_url,
                **intuit,
                **sandbox,
                worker_threads=int(env.get("ZERA_WORKER_THREADS", "2")),
                max_upload_bytes=int(env.get("ZERA_MAX_UPLOAD_MB", "25")) * 1024 * 1024,
                ocr_max_pages=int(env.get("ZERA_OCR_MAX_PAGES", "50")),
                ocr_max_seconds=float(env.get("ZERA_OCR_MAX_SECONDS", "300")),
                login_max_failures=int(env.get("ZERA_LOGIN_MAX_FAILURES", "5")),
                login_lockout_seconds=int(env.get("ZERA_LOGIN_LOCKOUT_SECONDS", "900")),
                session_max_age_seconds=int(env.get("ZERA_SESSION_HOURS", "12")) * 3600,
                webhook_replay_window_seconds=int(env.get("ZERA_WEBHOOK_REPLAY_HOURS", "24"))
                * 3600,
                catch_up_seconds=int(float(env.get("ZERA_CATCH_UP_MINUTES", "15")) * 60),
                dead_letter_days=int(env.get("ZERA_DEAD_LETTER_DAYS", "7")),
                secure_cookies=_bool(env.get("ZERA_SECURE_COOKIES", str(mode == "production"))),
                log_level=env.get("ZERA_LOG_LEVEL", "INFO").upper(),
            )
        except ValueError as exc:
            raise SettingsError(f"a numeric setting is malformed: {exc}") from None


def _dev_secret(path: Path, nbytes: int, *, urlsafe_b64: bool = False) -> str:
    """Return the development secret stored at `path`, creating it (mode 0600) once."""
    if path.exists():
        return path.read_text().strip()
    private_dir(path.parent)
    raw = secrets.token_bytes(nbytes)
    value = base64.urlsafe_b64encode(raw).decode() if urlsafe_b64 else secrets.token_urlsafe(nbytes)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value
