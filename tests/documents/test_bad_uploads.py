"""Files that cannot become a batch: each gets its own message, and nothing is half-written."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from tests.documents.helpers import (
    HX,
    Office,
    batch_links,
    document_ids,
    make_office,
    statement,
    text,
    upload,
    wait_for_jobs,
)
from tests.extract import badfiles
from zera.db.tables import Batch, BatchLine, Document, Job
from zera.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.queue]


async def _stored() -> tuple[int, int, int]:
    return (await Document.count().run(), await Batch.count().run(), await BatchLine.count().run())


@pytest.fixture
async def small_office(settings: Settings) -> AsyncIterator[Office]:
    """Uploads limited to 64 kB per request."""
    limited = dataclasses.replace(settings, max_upload_bytes=64 * 1024)
    async for office in make_office(limited, worker=False):
        yield office


@pytest.mark.parametrize("htmx", [False, True], ids=["plain form", "htmx"])
async def test_an_upload_over_the_size_limit_is_refused_with_the_limit_named(
    small_office: Office, htmx: bool
) -> None:
    big = b"%PDF-1.4\n" + b"0" * (80 * 1024) + b"\n%%EOF\n"
    answer = await upload(small_office.http, small_office.client_a, [("big.pdf", big)], htmx=htmx)
    assert answer.status_code == 413
    assert "larger than the 64 kB limit, so nothing was stored" in text(answer.text)
    if htmx:
        assert answer.headers["HX-Retarget"] == "#upload-status"
        assert "<html" not in answer.text
    assert await _stored() == (0, 0, 0)
    assert await Job.count().run() == 0


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.pdf", b"", "The file is empty (0 bytes)."),
        ("notes.txt", b"Just some notes, not a statement.\n", "This file is not a PDF or an image"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n", "This PDF is incomplete"),
    ],
    ids=["0-byte", "not a PDF", "truncated PDF"],
)
async def test_a_file_preflight_refuses_is_not_stored_and_says_why(
    idle_office: Office, name: str, data: bytes, message: str
) -> None:
    answer = await upload(idle_office.http, idle_office.client_a, [(name, data)])
    assert answer.status_code == 400
    assert "Not stored" in answer.text and message in text(answer.text)
    assert name in answer.text
    assert await _stored() == (0, 0, 0)
    assert await Job.count().run() == 0


async def test_a_form_sent_without_a_file_asks_for_one(idle_office: Office) -> None:
    answer = await upload(idle_office.http, idle_office.client_a, [("", b"")], htmx=True)
    assert answer.status_code == 400
    assert "Choose at least one file to upload." in answer.text
    assert await _stored() == (0, 0, 0)


async def test_a_corrupt_pdf_is_marked_with_the_engines_message_and_the_next_file_still_reads(
    office: Office,
) -> None:
    """Given a damaged PDF and a good statement in one upload, the damaged one ends marked as
    damaged with no batch, its job is done (not crashed), and the good one is read."""
    good, _ = statement("us_signed", seed=31)
    answer = await upload(
        office.http, office.client_a, [("damaged.pdf", badfiles.corrupt_pdf()), ("good.pdf", good)]
    )
    assert len(document_ids(answer.text)) == 2
    await wait_for_jobs(office.client_a)
    states = await Job.select(Job.state).where(Job.client_id == office.client_a).run()
    assert [row["state"] for row in states] == ["done", "done"]

    damaged = (
        await Document.select(Document.id, Document.status)
        .where(Document.filename == "damaged.pdf")
        .first()
        .run()
    )
    assert damaged is not None and damaged["status"] == "corrupt"
    page = await office.http.get(f"/clients/{office.client_a}/documents/{damaged['id']}")
    assert "Damaged file" in page.text
    assert "Review the transactions" not in page.text
    assert await Batch.count().where(Batch.document_id == damaged["id"]).run() == 0
    # Its pages are never rendered: only a document the engine has read passed its limits.
    image = await office.http.get(
        f"/clients/{office.client_a}/documents/{damaged['id']}/pages/1", headers=HX
    )
    assert image.status_code == 404
    assert "Pages are shown once the document has been read." in image.text

    review = (await office.http.get(f"/clients/{office.client_a}/review", headers=HX)).text
    assert len(batch_links(review, office.client_a)) == 1


async def test_a_document_that_is_not_a_statement_says_so(office: Office) -> None:
    invoice = badfiles.text_pdf(badfiles.INVOICE_LINES)
    await upload(office.http, office.client_a, [("invoice.pdf", invoice)])
    await wait_for_jobs(office.client_a)
    documents = (await office.http.get(f"/clients/{office.client_a}/documents")).text
    assert "Not a statement" in documents
    assert "not a bank statement" in text(documents)
    assert await Batch.count().run() == 0


async def test_an_upload_without_the_csrf_token_is_refused_and_nothing_stored(
    idle_office: Office,
) -> None:
    pdf, _ = statement("us_signed", seed=91)
    await idle_office.http.get(f"/clients/{idle_office.client_a}")  # the CSRF cookie is set
    answer = await idle_office.http.post(
        f"/clients/{idle_office.client_a}/documents",
        files=[("files", ("a.pdf", pdf, "application/pdf"))],
        headers=HX,
    )
    assert answer.status_code == 403
    assert await _stored() == (0, 0, 0)
