"""The public surface the web app uses: passwords, progress, page images, the JSON shape."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from tests.extract import badfiles
from tests.extract.conftest import Sample
from zera.extract import Outcome, extract_document, render_page

ZERA = [str(Path(sys.executable).with_name("zera"))]
MONEY = re.compile(r"^-?\d+\.\d{2}$")


def test_a_pdf_encrypted_with_the_empty_password_opens_by_itself(corpus: dict[str, Sample]) -> None:
    data = badfiles.encrypted(corpus["us_signed"].data, "")

    result = extract_document(data, "locked.pdf")

    assert result.outcome is Outcome.OK
    assert len(result.statements[0].transactions) == 18


def test_a_password_protected_pdf_waits_for_its_password(corpus: dict[str, Sample]) -> None:
    """Given a PDF with a user password, then without it the outcome asks for it, a wrong
    one says so, and the right one reads the statement."""
    data = badfiles.encrypted(corpus["us_signed"].data, "s3cret")

    assert extract_document(data, "x.pdf").outcome is Outcome.PASSWORD_REQUIRED
    assert extract_document(data, "x.pdf", password="nope").outcome is Outcome.WRONG_PASSWORD
    opened = extract_document(data, "x.pdf", password="s3cret")
    assert opened.outcome is Outcome.OK and len(opened.statements[0].transactions) == 18


def test_progress_is_reported_per_page_up_to_100(corpus: dict[str, Sample]) -> None:
    seen: list[int] = []

    extract_document(corpus["iso_long"].data, "long.pdf", progress=seen.append)

    assert seen == sorted(seen) and seen[-1] == 100 and len(seen) >= 3


def test_render_page_draws_the_page_at_the_asked_resolution(corpus: dict[str, Sample]) -> None:
    """Given a row's box in points, its rectangle on a page image at dpi D is box * D / 72,
    and the image has ink inside it."""
    sample = corpus["us_signed"]
    result = extract_document(sample.data, sample.path.name)
    tx = result.statements[0].transactions[0]
    assert tx.box is not None

    png = render_page(sample.data, tx.page, 144)

    image = Image.open(io.BytesIO(png)).convert("L")
    assert image.size == (1224, 1584)  # US letter at 144 dpi
    k = 144 / 72
    row = image.crop(
        (int(tx.box.x0 * k), int(tx.box.top * k), int(tx.box.x1 * k), int(tx.box.bottom * k))
    )
    assert row.getextrema()[0] < 100  # dark text inside the row's box


def test_render_page_refuses_a_page_that_is_not_there(corpus: dict[str, Sample]) -> None:
    from zera.extract import ExtractError

    with pytest.raises(ExtractError):
        render_page(corpus["us_signed"].data, 2, 72)


def test_cli_prints_the_documented_json(corpus: dict[str, Sample]) -> None:
    """Given one statement, `zera extract` prints one object with the fields of
    extract-output.md: money as strings with a dot and two places, ISO dates, nulls kept."""
    sample = corpus["ie_eur_crdr"]

    done = subprocess.run(
        [*ZERA, "extract", str(sample.path)], capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert {"file", "kind", "pages", "ocr", "sha256", "confidence", "warnings", "statement"} <= set(
        out
    )
    assert out["kind"] == "bank_statement" and out["ocr"] is False and out["pages"] == 1
    st = out["statement"]
    for key in ("institution", "account_number_last4", "currency", "period_start", "period_end",
                "opening_balance", "closing_balance", "reconciled", "transactions"):  # fmt: skip
        assert key in st
    assert st["currency"] == "EUR" and st["reconciled"] is True
    assert MONEY.match(st["opening_balance"]) and MONEY.match(st["closing_balance"])
    for tx in st["transactions"]:
        assert set(tx) >= {"date", "description", "amount", "balance", "check_number", "page",
                           "confidence"}  # fmt: skip
        assert MONEY.match(tx["amount"]) and MONEY.match(tx["balance"])
        assert re.match(r"^\d{4}-\d{2}-\d{2}$", tx["date"])
        assert tx["check_number"] is None and 0 <= tx["confidence"] <= 1
    truth = sample.truth[0].transactions
    assert [tx["amount"] for tx in st["transactions"]] == [f"{t.amount:.2f}" for t in truth]


def test_cli_reads_several_files_into_an_array(corpus: dict[str, Sample]) -> None:
    paths = [str(corpus[name].path) for name in ("us_signed", "multi_account")]

    done = subprocess.run([*ZERA, "extract", *paths], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0
    out = json.loads(done.stdout)
    assert [o["file"] for o in out] == ["us_signed.pdf", "multi_account.pdf"]
    assert len(out[1]["statements"]) == 2
    assert out[1]["statement"] == out[1]["statements"][0]


def test_cli_kind_other_than_statement_is_refused_plainly(corpus: dict[str, Sample]) -> None:
    done = subprocess.run(
        [*ZERA, "extract", "--kind", "invoice", str(corpus["us_signed"].path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip

    assert done.returncode == 1
    out = json.loads(done.stdout)
    assert out["kind"] == "invoice" and "not supported yet" in out["warnings"][0]


def test_cli_takes_the_password_of_an_encrypted_pdf(
    corpus: dict[str, Sample], tmp_path: Path
) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(badfiles.encrypted(corpus["us_signed"].data, "s3cret"))

    locked = subprocess.run([*ZERA, "extract", str(path)], capture_output=True, text=True)
    opened = subprocess.run(
        [*ZERA, "extract", "--password", "s3cret", str(path)], capture_output=True, text=True
    )

    assert locked.returncode == 1 and json.loads(locked.stdout)["outcome"] == "password_required"
    assert opened.returncode == 0 and json.loads(opened.stdout)["statement"]["reconciled"]


def test_cli_reports_a_missing_file_in_its_output(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.pdf"

    done = subprocess.run([*ZERA, "extract", str(missing)], capture_output=True, text=True)

    assert done.returncode == 1
    out = json.loads(done.stdout)
    assert out["file"] == "nowhere.pdf" and out["confidence"] == 0
    assert "cannot read" in out["warnings"][0]
