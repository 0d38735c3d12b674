"""The whole JSON of one statement, held as a snapshot so any change to the output shows up
in review. Refresh after an intended change with: ZERA_UPDATE_SNAPSHOTS=1 pytest tests/extract"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.extract.conftest import Sample
from zera.extract import extract_document

SNAPSHOTS = Path(__file__).with_name("snapshots")


@pytest.mark.parametrize("name", ["us_split_checks", "card_trans_post", "multi_account"])
def test_extract_output_matches_its_snapshot(corpus: dict[str, Sample], name: str) -> None:
    sample = corpus[name]
    got = extract_document(sample.data, sample.path.name).to_json()
    path = SNAPSHOTS / f"{name}.json"
    if os.environ.get("ZERA_UPDATE_SNAPSHOTS") == "1":
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    assert got == json.loads(path.read_text())
