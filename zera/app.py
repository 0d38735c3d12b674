"""The Litestar application factory."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.datastructures import State
from litestar.di import Provide
from litestar.plugins.htmx import HTMXPlugin, HTMXRequest
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from zera.db import bind_tables, engine_for
from zera.qbo.service import QuickBooks
from zera.queue import JobQueue
from zera.routes import ROUTES
from zera.routes.csrf import SessionBoundCSRF
from zera.routes.deps import (
    provide_actor,
    provide_queue,
    provide_quickbooks,
    provide_settings,
    provide_user,
)
from zera.routes.errors import EXCEPTION_HANDLERS
from zera.settings import Settings
from zera.tasks.context import TaskContext
from zera.tasks.schedule import Scheduler

PROJECT_DIR = Path(__file__).resolve().parent.parent


def create_app(
    settings: Settings, *, queue: JobQueue | None = None, worker_threads: int = 0
) -> Litestar:
    """Build the web application.

    `queue` defaults to one built from `settings.queue_url`. With `worker_threads` > 0 the app
    also runs that many Dramatiq worker threads (the embedded `zera serve` mode).
    """
    import zera.tasks  # noqa: F401  (declares every task before the queue builds its actors)

    bind_tables(engine_for(settings.database_url))
    quickbooks = QuickBooks(settings)
    job_queue = queue or JobQueue(
        settings.queue_url, TaskContext(settings=settings, quickbooks=quickbooks)
    )

    scheduler = Scheduler(job_queue, catch_up_seconds=settings.catch_up_seconds)

    def start_worker() -> None:
        if worker_threads:
            job_queue.start_worker(worker_threads)
            scheduler.start()

    def stop_worker() -> None:
        scheduler.stop()
        job_queue.stop_worker()

    return Litestar(
        route_handlers=[
            *ROUTES,
            create_static_files_router(path="/static", directories=[PROJECT_DIR / "static"]),
        ],
        dependencies={
            "settings": Provide(provide_settings, sync_to_thread=False),
            "queue": Provide(provide_queue, sync_to_thread=False),
            "quickbooks": Provide(provide_quickbooks, sync_to_thread=False),
            "user": Provide(provide_user),
            "actor": Provide(provide_actor),
        },
        state=State({"settings": settings, "queue": job_queue, "quickbooks": quickbooks}),
        template_config=TemplateConfig(
            directory=PROJECT_DIR / "templates", engine=JinjaTemplateEngine
        ),
        middleware=[SessionBoundCSRF(settings.secret_key, secure_cookie=settings.secure_cookies)],
        # Every request is an HTMXRequest, error handlers included: `request.htmx` says whether
        # to answer with a fragment (the plugin would set this too; here it is visible).
        request_class=HTMXRequest,
        plugins=[HTMXPlugin()],
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=settings.max_upload_bytes,
        on_startup=[start_worker],
        on_shutdown=[stop_worker],
        logging_config=None,  # zera.logs configures JSON logging for the whole process
        debug=False,
    )
