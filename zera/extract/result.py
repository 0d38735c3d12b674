"""What `extract_document` returns for every input, good or bad."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zera.extract.errors import Outcome
from zera.extract.statements.model import Statement


@dataclass(slots=True)
class ExtractionResult:
    """What `extract_document` returns for every input, good or bad: it never raises."""

    file: str
    sha256: str
    outcome: Outcome = Outcome.OK
    kind: str | None = None
    pages: int = 0
    ocr: bool = False
    confidence: float = 0.0
    warnings: list[str] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    page_sizes: list[tuple[float, float]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.OK

    @property
    def statement(self) -> Statement | None:
        return self.statements[0] if self.statements else None

    def to_json(self) -> dict[str, Any]:
        """The object `zera extract` prints (shared/reference/extract-output.md)."""
        out: dict[str, Any] = {
            "file": self.file,
            "kind": self.kind,
            "pages": self.pages,
            "ocr": self.ocr,
            "sha256": self.sha256,
            "confidence": round(self.confidence, 3),
            "warnings": list(self.warnings),
            "outcome": self.outcome.value,
        }
        if self.kind == "bank_statement":
            first = self.statement
            out["statement"] = first.to_json() if first else None
            # Several accounts in one file: each reported on its own, the first also as
            # "statement" so that single-account readers need not care.
            out["statements"] = [s.to_json() for s in self.statements]
        return out
