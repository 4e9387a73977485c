"""The background job runner: jobs and schedules as rows in the store, reminders as notices.

    from bot.jobs import enqueue
    enqueue(session, "slack.dm", {"user": "U123", "text": "..."}, idempotency_key="...")

Handlers are registered by kind on a Registry the composition root fills (see
bot.jobs.builtin.build_registry); a Worker runs them. docs/jobs.md says more.
"""

from bot.jobs.queue import GiveUp, JobView, RetryLater, enqueue
from bot.jobs.registry import Registry, Schedule
from bot.jobs.worker import Worker

__all__ = ["GiveUp", "JobView", "Registry", "RetryLater", "Schedule", "Worker", "enqueue"]
