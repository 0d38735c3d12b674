"""`zera records import|list`: records from a JSON file, and a client's records as JSON lines.

`import` stores every record of the file or none: the whole file is checked first, against the
client's QuickBooks lists, and any problem (with the record's position in the array and the
field) is printed to stderr with exit status 1."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from zera.accounts.audit import Actor
from zera.clients import ClientSummary, client_by_reference
from zera.db import bind_tables, engine_for
from zera.errors import NotFound
from zera.jsonmoney import dumps, loads
from zera.review import payloads, records
from zera.settings import Settings

CLI = Actor(None, "cli")


class Refused(Exception):
    """Nothing was stored; every line of `lines` says why."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="records_command", required=True)
    imported = commands.add_parser(
        "import",
        help="store the records of a JSON file (all or none), as to review or approved",
        description='FILE is a JSON array of {"type": ..., "record": {...Intuit JSON...}}; '
        'references may be given by name ({"name": "Home Depot"}). "-" reads stdin.',
    )
    imported.add_argument("--client", required=True, metavar="CLIENT", help="id or exact name")
    imported.add_argument("file", metavar="FILE")
    imported.add_argument("--approve", action="store_true", help="store them as approved")
    listed = commands.add_parser("list", help="the client's records as JSON lines")
    listed.add_argument("--client", required=True, metavar="CLIENT", help="id or exact name")
    listed.add_argument("--status", choices=records.STATUSES, default=None)


async def find_client(ref: str) -> ClientSummary:
    try:
        return await client_by_reference(ref)
    except NotFound as exc:
        raise Refused(str(exc)) from None


_JSON_KINDS = {
    "dict": "object",
    "str": "string",
    "int": "number",
    "Decimal": "number",
    "bool": "boolean",
    "NoneType": "null",
}


def read_drafts(raw: bytes, name: str) -> list[records.Draft]:
    """The file's records, or Refused saying what is wrong with its shape."""
    try:
        items = loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise Refused(f"{name} is not JSON ({exc}).") from None
    if not isinstance(items, list):
        raise Refused(
            f'{name} must hold a JSON array of {{"type": ..., "record": {{...}}}} objects, '
            f"not a JSON {_JSON_KINDS.get(type(items).__name__, 'value')}."
        )
    if not items:
        raise Refused(f"{name} holds no records (an empty array).")
    problems, drafts = [], []
    known = ", ".join(payloads.TYPES)
    for position, item in enumerate(items):
        where = f"record {position}"
        if not isinstance(item, dict):
            problems.append(f'{where}: must be an object {{"type": ..., "record": {{...}}}}.')
            continue
        entity, record = item.get("type"), item.get("record")
        if not isinstance(entity, str) or not entity:
            problems.append(f'{where}: "type" is missing; it is one of {known}.')
        elif entity not in payloads.TYPES:
            problems.append(f"{where}: type {entity!r} is not a record type ({known}).")
        if not isinstance(record, dict):
            problems.append(f'{where}: "record" must be an object with the Intuit JSON.')
        if isinstance(entity, str) and entity in payloads.TYPES and isinstance(record, dict):
            drafts.append(records.Draft(entity, record))
    if problems:
        raise Refused(*problems)
    return drafts


def _problem_lines(drafts: list[records.Draft], refused: records.RefusedDrafts) -> list[str]:
    out = []
    for position, problem in refused.problems:
        entity = drafts[position].entity if 0 <= position < len(drafts) else ""
        field = f" {problem.field}:" if problem.field else ""
        out.append(f"record {position} ({entity}){field} {problem.message}")
    return out


async def import_records(client_ref: str, raw: bytes, name: str, approve: bool) -> list[Any]:
    client = await find_client(client_ref)
    drafts = read_drafts(raw, name)
    try:
        stored = await records.create_records(CLI, client, drafts, source="import", approve=approve)
    except records.RefusedDrafts as exc:
        raise Refused(*_problem_lines(drafts, exc)) from None
    return [{"id": r.id, "type": r.entity, "status": r.status} for r in stored]


async def list_lines(client_ref: str, status: str | None) -> list[str]:
    client = await find_client(client_ref)
    return [
        dumps(
            {
                "id": r.id,
                "type": r.entity,
                "status": r.status,
                "qbo_id": r.qbo_id,
                "sync_token": r.sync_token,
                "record": r.payload,
            }
        )
        for r in await records.list_records(client, status=status)
    ]


def _read(file: str) -> bytes:
    if file == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(file).read_bytes()
    except OSError as exc:
        raise Refused(f"cannot read {file}: {exc.strerror or exc}.") from None


def run(settings: Settings, args: argparse.Namespace) -> int:
    bind_tables(engine_for(settings.database_url))
    command = f"zera records {args.records_command}"
    try:
        if args.records_command == "import":
            stored = asyncio.run(
                import_records(args.client, _read(args.file), args.file, args.approve)
            )
            print(json.dumps(stored, indent=2))
        else:
            for line in asyncio.run(list_lines(args.client, args.status)):
                print(line)
    except Refused as exc:
        if args.records_command == "import" and len(exc.lines) > 1:
            print(
                f"{command}: nothing was stored; {len(exc.lines)} problems (records are "
                "numbered from 0, in the file's order):",
                file=sys.stderr,
            )
            for line in exc.lines:
                print(f"  {line}", file=sys.stderr)
        else:
            stored_note = " Nothing was stored." if args.records_command == "import" else ""
            print(f"{command}: {exc.lines[0]}{stored_note}", file=sys.stderr)
        return 1
    return 0
