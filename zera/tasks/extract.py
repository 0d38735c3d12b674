"""Document extraction in the background."""

from __future__ import annotations

from zera.documents import run_extraction
from zera.extract import Limits
from zera.qbo.vault import TokenCipher
from zera.queue import report_progress, task
from zera.tasks.context import current


@task(max_retries=3, time_limit_seconds=1800)
async def extract_document_job(
    job_id: str, client_id: int, document_id: int, password_token: str | None = None
) -> None:
    """Read one stored document into a batch. A bad document is an outcome, not a failure:
    the document records it and the job is done."""
    settings = current().settings

    async def progress(percent: int) -> None:
        await report_progress(job_id, percent)

    await run_extraction(
        client_id,
        document_id,
        limits=Limits(max_bytes=settings.max_upload_bytes),
        cipher=TokenCipher(settings.token_keys),
        password_token=password_token,
        progress=progress,
    )
