"""The Conflicts section over HTTP (issue #12, item 6): a record both Zera and QuickBooks changed
is listed, shown side by side (base, Zera, QuickBooks) and resolved by the user's choice, which
is then written to QuickBooks (the sandbox, over HTTP) as an update; a refused or stale choice
changes nothing, another client's conflict is not there, and every resolution is audited."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import httpx
import pytest

from tests.conftest import csrf_token, post_form, sign_in
from tests.qbo.conftest import app_of, wait_for_jobs
from tests.review.conftest import Books
from tests.review.test_push_faults import ACTOR, purchase
from tests.review.test_two_way import (
    HTMX,
    announce,
    conflicted,
    in_quickbooks,
    note_of,
    prompt_apply,  # noqa: F401  (autouse: one notice at a time needs no burst wait)
    pushed,
    record,
)
from zera.clients import client_by_reference
from zera.db.tables import Job
from zera.review import records
from zera.review.records import RecordView

STAFF = {"name": "Sam Staff", "email": "sam@example.com", "password": "staff password 123"}


def url_of(books: Books, found: RecordView) -> str:
    return f"/clients/{books.client_id}/conflicts/{found.id}"


def text_of(html: str) -> str:
    """What a piece of the page says: tags and escapes gone, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def row_html(page: str, key: str) -> str:
    """The side-by-side table's row for one field or line."""
    match = re.search(rf'<tr data-key="{re.escape(key)}".*?</tr>', page, re.S)
    assert match, f"no row {key} in the page"
    return match.group()


def cell(page: str, key: str, side: str) -> str:
    """What one column (Base, Zera or QuickBooks) of a row says."""
    label = re.escape(side)
    found = re.search(rf'<td data-label="{label}"[^>]*>(.*?)</td>', row_html(page, key), re.S)
    assert found, f"no {side} cell in row {key}"
    return text_of(found.group(1))


async def resolve(
    books: Books, found: RecordView, fields: dict[str, str], headers: dict[str, str] | None = None
) -> httpx.Response:
    token = await csrf_token(books.http, "/")
    return await books.http.post(url_of(books, found), headers=headers or {},
                                 data={"_csrf_token": token, **fields})  # fmt: skip


async def jobs_of(books: Books) -> int:
    return int(await Job.count().where(Job.client_id == books.client_id).run())


async def read_in_quickbooks(books: Books, entity: str, qbo_id: str) -> dict[str, Any]:
    """QuickBooks' copy, read through Zera's own connection (nothing written)."""
    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        return await qbo.read(entity, qbo_id)


async def test_the_list_names_each_conflict_and_what_clashes_as_page_and_fragment(
    books: Books,
) -> None:
    found = await conflicted(books)
    url = f"/clients/{books.client_id}/conflicts"

    page = await books.http.get(url)
    fragment = await books.http.get(url, headers=HTMX)

    assert page.status_code == fragment.status_code == 200
    assert page.text.startswith("<!doctype html>") and "<html" not in fragment.text
    for answer in (page, fragment):
        row = re.search(rf'<tr id="conflict-{found.id}".*?</tr>', answer.text, re.S)
        assert row, answer.text
        text = text_of(row.group())
        assert "Expense" in text and "Shell Oil" in text
        assert "Memo : Zera Zera's memo , QuickBooks QuickBooks' memo" in text
        assert f'href="{url_of(books, found)}"' in row.group()


async def test_the_conflict_shows_base_zera_and_quickbooks_and_marks_the_one_sided_change(
    books: Books,
) -> None:
    """Given the memo changed on both sides and the number only in QuickBooks, the view shows
    the memo's three values with a choice, and the number as merged from QuickBooks."""
    found = await conflicted(books)

    for headers in ({}, HTMX):
        page = await books.http.get(url_of(books, found), headers=headers)
        assert page.status_code == 200, page.text
        assert ("<html" in page.text) == (not headers)
        assert cell(page.text, "PrivateNote", "Base (as last agreed)") == "base"
        assert cell(page.text, "PrivateNote", "Zera").startswith("Zera's memo")
        assert cell(page.text, "PrivateNote", "QuickBooks").startswith("QuickBooks' memo")
        memo = re.search(r'<tr data-key="PrivateNote" [^>]*class="clash"', page.text)
        assert memo, "the clashing row is highlighted"
        assert 'name="choice:PrivateNote" value="ours"' in page.text
        assert 'name="choice:PrivateNote" value="theirs"' in page.text
        number = text_of(row_html(page.text, "DocNumber"))
        assert "changed in QuickBooks" in number and "merged automatically" in number
        assert cell(page.text, "DocNumber", "QuickBooks") == "QB-9"
        assert 'name="choice:DocNumber"' not in page.text  # nothing to choose there
        assert f'name="version" value="{found.version}"' in page.text


@pytest.mark.db
async def test_a_resolution_missing_a_choice_is_refused_and_changes_nothing(
    books: Books,
) -> None:
    found = await conflicted(books)
    jobs = await jobs_of(books)

    answer = await resolve(books, found, {"version": str(found.version)}, HTMX)

    assert answer.status_code == 422
    assert "Choose a side for: Memo" in unescape(answer.text)
    assert 'name="choice:PrivateNote"' in answer.text  # the view again, to choose
    now = await record(books, found.id)
    assert now.status == records.CONFLICT and now.version == found.version
    assert await jobs_of(books) == jobs  # nothing sent
    assert note_of(await read_in_quickbooks(books, "Purchase", str(found.qbo_id))) == (
        "QuickBooks' memo"
    )


async def test_all_quickbooks_takes_quickbooks_values_and_leaves_quickbooks_alone(
    books: Books,
) -> None:
    found = await conflicted(books)
    assert found.theirs is not None

    answer = await resolve(books, found, {"version": str(found.version), "all": "theirs"}, HTMX)

    assert answer.status_code == 200, answer.text
    assert "Resolved: sending your choice to QuickBooks." in answer.text
    assert "<html" not in answer.text and f'id="conflict-{found.id}"' not in answer.text
    assert answer.headers["HX-Push-Url"] == f"/clients/{books.client_id}/conflicts"
    await wait_for_jobs(books.client_id)
    now = await record(books, found.id)
    assert now.status == records.IN_QUICKBOOKS and now.theirs is None
    assert note_of(now.payload).startswith("QuickBooks' memo")
    there = await read_in_quickbooks(books, "Purchase", str(found.qbo_id))
    assert there["SyncToken"] == found.theirs["SyncToken"]  # nothing was written there
    assert note_of(there) == "QuickBooks' memo" and there["DocNumber"] == "QB-9"


@pytest.mark.db
async def test_a_choice_made_on_a_conflict_quickbooks_changed_again_is_refused_and_shows_it(
    books: Books,
) -> None:
    """Given the user opened the conflict, when QuickBooks changes the memo again before they
    resolve, then their choice is refused (409) with the new conflict, and nothing is written."""
    found = await conflicted(books)
    in_quickbooks(books, "Purchase", {"Id": found.qbo_id, "PrivateNote": "Third memo"})
    await announce(books, "Purchase", str(found.qbo_id))
    jobs = await jobs_of(books)

    answer = await resolve(books, found, {"version": str(found.version),
                                          "choice:PrivateNote": "ours"}, HTMX)  # fmt: skip

    assert answer.status_code == 409, answer.text
    assert "changed since you opened it" in unescape(answer.text)
    assert cell(answer.text, "PrivateNote", "QuickBooks").startswith("Third memo")
    now = await record(books, found.id)
    assert now.status == records.CONFLICT and now.version > found.version
    assert f'name="version" value="{now.version}"' in answer.text
    assert await jobs_of(books) == jobs
    assert note_of(await read_in_quickbooks(books, "Purchase", str(found.qbo_id))) == "Third memo"


async def test_staff_without_access_to_the_client_gets_404_and_changes_nothing(
    books: Books,
) -> None:
    found = await conflicted(books)
    made = await post_form(books.http, "/users", {**STAFF, "role": "staff"}, token_page="/users")
    assert made.status_code == 303
    async with httpx.AsyncClient(transport=books.http._transport,
                                 base_url="http://testserver") as staff:  # fmt: skip
        assert (await sign_in(staff, STAFF["email"], STAFF["password"])).status_code == 303
        listed = await staff.get(f"/clients/{books.client_id}/conflicts")
        shown = await staff.get(url_of(books, found), headers=HTMX)
        posted = await post_form(staff, url_of(books, found), {
            "version": str(found.version), "all": "ours"})  # fmt: skip

    assert [listed.status_code, shown.status_code, posted.status_code] == [404, 404, 404]
    assert "memo" not in listed.text + shown.text + posted.text
    now = await record(books, found.id)
    assert now.status == records.CONFLICT and now.version == found.version


async def test_a_resolution_is_audited_with_who_and_what_was_chosen(books: Books) -> None:
    found = await conflicted(books)

    answer = await resolve(books, found, {"version": str(found.version),
                                          "choice:PrivateNote": "ours"})  # fmt: skip

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/clients/{books.client_id}/conflicts?resolved=sent"
    assert (
        "Resolved: sending your choice" in (await books.http.get(answer.headers["location"])).text
    )
    audit = (await books.http.get("/audit")).text
    row = re.search(r"<tr>(?:(?!</tr>).)*conflict\.resolve.*?</tr>", audit, re.S)
    assert row, "no conflict.resolve in the audit log"
    text = unescape(row.group())
    assert "olive@example.com" in text
    assert f'"record": {found.id}' in text or f"'record': {found.id}" in text
    assert re.search(r"""["']PrivateNote["']: ["']ours["']""", text), text
    await wait_for_jobs(books.client_id)


async def test_accepting_quickbooks_delete_marks_the_record_deleted_and_sends_nothing(
    books: Books,
) -> None:
    [mine] = await pushed(books, purchase(9, "Shell Oil", note="kept"))
    client = await client_by_reference(str(books.client_id))
    await records.edit_record(ACTOR, client, mine.id, mine.version,
                              {**mine.payload, "PrivateNote": "edited"})  # fmt: skip
    in_quickbooks(books, "Purchase", {"Id": mine.qbo_id}, operation="delete")
    await announce(books, "Purchase", str(mine.qbo_id), "Delete")
    found = await record(books, mine.id)
    assert found.status == records.CONFLICT and found.theirs is None

    page = await books.http.get(url_of(books, found))
    assert "QuickBooks no longer has this" in page.text
    assert 'name="choice:(record)" value="theirs"' in page.text and "Accept the delete" in page.text
    keep = await resolve(books, found, {"version": str(found.version), "all": "ours"}, HTMX)
    assert keep.status_code == 422 and "cannot be written back" in unescape(keep.text)
    jobs = await jobs_of(books)
    accepted = await resolve(books, found, {"version": str(found.version),
                                            "choice:(record)": "theirs"}, HTMX)  # fmt: skip

    assert accepted.status_code == 200, accepted.text
    assert "the record is marked deleted in Zera" in unescape(accepted.text)
    assert (await record(books, found.id)).status == records.DELETED
    assert await jobs_of(books) == jobs  # nothing to send
