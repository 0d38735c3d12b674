"""Uploaded documents: stored once per client (by SHA-256). Every function for a user takes the
client as `clients.get_client` returned it (access checked once, by the route), so a user never
reaches another client's files."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.query.functions.aggregate import Count

from zera.accounts.users import CurrentUser
from zera.clients import ClientSummary
from zera.db.tables import Document
from zera.documents.status import PENDING
from zera.errors import NotFound
from zera.extract import ExtractError, Limits, Preflight, preflight
from zera.queue import JobView, jobs_by_id

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "tiff": "image/tiff",
}
FILE_TYPES = {content_type: file_type for file_type, content_type in CONTENT_TYPES.items()}


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
    user: CurrentUser, client: ClientSummary, uploads: list[Upload], limits: Limits
) -> list[UploadResult]:
    """Store each acceptable file once; refuse what preflight refuses, with its message."""
    client_id = client.id
    results = []
    for upload in uploads:
        name = clean_filename(upload.filename)
        try:
            found = preflight(upload.data, limits)
        except ExtractError as exc:
            results.append(UploadResult(name, error=exc.message))
            continue
        sha = found.sha256
        existing = await _by_sha(client_id, sha)
        if existing is not None:
            results.append(UploadResult(name, duplicate_of=existing))
            continue
        rows = (
            await Document.insert(
                Document(
                    client_id=client_id,
                    filename=name,
                    content_type=CONTENT_TYPES[found.file_type],
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


async def get_document(client: ClientSummary, document_id: int) -> DocumentView:
    """The client's document; NotFound when the client has no such document."""
    return await _document(client.id, document_id)


async def list_documents(client: ClientSummary) -> list[DocumentView]:
    """The client's documents, newest first, each with its extraction job."""
    rows = (
        await Document.select(*_COLUMNS)
        .where(Document.client_id == client.id)
        .order_by(Document.id, ascending=False)
        .run()
    )
    jobs = await jobs_by_id([row["job_id"] for row in rows if row["job_id"]])
    return [_view(row, jobs.get(row["job_id"])) for row in rows]


@dataclass(frozen=True)
class StoredFile:
    """A stored document's bytes with what preflight learnt of them when they were stored."""

    filename: str
    data: bytes
    known: Preflight


async def stored_file(client_id: int, document_id: int) -> StoredFile | None:
    """The document's file for reading it (the worker's way in); None when it is gone."""
    row = (
        await Document.select(
            Document.filename, Document.data, Document.content_type, Document.sha256
        )
        .where((Document.id == document_id) & (Document.client_id == client_id))
        .first()
        .run()
    )
    if row is None:
        return None
    known = Preflight(FILE_TYPES[row["content_type"]], row["sha256"])
    return StoredFile(row["filename"], bytes(row["data"]), known)


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
