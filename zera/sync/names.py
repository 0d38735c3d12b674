"""Names a push needs: a payee that QuickBooks does not have yet is created once (Vendor or
Customer), however many records name it and even across a crash; a name that differs only in
case, punctuation or store numbers from an existing one is that one.

Creating is crash-safe twice over: each name's create carries a requestid derived from the client,
the folded name and the push (Intuit answers a repeat from its memory of the first), and what was
found or created is kept in `pushed_name` before any record uses it. Intuit's 6240 (the name exists,
perhaps inactive, perhaps as another kind of name) is resolved by finding that name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zera.categorize.names import name_key, payee_name
from zera.db.bulk import upsert
from zera.db.tables import PushedName
from zera.qbo import DuplicateName, QBOClient
from zera.qbo.mapping.common import NameIds, fold
from zera.review import payloads
from zera.sync.lists import PEOPLE, ReferenceLists
from zera.sync.mirror import remember


class NameRefused(Exception):
    """A name QuickBooks would not take, in words for the record it blocks."""


def _quoted(name: str) -> str:
    """A string literal in Intuit's query language (a quote is escaped with a backslash)."""
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _same(a: str, b: str) -> bool:
    return name_key(a) == name_key(b) or (
        bool(name_key(payee_name(a))) and name_key(payee_name(a)) == name_key(payee_name(b))
    )


def existing(lists: ReferenceLists, entity: str, name: str) -> str | None:
    """The Id of the active `entity` name that `name` is, ignoring case, punctuation and store
    numbers; None when none is, or more than one."""
    exact = lists.named(entity, name)
    if exact is not None and exact.active:
        return exact.qbo_id
    found = {e.qbo_id for e in lists.of(entity) if e.active and _same(e.name, name)}
    return found.pop() if len(found) == 1 else None


async def _remembered(client_id: int) -> NameIds:
    rows = (
        await PushedName.select(PushedName.entity, PushedName.key, PushedName.qbo_id)
        .where(PushedName.client_id == client_id)
        .run()
    )
    return {(row["entity"], row["key"]): row["qbo_id"] for row in rows}


async def _find_in_quickbooks(qbo: QBOClient, entity: str, name: str) -> dict[str, object] | None:
    """The name as QuickBooks has it, inactive ones included (6240 counts them)."""
    for kind in (entity, *(p for p in PEOPLE if p != entity)):
        answer = await qbo.query(
            f"SELECT * FROM {kind} WHERE DisplayName = {_quoted(name)}"  # noqa: S608 (quoted)
            " AND Active IN (true, false)"
        )
        found = answer.get(kind) or []
        if found:
            return {"entity": kind, **found[0]}
    return None


async def ensure_names(
    qbo: QBOClient,
    client_id: int,
    wanted: Iterable[tuple[str, str]],
    lists: ReferenceLists,
    *,
    push_run_id: int | None = None,
) -> tuple[NameIds, dict[tuple[str, str], str]]:
    """Ids for every (entity, display name) in `wanted`, creating what QuickBooks lacks.

    Returns the ids by (entity, folded name) and, for names that could not be had, why."""
    ids = await _remembered(client_id)
    refused: dict[tuple[str, str], str] = {}
    for entity, name in sorted(set(wanted)):
        key = (entity, fold(name))
        if key in ids:
            continue
        found = existing(lists, entity, name)
        created = False
        if found is None:
            try:
                answer = await qbo.create(
                    entity,
                    {"DisplayName": name},
                    # Per push: a name an undone push made inactive is not "created" again
                    # from Intuit's memory of the first create (the 6240 below reactivates it).
                    operation=f"name:{client_id}:{entity}:{fold(name)}:{push_run_id}",
                )
                found, created = str(answer["Id"]), True
                await remember(client_id, entity, [answer])
            except DuplicateName:
                same = await _find_in_quickbooks(qbo, entity, name)
                if same is None or same["entity"] != entity:
                    kind = same["entity"] if same else "another name"
                    refused[key] = (
                        f"'{name}' is already a {str(kind).lower()} in QuickBooks; a "
                        f"{entity.lower()} cannot have the same name. Choose that name or "
                        "another one."
                    )
                    continue
                found = str(same["Id"])
                if same.get("Active") is False:
                    await qbo.update(
                        entity,
                        {"Id": found, "SyncToken": same["SyncToken"], "Active": True},
                        operation=f"reactivate:{client_id}:{entity}:{found}",
                    )
        ids[key] = found
        await upsert(
            PushedName,
            [{"client_id": client_id, "entity": entity, "key": key[1], "qbo_id": found,
              "created": created, "push_run_id": push_run_id}],
            key=("client_id", "entity", "key"),
            update=("qbo_id",),
        )
    return ids, refused


def with_names(doc: dict[str, Any], lists: ReferenceLists) -> dict[str, Any]:
    """`doc` with every reference QuickBooks sent without a name named from the lists."""
    for key, _path, ref in payloads.references(doc):
        if payloads.ref_name(ref) or not payloads.ref_value(ref):
            continue
        entity = payloads.REF_LISTS.get(key)
        found = (
            lists.person(payloads.ref_value(ref))
            if entity is None or key in ("EntityRef", "Entity")
            else lists.get(entity, payloads.ref_value(ref))
        )
        if found is not None:
            ref["name"] = found.name
    return doc
