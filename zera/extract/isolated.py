"""Extraction and page rendering in a child process: a crash, a runaway allocation or a hang in
PDFium or Tesseract (C code fed untrusted files) ends the child, never the worker or the web
process. A caller may also cancel: the child is killed within about a second."""

from __future__ import annotations

import hashlib
import logging
import multiprocessing as mp
import queue
import time
from collections.abc import Callable
from typing import Any

from zera.extract.errors import Cancelled, ExtractError, ExtractionFailed
from zera.extract.pipeline import Progress, extract_document
from zera.extract.preflight import DEFAULT_LIMITS, Limits, Preflight
from zera.extract.render import render_page
from zera.extract.result import ExtractionResult

# Virtual memory, not RSS: PDFium and Tesseract reserve more than they touch, so this is set
# well above the ~300 MB a 50-page scan actually uses.
DEFAULT_MEMORY_LIMIT = 1536 * 1024 * 1024
# How often a running child's caller asks whether the work was cancelled.
CANCEL_CHECK_SECONDS = 1.0

log = logging.getLogger(__name__)

Cancel = Callable[[], bool]


def _limit_memory(memory_limit: int) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))


def _extract_child(
    out: Any, data: bytes, filename: str, kind: str, password: str | None, limits: Limits,
    known: Preflight | None, memory_limit: int,
) -> None:  # fmt: skip
    _limit_memory(memory_limit)
    result = extract_document(
        data, filename, kind=kind, password=password, progress=lambda p: out.put(("progress", p)),
        limits=limits, known=known,
    )  # fmt: skip
    out.put(("result", result))


def _render_child(
    out: Any, data: bytes, pages: list[int], dpi: int, password: str | None, limits: Limits,
    memory_limit: int,
) -> None:  # fmt: skip
    _limit_memory(memory_limit)
    for number in pages:
        try:
            png = render_page(data, number, dpi, password=password, limits=limits)
            out.put(("page", (number, png)))
        except (ExtractError, ValueError) as exc:  # ExtractError's kwargs do not pickle
            out.put(("no_page", (number, getattr(exc, "message", str(exc)))))
    out.put(("result", None))


def _run_child(
    target: Callable[..., None],
    args: tuple[Any, ...],
    *,
    on_item: Callable[[str, Any], None],
    timeout: float,
    cancelled: Cancel | None,
) -> tuple[str, Any]:
    """Run `target(out, *args)` in a fresh process; hand every item it puts on `out` to
    `on_item` until it puts ("result", value). Returns ("result", value), ("died", exitcode),
    ("too_long", None) or ("cancelled", None); the child never outlives this call."""
    ctx = mp.get_context("spawn")  # no fork: the parent's threads and sockets stay its own
    out = ctx.Queue()
    child = ctx.Process(target=target, args=(out, *args), daemon=True)
    child.start()
    deadline = time.monotonic() + timeout
    next_check = time.monotonic() + CANCEL_CHECK_SECONDS
    try:
        while True:
            now = time.monotonic()
            if cancelled is not None and now >= next_check:
                next_check = now + CANCEL_CHECK_SECONDS
                if cancelled():
                    return "cancelled", None
            remaining = deadline - now
            if remaining <= 0:
                return "too_long", None
            try:
                tag, value = out.get(timeout=min(0.25, remaining))
            except queue.Empty:
                if not child.is_alive() and out.empty():
                    return "died", child.exitcode
                continue
            if tag == "result":
                return tag, value
            on_item(tag, value)
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        out.close()


def extract_document_isolated(
    data: bytes,
    filename: str,
    *,
    kind: str = "auto",
    password: str | None = None,
    progress: Progress | None = None,
    limits: Limits = DEFAULT_LIMITS,
    known: Preflight | None = None,
    timeout: float = 600.0,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    cancelled: Cancel | None = None,
) -> ExtractionResult:
    """`extract_document` in a fresh process with a memory ceiling and a time limit; when
    `cancelled()` turns true the child is killed and the outcome is CANCELLED. `known` is what
    preflight found when the bytes were stored (neither the child nor this call hashes again)."""

    def on_item(tag: str, value: Any) -> None:
        if tag == "progress" and progress is not None:
            progress(value)

    how, value = _run_child(
        _extract_child,
        (data, filename, kind, password, limits, known, memory_limit),
        on_item=on_item,
        timeout=timeout,
        cancelled=cancelled,
    )
    if how == "result":
        assert isinstance(value, ExtractionResult)
        return value
    sha256 = known.sha256 if known else hashlib.sha256(data).hexdigest()
    if how == "died":
        log.error("extraction child for %s died (exit %s)", filename, value)
        return _failed(sha256, filename, ExtractionFailed(_DIED))
    if how == "cancelled":
        return _failed(sha256, filename, Cancelled(_CANCELLED))
    return _failed(sha256, filename, ExtractionFailed(_TOO_LONG))


def render_pages_isolated(
    data: bytes,
    pages: list[int],
    dpi: int,
    *,
    password: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
    timeout: float = 120.0,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
) -> dict[int, bytes | str]:
    """`render_page` for each of `pages` in one fresh process with a memory ceiling and a time
    limit: each page's PNG, or the message saying why it could not be drawn."""
    rendered: dict[int, bytes | str] = {}

    def on_item(tag: str, value: Any) -> None:
        number, png_or_message = value
        rendered[number] = png_or_message

    how, exitcode = _run_child(
        _render_child,
        (data, pages, dpi, password, limits, memory_limit),
        on_item=on_item,
        timeout=timeout,
        cancelled=None,
    )
    if how != "result":
        log.error("page rendering child stopped (%s, exit %s)", how, exitcode)
    for number in pages:
        rendered.setdefault(number, _NOT_DRAWN)
    return rendered


_DIED = "Reading this document failed (the reader stopped); it has been logged."
_TOO_LONG = "Reading this document took too long and was stopped."
_CANCELLED = "Reading was cancelled."
_NOT_DRAWN = "This page could not be drawn (it is too large or damaged)."


def _failed(sha256: str, filename: str, failed: ExtractError) -> ExtractionResult:
    return ExtractionResult(
        file=filename,
        sha256=sha256,
        outcome=failed.outcome,
        warnings=[failed.message],
    )
