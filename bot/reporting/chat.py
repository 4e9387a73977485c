"""Reporting in a conversation: files `files: report` workflows, and runs "follow up".

The reporting plug-in (REPORTING, see bot.plugins), assembled by the composition root: the
filer for `files: report`, the keyword commands "report" and "follow up", and the follow-up
dialogue. The follow-up keeps the reference and receipt only in the assistant's process
memory, never in the database.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy.orm import Session

from bot.messages import say
from bot.messages.words import groups
from bot.plugins import Command, Core, Outcome, Plugin, TurnContext, phrases
from bot.reporting.context import ReportingContext
from bot.reporting.records import (
    AccessRefused,
    ConfidentialReporter,
    DuplicateSubmission,
    ReportClosed,
    ReportContent,
    ReporterView,
    ReportingError,
    Submission,
)
from bot.reporting.reporter import (
    add_reporter_message,
    open_report,
    reveal_identity,
    submit_anonymous_report,
    submit_confidential_report,
)
from bot.store.references import normalise_reference
from bot.turns import Choice, Reply
from bot.workflows.drafts import Draft
from bot.workflows.engine import fill
from bot.workflows.filing import FilerEntry, Filing
from bot.workflows.intents import control_word, normalise

log = logging.getLogger(__name__)

FOLLOW_UP = "report_follow_up"

# The follow-up's words are in messages/en/reporting_chat.yaml, the words typed at its menu
# in messages/en/words/reporting.yaml; the report's questions are in workflows/report.yaml.
ADD = "report:add"
ANSWER = "report:answer"
REVEAL = "report:reveal"
FINISH = "report:done"
#: Each menu option, as the key of its label and of its words.
_OPTIONS = {ADD: "add", ANSWER: "answer", REVEAL: "reveal", FINISH: "done"}
_MENU_WORDS = groups("reporting", "menu")
# The first word of a longer reply ("answer the question", "add some more"). Revealing who
# one is stays exact-words only (it asks for a yes anyway, but should never be a guess).
_MENU_FIRST_WORDS = groups("reporting", "menu_first_word")


def _option(value: str) -> Choice:
    return Choice(value, say(f"reporting_chat.menu_{_OPTIONS[value]}"))


def menu_choice(said: str) -> str | None:
    """The follow-up menu option a typed reply stands for, or None."""
    said = said.strip(" .!")
    first = said.split(" ", 1)[0]
    for wanted, lexicon in ((said, _MENU_WORDS), (first, _MENU_FIRST_WORDS)):
        for value, name in _OPTIONS.items():
            if wanted in lexicon.get(name, ()):
                return value
    return None


# -- filing a report -------------------------------------------------------------------------


def file_report(session: Session, filing: Filing) -> list[Reply]:
    """Send a confirmed report. In anonymous mode the reporter's identity goes no further."""
    definition, state = filing.definition, filing.state
    answers, displays = state["answers"], state.get("displays", {})
    content = report_content(answers, displays)
    context = ReportingContext.from_settings(filing.settings)
    try:
        submission = _submit(session, context, content, filing)
    except DuplicateSubmission as duplicate:
        # The same form delivered twice: the first stands, and its receipt was shown then.
        return [
            Reply(
                say("reporting_chat.already_filed", reference=duplicate.reference),
                kind="filed",
                data={"reference": duplicate.reference, "already_filed": True},
            )
        ]
    reviewers = ", ".join(definition.approvers[a] for a in definition.route[-1].approvers)
    values = {
        "reference": submission.reference,
        "reviewers": reviewers,
        "decision_due": "",
        "review_due": "",
    }
    paragraphs = [
        fill(definition.filed, definition, values),
        say("reporting_chat.receipt_shown", receipt=submission.receipt),
    ]
    paragraphs += [
        fill(step.text, definition, values)
        for step in definition.next_steps
        if step.when is None or step.when.holds(answers, filing.profile)
    ]
    # The receipt is in the text and the reply's secret, never in data: a surface may log
    # or store data.
    return [
        Reply(
            "\n\n".join(paragraphs),
            kind="filed",
            data={"reference": submission.reference, "receipt_shown": True},
            secret=submission.receipt,
        )
    ]


def _submit(
    session: Session, context: ReportingContext, content: ReportContent, filing: Filing
) -> Submission:
    if is_confidential(filing.state):
        reporter = _reporter(filing)
        submission = submit_confidential_report(
            session, context, content, reporter, idempotency_key=filing.idempotency_key
        )
    else:
        # The assistant built this filing without the reporter (see is_confidential), and the
        # service has no parameter for one: refuse rather than hold an identity here at all.
        if filing.declarant is not None or filing.profile or filing.speaker is not None:
            raise ValueError(say("reporting_chat.anonymous_with_identity"))
        submission = submit_anonymous_report(
            session, context, content, idempotency_key=filing.idempotency_key
        )
    return submission


def _reporter(filing: Filing) -> ConfidentialReporter:
    """Who made a confidential report, to be sealed: the speaker, else their Person row."""
    speaker, person = filing.speaker, filing.declarant
    if speaker is not None:
        return ConfidentialReporter(
            speaker.surface, speaker.surface_id, speaker.display_name or speaker.surface_id
        )
    if person is None:
        raise ValueError(say("reporting_chat.confidential_without_reporter"))
    return ConfidentialReporter(person.surface, person.surface_id, person.display_name)


def is_confidential(state: Mapping[str, Any]) -> bool:
    """Only a confidential report's filing is told who the reporter is."""
    return bool(state.get("answers", {}).get("mode") == "confidential")


def report_content(answers: dict[str, Any], displays: dict[str, str]) -> ReportContent:
    """The report's parts from the workflow's answers (choices as the reporter saw them)."""

    def shown(name: str) -> str | None:
        value = displays.get(name) or answers.get(name)
        return None if value in (None, "") else str(value)

    category = shown("category") or "other"
    return ReportContent(
        category=category if len(category) <= 60 else str(answers.get("category")),
        what_happened=shown("what_happened") or "",
        when_and_where=shown("when_and_where") or "",
        who_is_involved=shown("who_is_involved"),
        evidence=shown("evidence"),
        raised_elsewhere=shown("raised_elsewhere"),
    )


# -- commands and the follow-up dialogue -----------------------------------------------------


def start_report(core: Core, context: TurnContext, rest: str) -> Outcome:
    return core.begin(context, "report")


def start_follow_up(core: Core, context: TurnContext, rest: str) -> Outcome:
    state: dict[str, Any] = {"phase": "reference"}
    reference = normalise_reference(rest) if rest else None
    if reference:
        state = {"phase": "receipt", "reference": reference}
        return Outcome(
            [_question(say("reporting_chat.ask_receipt"), "receipt")], save=_draft(context, state)
        )
    return Outcome(
        [_question(say("reporting_chat.ask_reference"), "reference")], save=_draft(context, state)
    )


def follow_up(core: Core, context: TurnContext, draft: Draft) -> Outcome:
    """One turn of the follow-up: reference, receipt, then read, add, answer or reveal."""
    state = dict(draft.state)
    said = normalise(context.text)
    if context.action == "cancel" or control_word(context.text) == "cancel":
        return Outcome(
            [
                Reply(
                    say("reporting_chat.stopped")
                    if state.get("receipt")
                    else say("reporting_chat.done")
                )
            ],
            delete=True,
        )
    phase = state.get("phase")
    if phase == "reference":
        reference = normalise_reference(context.text)
        if reference is None:
            return Outcome(
                [
                    Reply(say("reporting_chat.not_a_reference"), kind="problem"),
                    _question(say("reporting_chat.ask_reference"), "reference"),
                ],
                save=draft,
            )
        state.update(phase="receipt", reference=reference)
        return Outcome(
            [_question(say("reporting_chat.ask_receipt"), "receipt")], save=_draft(context, state)
        )
    reporting = _reporting(core)
    if phase == "receipt":
        with core.store.transaction() as session:
            view = open_report(session, reporting, state["reference"], context.text,
                               sender=reporting.guesses.sender(context.turn.speaker.surface,
                                                               context.turn.speaker.surface_id))
        if isinstance(view, AccessRefused):
            return _refused(view, draft)
        state.update(phase="menu", receipt=context.text)
        return Outcome(_show(view), save=_draft(context, _remember(state, view)))
    if phase == "menu":
        choice = context.action or menu_choice(said)
        return _from_menu(core, context, state, choice)
    if phase in {"message", "answer"}:
        if not context.text.strip():
            return Outcome([_question(say("reporting_chat.ask_addition"), "message")], save=draft)
        return _add(core, context, state, phase)
    if phase == "reveal":
        if context.action == "choice:yes" or control_word(context.text) == "yes":
            return _reveal(core, context, state)
        state["phase"] = "menu"
        return Outcome(
            [Reply(say("reporting_chat.what_next"), kind="question", choices=_menu(state))],
            save=_draft(context, state),
        )
    return Outcome([Reply(say("reporting_chat.done"))], delete=True)


def _from_menu(
    core: Core, context: TurnContext, state: dict[str, Any], choice: str | None
) -> Outcome:
    if choice == FINISH:
        return Outcome([Reply(say("reporting_chat.done"))], delete=True)
    if choice in {ADD, ANSWER}:
        if state.get("closed"):
            return Outcome(
                [Reply(say("reporting_chat.closed")), Reply(say("reporting_chat.done"))],
                delete=True,
            )
        state["phase"] = "answer" if choice == ANSWER else "message"
        prompt = (
            say("reporting_chat.ask_answer")
            if choice == ANSWER
            else say("reporting_chat.ask_addition")
        )
        return Outcome([_question(prompt, "message")], save=_draft(context, state))
    if choice == REVEAL and state.get("mode") == "anonymous":
        state["phase"] = "reveal"
        name = context.turn.speaker.display_name or context.turn.speaker.surface_id
        return Outcome(
            [
                Reply(
                    say("reporting_chat.reveal_warning", name=name),
                    kind="question",
                    choices=(Choice("choice:yes", say("engine.yes_label")),
                             Choice("choice:no", say("engine.no_label"))),
                )
            ],
            save=_draft(context, state),
        )
    return Outcome(
        [
            Reply(say("reporting_chat.pick_one"), kind="problem"),
            Reply(say("reporting_chat.what_next"), kind="question", choices=_menu(state)),
        ],
        save=_draft(context, state),
    )


def _add(core: Core, context: TurnContext, state: dict[str, Any], phase: str) -> Outcome:
    kind: Literal["message", "answer"] = "answer" if phase == "answer" else "message"
    try:
        with core.store.transaction() as session:
            view = add_reporter_message(
                session,
                _reporting(core),
                state["reference"],
                state["receipt"],
                context.text,
                kind=kind,
            )
    except ReportClosed:
        return Outcome(
            [Reply(say("reporting_chat.closed")), Reply(say("reporting_chat.done"))], delete=True
        )
    if isinstance(view, AccessRefused):
        return _refused(view, None)
    state["phase"] = "menu"
    replies = [
        Reply(say("reporting_chat.added", reference=view.reference)),
        Reply(
            say("reporting_chat.what_next"), kind="question", choices=_menu(_remember(state, view))
        ),
    ]
    return Outcome(replies, save=_draft(context, state))


def _reveal(core: Core, context: TurnContext, state: dict[str, Any]) -> Outcome:
    speaker = context.turn.speaker
    reporter = ConfidentialReporter(
        speaker.surface, speaker.surface_id, speaker.display_name or speaker.surface_id
    )
    try:
        with core.store.transaction() as session:
            view = reveal_identity(
                session, _reporting(core), state["reference"], state["receipt"], reporter
            )
    except ReportingError as problem:
        return Outcome(
            [Reply(str(problem), kind="problem"), Reply(say("reporting_chat.done"))], delete=True
        )
    if isinstance(view, AccessRefused):
        return _refused(view, None)
    state["phase"] = "menu"
    return Outcome(
        [
            Reply(say("reporting_chat.revealed", reference=view.reference)),
            Reply(
                say("reporting_chat.what_next"),
                kind="question",
                choices=_menu(_remember(state, view)),
            ),
        ],
        save=_draft(context, state),
    )


def _show(view: ReporterView) -> list[Reply]:
    lines = [
        say(
            "reporting_chat.status_line",
            reference=view.reference,
            category=view.category,
            received=f"{view.received_on:%d %B %Y}",
            status=view.status,
        )
    ]
    if view.outcome:
        lines.append(say("reporting_chat.outcome_line", outcome=view.outcome))
    if not any(entry.author != "reporter" for entry in view.thread):
        lines.append(say("reporting_chat.no_messages"))
    for entry in view.thread:
        who = "You" if entry.author == "reporter" else "Integrity unit"
        label = {"question": " asked", "answer": " answered", "status": ""}.get(entry.kind, "")
        lines.append(f"{entry.on:%d %b %Y}  {who}{label}: {entry.text}")
    if view.open_questions:
        count = view.open_questions
        lines.append(
            say(
                "reporting_chat.questions_waiting",
                count="a question" if count == 1 else f"{count} questions",
                verb="has" if count == 1 else "have",
            )
        )
    replies = [
        Reply(
            "\n".join(lines), kind="list", data={"reference": view.reference, "status": view.status}
        )
    ]
    if view.closed:
        return replies + [Reply(say("reporting_chat.closed"))]
    state = _remember({}, view)
    return replies + [Reply(say("reporting_chat.what_next"), kind="question", choices=_menu(state))]


def _remember(state: dict[str, Any], view: ReporterView) -> dict[str, Any]:
    state.update(mode=view.mode, closed=view.closed, questions=view.open_questions)
    return state


def _menu(state: dict[str, Any]) -> tuple[Choice, ...]:
    values = [ADD]
    if state.get("questions"):
        values.append(ANSWER)
    if state.get("mode") == "anonymous":
        values.append(REVEAL)
    return tuple(_option(value) for value in (*values, FINISH))


def _refused(refused: AccessRefused, draft: Draft | None) -> Outcome:
    if refused.throttled:
        minutes = max(1, round(refused.retry_after.total_seconds() / 60))
        wait = "a minute" if minutes == 1 else f"{minutes} minutes"
        return Outcome(
            [Reply(say("reporting_chat.too_many", wait=wait), kind="problem")], delete=True
        )
    problem = (
        say("reporting_chat.not_a_receipt")
        if refused.not_a_receipt
        else say("reporting_chat.no_match")
    )
    if draft is None:
        return Outcome([Reply(problem, kind="problem")], delete=True)
    return Outcome(
        [Reply(problem, kind="problem"), _question(say("reporting_chat.ask_receipt"), "receipt")],
        save=draft,
    )


def _question(text: str, field: str) -> Reply:
    return Reply(
        text, kind="question", field=field, field_type="text", data={"workflow": FOLLOW_UP}
    )


def _draft(context: TurnContext, state: dict[str, Any]) -> Draft:
    # In memory only: a reference and receipt must never sit in the conversations table.
    return Draft(context.turn.conversation_key, FOLLOW_UP, state, in_memory=True)


def _reporting(core: Core) -> ReportingContext:
    return ReportingContext.from_settings(core.settings, clock=core.clock)


def reporting_plugin() -> Plugin:
    """What reporting adds to the assistant; bot.app hands it over with the other plug-ins."""
    return Plugin(
        name="reporting",
        filers={"report": FilerEntry(file_report, identified=is_confidential, needs_person=False)},
        commands=(
            Command("report", phrases("commands.report"), start_report),
            Command(
                "follow up", phrases("commands.follow_up"), start_follow_up, takes_argument=True
            ),
        ),
        dialogues={FOLLOW_UP: follow_up},
    )
