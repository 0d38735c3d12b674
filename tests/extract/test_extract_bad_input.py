"""Every kind of bad input gets a typed outcome and a message, through the API and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.extract import badfiles
from tests.extract.conftest import Sample
from zera.extract import Limits, Outcome, extract_document

# The installed console script, as a user runs it.
ZERA = [str(Path(sys.executable).with_name("zera"))]


def _statement(corpus: dict[str, Sample]) -> bytes:
    return corpus["us_signed"].data


CASES: dict[str, tuple[Callable[[dict[str, Sample]], bytes], Outcome, str]] = {
    "empty": (lambda c: b"", Outcome.EMPTY_FILE, "empty"),
    "not_a_document": (lambda c: b"date,amount\n2026-01-03,-12.30\n", Outcome.UNSUPPORTED_TYPE,
                       "not a PDF or an image"),
    "truncated": (lambda c: _statement(c)[: len(_statement(c)) // 2], Outcome.CORRUPT,
                  "cut off"),
    "corrupt": (lambda c: badfiles.corrupt_pdf(), Outcome.CORRUPT, "damaged"),
    "page_count_bomb": (lambda c: badfiles.page_count_bomb(), Outcome.TOO_MANY_PAGES,
                        "100000 pages"),
    "image_bomb_in_pdf": (lambda c: badfiles.image_dimension_bomb(), Outcome.IMAGE_TOO_LARGE,
                          "image"),
    "png_bomb": (lambda c: badfiles.png_bomb(), Outcome.IMAGE_TOO_LARGE, "too large"),
    "no_transactions": (lambda c: badfiles.text_pdf(badfiles.EMPTY_STATEMENT_LINES),
                        Outcome.NO_TRANSACTIONS, "no transactions"),
    "not_a_statement": (lambda c: badfiles.text_pdf(badfiles.INVOICE_LINES),
                        Outcome.NOT_A_STATEMENT, "an invoice"),
    "password": (lambda c: badfiles.encrypted(_statement(c), "s3cret"),
                 Outcome.PASSWORD_REQUIRED, "password"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_through_the_api(corpus: dict[str, Sample], case: str) -> None:
    """Given a bad file, extract_document returns (never raises) a typed outcome with
    confidence 0 and a warning in words a user understands."""
    make, outcome, words = CASES[case]
    data = make(corpus)

    result = extract_document(data, f"{case}.bin")

    assert result.outcome is outcome
    assert not result.ok
    assert result.confidence == 0
    assert any(words in w for w in result.warnings), result.warnings
    assert result.to_json()["confidence"] == 0


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_through_the_cli(corpus: dict[str, Sample], tmp_path: Path, case: str) -> None:
    """Given a bad file, `zera extract` prints an object with a warning and exits non-zero."""
    make, outcome, words = CASES[case]
    path = tmp_path / f"{case}.pdf"
    path.write_bytes(make(corpus))

    done = subprocess.run(
        [*ZERA, "extract", str(path)], capture_output=True, text=True, timeout=120
    )

    assert done.returncode != 0
    out = json.loads(done.stdout)
    assert out["file"] == path.name and out["confidence"] == 0
    assert out["outcome"] == outcome.value
    assert any(words in w for w in out["warnings"])


def test_over_the_size_limit(corpus: dict[str, Sample]) -> None:
    data = _statement(corpus)

    result = extract_document(data, "big.pdf", limits=Limits(max_bytes=len(data) - 1))

    assert result.outcome is Outcome.TOO_LARGE
    assert "the limit is" in result.warnings[0]


def test_over_the_default_size_limit_through_the_cli(tmp_path: Path) -> None:
    """A file over the default 25 MB limit is refused before it is parsed."""
    path = tmp_path / "huge.pdf"
    path.write_bytes(b"%PDF-1.4\n" + b"0" * (26 * 1024 * 1024) + b"\n%%EOF\n")

    done = subprocess.run(
        [*ZERA, "extract", str(path)], capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 1
    assert json.loads(done.stdout)["outcome"] == "too_large"


def test_an_extractor_crash_becomes_a_typed_failure(
    corpus: dict[str, Sample], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Given an extractor that raises, the result is ExtractionFailed, not an exception."""
    from zera.extract import kinds, registry

    class Exploding:
        kind = "bank_statement"

        def score(self, doc: kinds.DocumentText) -> float:
            return 1.0

        def extract(self, doc: kinds.DocumentText) -> list[object]:
            raise ZeroDivisionError("bug")

    monkeypatch.setitem(registry.EXTRACTORS, "bank_statement", Exploding())

    result = extract_document(_statement(corpus), "x.pdf", kind="bank_statement")

    assert result.outcome is Outcome.EXTRACTION_FAILED
    assert "internal error" in result.warnings[0]


def test_good_and_bad_files_together(corpus: dict[str, Sample], tmp_path: Path) -> None:
    """Given one good and one empty file, the CLI prints an array in input order, the good
    one complete, and exits non-zero because one failed."""
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    good = corpus["us_signed"].path

    done = subprocess.run(
        [*ZERA, "extract", str(good), str(empty)], capture_output=True, text=True, timeout=120
    )

    assert done.returncode == 1
    out = json.loads(done.stdout)
    assert [o["file"] for o in out] == [good.name, "empty.pdf"]
    assert out[0]["outcome"] == "ok" and len(out[0]["statement"]["transactions"]) == 18


def test_a_document_of_no_known_kind_has_kind_null() -> None:
    """Given a plain letter, the outcome is not-a-statement and the kind is null (no guess)."""
    letter = badfiles.text_pdf(["Dear customer,", "thank you for your letter.", "Regards"])

    result = extract_document(letter, "letter.pdf")

    assert result.outcome is Outcome.NOT_A_STATEMENT
    assert result.kind is None and result.to_json()["kind"] is None
