"""What tasks need from their process: the settings and the QuickBooks services built from them.

Installed once per process (by `create_app` and by `zera worker`) from the frozen settings, so a
task never reads the environment itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from zera.qbo.service import QuickBooks
from zera.settings import Settings


@dataclass(frozen=True)
class TaskContext:
    settings: Settings
    quickbooks: QuickBooks


_installed: list[TaskContext] = []


def install(context: TaskContext) -> None:
    _installed[:] = [context]


def current() -> TaskContext:
    if not _installed:
        raise RuntimeError("no task context installed in this process")
    return _installed[0]
