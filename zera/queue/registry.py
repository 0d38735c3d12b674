"""Task definitions. Modules declare tasks with `@task`; a `JobQueue` turns them into actors on
its own broker, so nothing binds to a broker at import time."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


class PermanentError(Exception):
    """A failure that a retry cannot fix (bad input, a validation fault): never retried."""


@dataclass(frozen=True)
class TaskSpec:
    name: str
    fn: Callable[..., Any]
    options: dict[str, Any] = field(default_factory=dict)


TASKS: dict[str, TaskSpec] = {}

# Background work (webhook applies, scheduled syncs, housekeeping) waits on its own queue, so a
# backlog of it never stands in front of what a person asked for: every worker consumes both
# queues (each with its own small prefetch), and among the messages a worker holds Dramatiq
# starts the lowest priority number first. Both hold on every broker: queues are Dramatiq's own
# and the priority order is the Worker's, not the broker's.
BACKGROUND_QUEUE = "background"
BACKGROUND_PRIORITY = 100  # user actions keep Dramatiq's default, 0


def task(
    *, max_retries: int = 5, time_limit_seconds: int = 600, background: bool = False, **options: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a task. Tasks take ids, not objects, and must be safe to run twice.

    `background=True` puts it behind user actions (see BACKGROUND_QUEUE)."""
    placement = (
        {"queue_name": BACKGROUND_QUEUE, "priority": BACKGROUND_PRIORITY} if background else {}
    )

    def declare(fn: Callable[..., Any]) -> Callable[..., Any]:
        TASKS[fn.__name__] = TaskSpec(
            fn.__name__,
            fn,
            {
                "max_retries": max_retries,
                "time_limit": time_limit_seconds * 1000,
                "throws": (PermanentError,),
                **placement,
                **options,
            },
        )
        return fn

    return declare
