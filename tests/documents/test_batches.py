"""The extraction task's persistence: safe to run twice, and untrusted text stays text."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.documents.helpers import (
    Office,
    batch_links,
    document_ids,
    line_ids,
    line_rows,
    statement,
    upload,
    wait_for_jobs,
)
from tests.extract.corpus import LAYOUTS_BY_NAME, build
from zera.crypto import TokenCipher
from zera.db import migrate
from zera.db.tables import Batch, BatchLine, Document, Record
from zera.extract import Box, ExtractionResult, Limits, Statement, Transaction
from zera.jsonmoney import dumps
from zera.review import run_extraction, save_batch
from zera.review.proposals import propose_batch
from zera.settings import Settings

pytestmark = [pytest.mark.db, pytest.mark.queue]


async def test_extracting_a_document_twice_replaces_its_batch(
    office: Office, settings: Settings
) -> None:
    pdf, truth = statement("us_split_checks", seed=61)
    answer = await upload(office.http, office.client_a, [("two-pages.pdf", pdf)])
    [document_id] = document_ids(answer.text)
    await wait_for_jobs(office.client_a)
    lines_before = await BatchLine.count().run()
    assert lines_before == len(truth[0].transactions)

    result = await run_extraction(
        office.client_a,
        document_id,
        limits=Limits(),
        cipher=TokenCipher(settings.token_keys),
    )
    assert result is not None and result.ok
    assert await Batch.count().run() == 1
    assert await BatchLine.count().run() == lines_before
    review = (await office.http.get(f"/clients/{office.client_a}/review")).text
    [batch_id] = batch_links(review, office.client_a)
    rows = line_rows((await office.http.get(f"/clients/{office.client_a}/batches/{batch_id}")).text)
    assert [row[2] for row in rows] == [f"{t.amount:,.2f}" for t in truth[0].transactions]


async def test_a_missing_document_is_a_finished_no_op(settings: Settings, office: Office) -> None:
    result = await run_extraction(
        office.client_a, 999, limits=Limits(), cipher=TokenCipher(settings.token_keys)
    )
    assert result is None
    assert await Batch.count().run() == 0


async def test_descriptions_from_documents_are_shown_as_text_never_markup(office: Office) -> None:
    """Given a batch whose description holds markup, the review page escapes it."""
    pdf, _ = statement("us_signed", seed=62)
    answer = await upload(office.http, office.client_a, [("x.pdf", pdf)])
    [document_id] = document_ids(answer.text)
    await wait_for_jobs(office.client_a)
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    result = ExtractionResult(file="x.pdf", sha256="0" * 64, kind="bank_statement")
    result.page_sizes = [(612.0, 792.0)]
    result.statements = [
        Statement(
            institution="<b>Bank</b>",
            opening_balance=Decimal("10.00"),
            closing_balance=Decimal("7.50"),
            reconciled=True,
            transactions=[
                Transaction(
                    date=dt.date(2026, 1, 5),
                    description=hostile,
                    amount=Decimal("-2.50"),
                    box=Box(1, 40.0, 200.0, 560.0, 212.0),
                )
            ],
        )
    ]
    batch_id = await save_batch(office.client_a, document_id, result)
    await propose_batch(office.client_a, batch_id)  # as the worker does after saving
    page = (await office.http.get(f"/clients/{office.client_a}/batches/{batch_id}")).text
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>Bank" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert line_rows(page)[0][:3] == ["2026-01-05", hostile, "-2.50"]
    status = await Document.select(Document.status).where(Document.id == document_id).run()
    assert status == [{"status": "ok"}]


async def _altered_statement_batch(office: Office) -> tuple[int, int]:
    """Upload a statement whose middle row was altered; its batch id and that row's index."""
    pdf, truth = build(LAYOUTS_BY_NAME["us_signed"], seed=63, tamper="alter")
    await upload(office.http, office.client_a, [("altered.pdf", pdf)])
    await wait_for_jobs(office.client_a)
    review = (await office.http.get(f"/clients/{office.client_a}/review")).text
    [batch_id] = batch_links(review, office.client_a)
    return batch_id, len(truth[0].transactions) // 2


def _break_rows(page: str) -> list[int]:
    return [i for i, row in enumerate(line_rows(page)) if "balance breaks here" in row[5]]


async def _record_of(line_id: int) -> int:
    row = await Record.select(Record.id).where(Record.line_id == line_id).first().run()
    assert row is not None
    return int(row["id"])


async def test_review_shows_the_flags_stored_with_each_line(office: Office) -> None:
    """Given a read batch, when a line's stored flag is changed (on the line and on the record
    proposed from it), then Review shows the stored flag on the grid and on the line's source
    page: the page reads what the engine stored, it does not check the batch again."""
    batch_id, altered = await _altered_statement_batch(office)
    [line] = await (
        BatchLine.select(BatchLine.id)
        .where(BatchLine.batch_id == batch_id)
        .order_by(BatchLine.position)
        .offset(altered)
        .limit(1)
        .run()
    )
    await BatchLine.update({BatchLine.flags: []}).where(BatchLine.id == line["id"]).run()
    await Record.update({Record.flags: "[]"}).where(Record.id == await _record_of(line["id"])).run()
    first = await BatchLine.select(BatchLine.id).where(BatchLine.batch_id == batch_id).first().run()
    assert first is not None
    flag = [{"kind": "low_confidence", "message": "a stored flag"}]
    await BatchLine.update({BatchLine.flags: flag}).where(BatchLine.id == first["id"]).run()
    record_id = await _record_of(first["id"])
    await Record.update({Record.flags: dumps(flag)}).where(Record.id == record_id).run()

    page = (await office.http.get(f"/clients/{office.client_a}/batches/{batch_id}")).text
    assert _break_rows(page) == []
    assert "a stored flag" in line_rows(page)[0][5]
    source = await office.http.get(
        f"/clients/{office.client_a}/batches/{batch_id}/lines/{first['id']}"
    )
    assert source.status_code == 200 and "a stored flag" in source.text


async def _flags_by_line(batch_id: int) -> list[tuple[int, object]]:
    # In line order: PostgreSQL returns updated rows in another physical order.
    rows = (
        await BatchLine.select(BatchLine.id, BatchLine.flags)
        .where(BatchLine.batch_id == batch_id)
        .order_by(BatchLine.id)
        .run()
    )
    return [(row["id"], row["flags"]) for row in rows]


async def test_migration_0007_backfills_the_flags_of_existing_batches(office: Office) -> None:
    """Given a batch stored before lines kept their flags (all empty), when migration 0007 runs,
    then the engine's flags are back on its lines and Review shows the break on its row."""
    batch_id, altered = await _altered_statement_batch(office)
    before = await _flags_by_line(batch_id)
    await BatchLine.update({BatchLine.flags: []}).where(BatchLine.batch_id == batch_id).run()
    engine = BatchLine._meta.db
    await engine.run_ddl("DELETE FROM zera_migration WHERE name = '0007_line_flags'")

    assert await migrate(engine) == ["0007_line_flags"]

    assert await _flags_by_line(batch_id) == before
    page = (await office.http.get(f"/clients/{office.client_a}/batches/{batch_id}")).text
    assert _break_rows(page) == [altered]
    line_id = line_ids(page)[altered]
    source = await office.http.get(f"/clients/{office.client_a}/batches/{batch_id}/lines/{line_id}")
    assert "balance breaks here" in source.text
