"""Source documents attached in QuickBooks: the statement or receipt a pushed record was read
from is uploaded once per client as an Attachable and linked to every transaction it produced,
so a QuickBooks user opens the source from the transaction.

What was uploaded, and what it is linked to, is kept in `pushed_attachment` (one row per client
and document): attaching again links only what is new (an update of the Attachable's
AttachableRef list, never a second upload). The upload's requestid is derived from the client,
the document and what it links, so after a crash between Intuit's answer and our row the retry
is answered from Intuit's memory of the first upload.

Attaching never fails a push: a document QuickBooks refuses is logged and skipped."""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from zera.db.bulk import upsert
from zera.db.tables import Document, PushedAttachment, Record
from zera.jsonmoney import dumps, loads
from zera.qbo import ObjectNotFound, QBOClient, QBOError
from zera.review.records import IN_QUICKBOOKS

log = logging.getLogger(__name__)

DELETED = "deleted"
UNLINKED = "unlinked"


def link_key(entity: str, qbo_id: str) -> str:
    """How a linked transaction is remembered: "Purchase:145"."""
    return f"{entity}:{qbo_id}"


def _ref(key: str) -> dict[str, Any]:
    entity, _, qbo_id = key.partition(":")
    return {"EntityRef": {"type": entity, "value": qbo_id}, "IncludeOnSend": False}


def _key_of(ref: dict[str, Any]) -> str:
    target = ref.get("EntityRef") or {}
    return link_key(str(target.get("type") or ""), str(target.get("value") or ""))


@dataclass(frozen=True)
class Attached:
    """A document's Attachable and what Zera linked it to."""

    qbo_id: str
    linked: list[str]


async def attached(client_id: int, document_id: int) -> Attached | None:
    row = (
        await PushedAttachment.select(PushedAttachment.qbo_id, PushedAttachment.linked)
        .where(
            (PushedAttachment.client_id == client_id)
            & (PushedAttachment.document_id == document_id)
        )
        .first()
        .run()
    )
    if row is None:
        return None
    linked = loads(row["linked"]) if isinstance(row["linked"], str) else row["linked"]
    return Attached(str(row["qbo_id"]), list(linked or []))


async def _remember(client_id: int, document_id: int, qbo_id: str, linked: Iterable[str]) -> None:
    await upsert(
        PushedAttachment,
        [{"client_id": client_id, "document_id": document_id, "qbo_id": qbo_id,
          "linked": dumps(sorted(set(linked)))}],
        key=("client_id", "document_id"),
        update=("qbo_id", "linked"),
    )  # fmt: skip


async def _forget(client_id: int, document_id: int) -> None:
    await (
        PushedAttachment.delete()
        .where(
            (PushedAttachment.client_id == client_id)
            & (PushedAttachment.document_id == document_id)
        )
        .run()
    )


def _filename(name: str, content_type: str) -> str:
    """Intuit files an attachment by its name's extension: give it one if it has none."""
    if "." in name.rsplit("/", 1)[-1]:
        return name
    return name + (mimetypes.guess_extension(content_type) or "")


async def _upload(qbo: QBOClient, client_id: int, document_id: int, keys: list[str]) -> int:
    row = (
        await Document.select(Document.filename, Document.content_type, Document.data)
        .where((Document.id == document_id) & (Document.client_id == client_id))
        .first()
        .run()
    )
    if row is None:
        log.warning("document %s of client %s is gone: nothing to attach", document_id, client_id)
        return 0
    metadata = {
        "FileName": _filename(row["filename"] or f"document-{document_id}", row["content_type"]),
        "ContentType": row["content_type"],
        "Note": "Source document, attached by Zera",
        "AttachableRef": [_ref(key) for key in keys],
    }
    made = await qbo.upload(
        metadata, bytes(row["data"]), operation=f"attach:{client_id}:{document_id}:{keys}"
    )
    await _remember(client_id, document_id, str(made["Id"]), keys)
    return len(keys)


async def _link(
    qbo: QBOClient, client_id: int, document_id: int, known: Attached, keys: list[str]
) -> int:
    """Add `keys` to the Attachable already uploaded; upload again only if it is gone."""
    try:
        current = await qbo.read("Attachable", known.qbo_id)
    except ObjectNotFound:
        await _forget(client_id, document_id)
        return await _upload(qbo, client_id, document_id, sorted(set(known.linked) | set(keys)))
    refs = list(current.get("AttachableRef") or [])
    have = {_key_of(ref) for ref in refs}
    new = [key for key in keys if key not in have]
    if new:
        await qbo.update(
            "Attachable",
            {"Id": known.qbo_id, "SyncToken": current["SyncToken"],
             "AttachableRef": refs + [_ref(key) for key in new]},
            operation=f"attach:{client_id}:{known.qbo_id}:{current['SyncToken']}:{new}",
        )  # fmt: skip
    await _remember(client_id, document_id, known.qbo_id, [*known.linked, *keys])
    return len(new)


async def attach_sources(qbo: QBOClient, client_id: int, record_ids: list[int]) -> int:
    """Link each record in QuickBooks to the document it was read from, uploading each document
    once; returns how many links were made. Records not in QuickBooks, or not read from a
    document, are passed over; a document QuickBooks refuses is logged and skipped."""
    if not record_ids:
        return 0
    rows = (
        await Record.select(Record.id, Record.entity, Record.qbo_id, Record.document_id)
        .where(
            (Record.client_id == client_id)
            & Record.id.is_in(list(record_ids))
            & (Record.status == IN_QUICKBOOKS)
            & Record.document_id.is_not_null()
            & Record.qbo_id.is_not_null()
        )
        .order_by(Record.id)
        .run()
    )
    by_document: dict[int, list[str]] = {}
    for row in rows:
        by_document.setdefault(row["document_id"], []).append(
            link_key(row["entity"], row["qbo_id"])
        )
    made = 0
    for document_id, keys in sorted(by_document.items()):
        try:
            known = await attached(client_id, document_id)
            if known is None:
                made += await _upload(qbo, client_id, document_id, keys)
            elif set(keys) - set(known.linked):
                made += await _link(qbo, client_id, document_id, known, keys)
        except QBOError as exc:
            log.warning("could not attach document %s for client %s: %s",
                        document_id, client_id, exc)  # fmt: skip
    return made


async def unlink(qbo: QBOClient, client_id: int, document_id: int, keys: Iterable[str]) -> str:
    """Take `keys` (transactions an undo removed) off the document's Attachable, and delete the
    Attachable once nothing is linked to it. Returns DELETED, UNLINKED, or "" when the document
    was not attached to them. Raises QBOError when QuickBooks refuses."""
    known = await attached(client_id, document_id)
    gone = set(keys)
    if known is None or not gone & set(known.linked):
        return ""
    remaining = [key for key in known.linked if key not in gone]
    try:
        current = await qbo.read("Attachable", known.qbo_id)
    except ObjectNotFound:
        await _forget(client_id, document_id)
        return DELETED
    refs = [ref for ref in current.get("AttachableRef") or [] if _key_of(ref) not in gone]
    token = str(current["SyncToken"])
    if not refs:
        await qbo.delete("Attachable", known.qbo_id, token,
                         operation=f"unattach:{client_id}:{known.qbo_id}:{token}")  # fmt: skip
        await _forget(client_id, document_id)
        return DELETED
    await qbo.update(
        "Attachable",
        {"Id": known.qbo_id, "SyncToken": token, "AttachableRef": refs},
        operation=f"unlink:{client_id}:{known.qbo_id}:{token}",
    )
    await _remember(client_id, document_id, known.qbo_id, remaining)
    return UNLINKED
