"""Task definitions. Modules declare tasks with `@task`; a `JobQueue` turns them into actors on
its own broker, so nothing binds to a broker at import time.

`@task` returns the task's `TaskSpec`: callers send it with `await spec.send(queue, ...)`, whose
arguments mypy checks against the task's own parameters, instead of naming the actor in a string.
"""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec

if TYPE_CHECKING:
    from zera.queue.runtime import JobQueue
    from zera.tasks.context import TaskContext

P = ParamSpec("P")


class PermanentError(Exception):
    """A failure that a retry cannot fix (bad input, a validation fault): never retried."""


@dataclass(frozen=True)
class JobRun:
    """What a running task gets besides its message: its job row's id and its process's context.

    The context comes from the `JobQueue` running the task, never from a global."""

    job_id: str
    task_context: TaskContext | None = None

    @property
    def context(self) -> TaskContext:
        if self.task_context is None:
            raise RuntimeError("this JobQueue was built without a TaskContext")
        return self.task_context


@dataclass(frozen=True)
class TaskSpec(Generic[P]):
    """A declared task: what a worker runs under `name`, and a typed way to send it."""

    name: str  # the Dramatiq actor name: messages already queued carry it, so it never changes
    fn: Callable[Concatenate[JobRun, P], Any]
    title: str  # what the job list shows
    options: dict[str, Any] = field(default_factory=dict)
    delay_seconds: float = 0

    def with_options(
        self, *, title: str | None = None, delay_seconds: float | None = None
    ) -> TaskSpec[P]:
        """This task with another job title or a delay before it may start."""
        return replace(
            self,
            title=self.title if title is None else title,
            delay_seconds=self.delay_seconds if delay_seconds is None else delay_seconds,
        )

    async def send(self, queue: JobQueue, /, *args: P.args, **kwargs: P.kwargs) -> uuid.UUID:
        """Record a job and send this task's message; return the job id. A `client_id`
        argument also makes it that client's job."""
        arguments = inspect.signature(self.fn).bind(None, *args, **kwargs).arguments
        message = dict(list(arguments.items())[1:])  # the JobRun is the worker's to supply
        client_id = message.pop("client_id", None)
        return await queue.enqueue(
            self.name,
            title=self.title,
            client_id=client_id,
            delay_seconds=self.delay_seconds,
            **message,
        )


TASKS: dict[str, TaskSpec[...]] = {}

# Background work (webhook applies, scheduled syncs, housekeeping) waits on its own queue, so a
# backlog of it never stands in front of what a person asked for: every worker consumes both
# queues (each with its own small prefetch), and among the messages a worker holds Dramatiq
# starts the lowest priority number first. Both hold on every broker: queues are Dramatiq's own
# and the priority order is the Worker's, not the broker's.
BACKGROUND_QUEUE = "background"
BACKGROUND_PRIORITY = 100  # user actions keep Dramatiq's default, 0


def task(
    *,
    title: str,
    max_retries: int = 5,
    time_limit_seconds: int = 600,
    background: bool = False,
    **options: Any,
) -> Callable[[Callable[Concatenate[JobRun, P], Any]], TaskSpec[P]]:
    """Declare a task named after its function, shown in the job list as `title`. Tasks take
    a `JobRun` then ids, not objects, and must be safe to run twice.

    `background=True` puts it behind user actions (see BACKGROUND_QUEUE)."""
    placement = (
        {"queue_name": BACKGROUND_QUEUE, "priority": BACKGROUND_PRIORITY} if background else {}
    )

    def declare(fn: Callable[Concatenate[JobRun, P], Any]) -> TaskSpec[P]:
        spec = TaskSpec(
            fn.__name__,
            fn,
            title,
            {
                "max_retries": max_retries,
                "time_limit": time_limit_seconds * 1000,
                "throws": (PermanentError,),
                **placement,
                **options,
            },
        )
        TASKS[spec.name] = spec
        return spec

    return declare
