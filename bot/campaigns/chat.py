"""Campaigns in a conversation: the plug-in that shows a person their open campaigns when
a session starts, and takes their acknowledgement or return from a button or plain words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from bot.campaigns.models import POLICY, Campaign
from bot.campaigns.service import CampaignError, Pending, acknowledge, make_return, pending_for
from bot.campaigns.understanding import ReplyReader
from bot.campaigns.words import (
    ACKNOWLEDGE,
    CHANGED,
    DECLARE,
    NIL_RETURN,
    READ,
    UNCHANGED,
    announcement,
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
        if context.action == RESUME:
            return Outcome([_shown(item) for item in open_]) if open_ else None
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
        how = {ACKNOWLEDGE: f"{context.turn.speaker.surface}_button", NIL_RETURN: "nil_return",
               DECLARE: "declaration_started", UNCHANGED: "interest_unchanged",
               CHANGED: "interest_changed"}[name]
        return self._record(core, context, campaign_id, how, reference)

    def _said(self, core: Core, context: TurnContext, open_: list[Pending]) -> Outcome | None:
        if not self._reader:
            self._reader.append(self.reader())
        meaning = self._reader[0].meaning(context.text)
        policies = [item for item in open_ if item.campaign.kind == POLICY]
        returns = [item for item in open_ if item.campaign.kind != POLICY and item.return_open]
        if meaning == "acknowledge" and policies:
            return self._record(core, context, policies[0].campaign.id, "chat_words", None)
        if meaning == "nil_return" and returns:
            return self._record(core, context, returns[0].campaign.id, "nil_return", None)
        if meaning == "declare" and returns:
            return self._record(core, context, returns[0].campaign.id, "declaration_started",
                                None)
        if meaning == "question" and policies:
            # Answered from the policy being campaigned on; the acknowledgement is still due.
            campaign = policies[0].campaign
            outcome = core.answer_question(context, context.text, campaign.title)
            outcome.replies.append(Reply(say("campaigns.still_to_acknowledge"),
                                         kind="question", choices=choices(policies[0])))
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
                elif how in {"nil_return", "declaration_started"}:
                    done = make_return(session, campaign_id, person, how, now)
                else:
                    done = acknowledge(session, campaign_id, person, how, now)
                left = pending_for(session, person)
                title = _title(session, campaign_id)
        except CampaignError as refusal:
            return Outcome([Reply(str(refusal), kind="problem")])
        replies = [Reply(_confirmation(how, done, title, reference, due))]
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


def _confirmation(how: str, done: bool, title: str, reference: str | None,
                  review_due: dt.date | None) -> str:
    if how.endswith("_button") or how == "chat_words":
        return say("campaigns.acknowledged" if done else "campaigns.already_acknowledged",
                   title=title)
    if not done:
        return say("campaigns.already_returned")
    if how == "interest_unchanged":
        return say("campaigns.unchanged_recorded", reference=reference,
                   review_due=day(review_due) if review_due else "-")
    return say({"nil_return": "campaigns.nil_recorded",
                "declaration_started": "campaigns.declaration_recorded",
                "interest_changed": "campaigns.declaration_recorded"}[how])


def _already(core: Core, context: TurnContext, campaign_id: int) -> Outcome:
    with core.store.session() as session:
        title = _title(session, campaign_id)
    return Outcome([Reply(say("campaigns.already_acknowledged", title=title))])


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
