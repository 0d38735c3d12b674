"""The Records page's Edit form (issue #12 item 5): any record that may still be edited opens
in the New record form filled in from what is stored, and is saved against the version it was
opened at. A record already in QuickBooks goes back there at once as an update through the
two-way merge, its lines matched by QuickBooks' line Ids: never a blind overwrite."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest

from tests.conftest import csrf_token
from tests.qbo.conftest import app_of, wait_for_jobs
from tests.review.conftest import Books
from tests.review.test_push_faults import ACTOR, approved, purchase
from tests.review.test_records_cli import every_type
from tests.review.test_records_section import text_of
from tests.review.test_two_way import conflicted, in_quickbooks, pushed, record
from zera.clients import client_by_reference
from zera.jsonmoney import dumps
from zera.review import forms, records, refill
from zera.review.payloads import normalize, resolve
from zera.review.records import RecordView
from zera.sync.lists import reference_lists
from zera.sync.merge import same_document

# Marked `db` (run again on PostgreSQL in CI): the version check and the update merged by line.
HTMX = {"HX-Request": "true", "HX-Target": "client-body"}


class FormFields(HTMLParser):
    """The fields the record form on a page would submit, in order (a <template>'s are not)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.in_template = 0
        self.select: str | None = None
        self.options: list[list[Any]] = []  # [value or None, text, selected]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form" and "record-form" in (found.get("class") or ""):
            self.in_form = True
        if tag == "template":
            self.in_template += 1
        if not self.in_form or self.in_template:
            return
        if tag == "input" and found.get("name"):
            self.fields.append((str(found["name"]), found.get("value") or ""))
        elif tag == "select":
            self.select, self.options = found.get("name"), []
        elif tag == "option" and self.select:
            self.options.append([found.get("value"), "", "selected" in found])

    def handle_data(self, data: str) -> None:
        if self.select and self.options:
            self.options[-1][1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self.in_template -= 1
        elif tag == "form":
            self.in_form = False
        elif tag == "select" and self.select:
            chosen = [o for o in self.options if o[2]] or self.options[:1]
            for value, text, _ in chosen[:1]:
                self.fields.append((self.select, value if value is not None else text))
            self.select = None


def fields_of(page: httpx.Response) -> list[tuple[str, str]]:
    parser = FormFields()
    parser.feed(page.text)
    assert parser.fields, page.text
    return parser.fields


def values(fields: list[tuple[str, str]], name: str) -> list[str]:
    return [value for key, value in fields if key == name]


def changed(fields: list[tuple[str, str]], name: str, value: str, nth: int = 0
            ) -> list[tuple[str, str]]:  # fmt: skip
    """The fields with the `nth` one called `name` set to `value`."""
    out, seen = [], 0
    for key, old in fields:
        if key == name:
            old, seen = (value if seen == nth else old), seen + 1
        out.append((key, old))
    assert seen > nth, f"no field {name} #{nth}"
    return out


def change_url(books: Books, record_id: int) -> str:
    return f"/clients/{books.client_id}/records/{record_id}/change"


async def post_fields(books: Books, url: str, fields: list[tuple[str, str]], **headers: str
                      ) -> httpx.Response:  # fmt: skip
    """POST the fields as the browser would (repeated names as repeated fields)."""
    grouped: dict[str, list[str]] = {}
    for key, value in fields:
        grouped.setdefault(key, []).append(value)
    return await books.http.post(url, data=grouped, headers=headers)


async def typed(books: Books, item: dict[str, Any]) -> RecordView:
    client = await client_by_reference(str(books.client_id))
    [made] = await records.create_records(
        ACTOR, client, [records.Draft(item["type"], item["record"])], source="manual"
    )
    return made


def two_lines(n: int, note: str) -> dict[str, Any]:
    """A cash expense of two lines: fuel, and oil."""
    item = purchase(n, "Shell Oil", note=note)
    item["record"]["Line"][0]["Description"] = "Diesel"
    item["record"]["Line"].append({
        "Amount": "5.00", "DetailType": "AccountBasedExpenseLineDetail", "Description": "Oil",
        "AccountBasedExpenseLineDetail": {"AccountRef": {"name": "Fuel"}}})  # fmt: skip
    return item


async def in_quickbooks_now(books: Books, mine: RecordView) -> dict[str, Any]:
    """QuickBooks' copy of the record, read through the API as the push reads it."""
    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        return dict(await qbo.read(mine.entity, str(mine.qbo_id)))


def by_id(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(line["Id"]): line for line in doc["Line"]}


# -- the form of a stored record -----------------------------------------------------------------


async def test_every_types_form_read_back_from_a_record_makes_the_same_record(
    books: Books,
) -> None:
    """Given one stored record of each of the 14 types, its lines numbered as QuickBooks numbers
    them, when each is read into its form and the form turned back into Intuit's JSON, then
    (references resolved, amounts normalized) it says what the record says, each line under its
    own Id."""
    items = await every_type(books)
    client = await client_by_reference(str(books.client_id))
    stored = await records.create_records(
        ACTOR, client, [records.Draft(i["type"], i["record"]) for i in items], source="import"
    )
    lists = await reference_lists(books.client_id)
    assert sorted(r.entity for r in stored) == sorted(forms.FORMS)
    for made in stored:
        if made.payload.get("Line"):
            numbered = [{**line, "Id": str(n)} for n, line in enumerate(made.payload["Line"], 3)]
            made = replace(made, payload={**made.payload, "Line": numbered})
        form = refill.of_payload(made.entity, made.payload)
        again, problems = normalize(forms.to_payload(form, lists))
        problems += resolve(made.entity, again, lists)
        assert problems == [], (made.entity, problems)
        assert same_document(again, made.payload), (made.entity, again, made.payload)


async def test_each_types_edit_form_saved_unchanged_changes_no_field(books: Books) -> None:
    """Given one stored record of each type, when its Edit form is opened and saved as it
    came, then each is saved (a new version, the same type) and says what it said."""
    items = await every_type(books)
    client = await client_by_reference(str(books.client_id))
    stored = await records.create_records(
        ACTOR, client, [records.Draft(i["type"], i["record"]) for i in items], source="import"
    )
    for made in stored:
        url = change_url(books, made.id)
        page = await books.http.get(url)
        assert page.status_code == 200, (made.entity, page.text)
        saved = await post_fields(books, url, fields_of(page))
        assert saved.status_code == 303, (made.entity, text_of(saved))
        now = await record(books, made.id)
        assert (now.entity, now.version) == (made.entity, made.version + 1)
        assert same_document(now.payload, made.payload), (made.entity, now.payload)


# -- a record not yet in QuickBooks --------------------------------------------------------------


async def test_a_typed_record_edited_through_the_form_keeps_its_type_and_history_says_edit(
    books: Books,
) -> None:
    """Given an expense typed by hand (to review), when its Edit form (opened from the record
    page) is saved with a new memo, a new amount and a second line, then the record keeps its
    type and status at a new version, the page says it was saved and its history shows the
    edit."""
    made = await typed(books, purchase(11, "Shell Oil", note="first"))
    page = await books.http.get(f"/clients/{books.client_id}/records/{made.id}")
    assert f'href="{change_url(books, made.id)}"' in page.text  # the Edit button

    form = await books.http.get(change_url(books, made.id))
    assert form.status_code == 200 and "<html" in form.text
    assert "Edit expense" in text_of(form)
    fields = fields_of(form)
    assert values(fields, "PrivateNote") == ["first"]
    assert values(fields, "AccountRef") == ["Business Checking"]
    assert values(fields, "line_account")[0] == "Fuel"
    assert values(fields, "line_amount")[0] == "21.11"
    assert values(fields, "version") == [str(made.version)]
    assert values(fields, "type") == []  # the type is not offered for change

    fields = changed(fields, "PrivateNote", "second")
    fields = changed(fields, "line_amount", "25.00")
    fields = changed(changed(fields, "line_account", "Shop Supplies", 1), "line_amount", "4", 1)
    saved = await post_fields(books, change_url(books, made.id), fields)

    url = f"/clients/{books.client_id}/records/{made.id}"
    assert saved.status_code == 303 and saved.headers["location"] == f"{url}?saved=saved"
    now = await record(books, made.id)
    assert (now.entity, now.status, now.version) == ("Purchase", "to_review", made.version + 1)
    assert now.payload["PrivateNote"] == "second"
    assert [line["Amount"] for line in now.payload["Line"]] == ["25.00", "4.00"]
    assert now.payload["EntityRef"] == made.payload["EntityRef"]  # untouched, Id and all
    client = await client_by_reference(str(books.client_id))
    assert [c.action for c in await records.history(client, made.id)][-1] == "edit"
    shown = text_of(await books.http.get(saved.headers["location"]))
    assert "Saved." in shown and "Memo (not printed): first → second" in shown


async def test_the_edit_form_opens_and_saves_as_fragments(books: Books) -> None:
    """Given a typed deposit, when its Edit form is opened and saved from the page (HTMX), then
    both answers are fragments; the save answers with the record, its URL pushed."""
    made = await typed(books, {"type": "Deposit", "record": {
        "DepositToAccountRef": {"name": "Business Checking"}, "TxnDate": "2026-03-05",
        "Line": [{"Amount": "80.00", "DetailType": "DepositLineDetail",
                  "DepositLineDetail": {"AccountRef": {"name": "Other Income"}}}]}})  # fmt: skip
    form = await books.http.get(change_url(books, made.id), headers=HTMX)
    assert form.status_code == 200 and "<html" not in form.text
    assert "Edit deposit" in text_of(form)

    fields = changed(fields_of(form), "line_description", "Grant")
    saved = await post_fields(books, change_url(books, made.id), fields, **HTMX)

    assert saved.status_code == 200 and "<html" not in saved.text
    assert saved.headers["HX-Push-Url"] == f"/clients/{books.client_id}/records/{made.id}"
    assert "Saved." in text_of(saved)
    assert (await record(books, made.id)).payload["Line"][0]["Description"] == "Grant"


@pytest.mark.db
async def test_a_form_opened_before_someone_elses_save_is_refused_and_changes_nothing(
    books: Books,
) -> None:
    """Given an Edit form opened at version 1, when someone else saves the record first and
    then the form is saved, then the answer is 409 with the form, saying who changed it and to
    reload, and the record stays as the other person left it."""
    made = await typed(books, purchase(12, "Shell Oil", note="first"))
    mine = fields_of(await books.http.get(change_url(books, made.id)))
    theirs = changed(mine, "PrivateNote", "theirs")
    assert (await post_fields(books, change_url(books, made.id), theirs)).status_code == 303
    after_theirs = await record(books, made.id)

    refused = await post_fields(books, change_url(books, made.id),
                                changed(mine, "PrivateNote", "mine"))  # fmt: skip

    assert refused.status_code == 409
    shown = text_of(refused)
    assert "Nothing was saved" in shown and "changed by" in shown and "reload" in shown
    assert values(fields_of(refused), "PrivateNote") == ["mine"]  # what was typed is kept
    assert await record(books, made.id) == after_theirs


async def test_a_bad_amount_is_refused_beside_its_field_and_changes_nothing(
    books: Books,
) -> None:
    """Given a typed expense, when its form is saved with 'twelve' as the line's amount, then
    the form comes back (422) with the message beside the amount, and nothing is saved."""
    made = await typed(books, purchase(13, "Shell Oil"))
    fields = fields_of(await books.http.get(change_url(books, made.id)))

    refused = await post_fields(books, change_url(books, made.id),
                                changed(fields, "line_amount", "twelve"))  # fmt: skip

    assert refused.status_code == 422
    assert "Nothing was saved" in text_of(refused)
    cell = refused.text.split('value="twelve"', 1)[1].split("</td>", 1)[0]
    assert "'twelve' is not an amount." in unescape(cell)
    assert 'value="twelve" aria-label="Amount" inputmode="decimal" aria-invalid="true"' in (
        refused.text)  # fmt: skip
    assert (await record(books, made.id)).version == made.version


async def test_a_record_that_can_no_longer_be_edited_says_why(books: Books) -> None:
    """Given a record in conflict with QuickBooks, when its Edit form is asked for or posted,
    then the answer is 409 with the record page saying why, and the page offers no Edit."""
    found = await conflicted(books)
    form = await books.http.get(change_url(books, found.id))
    assert form.status_code == 409
    assert "This record is “Conflict”: it cannot be edited until its conflict is resolved" in (
        text_of(form))  # fmt: skip
    assert f'href="{change_url(books, found.id)}"' not in form.text
    token = await csrf_token(books.http, "/")
    fields = [("_csrf_token", token), ("version", str(found.version)), ("PrivateNote", "no")]
    posted = await post_fields(books, change_url(books, found.id), fields)
    assert posted.status_code == 409 and "it cannot be edited" in text_of(posted)
    assert (await record(books, found.id)).version == found.version


# -- a record in QuickBooks ----------------------------------------------------------------------


@pytest.mark.db
async def test_an_edit_of_a_pushed_record_is_merged_line_by_line_with_quickbooks_own(
    books: Books,
) -> None:
    """Given an expense of two lines in QuickBooks, when QuickBooks changes line 1's description
    while Zera changes line 2's amount and the memo through the Edit form, then after the push
    QuickBooks has both: its own description on line 1, Zera's amount on line 2 and Zera's
    memo, each line under its own Id."""
    [mine] = await pushed(books, two_lines(14, "before"))
    form = await books.http.get(change_url(books, mine.id))
    fields = fields_of(form)
    assert values(fields, "line_id") == ["1", "2", ""]  # QuickBooks' line Ids; a blank row
    assert "saving sends the change there at once" in text_of(form)

    there = await in_quickbooks_now(books, mine)
    lines = json.loads(dumps(there["Line"]))
    lines[0]["Description"] = "Diesel, 40 litres"
    in_quickbooks(books, "Purchase", {"Id": mine.qbo_id, "Line": lines})  # all lines, as Intuit

    fields = changed(changed(fields, "line_amount", "7.25", 1), "PrivateNote", "after")
    saved = await post_fields(books, change_url(books, mine.id), fields)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=sent")
    page = await books.http.get(saved.headers["location"])
    assert "Saved; sending the change to QuickBooks." in text_of(page)
    await wait_for_jobs(books.client_id)

    now_there = await in_quickbooks_now(books, mine)
    lines_there = by_id(now_there)
    assert set(lines_there) == {"1", "2"}
    assert lines_there["1"]["Description"] == "Diesel, 40 litres"  # QuickBooks' change kept
    assert Decimal(str(lines_there["1"]["Amount"])) == Decimal("24.14")
    assert Decimal(str(lines_there["2"]["Amount"])) == Decimal("7.25")  # Zera's change
    assert str(now_there["PrivateNote"]).startswith("after")
    now = await record(books, mine.id)
    assert now.status == records.IN_QUICKBOOKS
    assert by_id(now.payload)["1"]["Description"] == "Diesel, 40 litres"


async def test_a_line_removed_in_the_form_is_removed_in_quickbooks_and_the_other_kept(
    books: Books,
) -> None:
    """Given an expense of two lines in QuickBooks, when line 1 is removed in its Edit form (the
    row blanked, as without JavaScript) and the form saved, then QuickBooks keeps line 2 only,
    under its own Id."""
    [mine] = await pushed(books, two_lines(15, "before"))
    fields = fields_of(await books.http.get(change_url(books, mine.id)))
    for column in ("line_account", "line_description", "line_amount"):
        fields = changed(fields, column, "")

    saved = await post_fields(books, change_url(books, mine.id), fields)
    assert saved.status_code == 303, text_of(saved)
    await wait_for_jobs(books.client_id)

    there = await in_quickbooks_now(books, mine)
    assert list(by_id(there)) == ["2"]
    assert by_id(there)["2"]["Description"] == "Oil"
    assert (await record(books, mine.id)).status == records.IN_QUICKBOOKS


async def test_an_edit_keeps_what_the_form_does_not_show(books: Books) -> None:
    """Given an approved card refund (Credit) with a billable line for a customer, when only its
    memo is changed through the Edit form, then the refund flag, the line's customer and the
    references' Ids are kept."""
    lists = await reference_lists(books.client_id)
    customer = next(e for e in lists.of("Customer") if e.active)
    item = purchase(16, "Shell Oil")
    item["record"] |= {"PaymentType": "CreditCard", "AccountRef": {"name": "Chase Ink Visa"},
                       "Credit": True}  # fmt: skip
    item["record"]["Line"][0]["AccountBasedExpenseLineDetail"]["CustomerRef"] = {
        "value": customer.qbo_id, "name": customer.name}  # fmt: skip
    [made] = await approved(books, [item])
    fields = fields_of(await books.http.get(change_url(books, made.id)))

    saved = await post_fields(books, change_url(books, made.id),
                              changed(fields, "PrivateNote", "refund"))  # fmt: skip

    assert saved.status_code == 303, text_of(saved)
    now = await record(books, made.id)
    assert now.payload["Credit"] is True and now.payload["PrivateNote"] == "refund"
    assert now.payload["Line"] == made.payload["Line"]
    assert now.payload["AccountRef"] == made.payload["AccountRef"]


async def test_a_line_the_form_cannot_show_is_kept_as_it_is(books: Books) -> None:
    """Given a bill with a line booked to an item (which the form's expense lines cannot show)
    and a line booked to an account, when the account line's amount is changed through the Edit
    form, then the form said the item line is kept, and it is, unchanged, after the other."""
    lists = await reference_lists(books.client_id)
    vendor = next(e.name for e in lists.of("Vendor") if e.active)
    made = await typed(books, {"type": "Bill", "record": {
        "VendorRef": {"name": vendor}, "TxnDate": "2026-03-06",
        "Line": [{"Amount": "40.00", "DetailType": "ItemBasedExpenseLineDetail",
                  "ItemBasedExpenseLineDetail": {"ItemRef": {"name": "Sod (pallet)"}}},
                 {"Amount": "60.00", "DetailType": "AccountBasedExpenseLineDetail",
                  "AccountBasedExpenseLineDetail": {
                      "AccountRef": {"name": "Shop Supplies"}}}]}})  # fmt: skip
    form = await books.http.get(change_url(books, made.id))
    assert "Kept as they are" in text_of(form) and "Sod (pallet)" in text_of(form)
    fields = fields_of(form)
    assert values(fields, "line_account") == ["Shop Supplies", ""]

    saved = await post_fields(books, change_url(books, made.id),
                              changed(fields, "line_amount", "65.00"))  # fmt: skip

    assert saved.status_code == 303, text_of(saved)
    now = await record(books, made.id)
    assert [line["Amount"] for line in now.payload["Line"]] == ["65.00", "40.00"]
    assert now.payload["Line"][1] == made.payload["Line"][0]
