"""Starting campaigns, recording acknowledgements and returns, and reading completion."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.campaigns.audience import Audience, same_human
from bot.campaigns.checks import CheckError, policy_check
from bot.campaigns.models import (
    ANNUAL_RETURN,
    POLICY,
    Acknowledgement,
    Campaign,
    CampaignRecipient,
    CheckProgress,
)
from bot.campaigns.policies import document_record, find_policy, policy_key
from bot.casework.rules import add_months
from bot.messages import say
from bot.store.audit import record_event
from bot.store.models import Declaration, DeclarationKind, DeclarationStatus, Person
from bot.yamlio import load_yaml_file

DEFAULT_DUE_DAYS = 28
DEFAULT_REMINDER_DAYS = 7
#: What an annual return's acknowledgement row is about, beside business interests' refs.
RETURN_SUBJECT = "return"
#: How long after its day a missed annual return still starts by itself.
START_WINDOW = dt.timedelta(days=7)
#: Statuses of a business interest that stands and is reviewed each year.
STANDING_INTERESTS = (DeclarationStatus.APPROVED, DeclarationStatus.APPROVED_WITH_CONDITIONS)


class CampaignError(ValueError):
    """A campaign step that cannot be taken; `key` and `fields` word it for the person."""

    def __init__(self, key: str, **fields: object) -> None:
        super().__init__(key)
        self.key = key
        self.fields = fields

    def __str__(self) -> str:
        return say(self.key, **self.fields)


def start_campaign(session: Session, policies_dir: Path, wanted: Sequence[str],
                   audience: Audience, directory_file: Path | None, *, actor: str,
                   today: dt.date, due_days: int = DEFAULT_DUE_DAYS,
                   reminder_days: int = DEFAULT_REMINDER_DAYS) -> Campaign:
    """A campaign for the current versions of `wanted` policies, for `audience`.

    Each policy's sections are kept with the campaign; when an earlier campaign holds
    another version of the same policy, the sections that changed are worked out now.
    """
    documents = []
    for name in wanted:
        try:
            document, path = find_policy(policies_dir, name)
        except LookupError:
            raise CampaignError("campaigns.no_such_policy", policy=name) from None
        record = document_record(document, path, _previous(session, policy_key(document, path)))
        try:
            record["check"] = policy_check(path, record)
        except CheckError as problem:
            raise CampaignError(problem.key, **problem.fields) from None
        documents.append(record)
    campaign = Campaign(
        kind=POLICY, policy=", ".join(d["key"] for d in documents),
        title="; ".join(d["title"] for d in documents), documents=documents,
        audience=audience.label, started_by=actor, started_on=today,
        due_on=today + dt.timedelta(days=due_days), reminder_days=reminder_days)
    return _open(session, campaign, audience, directory_file, actor)


def start_annual_return(session: Session, audience: Audience, directory_file: Path | None, *,
                        actor: str, today: dt.date, due_days: int = DEFAULT_DUE_DAYS,
                        reminder_days: int = DEFAULT_REMINDER_DAYS) -> Campaign:
    """This year's return for `audience`; a second start in the same year is refused."""
    taken = session.scalars(select(Campaign.id).where(
        Campaign.kind == ANNUAL_RETURN, Campaign.year == today.year)).first()
    if taken is not None:
        raise CampaignError("campaigns.return_exists", year=today.year, id=taken)
    campaign = Campaign(
        kind=ANNUAL_RETURN, policy=ANNUAL_RETURN, title=say("campaigns.return_title",
                                                            year=today.year),
        documents=[], audience=audience.label, started_by=actor, started_on=today,
        due_on=today + dt.timedelta(days=due_days), reminder_days=reminder_days,
        year=today.year)
    return _open(session, campaign, audience, directory_file, actor)


def _open(session: Session, campaign: Campaign, audience: Audience,
          directory_file: Path | None, actor: str) -> Campaign:
    people = audience.select(session, directory_file)
    if not people:
        raise CampaignError("campaigns.nobody", audience=audience.label)
    session.add(campaign)
    session.flush()
    session.add_all(CampaignRecipient(campaign_id=campaign.id, person_id=person.id,
                                      team=person.team, line_manager_id=person.line_manager_id)
                    for person in people)
    record_event(session, actor, "campaign.started", f"campaign:{campaign.id}", {
        "kind": campaign.kind, "policy": campaign.policy, "audience": campaign.audience,
        "people": len(people), "due": campaign.due_on.isoformat(),
        "versions": {d["key"]: d["version"] for d in campaign.documents}})
    return campaign


def _previous(session: Session, key: str) -> dict[str, Any] | None:
    """The policy's record in the latest campaign that held it."""
    for campaign in session.scalars(select(Campaign).where(Campaign.kind == POLICY)
                                    .order_by(Campaign.id.desc())):
        for document in campaign.documents:
            if document.get("key") == key:
                return dict(document)
    return None


# -- what a person has to do ------------------------------------------------------------

@dataclass(frozen=True)
class Pending:
    """A campaign a person has not finished, and what is left of it."""

    campaign: Campaign
    #: Annual returns: the person's standing business interests not yet confirmed.
    interests: tuple[str, ...] = ()
    #: Whether the return itself (nil or a declaration) is still to be made.
    return_open: bool = True


def pending_for(session: Session, person: Person) -> list[Pending]:
    """The person's campaigns with something left to do, oldest first."""
    ids = same_human(session, person)
    rows = session.execute(
        select(Campaign, CampaignRecipient.person_id).join(
            CampaignRecipient, CampaignRecipient.campaign_id == Campaign.id)
        .where(CampaignRecipient.person_id.in_(ids)).order_by(Campaign.id)).all()
    found: list[Pending] = []
    for campaign, _ in rows:
        done = set(session.scalars(select(Acknowledgement.subject).where(
            Acknowledgement.campaign_id == campaign.id, Acknowledgement.person_id.in_(ids))))
        if campaign.kind == POLICY:
            if not {d["key"] for d in campaign.documents} <= done:
                found.append(Pending(campaign))
            continue
        interests = tuple(ref for ref in standing_interests(session, ids) if ref not in done)
        return_open = RETURN_SUBJECT not in done
        if interests or return_open:
            found.append(Pending(campaign, interests, return_open))
    return found


def standing_interests(session: Session, person_ids: Sequence[int]) -> list[str]:
    return list(session.scalars(select(Declaration.reference).where(
        Declaration.person_id.in_(person_ids),
        Declaration.kind == DeclarationKind.BUSINESS_INTEREST,
        Declaration.status.in_(STANDING_INTERESTS)).order_by(Declaration.id)))


def recipient_of(session: Session, campaign_id: int, person: Person) -> CampaignRecipient:
    """The person's place in the campaign (as any of their surfaces), or CampaignError."""
    found = session.scalars(select(CampaignRecipient).where(
        CampaignRecipient.campaign_id == campaign_id,
        CampaignRecipient.person_id.in_(same_human(session, person)))).first()
    if found is None:
        raise CampaignError("campaigns.not_yours", id=campaign_id)
    return found


def acknowledge(session: Session, campaign_id: int, person: Person, how: str,
                now: dt.datetime) -> bool:
    """Record that the person has read and understood every policy of the campaign; False
    when it was already recorded (a second press, a retried request)."""
    recipient = recipient_of(session, campaign_id, person)
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None  # the recipient row's foreign key
    if campaign.kind != POLICY:
        raise CampaignError("campaigns.not_a_policy_campaign", id=campaign_id)
    attempts = passed_attempts(session, campaign.id, recipient.person_id)
    added = [document["key"] for document in campaign.documents
             if _record(session, campaign, recipient.person_id, document["key"],
                        document.get("version"), how, now, attempts.get(document["key"]))]
    if added:
        details: dict[str, Any] = {"how": how, "versions": {
            d["key"]: d.get("version") for d in campaign.documents if d["key"] in added}}
        if attempts:
            details["check_attempts"] = {key: attempts[key] for key in added if key in attempts}
        record_event(session, f"person:{recipient.person_id}", "campaign.acknowledged",
                     f"campaign:{campaign.id}", details, at=now)
    return bool(added)


def passed_attempts(session: Session, campaign_id: int, person_id: int) -> dict[str, int]:
    """How many answers each check the person has passed took them, by policy key (the
    checks themselves are taken in bot.campaigns.answers)."""
    return {subject: attempts for subject, attempts in session.execute(
        select(CheckProgress.subject, CheckProgress.attempts).where(
            CheckProgress.campaign_id == campaign_id, CheckProgress.person_id == person_id,
            CheckProgress.passed_at.is_not(None)))}


def make_return(session: Session, campaign_id: int, person: Person, how: str,
                now: dt.datetime, interest: str | None = None,
                review_months: int = 12) -> bool:
    """Record the annual return ("nil_return" or "declaration_started"), or, with
    `interest`, that business interest confirmed unchanged ("interest_unchanged", which
    counts as its yearly review) or changed ("interest_changed")."""
    recipient = recipient_of(session, campaign_id, person)
    campaign = session.get(Campaign, campaign_id)
    assert campaign is not None
    if campaign.kind != ANNUAL_RETURN:
        raise CampaignError("campaigns.not_a_return", id=campaign_id)
    subject = RETURN_SUBJECT
    declaration = None
    if interest is not None:
        declaration = session.scalars(select(Declaration).where(
            Declaration.reference == interest,
            Declaration.person_id.in_(same_human(session, person)))).first()
        if declaration is None:
            raise CampaignError("campaigns.not_your_interest", reference=interest)
        subject = declaration.reference
    if not _record(session, campaign, recipient.person_id, subject, None, how, now):
        return False
    actor = f"person:{recipient.person_id}"
    record_event(session, actor, "campaign.returned", f"campaign:{campaign.id}",
                 {"how": how, "subject": subject}, at=now)
    if declaration is not None and how == "interest_unchanged":
        before = declaration.review_due
        declaration.review_due = add_months(now.date(), review_months)
        record_event(session, actor, "declaration.review_confirmed", declaration.reference, {
            "campaign": campaign.id, "review_due_was": before and before.isoformat(),
            "review_due": declaration.review_due.isoformat()}, at=now)
    return True


def _record(session: Session, campaign: Campaign, person_id: int, subject: str,
            version: str | None, how: str, now: dt.datetime,
            check_attempts: int | None = None) -> bool:
    exists = session.scalars(select(Acknowledgement.id).where(
        Acknowledgement.campaign_id == campaign.id, Acknowledgement.person_id == person_id,
        Acknowledgement.subject == subject)).first()
    if exists is not None:
        return False
    try:
        with session.begin_nested():
            session.add(Acknowledgement(campaign_id=campaign.id, person_id=person_id,
                                        subject=subject, version=version, at=now, how=how,
                                        check_attempts=check_attempts))
    except IntegrityError:
        return False  # the same press arrived twice at once: the first one counts
    return True


# -- completion --------------------------------------------------------------------------

@dataclass
class TeamCompletion:
    team: str
    audience: int = 0
    acknowledged: int = 0

    @property
    def outstanding(self) -> int:
        return self.audience - self.acknowledged


@dataclass
class CampaignStatus:
    id: int
    kind: str
    policy: str
    title: str
    started_on: dt.date
    due_on: dt.date
    audience: int
    acknowledged: int
    overdue: bool
    teams: list[TeamCompletion] = field(default_factory=list)

    @property
    def outstanding(self) -> int:
        return self.audience - self.acknowledged

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "policy": self.policy, "title": self.title,
                "started": self.started_on.isoformat(), "due": self.due_on.isoformat(),
                "audience": self.audience, "acknowledged": self.acknowledged,
                "outstanding": self.outstanding,
                "overdue": self.outstanding if self.overdue else 0,
                "by_team": [{"team": team.team, "audience": team.audience,
                             "acknowledged": team.acknowledged,
                             "outstanding": team.outstanding} for team in self.teams]}


def completion(session: Session, today: dt.date,
               campaign_id: int | None = None) -> list[CampaignStatus]:
    """Each campaign's audience and how many have finished it, overall and by team. A
    person has finished a policy campaign when every policy in it is acknowledged, and an
    annual return when the return is made (interests are counted in the export)."""
    query = select(Campaign).order_by(Campaign.id)
    if campaign_id is not None:
        query = query.where(Campaign.id == campaign_id)
    statuses = []
    for campaign in session.scalars(query):
        done = finished_people(session, campaign)
        teams: dict[str, TeamCompletion] = {}
        total = Counter[str]()
        for person_id, team in session.execute(
                select(CampaignRecipient.person_id, CampaignRecipient.team).where(
                    CampaignRecipient.campaign_id == campaign.id)):
            name = team or say("campaigns.no_team")
            row = teams.setdefault(name, TeamCompletion(name))
            row.audience += 1
            total["audience"] += 1
            if person_id in done:
                row.acknowledged += 1
                total["done"] += 1
        statuses.append(CampaignStatus(
            campaign.id, campaign.kind, campaign.policy, campaign.title, campaign.started_on,
            campaign.due_on, total["audience"], total["done"], today > campaign.due_on,
            sorted(teams.values(), key=lambda t: t.team)))
    return statuses


EXPORT_COLUMNS = ("campaign", "policy", "name", "team", "rank_or_grade", "subject", "version",
                  "acknowledged_at", "how", "check_attempts")


def export_rows(session: Session, campaign_id: int | None) -> list[dict[str, Any]]:
    """One row per recipient and thing acknowledged (blank when outstanding), by team; for
    every campaign in turn when `campaign_id` is None."""
    if campaign_id is None:
        return [row for found in session.scalars(select(Campaign.id).order_by(Campaign.id))
                for row in export_rows(session, found)]
    campaign = session.get(Campaign, campaign_id)
    if campaign is None:
        raise CampaignError("campaigns.no_such_campaign", id=campaign_id)
    given: dict[int, list[Acknowledgement]] = defaultdict(list)
    for row in session.scalars(select(Acknowledgement).where(
            Acknowledgement.campaign_id == campaign_id).order_by(Acknowledgement.id)):
        given[row.person_id].append(row)
    rows = []
    for recipient, person in session.execute(
            select(CampaignRecipient, Person).join(Person, Person.id == CampaignRecipient.person_id)
            .where(CampaignRecipient.campaign_id == campaign_id)):
        base = {"campaign": campaign.id, "policy": campaign.policy,
                "name": person.display_name, "team": recipient.team or "",
                "rank_or_grade": person.rank_or_grade or ""}
        acks = given.get(recipient.person_id) or []
        if not acks:
            rows.append({**base, "subject": "", "version": "", "acknowledged_at": "",
                         "how": "", "check_attempts": ""})
        rows += [{**base, "subject": ack.subject, "version": ack.version or "",
                  "acknowledged_at": ack.at.isoformat(timespec="seconds"), "how": ack.how,
                  "check_attempts": "" if ack.check_attempts is None else ack.check_attempts}
                 for ack in acks]
    return sorted(rows, key=lambda row: (row["team"], row["name"], row["subject"]))


def outstanding_people(session: Session, campaign: Campaign) -> list[CampaignRecipient]:
    """Recipients who have not finished the campaign."""
    finished = finished_people(session, campaign)
    return [recipient for recipient in session.scalars(select(CampaignRecipient).where(
        CampaignRecipient.campaign_id == campaign.id).order_by(CampaignRecipient.id))
            if recipient.person_id not in finished]


def finished_people(session: Session, campaign: Campaign,
                    among: Sequence[int] | None = None) -> set[int]:
    """The recipients who have finished (of those `among`, if given): every policy
    acknowledged, or the return made."""
    subjects = ([d["key"] for d in campaign.documents] if campaign.kind == POLICY
                else [RETURN_SUBJECT])
    query = select(Acknowledgement.person_id, func.count()).where(
        Acknowledgement.campaign_id == campaign.id, Acknowledgement.subject.in_(subjects))
    if among is not None:
        query = query.where(Acknowledgement.person_id.in_(among))
    return {person_id for person_id, count in session.execute(
        query.group_by(Acknowledgement.person_id)) if count >= len(subjects)}


@dataclass(frozen=True)
class AnnualReturnPlan:
    """When the yearly return starts and for whom (knowledge/campaigns.yaml)."""

    month: int = 4
    day: int = 1
    audience: str = "everyone"
    due_days: int = DEFAULT_DUE_DAYS
    reminder_days: int = DEFAULT_REMINDER_DAYS

    @classmethod
    def load(cls, path: Path) -> AnnualReturnPlan:
        raw = load_yaml_file(path) if path.exists() else {}
        section = raw.get("annual_return") if isinstance(raw, dict) else None
        if not isinstance(section, dict):
            return cls()
        return cls(**{name: type(getattr(cls(), name))(value)
                      for name, value in section.items() if hasattr(cls(), name)})

    def start_if_due(self, session: Session, directory_file: Path | None,
                     today: dt.date) -> Campaign | None:
        """This year's return on its day (or within a week after, if no worker ran on the
        day), unless it exists already."""
        starts = dt.date(today.year, self.month, self.day)
        if not starts <= today < starts + START_WINDOW:
            return None
        if session.scalars(select(Campaign.id).where(Campaign.kind == ANNUAL_RETURN,
                                                     Campaign.year == today.year)).first():
            return None
        return start_annual_return(session, Audience.parse(self.audience), directory_file,
                                   actor="system", today=today, due_days=self.due_days,
                                   reminder_days=self.reminder_days)
