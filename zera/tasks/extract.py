"""Document extraction in the background."""

from __future__ import annotations

from dramatiq import Retry

from zera.crypto import TokenCipher
from zera.documents import was_cancelled
from zera.documents.turns import take_turn
from zera.extract import Limits, Outcome
from zera.queue import JobRun, PermanentError, report_progress, task
from zera.review import run_extraction

# How long a job that gave its turn to another client waits before it asks again.
TURN_DELAY_MS = 2_000


class WaitForTurn(Retry):
    """Another client's documents go first; this job is retried shortly, not failed."""


def _retry_when(retries: int, exception: BaseException) -> bool:
    # Waiting for a turn is not a failure. (Dramatiq counts those waits among `retries`, so a
    # job that waited and then fails is retried fewer than three times; such failures are of
    # the database, not the document, and the document can be read again.)
    return isinstance(exception, WaitForTurn) or retries < 3


# Titled per document by whoever sends it (`zera.documents.start_extraction`).
@task(title="Read a document", max_retries=3, time_limit_seconds=1800, retry_when=_retry_when)
async def extract_document_job(
    run: JobRun, client_id: int, document_id: int, password_token: str | None = None
) -> None:
    """Read one stored document into a batch. A bad document is an outcome, not a failure:
    the document records it and the job is done."""
    settings = run.context.settings
    if not await take_turn(client_id, run.job_id):
        raise WaitForTurn("Other clients' documents are read first.", delay=TURN_DELAY_MS)

    async def progress(percent: int) -> None:
        await report_progress(run.job_id, percent)

    result = await run_extraction(
        client_id,
        document_id,
        limits=Limits(
            max_bytes=settings.max_upload_bytes,
            max_ocr_pages=settings.ocr_max_pages,
            max_ocr_seconds=settings.ocr_max_seconds,
        ),
        cipher=TokenCipher(settings.token_keys),
        password_token=password_token,
        progress=progress,
    )
    cancelled = result is None or result.outcome is Outcome.CANCELLED
    if cancelled and await was_cancelled(document_id):
        # Not "done": the job stays failed, as cancelling it recorded.
        raise PermanentError("Cancelled.")
