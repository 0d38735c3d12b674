"""Health check and job progress."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Template

from zera import db
from zera.accounts import CurrentUser
from zera.queue import JobQueue, job_for_user


@get("/healthz")
async def healthz(queue: NamedDependency[JobQueue]) -> Response[dict[str, str]]:
    """Database and queue reachability, for load balancers and the start-up benchmark."""
    report = {"database": "ok", "queue": "ok"}
    try:
        await db.ping()
    except Exception as exc:  # a health check reports failures instead of raising them
        report["database"] = f"error: {type(exc).__name__}"
    try:
        with anyio.fail_after(3):
            await anyio.to_thread.run_sync(queue.ping)
    except Exception as exc:  # as above
        report["queue"] = f"error: {type(exc).__name__}"
    healthy = all(value == "ok" for value in report.values())
    return Response(
        {"status": "ok" if healthy else "unavailable", **report},
        status_code=200 if healthy else 503,
    )


@get("/jobs/{job_id:uuid}")
async def job_progress(
    request: HTMXRequest, user: NamedDependency[CurrentUser], job_id: FromPath[uuid.UUID]
) -> Response[Any]:
    """A self-replacing fragment: it polls while the job runs and stops when it has finished."""
    job = await job_for_user(user, job_id)
    if job.finished and request.htmx:
        # 286 tells htmx to stop polling; the fragment itself no longer carries a trigger either.
        return Template("_job.html", context={"job": job}, status_code=286)
    return Template("_job.html", context={"job": job})


ROUTES = [healthz, job_progress]
