"""The dialogue engine: one pure step of a guided workflow, (definition, state, input) -> Step.

No I/O: the state is a frozen DraftState (bot.workflows.state; the caller stores its JSON in
Conversation.state), the context carries the date, the people a "person" answer may name
and how to match a name against them, and filing happens afterwards, elsewhere. Nothing
here imports the directory or the store. The
engine asks one question at a time, understands back / skip / cancel / help / change, shows
a summary, and hands policy questions back to the caller to answer.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from rapidfuzz import fuzz, process, utils

from bot.messages import say
from bot.turns import Choice, Citation, Reply
from bot.workflows.conditions import Comparison
from bot.workflows.definitions import FieldSpec, Hint, WorkflowDefinition
from bot.workflows.fields import format_money, parse_field, parse_yes_no
from bot.workflows.intents import control_word, looks_like_question
from bot.workflows.parsing.amounts import contains_any
from bot.workflows.parsing.answers import mentioned_options
from bot.workflows.parsing.common import (
    UNSURE_PHRASES,
    is_rough,
    normalise_short,
    one_line,
    words_to_digits,
)
from bot.workflows.parsing.quantities import weekly_count, weekly_hours
from bot.workflows.parsing.words import phrases
from bot.workflows.state import ASKING, CHOOSING_CHANGE, CONFIRMED, SUMMARY, DraftState
from bot.workflows.state import CANCELLED as CANCELLED_PHASE
from bot.workflows.understanding import Understanding
from bot.workflows.understanding.corrections import Correction, read_correction
from bot.workflows.understanding.junk import junk_kind
from bot.workflows.understanding.polarity import echo_polarity
from bot.workflows.understanding.slots import named_by_phrase, names_something, snippets

# What the engine itself says is in messages/en/engine.yaml; question text, help and policy
# wording live in the workflow YAML.


def _use_suggestion() -> Choice:
    return Choice("accept", say("engine.use_suggestion"))


def _summary_choices() -> tuple[Choice, ...]:
    return (Choice("confirm", say("engine.confirm")), Choice("change", say("engine.change")),
            Choice("cancel", say("engine.cancel")))


def _yes_no() -> tuple[Choice, ...]:
    return (Choice("choice:yes", say("engine.yes_label")),
            Choice("choice:no", say("engine.no_label")))


#: Free-text field types: an answer to these is never taken for a policy question by shape.
TEXT_TYPES = frozenset({"text", "long_text", "organisation"})
#: What people type for "nothing to put here"; an optional text question takes it as skip.
NONE_ANSWERS = phrases("no_answer")

CANCELLED_STATUS = CANCELLED_PHASE


@dataclass(frozen=True)
class UserInput:
    """What the person did: typed `text`, or pressed a button whose value is `action`.

    Actions: "choice:<value>", "confirm", "change", "change:<field>", "back", "skip",
    "keep", "cancel", "help", "accept" (take what the person already said, see start()).
    """

    text: str | None = None
    action: str | None = None


class Colleague(Protocol):
    """Someone a "person" answer may name (bot.directory.StaffMember is one)."""

    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...


#: Who fits a typed name, best first: one is a match, several a choice, none nobody.
PeopleMatcher = Callable[[str, Sequence[Colleague]], Sequence[Colleague]]


def exact_names(text: str, people: Sequence[Colleague]) -> list[Colleague]:
    """The plainest matcher: the people whose key or label is exactly what was typed."""
    wanted = " ".join(text.split()).casefold()
    return [member for member in people
            if wanted in {member.key.casefold(), member.label.casefold()}]


@dataclass(frozen=True)
class DialogueContext:
    """Everything outside the definition and state that a step may read."""

    today: dt.date
    #: The declarant's directory facts (staff_type, rank_or_grade, role, team).
    person: Mapping[str, Any] = field(default_factory=dict)
    #: Whom a "person" answer may name.
    people: tuple[Colleague, ...] = ()
    line_manager: Colleague | None = None
    #: How a typed name is matched against `people` (the caller passes the directory's
    #: bot.directory.match_staff; the default takes exact names only).
    match_people: PeopleMatcher = exact_names
    #: The trained readers of plain answers (yes/no, described choices); None: rules only.
    understanding: Understanding | None = None


@dataclass(frozen=True)
class Step:
    """The outcome of one step: the new state, what to show, and what the caller must do."""

    state: DraftState
    replies: tuple[Reply, ...] = ()
    #: "asking", "summary", "choosing_change", "confirmed" (file it) or "cancelled".
    status: str = ASKING
    #: Set when the input was a question for the policies; answer it, then call reprompt().
    policy_question: str | None = None


@dataclass(frozen=True)
class _Move:
    """A step inside the engine, over a private working copy of the state's JSON."""

    state: dict[str, Any]
    replies: tuple[Reply, ...] = ()
    status: str = ASKING
    policy_question: str | None = None

    def step(self) -> Step:
        return Step(DraftState.from_json(self.state), self.replies, self.status,
                    self.policy_question)


def start(definition: WorkflowDefinition, context: DialogueContext,
          opening: str | None = None) -> Step:
    """A fresh draft: the introduction, then the first question.

    `opening` is what the person said that led here ("a supplier offered me two tickets to
    the rugby"). Every question it answers (read with that question's own parser) is
    filled and noted once in a reply, with the policy notes it calls for, so only the rest
    is asked; a description without a lead-in is offered back as a suggestion instead.
    """
    fresh = DraftState(definition.name, definition.version,
                       suggested=_suggestions(definition, opening, context) if opening else {})
    intro = tuple(Reply(_fill(text.text, definition)) for text in definition.intro
                  if text.when is None or text.when.holds({}, context.person))
    work = fresh.to_json()
    noted = _facts_from(definition, work, opening, context, opening=True) if opening else ()
    move = _next(definition, work, context)
    return _Move(move.state, intro + noted + move.replies, move.status).step()


def reprompt(definition: WorkflowDefinition, state: DraftState | Mapping[str, Any],
             context: DialogueContext) -> Step:
    """Show again whatever the person was last asked (after a policy answer, a restart...).

    `state` may be a DraftState or its stored JSON (DraftState.to_json()).
    """
    return _reprompt(definition, _work(state), context).step()


def advance(definition: WorkflowDefinition, state: DraftState | Mapping[str, Any],
            user_input: UserInput, context: DialogueContext) -> Step:
    """Take one input and move the dialogue on; earlier answers always survive bad input.

    `state` may be a DraftState or its stored JSON; it is never changed.
    """
    work = _work(state)
    text = (user_input.text or "").strip()
    # Junk is never a command either ("...!?" is not a request for help): it is refused.
    junk = not user_input.action and text != "?" and junk_kind(text) is not None
    command = user_input.action or (None if junk else control_word(text))
    if command == "cancel":
        work["phase"] = CANCELLED_STATUS
        return _Move(work, (Reply(say("engine.cancelled")),), CANCELLED_STATUS).step()
    if command == "help":
        return _help(definition, work, context).step()
    phase = work["phase"]
    if phase == SUMMARY:
        return _at_summary(definition, work, command, text, context).step()
    if phase == CHOOSING_CHANGE:
        return _at_choose_change(definition, work, command, text, context).step()
    return _at_question(definition, work, command, user_input, text, context).step()


def _reprompt(definition: WorkflowDefinition, state: dict[str, Any],
              context: DialogueContext) -> _Move:
    if state["phase"] == SUMMARY:
        return _summary(definition, state, context)
    if state["phase"] == CHOOSING_CHANGE:
        return _choose_change(definition, state, context)
    if state["pending"] is None:
        return _next(definition, state, context)
    return _ask(definition, state, context, state["pending"])


# -- phases -------------------------------------------------------------------------------


def _at_question(definition: WorkflowDefinition, state: dict[str, Any], command: str | None,
                 user_input: UserInput, text: str, context: DialogueContext) -> _Move:
    """One input while a question is pending: a control word, or an answer to read."""
    spec = definition.field(state["pending"])
    # Only the very next answer may complete a partly understood one.
    earlier = state.pop("partial", None) or {}
    if not user_input.action and text and text.strip() != "?":  # a lone "?" asks for help
        refused = _refuse_junk(definition, state, text, context)
        if refused is not None:
            return refused
    controlled = _question_control(definition, state, command, user_input, text, context)
    if controlled is not None:
        return controlled
    if not user_input.action:
        corrected = _correction(definition, state, spec, text, context)
        if corrected is not None:
            return corrected
    reading = _reading_for(definition, state, spec, user_input, text, context, earlier)
    if isinstance(reading, _Move):
        return reading
    return _take_reading(definition, state, spec, reading, text, context)


def _question_control(definition: WorkflowDefinition, state: dict[str, Any],
                      command: str | None, user_input: UserInput, text: str,
                      context: DialogueContext) -> _Move | None:
    """back / skip / keep / change, a stray button, a policy question or a blank; else None."""
    pending = state["pending"]
    spec = definition.field(pending)
    if command == "back":
        previous = _previous(definition, state, context, pending)
        if previous is None:
            return _problem(definition, state, context, say("engine.nothing_before"))
        return _ask(definition, state, context, previous)
    if command == "skip":
        if spec.required:
            return _problem(definition, state, context, say("engine.cannot_skip"))
        return _skip(definition, state, context, pending, quiet=True)
    if command == "keep" and pending in state["answers"]:
        return _next(definition, state, context)
    if command and command.startswith("change"):
        return _start_change(definition, state, command, text, context)
    action = user_input.action
    if action and not action.startswith("choice:") and action != "accept":
        return _reprompt(definition, state, context)
    # A question mark usually marks a question for the policies ("is this allowed?" is never
    # a gift description), but a person's longer account may well end with one: keep that.
    if not action and text.endswith("?") and not _is_account(spec, text):
        return _Move(state, (), ASKING, policy_question=text)
    if not action and not text:
        return _problem(definition, state, context, say("engine.answer_needed"))
    return None


def _reading_for(definition: WorkflowDefinition, state: dict[str, Any], spec: FieldSpec,
                 user_input: UserInput, text: str, context: DialogueContext,
                 earlier: Mapping[str, Any]) -> Reading | _Move:
    """The answer given: a suggestion taken, a blank or "don't know", or the text read."""
    action = user_input.action
    suggestion = _suggestion_for(state, spec.name)
    if suggestion is not None and (action == "accept" or (
            not action and says_yes(text, context.understanding))):
        return Reading(suggestion["value"], suggestion["display"],
                        precision=suggestion.get("precision"))
    if action == "accept":
        return _reprompt(definition, state, context)
    if not action and not spec.required and _says_none(spec, text, context.understanding):
        # "nah", "nothing", "don't know" to an optional question: left blank, not stored as
        # someone's name or as "anything else: nah". What else it says still counts: "none,
        # she's just a member of the public" tells the giver's relationship.
        state["skipped"].append(spec.name)
        noted = _facts_from(definition, state, text, context)
        move = _skip(definition, state, context, spec.name)
        return _Move(move.state, noted + move.replies, move.status)
    if not action and spec.required and says_unsure(text) and spec.type in TEXT_TYPES:
        return _problem(definition, state, context,
                        f"{say('engine.unsure_text')} {_fill(spec.help, definition)}")
    if not action:
        text = _with_known_hours(definition, state, spec, text)
    reading = _read_with_earlier(spec, user_input, text, context, earlier)
    if reading.problem and not action and spec.if_unsure is not None and \
            _unsure(text, context):
        # "not sure", "maybe" where the definition says what not knowing stands for.
        shown = say(f"understanding.{'yes' if spec.if_unsure else 'no'}")
        return Reading(spec.if_unsure, say("understanding.unsure_taken_as", value=shown))
    if reading.problem and not action and _tells_gated_fact(definition, spec, text, context,
                                                            state):
        # "he gives me cash, about 50 a week" to "Is it paid?": yes, and the pay is noted.
        return Reading(True, say("understanding.yes"))
    if reading.problem and not action and earlier.get("field") == spec.name and \
            earlier.get("unclear"):
        # Asked twice and still unclear: take the way the answer leans, and say so.
        leaning = _leaning(spec, text, context)
        if leaning is not None:
            return leaning
    return reading


def _take_reading(definition: WorkflowDefinition, state: dict[str, Any], spec: FieldSpec,
                  reading: Reading, text: str, context: DialogueContext) -> _Move:
    """Store a clean reading and move on; otherwise ask which person, or say what is wrong."""
    if reading.candidates:
        choices = tuple(Choice(f"choice:{m.key}", m.label) for m in reading.candidates[:8])
        which = Reply(say("engine.which_person", text=text), kind="question",
                      field=spec.name, field_type=spec.type, choices=choices)
        return _Move(state, (which,), ASKING)
    if reading.problem is not None:
        return _rejected(definition, state, spec, reading, text, context)
    record_answer(state, spec.name, reading)
    warnings = hints_after(definition, spec.name, state, context)
    # Facts in a short answer count ("£30, and I turned it down"); an account in prose
    # mentions too much in passing ("a sergeant") to be read for other questions.
    rest = _beyond_answer(spec, text, context) if spec.type not in TEXT_TYPES else ""
    noted = _facts_from(definition, state, rest, context) if rest else ()
    move = _next(definition, state, context)
    return _Move(move.state, warnings + noted + move.replies, move.status)


_ANSWER_PARTS = re.compile(r"\s*(?:[,;]|\s-\s|\.\s|\band\b|\bbut\b)\s*", re.IGNORECASE)


def _beyond_answer(spec: FieldSpec, text: str, context: DialogueContext) -> str:
    """What an answer says besides answering its question: the parts (split at commas and
    "and") that are not themselves that answer. "£30, and I turned it down" to the value
    leaves "I turned it down"; "kept it" to accepted-or-declined leaves nothing, so it is
    not also read as where the gift went."""
    parts = [part for part in _ANSWER_PARTS.split(text) if part and part.strip()]
    if len(parts) < 2:
        return ""
    rest = [part for part in parts
            if _read_answer(spec, UserInput(part), part, context).problem is not None]
    return ", ".join(rest)


def _rejected(definition: WorkflowDefinition, state: dict[str, Any], spec: FieldSpec,
              reading: Reading, text: str, context: DialogueContext) -> _Move:
    if spec.type not in TEXT_TYPES and looks_like_question(text):
        return _Move(state, (), ASKING, policy_question=text)
    problem = reading.problem or say("engine.answer_needed")
    if spec.type in {"yes_no", "choice"}:
        state["partial"] = {"field": spec.name, "text": "", "unclear": "yes"}
    if reading.partial:
        # "January 2027" then "the 9th": the month is kept for the next answer.
        state["partial"] = {"field": spec.name, "text": reading.partial}
    if spec.type in {"yes_no", "choice"} and _unsure(text, context):
        # The field's help is where a definition says what to do when unsure.
        problem = f"{problem} {_fill(spec.help, definition)}"
    return _problem(definition, state, context, problem)


def record_answer(state: dict[str, Any], name: str, reading: Reading) -> None:
    """Keep one answer in a working state: value, display and date precision."""
    state["answers"][name] = reading.value
    state["displays"][name] = reading.display
    state["suggested"].pop(name, None)
    precisions = state["precisions"]
    if reading.precision:
        precisions[name] = reading.precision
    else:
        precisions.pop(name, None)
    if name in state["skipped"]:
        state["skipped"].remove(name)


def _skip(definition: WorkflowDefinition, state: dict[str, Any], context: DialogueContext,
          pending: str, quiet: bool = False) -> _Move:
    state["answers"].pop(pending, None)
    state["displays"].pop(pending, None)
    if pending not in state["skipped"]:
        state["skipped"].append(pending)
    step = _next(definition, state, context)
    if quiet:
        return step
    return _Move(step.state, (Reply(say("engine.left_blank")),) + step.replies, step.status)


def _at_summary(definition: WorkflowDefinition, state: dict[str, Any], command: str | None,
                text: str, context: DialogueContext) -> _Move:
    if command is None and text and not junk_kind(text):
        corrected = _apply_correction(definition, state, text, context, None)
        if corrected is not None:
            label, display = corrected
            move = _summary(definition, state, context)
            return _Move(move.state, (Reply(say("understanding.changed", label=label,
                                                value=display)),) + move.replies, move.status)
        # "actually the date is wrong", "no wait, change the organisation": a change, said
        # the way people say it rather than as the command.
        command = wants_change(text) or _plain_yes_no(text, context)
        if command is not None and command.startswith("change"):
            text = command
    if command in {"confirm", "yes"}:
        if _first_unanswered(definition, state, context) is not None:
            # Only a complete draft files: a summary reached early (or a stale button) asks on.
            return _next(definition, state, context)
        state["phase"] = CONFIRMED
        return _Move(state, (), CONFIRMED)
    if command == "back":
        visible = visible_fields(definition, state["answers"], context.person)
        state["phase"] = ASKING
        return _ask(definition, state, context, visible[-1].name)
    if command and command.startswith("change"):
        return _start_change(definition, state, command, text, context)
    if command == "no":
        # "no" to "please check it": something is wrong, so ask which answer.
        return _choose_change(definition, state, context)
    if text and looks_like_question(text):
        return _Move(state, (), SUMMARY, policy_question=text)
    step = _summary(definition, state, context)
    problem = Reply(say("engine.at_summary"), kind="problem")
    return _Move(step.state, (problem,) + step.replies, step.status)


def _at_choose_change(definition: WorkflowDefinition, state: dict[str, Any],
                      command: str | None, text: str, context: DialogueContext) -> _Move:
    if command in {"back", "keep", "confirm", "no"}:
        # Back to where they were: the summary only if every question has been answered
        # (a confirm there then needs one more press, so nothing is filed by surprise).
        return _next(definition, state, context)
    if command and command.startswith("change:"):
        return _start_change(definition, state, command, text, context)
    wanted = wants_change(text) or f"change {text}"
    if state["pending"] and _target(definition, state, wanted, context) is None:
        # Not an answer's name: most likely the answer to the question they were on.
        pending = state["pending"]
        reading = _read_answer(definition.field(pending), UserInput(text), text, context)
        if reading.problem is None and not reading.candidates:
            state["phase"] = ASKING
            return _at_question(definition, state, None, UserInput(text), text, context)
    return _start_change(definition, state, wanted, wanted, context)


def _start_change(definition: WorkflowDefinition, state: dict[str, Any], command: str,
                  text: str, context: DialogueContext) -> _Move:
    """"change", "change:value" or "change the value": re-ask one answered field."""
    visible = [spec for spec in visible_fields(definition, state["answers"], context.person)
               if spec.name in state["answers"] or spec.name in state["skipped"]]
    wanted = _wanted(command, text)
    if not visible and state["phase"] == ASKING and state["pending"]:
        return _problem(definition, state, context, say("engine.nothing_to_change"))
    if not wanted.strip():
        return _choose_change(definition, state, context)
    target = _find_field(wanted, visible)
    later = None if target else _find_field(
        wanted, visible_fields(definition, state["answers"], context.person))
    if later is not None and state["pending"]:
        # Named a question not reached yet: say so and carry on where they were.
        state["phase"] = ASKING
        if later.name == state["pending"]:
            return _ask(definition, state, context, later.name)
        return _problem(definition, state, context,
                        say("engine.not_yet", label=later.label.lower()))
    if target is None:
        step = _choose_change(definition, state, context)
        unknown = Reply(say("engine.unknown_change"), kind="problem")
        return _Move(step.state, (unknown,) + step.replies,
                    step.status)
    state["phase"] = ASKING
    return _ask(definition, state, context, target.name)


def _wanted(command: str, text: str) -> str:
    """The answer a change names: "change:value" -> "value", "change the value" -> "value"."""
    if command.startswith("change:"):
        return command.removeprefix("change:")
    return _CHANGE_WORDS.sub("", text) if text else ""


def _target(definition: WorkflowDefinition, state: dict[str, Any], wanted: str,
            context: DialogueContext) -> FieldSpec | None:
    """The visible field a change names, answered or not."""
    name = _wanted("", wanted)
    if not name.strip():
        return None
    return _find_field(name, visible_fields(definition, state["answers"], context.person))


_CHANGE_WORDS = re.compile(r"^\s*(change|edit|amend|correct|fix|update)\b\s*(the|my)?\s*",
                           re.IGNORECASE)
# Openers people put before a correction: "actually", "no wait", "oh sorry", "hang on".
_LEAD_IN = re.compile(
    r"^(?:(?:actually|no|nope|wait|hang on|hold on|oh|oops|sorry|hmm+|um+|er+|ah|oh no|"
    r"can i|could i|i want to|i'd like to|i need to|let me|please|just)\b[\s,.!-]*)+",
    re.IGNORECASE)
_IS_WRONG = re.compile(
    r"^(?:the\s+|my\s+)?(?P<what>.+?)\s+(?:is|was|are|were|'s)\s+(?:wrong|incorrect|not right"
    r"|a mistake|off)\b|^(?:wrong|incorrect)\s+(?P<what2>.+)$", re.IGNORECASE)
_ALL_WRONG = re.compile(r"^(?:that's|thats|that is|it's|its)?\s*(?:wrong|not right|incorrect"
                        r"|a mistake)$", re.IGNORECASE)


def wants_change(text: str) -> str | None:
    """A correction said in plain words, as "change <what>" (or "change"), else None.

    "actually change the date", "no wait, the organisation is wrong", "wrong value",
    "that's not right" all mean the person wants to change something.
    """
    said = text.strip().rstrip(".!")
    rest = _LEAD_IN.sub("", said).strip()
    if not rest:
        return None
    if _CHANGE_WORDS.match(rest):
        return f"change {_CHANGE_WORDS.sub('', rest)}".strip()
    match = _IS_WRONG.match(rest)
    if match:
        return f"change {match['what'] or match['what2']}".strip()
    if _ALL_WRONG.match(rest):
        return "change"
    return None


# -- moving on ----------------------------------------------------------------------------


def _next(definition: WorkflowDefinition, state: dict[str, Any],
          context: DialogueContext) -> _Move:
    """Ask the first visible question not yet answered or skipped; else show the summary."""
    name = _first_unanswered(definition, state, context)
    if name is not None:
        return _ask(definition, state, context, name)
    return _summary(definition, state, context)


def _first_unanswered(definition: WorkflowDefinition, state: dict[str, Any],
                      context: DialogueContext) -> str | None:
    for spec in visible_fields(definition, state["answers"], context.person):
        if spec.name not in state["answers"] and spec.name not in state["skipped"]:
            return spec.name
    return None


#: A long-text answer of more words than this is an account, even if it ends with "?".
ACCOUNT_MIN_WORDS = 9


def _is_account(spec: FieldSpec, text: str) -> bool:
    return spec.type == "long_text" and len(text.split()) >= ACCOUNT_MIN_WORDS


def _ask(definition: WorkflowDefinition, state: dict[str, Any], context: DialogueContext,
         name: str, prefix: tuple[Reply, ...] = ()) -> _Move:
    spec = definition.field(name)
    state["pending"] = name
    state["phase"] = ASKING
    text = _fill(spec.prompt, definition)
    data: dict[str, Any] = {"optional": not spec.required, "workflow": definition.name}
    choices = _choices(spec, context)
    suggestion = _suggestion_for(state, name)
    if name in state["displays"]:
        data["current"] = state["displays"][name]
        text = f"{text}\n{say('engine.currently', value=state['displays'][name])}"
    elif suggestion is not None:
        data["suggested"] = suggestion["display"]
        if spec.type == "choice":
            text = f"{text}\n{say('engine.suggested_choice', value=suggestion['display'])}"
        else:
            text = f"{text}\n{say('engine.suggested', value=suggestion['display'])}"
            choices = (_use_suggestion(),) + choices
    question = Reply(text, kind="question", field=name, field_type=spec.type,
                     choices=choices, data=data)
    return _Move(state, prefix + (question,), ASKING)


def _suggestion_for(state: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """What the opening suggested for `name`, while it is still unanswered."""
    if name in state["answers"]:
        return None
    found = (state.get("suggested") or {}).get(name)
    return found if isinstance(found, dict) else None


def _suggestions(definition: WorkflowDefinition, opening: str,
                 context: DialogueContext) -> dict[str, dict[str, Any]]:
    """Answers the opening words give, for the fields marked `from_opening`.

    A choice is suggested only when the words name exactly one option; text fields get the
    words themselves, after any lead-in the definition names ("offered me").
    """
    found: dict[str, dict[str, Any]] = {}
    for spec in definition.fields:
        if spec.from_opening is None or spec.type == "choice":
            continue  # choices the opening names are filled in (see _facts_from)
        text = _after_lead_in(opening, spec.from_opening)
        if not text:
            continue
        reading = _read_answer(spec, UserInput(text), text, context)
        if reading.problem is None and not reading.candidates and reading.value not in (
                None, ""):
            found[spec.name] = {"value": reading.value, "display": reading.display,
                                "precision": reading.precision}
    return found


def _after_lead_in(opening: str, lead_ins: tuple[str, ...]) -> str:
    """The opening from just after the first lead-in phrase it contains (or all of it)."""
    text = " ".join(opening.split()).strip(" .!")
    for phrase in lead_ins:
        for match in re.finditer(rf"(?<!\w){re.escape(phrase)}(?!\w)\s*", text, re.IGNORECASE):
            # "offered 9/11, declined" dates the offer; the thing offered is named elsewhere.
            if names_something(_clause(text[match.end():])):
                return text[match.end():].strip()
    return text


def says_yes(text: str, understanding: Understanding | None = None) -> bool:
    """A short plain yes ("yes", "yeah", "that's right", "go for it"); longer answers are
    answers."""
    if len(text.split()) > 4:
        return False
    parsed = parse_yes_no(text)
    if parsed.ok:
        return parsed.value is True
    return understanding is not None and understanding.yes_no(text) == "yes"


def _plain_yes_no(text: str, context: DialogueContext) -> str | None:
    """"yes" or "no" for a plain answer the word lists miss ("yep that's it", "nah")."""
    if context.understanding is None or len(text.split()) > PLAIN_ANSWER_WORDS:
        return None  # a sentence at the summary is not taken for a yes that files it
    said = context.understanding.yes_no(text)
    return said if said in {"yes", "no"} else None


#: The most words a plain yes or no at the summary may have.
PLAIN_ANSWER_WORDS = 5


def says_unsure(text: str) -> bool:
    """The whole answer is a way of saying "I don't know"."""
    said = normalise_short(text).strip(" .!")
    return said in UNSURE_PHRASES or said.replace("’", "'") in UNSURE_PHRASES


def _unsure(text: str, context: DialogueContext) -> bool:
    """The answer says the person does not know: in the word lists, or read so by the model."""
    if says_unsure(text) or contains_any(normalise_short(text), UNSURE_PHRASES):
        return True
    return context.understanding is not None and context.understanding.yes_no(text) == "unsure"


def _says_none(spec: FieldSpec, text: str, understanding: Understanding | None = None) -> bool:
    said = normalise_short(text).strip(" .!")
    if says_unsure(text):
        return spec.type != "yes_no"
    if spec.type == "organisation" and _NO_ORGANISATION.match(said):
        return True
    return spec.type in TEXT_TYPES and (said in NONE_ANSWERS or _plain_no(text, understanding))


def _plain_no(text: str, understanding: Understanding | None) -> bool:
    """ "no that's it", "nope nothing": a short no to an optional question."""
    return len(text.split()) <= 4 and understanding is not None and \
        understanding.yes_no(text) == "no"


# An organisation answer that says there is none: "none, she's just a member of the public".
_NO_ORGANISATION = re.compile("^(?:" + "|".join((
    "none", "no", "nope", "nah", r"n/?a", "nobody", "no one", "nothing", "not applicable",
    r"not\s+from any\w*", "no company", "no organi[sz]ation", "no business", "no firm",
    "private(?:ly)?", r"(?:he|she|they)(?:'s|'re| is| are|s) just", "just a", "member of",
    "an individual", "individual")) + r")\b")


def _problem(definition: WorkflowDefinition, state: dict[str, Any], context: DialogueContext,
             problem: str) -> _Move:
    return _ask(definition, state, context, state["pending"], (Reply(problem, kind="problem"),))


def _help(definition: WorkflowDefinition, state: dict[str, Any],
          context: DialogueContext) -> _Move:
    if state["phase"] == ASKING and state["pending"]:
        spec = definition.field(state["pending"])
        help_reply = Reply(f"{_fill(spec.help, definition)}\n{say('engine.controls')}")
    else:
        help_reply = Reply(say("engine.controls"))
    step = _reprompt(definition, state, context)
    return _Move(step.state, (help_reply,) + step.replies, step.status)


def _summary(definition: WorkflowDefinition, state: dict[str, Any],
             context: DialogueContext) -> _Move:
    state["phase"] = SUMMARY
    state["pending"] = None
    rows = summary_rows(definition, state, context.person)
    lines = "\n".join(f"{row['label']}: {row['value']}" for row in rows)
    reply = Reply(f"{_fill(definition.summary_intro, definition)}\n{lines}", kind="summary",
                  choices=_summary_choices(),
                  data={"title": definition.title, "rows": rows, "workflow": definition.name})
    return _Move(state, (reply,), SUMMARY)


def _choose_change(definition: WorkflowDefinition, state: dict[str, Any],
                   context: DialogueContext) -> _Move:
    state["phase"] = CHOOSING_CHANGE
    choices = tuple(Choice(f"change:{row['field']}", row["label"])
                    for row in summary_rows(definition, state, context.person))
    return _Move(state, (Reply(say("engine.choose_change"), kind="question", choices=choices),),
                CHOOSING_CHANGE)


def _previous(definition: WorkflowDefinition, state: dict[str, Any],
              context: DialogueContext, pending: str) -> str | None:
    previous = None
    for spec in visible_fields(definition, state["answers"], context.person):
        if spec.name == pending:
            return previous
        if spec.name in state["answers"] or spec.name in state["skipped"]:
            previous = spec.name
    return previous


# -- reading answers ----------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One answer read: its JSON value and display, or a problem, or people to choose from."""

    value: Any = None
    display: str = ""
    problem: str | None = None
    candidates: tuple[Colleague, ...] = ()
    #: "month" or "year" for a date that stands for a whole month or year.
    precision: str | None = None
    #: What a rejected answer did say, to combine with the next one (see Parsed.partial).
    partial: str | None = None


def read_field(spec: FieldSpec, text: str, context: DialogueContext) -> Reading:
    """One answer to `spec` read by the chat's own parsers (the form API uses this).

    A choice given as one of its option values (what a form's menu sends) is taken as that
    option, as a pressed button is in the chat; anything else is read as typed words.
    """
    if spec.type == "choice" and any(option.value == text for option in spec.options):
        return _read_answer(spec, UserInput(action=f"choice:{text}"), text, context)
    return _read_answer(spec, UserInput(text), text, context)


def _read_with_earlier(spec: FieldSpec, user_input: UserInput, text: str,
                       context: DialogueContext, earlier: Mapping[str, Any]) -> Reading:
    """The answer read on its own, or together with the part of the last one understood.

    Asked "Which day in January?" after "January 2027", "the 9th" means 9 January 2027,
    not the 9th of this month. The pair is tried first and kept only if it reads cleanly;
    otherwise the new answer stands alone ("12 March" replaces the month).
    """
    if earlier.get("field") == spec.name and earlier.get("text") and user_input.action is None:
        together = _read_answer(spec, user_input, f"{text} {earlier['text']}", context)
        if together.problem is None and not together.candidates:
            return together
    return _read_answer(spec, user_input, text, context)


def _read_answer(spec: FieldSpec, user_input: UserInput, text: str,
                 context: DialogueContext) -> Reading:
    action = user_input.action
    if action is not None:
        return _read_choice(spec, action.removeprefix("choice:"), context)
    if spec.type == "person":
        manager = context.line_manager
        if spec.suggest == "line_manager" and manager is not None and (
                says_yes(text) or _MY_MANAGER.match(normalise_short(text).strip(" .!"))):
            return Reading({"key": manager.key, "name": manager.label}, manager.label)
        tidied = parse_field("person", text)
        if not tidied.ok:
            return Reading(problem=tidied.problem or say("engine.answer_needed"))
        return _read_person(str(tidied.value), context)
    # parse_field passes each type only the options it understands.
    options: dict[str, Any] = {"today": context.today, "options": list(spec.options)}
    if spec.allow_future is not None:
        options["allow_future"] = spec.allow_future
    if spec.allow_past is not None:
        options["allow_past"] = spec.allow_past
    if spec.type == "number":
        options.update(minimum=spec.minimum, maximum=spec.maximum)
        weekly = _weekly(spec, text, context)
        if weekly is not None:
            return weekly
    if spec.type == "money" and spec.maximum is not None:
        options["max_pence"] = int(spec.maximum)
    if spec.period is not None:
        options["period"] = spec.period
    if spec.type == "date":
        options["precision"] = spec.precision
    parsed = parse_field(spec.type, text, **options)
    if not parsed.ok:
        understood = _understood(spec, text, context)
        if understood is not None:
            return understood
        return Reading(problem=parsed.problem or say("engine.answer_needed"),
                       partial=parsed.partial)
    problem = _out_of_bounds(spec, parsed.value)
    if problem is not None:
        return Reading(problem=problem)
    value = parsed.value.isoformat() if isinstance(parsed.value, dt.date) else parsed.value
    return Reading(value, parsed.display or str(parsed.value), precision=parsed.precision)


def _weekly(spec: FieldSpec, text: str, context: DialogueContext) -> Reading | None:
    """Hours in another period or unit, as hours a week, shown with the words they came
    from ("12 (three 8 hour shifts a fortnight)"), which also tell a later per-shift or
    per-lesson rate how many there are; None for a plain number."""
    hours = weekly_hours(text) if spec.period == "week" else None
    if hours is None or normalise_short(text) == f"{hours}":
        return None
    reading = _read_answer(spec, UserInput(f"{hours}"), f"{hours}", context)
    if reading.problem is None:
        return Reading(reading.value, f"{reading.display} ({one_line(text)})")
    return reading


# "my sergeant", "my line manager", "the boss": the line manager the directory suggests.
_MY_MANAGER = re.compile(
    r"^(?:it's |its |it is |that's |thats )?(?:my|the|our)\s+(?:line manager|manager|boss|"
    r"supervisor|sergeant|sarge|sgt|skipper|inspector|insp|guv|guvnor|team leader|"
    r"supervisor)$|^(?:him|her|them|that one|that's them|thats them|same|the suggestion)$")


def _read_choice(spec: FieldSpec, value: str, context: DialogueContext) -> Reading:
    if spec.type == "yes_no" and value in {"yes", "no"}:
        return Reading(value == "yes", value.capitalize())
    if spec.type == "choice":
        for option in spec.options:
            if option.value == value:
                return Reading(option.value, option.label)
    if spec.type == "person":
        for member in context.people:
            if member.key == value:
                return Reading({"key": member.key, "name": member.label}, member.label)
    return Reading(problem=say("engine.answer_needed"))


def _read_person(text: str, context: DialogueContext) -> Reading:
    matches = list(context.match_people(text, context.people))
    if not matches:
        # "sergeant reid": the directory writes "Sgt"; try the rank as it is written there.
        matches = list(context.match_people(_rank_abbreviated(text), context.people))
    if len(matches) > 1:
        matches = _narrowed(text, matches, context)
    if len(matches) == 1:
        return Reading({"key": matches[0].key, "name": matches[0].label}, matches[0].label)
    if not matches:
        return Reading(problem=say("engine.no_person", text=text))
    return Reading(candidates=tuple(matches))


# Ranks as people say them, and as the directory writes them at the start of a label.
_RANKS = {"detective constable": "dc", "detective sergeant": "ds", "detective inspector": "di",
          "sergeant": "sgt", "sarge": "sgt", "skipper": "sgt", "sgt": "sgt", "inspector": "insp",
          "insp": "insp", "guv": "insp", "constable": "pc", "pc": "pc", "dc": "dc", "ds": "ds",
          "di": "di", "dci": "dci", "superintendent": "supt", "supt": "supt", "pcso": "pcso",
          "chief inspector": "ch insp", "chief superintendent": "ch supt"}


def _rank_abbreviated(text: str) -> str:
    said = normalise_short(text)
    for word, rank in sorted(_RANKS.items(), key=lambda pair: -len(pair[0])):
        said = re.sub(rf"\b{re.escape(word)}\b", rank, said)
    return said


def _narrowed(text: str, matches: list[Colleague], context: DialogueContext,
              ) -> list[Colleague]:
    """Several people fit a name: the one with the rank said ("sgt reid"), or the line
    manager the question suggests, when that leaves one."""
    said = normalise_short(text)
    for word, rank in sorted(_RANKS.items(), key=lambda pair: -len(pair[0])):
        if re.match(rf"(?:my |the )?{re.escape(word)}\b", said):
            ranked = [m for m in matches if normalise_short(m.label).startswith(rank + " ")]
            if ranked:
                matches = ranked
            break
    manager = context.line_manager
    if len(matches) > 1 and manager is not None and any(m.key == manager.key for m in matches):
        return [m for m in matches if m.key == manager.key]
    return matches


def _out_of_bounds(spec: FieldSpec, value: Any) -> str | None:
    def shown(bound: int | float) -> str:
        return format_money(int(bound)) if spec.type == "money" else f"{bound:g}"

    if spec.minimum is not None and value < spec.minimum:
        return say("engine.too_low", limit=shown(spec.minimum))
    if spec.maximum is not None and value > spec.maximum:
        return say("engine.too_high", limit=shown(spec.maximum))
    return None


def _choices(spec: FieldSpec, context: DialogueContext) -> tuple[Choice, ...]:
    if spec.type == "yes_no":
        return _yes_no()
    if spec.type == "choice":
        return tuple(Choice(f"choice:{option.value}", option.label) for option in spec.options)
    if spec.suggest == "line_manager" and context.line_manager is not None:
        manager = context.line_manager
        return (Choice(f"choice:{manager.key}", manager.label),)
    return ()


def _find_field(wanted: str, candidates: list[FieldSpec]) -> FieldSpec | None:
    """The field a person named: exactly, then by a unique part, then by a close spelling."""
    said = utils.default_process(wanted)
    names = {index: (utils.default_process(spec.name.replace("_", " ")),
                     utils.default_process(spec.label))
             for index, spec in enumerate(candidates)}
    exact = [index for index, pair in names.items() if said in pair]
    if len(exact) == 1:
        return candidates[exact[0]]
    partial = [index for index, pair in names.items() if any(said in name for name in pair)]
    if len(partial) == 1:
        return candidates[partial[0]]
    labels = {index: pair[1] for index, pair in names.items()}
    best = process.extractOne(said, labels, scorer=fuzz.WRatio, score_cutoff=80)
    return candidates[best[2]] if best else None


# -- understanding: facts said in passing, corrections, junk, described answers ----------


def _refuse_junk(definition: WorkflowDefinition, state: dict[str, Any], text: str,
                 context: DialogueContext) -> _Move | None:
    """A plain re-prompt for an answer with control codes or nothing readable in it."""
    kind = junk_kind(text)
    if kind is None:
        return None
    return _problem(definition, state, context, say(f"understanding.junk_{kind}"))


def _correction(definition: WorkflowDefinition, state: dict[str, Any], spec: FieldSpec,
                text: str, context: DialogueContext) -> _Move | None:
    """"sorry it was 70 not 40" typed at any question: change the answer it is about.

    A correction that answers the question being asked ("actually it was Tuesday") is
    that answer; one that names or replaces an earlier answer changes that one and asks
    the pending question again. None: not a correction, read the text as the answer.
    """
    correction = read_correction(text)
    if correction is None:
        return None
    if spec.type == "yes_no" and correction.old is None and parse_yes_no(text).ok:
        # "no, it's only a few hours" to a yes/no question is its answer, not a correction.
        return None
    bare = correction.old is None and correction.field_words is None
    if bare and spec.type not in TEXT_TYPES:
        reading = _read_answer(spec, UserInput(correction.new), correction.new, context)
        if reading.problem is None and not reading.candidates:
            return _take_reading(definition, state, spec, reading, correction.new, context)
    # At a question any words answer (a name, a description), "actually it was £35" is
    # about an earlier figure or choice first; failing that it answers this question.
    applied = _apply_correction(definition, state, text, context, spec.name,
                                plain_only=bare and spec.type in TEXT_TYPES)
    if applied is None and bare:
        # "actually it was Mr Hill" at the giver's name: that answer, without "actually".
        reading = _read_answer(spec, UserInput(correction.new), correction.new, context)
        if reading.problem is None and not reading.candidates:
            return _take_reading(definition, state, spec, reading, correction.new, context)
        return None
    if applied is None:
        if correction.led and correction.old is not None and spec.type in TEXT_TYPES and \
                spec.name not in state["answers"]:
            # "X not Y" replaces something said before, never this unanswered question.
            move = _ask(definition, state, context, spec.name)
            return _Move(move.state, (Reply(say("understanding.correction_unclear")),)
                         + move.replies, move.status)
        return None
    label, display = applied
    move = _ask(definition, state, context, spec.name)
    return _Move(move.state, (Reply(say("understanding.changed", label=label, value=display)),)
                 + move.replies, move.status)


def _apply_correction(definition: WorkflowDefinition, state: dict[str, Any], text: str,
                      context: DialogueContext, pending: str | None,
                      plain_only: bool = False) -> tuple[str, str] | None:
    """Change the earlier answer a correction is about; (label, new display) or None.

    `plain_only`: change only a figure, a date or a choice the words name outright ("I
    accepted it"), never one the option classifier would guess from a name or description.
    """
    correction = read_correction(text)
    if correction is None:
        return None
    answered = [spec for spec in visible_fields(definition, state["answers"], context.person)
                if spec.name in state["answers"] and spec.name != pending]
    if plain_only:
        answered = [spec for spec in answered if spec.type in _FIGURE_TYPES or (
            spec.type == "choice" and len(mentioned_options(correction.new, spec.options)) == 1)]
    candidates = list(reversed(answered))  # the most recent answers are the likeliest
    if correction.field_words:
        named = _find_field(correction.field_words, answered)
        candidates = [named] if named else candidates
    if correction.old:
        candidates = _replacing(state, candidates, correction, context)
    for spec in candidates:
        if spec.type in TEXT_TYPES | {"person"} and not (
                correction.field_words or correction.old and _says_old(
                    state["displays"].get(spec.name, ""), correction.old)):
            continue  # a bare "actually ..." never rewrites a description
        for wording in _corrected_wordings(spec, state["displays"].get(spec.name, ""),
                                           correction):
            reading = _read_answer(spec, UserInput(wording), wording, context)
            if reading.problem is None and not reading.candidates and \
                    reading.value != state["answers"][spec.name]:
                record_answer(state, spec.name, reading)
                return spec.label, reading.display
    return None


def _replacing(state: dict[str, Any], candidates: list[FieldSpec], correction: Correction,
               context: DialogueContext) -> list[FieldSpec]:
    """The answers "X not Y" may be about, likeliest first.

    The answer shown as Y ("£40.00" for "40"), or the one Y means when read as that
    question's answer ("the 5th" is the date stored as Thursday 5 November); failing those,
    a date question that both X and Y could answer ("July, not June"), since the person
    may be correcting a date Probity took differently.
    """
    old = correction.old or ""
    shown = [spec for spec in candidates if _says_old(state["displays"].get(spec.name, ""), old)]
    meant = [spec for spec in candidates if spec.type in _FIGURE_TYPES
             and _reads_as(spec, old, context) == state["answers"][spec.name]]
    found = list(dict.fromkeys(shown + meant))
    if found:
        return found
    # Only dates: a figure is shown as it was said ("£40.00" for "40"), a date often is not
    # ("last week" is shown as November 2026), so "20 not 99" invents nothing.
    return [spec for spec in candidates if spec.type == "date"
            and _reads_as(spec, old, context) is not None
            and any(_reads_as(spec, wording, context) is not None
                    for wording in _corrected_wordings(spec, "", correction))]


#: Answers a correction's old and new figures can be told apart by type: money, a date...
_FIGURE_TYPES = frozenset({"money", "date", "number"})


def _reads_as(spec: FieldSpec, text: str, context: DialogueContext) -> Any:
    """The value `text` gives as an answer to `spec` (or a figure inside it), else None."""
    for wording in [text, *(snippets(spec, text) if spec.type in _FIGURE_TYPES else [])][:4]:
        reading = _read_answer(spec, UserInput(wording), wording, context)
        if reading.problem is None and not reading.candidates and reading.value is not None:
            return reading.value
    return None


def _corrected_wordings(spec: FieldSpec, display: str, correction: Correction) -> list[str]:
    """What to read as the corrected answer: the person's earlier words with the old figure
    replaced ("one wedding a month, 10 hours each" with 8 for 10), then the new words, then
    the figures inside them ("it were July he got sentenced": July)."""
    words = re.search(r"\((.+)\)\s*$", display)
    new_figure = re.search(r"\d+(?:\.\d+)?", words_to_digits(normalise_short(correction.new)))
    old = words_to_digits(normalise_short(correction.old or ""))
    inside = snippets(spec, correction.new)[:3] if spec.type in _FIGURE_TYPES else []
    if words and new_figure and old and re.search(rf"\b{re.escape(old)}\b", words.group(1)):
        return [re.sub(rf"\b{re.escape(old)}\b", new_figure.group(0), words.group(1), count=1),
                correction.new, *inside]
    return [correction.new, *inside]


def _says_old(display: str, old: str) -> bool:
    """Whether an answer as shown ("£40.00") is what a correction replaces ("40")."""
    plain = re.sub(r"[£,]|\.00\b", "", display).casefold()
    said = re.sub(r"\s*(?:quid|pounds?)\b", "", words_to_digits(normalise_short(old)))
    said = said.strip().lstrip("£").strip()
    return bool(said) and re.search(rf"(?<![\w.]){re.escape(said)}(?![\w])", plain) is not None


def _facts_from(definition: WorkflowDefinition, state: dict[str, Any], text: str,
                context: DialogueContext, opening: bool = False) -> tuple[Reply, ...]:
    """Fill every unanswered question that `text` already answers; say once what was noted.

    Each candidate is read with the field's own parser, so a fact is checked exactly as a
    typed answer would be; questions revealed by a fact (a supplier's tender question) get
    their turn too. Descriptions are taken only from the opening, after a lead-in.
    """
    noted: list[tuple[str, str]] = []
    notes: tuple[Reply, ...] = ()  # the policy notes a noted fact calls for
    for _ in range(3):
        before = len(noted)
        for spec in _open_fields(definition, state, context):
            reading = _fact(spec, _with_known_hours(definition, state, spec, text), context,
                            opening)
            if reading is not None and (_only_suggested(spec, reading, text) or not _agreed(
                    spec, reading, text, context)):
                # Offered back when the question comes, not filled: a passing mention of
                # this often answers something else ("he got arrested last month").
                state["suggested"].setdefault(spec.name, {
                    "value": reading.value, "display": reading.display,
                    "precision": reading.precision})
            elif reading is not None:
                record_answer(state, spec.name, reading)
                noted.append((spec.label, reading.display))
                notes += hints_after(definition, spec.name, state, context)
            elif spec.type == "yes_no" and _tells_gated_fact(definition, spec, text, context,
                                                             state):
                # "I rent a room for £400 a month" tells "Is it paid?" (yes) and the pay.
                record_answer(state, spec.name, Reading(True, say("understanding.yes")))
                noted.append((spec.label, say("understanding.yes")))
        if len(noted) == before:
            break
    if not noted:
        return ()
    facts = "; ".join(f"{label}: {display}" for label, display in noted)
    key = "understanding.noted" if opening else "understanding.noted_more"
    return (Reply(say(key, facts=facts), data={"noted": [label for label, _ in noted]}),
            *notes)


def _only_suggested(spec: FieldSpec, reading: Reading, text: str) -> bool:
    """A fact for an `in_passing: suggest` question is offered back, unless a choice is
    named by a phrase ("I kept it", "every week") rather than one word ("team")."""
    return spec.in_passing == "suggest" and not (
        spec.type == "choice" and named_by_phrase(spec, str(reading.value), text))


def _agreed(spec: FieldSpec, reading: Reading, text: str, context: DialogueContext) -> bool:
    """A choice named in passing by one word is noted only if the description agrees."""
    understanding = context.understanding
    return spec.type != "choice" or understanding is None or \
        understanding.option_agrees(spec, text, str(reading.value))


def _open_fields(definition: WorkflowDefinition, state: dict[str, Any],
                 context: DialogueContext) -> list[FieldSpec]:
    return [spec for spec in visible_fields(definition, state["answers"], context.person)
            if spec.name not in state["answers"] and spec.name not in state["skipped"]]


def _fact(spec: FieldSpec, text: str, context: DialogueContext,
          opening: bool) -> Reading | None:
    if spec.type in TEXT_TYPES:
        if not (opening and spec.from_opening):
            return None
        if spec.type == "organisation":
            found = snippets(spec, text, in_passing=True)
        else:
            found = [_clause(_after_lead_in(text, spec.from_opening))] if _lead_in_found(
                text, spec.from_opening) else []
    else:
        found = snippets(spec, text, in_passing=True)
    for snippet in found[:6]:
        if spec.type in {"money", "number"} and is_rough(normalise_short(snippet)):
            continue  # "a few hours a week" said in passing is not an answer; asked, it is
        reading = _read_answer(spec, UserInput(snippet), snippet, context)
        if reading.problem is None and not reading.candidates and reading.value not in (None, ""):
            return reading
    return None


def _lead_in_found(text: str, lead_ins: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text, re.IGNORECASE)
               for phrase in lead_ins)


_CLAUSE_END = re.compile(r"\s*(?:[,.;!?]|\s-\s|\b(?:but|and i|and we|which|so i|i said|i "
                         r"turned|i declined|i refused|i accepted|i took|yesterday|today"
                         r"|on\s+\w+day|last\s+\w+|this\s+morning|earlier)\b)", re.IGNORECASE)



def _clause(text: str) -> str:
    """The description up to where the sentence moves on ("..., I said no")."""
    match = _CLAUSE_END.search(text)
    return text[:match.start()].strip() if match and match.start() > 0 else text


def _understood(spec: FieldSpec, text: str, context: DialogueContext) -> Reading | None:
    """A plain answer the word lists missed, read by the trained models when they are sure."""
    found = snippets(spec, text) if spec.type in {"date", "money", "number"} else []
    if normalise_short(text).strip(" .!") not in found:
        # The answer inside a longer one: "my whole life, but he got arrested in October"
        # (but when the whole answer is the date, its own problem stands: "5 June 2031").
        # The earliest first (a span's start: "since 2015, charged in the spring"), and at
        # one place the fullest reading: "on the 1st of January" before "on the 1st".
        said = normalise_short(text)
        for snippet in sorted(found[:6], key=lambda part: (_start_of(said, part), -len(part))):
            if snippet.strip() != text.strip():
                reading = _read_answer(spec, UserInput(snippet), snippet, context)
                if reading.problem is None and not reading.candidates:
                    return reading
    understanding = context.understanding
    if understanding is None:
        return None
    if spec.type == "yes_no":
        polarity = understanding.yes_no(text)
        if polarity not in {"yes", "no"}:
            polarity = echo_polarity(spec.prompt, text)
        if polarity in {"yes", "no"}:
            return Reading(polarity == "yes", say(f"understanding.{polarity}"))
    if spec.type == "choice":
        value = understanding.option(spec, text, among=mentioned_options(text, spec.options))
        for option in spec.options:
            if option.value == value:
                return Reading(option.value, option.label)
    return None


def _start_of(said: str, snippet: str) -> int:
    """Where the words of `snippet` begin in the answer (a snippet may drop a comma)."""
    first = snippet.split()[0] if snippet.split() else snippet
    at = said.find(snippet)
    return at if at >= 0 else max(said.find(first), 0)


_EVERY_DAY = re.compile(r"\b(?:every|most|each|on)\s+(?:monday|tuesday|wednesday|thursday|friday"
                        r"|saturday|sunday|weekend)s?\b|\b(?:mondays|tuesdays|wednesdays"
                        r"|thursdays|fridays|saturdays|sundays|weekends)\b")


def _weekly_by_day(said: str) -> int | None:
    """ "most Saturdays", "every Sunday": once a week."""
    return 1 if _EVERY_DAY.search(normalise_short(said)) else None


def _leaning(spec: FieldSpec, text: str, context: DialogueContext) -> Reading | None:
    """A second unclear answer to a yes/no or choice question, read by the way it leans."""
    words = one_line(text)[:80]
    if spec.type == "yes_no":
        lean = _lean(text, context)
        if lean is None:
            return None
        shown = say(f"understanding.{'yes' if lean else 'no'}")
        return Reading(lean, say("understanding.taken_as", value=shown, words=words))
    if spec.type == "choice" and context.understanding is not None:
        value = context.understanding.option_lean(spec, text)
        for option in spec.options:
            if option.value == value:
                return Reading(option.value, say("understanding.taken_as", value=option.label,
                                                  words=words))
    return None


def _lean(text: str, context: DialogueContext) -> bool | None:
    """Yes or no, whichever the answer model finds likelier, unless it is plainly unsure."""
    understanding = context.understanding
    if understanding is None or understanding.polarity is None:
        return None
    scores = dict(understanding.polarity.model.guess(text).ranked)
    yes, no = scores.get("yes", 0.0), scores.get("no", 0.0)
    if max(yes, no) < scores.get("unsure", 0.0):
        return None
    return yes >= no


def _tells_gated_fact(definition: WorkflowDefinition, spec: FieldSpec, text: str,
                      context: DialogueContext, state: dict[str, Any] | None = None) -> bool:
    """Whether a yes/no answer gives the fact its yes would ask for next (so it is a yes)."""
    if spec.type != "yes_no":
        return False
    for other in definition.fields:
        gate = other.show_if
        if isinstance(gate, Comparison) and gate.source == "answer" and \
                gate.subject == spec.name and gate.operator == "is" and gate.operand is True:
            said = _with_known_hours(definition, state, other, text) if state else text
            for snippet in snippets(other, said)[:3]:
                reading = _read_answer(other, UserInput(snippet), snippet, context)
                if reading.problem is None and not reading.candidates:
                    return True
    return False


_PER_UNIT = re.compile(r"£?\s*(?P<rate>\d+(?:\.\d{1,2})?)\s*(?:quid|pounds?|gbp)?\s*"
                       r"(?:an?|per|/|each)\s*(?P<unit>hour|hr|lesson|session|shift|class|gig|match|game|night"
                       r"|evening|day)s?\b|\b(?P<rate2>\d+(?:\.\d{1,2})?)\s*(?:ph|p/h)\b")


def _with_known_hours(definition: WorkflowDefinition, state: dict[str, Any], spec: FieldSpec,
                      text: str) -> str:
    """ "£12 an hour" or "£25 a lesson" to a yearly pay question: a week's pay, from the
    weekly hours answered (and, for a lesson or a shift, how many the person said)."""
    match = _PER_UNIT.search(normalise_short(words_to_digits(normalise_short(text))))
    if spec.type != "money" or spec.period != "year" or not match:
        return text
    hours_field = next((other for other in definition.fields if other.type == "number"
                        and other.period == "week" and other.name in state["answers"]), None)
    if hours_field is None:
        return text
    unit = match.group("unit") or "hour"
    hours = state["answers"][hours_field.name]
    if unit in {"hour", "hr"}:
        count = hours
    else:
        # How many a week: from the words of any answer ("4 lessons a week", "a match most
        # Saturdays"), else a lesson or a session is taken to be an hour.
        said = " ".join(str(display) for display in state["displays"].values())
        count = weekly_count(said, unit) or _weekly_by_day(said) or (
            hours if unit in {"lesson", "session", "class"} else None)
    if not count:
        return text
    rate = float(match.group("rate") or match.group("rate2"))
    return f"£{rate * float(count):.2f} a week"


# -- what the answers mean ----------------------------------------------------------------


def visible_fields(definition: WorkflowDefinition, answers: Mapping[str, Any],
                   person: Mapping[str, Any]) -> list[FieldSpec]:
    """The fields that apply, given the answers: show_if sees only answers that still apply.

    Evaluated in order so that changing an early answer hides later fields and also
    stops their stale answers from revealing fields further on.
    """
    visible: list[FieldSpec] = []
    current: dict[str, Any] = {}
    for spec in definition.fields:
        if spec.show_if is None or spec.show_if.holds(current, person):
            visible.append(spec)
            if spec.name in answers:
                current[spec.name] = answers[spec.name]
    return visible


def effective_answers(definition: WorkflowDefinition, answers: Mapping[str, Any],
                      person: Mapping[str, Any]) -> dict[str, Any]:
    """The answers to the fields that apply (what gets filed)."""
    return {spec.name: answers[spec.name] for spec in visible_fields(definition, answers, person)
            if spec.name in answers}


def date_precisions(definition: WorkflowDefinition, state: DraftState | Mapping[str, Any],
                    person: Mapping[str, Any]) -> dict[str, str]:
    """{field: "month" | "year"} for filed dates that stand for a whole month or year.

    Their value is the period's first day; this says it is not a known day.
    """
    state = _json(state)
    answered = effective_answers(definition, state["answers"], person)
    return {name: precision for name, precision in (state.get("precisions") or {}).items()
            if name in answered}


def summary_rows(definition: WorkflowDefinition, state: DraftState | Mapping[str, Any],
                 person: Mapping[str, Any]) -> list[dict[str, str]]:
    """One row per applicable answer: {"field", "label", "value"}, in question order."""
    state = _json(state)
    rows = []
    for spec in visible_fields(definition, state["answers"], person):
        if spec.name in state["answers"]:
            rows.append({"field": spec.name, "label": spec.label,
                         "value": state["displays"].get(spec.name, "")})
        elif spec.name in state["skipped"]:
            rows.append({"field": spec.name, "label": spec.label, "value": "-"})
    return rows


def triggered_hints(definition: WorkflowDefinition, answers: Mapping[str, Any],
                    person: Mapping[str, Any]) -> list[Hint]:
    """Every hint whose condition holds for the final answers (kept with the filing)."""
    current = effective_answers(definition, answers, person)
    return [hint for hint in definition.hints
            if hint.after in current and hint.when.holds(current, person)]


def hint_reply(definition: WorkflowDefinition, hint: Hint) -> Reply:
    section = hint.citation
    citation = Citation(section.document, section.title, section.section, 1.0, "")
    return Reply(_fill(hint.text, definition), kind="warning", citations=(citation,),
                 data={"hint": hint.id})


def hints_after(definition: WorkflowDefinition, name: str, state: Mapping[str, Any],
                context: DialogueContext) -> tuple[Reply, ...]:
    """The policy hints answering `name` triggers, given the answers in working `state`."""
    current = effective_answers(definition, state["answers"], context.person)
    return tuple(hint_reply(definition, hint) for hint in definition.hints
                 if hint.after == name and hint.when.holds(current, context.person))


def _fill(text: str, definition: WorkflowDefinition, extra: Mapping[str, str] | None = None,
          ) -> str:
    values = {**definition.limit_texts(), **(extra or {})}
    return re.sub(r"\{([a-z_][a-z0-9_]*)\}",
                  lambda match: values.get(match.group(1), match.group(0)), text)


def fill(text: str, definition: WorkflowDefinition, extra: Mapping[str, str]) -> str:
    """A definition's wording with its limits and `extra` placeholders filled in."""
    return _fill(text, definition, extra)


def _work(state: DraftState | Mapping[str, Any]) -> dict[str, Any]:
    # A private mutable copy: the engine never changes the caller's state, so a fault
    # leaves it intact.
    return DraftState.of(state).to_json()


def _json(state: DraftState | Mapping[str, Any]) -> Mapping[str, Any]:
    return state.to_json() if isinstance(state, DraftState) else state


__all__ = ["CANCELLED_STATUS", "CONFIRMED", "Colleague", "DialogueContext", "DraftState",
           "PeopleMatcher", "Reading", "Step", "UserInput", "advance", "date_precisions",
           "effective_answers",
           "reprompt", "start", "summary_rows", "triggered_hints", "visible_fields"]
