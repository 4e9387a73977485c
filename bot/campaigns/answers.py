"""Taking a person from "I have read and understood it" to the recorded acknowledgement,
through each policy's check question where the policy has one.

Acknowledging asks the first unanswered check; a right answer moves to the next, and when
none is left the acknowledgement is recorded with how many answers each check took. A
wrong answer shows the section that explains it and the question again: there is no limit
and no lock-out, and which answers were wrong is not kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.campaigns.checks import Check
from bot.campaigns.models import POLICY, Campaign, CheckProgress
from bot.campaigns.service import CampaignError, acknowledge, finished_people, recipient_of
from bot.store.models import Person


@dataclass(frozen=True)
class Asked:
    """A check question put to a person: which campaign and policy (its index in the
    campaign's documents), and the check itself."""

    campaign_id: int
    index: int
    document: Mapping[str, Any]
    check: Check


@dataclass(frozen=True)
class Step:
    """Where acknowledging stands after a press or a reply."""

    #: The acknowledgement was recorded by this step.
    recorded: bool = False
    #: It had been recorded already; nothing more is needed.
    already: bool = False
    #: The check to ask now.
    ask: Asked | None = None
    #: The check just answered wrongly (its section is shown before it is asked again).
    wrong: Asked | None = None
    #: The check just answered rightly, before the next one or the recording.
    right: Asked | None = None


def begin(session: Session, campaign_id: int, person: Person, how: str,
          now: dt.datetime) -> Step:
    """The person says they have read and understood the campaign's policies (`how`: the
    button, their words): the next check to ask, or the acknowledgement recorded."""
    campaign, person_id = _campaign_of(session, campaign_id, person)
    if _acknowledged(session, campaign, person_id):
        return Step(already=True)
    return _onwards(session, campaign, person, person_id, how, now)


def _onwards(session: Session, campaign: Campaign, person: Person, person_id: int, how: str,
             now: dt.datetime) -> Step:
    """For someone who has not yet acknowledged: the next check, or the recording."""
    progress = _progress(session, campaign.id, person_id)
    for asked in checks_of(campaign):
        subject = asked.document["key"]
        if subject in progress and progress[subject].passed_at is not None:
            continue
        if subject not in progress:
            _start(session, campaign.id, person_id, subject, how)
        return Step(ask=asked)
    # Recorded as the person first set out to acknowledge (a button, their words).
    first = min(progress.values(), key=lambda row: row.id).how if progress else how
    return Step(recorded=acknowledge(session, campaign.id, person, first, now))


def answer(session: Session, campaign_id: int, person: Person, index: int, option: int,
           how: str, now: dt.datetime) -> Step:
    """The person's answer (`option`, an index) to the check of the campaign's `index`th
    policy: right moves on (to the next check or the recording), wrong asks again."""
    campaign, person_id = _campaign_of(session, campaign_id, person)
    asked = next((item for item in checks_of(campaign) if item.index == index), None)
    if asked is None or not 0 <= option < len(asked.check.options):
        raise CampaignError("campaigns.no_such_check", id=campaign_id)
    if _acknowledged(session, campaign, person_id):
        return Step(already=True)
    subject = asked.document["key"]
    row_id = _start(session, campaign.id, person_id, subject, how)
    right = asked.check.is_right(option)
    # Counted in the database, and only until the right answer: a right answer pressed
    # twice at once (a double click, a retried request) is one attempt.
    session.execute(update(CheckProgress).where(
        CheckProgress.id == row_id, CheckProgress.passed_at.is_(None)).values(
        attempts=CheckProgress.attempts + 1, passed_at=now if right else None))
    if not right:
        return Step(ask=asked, wrong=asked)
    then = _onwards(session, campaign, person, person_id, how, now)
    return Step(recorded=then.recorded, already=then.already, ask=then.ask, right=asked)


def asked_now(session: Session, campaign: Campaign, person: Person) -> Asked | None:
    """The check the person has been asked and not yet answered rightly, if any: a reply
    typed now may be its answer."""
    if campaign.kind != POLICY:
        return None
    person_id = recipient_of(session, campaign.id, person).person_id
    if _acknowledged(session, campaign, person_id):
        return None
    progress = _progress(session, campaign.id, person_id)
    return next((asked for asked in checks_of(campaign)
                 if asked.document["key"] in progress
                 and progress[asked.document["key"]].passed_at is None), None)


def checks_of(campaign: Campaign) -> list[Asked]:
    """The campaign's policies that carry a check, in the campaign's order."""
    found = []
    for index, document in enumerate(campaign.documents):
        check = Check.from_record(document.get("check"))
        if check is not None:
            found.append(Asked(campaign.id, index, document, check))
    return found


def _campaign_of(session: Session, campaign_id: int, person: Person) -> tuple[Campaign, int]:
    person_id = recipient_of(session, campaign_id, person).person_id
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None  # the recipient row's foreign key
    if campaign.kind != POLICY:
        raise CampaignError("campaigns.not_a_policy_campaign", id=campaign_id)
    return campaign, person_id


def _acknowledged(session: Session, campaign: Campaign, person_id: int) -> bool:
    return person_id in finished_people(session, campaign, [person_id])


def _progress(session: Session, campaign_id: int, person_id: int) -> dict[str, CheckProgress]:
    # Read afresh: an answer's count is updated in the database, not on loaded rows.
    return {row.subject: row for row in session.scalars(select(CheckProgress).where(
        CheckProgress.campaign_id == campaign_id, CheckProgress.person_id == person_id)
        .execution_options(populate_existing=True))}


def _start(session: Session, campaign_id: int, person_id: int, subject: str, how: str) -> int:
    """The person's progress row for one check (made now if new), by id."""
    def existing() -> int | None:
        return session.scalars(select(CheckProgress.id).where(
            CheckProgress.campaign_id == campaign_id, CheckProgress.person_id == person_id,
            CheckProgress.subject == subject)).first()

    found = existing()
    if found is not None:
        return found
    try:
        with session.begin_nested():
            row = CheckProgress(campaign_id=campaign_id, person_id=person_id, subject=subject,
                                how=how, attempts=0)
            session.add(row)
        return row.id
    except IntegrityError:
        found = existing()  # the same press arrived twice at once: the first one's row
        assert found is not None
        return found
