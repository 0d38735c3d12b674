"""Three-way merge of one QuickBooks transaction: the copy both sides last agreed on (base),
Zera's copy (ours) and QuickBooks' copy (theirs), all in Intuit's own JSON shape.

Pure: no I/O. Fields merge by name and lines by their Id, never by position, so QuickBooks
reordering lines is no edit. A key both sides changed differently is a conflict carried as data
(base, ours, theirs) for a person to decide: nothing is ever overwritten silently."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

# Fields QuickBooks computes or keeps for itself: no person edits them, so they never conflict.
SYSTEM_FIELDS = frozenset({
    "Id", "SyncToken", "MetaData", "domain", "sparse", "status", "time", "TotalAmt",
    "HomeTotalAmt", "Balance", "HomeBalance", "UnappliedAmt", "RecurDataRef", "InvoiceLink",
    "EInvoiceStatus",
})  # fmt: skip
MARKER = re.compile(r"\s*\[zera \d+\]")
RECORD = "(record)"  # the conflict key of a delete on one side against an edit on the other
SIDES = ("ours", "theirs")

_NUMBER_KEYS = frozenset({"Amount", "UnitPrice", "Qty", "TotalAmt", "ExchangeRate", "TaxPercent",
                          "DiscountPercent", "Balance"})  # fmt: skip
_SUBTOTAL = "SubTotalLineDetail"
Doc = dict[str, Any]  # an Intuit document, as parsed JSON


@dataclass(frozen=True)
class Difference:
    key: str  # a field ("TxnDate"), "Line:<Id>", "Line+<n>" (added, no Id yet) or "(record)"
    base: Any
    ours: Any
    theirs: Any


@dataclass(frozen=True)
class MergeResult:
    merged: Doc | None  # with conflicts: only for showing, conflicting keys as theirs
    conflicts: tuple[Difference, ...]
    ours_changed: tuple[str, ...]
    theirs_changed: tuple[str, ...]
    ours: Doc | None = field(default=None, repr=False)  # view()ed, to tell what to write
    theirs: Doc | None = field(default=None, repr=False)

    @property
    def clean(self) -> bool:
        return not self.conflicts

    @property
    def push_needed(self) -> bool:
        """QuickBooks must be written to (updated, or the record deleted there)."""
        return self.clean and not same_document(self.merged, self.theirs)

    @property
    def apply_needed(self) -> bool:
        """Zera's copy must change to what was merged."""
        return self.clean and not same_document(self.merged, self.ours)


def view(doc: Doc) -> Doc:
    """The part of an Intuit document a person edits; a deep copy, the input is left alone.

    Drops system fields, the zera marker (PrivateNote too if nothing else is left), every line's
    LineNum and the subtotal lines QuickBooks computes."""
    out = {key: _copy(value) for key, value in doc.items() if key not in SYSTEM_FIELDS}
    note = out.get("PrivateNote")
    if isinstance(note, str):
        note = MARKER.sub("", note)
        if note.strip():
            out["PrivateNote"] = note
        else:
            del out["PrivateNote"]
    if isinstance(out.get("Line"), list):
        out["Line"] = [
            {k: v for k, v in line.items() if k != "LineNum"} if isinstance(line, dict) else line
            for line in out["Line"]
            if not (isinstance(line, dict) and line.get("DetailType") == _SUBTOTAL)
        ]
    return out


def canonical(value: Any, key: str = "") -> Any:
    """What a value means, so that equal money, the same reference and every spelling of
    "nothing" compare equal however QuickBooks or Zera wrote them. None means absent."""
    if isinstance(value, bool):
        return ("bool", value)  # True == Decimal(1) otherwise
    if isinstance(value, int | float | Decimal):
        return Decimal(str(value))
    if isinstance(value, str):
        if value == "":
            return None
        if _is_number(key):
            try:
                return Decimal(value.strip())
            except InvalidOperation:
                return value
        return value
    if isinstance(value, dict):
        if key.endswith(("Ref", "Entity")) and "value" in value:
            # The name is display text QuickBooks fills in; the value (and type) is the reference.
            ref = value["value"]
            if ref is None or ref == "":
                return None
            return ("ref", str(ref), value.get("type") or None)
        out = {k: c for k, v in value.items() if (c := canonical(v, k)) is not None}
        return out or None
    if isinstance(value, list):
        return [canonical(item, key) for item in value] or None
    return value


def same_document(a: Doc | None, b: Doc | None) -> bool:
    """Whether two documents say the same thing (lines compared as a bag: merge keeps theirs'
    order, so order alone is nothing to write)."""
    if a is None or b is None:
        return a is b
    if _fields(a) != _fields(b):
        return False
    left = _meanings(_lines(a))
    for line in _meanings(_lines(b)):
        if line not in left:
            return False
        left.remove(line)
    return not left


def merge(base: Doc, ours: Doc | None, theirs: Doc | None) -> MergeResult:
    """Three-way merge of the documents as view() sees them (raw Intuit documents are fine).
    None for ours or theirs: deleted (or voided away) on that side."""
    return _merge(view(base), _view(ours), _view(theirs), {})


def resolve(
    result: MergeResult, base: Doc, ours: Doc | None, theirs: Doc | None, choices: Mapping[str, str]
) -> Doc | None:
    """The document once the user chose "ours" or "theirs" for each conflict (None: the record
    is deleted). A chosen side's absent key is removed, an absent line dropped."""
    wrong = sorted(key for key, side in choices.items() if side not in SIDES)
    if wrong:
        raise ValueError(f"choose 'ours' or 'theirs' for {', '.join(wrong)}")
    again = _merge(view(base), _view(ours), _view(theirs), choices)
    keys = dict.fromkeys(d.key for d in (*result.conflicts, *again.conflicts))
    missing = [key for key in keys if key not in choices]
    if missing:
        raise ValueError(f"no choice made for {', '.join(missing)}: choose 'ours' or 'theirs'")
    return again.merged


def sparse_update(theirs: Doc, merged: Doc) -> Doc:
    """Intuit's sparse update turning theirs into merged: only the fields that differ, the whole
    line list if any line differs (Intuit replaces it). Money goes out as Decimal.

    A sparse update cannot clear most fields: a removed text field is sent as "", any other
    removed field is left out. The zera marker stays on the PrivateNote sent: it is how a push
    whose answer was lost is found again."""
    now, want = view(theirs), view(merged)
    body: Doc = {"Id": theirs["Id"], "SyncToken": theirs["SyncToken"], "sparse": True}
    for key in dict.fromkeys([*want, *now]):
        if key == "Line" or canonical(want.get(key), key) == canonical(now.get(key), key):
            continue
        if canonical(want.get(key), key) is not None:
            body[key] = _outgoing(want[key], key)
        elif isinstance(now.get(key), str):
            body[key] = ""
    tag = MARKER.search(str(theirs.get("PrivateNote") or ""))
    if "PrivateNote" in body and tag:
        body["PrivateNote"] = f"{body['PrivateNote']} {tag.group().strip()}".strip()
    if _meanings(_lines(want)) != _meanings(_lines(now)):
        body["Line"] = [_outgoing(line, "Line") for line in _lines(want)]
    return body


def _merge(
    base: Doc, ours: Doc | None, theirs: Doc | None, choices: Mapping[str, str]
) -> MergeResult:
    if ours is None or theirs is None:
        return _merge_deleted(base, ours, theirs, choices)
    tally = _Tally(choices)
    merged: Doc = {}
    for key in dict.fromkeys([*theirs, *ours, *base]):
        if key == "Line":
            lines = _merge_lines(_lines(base), _lines(ours), _lines(theirs), tally)
            if lines:
                merged["Line"] = lines
            continue
        value = tally.decide(key, key, base.get(key), ours.get(key), theirs.get(key))
        if canonical(value, key) is not None:
            merged[key] = value
    # A copy: a caller editing merged must not edit the sides push_needed compares it with.
    return MergeResult(_copy(merged), tuple(tally.conflicts), tuple(tally.ours),
                       tuple(tally.theirs), ours, theirs)  # fmt: skip


def _merge_deleted(
    base: Doc, ours: Doc | None, theirs: Doc | None, choices: Mapping[str, str]
) -> MergeResult:
    """A delete stands against an untouched copy; against an edit it is one conflict."""
    ours_changed = (RECORD,) if ours is None else _merge(base, ours, base, {}).ours_changed
    theirs_changed = (RECORD,) if theirs is None else _merge(base, theirs, base, {}).ours_changed
    survivor_edits = ours_changed if theirs is None else theirs_changed
    if (ours is None and theirs is None) or not survivor_edits:
        return MergeResult(None, (), ours_changed, theirs_changed, ours, theirs)
    chosen = ours if choices.get(RECORD) == "ours" else theirs
    return MergeResult(chosen, (Difference(RECORD, base, ours, theirs),), ours_changed,
                       theirs_changed, ours, theirs)  # fmt: skip


class _Tally:
    """Decides each key and keeps count of who changed what and where they disagree."""

    def __init__(self, choices: Mapping[str, str]) -> None:
        self.choices = choices
        self.conflicts: list[Difference] = []
        self.ours: list[str] = []
        self.theirs: list[str] = []

    def decide(self, key: str, field_name: str, base: Any, ours: Any, theirs: Any) -> Any:
        """The value key takes: the side that changed it, theirs when both agree or neither
        changed it, and for a conflict the chosen side (theirs until someone chooses)."""
        was, mine, yours = (canonical(v, field_name) for v in (base, ours, theirs))
        if mine != was:
            self.ours.append(key)
        if yours != was:
            self.theirs.append(key)
        if mine != was and yours != was and mine != yours:
            self.conflicts.append(Difference(key, base, ours, theirs))
            return ours if self.choices.get(key) == "ours" else theirs
        return ours if yours == was != mine else theirs


def _merge_lines(base: list[Doc], ours: list[Doc], theirs: list[Doc], tally: _Tally) -> list[Doc]:
    """Lines matched by Id; added lines kept (once, if both sides added the same). Theirs' order,
    then ours' new lines in ours' order."""
    was, mine, yours = _by_id(base), _by_id(ours), _by_id(theirs)
    decided = {
        i: tally.decide(f"Line:{i}", "Line", was.get(i), mine.get(i), yours.get(i))
        for i in dict.fromkeys([*was, *mine, *yours])
    }
    # Lines QuickBooks added, which a line Zera added (no Id yet) may duplicate.
    added = [_content(line) for line in theirs
             if _id(line) is None or (_id(line) not in was and _id(line) not in mine)]  # fmt: skip
    out: list[Doc] = []
    for number, line in enumerate(theirs, 1):
        line_id = _id(line)
        if line_id is None:
            tally.theirs.append(f"Line+{number}")
            out.append(line)
        elif decided.get(line_id) is not None:
            out.append(decided.pop(line_id))
    for number, line in enumerate(ours, 1):
        line_id = _id(line)
        if line_id is None:
            tally.ours.append(f"Line+{number}")
            if _content(line) in added:
                added.remove(_content(line))
            else:
                out.append(line)
        elif decided.get(line_id) is not None:
            out.append(decided.pop(line_id))
    return out


def _view(doc: Doc | None) -> Doc | None:
    return None if doc is None else view(doc)


def _fields(doc: Doc) -> Any:
    return canonical({key: value for key, value in doc.items() if key != "Line"})


def _lines(doc: Doc) -> list[Doc]:
    lines = doc.get("Line")
    return [line for line in lines if isinstance(line, dict)] if isinstance(lines, list) else []


def _id(line: Doc) -> str | None:
    line_id = line.get("Id")
    return None if line_id is None or line_id == "" else str(line_id)


def _by_id(lines: Iterable[Doc]) -> dict[str, Doc]:
    return {line_id: line for line in lines if (line_id := _id(line)) is not None}


def _meanings(lines: list[Doc]) -> list[Any]:
    return [canonical(line, "Line") for line in lines]


def _content(line: Doc) -> Any:
    return canonical({key: value for key, value in line.items() if key != "Id"}, "Line")


def _copy(value: Any) -> Any:
    """A deep copy of JSON (several times faster than copy.deepcopy, which merge runs a lot)."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _outgoing(value: Any, key: str = "") -> Any:
    """value as sent to Intuit: every amount a Decimal (never a float, never a string)."""
    if isinstance(value, dict):
        return {k: _outgoing(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_outgoing(item, key) for item in value]
    number = canonical(value, key) if isinstance(value, float) or _is_number(key) else None
    return number if isinstance(number, Decimal) else value


def _is_number(key: str) -> bool:
    return key in _NUMBER_KEYS or key.endswith("Amt")
