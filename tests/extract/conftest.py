"""The generated corpus, written once per test session into a temporary folder."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.extract.corpus import LAYOUTS, Layout, TrueAccount, build
from tests.extract.render_statement import scan


@dataclass(frozen=True)
class Sample:
    layout: Layout
    path: Path
    truth: list[TrueAccount]

    @property
    def data(self) -> bytes:
        return self.path.read_bytes()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Sample]:
    """Every layout as a digital PDF with its truth."""
    folder = tmp_path_factory.mktemp("statements")
    samples = {}
    for layout in LAYOUTS:
        pdf, truth = build(layout)
        path = folder / f"{layout.name}.pdf"
        path.write_bytes(pdf)
        samples[layout.name] = Sample(layout, path, truth)
    return samples


# OCR is the slow part of the suite: a few one-page scans cover it (the benchmark does all).
SCANNED = {
    "us_signed": "PDF",
    "card_trans_post": "PNG",
    "fr_eur_trailing_minus": "TIFF",
    "ie_eur_crdr": "JPEG",
}


@pytest.fixture(scope="session")
def scans(tmp_path_factory: pytest.TempPathFactory, corpus: dict[str, Sample]) -> dict[str, Sample]:
    """Single-page layouts rasterised at 250 dpi with noise and a slight tilt."""
    folder = tmp_path_factory.mktemp("scans")
    samples = {}
    for name, fmt in SCANNED.items():
        sample = corpus[name]
        path = folder / f"{name}.{fmt.lower()}"
        path.write_bytes(scan(sample.data, fmt=fmt, angle=0.7))
        samples[name] = Sample(sample.layout, path, sample.truth)
    return samples
