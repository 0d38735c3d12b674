"""What a user typed into a record's form, read against the client's live lists, and where a
refusal of it belongs. Shared by the Records page's forms (`zera.review.forms`) and the review
grid's edit and split forms (`zera.review.edits`). Pure: no I/O."""

from __future__ import annotations

import re

from zera.sync.lists import PEOPLE, ListEntry, ReferenceLists

_LINE_PATH = re.compile(r"^Line\[(\d+)\](?:\.(.+))?$")


def person_named(lists: ReferenceLists, name: str) -> ListEntry | None:
    """The vendor, customer or employee so named (ignoring case and spaces), looked up in that
    order; None when no list has the name."""
    return next((e for kind in PEOPLE if (e := lists.named(kind, name))), None)


def line_of(path: str) -> tuple[int, str] | None:
    """The payload line a problem's path is about, and the rest of the path: "Line[2].Amount"
    is (2, "Amount"), "Line[0]" is (0, ""); None for a path outside the lines."""
    found = _LINE_PATH.match(path)
    return (int(found[1]), found[2] or "") if found else None
