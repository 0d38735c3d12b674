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


def task(
    *, max_retries: int = 5, time_limit_seconds: int = 600, **options: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a task. Tasks take ids, not objects, and must be safe to run twice."""

    def declare(fn: Callable[..., Any]) -> Callable[..., Any]:
        TASKS[fn.__name__] = TaskSpec(
            fn.__name__,
            fn,
            {
                "max_retries": max_retries,
                "time_limit": time_limit_seconds * 1000,
                "throws": (PermanentError,),
                **options,
            },
        )
        return fn

    return declare
