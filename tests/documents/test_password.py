"""Protected PDFs: the document asks for its password, reads with it, and never stores it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import csrf_token
from tests.documents.helpers import (
    HX,
    Office,
    batch_links,
    document_ids,
    line_rows,
    statement,
    upload,
    wait_for_jobs,
)
from tests.extract import badfiles
from zera.db.tables import DocumentPage
from zera.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.queue]

PASSWORD = "Tr0ub4dor-&-3"


async def _submit(office: Office, document_id: int, password: str, *, htmx: bool = False):  # type: ignore[no-untyped-def]
    url = f"/clients/{office.client_a}/documents/{document_id}"
    token = await csrf_token(office.http, url)
    headers = {**HX, "x-csrftoken": token} if htmx else {}
    return await office.http.post(
        f"{url}/password", data={"_csrf_token": token, "password": password}, headers=headers
    )


def _assert_nowhere_in_clear(office: Office, settings: Settings) -> None:
    """No file of the installation (database, queue, logs) holds the password in clear."""
    files = [path for path in Path(settings.base_dir).rglob("*") if path.is_file()]
    # The embedded queue's file, wherever its URL put it (a relative path lands in the cwd).
    queue_file = getattr(office.app.state.queue.broker, "path", None)
    if queue_file is not None:
        files += [p for p in Path(queue_file).parent.glob(Path(queue_file).name + "*")]
        assert Path(queue_file) in files
    assert files
    for path in files:
        assert PASSWORD.encode() not in path.read_bytes(), path


async def test_a_protected_pdf_asks_for_its_password_and_reads_after_it(
    office: Office, settings: Settings
) -> None:
    pdf, truth = statement("us_signed", seed=41)
    locked = badfiles.encrypted(pdf, PASSWORD)
    answer = await upload(office.http, office.client_a, [("locked.pdf", locked)])
    [document_id] = document_ids(answer.text)
    await wait_for_jobs(office.client_a)

    page = (await office.http.get(f"/clients/{office.client_a}/documents/{document_id}")).text
    assert "Needs its password" in page
    assert 'type="password" name="password"' in page

    wrong = await _submit(office, document_id, "not it", htmx=True)
    assert wrong.status_code == 200 and "<html" not in wrong.text
    await wait_for_jobs(office.client_a)
    page = (await office.http.get(f"/clients/{office.client_a}/documents/{document_id}")).text
    assert "Wrong password" in page and 'type="password" name="password"' in page

    # With the worker paused, the message carrying the password sits in the queue: even there
    # the password is not written in clear (the queue persists messages).
    office.app.state.queue.stop_worker()
    right = await _submit(office, document_id, PASSWORD)
    assert right.status_code == 200
    _assert_nowhere_in_clear(office, settings)
    office.app.state.queue.start_worker(1)
    await wait_for_jobs(office.client_a)
    page = (await office.http.get(f"/clients/{office.client_a}/documents/{document_id}")).text
    assert 'type="password"' not in page
    [batch_id] = batch_links(page, office.client_a)
    batch = (await office.http.get(f"/clients/{office.client_a}/batches/{batch_id}")).text
    rows = line_rows(batch)
    assert [row[0] for row in rows] == [t.date.isoformat() for t in truth[0].transactions]

    # The page images of a protected document were kept while the password was at hand.
    image = await office.http.get(f"/clients/{office.client_a}/documents/{document_id}/pages/1")
    assert image.status_code == 200 and image.content.startswith(b"\x89PNG")
    assert await DocumentPage.count().run() >= 1

    _assert_nowhere_in_clear(office, settings)


async def test_an_empty_password_is_refused_with_a_message(office: Office) -> None:
    pdf, _ = statement("us_signed", seed=42)
    answer = await upload(
        office.http, office.client_a, [("locked.pdf", badfiles.encrypted(pdf, PASSWORD))]
    )
    [document_id] = document_ids(answer.text)
    await wait_for_jobs(office.client_a)
    empty = await _submit(office, document_id, "")
    assert empty.status_code == 400
    assert "Type the document&#39;s password." in empty.text


async def test_a_document_that_needs_no_password_refuses_one(office: Office) -> None:
    pdf, _ = statement("us_signed", seed=43)
    answer = await upload(office.http, office.client_a, [("open.pdf", pdf)])
    [document_id] = document_ids(answer.text)
    await wait_for_jobs(office.client_a)
    refused = await _submit(office, document_id, "anything")
    assert refused.status_code == 400
    assert "This document does not need a password." in refused.text
