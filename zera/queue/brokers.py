"""Choose the Dramatiq broker from a URL, so the same code runs in every mode.

- `sqlite:///path/queue.db`: the embedded durable queue (default; no server).
- `postgresql://...`: dramatiq-postgres (SKIP LOCKED claims, heartbeats), one dyno needs no Redis.
- `redis://...`: Dramatiq's RedisBroker, for scale-out.

Query parameters tune the queue itself and are removed before the URL reaches the broker:

- `lease_seconds=N`: how long a message claimed by a process that died stays invisible before it
  is handed out again (default 30). It maps onto each broker's own heartbeat setting.
- `retry_min_ms=N`, `retry_max_ms=N`: exponential retry backoff bounds (default 2 s and 5 min).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dramatiq.broker import Broker

from zera.queue.sqlite_broker import SQLiteBroker


@dataclass(frozen=True)
class QueueOptions:
    """Queue behaviour read from the queue URL's query string."""

    lease_seconds: float = 30.0
    retry_min_ms: int = 2_000
    retry_max_ms: int = 300_000


def parse_queue_url(url: str) -> tuple[str, QueueOptions]:
    """Split `url` into the broker's own URL and Zera's queue options."""
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    defaults = QueueOptions()
    try:
        options = QueueOptions(
            lease_seconds=float(params.pop("lease_seconds", defaults.lease_seconds)),
            retry_min_ms=int(params.pop("retry_min_ms", defaults.retry_min_ms)),
            retry_max_ms=int(params.pop("retry_max_ms", defaults.retry_max_ms)),
        )
    except ValueError as exc:
        raise ValueError(f"malformed queue URL option: {exc}") from None
    if options.lease_seconds <= 0 or not 0 < options.retry_min_ms <= options.retry_max_ms:
        raise ValueError(
            "queue URL options need lease_seconds > 0 and 0 < retry_min_ms <= retry_max_ms"
        )
    if parts.scheme == "sqlite":
        # urlunsplit would fold "sqlite:////abs/path" into "sqlite://abs/path" (a relative path):
        # keep everything before the query string as it was written.
        base = url.partition("?")[0]
        return base + (f"?{urlencode(params)}" if params else ""), options
    return urlunsplit(parts._replace(query=urlencode(params))), options


def build_broker(url: str) -> Broker:
    clean, options = parse_queue_url(url)
    lease = options.lease_seconds
    scheme = urlsplit(clean).scheme
    if scheme == "sqlite":
        return SQLiteBroker(Path(clean.removeprefix("sqlite:///")), lease_seconds=lease)
    if scheme in {"postgres", "postgresql"}:
        from zera.queue.handback import HandbackPostgresBroker

        broker: Broker = HandbackPostgresBroker(
            url=clean.replace("postgres://", "postgresql://", 1),
            results=False,
            heartbeat_interval=max(lease / 4, 0.5),
            heartbeat_ttl=lease,
            maintenance_interval=max(lease / 2, 0.5),
        )
        return broker
    if scheme in {"redis", "rediss"}:
        from zera.queue.handback import HandbackRedisBroker

        # maintenance_chance is out of a million commands; at 1 in 10 a dead worker's messages
        # are requeued within seconds of idle polling instead of minutes.
        return HandbackRedisBroker(  # type: ignore[no-untyped-call]
            url=clean, heartbeat_timeout=int(lease * 1000), maintenance_chance=100_000
        )
    raise ValueError(
        f"unsupported queue URL scheme {scheme!r} (use sqlite:///, postgresql://, redis://)"
    )


def init_broker_storage(broker: Broker) -> None:
    """Create the broker's tables where it needs them (dramatiq-postgres's `init` step)."""
    if _is_postgres(broker):
        from dramatiq_postgres import init
        from dramatiq_postgres.utils import transaction

        with transaction(broker.pool) as cursor:  # type: ignore[attr-defined]
            init(cursor)


def ping_broker(broker: Broker) -> None:
    """Raise if the broker's store cannot be reached."""
    if isinstance(broker, SQLiteBroker):
        broker.ping()
    elif _is_postgres(broker):
        with broker.pool.connection(timeout=3) as conn:  # type: ignore[attr-defined]
            conn.execute("SELECT 1")
    else:
        from dramatiq.brokers.redis import RedisBroker

        if isinstance(broker, RedisBroker):
            broker.client.ping()


def _is_postgres(broker: Broker) -> bool:
    if isinstance(broker, SQLiteBroker):
        return False  # without importing psycopg in the embedded mode
    from dramatiq_postgres import PostgresBroker

    return isinstance(broker, PostgresBroker)
