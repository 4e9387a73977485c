"""Forms: a whole set of answers validated field by field, the way a chat would read them.

`fill_form(definition, answers, context)` is the form API every surface's form uses (the
Slack modals, the web forms, tests): each visible field is read on its own by the same
parsers the conversation uses (bot.workflows.engine.read_field), `show_if` conditions
decide which fields apply given the answers accepted so far, and the result is either a
complete DraftState ready to file or the problems, one per field, so a form can show each
under its own input and keep everything the person typed. Rasa's form validation (one
validator per slot) is the model. Filing the result is the caller's one transaction
(bot.assistant.Assistant.file_form).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.messages import say
from bot.turns import Reply
from bot.workflows.definitions import FieldSpec, WorkflowDefinition
from bot.workflows.engine import (
    DialogueContext,
    hints_after,
    read_field,
    record_answer,
    visible_fields,
)
from bot.workflows.state import CONFIRMED, DraftState


@dataclass(frozen=True)
class FilledForm:
    """What a form's answers gave: a complete draft, or the problems by field name."""

    state: DraftState | None
    problems: Mapping[str, str] = field(default_factory=dict)
    #: Policy hints the answers triggered (the chat shows them as it goes).
    warnings: tuple[Reply, ...] = ()

    @property
    def ok(self) -> bool:
        return self.state is not None and not self.problems


def fill_form(definition: WorkflowDefinition, answers: Mapping[str, Any],
              context: DialogueContext) -> FilledForm:
    """Validate `answers` (field name -> typed text, or a date) against `definition`.

    A blank or missing answer skips an optional field and is a problem for a required one;
    answers to fields whose `show_if` does not hold are ignored, as the chat never asks
    them. Never raises for bad input.
    """
    work = DraftState(definition.name, definition.version).to_json()
    problems: dict[str, str] = {}
    warnings: list[Reply] = []
    for spec in definition.fields:
        if spec not in visible_fields(definition, work["answers"], context.person):
            continue
        problem = _fill_one(definition, work, spec, answers.get(spec.name), context)
        if problem is not None:
            problems[spec.name] = problem
        elif spec.name in work["answers"]:
            warnings += hints_after(definition, spec.name, work, context)
    if problems:
        return FilledForm(None, problems)
    work["phase"], work["pending"] = CONFIRMED, None
    return FilledForm(DraftState.from_json(work), {}, tuple(warnings))


def _fill_one(definition: WorkflowDefinition, work: dict[str, Any], spec: FieldSpec,
              given: Any, context: DialogueContext) -> str | None:
    text = given.isoformat() if isinstance(given, dt.date) else str(given or "").strip()
    if not text:
        if spec.required:
            return say("forms.needed")
        work["skipped"].append(spec.name)
        return None
    reading = read_field(spec, text, context)
    if reading.candidates:
        return say("forms.which_person", names=", ".join(m.label for m in reading.candidates))
    if reading.problem is not None:
        return reading.problem
    record_answer(work, spec.name, reading)
    return None
