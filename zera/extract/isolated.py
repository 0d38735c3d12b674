"""Extraction in a child process, for workers: a crash, a runaway allocation or a hang in
PDFium or Tesseract (C code fed untrusted files) ends the child, never the worker."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing as mp
import queue
import time
from typing import Any

from zera.extract.errors import ExtractionFailed
from zera.extract.model import ExtractionResult
from zera.extract.pipeline import Progress, extract_document
from zera.extract.preflight import DEFAULT_LIMITS, Limits

# Virtual memory, not RSS: PDFium and Tesseract reserve more than they touch, so this is set
# well above the ~300 MB a 50-page scan actually uses.
DEFAULT_MEMORY_LIMIT = 1536 * 1024 * 1024

log = logging.getLogger(__name__)


def _child(
    out: Any, data: bytes, filename: str, kind: str, password: str | None, limits: Limits,
    memory_limit: int,
) -> None:  # fmt: skip
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    result = extract_document(
        data, filename, kind=kind, password=password, progress=lambda p: out.put(("progress", p)),
        limits=limits,
    )  # fmt: skip
    out.put(("result", result))


def extract_document_isolated(
    data: bytes,
    filename: str,
    *,
    kind: str = "auto",
    password: str | None = None,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    timeout: float = 600.0,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> ExtractionResult:
    """`extract_document` in a fresh process with a memory ceiling and a time limit."""
    ctx = mp.get_context("spawn")  # no fork: the worker's threads and sockets stay its own
    out = ctx.Queue()
    child = ctx.Process(
        target=_child,
        args=(out, data, filename, kind, password, limits, memory_limit),
        daemon=True,
    )
    child.start()
    deadline = time.monotonic() + timeout
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _failed(data, filename, _TOO_LONG)
            try:
                tag, value = out.get(timeout=min(0.5, remaining))
            except queue.Empty:
                if not child.is_alive() and out.empty():
                    log.error("extraction child for %s died (exit %s)", filename, child.exitcode)
                    return _failed(data, filename, _DIED)
                continue
            if tag == "progress":
                if progress is not None:
                    progress(value)
                continue
            assert isinstance(value, ExtractionResult)
            return value
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        out.close()


_DIED = "Reading this document failed (the reader stopped); it has been logged."
_TOO_LONG = "Reading this document took too long and was stopped."


def _failed(data: bytes, filename: str, message: str) -> ExtractionResult:
    failed = ExtractionFailed(message)
    return ExtractionResult(
        file=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        outcome=failed.outcome,
        warnings=[message],
    )
