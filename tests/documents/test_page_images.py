"""Page images: drawn at a bounded pixel size whatever size a page claims, and drawn once."""

from __future__ import annotations

import struct

import pytest

from tests.documents.helpers import Office, document_ids, statement, upload, wait_for_jobs
from tests.extract.render_statement import with_huge_page
from zera.db.tables import Document, DocumentPage

pytestmark = [pytest.mark.db, pytest.mark.queue]



def png_size(png: bytes) -> tuple[int, int]:
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


async def test_a_huge_page_is_drawn_at_a_bounded_size_and_a_normal_one_at_full_size(
    office: Office,
) -> None:
    """Given a statement read with an 8600-point last page, when both pages are requested,
    then the huge one is at most 1700 px wide and 4 Mpx, and the letter page is at 110 dpi."""
    pdf, _ = statement("us_signed", seed=71)
    answer = await upload(office.http, office.client_a, [("huge.pdf", with_huge_page(pdf))])
    [document_id] = document_ids(answer.text)
    await wait_for_jobs(office.client_a)
    base = f"/clients/{office.client_a}/documents/{document_id}/pages"

    huge = await office.http.get(f"{base}/2")
    normal = await office.http.get(f"{base}/1")

    assert huge.status_code == 200, huge.text
    width, height = png_size(huge.content)
    assert width <= 1700 and width * height <= 4_000_000 and width == height
    assert png_size(normal.content) == (935, 1210)  # 8.5x11 inches at 110 dpi


async def test_a_page_image_is_drawn_once_and_then_served_from_the_database(
    office: Office,
) -> None:
    """Given a page requested once, when the stored file is spoiled and the page is requested
    again, then the same image comes back: it was kept, not drawn again."""
    pdf, _ = statement("us_signed", seed=72)
    answer = await upload(office.http, office.client_a, [("kept.pdf", pdf)])
    [document_id] = document_ids(answer.text)
    await wait_for_jobs(office.client_a)
    url = f"/clients/{office.client_a}/documents/{document_id}/pages/1"
    first = await office.http.get(url)
    assert first.status_code == 200
    await (
        Document.update({Document.data: b"%PDF-1.4 spoiled %%EOF"})
        .where(Document.id == document_id)
        .run()
    )

    again = await office.http.get(url)

    assert again.status_code == 200 and again.content == first.content
    assert await DocumentPage.count().where(DocumentPage.document_id == document_id).run() == 1


async def test_a_page_beyond_the_document_is_not_found_and_not_kept(office: Office) -> None:
    pdf, _ = statement("us_signed", seed=73)
    answer = await upload(office.http, office.client_a, [("short.pdf", pdf)])
    [document_id] = document_ids(answer.text)
    await wait_for_jobs(office.client_a)

    missing = await office.http.get(f"/clients/{office.client_a}/documents/{document_id}/pages/9")

    assert missing.status_code == 404
    assert "The document has 1 pages, not 9." in missing.text
    assert await DocumentPage.count().run() == 0


async def test_another_clients_page_image_is_not_found(office: Office) -> None:
    pdf, _ = statement("us_signed", seed=74)
    answer = await upload(office.http, office.client_b, [("b.pdf", pdf)])
    [document_id] = document_ids(answer.text)
    await wait_for_jobs(office.client_b)

    wrong_client = await office.http.get(
        f"/clients/{office.client_a}/documents/{document_id}/pages/1"
    )

    assert wrong_client.status_code == 404
    assert await DocumentPage.count().run() == 0
