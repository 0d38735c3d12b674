"""Transaction-level comparison of an extraction with the generator's truth."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tests.extract.corpus import TrueAccount
from zera.extract import ExtractionResult


def _key(date: str, description: str, amount: str) -> tuple[str, str, str]:
    return (date, " ".join(description.split()).lower(), amount)


@dataclass
class Score:
    true_positives: int = 0
    extracted: int = 0
    expected: int = 0

    def add(self, other: Score) -> None:
        self.true_positives += other.true_positives
        self.extracted += other.extracted
        self.expected += other.expected

    @property
    def precision(self) -> float:
        return self.true_positives / self.extracted if self.extracted else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 0.0


def expected_rows(truth: list[TrueAccount]) -> list[tuple[str, str, str]]:
    return [
        _key(t.date.isoformat(), t.description, f"{t.amount:.2f}")
        for acct in truth
        for t in acct.transactions
    ]


def extracted_rows(result: ExtractionResult) -> list[tuple[str, str, str]]:
    return [
        _key(t.date.isoformat(), t.description, f"{t.amount:.2f}")
        for st in result.statements
        for t in st.transactions
    ]


def score(result: ExtractionResult, truth: list[TrueAccount]) -> Score:
    """Right when date and amount are exact and the description matches after whitespace."""
    want, got = Counter(expected_rows(truth)), Counter(extracted_rows(result))
    return Score(sum((want & got).values()), sum(got.values()), sum(want.values()))
