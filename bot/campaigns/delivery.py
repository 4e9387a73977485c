"""What the job runner sends for campaigns: the first message, reminders, escalations.

These functions decide and mark, in the caller's transaction; bot.jobs.builtin turns what
they return into `slack.dm` jobs (paced for Slack's limits) and notices. People in the
terminal need no message: `probity chat` shows their open campaigns when a session starts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.campaigns.models import POLICY, Campaign, CampaignRecipient
from bot.campaigns.service import Pending, finished_people, outstanding_people, pending_for
from bot.campaigns.words import announcement, choices, day
from bot.store.models import Person

#: Surfaces that are sent messages; others show open campaigns when the person next comes.
PUSHED = frozenset({"slack"})
#: How many first messages one fan-out job plans; the schedule's next run takes the rest.
FAN_OUT_BATCH = 10_000


@dataclass(frozen=True)
class Outgoing:
    """One direct message to one person, with its buttons and its idempotency key."""

    person: Person
    text: str
    buttons: tuple[dict[str, str], ...]
    key: str


@dataclass(frozen=True)
class Escalation:
    """A line manager's notice of their team's outstanding people, once per period."""

    manager: Person
    campaign: Campaign
    period: str
    fields: dict[str, Any] = field(default_factory=dict)


def first_messages(session: Session, today: dt.date) -> list[Outgoing]:
    """Everyone not yet told of their campaigns, now marked as told."""
    rows = session.execute(
        select(CampaignRecipient, Person).join(Person, Person.id == CampaignRecipient.person_id)
        .where(CampaignRecipient.notified_on.is_(None)).order_by(CampaignRecipient.id)
        .limit(FAN_OUT_BATCH)).all()
    sent = []
    finished: dict[int, set[int]] = {}
    for recipient, person in rows:
        recipient.notified_on = today
        if person.surface not in PUSHED:
            continue
        campaign = session.get(Campaign, recipient.campaign_id)
        assert campaign is not None  # the recipient's foreign key
        if campaign.id not in finished:
            finished[campaign.id] = finished_people(session, campaign)
        if recipient.person_id in finished[campaign.id]:
            continue  # acknowledged on another surface before the message went out
        message = _message(session, person, campaign, "notify", reminder=False)
        if message is not None:
            sent.append(message)
    return sent


def reminders(session: Session, today: dt.date) -> tuple[list[Outgoing], list[Escalation]]:
    """Reminders to the people still outstanding, every campaign's `reminder_days` from
    when they were told, until the due date; after it, one notice a week to each line
    manager listing their team's outstanding people. Nobody who has finished hears more."""
    outgoing: list[Outgoing] = []
    escalations: list[Escalation] = []
    for campaign in session.scalars(select(Campaign).order_by(Campaign.id)):
        left = outstanding_people(session, campaign)
        if today <= campaign.due_on:
            for recipient in left:
                last = recipient.reminded_on or recipient.notified_on
                if last is None or (today - last).days < campaign.reminder_days:
                    continue
                recipient.reminded_on = today
                person = session.get(Person, recipient.person_id)
                if person is None or person.surface not in PUSHED:
                    continue
                message = _message(session, person, campaign, f"remind:{today}",
                                   reminder=True)
                if message is not None:
                    outgoing.append(message)
            continue
        escalations += _escalations(session, campaign, left, today)
    return outgoing, escalations


def _escalations(session: Session, campaign: Campaign, left: list[CampaignRecipient],
                 today: dt.date) -> list[Escalation]:
    by_manager: dict[int, list[str]] = defaultdict(list)
    for recipient in left:
        if recipient.line_manager_id is not None:
            person = session.get(Person, recipient.person_id)
            if person is not None:
                by_manager[recipient.line_manager_id].append(person.display_name)
    week = today.isocalendar()
    found = []
    for manager_id, names in sorted(by_manager.items()):
        manager = session.get(Person, manager_id)
        if manager is None:
            continue
        found.append(Escalation(manager, campaign, f"{week.year}-W{week.week:02d}", {
            "title": campaign.title, "due": day(campaign.due_on), "count": len(names),
            "people": ", ".join(sorted(names)), "id": campaign.id}))
    return found


def _message(session: Session, person: Person, campaign: Campaign, occasion: str, *,
             reminder: bool) -> Outgoing | None:
    """The message for an outstanding person. A policy campaign says the same to everyone;
    an annual return lists the person's own business interests."""
    if campaign.kind == POLICY:
        pending: Pending | None = Pending(campaign)
    else:
        pending = next((item for item in pending_for(session, person)
                        if item.campaign.id == campaign.id), None)
    if pending is None:
        return None
    campaign_id = campaign.id
    return Outgoing(person, announcement(pending, reminder=reminder),
                    tuple({"label": choice.label, "action": "campaign", "reference": choice.value}
                          for choice in choices(pending)),
                    f"campaign:{campaign_id}:{occasion}:{person.id}")
