"""The job kinds and schedules Probity ships, put in a Registry for a composition root.

`build_registry(settings, store, plugins=...)` is what `probity worker` (bot.surfaces.worker)
and `probity serve` run, each with the Slack surface's plug-in; a root that wants more (an
audit checkpoint writer) passes its own plug-in or adds handlers to the registry returned.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.jobs.campaign_jobs import add_campaign_jobs
from bot.jobs.notices import purge_old_notices
from bot.jobs.queue import JobView, enqueue, purge_finished
from bot.jobs.registry import Registry, RegistryPlugin
from bot.jobs.reminders import ReminderPlan, send_late_digest, send_reminders
from bot.jobs.timing import TimingError
from bot.messages import say
from bot.store import Store
from bot.store.audit import record_event
from bot.store.models import Notice, ProcessedDelivery, utcnow

Clock = Callable[[], dt.datetime]

#: name -> (job kind, default timing). Names say what each does; times are local.
DEFAULT_SCHEDULES: dict[str, tuple[str, str]] = {
    "announce-reports": ("reports.announce", "every 1m"),
    # Every few minutes it asks whether the day's random batch moment has passed, and applies
    # reporters' waiting writes to the vault once a day (bot.reporting.vault.batch).
    "reporter-batch": ("reports.apply_batch", "every 5m"),
    "reporter-audit-batch": ("reports.audit_reporter_activity", "daily 00:15"),
    "reminders": ("reminders.send", "daily 08:00"),
    "late-digest": ("reminders.late_digest", "weekly mon 07:30"),
    "purge-drafts": ("drafts.purge", "every 1h"),
    "purge-deliveries": ("deliveries.purge", "daily 03:00"),
    "purge-jobs": ("jobs.purge", "daily 03:30"),
    # A keyed checkpoint of the audit chain, outside the database (bot.store.anchor).
    "audit-checkpoint": ("audit.checkpoint", "daily 23:55"),
}
#: Slack retries an event for a few minutes; two days of delivery keys is plenty.
DELIVERY_KEYS_KEPT = dt.timedelta(days=2)
FINISHED_JOBS_KEPT = dt.timedelta(days=7)
NOTICES_KEPT = dt.timedelta(days=90)


class ScheduleSettingError(ValueError):
    """PROBITY_SCHEDULES names an unknown schedule or gives a timing that cannot be read."""


def build_registry(settings: Settings, store: Store, *, clock: Clock = utcnow,
                   plugins: Iterable[RegistryPlugin] = ()) -> Registry:
    """Every built-in job kind and schedule, then each plug-in's (a surface's outbox: see
    bot.surfaces.slack.outbox.slack_jobs_plugin). Without a Slack plug-in, Slack jobs wait
    in the queue for a worker that has one."""
    registry = Registry()
    _add_reporting(registry, settings, store, clock)
    _add_audit(registry, settings)
    _add_reminders(registry, settings, clock)
    _add_housekeeping(registry, settings, clock)
    add_campaign_jobs(registry, clock, settings)
    for plug in plugins:
        plug(registry)
    for name, (kind, timing) in DEFAULT_SCHEDULES.items():
        registry.schedule(name, kind, timing)
    apply_schedule_settings(registry, settings.schedules)
    return registry


def apply_schedule_settings(registry: Registry, overrides: tuple[str, ...]) -> None:
    """Apply "name=timing" entries ("reminders=daily 07:00", "late-digest=off")."""
    known = {schedule.name for schedule in registry.schedules}
    for entry in overrides:
        name, sep, timing = entry.partition("=")
        name, timing = name.strip(), timing.strip()
        if not sep or name not in known:
            raise ScheduleSettingError(say("jobs.schedule_setting_wrong", entry=entry,
                                           names=", ".join(sorted(known))))
        try:
            registry.retime(name, None if timing.lower() == "off" else timing)
        except TimingError as error:
            raise ScheduleSettingError(say("jobs.schedule_setting_timing", problem=error)
                                       ) from None


def _add_audit(registry: Registry, settings: Settings) -> None:
    from bot.store.anchor import write_checkpoint

    registry.handle("audit.checkpoint",
                    lambda session, job: _discard(write_checkpoint(session, settings)))


def _add_reporting(registry: Registry, settings: Settings, store: Store,
                   clock: Clock) -> None:
    from bot.reporting.activity import audit_reporter_activity
    from bot.reporting.context import ReportingContext
    from bot.reporting.deadlines import acknowledge_due
    from bot.reporting.handling import announce_due
    from bot.reporting.vault.batch import apply_batch_if_due

    contexts: list[ReportingContext] = []

    def context() -> ReportingContext:
        # Built on first use: it reads the report key, which a worker may not need.
        if not contexts:
            contexts.append(ReportingContext.from_settings(settings, clock=clock))
        return contexts[0]

    def announce(session: Session, job: JobView) -> None:
        """Announce the reports the daily batch has brought; post each to the unit's channel."""
        for notice in announce_due(session, context()):
            if not settings.integrity_channel:
                continue
            due = acknowledge_due(notice.received_on)
            post = {
                "channel": settings.integrity_channel,
                "text": say("reminders.report_announced", reference=notice.reference,
                            due=f"{due.day} {due:%B %Y}"),
                "buttons": [{"label": say("reminders.action_read_report"),
                             "action": "read_report", "reference": notice.reference}],
            }
            # Day-only: the row must not date the report, even to within its delay.
            enqueue(session, "slack.post", post, run_at=clock(), day_only=True,
                    idempotency_key=f"report-announced:{notice.reference}")

    registry.handle("reports.announce", announce)
    # Outside a transaction: the batch opens its own and then VACUUMs the vault.
    registry.deliver("reports.apply_batch",
                     lambda job: _discard(apply_batch_if_due(store, context())))
    registry.handle("reports.audit_reporter_activity",
                    lambda session, job: _discard(audit_reporter_activity(session, context())))


def _add_reminders(registry: Registry, settings: Settings, clock: Clock) -> None:
    plans: list[ReminderPlan] = []

    def plan() -> ReminderPlan:
        if not plans:
            plans.append(reminder_plan(settings))
        return plans[0]

    def remind(session: Session, job: JobView) -> None:
        _audit_sent(session, send_reminders(session, plan(), clock(), registry.notice_delivery))

    def digest(session: Session, job: JobView) -> None:
        _audit_sent(session, send_late_digest(session, plan(), clock(),
                                              registry.notice_delivery))

    registry.handle("reminders.send", remind)
    registry.handle("reminders.late_digest", digest)


def _audit_sent(session: Session, notices: list[Notice]) -> None:
    """One audit event per run: how many reminders of each kind went out (never to whom)."""
    if notices:
        record_event(session, "system", "reminders.sent", "reminders",
                     dict(Counter(notice.kind for notice in notices)))


def reminder_plan(settings: Settings) -> ReminderPlan:
    """The reminder rules from settings and the workflow definitions."""
    from bot.casework.rules import CaseworkRules
    from bot.workflows.definitions import load_definitions, scan_policy_sections

    definitions = load_definitions(settings.workflows_dir,
                                   scan_policy_sections(settings.policies_dir))
    drafts = {name: definition.noun for name, definition in definitions.items()
              if definition.files == "declaration" and definition.persist_draft}
    return ReminderPlan(rules=CaseworkRules.from_settings(settings), draft_workflows=drafts)


def _add_housekeeping(registry: Registry, settings: Settings, clock: Clock) -> None:
    from bot.workflows.drafts import purge_expired_drafts

    def purge_deliveries(session: Session, job: JobView) -> None:
        session.execute(delete(ProcessedDelivery).where(
            ProcessedDelivery.at < clock() - DELIVERY_KEYS_KEPT))

    def purge_jobs(session: Session, job: JobView) -> None:
        now = clock()
        purge_finished(session, now - FINISHED_JOBS_KEPT)
        purge_old_notices(session, (now - NOTICES_KEPT).date())

    registry.handle("drafts.purge",
                    lambda session, job: _discard(purge_expired_drafts(session, clock())))
    registry.handle("deliveries.purge", purge_deliveries)
    registry.handle("jobs.purge", purge_jobs)


def _discard(_: object) -> None:
    return None
