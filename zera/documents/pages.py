"""A document's pages as images: drawn once, in a memory-capped child process, and kept."""

from __future__ import annotations

import threading

import anyio

from zera.clients import ClientSummary
from zera.db.engine import write_transaction
from zera.db.tables import DocumentPage
from zera.documents.store import get_document, load_bytes
from zera.errors import NotFound
from zera.extract import DEFAULT_LIMITS, Limits, render_pages_isolated

# Page images are rendered at this resolution; boxes are placed in percentages of the page, so
# the image may be shown at any width (a phone) and the highlight stays on its row.
PAGE_DPI = 110

_ONE_DRAWING_AT_A_TIME = threading.Lock()


class PageUnavailable(Exception):
    """The page cannot be shown (e.g. a protected PDF whose pages were not kept)."""


async def page_image(client: ClientSummary, document_id: int, page: int) -> bytes:
    """Page `page` of the client's document as PNG.

    A page is drawn once, in a child process with the extraction's memory ceiling and at a
    bounded pixel size, and kept: the next request is answered from the database."""
    document = await get_document(client, document_id)
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
    data = await load_bytes(client.id, document_id)
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
