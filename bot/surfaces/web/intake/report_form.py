"""The report workflow's questions as web form fields, and a posted form read back into answers.

The questions, their order, labels and help come from workflows/report.yaml, as the chat and
the Slack modal ask them (a field shows its label and help, as in Slack: the chat's prompts
speak of typing "skip"); the answers are checked by the form API
(bot.workflows.forms.fill_form) with the chat's own parsers. The web form is anonymous only
(it knows nobody to name), so the workflow's mode question is answered for the reporter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from bot.messages import say
from bot.reporting.records import MAX_TEXT
from bot.workflows.definitions import FieldSpec, WorkflowDefinition
from bot.workflows.engine import DialogueContext
from bot.workflows.forms import fill_form

MODE_FIELD = "mode"
ANONYMOUS = "anonymous"
#: The form field that carries files; it is not a workflow question.
ATTACHMENTS_FIELD = "attachments"


@dataclass(frozen=True)
class WebField:
    """One question as the page shows it, with what was typed and any problem."""

    name: str
    label: str
    prompt: str
    help: str
    kind: str  # "choice", "long_text" or "text"
    required: bool
    options: tuple[tuple[str, str], ...]
    value: str
    problem: str | None


def questions(definition: WorkflowDefinition) -> tuple[FieldSpec, ...]:
    return tuple(spec for spec in definition.fields if spec.name != MODE_FIELD)


def web_fields(definition: WorkflowDefinition, entered: Mapping[str, str],
               problems: Mapping[str, str]) -> list[WebField]:
    fields = []
    for spec in questions(definition):
        kind = spec.type if spec.type in ("choice", "long_text") else "text"
        fields.append(WebField(
            name=spec.name, label=spec.label, prompt=spec.prompt, help=spec.help, kind=kind,
            required=spec.required,
            options=tuple((option.value, option.label) for option in spec.options),
            value=entered.get(spec.name, ""), problem=problems.get(spec.name)))
    return fields


def entered_answers(definition: WorkflowDefinition, form: Mapping[str, object]) -> dict[str, str]:
    """Each question's text exactly as posted (blank when missing or not text)."""
    entered = {}
    for spec in questions(definition):
        value = form.get(spec.name)
        entered[spec.name] = value if isinstance(value, str) else ""
    return entered


def check_answers(definition: WorkflowDefinition, entered: Mapping[str, str],
                  today: dt.date) -> dict[str, str]:
    """The problems by field name (empty when the report can be filed)."""
    problems: dict[str, str] = {}
    for name, value in entered.items():
        if len(value) > MAX_TEXT:
            problems[name] = say("intake.too_long", most=MAX_TEXT)
    filled = fill_form(definition, {**entered, MODE_FIELD: ANONYMOUS},
                       DialogueContext(today=today))
    choices = {spec.name for spec in definition.fields if spec.type == "choice"}
    for name, problem in filled.problems.items():
        # The chat's wording for a choice speaks of typing a number; a page has buttons.
        problems.setdefault(name, say("intake.choose_one") if name in choices and entered.get(
            name) else problem)
    return problems


def answers_to_file(entered: Mapping[str, str]) -> dict[str, str]:
    return {**entered, MODE_FIELD: ANONYMOUS}
