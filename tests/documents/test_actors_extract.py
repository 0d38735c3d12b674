"""extract_document_job, run by the real queue and worker as an upload starts it."""

from __future__ import annotations

import pytest

from tests.documents.helpers import Office, statement, upload, wait_for_jobs
from zera.db.tables import Batch, BatchLine, Document, Job

pytestmark = [pytest.mark.db, pytest.mark.queue]


async def test_an_upload_runs_extract_document_job_which_leaves_a_batch_of_its_lines(
    office: Office,
) -> None:
    """Given a generated statement, when it is uploaded, then one extract_document_job runs to
    done for that client and the document gets a batch holding one line per transaction."""
    pdf, truth = statement("us_signed")
    answer = await upload(office.http, office.client_a, [("march.pdf", pdf)])
    assert answer.status_code == 200
    await wait_for_jobs(office.client_a)

    jobs = await Job.select(Job.actor, Job.state).where(Job.client_id == office.client_a).run()
    assert jobs == [{"actor": "extract_document_job", "state": "done"}]
    document = await Document.select(Document.id, Document.status).first().run()
    assert document is not None
    batch = await Batch.select(Batch.id).where(Batch.document_id == document["id"]).first().run()
    assert batch is not None
    lines = await BatchLine.count().where(BatchLine.batch_id == batch["id"]).run()
    assert lines == sum(len(account.transactions) for account in truth)
    assert await Batch.count().where(Batch.client_id == office.client_b).run() == 0
