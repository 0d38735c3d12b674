"""Upload a generated statement, let the worker read it, and read the batch on Review."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.documents.helpers import (
    HX,
    Office,
    batch_links,
    document_ids,
    line_rows,
    statement,
    text,
    upload,
    wait_for_jobs,
)
from tests.extract import badfiles
from tests.extract.corpus import LAYOUTS_BY_NAME, build

pytestmark = [pytest.mark.db, pytest.mark.queue]


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


async def test_an_uploaded_statement_becomes_a_batch_with_exact_transactions(
    office: Office,
) -> None:
    """Given a generated statement, when it is uploaded and read, then Review shows exactly its
    transactions and the proof opening + sum = closing."""
    pdf, truth = statement("us_signed")
    account = truth[0]
    answer = await upload(office.http, office.client_a, [("january.pdf", pdf)])
    assert answer.status_code == 200
    assert "january.pdf" in answer.text and "reading it now" in answer.text
    await wait_for_jobs(office.client_a)

    documents = (await office.http.get(f"/clients/{office.client_a}/documents")).text
    assert document_ids(documents) and 'class="badge doc-ok"' in documents

    review = (await office.http.get(f"/clients/{office.client_a}/review")).text
    [batch_id] = batch_links(review, office.client_a)
    assert "✓ reconciles" in review

    page = (await office.http.get(f"/clients/{office.client_a}/batches/{batch_id}")).text
    rows = line_rows(page)
    expected = [
        [t.date.isoformat(), " ".join(t.description.split()), _money(t.amount)]
        for t in account.transactions
    ]
    assert [row[:3] for row in rows] == expected
    proof = text(re.search(r'<p class="proof ok">(.*?)</p>', page, re.S).group(1))  # type: ignore[union-attr]
    total = sum((t.amount for t in account.transactions), Decimal(0))
    assert (
        f"Opening {_money(account.opening)} + {len(account.transactions)} transactions"
        f" {total:+,.2f} = {_money(account.closing)}" in proof
    )
    assert f"statement closing {_money(account.closing)}" in proof and "✓" in proof


async def test_the_same_file_uploaded_twice_is_recognised_not_stored_again(office: Office) -> None:
    pdf, _ = statement("us_signed", seed=11)
    first = await upload(office.http, office.client_a, [("one.pdf", pdf)])
    [document_id] = document_ids(first.text)
    again = await upload(office.http, office.client_a, [("copy-of-one.pdf", pdf)], htmx=True)
    assert again.status_code == 200
    assert "copy-of-one.pdf</strong> was already uploaded on" in again.text
    assert f'href="/clients/{office.client_a}/documents/{document_id}">one.pdf</a>' in again.text
    assert document_ids(again.text) == [document_id]
    await wait_for_jobs(office.client_a)


async def test_several_files_upload_at_once_and_each_is_read(office: Office) -> None:
    first, _ = statement("us_signed", seed=21)
    second, _ = statement("uk_gbp_year_end", seed=22)
    answer = await upload(office.http, office.client_a, [("a.pdf", first), ("b.pdf", second)])
    assert len(document_ids(answer.text)) == 2
    await wait_for_jobs(office.client_a)
    review = (await office.http.get(f"/clients/{office.client_a}/review", headers=HX)).text
    assert len(batch_links(review, office.client_a)) == 2
    assert "<html" not in review


async def test_a_statement_that_does_not_add_up_shows_the_break_and_its_row(
    office: Office,
) -> None:
    """Given a statement whose middle row was altered by 10.00 with every balance left as
    printed, Review says it does not reconcile, by how much, and flags that row."""
    pdf, truth = build(LAYOUTS_BY_NAME["us_signed"], seed=12, tamper="alter")
    altered = len(truth[0].transactions) // 2
    await upload(office.http, office.client_a, [("altered.pdf", pdf)])
    await wait_for_jobs(office.client_a)
    review = (await office.http.get(f"/clients/{office.client_a}/review")).text
    assert "does not reconcile" in review and "✓ reconciles" not in review
    [batch_id] = batch_links(review, office.client_a)
    page = (await office.http.get(f"/clients/{office.client_a}/batches/{batch_id}")).text
    proof = text(re.search(r'<p class="proof break">(.*?)</p>', page, re.S).group(1))  # type: ignore[union-attr]
    assert re.search(r"✗ break of [+-]10\.00", proof), proof
    rows = line_rows(page)
    flagged = [i for i, row in enumerate(rows) if "balance breaks here" in row[5]]
    assert flagged == [altered], rows


async def test_the_dashboard_counts_what_each_clients_documents_need(office: Office) -> None:
    """Given one statement read and one invoice (not a statement), the dashboard says one to
    review and one needing attention for that client, and nothing for a client without any."""
    pdf, _ = statement("us_signed")
    invoice = badfiles.text_pdf(badfiles.INVOICE_LINES)
    await upload(office.http, office.client_a, [("good.pdf", pdf), ("invoice.pdf", invoice)])
    await wait_for_jobs(office.client_a)
    dashboard = (await office.http.get("/")).text
    assert f'href="/clients/{office.client_a}/review">1 to review' in dashboard
    assert "1 need attention" in dashboard
    assert dashboard.count("None yet") >= 1  # client B has no documents
