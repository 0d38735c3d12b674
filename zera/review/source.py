"""A line on its source page: the page to show and where the line sits on it."""

from __future__ import annotations

from dataclasses import dataclass

from zera.clients import ClientSummary
from zera.db.tables import BatchLine
from zera.errors import NotFound
from zera.review.batches import BatchView, batch_header
from zera.review.lines import LINE_COLUMNS, LineView, line_view


@dataclass(frozen=True)
class Highlight:
    """A line's box as percentages of its page (left, top, width, height)."""

    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class SourcePage:
    batch: BatchView  # the batch's header: its lines are not loaded
    line: LineView
    page: int
    highlight: Highlight | None


async def source_page(client: ClientSummary, batch_id: int, line_id: int) -> SourcePage:
    """The client's batch line (with its stored flags) and where it sits on its page."""
    batch = await batch_header(client, batch_id)
    row = (
        await BatchLine.select(*LINE_COLUMNS)
        .where((BatchLine.id == line_id) & (BatchLine.batch_id == batch_id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("No such line.")
    line = line_view(row)
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
