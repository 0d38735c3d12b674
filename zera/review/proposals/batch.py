"""Proposing a batch: its lines become records to review. The document's untouched proposals
are replaced, the records someone acted on are kept (relinked to the lines read again), the other
statement's side of a movement found here is rewritten, and duplicates are flagged."""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal
from typing import Any

from zera.accounts.audit import SYSTEM, Actor
from zera.accounts.users import CurrentUser
from zera.clients import get_client
from zera.errors import ZeraError
from zera.review.lines import LineView
from zera.review.proposals.accounts import statement_key
from zera.review.proposals.books import Books, Statement, Stored, as_line, load_books, read_batch
from zera.review.proposals.duplicates import flag_duplicates
from zera.review.proposals.proposer import Draft, Proposer
from zera.review.records import NewRecord, add_records, delete_proposals, edit_record, relink_line

log = logging.getLogger("zera.review")

# The worker proposes for the firm: it may read every client.
_WORKER = CurrentUser(id=0, email=SYSTEM.email, name="Zera", role="owner")


def _keep(
    stored: list[Stored], document_id: int, lines: list[LineView], keys: dict[int, str]
) -> dict[int, Stored]:
    """The document's records someone acted on (edited, approved, excluded), matched to the
    lines read again by statement, amount and the bank's words: line id -> record. Those lines
    are not proposed again."""
    kept: dict[tuple[str, Decimal, str], list[Stored]] = defaultdict(list)
    for record in stored:
        if record.document_id == document_id:
            kept[(record.statement_key, record.amount, record.bank_text)].append(record)
    out: dict[int, Stored] = {}
    for line in lines:
        same = kept.get((keys[line.statement_index], line.amount, line.description))
        if same:
            same.sort(key=lambda r: abs(((r.txn_date or line.txn_date) - line.txn_date).days))
            out[line.id] = same.pop(0)
    return out


async def propose_batch(client_id: int, batch_id: int, *, actor: Actor = SYSTEM) -> int:
    """Turn the batch's lines into records to review, replacing the document's untouched
    proposals and keeping the ones someone acted on; returns how many were made."""
    batch = await read_batch(client_id, batch_id)
    if batch is None:
        return 0
    document_id, lines = batch.document_id, batch.lines
    await delete_proposals(document_id)
    if not lines:
        return 0
    summaries = batch.summaries
    keys = {index: statement_key(s) for index, s in summaries.items()}
    books = await load_books(client_id, batch_id, document_id,
                             [as_line(line, keys[line.statement_index]) for line in lines],
                             list(keys.values()))  # fmt: skip
    statements = {i: Statement(key, summaries[i], books.accounts.get(key))
                  for i, key in keys.items()}  # fmt: skip
    kept = _keep(books.stored, document_id, lines, keys)
    for line_id, record in kept.items():
        if record.line_id != line_id:  # the line's new row, for the source highlight
            await relink_line(record.id, line_id)
    proposer = Proposer(books, statements, batch.filename)
    drafts = [proposer.propose(line) for line in lines if line.id not in kept]
    await _rewrite(actor, client_id, books, proposer.rewrites)
    flag_duplicates(books, drafts, {r.id for r in kept.values()})
    await add_records(actor, client_id, [_new_record(d, document_id) for d in drafts])
    return len(drafts)


async def _rewrite(
    actor: Actor, client_id: int, books: Books, rewrites: list[tuple[Stored, str, dict[str, Any]]]
) -> None:
    """Turn the other statement's untouched proposal into the movement this batch found (a new
    version by the system); one that fails the checks stays as it was."""
    if not rewrites:
        return
    client = await get_client(_WORKER, client_id)
    for record, entity, payload in rewrites:
        try:
            done = await edit_record(actor, client, record.id, record.version, payload,
                                     entity=entity, lists=books.lists)  # fmt: skip
        except ZeraError as exc:
            log.info("record %s stays a %s: %s", record.id, record.entity, exc)
            continue
        record.entity, record.payload, record.version = done.entity, done.payload, done.version


def _new_record(draft: Draft, document_id: int) -> NewRecord:
    """The record a draft is stored as."""
    st = draft.st
    return NewRecord(
        entity=draft.entity,
        payload=draft.payload,
        source="document",
        document_id=document_id,
        line_id=draft.line.id,
        statement_key=st.key,
        period_start=st.summary.period_start if st.summary else None,
        period_end=st.summary.period_end if st.summary else None,
        bank_text=draft.line.description,
        suggestions=draft.suggestions,
        confidence=draft.confidence,
        explanation=draft.explanation,
        flags=draft.flags,
        amount=draft.line.amount,
    )
