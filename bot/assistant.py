"""The assistant: routes one turn to a workflow step, a command, or a policy answer.

Order of routing: a pressed "start" button; a workflow in progress (a policy question
asked mid-way is answered, then the pending question is asked again); the offer to start a
workflow that was just made; commands (COMMANDS below); free text that sounds like a
declaration ("It sounds like you want to declare ... Start?"); otherwise a policy question.

Surfaces build a Turn and render the Replies; nothing here knows about Slack or terminals.
State lives in the database between turns (Conversation rows), so a restart loses nothing;
a fault is logged, apologised for, and leaves the draft as it was before the turn.
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.casework.errors import CaseworkError
from bot.casework.queries import current_decision, open_question
from bot.casework.service import Casework
from bot.config import Settings
from bot.directory import StaffMember, person_for_speaker, staff_on_surface
from bot.messages import say
from bot.store import Store
from bot.store.database import is_unwritable
from bot.store.models import Declaration, DeclarationKind, DeclarationStatus, Person, utcnow
from bot.store.references import normalise_reference
from bot.turns import RESUME, Choice, Citation, Reply, Turn
from bot.workflows import engine
from bot.workflows.definitions import (
    DefinitionError,
    PolicySection,
    WorkflowDefinition,
    load_definitions,
    scan_policy_sections,
)
from bot.workflows.drafts import (
    Draft,
    DraftConflict,
    MemoryDrafts,
    delete_draft,
    load_draft,
    purge_expired_drafts,
    save_draft,
    stored_version,
)
from bot.workflows.engine import DialogueContext, UserInput
from bot.workflows.filing import FILERS, Filing, load_filers
from bot.workflows.intents import (
    control_word,
    looks_like_question,
    match_declare_command,
    match_intent,
    normalise,
    printable,
)

log = logging.getLogger(__name__)

# The assistant's own words; everything about a workflow comes from its definition.
APOLOGY = ("Sorry, something went wrong on my side. Nothing you've told me is lost; please "
           "try again in a moment.")
CROSSED = ("Two of your messages arrived at the same moment and I couldn't take this one. "
           "Please send it again.")
OFFER = "It sounds like you want to declare {noun}. Start?"
OFFER_AFTER_ANSWER = "Would you like to declare {noun} now?"
OFFER_DECLINED = "OK. Ask me anything about the policies, or type help to see what I can do."
BUSY = ("You're in the middle of a declaration ({title}). Finish it, or type cancel to stop, "
        "before starting something else.")
WHICH_KIND = "What would you like to declare?"
RESUMING = ("You have an unfinished declaration ({title}) from last time. Carry on where you "
            "left off, or type cancel to stop it.")
NO_KNOWLEDGE = "I can't look up the policies right now. Please try again later."
NOTHING_TO_CANCEL = "There's nothing in progress to cancel."
WORKFLOW_GONE = ("The declaration you had started is no longer available, so I've cleared it. "
                 "Please start again.")
NO_DECLARATIONS = "You haven't filed any declarations yet."
HELP_INTRO = ("I'm Probity. Ask me about the force's integrity policies (for example: can I "
              "accept a bottle of wine from a victim?), or make a declaration:")
HELP_MY_DECLARATIONS = "my declarations: see what you've filed and where it has got to"
YES_START = "Yes, start"
ANSWER_HOW = "Answer here with: answer {reference} followed by your answer."
ANSWER_USAGE = ("To answer the integrity unit's question, type answer, the reference and your "
                "answer, for example: answer GH-2026-0042 I declined the tickets the same day.")
ANSWER_SENT = "Thank you. Your answer on {reference} has gone back to the integrity unit."
APPEAL_HOW = "You can appeal: type appeal {reference} followed by why it should change."
APPEAL_USAGE = ("To appeal against a refusal, type appeal, the reference and your grounds, for "
                "example: appeal BI-2026-0042 The taxi work is outside my force area.")
APPEAL_LODGED = ("Your appeal on {reference} is lodged. Someone other than the person who "
                 "refused it will decide, and you'll see the outcome under my declarations.")
STEP_REFUSED = "That could not be recorded."
#: Questions this short get the workflow's question_context added before searching.
SHORT_QUESTION_WORDS = 6
#: How strongly (in intent words) a question must sound like a declaration to be offered one.
QUESTION_INTENT_SCORE = 2
NOT_NOW = "No"


class PolicyAnswer(Protocol):
    question: str
    answered: bool
    answer: str
    citations: Sequence[Citation]
    contact: Any


class Answerer(Protocol):
    """Anything that answers a policy question (bot.knowledge.Knowledge, or a test fake)."""

    def answer(self, question: str) -> PolicyAnswer: ...


@dataclass
class TurnContext:
    """What the assistant knows while routing one turn; read in one short transaction."""

    turn: Turn
    text: str
    action: str | None
    now: dt.datetime
    today: dt.date
    person_id: int
    profile: dict[str, Any]
    line_manager: StaffMember | None
    draft: Draft | None
    people: tuple[StaffMember, ...] | None = None
    #: The stored conversation row's version as read (None: no row); writes check it.
    seen_version: int | None = None


@dataclass
class Outcome:
    """The replies for a turn and the one write it needs, applied in a single transaction."""

    replies: list[Reply] = field(default_factory=list)
    save: Draft | None = None
    delete: bool = False
    file: tuple[WorkflowDefinition, dict[str, Any]] | None = None
    unanswered: str | None = None


@dataclass(frozen=True)
class Command:
    """A keyword command. `run(assistant, context, rest)` gets the text after the phrase.

    `when_busy` says what happens if a workflow is in progress: "run" it and then re-ask
    the pending question, "refuse" (say finish or cancel first), or "pass" the words to the
    workflow (which has its own help and cancel).
    """

    name: str
    phrases: tuple[str, ...]
    run: Callable[[Assistant, TurnContext, str], Outcome]
    takes_argument: bool = False
    when_busy: str = "refuse"
    #: Whether "<phrase> <something>" counts mid-way too. Off by default, because an answer
    #: such as "follow up calls with clients" must reach the workflow, not a command.
    argument_when_busy: bool = False

    def matches(self, said: str) -> str | None:
        """The rest of the message if it is this command, else None."""
        for phrase in self.phrases:
            if said == phrase:
                return ""
            if self.takes_argument and said.startswith(phrase + " "):
                return said[len(phrase) + 1:]
        return None


class Assistant:
    """One core for every surface: `handle(turn)` returns what to show."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        knowledge: Answerer | None,
        definitions: Mapping[str, WorkflowDefinition],
        clock: Callable[[], dt.datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.store = store
        self.knowledge = knowledge
        self.definitions = dict(definitions)
        self.clock = clock
        self.memory = MemoryDrafts()
        load_filers()
        for definition in self.definitions.values():
            _check_filer(definition)

    @classmethod
    def from_settings(cls, settings: Settings, store: Store, knowledge: Answerer | None = None,
                      clock: Callable[[], dt.datetime] = utcnow) -> Assistant:
        """The assistant with the configured policies and workflows, validated together.

        Raises DefinitionError (naming the file) if a workflow cannot be used.
        """
        if knowledge is None:
            from bot.knowledge import Knowledge

            knowledge = Knowledge.load(settings)
        sections = policy_sections(knowledge, settings)
        return cls(settings, store, knowledge, load_definitions(settings.workflows_dir, sections),
                   clock=clock)

    # -- the turn -------------------------------------------------------------------------

    def handle(self, turn: Turn) -> list[Reply]:
        """Everything to show in answer to one turn."""
        try:
            return self._handle(turn)
        except Exception as error:  # noqa: BLE001 - any fault: apologise, keep the draft
            # Type and place only: an exception's message could quote what the person typed.
            log.error("turn failed with %s at:\n%s", type(error).__name__,
                      "".join(traceback.format_tb(error.__traceback__)))
            if is_unwritable(error):
                # Saying "nothing is lost" would be false: give their line back to resend.
                return [Reply(say("common.store_unwritable", line=turn.text or ""),
                              kind="problem")]
            return [Reply(APOLOGY, kind="problem")]

    def _handle(self, turn: Turn) -> list[Reply]:
        # Another turn on the same conversation may write between this turn's read and its
        # write; then this one is run again from the new state (so an answer sent twice
        # quickly answers the next question rather than overwriting the first), and if it
        # loses again the person is asked to repeat it. Nothing is ever silently dropped.
        for _ in range(2):
            context = self._read(turn)
            outcome = self._route(context)
            try:
                return self._write(context, outcome)
            except DraftConflict:
                log.info("conversation changed by another turn; taking this turn again")
        return [Reply(CROSSED, kind="problem")]

    def _read(self, turn: Turn) -> TurnContext:
        now = self.clock()
        with self.store.transaction() as session:
            purge_expired_drafts(session, now)
            person = person_for_speaker(session, turn.speaker)
            manager = session.get(Person, person.line_manager_id) if \
                person.line_manager_id else None
            draft = self.memory.load(turn.conversation_key, now) or load_draft(
                session, turn.conversation_key, now)
            seen_version = stored_version(session, turn.conversation_key)
            self.memory.purge(now)
            return TurnContext(
                turn=turn,
                text=printable(turn.text or "").strip(),
                action=turn.action,
                now=now,
                today=now.astimezone(self.settings.zone).date(),
                person_id=person.id,
                profile={"staff_type": person.staff_type, "rank_or_grade": person.rank_or_grade,
                         "role": person.role, "team": person.team},
                line_manager=StaffMember.from_person(manager) if manager else None,
                draft=draft,
                seen_version=seen_version,
            )

    def _write(self, context: TurnContext, outcome: Outcome) -> list[Reply]:
        key = context.turn.conversation_key
        replies = list(outcome.replies)
        if outcome.file or outcome.save or outcome.delete or outcome.unanswered:
            seen = context.seen_version
            with self.store.transaction() as session:
                # Each write names the version this turn read; a DraftConflict rolls the
                # whole transaction back, filing included.
                if outcome.file:
                    replies += self._file(session, context, *outcome.file)
                    delete_draft(session, key, seen)
                elif outcome.save is not None and not outcome.save.in_memory:
                    save_draft(session, outcome.save, context.now,
                               self.settings.draft_expiry_hours, seen)
                elif outcome.delete:
                    delete_draft(session, key, seen)
                elif outcome.save is not None:
                    # A draft kept in memory leaves no row behind; clearing one is tidying.
                    delete_draft(session, key)
                if outcome.unanswered:
                    _log_unanswered(session, outcome.unanswered, context.today)
        # Process memory changes only once the database agrees.
        if outcome.save is not None and outcome.save.in_memory:
            self.memory.save(outcome.save, context.now, self.settings.draft_expiry_hours)
        elif outcome.file or outcome.save is not None or outcome.delete:
            self.memory.delete(key)
        return replies

    def _file(self, session: Session, context: TurnContext, definition: WorkflowDefinition,
              state: dict[str, Any]) -> list[Reply]:
        entry = FILERS[definition.files]
        # An unidentified filing is built without the speaker: no person row and no
        # directory facts (rank, role and team together can name someone).
        identified = entry.wants_identity(state)
        declarant = session.get(Person, context.person_id) if identified else None
        filing = Filing(definition=definition, state=state, settings=self.settings,
                        today=context.today, profile=context.profile if identified else {},
                        declarant=declarant, idempotency_key=context.turn.idempotency_key)
        return entry.filer(session, filing)

    # -- routing --------------------------------------------------------------------------

    def _route(self, context: TurnContext) -> Outcome:
        draft = context.draft
        if context.action == RESUME:
            # A surface opening a new session asks where the person left off, so a draft
            # kept from last time is never answered by words meant for something else.
            if draft and draft.workflow in self.definitions:
                return self._pending(context, draft, RESUMING)
            return Outcome([])
        if draft and draft.workflow in DIALOGUES:
            return DIALOGUES[draft.workflow](self, context, draft)
        if context.action and context.action.startswith("start:"):
            name = context.action.removeprefix("start:")
            if draft and draft.workflow and draft.workflow != name:
                return self._busy(context, draft)
            if not (draft and draft.workflow == name):
                return self.begin(context, name, _opening(draft, name))
        if draft and draft.workflow:
            return self._continue(context, draft)
        if draft and draft.state.get("offer"):
            said = control_word(context.text)
            if context.action == "dismiss" or said == "no":
                return Outcome([Reply(OFFER_DECLINED)], delete=True)
            if said in {"yes", "confirm"}:
                return self.begin(context, draft.state["offer"],
                                  _opening(draft, draft.state["offer"]))
            outcome = self._fresh(context)
            if outcome.save is None and outcome.file is None:
                outcome.delete = True
            return outcome
        return self._fresh(context)

    def _fresh(self, context: TurnContext) -> Outcome:
        said = normalise(context.text)
        if not said:
            return COMMANDS_BY_NAME["help"].run(self, context, "")
        for command in COMMANDS:
            rest = command.matches(said)
            if rest is not None:
                return command.run(self, context, rest)
        wanted = self.workflow_asked_for(context.text)
        if wanted is not None:
            return self.offer(context, wanted, OFFER, opening=context.text)
        outcome = self.answer_question(context, context.text)
        # After an answer, offer only on a strong signal ("I was offered tickets, can I...?"),
        # not whenever a question mentions a gift.
        wanted = match_intent(context.text, self.definitions.values(),
                              min_score=QUESTION_INTENT_SCORE)
        if wanted is not None:
            offer = self.offer(context, wanted, OFFER_AFTER_ANSWER)
            outcome.replies += offer.replies
            outcome.save = offer.save
        return outcome

    def workflow_asked_for(self, text: str) -> WorkflowDefinition | None:
        """The workflow a statement (not a question) sounds like it wants started, if any."""
        if looks_like_question(text):
            return None
        return match_intent(text, self.definitions.values())

    def _continue(self, context: TurnContext, draft: Draft) -> Outcome:
        definition = self.definitions.get(draft.workflow or "")
        if definition is None:
            return Outcome([Reply(WORKFLOW_GONE, kind="problem")], delete=True)
        dialogue = self.dialogue_context(context, definition)
        said = normalise(context.text)
        if said and not context.action:
            for command in COMMANDS:
                rest = command.matches(said)
                if rest is None or command.when_busy == "pass" or (
                        rest and not command.argument_when_busy):
                    continue
                if command.when_busy == "refuse":
                    return self._busy(context, draft)
                outcome = command.run(self, context, rest)
                outcome.replies += engine.reprompt(definition, draft.state, dialogue).replies
                return Outcome(outcome.replies, save=draft)
        step = engine.advance(definition, draft.state,
                              UserInput(context.text or None, context.action), dialogue)
        kept = Draft(draft.key, definition.name, step.state, not definition.persist_draft)
        if step.policy_question:
            outcome = self.answer_question(context, step.policy_question,
                                           definition.question_context)
            outcome.replies += engine.reprompt(definition, step.state, dialogue).replies
            outcome.save = kept
            if not definition.persist_draft:
                # A question asked inside a workflow that leaves no trace (a report) may quote
                # what is being reported: the owners' log of unanswered questions must not.
                outcome.unanswered = None
            return outcome
        if step.status == engine.CONFIRMED:
            return Outcome(list(step.replies), file=(definition, step.state))
        if step.status == engine.CANCELLED_STATUS:
            return Outcome(list(step.replies), delete=True)
        return Outcome(list(step.replies), save=kept)

    def _busy(self, context: TurnContext, draft: Draft) -> Outcome:
        return self._pending(context, draft, BUSY)

    def _pending(self, context: TurnContext, draft: Draft, notice: str) -> Outcome:
        """Say `notice` about the workflow in progress, then ask its pending question again."""
        definition = self.definitions[draft.workflow or ""]
        step = engine.reprompt(definition, draft.state, self.dialogue_context(context,
                                                                              definition))
        return Outcome([Reply(notice.format(title=definition.title))] + list(step.replies),
                       save=draft)

    # -- building blocks (also for commands added by other modules) -----------------------

    def begin(self, context: TurnContext, name: str, opening: str | None = None) -> Outcome:
        """Start workflow `name` for this conversation, replacing any offer.

        `opening` is what the person said that led to it, offered back as answers where the
        definition allows (see engine.start).
        """
        definition = self.definitions.get(name)
        if definition is None:
            return self.choose_kind()
        step = engine.start(definition, self.dialogue_context(context, definition), opening)
        draft = Draft(context.turn.conversation_key, definition.name, step.state,
                      in_memory=not definition.persist_draft)
        return Outcome(list(step.replies), save=draft)

    def offer(self, context: TurnContext, definition: WorkflowDefinition,
              wording: str, opening: str | None = None) -> Outcome:
        """Ask whether to start `definition`, remembering the offer for a typed yes or no.

        `opening` (the words that sounded like a declaration) is kept with the offer so the
        workflow can suggest answers from it once started.
        """
        reply = Reply(wording.format(noun=definition.noun), kind="question",
                      choices=(Choice(f"start:{definition.name}", YES_START),
                               Choice("dismiss", NOT_NOW)),
                      data={"offer": definition.name})
        state: dict[str, Any] = {"offer": definition.name}
        if opening:
            state["opening"] = opening
        draft = Draft(context.turn.conversation_key, None, state,
                      in_memory=not definition.persist_draft)
        return Outcome([reply], save=draft)

    def choose_kind(self) -> Outcome:
        choices = tuple(Choice(f"start:{d.name}", d.title) for d in self.definitions.values()
                        if d.files == "declaration")
        return Outcome([Reply(WHICH_KIND, kind="question", choices=choices)])

    def answer_question(self, context: TurnContext, question: str,
                        topic: str = "") -> Outcome:
        """A policy answer with its citations; unanswered questions are kept for the owners.

        A short question asked inside a workflow ("can I keep it?") is searched together
        with the workflow's `topic`, since "it" means the thing being declared.
        """
        if self.knowledge is None:
            return Outcome([Reply(NO_KNOWLEDGE, kind="problem")])
        short = len(question.split()) <= SHORT_QUESTION_WORDS
        answer = self.knowledge.answer(f"{question} {topic}" if topic and short else question)
        contact = answer.contact
        data: dict[str, Any] = {"answered": answer.answered}
        if contact is not None:
            data["contact"] = {"name": contact.name, "how": contact.how}
        reply = Reply(answer.answer, kind="answer", citations=tuple(answer.citations), data=data)
        return Outcome([reply], unanswered=None if answer.answered else question)

    def dialogue_context(self, context: TurnContext,
                         definition: WorkflowDefinition) -> DialogueContext:
        # The staff list is read only for workflows that ask about a person.
        if context.people is None and any(f.type == "person" for f in definition.fields):
            with self.store.session() as session:
                context.people = tuple(staff_on_surface(session, context.turn.speaker.surface))
        return DialogueContext(today=context.today, person=context.profile,
                               people=context.people or (), line_manager=context.line_manager)

    def title_of_kind(self, kind: str) -> str:
        for definition in self.definitions.values():
            if definition.kind == kind:
                return definition.title
        return kind.replace("_", " ").capitalize()


# -- commands -----------------------------------------------------------------------------


def _help(assistant: Assistant, context: TurnContext, rest: str) -> Outcome:
    lines = [HELP_INTRO]
    for definition in assistant.definitions.values():
        if definition.files == "declaration":
            lines.append(f"- declare {definition.commands[0]}: {definition.title}")
    lines.append(f"- {HELP_MY_DECLARATIONS}")
    return Outcome([Reply("\n".join(lines))])


def _declare(assistant: Assistant, context: TurnContext, rest: str) -> Outcome:
    _, definition = match_declare_command(f"declare {rest}".strip(),
                                          assistant.definitions.values())
    if definition is None:
        return assistant.choose_kind()
    return assistant.begin(context, definition.name)


@dataclass(frozen=True)
class DeclarantStep:
    """A step a declarant takes on their own record from a conversation: "<word> REF <text>"."""

    usage: str
    done: str
    take: Callable[[Casework, str, str, int], Any]

    def __call__(self, assistant: Assistant, context: TurnContext, rest: str) -> Outcome:
        # `rest` is normalised (lower case); the text is kept as the person typed it.
        _, _, typed = context.text.strip().partition(" ")
        reference_text, _, text = typed.strip().partition(" ")
        reference = normalise_reference(reference_text)
        if reference is None or not text.strip():
            return Outcome([Reply(self.usage, kind="problem")])
        try:
            self.take(Casework(assistant.store, assistant.settings), reference, text.strip(),
                      context.person_id)
        except (CaseworkError, PermissionError) as refusal:
            return Outcome([Reply(str(refusal) or STEP_REFUSED, kind="problem")])
        return Outcome([Reply(self.done.format(reference=reference))])


_answer_question = DeclarantStep(
    ANSWER_USAGE, ANSWER_SENT,
    lambda casework, reference, text, by: casework.provide_information(reference, text, by=by))
_appeal = DeclarantStep(
    APPEAL_USAGE, APPEAL_LODGED,
    lambda casework, reference, text, by: casework.lodge_appeal(reference, text, by=by))


def _nothing_to_cancel(assistant: Assistant, context: TurnContext, rest: str) -> Outcome:
    return Outcome([Reply(NOTHING_TO_CANCEL)])


def _my_declarations(assistant: Assistant, context: TurnContext, rest: str) -> Outcome:
    with assistant.store.session() as session:
        declarations = session.scalars(
            select(Declaration).where(Declaration.person_id == context.person_id)
            .order_by(Declaration.submitted_at.desc(), Declaration.id.desc())
        ).all()
        rows = [_declaration_row(assistant, declaration, context.turn.speaker.surface)
                for declaration in declarations]
    if not rows:
        return Outcome([Reply(NO_DECLARATIONS, kind="list", data={"rows": []})])
    lines = []
    for row in rows:
        line = f"{row['reference']}  {row['title']}: {row['description']} - {row['status']}"
        if row["decision"]:
            line += f"\n    Decision: {row['decision']}. {row['rationale']}"
        if row["appeal_how"]:
            line += f"\n    {row['appeal_how']}"
        if row["question"]:
            line += f"\n    The integrity unit asks: {row['question']}\n    {row['how_to_answer']}"
        lines.append(line)
    return Outcome([Reply("\n".join(lines), kind="list", data={"rows": rows})])


def _declaration_row(assistant: Assistant, declaration: Declaration,
                     surface: str) -> dict[str, Any]:
    # The standing decision, not a line manager's endorsement given beside it.
    latest = current_decision(declaration)
    waiting = open_question(declaration)
    if waiting is None:
        how_to_answer = None
    elif surface == "slack":
        how_to_answer = waiting.how_to_answer(surface)
    else:
        how_to_answer = ANSWER_HOW.format(reference=declaration.reference)
    return {
        "reference": declaration.reference,
        "kind": declaration.kind,
        "title": assistant.title_of_kind(declaration.kind),
        "description": declaration.summary,
        "status": _words(declaration.status),
        "submitted_on": declaration.submitted_at.date().isoformat(),
        "decision": _words(latest.outcome) if latest else None,
        "rationale": latest.rationale if latest else None,
        "appeal_how": (APPEAL_HOW.format(reference=declaration.reference)
                       if declaration.status == DeclarationStatus.REFUSED else None),
        "question": waiting.question if waiting else None,
        "how_to_answer": how_to_answer,
    }


def _words(value: str) -> str:
    return value.replace("_", " ").capitalize()


#: Keyword commands, tried in order on a whole message (normalised). To add one, append a
#: Command; e.g. reporting adds ("report", "speak up") with a run() that calls
#: assistant.begin(context, "report").
COMMANDS: list[Command] = [
    # Mid-way, "help" explains the pending question (the workflow's own help) ...
    Command("help", ("help", "help me", "what can you do"), _help, when_busy="pass"),
    # ... while a greeting (typically after a break) shows the menu and re-asks it.
    Command("greeting", ("hi", "hello", "hey", "menu", "start"), _help, when_busy="run"),
    Command("my declarations", ("my declarations", "my declaration", "my records",
                                "list my declarations", "show my declarations",
                                "list declarations", "declarations"),
            _my_declarations, when_busy="run"),
    Command("cancel", ("cancel",), _nothing_to_cancel, when_busy="pass"),
    Command("answer", ("answer",), _answer_question, takes_argument=True, when_busy="pass"),
    Command("appeal", ("appeal",), _appeal, takes_argument=True, when_busy="pass"),
    Command("declare", ("declare", "new declaration", "make a declaration"), _declare,
            takes_argument=True, argument_when_busy=True),
]
COMMANDS_BY_NAME = {command.name: command for command in COMMANDS}


def command_for(text: str) -> str | None:
    """The name of the keyword command a fresh message is ("follow up R-2026-0001" ->
    "follow up"), or None; surfaces ask it to route some commands their own way."""
    load_filers()  # commands added by filer modules (reporting's) count too
    said = normalise(printable(text or "").strip())
    return next((command.name for command in COMMANDS if command.matches(said) is not None),
                None)

#: Conversations that are not workflow definitions (reporting's follow-up), by the name they
#: keep in Draft.workflow; each takes every turn while its draft lasts.
DIALOGUES: dict[str, Callable[[Assistant, TurnContext, Draft], Outcome]] = {}


# -- helpers ------------------------------------------------------------------------------


def policy_sections(knowledge: Any, settings: Settings) -> list[PolicySection]:
    """The sections hints may cite: from the knowledge index when it has one."""
    passages = getattr(getattr(knowledge, "index", None), "passages", None)
    if not passages:
        return scan_policy_sections(settings.policies_dir)
    found = {}
    for passage in passages:
        for heading in passage.headings:
            found[(passage.document, heading)] = PolicySection(passage.document, passage.title,
                                                               heading)
    return list(found.values())


def _check_filer(definition: WorkflowDefinition) -> None:
    if definition.files not in FILERS:
        raise DefinitionError(definition.source, f"files: {definition.files!r} is not something "
                              f"Probity can file; known: {', '.join(sorted(FILERS))}")
    if definition.files == "declaration" and definition.kind not in set(DeclarationKind):
        raise DefinitionError(definition.source, f"kind {definition.kind!r} is not a kind of "
                              f"declaration; known: {', '.join(DeclarationKind)}")


def _opening(draft: Draft | None, name: str) -> str | None:
    """The words that led to the offer of workflow `name`, if that was the offer made."""
    if draft is None or draft.state.get("offer") != name:
        return None
    opening = draft.state.get("opening")
    return opening if isinstance(opening, str) else None


def _log_unanswered(session: Session, question: str, today: dt.date) -> None:
    try:
        from bot.knowledge.unanswered import log_unanswered
    except ImportError:  # knowledge without the owners' log: nothing to keep
        return
    log_unanswered(session, question, today)
