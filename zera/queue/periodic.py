"""Claiming periodic runs: one row per periodic job in `periodic_run` holds when it is next due.

A process takes a due run with a conditional UPDATE (only one process's update matches the old
due time), so two workers never start the same run twice.
"""

from __future__ import annotations

from zera.db.tables import PeriodicRun


async def claim_periodic_run(name: str, every_seconds: int, now: float) -> bool:
    """Take the run of `name` if it is due at `now` and nobody else took it; schedule the next."""
    row = (
        await PeriodicRun.select(PeriodicRun.next_at).where(PeriodicRun.name == name).first().run()
    )
    if row is None:
        await (
            PeriodicRun.insert(PeriodicRun(name=name, next_at=now))
            .on_conflict(action="DO NOTHING")
            .run()
        )
        row = {"next_at": now}
    if row["next_at"] > now:
        return False
    taken = (
        await PeriodicRun.update({PeriodicRun.next_at: now + every_seconds})
        .where((PeriodicRun.name == name) & (PeriodicRun.next_at == row["next_at"]))
        .returning(PeriodicRun.name)
        .run()
    )
    return bool(taken)
