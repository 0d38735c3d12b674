"""Source pages for review: a page image and where a line sits on it."""

from __future__ import annotations

from dataclasses import dataclass

import anyio

from zera.accounts.errors import NotFound
from zera.accounts.users import CurrentUser
from zera.db.engine import write_transaction
from zera.db.tables import DocumentPage
from zera.documents.batches import BatchView, LineView, get_batch
from zera.documents.store import get_document, load_bytes
from zera.extract import ExtractError, render_page

# Page images are rendered at this resolution; boxes are placed in percentages of the page, so
# the image may be shown at any width (a phone) and the highlight stays on its row.
PAGE_DPI = 110


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
    """Page `page` of the document as PNG, if the document belongs to a client `user` may see."""
    document = await get_document(user, client_id, document_id)
    if document.status != "ok":
        # Only a document the engine has read has passed its page-size and bomb limits.
        raise PageUnavailable("Pages are shown once the document has been read.")
    kept = (
        await DocumentPage.select(DocumentPage.png)
        .where((DocumentPage.document_id == document_id) & (DocumentPage.page == page))
        .first()
        .run()
    )
    if kept is not None:
        return bytes(kept["png"])
    data = await load_bytes(client_id, document_id)
    try:
        return await anyio.to_thread.run_sync(lambda: render_page(data, page, PAGE_DPI))
    except ExtractError as exc:
        raise PageUnavailable(exc.message) from exc
    except ValueError as exc:
        raise NotFound("No such page.") from exc


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
