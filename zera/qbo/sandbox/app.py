"""`create_sandbox_app(config)`: the QBO sandbox as its own Litestar app, Intuit's URL layout at
its root, so only base URLs differ between it and Intuit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from zera.qbo.sandbox.api import ACCOUNTING_ROUTES, EXCEPTION_HANDLERS, OAUTH_ROUTES
from zera.qbo.sandbox.config import SandboxConfig
from zera.qbo.sandbox.control import CONTROL_ROUTER
from zera.qbo.sandbox.runtime import SandboxRuntime
from zera.qbo.sandbox.views import VIEW_ROUTER

log = logging.getLogger("zera.qbo.sandbox")
TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


def create_sandbox_app(config: SandboxConfig, *, runtime: SandboxRuntime | None = None) -> Litestar:
    """Build the sandbox. Its store is opened (and the first company seeded) here."""
    sandbox = runtime or SandboxRuntime.build(config)
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []

    async def start() -> None:
        if sandbox.dev_app.generated:
            # Shown once so a person can paste them into an app; never logged.
            print(
                "QBO sandbox development app (set ZERA_SANDBOX_CLIENT_ID/_CLIENT_SECRET/"
                f"_VERIFIER_TOKEN to fix them):\n  client id:      {sandbox.dev_app.client_id}\n"
                f"  client secret:  {sandbox.dev_app.client_secret}\n"
                f"  verifier token: {sandbox.dev_app.verifier_token}",
                file=sys.stderr,
            )
        if sandbox.dispatcher is not None:
            stop.clear()
            tasks.append(asyncio.create_task(sandbox.dispatcher.run(stop)))

    async def shutdown() -> None:
        stop.set()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, timeout=5)
        tasks.clear()
        if sandbox.dispatcher is not None:
            await sandbox.dispatcher.aclose()
        sandbox.close()

    route_handlers = [*OAUTH_ROUTES, *ACCOUNTING_ROUTES]
    if config.control_enabled:
        route_handlers += [CONTROL_ROUTER, VIEW_ROUTER]
    return Litestar(
        route_handlers=route_handlers,
        state=State({"sandbox": sandbox}),
        template_config=TemplateConfig(directory=TEMPLATES, engine=JinjaTemplateEngine),
        exception_handlers=EXCEPTION_HANDLERS,
        on_startup=[start],
        on_shutdown=[shutdown],
        request_max_body_size=110 * 1024 * 1024,
        logging_config=None,
        openapi_config=None,
        debug=False,
    )
