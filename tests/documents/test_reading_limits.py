"""Reading is bounded and shared: an OCR budget per document, clients served in turn, and a
Cancel button that stops a queued or running reading."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import multiprocessing
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.conftest import csrf_token
from tests.documents.helpers import (
    HX,
    Office,
    document_ids,
    make_office,
    statement,
    switch_to_staff,
    text,
    upload,
    wait_for_jobs,
)
from tests.extract.render_statement import scan
from zera.db.tables import Batch, Document, Job
from zera.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.queue]


def blank_scan(pages: int) -> bytes:
    """A PDF of `pages` blank scanned pages (images without a text layer)."""
    from PIL import Image

    images = [Image.new("L", (850, 1100), 255) for _ in range(pages)]
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=100, save_all=True, append_images=images[1:])
    return buf.getvalue()


def long_scan(copies: int) -> bytes:
    """A real statement scanned `copies` times over: several seconds of OCR."""
    from pypdf import PdfReader, PdfWriter

    page = scan(statement("us_signed", seed=81)[0], dpi=200)
    writer = PdfWriter()
    for _ in range(copies):
        writer.add_page(PdfReader(io.BytesIO(page)).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


async def _press(
    http: httpx.AsyncClient, client_id: int, document_id: int, button: str, *, htmx: bool = False
) -> httpx.Response:
    """POST a document's button form (cancel, read-again) with the page's CSRF token."""
    url = f"/clients/{client_id}/documents/{document_id}"
    token = await csrf_token(http, "/")
    headers = {**HX, "x-csrftoken": token} if htmx else {}
    return await http.post(f"{url}/{button}", data={"_csrf_token": token}, headers=headers)


async def _upload_one(office: Office, client_id: int, name: str, pdf: bytes) -> int:
    [document_id] = document_ids((await upload(office.http, client_id, [(name, pdf)])).text)
    return document_id


async def _status(document_id: int) -> str:
    row = await Document.select(Document.status).where(Document.id == document_id).first().run()
    assert row is not None
    return str(row["status"])


async def _wait_for_status(document_id: int, status: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while await _status(document_id) != status:
        assert time.monotonic() < deadline, await _status(document_id)
        await asyncio.sleep(0.1)


async def _wait_until_no_reader_is_left(timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while multiprocessing.active_children():
        assert time.monotonic() < deadline, multiprocessing.active_children()
        await asyncio.sleep(0.1)


@pytest.fixture
async def budget_office(settings: Settings) -> AsyncIterator[Office]:
    """A worker that OCRs at most two scanned pages per document."""
    limited = dataclasses.replace(settings, ocr_max_pages=2)
    async for office in make_office(limited, worker=True):
        yield office


async def test_a_scan_over_the_ocr_page_budget_ends_with_a_message_saying_so(
    budget_office: Office,
) -> None:
    """Given at most 2 scanned pages per document, when a 3-page scan is uploaded, then it
    ends as "Scan too long" with the counts and what to do, and no batch."""
    office = budget_office
    answer = await upload(office.http, office.client_a, [("scan.pdf", blank_scan(3))])
    [document_id] = document_ids(answer.text)
    await wait_for_jobs(office.client_a)

    page = text((await office.http.get(f"/clients/{office.client_a}/documents/{document_id}")).text)

    assert "Scan too long" in page
    assert (
        "This scan has 3 pages to read by OCR; Zera reads at most 2 scanned pages per document."
        " Split the file into parts of up to 2 pages" in page
    )
    assert await Batch.count().run() == 0


async def test_a_client_waiting_behind_another_clients_backlog_is_read_in_turn(
    idle_office: Office,
) -> None:
    """Given three documents queued for one client and then one for another, when a single
    worker thread reads them, then the second client's document is read second, not last."""
    office = idle_office
    for seed in (91, 92, 93):
        pdf, _ = statement("us_signed", seed=seed)
        await upload(office.http, office.client_a, [(f"a{seed}.pdf", pdf)])
    pdf, _ = statement("us_signed", seed=94)
    await upload(office.http, office.client_b, [("b.pdf", pdf)])

    office.app.state.queue.start_worker(1)
    await wait_for_jobs(office.client_a)
    await wait_for_jobs(office.client_b)

    jobs = await Job.select(Job.client_id, Job.state).order_by(Job.finished_at).run()
    assert [job["state"] for job in jobs] == ["done"] * 4
    assert [job["client_id"] for job in jobs] == [
        office.client_a,
        office.client_b,
        office.client_a,
        office.client_a,
    ]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain form", "htmx"])
async def test_cancelling_a_queued_document_stops_it_before_it_is_read(
    idle_office: Office, htmx: bool
) -> None:
    """Given a queued document, when Cancel is pressed, then the document says who cancelled
    it, and once the worker has run the queue the document is still unread."""
    office = idle_office
    pdf, _ = statement("us_signed", seed=95)
    document_id = await _upload_one(office, office.client_a, "q.pdf", pdf)
    page = (await office.http.get(f"/clients/{office.client_a}/documents/{document_id}")).text
    assert "Cancel reading" in page

    cancelled = await _press(office.http, office.client_a, document_id, "cancel", htmx=htmx)

    assert cancelled.status_code == 200
    assert ("<html" in cancelled.text) is not htmx
    shown = text(cancelled.text)
    assert "Cancelled" in shown and "Olive Owner cancelled reading this document." in shown
    assert "Cancel reading" not in shown and "Read it again" in shown
    # The worker runs the queue: a later upload is read, the cancelled one is skipped.
    later, _ = statement("us_signed", seed=96)
    await upload(office.http, office.client_a, [("later.pdf", later)])
    office.app.state.queue.start_worker(1)
    await wait_for_jobs(office.client_a)
    assert await _status(document_id) == "cancelled"
    assert await Batch.count().where(Batch.document_id == document_id).run() == 0
    assert await Batch.count().run() == 1


async def test_a_cancelled_document_can_be_read_again(idle_office: Office) -> None:
    office = idle_office
    pdf, _ = statement("us_signed", seed=97)
    document_id = await _upload_one(office, office.client_a, "r.pdf", pdf)
    await _press(office.http, office.client_a, document_id, "cancel")
    office.app.state.queue.start_worker(1)

    again = await _press(office.http, office.client_a, document_id, "read-again", htmx=True)

    assert again.status_code == 200 and "Cancel reading" in again.text
    await _wait_for_status(document_id, "ok")
    assert await Batch.count().where(Batch.document_id == document_id).run() == 1


async def test_cancelling_a_running_reading_kills_its_reader(office: Office) -> None:
    """Given a long scan being read by OCR, when Cancel is pressed, then the reading stops
    (its job ends failed, no reader process is left) and the document stays cancelled."""
    answer = await upload(office.http, office.client_a, [("long.pdf", long_scan(8))])
    [document_id] = document_ids(answer.text)
    await _wait_for_status(document_id, "extracting")

    cancelled = await _press(office.http, office.client_a, document_id, "cancel")

    assert cancelled.status_code == 200 and "Cancelled" in text(cancelled.text)
    await wait_for_jobs(office.client_a)
    job = await Job.select(Job.state, Job.error).first().run()
    assert job is not None and job["state"] == "failed" and "Cancel" in job["error"]
    # The job row says failed at once; the reader sees the cancellation on its next check.
    await _wait_until_no_reader_is_left()
    assert await _status(document_id) == "cancelled"
    assert await Batch.count().run() == 0


async def test_a_document_that_is_not_being_read_cannot_be_cancelled(office: Office) -> None:
    pdf, _ = statement("us_signed", seed=98)
    document_id = await _upload_one(office, office.client_a, "d.pdf", pdf)
    await wait_for_jobs(office.client_a)

    refused = await _press(office.http, office.client_a, document_id, "cancel")

    assert refused.status_code == 409
    assert "This document is not being read, so there is nothing to cancel." in text(refused.text)
    assert await _status(document_id) == "ok"


async def test_another_clients_document_cannot_be_cancelled(idle_office: Office) -> None:
    """Given staff who may see only the first client, cancelling the second client's
    document answers 404 and leaves it queued."""
    office = idle_office
    pdf, _ = statement("us_signed", seed=99)
    document_id = await _upload_one(office, office.client_b, "b.pdf", pdf)
    await switch_to_staff(office.http)

    as_staff = await _press(office.http, office.client_b, document_id, "cancel")
    wrong_path = await _press(office.http, office.client_a, document_id, "cancel")

    assert as_staff.status_code == 404 and wrong_path.status_code == 404
    assert await _status(document_id) == "queued"
