"""What tasks need from their process: the settings and the QuickBooks services built from them.

Built once per process (by `create_app` and by `zera worker`) from the frozen settings and given
to that process's `JobQueue`, which hands it to each task in its `JobRun`: a task never reads the
environment itself, and nothing here is global.
"""

from __future__ import annotations

from dataclasses import dataclass

from zera.qbo.service import QuickBooks
from zera.settings import Settings


@dataclass(frozen=True)
class TaskContext:
    settings: Settings
    quickbooks: QuickBooks
