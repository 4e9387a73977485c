"""What a campaign says to a person: what changed, what to do, and the buttons to do it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from bot.campaigns.answers import Asked
from bot.campaigns.checks import section_texts
from bot.campaigns.models import POLICY, Campaign
from bot.campaigns.service import Pending
from bot.messages import say
from bot.turns import Choice, Citation

READ = "campaign_read"
ACKNOWLEDGE = "campaign_ack"
NIL_RETURN = "campaign_nil"
DECLARE = "campaign_declare"
UNCHANGED = "campaign_unchanged"
CHANGED = "campaign_changed"
#: An answer to a policy's check question: "campaign_answer:3:0:1" is campaign 3, its first
#: policy, the second option.
ANSWER = "campaign_answer"
ACTIONS = (READ, ACKNOWLEDGE, NIL_RETURN, DECLARE, UNCHANGED, CHANGED, ANSWER)


def day(when: dt.date) -> str:
    return f"{when.day} {when:%B %Y}"


def announcement(pending: Pending, *, reminder: bool = False) -> str:
    """The message for one person: what changed in plain words, and what to do by when."""
    campaign = pending.campaign
    due = day(campaign.due_on)
    if campaign.kind == POLICY:
        lines = [say("campaigns.reminder_heading" if reminder else "campaigns.heading",
                     due=due)]
        lines += [what_changed(document) for document in campaign.documents]
        lines.append(say("campaigns.ask_to_acknowledge"))
        if any(document.get("check") for document in campaign.documents):
            lines.append(say("campaigns.check_ahead"))
        return "\n".join(lines)
    lines = [say("campaigns.return_reminder" if reminder else "campaigns.return_heading",
                 year=campaign.year, due=due)]
    if pending.return_open:
        lines.append(say("campaigns.return_ask"))
    lines += [say("campaigns.interest_ask", reference=ref) for ref in pending.interests]
    return "\n".join(lines)


def what_changed(document: Mapping[str, Any]) -> str:
    """A policy's change in plain words: the sections that differ from the last version
    campaigned on, or that it is new to the person."""
    title, version = document["title"], document.get("version") or "-"
    changes = document.get("changes")
    if document.get("previous_version") is None or changes is None:
        return say("campaigns.policy_new", title=title, version=version)
    if not changes:
        return say("campaigns.policy_same_words", title=title, version=version,
                   previous=document["previous_version"])
    shown = "; ".join(say(f"campaigns.section_{change['change']}", heading=change["heading"])
                      for change in changes)
    return say("campaigns.policy_changed", title=title, version=version,
               previous=document["previous_version"], sections=shown)


def choices(pending: Pending) -> tuple[Choice, ...]:
    """The buttons: read and acknowledge, or the return's answers."""
    campaign = pending.campaign
    if campaign.kind == POLICY:
        return (Choice(f"{READ}:{campaign.id}", say("campaigns.button_read")),
                Choice(f"{ACKNOWLEDGE}:{campaign.id}", say("campaigns.button_acknowledge")))
    found: list[Choice] = []
    if pending.return_open:
        found += [Choice(f"{NIL_RETURN}:{campaign.id}", say("campaigns.button_nil")),
                  Choice(f"{DECLARE}:{campaign.id}", say("campaigns.button_declare"))]
    for ref in pending.interests:
        found += [Choice(f"{UNCHANGED}:{campaign.id}:{ref}",
                         say("campaigns.button_unchanged", reference=ref)),
                  Choice(f"{CHANGED}:{campaign.id}:{ref}",
                         say("campaigns.button_changed", reference=ref))]
    return tuple(found)


def policy_text(campaign: Campaign, only_changed: bool = False) -> str:
    """The policies' sections as Probity shows them, with where the source document is."""
    parts = []
    for document in campaign.documents:
        changed = {change["heading"] for change in document.get("changes") or ()
                   if change["change"] != "removed"}
        sections = [section for section in document["sections"]
                    if not (only_changed and changed) or section["heading"] in changed]
        parts.append(say("campaigns.read_heading", title=document["title"],
                         version=document.get("version") or "-",
                         source=document.get("url") or document["source"]))
        parts += [f"*{section['heading']}*\n{section['text']}" for section in sections]
    return "\n\n".join(parts)


def check_question(asked: Asked, *, again: bool = False, following: bool = False) -> str:
    """The question; asked `again` after a wrong answer, or `following` another's."""
    key = "check_again" if again else "check_next" if following else "check_question"
    return say(f"campaigns.{key}", title=asked.document["title"],
               question=asked.check.question)


def check_choices(asked: Asked) -> tuple[Choice, ...]:
    """One button per option; the value names the campaign, the policy and the option."""
    return tuple(Choice(f"{ANSWER}:{asked.campaign_id}:{asked.index}:{number}", option)
                 for number, option in enumerate(asked.check.options))


def check_section(asked: Asked) -> tuple[str, Citation]:
    """After a wrong answer: the section that explains it, in full, and where it is from."""
    document, section = asked.document, asked.check.section
    texts = [found["text"] for found in section_texts(document["sections"], section)]
    text = "\n\n".join([say("campaigns.check_wrong", section=section), *texts])
    title = say("campaigns.check_source", title=document["title"],
                version=document.get("version") or "-")
    return text, Citation(document.get("url") or document["source"], title, section, 1.0, "")


def answer_reference(reference: str | None) -> tuple[int, int] | None:
    """(policy index, option index) from an answer's "0:1"; None if it is not one."""
    index, _, option = (reference or "").partition(":")
    if not (index.isdigit() and option.isdigit()):
        return None
    return int(index), int(option)


def parse_action(action: str) -> tuple[str, int, str | None] | None:
    """("campaign_ack", 3, None) from "campaign_ack:3"; None if it is no campaign action."""
    name, _, rest = action.partition(":")
    if name not in ACTIONS:
        return None
    number, _, reference = rest.partition(":")
    if not number.isdigit():
        return None
    return name, int(number), reference or None
