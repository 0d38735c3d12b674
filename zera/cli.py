"""The `zera` command."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import os
import signal
import sys
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from zera.settings import Settings, SettingsError

log = logging.getLogger("zera")


def _settings(host: str | None = None, port: int | None = None) -> Settings:
    try:
        return Settings.from_env(host=host, port=port)
    except SettingsError as exc:
        print(f"zera: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _migrate(settings: Settings) -> None:
    from zera.db import engine_for, migrate
    from zera.queue.brokers import build_broker, init_broker_storage

    applied = asyncio.run(migrate(engine_for(settings.database_url)))
    if not settings.uses_intuit and not settings.production:
        # The built-in sandbox's store (and its first company) is part of the install, so the
        # first `zera serve` starts at once.
        from zera.combined import sandbox_config_for
        from zera.sandbox.runtime import SandboxRuntime

        SandboxRuntime.build(sandbox_config_for(settings, os.environ)).close()
    broker = build_broker(settings.queue_url)
    init_broker_storage(broker)
    broker.close()
    log.info("migrations applied: %s", ", ".join(applied) or "none pending")


def _serve(
    settings: Settings, host: str, port: int, worker_threads: int, *, mount_sandbox: bool
) -> None:
    import uvicorn

    import zera.tasks  # noqa: F401  (declares the tasks before the queue builds its actors)
    from zera.app import create_app

    app: Any = create_app(settings, worker_threads=worker_threads)
    # Never in production, whatever the credentials say (settings already demand Intuit's there).
    if mount_sandbox and not settings.uses_intuit and not settings.production:
        from zera.combined import (
            announce_as_json_line,
            owner_authorizer,
            sandbox_config_for,
            with_sandbox,
        )
        from zera.sandbox.app import create_sandbox_app

        sandbox = create_sandbox_app(
            sandbox_config_for(settings, os.environ),
            authorize=owner_authorizer(),
            announce=announce_as_json_line,
        )
        app = with_sandbox(app, sandbox)
        log.info("built-in QuickBooks sandbox mounted at %s", settings.public_url)
    _announce_setup(settings)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        timeout_graceful_shutdown=30,
    )


def _announce_setup(settings: Settings) -> None:
    """While no owner exists, print the set-up URL with its token for whoever started Zera.

    Printed, not logged: the log masks anything called a token, and this one is meant to be
    read (it is worthless once the owner exists). It keeps the logs' JSON-lines shape.
    """
    from zera.accounts.setup_token import setup_token
    from zera.accounts.users import needs_setup

    try:
        pending = asyncio.run(needs_setup())
    except Exception:  # an unmigrated or unreachable database: /healthz will say so
        log.warning("could not tell whether the firm is set up", exc_info=True)
        return
    if not pending:
        return
    url = f"{settings.public_url}/setup?token={setup_token(settings.secret_key)}"
    line = {
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "level": "warning",
        "logger": "zera",
        "message": f"No firm owner yet: open {url} to set up the firm",
    }
    print(json.dumps(line), file=sys.stderr, flush=True)


def _web_host(given: str | None, environ: Mapping[str, str]) -> str | None:
    """Where `zera web` listens: --host, else ZERA_HOST, else every interface when the platform
    assigns PORT (its router must reach the process), else None: the settings' loopback."""
    if given or environ.get("ZERA_HOST"):
        return given
    return "0.0.0.0" if environ.get("PORT") else None  # noqa: S104 (a dyno's router connects)


def _worker(settings: Settings, modules: list[str]) -> None:
    import zera.tasks  # noqa: F401
    from zera.db import bind_tables, engine_for
    from zera.qbo.service import QuickBooks
    from zera.queue import JobQueue
    from zera.tasks.context import TaskContext
    from zera.tasks.schedule import Scheduler

    for module in modules:
        importlib.import_module(module)
    bind_tables(engine_for(settings.database_url))
    queue = JobQueue(
        settings.queue_url, TaskContext(settings=settings, quickbooks=QuickBooks(settings))
    )
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    queue.start_worker(settings.worker_threads)
    scheduler = Scheduler(queue, catch_up_seconds=settings.catch_up_seconds)
    scheduler.start()
    log.info("worker started with %d threads", settings.worker_threads)
    # Wake up now and then rather than block in one wait: the signal handler runs in this
    # thread, and a wait with no timeout has been seen to sit through a SIGTERM under load.
    while not stop.wait(0.5):
        pass
    scheduler.stop()
    log.info("worker stopping: finishing jobs in flight")
    queue.close()
    log.info("worker stopped")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="zera", description="Zera bookkeeping workbench")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="the whole app in one process (web + worker)")
    serve.add_argument("--host", default=None)
    serve.add_argument("--port", type=int, default=None)
    web = commands.add_parser("web", help="the web process (Procfile)")
    web.add_argument("--host", default=None)
    web.add_argument("--port", type=int, default=None)
    worker = commands.add_parser("worker", help="the job worker process (Procfile)")
    worker.add_argument("modules", nargs="*", help="extra modules declaring tasks to load")
    commands.add_parser("migrate", help="create or upgrade the database schema")
    from zera.extract import cli as extract_cli

    extract_cli.add_arguments(commands.add_parser("extract", help="print a document as JSON"))
    from zera.sandbox import cli as sandbox_cli

    sandbox_cli.add_arguments(commands.add_parser("sandbox", help="the QBO sandbox alone"))
    from zera.queue import cli as queue_cli

    queue_cli.add_arguments(commands.add_parser("queue", help="look after the job queue"))
    from zera.review import cli as records_cli

    records_cli.add_arguments(commands.add_parser("records", help="import or list records"))
    from zera.sync import cli as push_cli

    push_cli.add_arguments(
        commands.add_parser(
            "push",
            help="write a client's approved records to QuickBooks (JSON lines)",
            description="Push every approved record not yet in QuickBooks, as the Push button "
            "does; prints one JSON line per record, then a summary line. Exit status 0 when "
            "none failed or was blocked.",
        )
    )
    args = parser.parse_args(argv)
    if args.command == "extract":  # needs no settings, database or queue
        raise SystemExit(extract_cli.run(args.files, args.kind, args.password))
    if args.command == "sandbox":  # its own store and ZERA_SANDBOX_* configuration
        raise SystemExit(sandbox_cli.run(args))

    # Whatever this process writes (databases, logs, page caches) is for its owner alone.
    os.umask(0o077)
    host = getattr(args, "host", None)
    if args.command == "web":
        host = _web_host(host, os.environ)
    settings = _settings(host, getattr(args, "port", None))
    from zera.logs import configure_logging

    configure_logging(settings.log_level)
    if args.command == "migrate":
        _migrate(settings)
    elif args.command == "serve":
        _migrate(settings)
        _serve(
            settings,
            args.host or settings.host,
            args.port or settings.port,
            settings.worker_threads,
            mount_sandbox=True,
        )
    elif args.command == "web":
        _serve(settings, settings.host, settings.port, 0, mount_sandbox=False)
    elif args.command == "worker":
        _worker(settings, args.modules)
    elif args.command == "queue":
        raise SystemExit(queue_cli.run(settings, args))
    elif args.command == "records":
        raise SystemExit(records_cli.run(settings, args))
    elif args.command == "push":
        raise SystemExit(push_cli.run(settings, args))


if __name__ == "__main__":
    main()
