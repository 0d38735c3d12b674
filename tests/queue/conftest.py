"""Fixtures for the job queue tests: a queue URL with short leases and backoff, the test's own
producer `JobQueue`, a probe file, and real worker processes sharing the test's stores."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

import tests.support.probe_tasks  # noqa: F401  (declares the probe tasks before JobQueue is built)
from tests.support.probe import Probe
from tests.support.workers import Workers
from zera.db import bind_tables, engine_for
from zera.queue import JobQueue
from zera.settings import Settings

TEST_QUEUE_OPTIONS = {"retry_min_ms": "200", "retry_max_ms": "2000"}


@pytest.fixture
def lease_seconds() -> str:
    """Short enough that a killed worker's jobs come back within seconds, long enough that a
    busy machine keeps renewing the leases of live workers. Tests may parametrize it."""
    return "2"


@pytest.fixture
def queue_url(settings: Settings, lease_seconds: str) -> str:
    parts = urlsplit(settings.queue_url)
    query = {
        **dict(parse_qsl(parts.query)),
        **TEST_QUEUE_OPTIONS,
        "lease_seconds": lease_seconds,
    }
    # Not urlunsplit: it turns "sqlite:////abs/path" (an empty host) into a relative path.
    return settings.queue_url.split("?", 1)[0] + "?" + urlencode(query)


@pytest.fixture
async def job_queue(settings: Settings, queue_url: str) -> AsyncIterator[JobQueue]:
    """The test's producer: enqueues jobs as the web process does (no worker threads)."""
    bind_tables(engine_for(settings.database_url))
    queue = JobQueue(queue_url)
    queue.init_storage()  # what `zera migrate` does for dramatiq-postgres; idempotent
    yield queue
    queue.close()


@pytest.fixture
def probe(tmp_path: Path) -> Probe:
    return Probe(tmp_path / "probe.db")


@pytest.fixture
def workers(settings: Settings, queue_url: str, tmp_path: Path) -> Iterator[Workers]:
    started = Workers(settings, queue_url, tmp_path)
    try:
        yield started
    finally:
        started.clean_up()
