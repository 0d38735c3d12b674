"""Extraction in a child process: same result, and a dead or stuck reader fails one document."""

from __future__ import annotations

from tests.extract.conftest import Sample
from zera.extract import Outcome, extract_document
from zera.extract.isolated import extract_document_isolated


def test_the_isolated_reader_gives_the_same_result(corpus: dict[str, Sample]) -> None:
    sample = corpus["us_split_checks"]
    seen: list[int] = []

    isolated = extract_document_isolated(sample.data, sample.path.name, progress=seen.append)

    assert isolated.to_json() == extract_document(sample.data, sample.path.name).to_json()
    assert seen and seen[-1] == 100


def test_a_reader_that_runs_out_of_memory_fails_only_its_document(
    scans: dict[str, Sample],
) -> None:
    """Given a memory ceiling too low to OCR a page, the caller gets a typed failure, not an
    exception, whether the child caught its MemoryError or died of it."""
    sample = scans["card_trans_post"]

    result = extract_document_isolated(sample.data, "x.png", memory_limit=64 * 1024 * 1024)

    assert result.outcome is Outcome.EXTRACTION_FAILED
    assert "internal error" in result.warnings[0] or "the reader stopped" in result.warnings[0]


def test_a_reader_that_overruns_its_time_is_stopped(corpus: dict[str, Sample]) -> None:
    result = extract_document_isolated(corpus["us_signed"].data, "x.pdf", timeout=0.01)

    assert result.outcome is Outcome.EXTRACTION_FAILED
    assert "took too long" in result.warnings[0]
