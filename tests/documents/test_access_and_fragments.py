"""Every documents and review URL checks client access, and every htmx route answers both as
a full page and as a fragment."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.conftest import csrf_token
from tests.documents.helpers import (
    HX,
    Office,
    batch_links,
    document_ids,
    line_ids,
    statement,
    switch_to_staff,
    upload,
    wait_for_jobs,
)
from zera.db.tables import Document

pytestmark = [pytest.mark.db, pytest.mark.queue]


@dataclass
class Uploaded:
    client_id: int
    document_id: int
    batch_id: int
    line_id: int


async def _read_one(office: Office, client_id: int, seed: int) -> Uploaded:
    pdf, _ = statement("us_signed", seed=seed)
    answer = await upload(office.http, client_id, [("statement.pdf", pdf)])
    [document_id] = document_ids(answer.text)
    await wait_for_jobs(client_id)
    review = (await office.http.get(f"/clients/{client_id}/review")).text
    [batch_id] = batch_links(review, client_id)
    batch = (await office.http.get(f"/clients/{client_id}/batches/{batch_id}")).text
    line_id = line_ids(batch)[0]
    return Uploaded(client_id, document_id, batch_id, line_id)


def _get_urls(u: Uploaded) -> list[str]:
    c = u.client_id
    return [
        f"/clients/{c}/documents",
        f"/clients/{c}/review",
        f"/clients/{c}/documents/{u.document_id}",
        f"/clients/{c}/documents/{u.document_id}/pages/1",
        f"/clients/{c}/batches/{u.batch_id}",
        f"/clients/{c}/batches/{u.batch_id}/lines/{u.line_id}",
    ]


async def test_staff_of_another_client_get_404_on_every_document_and_review_url(
    office: Office,
) -> None:
    """Given a document read for client B, a staff member assigned only to A gets 404 on each of
    B's URLs, as a full page and as an htmx request, and on each of B's forms."""
    theirs = await _read_one(office, office.client_b, seed=51)
    await switch_to_staff(office.http)
    for url in _get_urls(theirs):
        for headers in ({}, HX):
            answer = await office.http.get(url, headers=headers)
            assert answer.status_code == 404, (url, headers)
            assert "statement.pdf" not in answer.text
    token = await csrf_token(office.http, f"/clients/{office.client_a}")
    forms = [
        (f"/clients/{office.client_b}/documents", {"files": ("x.pdf", b"%PDF-1.4\n%%EOF\n")}),
        (f"/clients/{office.client_b}/documents", {"files": ("", b"")}),
        (f"/clients/{office.client_b}/documents/{theirs.document_id}/password", None),
    ]
    for url, files in forms:
        for headers in ({}, {**HX, "x-csrftoken": token}):
            answer = await office.http.post(
                url, data={"_csrf_token": token, "password": "x"}, files=files, headers=headers
            )
            assert answer.status_code == 404, (url, headers)
    assert await Document.count().where(Document.client_id == office.client_b).run() == 1


async def test_ids_of_one_client_cannot_be_read_through_another_clients_url(
    office: Office,
) -> None:
    """Client A's URL with client B's document, batch or line id answers 404 even for the owner."""
    theirs = await _read_one(office, office.client_b, seed=52)
    a = office.client_a
    for url in [
        f"/clients/{a}/documents/{theirs.document_id}",
        f"/clients/{a}/documents/{theirs.document_id}/pages/1",
        f"/clients/{a}/batches/{theirs.batch_id}",
        f"/clients/{a}/batches/{theirs.batch_id}/lines/{theirs.line_id}",
    ]:
        assert (await office.http.get(url)).status_code == 404, url


async def test_staff_of_the_client_see_its_documents_and_batches(office: Office) -> None:
    ours = await _read_one(office, office.client_a, seed=53)
    await switch_to_staff(office.http)
    for url in _get_urls(ours):
        assert (await office.http.get(url)).status_code == 200, url


async def test_each_htmx_route_answers_as_a_full_page_and_as_a_fragment(office: Office) -> None:
    ours = await _read_one(office, office.client_a, seed=54)
    for url in _get_urls(ours):
        if url.endswith("/pages/1"):
            continue
        full = await office.http.get(url)
        fragment = await office.http.get(url, headers=HX)
        assert full.status_code == fragment.status_code == 200, url
        assert full.text.startswith("<!doctype html>") and "<h1>Acme Bakery" in full.text, url
        assert "<html" not in fragment.text and "<h1>" not in fragment.text, url
        assert 'class="tabs"' in fragment.text, url
        # The fragment is exactly the section the full page embeds.
        assert fragment.text.strip() in full.text, url


async def test_a_line_opens_its_page_image_with_the_row_highlighted(office: Office) -> None:
    ours = await _read_one(office, office.client_a, seed=55)
    source = (
        await office.http.get(
            f"/clients/{ours.client_id}/batches/{ours.batch_id}/lines/{ours.line_id}"
        )
    ).text
    image_url = f"/clients/{ours.client_id}/documents/{ours.document_id}/pages/1"
    assert f'<img src="{image_url}"' in source
    box = re.search(
        r'class="highlight"[^>]*style="left: ([\d.]+)%; top: ([\d.]+)%; width: ([\d.]+)%;'
        r' height: ([\d.]+)%"',
        source,
    )
    assert box, source
    left, top, width, height = (float(v) for v in box.groups())
    assert 0 <= left < 50 and 0 < top < 100 and 30 < width <= 100 and 0 < height < 5
    image = await office.http.get(image_url)
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
    assert (await office.http.get(image_url.replace("/pages/1", "/pages/9"))).status_code == 404
