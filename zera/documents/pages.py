"""Source pages for review: a page image and where a line sits on it."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import anyio

from zera.accounts.errors import NotFound
from zera.accounts.users import CurrentUser
from zera.db.engine import write_transaction
from zera.db.tables import DocumentPage
from zera.documents.batches import BatchView, LineView, get_batch
from zera.documents.store import get_document, load_bytes
from zera.extract import DEFAULT_LIMITS, Limits, render_pages_isolated

# Page images are rendered at this resolution; boxes are placed in percentages of the page, so
# the image may be shown at any width (a phone) and the highlight stays on its row.
PAGE_DPI = 110

_ONE_DRAWING_AT_A_TIME = threading.Lock()


class PageUnavailable(Exception):
    """The page cannot be shown (e.g. a protected PDF whose pages were not kept)."""


@dataclass(frozen=True)
class Highlight:
    """A line's box as percentages of its page (left, top, width, height)."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class SourcePage:
    batch: BatchView
    line: LineView
    page: int
    highlight: Highlight | None


async def page_image(user: CurrentUser, client_id: int, document_id: int, page: int) -> bytes:
    """Page `page` of the document as PNG, if the document belongs to a client `user` may see.

    A page is drawn once, in a child process with the extraction's memory ceiling and at a
    bounded pixel size, and kept: the next request is answered from the database."""
    document = await get_document(user, client_id, document_id)
    if document.status != "ok":
        # Only a document the engine has read has passed its page-size and bomb limits.
        raise PageUnavailable("Pages are shown once the document has been read.")
    if page < 1:
        raise NotFound("No such page.")
    kept = (
        await DocumentPage.select(DocumentPage.png)
        .where((DocumentPage.document_id == document_id) & (DocumentPage.page == page))
        .first()
        .run()
    )
    if kept is not None:
        return bytes(kept["png"])
    data = await load_bytes(client_id, document_id)
    drawn = (await draw_pages(data, [page]))[page]
    if isinstance(drawn, str):
        raise PageUnavailable(drawn)
    await (
        DocumentPage.insert(DocumentPage(document_id=document_id, page=page, png=drawn))
        .on_conflict(action="DO NOTHING")  # another request drew it at the same time
        .run()
    )
    return drawn


async def draw_pages(
    data: bytes, pages: list[int], *, password: str | None = None
) -> dict[int, bytes | str]:
    """Each page as PNG (or why it cannot be drawn), drawn in a memory-capped child process.

    One child at a time per process: page images are small, but many requests at once must
    not each start a PDFium of their own."""
    limits = Limits(max_bytes=max(DEFAULT_LIMITS.max_bytes, len(data)))  # it passed at upload

    def draw() -> dict[int, bytes | str]:
        with _ONE_DRAWING_AT_A_TIME:
            return render_pages_isolated(data, pages, PAGE_DPI, password=password, limits=limits)

    return await anyio.to_thread.run_sync(draw)


async def keep_pages(document_id: int, pages: dict[int, bytes]) -> None:
    """Store rendered pages of a protected document (replacing earlier ones)."""
    async with write_transaction(DocumentPage._meta.db):
        await DocumentPage.delete().where(DocumentPage.document_id == document_id).run()
        if pages:
            await DocumentPage.insert(
                *[
                    DocumentPage(document_id=document_id, page=n, png=png)
                    for n, png in pages.items()
                ]
            ).run()


async def source_page(user: CurrentUser, client_id: int, batch_id: int, line_id: int) -> SourcePage:
    """The line and where it sits on its page, if the batch belongs to a client `user` may see."""
    batch = await get_batch(user, client_id, batch_id)
    line = next((line for line in batch.lines if line.id == line_id), None)
    if line is None:
        raise NotFound("No such line.")
    return SourcePage(batch, line, line.page, _highlight(batch, line))


def _highlight(batch: BatchView, line: LineView) -> Highlight | None:
    if line.bbox is None or not 1 <= line.page <= len(batch.page_sizes):
        return None
    width, height = batch.page_sizes[line.page - 1]
    if width <= 0 or height <= 0:
        return None
    x0, top, x1, bottom = line.bbox
    pad = 2.0  # points around the words, so the box does not cut through them
    return Highlight(
        left=round(max(0.0, x0 - pad) / width * 100, 3),
        top=round(max(0.0, top - pad) / height * 100, 3),
        width=round((x1 - x0 + 2 * pad) / width * 100, 3),
        height=round((bottom - top + 2 * pad) / height * 100, 3),
    )
