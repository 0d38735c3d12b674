"""A stored record back in its form (the Records page's Edit), and the form laid over the
record again on save, so that what the form cannot show stays as it was and QuickBooks' line
Ids stay on their lines (the two-way merge matches lines by Id)."""

from __future__ import annotations

import copy
from typing import Any

from zera.review.forms import (
    FORMS,
    LINE_ID,
    Field,
    FormSpec,
    RecordForm,
    name_ref,
    to_payload,
)
from zera.review.payloads import line_detail, lines, money, payee_ref, ref_name, ref_value
from zera.review.readback import amount_text, line_texts
from zera.sync.lists import ReferenceLists

_SHOWN_LINES = {
    "expense": ("AccountBasedExpenseLineDetail",),
    "deposit": ("DepositLineDetail",),
    "sales": ("SalesItemLineDetail", "DescriptionOnly"),
    "journal": ("JournalEntryLineDetail",),
}
# The parts of a line the form has an input for; a kept line's other parts stay as they were.
_LINE_INPUTS = ("Amount", "Description", "LinkedTxn")
_DETAIL_INPUTS = ("AccountRef", "ItemRef", "Qty", "UnitPrice", "PostingType")
# Totals QuickBooks works out itself: an edit of the lines makes the stored ones wrong.
_COMPUTED = ("TotalAmt", "HomeTotalAmt", "Balance", "HomeBalance", "UnappliedAmt")


def _shown(spec: FormSpec, line: dict[str, Any]) -> bool:
    """Whether the line editor can show the line (a discount or subtotal line, an item-based
    expense, a payment of another kind of transaction cannot)."""
    if spec.lines == "linked":
        links = line.get("LinkedTxn")
        return (isinstance(links, list) and len(links) == 1 and isinstance(links[0], dict)
                and links[0].get("TxnType") == spec.linked)  # fmt: skip
    return line.get("DetailType") in _SHOWN_LINES.get(spec.lines, ())


def _ref_text(ref: Any) -> str:
    return ref_name(ref) or ref_value(ref)


def _number_text(value: Any) -> str:
    number = money(value)
    return "" if number is None else str(number)


def _line_id(line: dict[str, Any]) -> str:
    return "" if line.get("Id") in (None, "") else str(line["Id"])


def _row(spec: FormSpec, line: dict[str, Any]) -> dict[str, str]:
    detail = line_detail(line)
    links = line.get("LinkedTxn") or [{}]
    described = line.get("DetailType") == "DescriptionOnly"
    text = {
        "account": _ref_text(detail.get("AccountRef")),
        "item": _ref_text(detail.get("ItemRef")),
        "description": str(line.get("Description") or ""),
        "qty": _number_text(detail.get("Qty")),
        "price": _number_text(detail.get("UnitPrice")),
        "posting": str(detail.get("PostingType") or ""),
        "amount": "" if described else amount_text(line.get("Amount")),
        "txn": str(links[0].get("TxnId") or ""),
    }
    row = {column: text[column] for column in spec.columns}
    return row | ({LINE_ID: _line_id(line)} if _line_id(line) else {})


_KIND_TEXT = {"ItemBasedExpenseLineDetail": "Item", "DiscountLineDetail": "Discount",
              "SubTotalLineDetail": "Subtotal", "DescriptionOnly": "Text"}  # fmt: skip


def kept_lines(entity: str, payload: dict[str, Any]) -> list[str]:
    """The record's lines its form cannot show, as text: an edit keeps them as they are."""
    spec = FORMS[entity]
    kept = [line for line in lines(payload) if not _shown(spec, line)]
    parts = ((_KIND_TEXT.get(t.kind, t.kind), t.target, t.description, t.amount)
             for t in line_texts({"Line": kept}))  # fmt: skip
    return [" ".join(p for p in part if p) for part in parts]


def _field_text(entity: str, f: Field, payload: dict[str, Any]) -> str:
    if f.name == "PaidFrom":
        part = payload.get("CheckPayment") or payload.get("CreditCardPayment") or {}
        return _ref_text(part.get("BankAccountRef") or part.get("CCAccountRef"))
    value = payee_ref(entity, payload) if f.name == "ReceivedFrom" else payload.get(f.name)
    if f.kind == "ref":
        return _ref_text(value)
    if f.kind == "money":
        return amount_text(value)
    if f.kind == "date":
        return str(value or "")[:10]
    return "" if value is None or isinstance(value, dict | list) else str(value)


def of_payload(entity: str, payload: dict[str, Any]) -> RecordForm:
    """The form for `entity` (one of FORMS) filled in from a stored record, as the New form
    shows a record typed into it: references by name, amounts as text, each line's Id kept."""
    spec = FORMS[entity]
    values = {f.name: text for f in spec.fields if (text := _field_text(entity, f, payload))}
    rows = [_row(spec, line) for line in lines(payload) if _shown(spec, line)]
    return RecordForm(entity, values, rows, kept=kept_lines(entity, payload))


def _same_name(a: Any, b: Any) -> bool:
    def name(ref: Any) -> str:
        return " ".join(ref_name(ref).split()).casefold()

    return bool(name(a)) and name(a) == name(b)


def _over(key: str, before: Any, after: Any) -> Any:
    """`after` laid over `before`: a reference still naming the same entry stays as it was
    (its Id, the list it is on), a part without an input in the form stays as it was."""
    if key.endswith("Ref") or key == "Entity":
        return copy.deepcopy(before) if _same_name(before, after) else after
    if isinstance(before, dict) and isinstance(after, dict):
        return copy.deepcopy(before) | {k: _over(k, before.get(k), v) for k, v in after.items()}
    return after


def _line_over(before: dict[str, Any], after: dict[str, Any], own_entity: bool) -> dict[str, Any]:
    kind = after.get("DetailType")
    if before.get("DetailType") != kind:
        return after
    inputs = ("Description",) if kind == "DescriptionOnly" else _LINE_INPUTS
    out = {k: copy.deepcopy(v) for k, v in before.items() if k not in (*inputs, kind)}
    for key, value in after.items():
        if key == "LinkedTxn" and _row_txn(before) == _row_txn(after):
            out[key] = copy.deepcopy(before[key])  # the same bill or invoice, as QuickBooks has it
        elif key != kind:
            out[key] = value
    if isinstance(kind, str) and (kind in before or kind in after):
        old, new = line_detail(before), dict(line_detail(after))
        detail_inputs: tuple[str, ...] = _DETAIL_INPUTS
        if kind == "DepositLineDetail":  # its payee is the form's Received from
            if own_entity:  # left as it was: each line keeps its own
                new.pop("Entity", None)
            else:
                detail_inputs += ("Entity",)
        others = {k: copy.deepcopy(v) for k, v in old.items() if k not in detail_inputs}
        out[kind] = others | {k: _over(k, old.get(k), v) for k, v in new.items()}
    return out


def _row_txn(line: dict[str, Any]) -> str:
    links = line.get("LinkedTxn")
    return str(links[0].get("TxnId") or "") if isinstance(links, list) and links else ""


def edited(form: RecordForm, before: dict[str, Any], lists: ReferenceLists) -> dict[str, Any]:
    """The record as its edit form says, laid over the record it was made from: a field the
    form does not show, a line it cannot show and the parts of a line it has no input for stay
    as they were; a row is its line again by QuickBooks' line Id (or, for a line without one,
    by being left as it was). Totals QuickBooks works out are dropped."""
    spec, after = form.spec, to_payload(form, lists)
    inputs = {f.name for f in spec.fields} - {"PaidFrom", "ReceivedFrom"}
    inputs |= {"Line"} if spec.lines != "none" else set()
    inputs |= {"CheckPayment", "CreditCardPayment"} if form.entity == "BillPayment" else set()
    out = {k: copy.deepcopy(v) for k, v in before.items() if k not in inputs | set(_COMPUTED)}
    out |= {k: _over(k, before.get(k), v) for k, v in after.items() if k != "Line"}
    if "Line" not in inputs:
        return out
    old_lines = lines(before)
    by_id = {_line_id(line): line for line in old_lines if _line_id(line)}
    unchanged = [line for line in old_lines if not _line_id(line) and _shown(spec, line)]
    own_entity = "ReceivedFrom" in {f.name for f in spec.fields} and _same_name(
        payee_ref(form.entity, before), name_ref(form.value("ReceivedFrom"))
    )
    out["Line"] = []
    for row, line in zip(form.rows, after["Line"], strict=True):
        was = by_id.get(row.get(LINE_ID, ""))
        if was is None and not row.get(LINE_ID):
            shown = {c: v for c, v in row.items() if c != LINE_ID}
            was = next((old for old in unchanged if _row(spec, old) == shown), None)
            if was is not None:
                unchanged.remove(was)
        if was is None:  # a new line (an Id the record does not have is not kept)
            out["Line"].append({k: v for k, v in line.items() if k != "Id"})
        else:
            out["Line"].append(_line_over(was, line, own_entity))
    # After the rows (and any added): a subtotal and the discount under it stay last, and
    # QuickBooks shows item lines apart from account lines anyway.
    out["Line"] += [copy.deepcopy(line) for line in old_lines if not _shown(spec, line)]
    return out


