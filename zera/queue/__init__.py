"""Background jobs: Dramatiq with a broker chosen by URL, and the job table."""

from zera.queue.jobs import JobView, job_for_user, jobs_by_id, recent_jobs, report_progress
from zera.queue.registry import JobRun, PermanentError, TaskSpec, task
from zera.queue.runtime import JobQueue

__all__ = [
    "JobQueue",
    "JobRun",
    "JobView",
    "PermanentError",
    "TaskSpec",
    "job_for_user",
    "jobs_by_id",
    "recent_jobs",
    "report_progress",
    "task",
]
