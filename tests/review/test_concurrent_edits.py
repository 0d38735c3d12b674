"""Concurrent edits to one record never lose an edit silently: of the edits made against the
same version exactly one is applied, every other one is refused with StaleEdit, and the history
holds exactly the applied ones (property-tested on SQLite here, on PostgreSQL in CI)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zera.accounts.audit import Actor
from zera.clients import ClientSummary
from zera.db import engine_for
from zera.db.engine import bind_tables
from zera.review import records
from zera.settings import Settings

pytestmark = pytest.mark.db

NOW = dt.datetime.now(dt.UTC)
CLIENT = ClientSummary(id=1, name="Acme", archived=False, created_at=NOW, last_activity_at=NOW)
PAYLOAD = {
    "PaymentType": "Cash",
    "TxnDate": "2026-01-05",
    "EntityRef": {"name": "Home Depot", "type": "Vendor"},
    "Line": [
        {
            "Amount": "182.40",
            "DetailType": "AccountBasedExpenseLineDetail",
            "AccountBasedExpenseLineDetail": {},
        }
    ],
}
memos = st.text(alphabet="abcdefghij ", min_size=1, max_size=12)


async def _race(rounds: list[list[str]]) -> None:
    users = [Actor(user_id=n, email=f"user{n}@example.com") for n in range(1, 6)]
    new = records.NewRecord("Purchase", PAYLOAD)
    (record_id,) = await records.add_records(users[0], CLIENT.id, [new])
    applied: list[str] = []
    for edits in rounds:
        current = await records.get_record(CLIENT, record_id)
        attempts = [
            records.edit_record(
                users[i], CLIENT, record_id, current.version,
                {**current.payload, "PrivateNote": f"{memo} #{i}"},
            )
            for i, memo in enumerate(edits)
        ]  # fmt: skip
        outcomes = await asyncio.gather(*attempts, return_exceptions=True)
        wins = [o for o in outcomes if isinstance(o, records.RecordView)]
        told = [o for o in outcomes if isinstance(o, records.StaleEdit)]
        assert len(wins) == 1, outcomes
        assert len(told) == len(edits) - 1, outcomes
        assert all(f"after you opened version {current.version}" in str(t) for t in told)
        applied.append(wins[0].memo)
        stored = await records.get_record(CLIENT, record_id)
        assert stored.memo == wins[0].memo
        assert stored.version == current.version + 1
    changes = await records.history(CLIENT, record_id)
    assert [c.version for c in changes] == list(range(1, len(rounds) + 2))
    assert [c.after["record"]["PrivateNote"] for c in changes[1:]] == applied


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rounds=st.lists(st.lists(memos, min_size=1, max_size=5), min_size=1, max_size=4))
def test_concurrent_edits_one_wins_the_others_are_told(
    settings: Settings, rounds: list[list[str]]
) -> None:
    bind_tables(engine_for(settings.database_url))
    asyncio.run(_race(rounds))
