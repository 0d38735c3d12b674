"""Choose the Dramatiq broker from a URL, so the same code runs in every mode.

- `sqlite:///path/queue.db`: the embedded durable queue (default; no server).
- `postgresql://...`: dramatiq-postgres (SKIP LOCKED claims, heartbeats), one dyno needs no Redis.
- `redis://...`: Dramatiq's RedisBroker, for scale-out.

`?lease_seconds=N` sets how long a message claimed by a process that died stays invisible before
it is handed out again (default 30). It maps onto each broker's own heartbeat setting.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from dramatiq.broker import Broker

from zera.queue.sqlite_broker import SQLiteBroker


def _split(url: str) -> tuple[str, float]:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    lease = float(params.pop("lease_seconds", "30"))
    return urlunsplit(parts._replace(query=urlencode(params))), lease


def build_broker(url: str) -> Broker:
    clean, lease = _split(url)
    scheme = urlsplit(clean).scheme
    if scheme == "sqlite":
        return SQLiteBroker(
            Path(clean.removeprefix("sqlite:///").removeprefix("sqlite://")), lease_seconds=lease
        )
    if scheme in {"postgres", "postgresql"}:
        from dramatiq_postgres import PostgresBroker

        return PostgresBroker(
            url=clean.replace("postgres://", "postgresql://", 1),
            results=False,
            heartbeat_interval=max(lease / 4, 0.5),
            heartbeat_ttl=lease,
            maintenance_interval=max(lease / 2, 0.5),
        )
    if scheme in {"redis", "rediss"}:
        from dramatiq.brokers.redis import RedisBroker

        # maintenance_chance is out of a million commands; at 1 in 10 a dead worker's messages
        # are requeued within seconds of idle polling instead of minutes.
        return RedisBroker(
            url=clean, heartbeat_timeout=int(lease * 1000), maintenance_chance=100_000
        )
    raise ValueError(
        f"unsupported queue URL scheme {scheme!r} (use sqlite:///, postgresql://, redis://)"
    )


def init_broker_storage(broker: Broker) -> None:
    """Create the broker's tables where it needs them (dramatiq-postgres's `init` step)."""
    if type(broker).__name__ == "PostgresBroker":
        from dramatiq_postgres import init
        from dramatiq_postgres.utils import transaction

        with transaction(broker.pool) as cursor:  # type: ignore[attr-defined]
            init(cursor)


def ping_broker(broker: Broker) -> None:
    """Raise if the broker's store cannot be reached."""
    if isinstance(broker, SQLiteBroker):
        broker.ping()
    elif type(broker).__name__ == "PostgresBroker":
        with broker.pool.connection(timeout=3) as conn:  # type: ignore[attr-defined]
            conn.execute("SELECT 1")
    elif type(broker).__name__ == "RedisBroker":
        broker.client.ping()  # type: ignore[attr-defined]
