"""Declarations in a conversation: the declaration filer and the declarant's own commands.

The declarations plug-in (see bot.plugins): `files: declaration` workflows are filed by
bot.workflows.filing.file_declaration; "my declarations" lists what a person filed and where
it has got to; "answer REF ..." and "appeal REF ..." take casework steps on their own record.
The composition root builds it once with the one Casework service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.casework.errors import CaseworkError
from bot.casework.queries import current_decision, declarations_of, open_question
from bot.casework.service import Casework
from bot.messages import say
from bot.plugins import Command, Core, Outcome, Plugin, TurnContext, phrases
from bot.store.models import Declaration, DeclarationStatus
from bot.store.references import normalise_reference
from bot.turns import Reply
from bot.workflows.filing import FilerEntry, file_declaration

#: Casework.provide_information or Casework.lodge_appeal, as (reference, text, by) -> record.
StepTaker = Callable[[str, str, int], Any]


@dataclass(frozen=True)
class DeclarantStep:
    """A step a declarant takes on their own record from a conversation: "<word> REF <text>"."""

    usage: str
    done: str
    take: StepTaker

    def __call__(self, core: Core, context: TurnContext, rest: str) -> Outcome:
        # `rest` is normalised (lower case); the text is kept as the person typed it.
        _, _, typed = context.text.strip().partition(" ")
        reference_text, _, text = typed.strip().partition(" ")
        reference = normalise_reference(reference_text)
        if reference is None or not text.strip():
            return Outcome([Reply(say(self.usage), kind="problem")])
        try:
            self.take(reference, text.strip(), context.person_id)
        except (CaseworkError, PermissionError) as refusal:
            return Outcome([Reply(str(refusal) or say("declarations_chat.step_refused"),
                                  kind="problem")])
        return Outcome([Reply(say(self.done, reference=reference))])


def my_declarations(core: Core, context: TurnContext, rest: str) -> Outcome:
    """What the person has filed, newest first, with decisions, appeals and open questions."""
    with core.store.session() as session:
        rows = [declaration_row(core, declaration, context.turn.speaker.surface)
                for declaration in declarations_of(session, context.person_id)]
    if not rows:
        return Outcome([Reply(say("declarations_chat.no_declarations"), kind="list",
                              data={"rows": []})])
    lines = []
    for row in rows:
        parts = [say("declarations_chat.row", **row)]
        if row["decision"]:
            parts.append(say("declarations_chat.row_decision", **row))
        if row["appeal_how"]:
            parts.append(say("declarations_chat.row_appeal", **row))
        if row["question"]:
            parts.append(say("declarations_chat.row_question", **row))
        lines.append("\n".join(parts))
    return Outcome([Reply("\n".join(lines), kind="list", data={"rows": rows})])


def declaration_row(core: Core, declaration: Declaration, surface: str) -> dict[str, Any]:
    """One declaration as "my declarations" shows it, in plain values a surface can render."""
    # The standing decision, not a line manager's endorsement given beside it.
    latest = current_decision(declaration)
    waiting = open_question(declaration)
    if waiting is None:
        how_to_answer = None
    elif surface == "slack":
        how_to_answer = waiting.how_to_answer(surface)
    else:
        how_to_answer = say("declarations_chat.answer_how", reference=declaration.reference)
    return {
        "reference": declaration.reference,
        "kind": declaration.kind,
        "title": core.title_of_kind(declaration.kind),
        "description": declaration.summary,
        "status": _words(declaration.status),
        "submitted_on": declaration.submitted_at.date().isoformat(),
        "decision": _words(latest.outcome) if latest else None,
        "rationale": latest.rationale if latest else None,
        "appeal_how": (say("declarations_chat.appeal_how", reference=declaration.reference)
                       if declaration.status == DeclarationStatus.REFUSED else None),
        "question": waiting.question if waiting else None,
        "how_to_answer": how_to_answer,
    }


def _words(value: str) -> str:
    return value.replace("_", " ").capitalize()


def declarations_plugin(casework: Casework) -> Plugin:
    """The declarations plug-in over the one Casework service the root built."""
    answer = DeclarantStep(
        "declarations_chat.answer_usage", "declarations_chat.answer_sent",
        lambda reference, text, by: casework.provide_information(reference, text, by=by))
    appeal = DeclarantStep(
        "declarations_chat.appeal_usage", "declarations_chat.appeal_lodged",
        lambda reference, text, by: casework.lodge_appeal(reference, text, by=by))
    return Plugin(
        name="declarations",
        filers={"declaration": FilerEntry(file_declaration)},
        commands=(
            Command("my declarations", phrases("commands.my_declarations"), my_declarations,
                    when_busy="run"),
            Command("answer", phrases("commands.answer"), answer, takes_argument=True,
                    when_busy="pass"),
            Command("appeal", phrases("commands.appeal"), appeal, takes_argument=True,
                    when_busy="pass"),
        ),
    )
