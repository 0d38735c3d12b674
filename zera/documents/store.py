"""Uploaded documents: stored once per client (by SHA-256), listed and read only through
`get_client`, so a user never reaches another client's files."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.query.functions.aggregate import Count

from zera.accounts.errors import NotFound
from zera.accounts.users import CurrentUser
from zera.clients import get_client
from zera.db.tables import Document
from zera.extract import ExtractError, Limits
from zera.extract.preflight import sniff
from zera.queue import JobView, jobs_by_id

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
}
PENDING = ("queued", "extracting")


@dataclass(frozen=True)
class Upload:
    """One file as it arrived in a form."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class DocumentView:
    id: int
    client_id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by_name: str
    uploaded_at: datetime
    status: str
    message: str
    job_id: uuid.UUID | None
    job: JobView | None = None

    @property
    def pending(self) -> bool:
        """Still being read: waiting or extracting, with a job that has not given up."""
        return self.status in PENDING and not (self.job is not None and self.job.finished)

    @property
    def needs_password(self) -> bool:
        return self.status in ("password_required", "wrong_password")

    @property
    def is_pdf(self) -> bool:
        return self.content_type == CONTENT_TYPES["pdf"]


@dataclass(frozen=True)
class UploadResult:
    """What became of one uploaded file: stored, recognised as a duplicate, or refused."""

    filename: str
    document: DocumentView | None = None
    duplicate_of: DocumentView | None = None
    error: str = ""

    @property
    def stored(self) -> bool:
        return self.document is not None


_COLUMNS = (
    Document.id,
    Document.client_id,
    Document.filename,
    Document.content_type,
    Document.size,
    Document.sha256,
    Document.uploaded_by_name,
    Document.uploaded_at,
    Document.status,
    Document.message,
    Document.job_id,
)


def _view(row: dict[str, Any], job: JobView | None = None) -> DocumentView:
    return DocumentView(**row, job=job)


def clean_filename(name: str) -> str:
    """The file's base name, printable and bounded (browsers may send a path)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return base[:200] or "upload"


async def _by_sha(client_id: int, sha256: str) -> DocumentView | None:
    row = (
        await Document.select(*_COLUMNS)
        .where((Document.client_id == client_id) & (Document.sha256 == sha256))
        .first()
        .run()
    )
    return _view(row) if row else None


async def store_uploads(
    user: CurrentUser, client_id: int, uploads: list[Upload], limits: Limits
) -> list[UploadResult]:
    """Store each acceptable file once; refuse what preflight refuses, with its message."""
    await get_client(user, client_id)
    results = []
    for upload in uploads:
        name = clean_filename(upload.filename)
        try:
            kind = sniff(upload.data, limits)
        except ExtractError as exc:
            results.append(UploadResult(name, error=exc.message))
            continue
        sha = hashlib.sha256(upload.data).hexdigest()
        existing = await _by_sha(client_id, sha)
        if existing is not None:
            results.append(UploadResult(name, duplicate_of=existing))
            continue
        rows = (
            await Document.insert(
                Document(
                    client_id=client_id,
                    filename=name,
                    content_type=CONTENT_TYPES[kind],
                    size=len(upload.data),
                    sha256=sha,
                    data=upload.data,
                    uploaded_by=user.id,
                    uploaded_by_name=user.name,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(Document.id)
            .run()
        )
        if not rows:  # the same file arrived twice at once: the other request stored it
            results.append(UploadResult(name, duplicate_of=await _by_sha(client_id, sha)))
            continue
        document = await _document(client_id, int(rows[0]["id"]))
        results.append(UploadResult(name, document=document))
    return results


async def _document(client_id: int, document_id: int) -> DocumentView:
    row = (
        await Document.select(*_COLUMNS)
        .where((Document.id == document_id) & (Document.client_id == client_id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("No such document.")
    jobs = await jobs_by_id([row["job_id"]] if row["job_id"] else [])
    return _view(row, jobs.get(row["job_id"]))


async def get_document(user: CurrentUser, client_id: int, document_id: int) -> DocumentView:
    """The document if it belongs to a client `user` may see; otherwise NotFound."""
    await get_client(user, client_id)
    return await _document(client_id, document_id)


async def list_documents(user: CurrentUser, client_id: int) -> list[DocumentView]:
    """The client's documents, newest first, each with its extraction job."""
    await get_client(user, client_id)
    rows = (
        await Document.select(*_COLUMNS)
        .where(Document.client_id == client_id)
        .order_by(Document.id, ascending=False)
        .run()
    )
    jobs = await jobs_by_id([row["job_id"] for row in rows if row["job_id"]])
    return [_view(row, jobs.get(row["job_id"])) for row in rows]


async def document_bytes(user: CurrentUser, client_id: int, document_id: int) -> bytes:
    await get_client(user, client_id)
    return await load_bytes(client_id, document_id)


async def load_bytes(client_id: int, document_id: int) -> bytes:
    row = (
        await Document.select(Document.data)
        .where((Document.id == document_id) & (Document.client_id == client_id))
        .first()
        .run()
    )
    if row is None:
        raise NotFound("No such document.")
    return bytes(row["data"])


async def set_status(document_id: int, status: str, message: str = "") -> None:
    await (
        Document.update({Document.status: status, Document.message: message})
        .where(Document.id == document_id)
        .run()
    )


async def set_job(document_id: int, job_id: uuid.UUID) -> None:
    await (
        Document.update({Document.job_id: job_id, Document.status: "queued", Document.message: ""})
        .where(Document.id == document_id)
        .run()
    )


@dataclass(frozen=True)
class DocumentCounts:
    """What a client's documents need, for the dashboard."""

    reading: int = 0  # queued or being extracted
    to_review: int = 0  # read; their batches wait on the Review section
    need_attention: int = 0  # could not be read, or waiting for a password


async def document_counts(client_ids: list[int]) -> dict[int, DocumentCounts]:
    """Per client (one grouped query); clients without documents are absent."""
    if not client_ids:
        return {}
    rows = await (
        Document.select(Document.client_id, Document.status, Count(Document.id, alias="n"))
        .where(Document.client_id.is_in(client_ids))
        .group_by(Document.client_id, Document.status)
        .run()
    )
    tallies: dict[int, dict[str, int]] = {}
    for row in rows:
        tally = tallies.setdefault(
            row["client_id"], {"reading": 0, "to_review": 0, "need_attention": 0}
        )
        key = (
            "reading"
            if row["status"] in PENDING
            else ("to_review" if row["status"] == "ok" else "need_attention")
        )
        tally[key] += row["n"]
    return {client_id: DocumentCounts(**tally) for client_id, tally in tallies.items()}
