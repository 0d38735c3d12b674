"""The whole JSON of one statement, held as a snapshot so any change to the output shows up
in review. Refresh after an intended change with: ZERA_UPDATE_SNAPSHOTS=1 pytest tests/extract
(only a person refreshes them: with CI set, the update flag fails the test instead)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.extract.conftest import Sample
from zera.extract import extract_document

SNAPSHOTS = Path(__file__).with_name("snapshots")


def may_update_snapshots() -> bool:
    """True when a person asked to refresh the snapshots; a CI run asking to is a failure."""
    if os.environ.get("ZERA_UPDATE_SNAPSHOTS") != "1":
        return False
    if os.environ.get("CI"):
        pytest.fail(
            "ZERA_UPDATE_SNAPSHOTS=1 with CI set: snapshots are refreshed by a person, never by CI"
        )
    return True


@pytest.mark.parametrize("name", ["us_split_checks", "card_trans_post", "multi_account"])
def test_extract_output_matches_its_snapshot(corpus: dict[str, Sample], name: str) -> None:
    sample = corpus[name]
    got = extract_document(sample.data, sample.path.name).to_json()
    path = SNAPSHOTS / f"{name}.json"
    if may_update_snapshots():
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n")
    assert got == json.loads(path.read_text())


def test_the_update_flag_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """Given CI=true and the update flag, asking whether to update fails the test."""
    monkeypatch.setenv("ZERA_UPDATE_SNAPSHOTS", "1")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="never by CI"):
        may_update_snapshots()
