"""The review grid over HTTP: a statement uploaded for a client connected to the built-in
sandbox becomes one row per proposed record, and each row is edited, split, approved, excluded
or reopened in place, each change checked against the client's live QuickBooks lists and the
version it was made against."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from typing import Any

import httpx
import pytest

from tests.conftest import csrf_token, post_form, sign_in
from tests.documents.helpers import HX, batch_links, statement, text, upload, wait_for_jobs
from tests.extract.corpus import TrueAccount
from tests.review.conftest import Books
from zera.db.tables import QBOReference, Record
from zera.jsonmoney import loads

pytestmark = pytest.mark.db

_ROW = re.compile(r'<tr id="record-(\d+)"([^>]*)>(.*?)</tr>', re.S)
_CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


@dataclass
class Row:
    id: int
    line_id: int | None
    cells: list[str]
    version: int
    status: str
    html: str

    @property
    def date(self) -> str:
        return self.cells[1]

    @property
    def description(self) -> str:
        return self.cells[2]

    @property
    def payee(self) -> str:
        return self.cells[3]

    @property
    def account(self) -> str:
        return self.cells[4]

    @property
    def kind(self) -> str:
        return self.cells[5]

    @property
    def amount(self) -> str:
        return self.cells[6]

    @property
    def flags(self) -> str:
        return self.cells[8]


def grid_rows(page: str) -> list[Row]:
    """The grid's rows in page order (display rows and form rows alike)."""
    found = []
    for record_id, attributes, body in _ROW.findall(page):
        line = re.search(r'data-line="(\d+)"', attributes)
        version = re.search(r'name="version" value="(\d+)"', body)
        status = re.search(r'class="badge status-badge">([^<]+)<', body)
        found.append(
            Row(
                id=int(record_id),
                line_id=int(line.group(1)) if line else None,
                cells=[text(cell) for cell in _CELL.findall(body)],
                version=int(version.group(1)) if version else 0,
                status=status.group(1) if status else "",
                html=body,
            )
        )
    return found


def count(page: str, show: str) -> int:
    match = re.search(rf'id="count-{show}"[^>]*>(\d+)<', page)
    assert match, f"no count of {show}"
    return int(match.group(1))


def problems(page: str) -> list[str]:
    return [text(p) for p in re.findall(r'class="field-problem"[^>]*>(.*?)</span>', page, re.S)]


async def stored(record_id: int) -> dict[str, Any]:
    """The record as the database holds it (its payload decoded)."""
    row = await Record.select().where(Record.id == record_id).first().run()
    assert row is not None
    payload = row["payload"]
    return {**row, "payload": loads(payload) if isinstance(payload, str) else payload}


async def account_id(client_id: int, name: str, entity: str = "Account") -> str:
    """The QuickBooks Id of a list entry, as Zera mirrored it."""
    row = (
        await QBOReference.select(QBOReference.qbo_id)
        .where(
            (QBOReference.client_id == client_id)
            & (QBOReference.entity == entity)
            & (QBOReference.name == name)
        )
        .first()
        .run()
    )
    assert row is not None, name
    return str(row["qbo_id"])


def line_account(payload: dict[str, Any], index: int = 0) -> str:
    line = payload["Line"][index]
    return str(line[line["DetailType"]]["AccountRef"]["name"])


@dataclass
class Review:
    """A statement read for a connected client: its batch page and the rows on it."""

    books: Books
    batch_id: int
    truth: TrueAccount
    token: str

    @property
    def http(self) -> httpx.AsyncClient:
        return self.books.http

    @property
    def client_id(self) -> int:
        return self.books.client_id

    @property
    def url(self) -> str:
        return f"/clients/{self.client_id}/batches/{self.batch_id}"

    def record_url(self, record_id: int, action: str) -> str:
        return f"/clients/{self.client_id}/records/{record_id}/{action}"

    async def page(self, show: str = "all", *, htmx: bool = False) -> str:
        answer = await self.http.get(f"{self.url}?show={show}", headers=HX if htmx else {})
        assert answer.status_code == 200, answer.text
        return answer.text

    async def rows(self, show: str = "all") -> list[Row]:
        return grid_rows(await self.page(show))

    async def row(self, index: int, kind: str = "Expense") -> Row:
        """The `index`th row of that type (Expense: money out, Deposit: money in)."""
        return [r for r in await self.rows() if r.kind == kind][index]

    async def unbooked(self) -> list[Row]:
        """The expense rows the learner found no account for."""
        found = [r for r in await self.rows() if r.kind == "Expense" and not r.account]
        assert len(found) >= 3, "the statement should have expenses the learner cannot book"
        return found

    async def post(
        self, url: str, data: dict[str, str] | list[tuple[str, str]], *, htmx: bool = True
    ) -> httpx.Response:
        """POST a grid form the way the page does: with the token in htmx's header, or in the
        form's hidden field."""
        fields: dict[str, list[str]] = {}
        for name, value in data.items() if isinstance(data, dict) else data:
            fields.setdefault(name, []).append(value)
        if htmx:
            return await self.http.post(url, data=fields, headers={**HX, "x-csrftoken": self.token})
        return await self.http.post(url, data={**fields, "_csrf_token": [self.token]})

    async def edit(self, row: Row, *, htmx: bool = True, **fields: str) -> httpx.Response:
        return await self.post(
            self.record_url(row.id, "edit"), {"version": str(row.version), **fields}, htmx=htmx
        )

    async def book(self, row: Row, account: str) -> Row:
        """Book the row to `account`; the row as it is now."""
        answer = await self.edit(row, account=account, date=row.date)
        assert answer.status_code == 200, answer.text
        [booked] = grid_rows(answer.text)
        return booked

    async def act(self, row: Row, action: str, version: int | None = None) -> httpx.Response:
        version = row.version if version is None else version
        return await self.post(self.record_url(row.id, action), {"version": str(version)})

    async def answer_question(self) -> None:
        """Say the statement is the company's Business Checking account, if Zera asks."""
        page = await self.page()
        question = re.search(r'name="key" value="([^"]+)"', page)
        if question is None:
            return
        checking = await account_id(self.client_id, "Business Checking")
        answer = await self.post(
            f"{self.url}/statement-account", {"key": question.group(1), "account": checking}
        )
        assert answer.status_code == 200, answer.text


async def read_statement(books: Books, seed: int = 7) -> Review:
    pdf, truth = statement("us_signed", seed=seed)
    assert (await upload(books.http, books.client_id, [("january.pdf", pdf)])).status_code == 200
    await wait_for_jobs(books.client_id)
    review = (await books.http.get(f"/clients/{books.client_id}/review")).text
    [batch_id] = batch_links(review, books.client_id)
    token = await csrf_token(books.http, f"/clients/{books.client_id}")
    return Review(books, batch_id, truth[0], token)


@pytest.fixture
async def grid(books: Books) -> Review:
    """A statement read for the connected client, its account question answered."""
    review = await read_statement(books)
    await review.answer_question()
    return review


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


# -- the page ------------------------------------------------------------------------------------


async def test_the_grid_has_one_row_per_statement_line_and_asks_for_the_bank_account(
    books: Books,
) -> None:
    """Given a statement read for a connected client, the batch page keeps the statement's
    proof, shows one row per line (date, bank text, amount, type, link to its source page) and
    the counts, and asks which QuickBooks account the statement is, offering only the company's
    active Bank accounts; the grid also answers as an HTMX fragment."""
    review = await read_statement(books)
    page = await review.page("to_review")
    lines = review.truth.transactions

    rows = grid_rows(page)
    assert [(r.date, r.description, r.amount) for r in rows] == [
        (t.date.isoformat(), " ".join(t.description.split()), money(t.amount)) for t in lines
    ]
    assert {r.kind for r in rows} == {"Expense", "Deposit"}
    assert '<p class="proof ok">' in page
    assert count(page, "to_review") == count(page, "all") == len(lines)
    assert count(page, "approved") == count(page, "excluded") == 0
    assert f'href="{review.url}/lines/{rows[0].line_id}"' in rows[0].html
    source = await books.http.get(f"{review.url}/lines/{rows[0].line_id}")
    assert source.status_code == 200 and 'class="highlight"' in source.text

    question = page.split("Which QuickBooks account is ")[1].split("</form>")[0]
    assert question.startswith(f"Bank account ····{review.truth.last4}?")
    offered = {unescape(n) for n in re.findall(r'<option value="\d+">([^<]+)</option>', question)}
    assert {"Business Checking", "Business Savings"} <= offered
    assert not offered & {"Chase Ink Visa", "Fuel", "Accounts Receivable (A/R)"}
    assert all("Which QuickBooks account" in r.flags for r in rows)

    fragment = await review.page("to_review", htmx=True)
    assert "<html" not in fragment and len(grid_rows(fragment)) == len(lines)


async def test_answering_the_account_question_books_every_row_to_that_account(
    books: Books,
) -> None:
    """Given the question, an account of the wrong kind is refused (422) and the question
    stays; Business Checking is accepted and the question and the rows' flags go away."""
    review = await read_statement(books)
    page = await review.page()
    key = re.search(r'name="key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    visa = await account_id(books.client_id, "Chase Ink Visa")
    wrong = await review.post(f"{review.url}/statement-account", {"key": key, "account": visa})
    assert wrong.status_code == 422, wrong.text
    assert "Choose one of the active Bank accounts" in wrong.text
    assert "Which QuickBooks account is" in wrong.text

    await review.answer_question()

    page = await review.page()
    assert "Which QuickBooks account is" not in page
    rows = grid_rows(page)
    assert not any("Which QuickBooks account" in r.flags for r in rows)
    payload = (await stored(rows[0].id))["payload"]
    bank = payload.get("AccountRef") or payload.get("DepositToAccountRef")
    assert bank["name"] == "Business Checking"


async def test_the_filters_show_the_rows_of_each_count(grid: Review) -> None:
    """Each filter shows exactly the rows its count counts, as a page and as a fragment."""
    first, second = (await grid.rows())[:2]
    assert (await grid.act(first, "exclude")).status_code == 200
    page = await grid.page()
    assert count(page, "excluded") == 1 and count(page, "to_review") == count(page, "all") - 1
    for show in ("to_review", "low", "flagged", "approved", "excluded", "all"):
        for htmx in (False, True):
            shown = await grid.page(show, htmx=htmx)
            assert len(grid_rows(shown)) == count(page, show), show
    assert [r.id for r in grid_rows(await grid.page("excluded"))] == [first.id]
    assert second.id in [r.id for r in grid_rows(await grid.page("to_review"))]


# -- editing a row -------------------------------------------------------------------------------


async def test_editing_payee_account_date_and_memo_answers_the_updated_row(grid: Review) -> None:
    """Given an expense row, when its payee (a new name), account, date and memo are saved from
    its edit row, the answer is the updated row fragment, and the
    record holds Intuit's JSON for them, the payee as a new name and the account by its Id."""
    row = await grid.row(0)
    form = await grid.http.get(grid.record_url(row.id, "edit"), headers=HX)
    assert form.status_code == 200 and "<html" not in form.text
    assert 'name="payee"' in form.text and 'list="acct-lines"' in form.text
    assert 'name="class"' in form.text and 'name="location"' in form.text

    answer = await grid.edit(
        row, payee="Juniper Corner Bakery", account="Fuel", date="2026-01-20", memo="diesel"
    )

    assert answer.status_code == 200, answer.text
    assert "<html" not in answer.text
    [updated] = grid_rows(answer.text)
    assert updated.id == row.id and updated.version == row.version + 1
    assert updated.payee == "Juniper Corner Bakery new" and updated.account == "Fuel"
    assert updated.date == "2026-01-20"
    payload = (await stored(row.id))["payload"]
    assert payload["EntityRef"] == {"name": "Juniper Corner Bakery", "type": "Vendor"}
    assert payload["TxnDate"] == "2026-01-20" and payload["PrivateNote"] == "diesel"
    detail = payload["Line"][0]["AccountBasedExpenseLineDetail"]
    assert detail["AccountRef"] == {
        "value": await account_id(grid.client_id, "Fuel"),
        "name": "Fuel",
    }


def datalist(page: str, list_id: str) -> set[str]:
    found = re.search(rf'<datalist id="{list_id}">(.*?)</datalist>', page, re.S)
    assert found, list_id
    return {unescape(v) for v in re.findall(r'<option value="([^"]*)">', found.group(1))}


async def test_the_type_ahead_offers_the_live_lists_by_what_each_type_allows(
    grid: Review,
) -> None:
    """The page carries each list once: an expense's or a deposit's category never offers
    A/R or A/P, a journal entry's does, a transfer offers balance-sheet accounts only; payees
    come from the vendors (an expense) or every name (a deposit)."""
    page = await grid.page()
    assert page.count('<datalist id="acct-lines">') == 1
    lines, anything = datalist(page, "acct-lines"), datalist(page, "acct-any")
    assert {"Fuel", "Meals", "Design Income"} <= lines
    assert not lines & {"Accounts Receivable (A/R)", "Accounts Payable (A/P)"}
    assert "Accounts Receivable (A/R)" in anything
    balance = datalist(page, "acct-balance")
    assert "Business Savings" in balance and "Fuel" not in balance
    assert datalist(page, "acct-card") == {"Chase Ink Visa", "American Express Business"}
    vendors, people = datalist(page, "names-vendor"), datalist(page, "names-people")
    assert "Chevron" in vendors and vendors < people


async def test_class_and_location_are_saved_when_the_company_tracks_them(grid: Review) -> None:
    row = await grid.row(0)
    commercial = await account_id(grid.client_id, "Commercial", "Class")
    oakland = await account_id(grid.client_id, "Oakland Yard", "Department")

    answer = await grid.edit(
        row, account="Fuel", date=row.date, **{"class": commercial}, location=oakland
    )

    assert answer.status_code == 200, answer.text
    payload = (await stored(row.id))["payload"]
    detail = payload["Line"][0]["AccountBasedExpenseLineDetail"]
    assert detail["ClassRef"] == {"value": commercial, "name": "Commercial"}
    assert payload["DepartmentRef"] == {"value": oakland, "name": "Oakland Yard"}
    form = (await grid.http.get(grid.record_url(row.id, "edit"), headers=HX)).text
    assert f'<option value="{commercial}" selected>Commercial</option>' in form
    assert f'<option value="{oakland}" selected>Oakland Yard</option>' in form


async def test_an_edit_posted_as_a_plain_form_answers_the_whole_page(grid: Review) -> None:
    """Without htmx the same form answers the whole batch page with the row saved; each row
    fragment (shown, edited, split) is a whole page when asked for without htmx."""
    row = await grid.row(0)
    vendor = "Chevron"
    answer = await grid.edit(row, htmx=False, payee=vendor, account="Fuel", date=row.date, memo="")
    assert answer.status_code == 200
    assert answer.text.startswith("<!doctype html>") and 'id="grid"' in answer.text
    [updated] = [r for r in grid_rows(answer.text) if r.id == row.id]
    assert updated.payee == vendor and updated.account == "Fuel"
    assert (await stored(row.id))["payload"]["EntityRef"]["value"]  # an existing vendor
    for action in ("row", "edit", "split"):
        full = await grid.http.get(grid.record_url(row.id, action))
        fragment = await grid.http.get(grid.record_url(row.id, action), headers=HX)
        assert full.status_code == fragment.status_code == 200, action
        assert full.text.startswith("<!doctype html>") and "<h1>" in full.text
        assert fragment.text.lstrip().startswith(f'<tr id="record-{row.id}"')
        assert "<html" not in fragment.text


async def test_changing_the_type_rebuilds_the_record_from_the_statement_line(
    grid: Review,
) -> None:
    """An expense turned into a transfer to Business Savings moves the line's amount from the
    statement's account to that one; an account the type does not allow is refused."""
    row = await grid.row(0)
    refused = await grid.edit(row, type="Transfer", account="Fuel", date=row.date)
    assert refused.status_code == 422
    assert any("'Fuel' is an Expense account" in p for p in problems(refused.text))

    answer = await grid.edit(row, type="Transfer", account="Business Savings", date=row.date)

    assert answer.status_code == 200, answer.text
    record = await stored(row.id)
    assert record["entity"] == "Transfer"
    assert record["payload"]["FromAccountRef"]["name"] == "Business Checking"
    assert record["payload"]["ToAccountRef"]["name"] == "Business Savings"
    assert Decimal(record["payload"]["Amount"]) == -Decimal(row.amount.replace(",", ""))


async def test_a_stale_version_is_refused_with_409_and_nothing_changes(grid: Review) -> None:
    """Two people open the same row; the second save names the version the first replaced: it
    is refused with 409 and the fresh row (the first person's edit), and nothing changes."""
    row = await grid.row(0)
    first = await grid.edit(row, account="Fuel", date=row.date, memo="first")
    assert first.status_code == 200

    second = await grid.edit(row, account="Meals", date=row.date, memo="lunch")

    assert second.status_code == 409
    assert "was changed by olive@example.com" in unescape(second.text)
    assert "Your change was not applied" in second.text
    [fresh] = grid_rows(second.text)
    assert fresh.account == "Fuel" and fresh.version == row.version + 1
    record = await stored(row.id)
    assert record["version"] == row.version + 1 and line_account(record["payload"]) == "Fuel"
    assert record["payload"]["PrivateNote"] == "first"


async def test_an_account_not_in_the_live_chart_is_refused(grid: Review) -> None:
    row = await grid.row(0)
    answer = await grid.edit(row, account="Imaginary Expenses", date=row.date)
    assert answer.status_code == 422
    assert any(
        "'Imaginary Expenses' is not in this company's chart" in p for p in problems(answer.text)
    )
    assert 'value="Imaginary Expenses"' in answer.text  # the form keeps what was typed
    assert (await stored(row.id))["version"] == row.version


async def test_an_account_made_inactive_in_quickbooks_is_refused_after_a_refresh(
    grid: Review,
) -> None:
    """Given Fuel made inactive in QuickBooks and the lists refreshed, the grid no longer
    offers it and an edit naming it is refused with the reason."""
    fuel = await account_id(grid.client_id, "Fuel")
    grid.books.sandbox.control(
        "POST",
        f"/companies/{grid.books.realm_id}/records/Account",
        {"operation": "update", "payload": {"Id": fuel, "Active": False}},
    )
    assert (
        await post_form(grid.http, f"/clients/{grid.client_id}/qbo/refresh", {})
    ).status_code == 303
    await wait_for_jobs(grid.client_id)
    page = await grid.page()
    assert '<option value="Fuel">' not in page and '<option value="Meals">' in page

    row = grid_rows(page)[0]
    answer = await grid.edit(row, account="Fuel", date=row.date)

    assert answer.status_code == 422
    assert "'Fuel' is inactive in QuickBooks." in unescape(" ".join(problems(answer.text)))
    assert (await stored(row.id))["version"] == row.version


async def test_a_date_outside_the_statement_period_is_refused(grid: Review) -> None:
    row = await grid.row(0)
    answer = await grid.edit(row, date="2025-12-15")
    assert answer.status_code == 422
    assert any(
        "2025-12-15 is outside the statement period (2026-01-01 to 2026-01-31)" in p
        for p in problems(answer.text)
    )
    assert (await stored(row.id))["version"] == row.version


async def test_a_payee_over_500_characters_is_refused(grid: Review) -> None:
    row = await grid.row(0)
    answer = await grid.edit(row, payee="B" * 501, date=row.date)
    assert answer.status_code == 422
    assert any("at most 500 characters (501 given)" in p for p in problems(answer.text))
    assert (await stored(row.id))["version"] == row.version


# -- splitting a row -----------------------------------------------------------------------------


async def test_a_split_must_add_up_to_the_statement_amount(grid: Review) -> None:
    """A split form grows or loses a line without saving anything; lines that do not add up to the
    statement line are refused with the difference; lines that do are saved."""
    row = await grid.row(0)
    size = Decimal(row.amount.replace(",", "")).copy_abs()
    url = grid.record_url(row.id, "split")
    form = await grid.http.get(url, headers=HX)
    assert form.status_code == 200 and form.text.count('name="amount"') == 2

    grown = await grid.post(
        url,
        [
            ("version", str(row.version)),
            ("amount", str(size)),
            ("account", "Fuel"),
            ("description", ""),
            ("amount", ""),
            ("account", ""),
            ("description", ""),
            ("change", "add"),
        ],
    )
    assert grown.status_code == 200 and grown.text.count('name="amount"') == 3
    fields = [("version", str(row.version))] + [
        (name, value)
        for i in range(3)
        for name, value in (("amount", f"{i}.00"), ("account", ""), ("description", f"line {i}"))
    ]
    shrunk = await grid.post(url, [*fields, ("change", "remove-1")])
    assert shrunk.status_code == 200 and shrunk.text.count('name="amount"') == 2
    assert 'value="line 0"' in shrunk.text and 'value="line 1"' not in shrunk.text
    assert (await stored(row.id))["version"] == row.version

    part = (size / 3).quantize(Decimal("0.01"))
    short = [
        ("version", str(row.version)),
        ("amount", str(part)),
        ("account", "Fuel"),
        ("description", "diesel"),
        ("amount", str(part)),
        ("account", "Meals"),
        ("description", "lunch"),
        ("change", "save"),
    ]
    refused = await grid.post(url, short)
    assert refused.status_code == 422
    assert f"the lines add up to {part * 2:,.2f} but the statement line is {size:,.2f}." in (
        unescape(refused.text)
    )
    assert (await stored(row.id))["version"] == row.version

    rest = size - part
    exact = [
        *short[:4],
        ("amount", str(rest)),
        ("account", "Meals"),
        ("description", "lunch"),
        ("change", "save"),
    ]
    saved = await grid.post(url, exact)
    assert saved.status_code == 200, saved.text
    [updated] = grid_rows(saved.text)
    assert updated.account == "Split (2)"
    payload = (await stored(row.id))["payload"]
    assert [line_account(payload, i) for i in range(2)] == ["Fuel", "Meals"]
    assert [Decimal(line["Amount"]) for line in payload["Line"]] == [part, rest]


# -- approving, excluding, reopening -------------------------------------------------------------


async def test_approve_exclude_and_reopen_a_row(grid: Review) -> None:
    """A row without an account cannot be approved (422, with why); once booked it is
    approved, then excluded, then reopened, each answer its new row and the new counts, and a
    stale version is refused with 409."""
    row = (await grid.unbooked())[0]
    refused = await grid.act(row, "approve")
    assert refused.status_code == 422
    assert "Not approved: the account is required" in refused.text
    assert (await stored(row.id))["status"] == "to_review"

    booked = await grid.book(row, "Fuel")
    approved = await grid.act(booked, "approve")
    assert approved.status_code == 200
    [shown] = grid_rows(approved.text)
    assert shown.status == "Approved" and "Reopen" in shown.html and "Approve<" not in shown.html
    assert re.search(r'id="count-approved" hx-swap-oob="true">1<', approved.text)

    stale = await grid.act(booked, "exclude")
    assert stale.status_code == 409 and (await stored(row.id))["status"] == "approved"

    excluded = grid_rows((await grid.act(shown, "exclude")).text)[0]
    assert excluded.status == "Excluded"
    reopened = await grid.act(excluded, "reopen")
    assert grid_rows(reopened.text)[0].status == "To review"
    assert (await stored(row.id))["status"] == "to_review"
    page = await grid.page()
    assert count(page, "approved") == count(page, "excluded") == 0


async def test_bulk_approve_at_a_confidence_reports_the_rows_it_skipped(grid: Review) -> None:
    """Given rows the learner is sure of (one booked, one without an account) and one it is
    not, approving at or above 80% approves the booked sure row, skips the other sure row with
    why, and leaves the unsure one to review."""
    sure, unbooked, unsure = (await grid.unbooked())[:3]
    sure = await grid.book(sure, "Fuel")
    unsure = await grid.book(unsure, "Meals")
    await Record.update({Record.confidence: 0.1}).where(Record.client_id == grid.client_id).run()
    for record_id, confidence in ((sure.id, 0.95), (unbooked.id, 0.9), (unsure.id, 0.3)):
        await Record.update({Record.confidence: confidence}).where(Record.id == record_id).run()

    answer = await grid.post(
        f"{grid.url}/bulk", {"action": "approve_confident", "min_confidence": "80", "show": "all"}
    )

    assert answer.status_code == 200
    report = text(re.search(r'id="bulk-report"[^>]*>(.*?)</div>', answer.text, re.S).group(1))  # type: ignore[union-attr]
    assert report.startswith("Approved 1 row. Skipped 1:")
    assert f"{unbooked.description}: the account is required" in report
    statuses = {r.id: r.status for r in grid_rows(answer.text)}
    assert (statuses[sure.id], statuses[unbooked.id], statuses[unsure.id]) == (
        "Approved",
        "To review",
        "To review",
    )
    assert count(answer.text, "approved") == 1


async def test_bulk_approve_and_exclude_the_ticked_rows(grid: Review, books: Books) -> None:
    """Ticked rows are approved or excluded together; a row that cannot be approved is
    reported, and an id that is not this client's row is ignored."""
    first, second, third = (await grid.unbooked())[:3]
    booked = await grid.book(first, "Fuel")
    ticked = [
        ("action", "approve"),
        ("ids", str(booked.id)),
        ("ids", str(second.id)),
        ("ids", "999999"),
    ]
    answer = await grid.post(f"{grid.url}/bulk", ticked)
    assert answer.status_code == 200
    assert "Approved 1 row. Skipped 1:" in text(answer.text)
    excluded = await grid.post(
        f"{grid.url}/bulk", [("action", "exclude"), ("ids", str(third.id)), ("ids", str(second.id))]
    )
    assert "Excluded 2 rows." in text(excluded.text)
    nothing = await grid.post(f"{grid.url}/bulk", [("action", "exclude")])
    assert nothing.status_code == 400 and "Tick the rows first." in nothing.text
    statuses = {r: (await stored(r))["status"] for r in (booked.id, second.id, third.id)}
    assert statuses == {booked.id: "approved", second.id: "excluded", third.id: "excluded"}
    assert books.client_id == grid.client_id


# -- access and CSRF -----------------------------------------------------------------------------


async def test_staff_not_assigned_to_the_client_get_404_on_the_grid_and_its_rows(
    grid: Review,
) -> None:
    row = await grid.row(0)
    created = await post_form(
        grid.http,
        "/users",
        {
            "name": "Sam Staff",
            "email": "sam@example.com",
            "password": "staff password 123",
            "role": "staff",
        },
        token_page="/users",
    )
    assert created.status_code == 303
    await grid.http.post("/logout", data={"_csrf_token": grid.token})
    assert (await sign_in(grid.http, "sam@example.com", "staff password 123")).status_code == 303
    grid.token = await csrf_token(grid.http, "/")

    for url in (
        grid.url,
        grid.record_url(row.id, "row"),
        grid.record_url(row.id, "edit"),
        grid.record_url(row.id, "split"),
        f"{grid.url}/lines/{row.line_id}",
    ):
        for headers in ({}, HX):
            answer = await grid.http.get(url, headers=headers)
            assert answer.status_code == 404, url
            assert row.description not in answer.text
    for action in ("edit", "split", "approve", "exclude", "reopen"):
        answer = await grid.post(
            grid.record_url(row.id, action), {"version": str(row.version), "account": "Fuel"}
        )
        assert answer.status_code == 404, action
    bulk = await grid.post(f"{grid.url}/bulk", [("action", "exclude"), ("ids", str(row.id))])
    assert bulk.status_code == 404
    assert (await stored(row.id))["version"] == row.version


async def test_another_clients_record_is_not_found_through_this_clients_url(
    grid: Review,
) -> None:
    row = await grid.row(0)
    other = await post_form(grid.http, "/clients", {"name": "Other Client"})
    other_id = int(other.headers["location"].rsplit("/", 1)[1])
    for action in ("row", "edit", "split"):
        answer = await grid.http.get(f"/clients/{other_id}/records/{row.id}/{action}")
        assert answer.status_code == 404
    answer = await grid.post(
        f"/clients/{other_id}/records/{row.id}/approve", {"version": str(row.version)}
    )
    assert answer.status_code == 404
    assert (await grid.http.get(f"/clients/{other_id}/batches/{grid.batch_id}")).status_code == 404


async def test_a_post_without_the_csrf_token_is_refused(grid: Review) -> None:
    row = await grid.row(0)
    for action, data in (
        ("edit", {"account": "Fuel", "date": row.date}),
        ("approve", {}),
        ("split", {"amount": "1", "account": "Fuel"}),
    ):
        answer = await grid.http.post(
            grid.record_url(row.id, action),
            data={"version": str(row.version), **data},
            headers=HX,
        )
        assert answer.status_code == 403, action
    bulk = await grid.http.post(
        f"{grid.url}/bulk", data={"action": "approve_confident", "min_confidence": "0"}
    )
    assert bulk.status_code == 403
    assert (await stored(row.id))["version"] == row.version
