"""Campaigns in a conversation: the plug-in that shows a person their open campaigns when
a session starts, and takes their acknowledgement or return from a button or plain words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.campaigns.answers import Asked, Step, answer, asked_now, begin
from bot.campaigns.models import POLICY, Campaign
from bot.campaigns.service import CampaignError, Pending, make_return, pending_for
from bot.campaigns.understanding import ReplyReader
from bot.campaigns.words import (
    ACKNOWLEDGE,
    ANSWER,
    CHANGED,
    DECLARE,
    NIL_RETURN,
    READ,
    UNCHANGED,
    announcement,
    answer_reference,
    check_choices,
    check_question,
    check_section,
    choices,
    day,
    parse_action,
    policy_text,
)
from bot.casework.service import Casework
from bot.messages import say
from bot.plugins import Core, Outcome, Plugin, TurnContext
from bot.store.models import Declaration, Person
from bot.turns import RESUME, Reply

#: The workflow a changed business interest is declared again through.
INTEREST_WORKFLOW = "business_interest"


@dataclass
class CampaignChat:
    """The plug-in's attention hook; the reply reader is trained on first use."""

    reader: Callable[[], ReplyReader]
    review_months: int = 12
    _reader: list[ReplyReader] = field(default_factory=list)

    def __call__(self, core: Core, context: TurnContext) -> Outcome | None:
        with core.store.session() as session:
            person = session.get(Person, context.person_id)
            open_ = pending_for(session, person) if person is not None else []
            if context.action == RESUME and person is not None:
                # Each open campaign, and a check question left unanswered asked again.
                shown = [reply for item in open_ for reply in _resumed(session, item, person)]
                return Outcome(shown) if shown else None
        if context.action:
            parsed = parse_action(context.action)
            return None if parsed is None else self._pressed(core, context, open_, *parsed)
        if not open_ or not context.text.strip():
            return None
        return self._said(core, context, open_)

    def _pressed(self, core: Core, context: TurnContext, open_: list[Pending], name: str,
                 campaign_id: int, reference: str | None) -> Outcome:
        pending = next((item for item in open_ if item.campaign.id == campaign_id), None)
        if name == READ:
            if pending is None:
                return _already(core, context, campaign_id)
            return Outcome([Reply(policy_text(pending.campaign)),
                            Reply(say("campaigns.still_to_acknowledge"), kind="question",
                                  choices=choices(pending)[1:])])
        button = f"{context.turn.speaker.surface}_button"
        if name == ACKNOWLEDGE:
            return _step(core, context, campaign_id,
                         lambda session, person, now: begin(session, campaign_id, person,
                                                            button, now))
        if name == ANSWER:
            picked = answer_reference(reference)
            if picked is None:
                return Outcome([Reply(say("campaigns.no_such_check", id=campaign_id),
                                      kind="problem")])
            return _answering(core, context, campaign_id, *picked, button)
        how = {NIL_RETURN: "nil_return", DECLARE: "declaration_started",
               UNCHANGED: "interest_unchanged", CHANGED: "interest_changed"}[name]
        return self._record(core, context, campaign_id, how, reference)

    def _said(self, core: Core, context: TurnContext, open_: list[Pending]) -> Outcome | None:
        policies = [item for item in open_ if item.campaign.kind == POLICY]
        asked = _asked(core, context, policies)
        if asked is not None:
            option = asked.check.option_typed(context.text)
            if option is not None:  # the option's number or words, typed
                return _answering(core, context, asked.campaign_id, asked.index, option,
                                  "chat_words")
        if not self._reader:
            self._reader.append(self.reader())
        meaning = self._reader[0].meaning(context.text)
        returns = [item for item in open_ if item.campaign.kind != POLICY and item.return_open]
        if meaning == "acknowledge" and policies:
            campaign_id = asked.campaign_id if asked is not None else policies[0].campaign.id
            return _step(core, context, campaign_id,
                         lambda session, person, now: begin(session, campaign_id, person,
                                                            "chat_words", now))
        if meaning == "nil_return" and returns:
            return self._record(core, context, returns[0].campaign.id, "nil_return", None)
        if meaning == "declare" and returns:
            return self._record(core, context, returns[0].campaign.id, "declaration_started",
                                None)
        if meaning == "question" and policies:
            # Answered from the policy being campaigned on; the acknowledgement is still due
            # (and if its check question was asked, that is asked again).
            campaign = policies[0].campaign
            outcome = core.answer_question(context, context.text, campaign.title)
            outcome.replies.append(
                _question(asked) if asked is not None else
                Reply(say("campaigns.still_to_acknowledge"), kind="question",
                      choices=choices(policies[0])))
            return outcome
        return None

    def _record(self, core: Core, context: TurnContext, campaign_id: int, how: str,
                reference: str | None) -> Outcome:
        now = core.clock()
        due: dt.date | None = None
        try:
            with core.store.transaction() as session:
                person = session.get(Person, context.person_id)
                assert person is not None  # the turn store made the row
                if how in {"interest_unchanged", "interest_changed"}:
                    done = make_return(session, campaign_id, person, how, now, reference,
                                       self.review_months)
                    due = session.scalars(_review_due(reference)).first()
                else:
                    done = make_return(session, campaign_id, person, how, now)
                left = pending_for(session, person)
        except CampaignError as refusal:
            return Outcome([Reply(str(refusal), kind="problem")])
        replies = [Reply(_confirmation(how, done, reference, due))]
        if how == "declaration_started":
            outcome = core.choose_kind()
        elif how == "interest_changed":
            outcome = core.begin(context, INTEREST_WORKFLOW)
            replies.append(Reply(say("campaigns.change_started", reference=reference)))
        else:
            outcome = Outcome([_shown(item) for item in left])
        outcome.replies[:0] = replies
        return outcome


def _review_due(reference: str | None) -> Select[Any]:
    return select(Declaration.review_due).where(Declaration.reference == (reference or ""))


def _title(session: Session, campaign_id: int) -> str:
    campaign = session.get(Campaign, campaign_id)
    return campaign.title if campaign is not None else ""


def _confirmation(how: str, done: bool, reference: str | None,
                  review_due: dt.date | None) -> str:
    """What an annual return's answer recorded."""
    if not done:
        return say("campaigns.already_returned")
    if how == "interest_unchanged":
        return say("campaigns.unchanged_recorded", reference=reference,
                   review_due=day(review_due) if review_due else "-")
    return say({"nil_return": "campaigns.nil_recorded",
                "declaration_started": "campaigns.declaration_recorded",
                "interest_changed": "campaigns.declaration_recorded"}[how])


def _answering(core: Core, context: TurnContext, campaign_id: int, index: int, option: int,
               how: str) -> Outcome:
    return _step(core, context, campaign_id,
                 lambda session, person, now: answer(session, campaign_id, person, index,
                                                     option, how, now))


def _step(core: Core, context: TurnContext, campaign_id: int,
          take: Callable[[Session, Person, dt.datetime], Step]) -> Outcome:
    """Take one step towards the acknowledgement (bot.campaigns.answers) and say where it
    stands: the section and the question again after a wrong answer, the next question, or
    the acknowledgement recorded and what else is open."""
    now = core.clock()
    try:
        with core.store.transaction() as session:
            person = session.get(Person, context.person_id)
            assert person is not None  # the turn store made the row
            step = take(session, person, now)
            left = [] if step.ask else pending_for(session, person)
            title = _title(session, campaign_id)
    except CampaignError as refusal:
        return Outcome([Reply(str(refusal), kind="problem")])
    replies = []
    if step.wrong is not None:
        text, citation = check_section(step.wrong)
        replies.append(Reply(text, citations=(citation,)))
    elif step.right is not None:
        replies.append(Reply(say("campaigns.check_right")))
    if step.ask is not None:
        replies.append(_question(step.ask, again=step.wrong is not None,
                                 following=step.right is not None))
        return Outcome(replies)
    replies.append(Reply(say("campaigns.acknowledged" if step.recorded
                             else "campaigns.already_acknowledged", title=title)))
    return Outcome(replies + [_shown(item) for item in left])


def _asked(core: Core, context: TurnContext, policies: list[Pending]) -> Asked | None:
    """The check question this person was asked and has not yet answered rightly."""
    if not policies:
        return None
    with core.store.session() as session:
        person = session.get(Person, context.person_id)
        if person is None:
            return None
        return next((asked for item in policies
                     if (asked := asked_now(session, item.campaign, person)) is not None), None)


def _question(asked: Asked, *, again: bool = False, following: bool = False) -> Reply:
    return Reply(check_question(asked, again=again, following=following), kind="question",
                 choices=check_choices(asked), data={"campaign": asked.campaign_id})


def _already(core: Core, context: TurnContext, campaign_id: int) -> Outcome:
    with core.store.session() as session:
        title = _title(session, campaign_id)
    return Outcome([Reply(say("campaigns.already_acknowledged", title=title))])


def _resumed(session: Session, pending: Pending, person: Person) -> list[Reply]:
    asked = asked_now(session, pending.campaign, person)
    return [_shown(pending)] + ([_question(asked)] if asked is not None else [])


def _shown(pending: Pending) -> Reply:
    return Reply(announcement(pending), kind="question", choices=choices(pending),
                 data={"campaign": pending.campaign.id})


def campaigns_plugin(casework: Casework) -> Plugin:
    """The campaigns plug-in for the composition root's standard_plugins: replies read by a
    model trained from the knowledge folder (cached under PROBITY_HOME), and a business
    interest confirmed unchanged reviewed for the casework rules' cycle."""
    settings = casework.settings

    def reader() -> ReplyReader:
        return ReplyReader.build(settings.knowledge_dir, settings.home / "models")

    return Plugin("campaigns", attention=CampaignChat(reader, casework.rules.review_months))
