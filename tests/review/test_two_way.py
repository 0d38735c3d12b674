"""Two-way sync end to end (issue #12): records pushed to the sandbox (over HTTP), then changed
there as a QuickBooks user would, announced by signed webhooks to Zera's receiver (or not at
all: the catch-up's CDC read finds them), and merged into the records: a change on one side
flows to the other, a change on both sides to the same field is a conflict that a person
resolves, a delete or a void is shown, a merged name is followed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import csrf_token, post_form
from tests.qbo.conftest import app_of, wait_for_jobs
from tests.qbo.test_webhook_replays_and_floods import apply_jobs, deliver
from tests.review.conftest import Books
from tests.review.test_push_faults import ACTOR, approved, purchase, push_all
from zera.clients import client_by_reference
from zera.review import records
from zera.review.records import RecordView
from zera.sync import inbox
from zera.tasks.qbo import push_records, scheduled_refresh

HTMX = {"HX-Request": "true"}
# Marked `db` (run again on PostgreSQL in CI): the tests whose SQL differs between the two, the
# mirror's SyncTokens read back (comes back, catch-up) and a conflict kept and resolved.


@pytest.fixture(autouse=True)
def prompt_apply(monkeypatch: pytest.MonkeyPatch) -> None:
    """The apply job waits 2 s so that a burst joins one job (tested with floods in
    tests/qbo/test_webhook_replays_and_floods.py); one notice at a time needs no wait here."""
    monkeypatch.setattr(inbox, "APPLY_DELAY_SECONDS", 0.1)


# -- acting as QuickBooks ------------------------------------------------------------------------


def in_quickbooks(books: Books, entity: str, payload: dict[str, Any], operation: str = "update"
                  ) -> dict[str, Any]:  # fmt: skip
    """A QuickBooks user's change in the sandbox; returns the entity as QuickBooks has it."""
    answer = books.sandbox.control(
        "POST", f"/companies/{books.realm_id}/records/{entity}",
        {"operation": operation, "payload": payload},
    )  # fmt: skip
    return dict(answer[entity])


def notice(books: Books, entity: str, entity_id: str, operation: str, **extra: str) -> bytes:
    """The signed body Intuit would send for one change (legacy format)."""
    change = {"name": entity, "id": entity_id, "operation": operation,
              "lastUpdated": datetime.now(UTC).isoformat(), **extra}  # fmt: skip
    return json.dumps({"eventNotifications": [
        {"realmId": books.realm_id, "dataChangeEvent": {"entities": [change]}}]}).encode()


async def announce(books: Books, entity: str, entity_id: str, operation: str = "Update",
                   **extra: str) -> None:  # fmt: skip
    response = await deliver(books.http, notice(books, entity, entity_id, operation, **extra))
    assert response.status_code == 200, response.text
    await wait_for_jobs(books.client_id)


async def pushed(books: Books, *items: dict[str, Any]) -> list[RecordView]:
    stored = await approved(books, list(items))
    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        assert (await push_all(qbo, books))["created"] == len(items)
    return [await record(books, r.id) for r in stored]


async def record(books: Books, record_id: int) -> RecordView:
    client = await client_by_reference(str(books.client_id))
    return await records.get_record(client, record_id)


async def catch_up(books: Books) -> None:
    """The scheduled catch-up, as the schedule would start it."""
    await scheduled_refresh.send(app_of(books.http).state.queue, client_id=books.client_id)
    await wait_for_jobs(books.client_id)


def note_of(payload: dict[str, Any]) -> str:
    return str(payload.get("PrivateNote") or "")


# -- one side changed ----------------------------------------------------------------------------


@pytest.mark.db
async def test_an_edit_made_in_quickbooks_comes_back_by_webhook(books: Books) -> None:
    [mine] = await pushed(books, purchase(1, "Shell Oil", note="fuel"))
    assert mine.status == records.IN_QUICKBOOKS and mine.qbo_id

    theirs = in_quickbooks(books, "Purchase", {"Id": mine.qbo_id, "PrivateNote": "Mower fuel",
                                               "DocNumber": "A-17"})  # fmt: skip
    await announce(books, "Purchase", str(mine.qbo_id))

    now = await record(books, mine.id)
    assert now.status == records.IN_QUICKBOOKS
    assert note_of(now.payload) == "Mower fuel"
    assert now.payload["DocNumber"] == "A-17"
    assert now.sync_token == theirs["SyncToken"]
    client = await client_by_reference(str(books.client_id))
    actions = [c.action for c in await records.history(client, mine.id)]
    assert actions[-1] == "changed in QuickBooks"


@pytest.mark.db
async def test_a_change_no_webhook_announced_is_found_by_the_catch_up(books: Books) -> None:
    [mine] = await pushed(books, purchase(2, "Shell Oil"))
    in_quickbooks(books, "Purchase", {"Id": mine.qbo_id, "PrivateNote": "Seen only by CDC"})

    await catch_up(books)  # no webhook at all: Intuit lost it

    assert note_of((await record(books, mine.id)).payload) == "Seen only by CDC"


async def test_repeated_and_late_notices_change_nothing_twice(books: Books) -> None:
    [mine] = await pushed(books, purchase(3, "Shell Oil"))
    in_quickbooks(books, "Purchase", {"Id": mine.qbo_id, "PrivateNote": "Once"})
    body = notice(books, "Purchase", str(mine.qbo_id), "Update")
    await deliver(books.http, body)
    await wait_for_jobs(books.client_id)
    once = await record(books, mine.id)

    assert (await deliver(books.http, body)).status_code == 200  # Intuit repeats it
    await announce(books, "Purchase", str(mine.qbo_id))  # and a late one for the same change
    again = await record(books, mine.id)

    assert note_of(once.payload) == "Once" and again.version == once.version


async def test_an_edit_in_zera_after_the_push_goes_to_quickbooks_as_an_update(
    books: Books,
) -> None:
    [mine] = await pushed(books, purchase(4, "Shell Oil", note="before"))
    # QuickBooks changes another field meanwhile:
    in_quickbooks(books, "Purchase", {"Id": mine.qbo_id, "DocNumber": "Q-1"})

    url = f"/clients/{books.client_id}/records/{mine.id}/edit"
    form = await books.http.get(url, headers=HTMX)  # the row's Edit, as the grid opens it
    assert form.status_code == 200, form.text
    token = await csrf_token(books.http, "/")
    saved = await books.http.post(url, headers=HTMX, data={
        "_csrf_token": token, "version": str(mine.version), "date": mine.payload["TxnDate"],
        "payee": mine.payee, "account": mine.account, "memo": "after"})  # fmt: skip
    assert saved.status_code == 200, saved.text
    await wait_for_jobs(books.client_id)

    there = in_quickbooks(books, "Purchase", {"Id": mine.qbo_id}, operation="update")
    assert note_of(there).startswith("after")  # Zera's edit, sparse, with its marker
    assert there["DocNumber"] == "Q-1"  # QuickBooks' own edit kept: a merge, not an overwrite
    now = await record(books, mine.id)
    assert now.status == records.IN_QUICKBOOKS and now.payload["DocNumber"] == "Q-1"


# -- both sides ----------------------------------------------------------------------------------


async def conflicted(books: Books) -> RecordView:
    """A record whose memo Zera and QuickBooks both changed, differently."""
    [mine] = await pushed(books, purchase(5, "Shell Oil", note="base"))
    client = await client_by_reference(str(books.client_id))
    edited = await records.edit_record(ACTOR, client, mine.id, mine.version,
                                       {**mine.payload, "PrivateNote": "Zera's memo"})  # fmt: skip
    assert edited.status == records.APPROVED  # waiting to go back as an update
    in_quickbooks(books, "Purchase", {"Id": mine.qbo_id, "PrivateNote": "QuickBooks' memo",
                                      "DocNumber": "QB-9"})  # fmt: skip
    await announce(books, "Purchase", str(mine.qbo_id))
    return await record(books, mine.id)


async def test_the_same_field_changed_on_both_sides_is_a_conflict_and_nothing_is_written(
    books: Books,
) -> None:
    found = await conflicted(books)

    assert found.status == records.CONFLICT
    assert note_of(found.payload) == "Zera's memo"  # Zera's side untouched
    assert found.theirs is not None and note_of(found.theirs) == "QuickBooks' memo"
    there = in_quickbooks(books, "Purchase", {"Id": found.qbo_id})
    assert note_of(there) == "QuickBooks' memo"  # and QuickBooks' untouched
    page = await books.http.get(f"/clients/{books.client_id}/conflicts")
    assert "Zera&#39;s memo" in page.text and "QuickBooks&#39; memo" in page.text


@pytest.mark.db
async def test_a_resolved_conflict_is_written_with_the_chosen_values(books: Books) -> None:
    found = await conflicted(books)
    url = f"/clients/{books.client_id}/conflicts/{found.id}"

    answer = await post_form(books.http, url, {"version": str(found.version),
                                                "choice:PrivateNote": "ours"})  # fmt: skip
    assert answer.status_code in (200, 303), answer.text
    await wait_for_jobs(books.client_id)

    there = in_quickbooks(books, "Purchase", {"Id": found.qbo_id})
    assert note_of(there).startswith("Zera's memo")  # the choice
    assert there["DocNumber"] == "QB-9"  # QuickBooks' other change kept
    now = await record(books, found.id)
    assert now.status == records.IN_QUICKBOOKS and now.theirs is None


async def test_a_resolution_made_stale_by_a_new_quickbooks_edit_is_merged_again(
    books: Books,
) -> None:
    found = await conflicted(books)
    client = await client_by_reference(str(books.client_id))
    from zera.sync.conflicts import resolve_conflict

    await resolve_conflict(ACTOR, client, found.id, found.version, {"PrivateNote": "ours"})
    # QuickBooks changes the memo again before the resolution is pushed:
    in_quickbooks(books, "Purchase", {"Id": found.qbo_id, "PrivateNote": "Third memo"})
    await push_records.send(app_of(books.http).state.queue, client_id=books.client_id,
                            started_by="olive@example.com", record_ids=[found.id])  # fmt: skip
    await wait_for_jobs(books.client_id)

    again = await record(books, found.id)
    assert again.status == records.CONFLICT  # shown again, not overwritten
    assert again.theirs is not None and note_of(again.theirs) == "Third memo"
    assert note_of(in_quickbooks(books, "Purchase", {"Id": found.qbo_id})) == "Third memo"


# -- deletes, voids, merges ----------------------------------------------------------------------


async def test_a_record_deleted_in_quickbooks_is_shown_as_deleted(books: Books) -> None:
    [mine] = await pushed(books, purchase(6, "Shell Oil"))
    in_quickbooks(books, "Purchase", {"Id": mine.qbo_id}, operation="delete")

    await announce(books, "Purchase", str(mine.qbo_id), "Delete")

    now = await record(books, mine.id)
    assert now.status == records.DELETED
    assert now.payload == mine.payload  # what it was stays readable


@pytest.mark.db
async def test_a_record_zera_changed_that_quickbooks_deleted_is_a_conflict(books: Books) -> None:
    [mine] = await pushed(books, purchase(7, "Shell Oil", note="kept"))
    client = await client_by_reference(str(books.client_id))
    await records.edit_record(ACTOR, client, mine.id, mine.version,
                              {**mine.payload, "PrivateNote": "edited"})  # fmt: skip
    in_quickbooks(books, "Purchase", {"Id": mine.qbo_id}, operation="delete")

    await announce(books, "Purchase", str(mine.qbo_id), "Delete")

    now = await record(books, mine.id)
    assert now.status == records.CONFLICT and now.theirs is None  # not resurrected
    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        found = await qbo.query(f"SELECT * FROM Purchase WHERE Id = '{mine.qbo_id}'")  # noqa: S608
    assert not found.get("Purchase")


async def test_a_voided_invoice_is_shown_as_voided(books: Books) -> None:
    customer = {"name": "Meadow Cafe"}  # new: created on push
    [mine] = await pushed(books, {"type": "Invoice", "record": {
        "CustomerRef": customer, "TxnDate": "2026-03-04",
        "Line": [{"Amount": "120.00", "DetailType": "SalesItemLineDetail",
                  "SalesItemLineDetail": {"ItemRef": {"name": "Lawn Aeration"}}}]}})  # fmt: skip
    in_quickbooks(books, "Invoice", {"Id": mine.qbo_id}, operation="void")

    await announce(books, "Invoice", str(mine.qbo_id), "Void")

    assert (await record(books, mine.id)).status == records.VOIDED


async def test_a_name_merged_in_quickbooks_is_followed_by_records_not_yet_pushed(
    books: Books,
) -> None:
    async with app_of(books.http).state.quickbooks.client_for(books.client_id) as qbo:
        first = await qbo.create("Vendor", {"DisplayName": "Shell Oil 1"}, operation="t-1")
        second = await qbo.create("Vendor", {"DisplayName": "Shell Oil Co"}, operation="t-2")
    await catch_up(books)  # the mirror knows both
    item = purchase(8, "x")
    item["record"]["EntityRef"] = {"value": first["Id"], "name": "Shell Oil 1", "type": "Vendor"}
    [draft] = await approved(books, [item])
    books.sandbox.control("POST", f"/companies/{books.realm_id}/merge",
                          {"entity": "Vendor", "fromId": first["Id"], "intoId": second["Id"]})

    await announce(books, "Vendor", second["Id"], "Merge", deletedId=first["Id"])

    now = await record(books, draft.id)
    assert now.payload["EntityRef"]["value"] == second["Id"]
    assert now.payee == "Shell Oil Co"


async def test_a_webhook_for_a_realm_nobody_is_connected_to_is_acknowledged_and_dropped(
    books: Books,
) -> None:
    body = json.dumps({"eventNotifications": [{"realmId": "999999", "dataChangeEvent": {
        "entities": [{"name": "Purchase", "id": "1", "operation": "Update",
                      "lastUpdated": datetime.now(UTC).isoformat()}]}}]}).encode()  # fmt: skip
    response = await deliver(books.http, body)

    assert response.status_code == 200  # acknowledged, so Intuit does not retry it
    assert await apply_jobs(books.client_id) == []  # and no client's records are touched


async def test_unsigned_and_malformed_bodies_are_refused(books: Books) -> None:
    body = notice(books, "Purchase", "1", "Update")
    unsigned = await books.http.post("/qbo/webhooks", content=body)
    assert unsigned.status_code == 401
    wrong = await books.http.post("/qbo/webhooks", content=b"{not json",
                                  headers={"intuit-signature": "bm9wZQ=="})  # fmt: skip
    assert wrong.status_code == 401
    assert await apply_jobs(books.client_id) == []


async def test_the_push_page_lists_edits_of_pushed_records_as_updates(books: Books) -> None:
    [mine] = await pushed(books, purchase(9, "Shell Oil", note="as pushed"))
    client = await client_by_reference(str(books.client_id))
    await records.edit_record(ACTOR, client, mine.id, mine.version,
                              {**mine.payload, "PrivateNote": "edited"})  # fmt: skip

    page = await books.http.get(f"/clients/{books.client_id}/push")

    assert "Will update <strong>1</strong> record already in QuickBooks" in page.text
    assert 'id="push-will-create"' not in page.text  # it is not created a second time
