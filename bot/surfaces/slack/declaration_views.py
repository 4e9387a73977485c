"""Declaration cards for the integrity channel, and the modals handlers decide in."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bot.messages import say
from bot.surfaces.slack.blocks import (
    actions,
    button,
    labelled,
    labelled_blocks,
    modal,
    plain_sections,
    section,
    sections,
)
from bot.surfaces.slack.escaping import escape_mrkdwn
from bot.surfaces.slack.modals import text_input

DECIDE_ACTION = "probity_decide"
ASK_ACTION = "probity_ask_declarant"
ENDORSE_ACTION = "probity_endorse"
ENDORSE_CALLBACK = "probity_endorse"
DECIDE_CALLBACK = "probity_decide"
ASK_CALLBACK = "probity_ask_declarant"
ANSWER_ACTION = "probity_answer_request"
ANSWER_CALLBACK = "probity_answer_request"
ANSWER_BLOCK = "answer"
RATIONALE_BLOCK = "rationale"
CONDITIONS_BLOCK = "conditions"
QUESTION_BLOCK = "question"

_STYLE = {"approved": "primary", "refused": "danger", "inappropriate": "danger"}


def declaration_card(card: dict[str, Any], outcomes: Iterable[tuple[str, str]]
                     ) -> list[dict[str, Any]]:
    """The channel card: who declared what, its route and due date, and the decision buttons.

    `card` holds plain values (reference, kind, declarant, summary, approvers, decision_due).
    Probity's own lines are mrkdwn; the declarant's name and summary (typed, and able to
    imitate a "*Route:*" line in mrkdwn) are plain text.
    """
    reference = card["reference"]
    own = [f"*{escape_mrkdwn(reference)}*: {escape_mrkdwn(card['kind_label'])}"]
    if card.get("approvers"):
        own.append(say("slack_declarations.route",
                       approvers=escape_mrkdwn(", ".join(card["approvers"]))))
    if card.get("decision_due"):
        own.append(say("slack_declarations.decision_due",
                       due=escape_mrkdwn(card["decision_due"])))
    buttons = [button(label, f"{DECIDE_ACTION}:{value}", json.dumps(
        {"ref": reference, "outcome": value}), _STYLE.get(value)) for value, label in outcomes]
    buttons.append(button(say("slack_declarations.ask_for_information"), ASK_ACTION, reference))
    return [section(own[0], escape=False),
            labelled(say("slack_declarations.declared_by"), str(card["declarant"])),
            *plain_sections(card.get("summary") or ""),
            section("\n".join(own[1:]) or " ", escape=False),
            *actions(buttons, block_id=f"decide:{reference}")]


def card_note(reference: str, label: str, typed: str) -> list[dict[str, Any]]:
    """A line under or in place of a card: the reference and what was done in mrkdwn, the
    words someone typed (a rationale, a question, an answer) in plain text."""
    return labelled_blocks(f"*{escape_mrkdwn(reference)}*: {escape_mrkdwn(label)}", typed)


def rationale_modal(reference: str, outcome: str, outcome_label: str, needs_conditions: bool,
                    where: dict[str, Any]) -> dict[str, Any]:
    blocks = [section(f"*{escape_mrkdwn(reference)}*: {escape_mrkdwn(outcome_label)}",
                      escape=False),
              text_input(RATIONALE_BLOCK, say("slack_declarations.rationale"), multiline=True,
                         hint=say("slack_declarations.rationale_hint"))]
    if needs_conditions:
        blocks.append(text_input(CONDITIONS_BLOCK, say("slack_declarations.conditions"),
                                 multiline=True))
    return modal(say("slack_declarations.decide_title"), blocks, callback_id=DECIDE_CALLBACK,
                 submit=say("slack_declarations.record_decision"),
                 private_metadata=json.dumps({"ref": reference, "outcome": outcome, **where}))


def question_modal(reference: str, where: dict[str, Any]) -> dict[str, Any]:
    return modal(say("slack_declarations.ask_for_information"), [
        section(f"*{escape_mrkdwn(reference)}*", escape=False),
        text_input(QUESTION_BLOCK, say("slack_declarations.question_label"), multiline=True,
                   hint=say("slack_declarations.question_hint")),
    ], callback_id=ASK_CALLBACK, submit=say("slack_declarations.send"),
        private_metadata=json.dumps(
        {"ref": reference, **where}))


def endorsement_request(card: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The line manager's DM: what was declared, and buttons to endorse it or not."""
    reference = card["reference"]
    text = say("slack_declarations.endorsement_request_text", declarant=card["declarant"],
               reference=reference, kind=card["kind_label"], summary=card.get("summary") or "")
    intro = say("slack_declarations.endorsement_request_intro",
                reference=escape_mrkdwn(reference), kind=escape_mrkdwn(card["kind_label"]))
    return text, [
        section(intro, escape=False),
        labelled(say("slack_declarations.declared_by"), str(card["declarant"])),
        *plain_sections(card.get("summary") or ""),
        *actions([button(say("slack_declarations.endorse"), f"{ENDORSE_ACTION}:yes", reference,
                         "primary"),
                  button(say("slack_declarations.do_not_endorse"), f"{ENDORSE_ACTION}:no",
                         reference, "danger")],
                 block_id=f"endorse:{reference}"),
    ]


def endorsement_modal(reference: str, endorsed: bool, where: dict[str, Any]) -> dict[str, Any]:
    verb = say("slack_declarations.endorse") if endorsed else \
        say("slack_declarations.do_not_endorse")
    return modal(verb, [
        section(f"*{escape_mrkdwn(reference)}*: {verb.lower()}", escape=False),
        text_input(RATIONALE_BLOCK, say("slack_declarations.your_reasons"), multiline=True,
                   hint=say("slack_declarations.reasons_hint")),
    ], callback_id=ENDORSE_CALLBACK, submit=say("slack_declarations.send"),
        private_metadata=json.dumps(
        {"ref": reference, "endorsed": endorsed, **where}))


def information_request(text: str, reference: str, card_ts: str | None,
                        question: str | None = None) -> list[dict[str, Any]]:
    """The declarant's DM when the unit asks for more: the question and an Answer button.

    The button carries the reference and where the unit's card is, so the answer can be
    noted under it; who may answer is decided on the server, never by the button. The
    unit's `question`, when the core's `text` ends with it, is shown in plain text.
    """
    if question and text.endswith(question):
        shown = [section(text[: len(text) - len(question)].rstrip() or " "),
                 *plain_sections(question)]
    else:
        shown = sections(text)
    return [*shown, *actions([button(
        say("slack_declarations.answer"), ANSWER_ACTION,
        json.dumps({"ref": reference, "card_ts": card_ts}), "primary",
    )], block_id=f"answer:{reference}")]


def answer_modal(reference: str, question: str | None, where: dict[str, Any]
                 ) -> dict[str, Any]:
    blocks = [section(say("slack_declarations.unit_asked", reference=escape_mrkdwn(reference)),
                      escape=False)]
    if question:
        blocks += plain_sections(question)
    blocks.append(text_input(ANSWER_BLOCK, say("slack_declarations.your_answer"), multiline=True,
                             hint=say("slack_declarations.answer_hint")))
    return modal(say("slack_declarations.answer_title"), blocks, callback_id=ANSWER_CALLBACK,
                 submit=say("slack_declarations.send"),
                 private_metadata=json.dumps({"ref": reference, **where}))
