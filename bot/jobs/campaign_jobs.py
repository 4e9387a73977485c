"""Campaign fan-out and reminders as jobs: bot.campaigns decides who hears what; this
module queues the Slack messages at a pace Slack accepts, and the managers' notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.campaigns.delivery import Outgoing, first_messages, reminders
from bot.campaigns.service import AnnualReturnPlan
from bot.config import Settings
from bot.jobs.notices import Reminder, add_notice
from bot.jobs.queue import JobView, enqueue
from bot.jobs.registry import Registry
from bot.store.audit import record_event
from bot.store.models import Job

Clock = Callable[[], dt.datetime]
DM = "slack.dm"
#: chat.postMessage allows about one message a second per channel, and every DM is its own
#: channel; the workspace-wide ceiling is "several hundred a minute", so campaign DMs are
#: spaced to 240 a minute and a 429's Retry-After (bot.surfaces.slack.outbox) does the rest.
DMS_PER_MINUTE = 240
KEY_PREFIX = "campaign:"

SCHEDULES = {
    "campaign-fan-out": ("campaigns.fan_out", "every 1m"),
    "campaign-reminders": ("campaigns.remind", "daily 09:00"),
    "campaign-annual-return": ("campaigns.annual_return", "daily 06:00"),
}
PLAN_FILE = "campaigns.yaml"


def add_campaign_jobs(registry: Registry, clock: Clock, settings: Settings | None = None,
                      per_minute: int = DMS_PER_MINUTE) -> None:
    """The campaign job kinds and schedules; the annual return needs `settings` (its plan
    in the knowledge folder, and the directory of who to ask)."""
    def fan_out(session: Session, job: JobView) -> None:
        now = clock()
        sent = queue_paced(session, first_messages(session, now.date()), now, per_minute)
        if sent:
            record_event(session, "system", "campaign.messages_queued", None,
                         {"first_messages": sent}, at=now)

    def remind(session: Session, job: JobView) -> None:
        now = clock()
        outgoing, escalations = reminders(session, now.date())
        sent = queue_paced(session, outgoing, now, per_minute)
        escalated = 0
        for escalation in escalations:
            notice = add_notice(session, Reminder(
                kind="campaign_escalation", subject=f"campaign:{escalation.campaign.id}",
                person=escalation.manager, text_key="campaigns.escalation",
                period=escalation.period, fields=escalation.fields), now.date())
            if notice is None:
                continue
            escalated += 1
            deliver = registry.notice_delivery(escalation.manager.surface)
            if deliver is not None:
                deliver(session, notice, escalation.manager)
        if sent or escalated:
            record_event(session, "system", "campaign.reminders_sent", None,
                         {"reminders": sent, "escalations": escalated}, at=now)

    def annual_return(session: Session, job: JobView) -> None:
        if settings is None:
            return
        plan = AnnualReturnPlan.load(settings.knowledge_dir / PLAN_FILE)
        plan.start_if_due(session, settings.directory_file, clock().date())

    registry.handle("campaigns.annual_return", annual_return)
    registry.handle("campaigns.fan_out", fan_out)
    registry.handle("campaigns.remind", remind)
    for name, (kind, timing) in SCHEDULES.items():
        registry.schedule(name, kind, timing)


def queue_paced(session: Session, outgoing: list[Outgoing], now: dt.datetime,
                per_minute: int) -> int:
    """A `slack.dm` job per message, each `60 / per_minute` seconds after the last campaign
    DM already queued, so one campaign to thousands never bursts past Slack's limits."""
    if not outgoing:
        return 0
    latest = session.scalar(select(func.max(Job.run_at)).where(
        Job.kind == DM, Job.state == "queued", Job.idempotency_key.like(f"{KEY_PREFIX}%")))
    start = max(now, latest) if latest is not None else now
    gap = dt.timedelta(seconds=60 / per_minute)
    for index, message in enumerate(outgoing, start=1):
        enqueue(session, DM, {"user": message.person.surface_id, "text": message.text,
                              "buttons": list(message.buttons)},
                idempotency_key=message.key, run_at=start + gap * index)
    return len(outgoing)
