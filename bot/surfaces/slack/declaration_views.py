"""Declaration cards for the integrity channel, and the modals handlers decide in."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from bot.surfaces.slack.blocks import actions, button, context, modal, section
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
    """
    reference = card["reference"]
    lines = [f"*{escape_mrkdwn(reference)}*: {escape_mrkdwn(card['kind_label'])} from "
             f"{escape_mrkdwn(card['declarant'])}",
             escape_mrkdwn(card.get("summary") or "")]
    if card.get("approvers"):
        lines.append("Route: " + escape_mrkdwn(", ".join(card["approvers"])))
    if card.get("decision_due"):
        lines.append(f"Decision due by {escape_mrkdwn(card['decision_due'])}")
    buttons = [button(label, f"{DECIDE_ACTION}:{value}", json.dumps(
        {"ref": reference, "outcome": value}), _STYLE.get(value)) for value, label in outcomes]
    buttons.append(button("Ask for information", ASK_ACTION, reference))
    return [section("\n".join(line for line in lines if line), escape=False),
            *actions(buttons, block_id=f"decide:{reference}")]


def decided_card(card_text: str, line: str) -> list[dict[str, Any]]:
    """The card once decided: the summary kept, the buttons replaced by what was done."""
    return [section(card_text, escape=False), context(line)]


def rationale_modal(reference: str, outcome: str, outcome_label: str, needs_conditions: bool,
                    where: dict[str, Any]) -> dict[str, Any]:
    blocks = [section(f"*{escape_mrkdwn(reference)}*: {escape_mrkdwn(outcome_label)}",
                      escape=False),
              text_input(RATIONALE_BLOCK, "Rationale", multiline=True,
                         hint="Why: this is kept with the decision and shown to the declarant.")]
    if needs_conditions:
        blocks.append(text_input(CONDITIONS_BLOCK, "Conditions", multiline=True))
    return modal("Decide", blocks, callback_id=DECIDE_CALLBACK, submit="Record decision",
                 private_metadata=json.dumps({"ref": reference, "outcome": outcome, **where}))


def question_modal(reference: str, where: dict[str, Any]) -> dict[str, Any]:
    return modal("Ask for information", [
        section(f"*{escape_mrkdwn(reference)}*", escape=False),
        text_input(QUESTION_BLOCK, "What do you need to know?", multiline=True,
                   hint="Sent to the declarant by direct message."),
    ], callback_id=ASK_CALLBACK, submit="Send", private_metadata=json.dumps(
        {"ref": reference, **where}))


def endorsement_request(card: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The line manager's DM: what was declared, and buttons to endorse it or not."""
    reference = card["reference"]
    text = (f"{card['declarant']} named you as their line manager on {reference} "
            f"({card['kind_label']}): {card.get('summary') or ''}. Its approval route asks for "
            "your endorsement; the integrity unit decides after reading it.")
    return text, [
        section(text),
        *actions([button("Endorse", f"{ENDORSE_ACTION}:yes", reference, "primary"),
                  button("Do not endorse", f"{ENDORSE_ACTION}:no", reference, "danger")],
                 block_id=f"endorse:{reference}"),
    ]


def endorsement_modal(reference: str, endorsed: bool, where: dict[str, Any]) -> dict[str, Any]:
    verb = "Endorse" if endorsed else "Do not endorse"
    return modal(verb, [
        section(f"*{escape_mrkdwn(reference)}*: {verb.lower()}", escape=False),
        text_input(RATIONALE_BLOCK, "Your reasons", multiline=True,
                   hint="Kept with your endorsement and read by the integrity unit."),
    ], callback_id=ENDORSE_CALLBACK, submit="Send", private_metadata=json.dumps(
        {"ref": reference, "endorsed": endorsed, **where}))


def information_request(text: str, reference: str, card_ts: str | None
                        ) -> list[dict[str, Any]]:
    """The declarant's DM when the unit asks for more: the question and an Answer button.

    The button carries the reference and where the unit's card is, so the answer can be
    noted under it; who may answer is decided on the server, never by the button.
    """
    return [section(text), *actions([button(
        "Answer", ANSWER_ACTION, json.dumps({"ref": reference, "card_ts": card_ts}), "primary",
    )], block_id=f"answer:{reference}")]


def answer_modal(reference: str, question: str | None, where: dict[str, Any]
                 ) -> dict[str, Any]:
    blocks = [section(f"*{escape_mrkdwn(reference)}*: the integrity unit asked", escape=False)]
    if question:
        blocks.append(section("> " + escape_mrkdwn(" ".join(question.split())), escape=False))
    blocks.append(text_input(ANSWER_BLOCK, "Your answer", multiline=True,
                             hint="Kept with the declaration and read by the integrity unit."))
    return modal("Answer the question", blocks, callback_id=ANSWER_CALLBACK, submit="Send",
                 private_metadata=json.dumps({"ref": reference, **where}))
