"""The Assistant: one core for every surface; `handle(turn)` returns what to show.

It holds the catalogue of workflows, the knowledge, the commands and dialogues the
plug-ins brought, and the turn store; each turn is read, routed (router.route, which
writes nothing) and written in one transaction, taken again once if another turn on the
same conversation wrote in between. A fault is logged, apologised for, and leaves the
draft as it was before the turn. Build one with bot.app.build_app (or build_assistant).
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy.orm import Session

from bot.assistant import forms, router
from bot.assistant.commands import core_commands
from bot.assistant.forms import FormOutcome
from bot.assistant.turn_store import TurnStore
from bot.config import Settings
from bot.directory import StaffMember, match_staff, staff_on_surface
from bot.knowledge.unanswered import log_unanswered
from bot.messages import say
from bot.plugins import Attention, Command, Dialogue, Outcome, Plugin, TurnContext
from bot.store import Store
from bot.store.database import is_unwritable
from bot.store.models import DeclarationKind, utcnow
from bot.turns import Choice, Citation, Reply, Speaker, Turn
from bot.workflows import engine
from bot.workflows.definitions import (
    DefinitionError,
    PolicySection,
    WorkflowDefinition,
    scan_policy_sections,
)
from bot.workflows.drafts import Draft, DraftConflict
from bot.workflows.engine import Colleague, DialogueContext
from bot.workflows.filing import FilerEntry
from bot.workflows.intents import looks_like_question, normalise, printable
from bot.workflows.understanding import Understanding

log = logging.getLogger(__name__)

#: Questions this short get the workflow's question_context added before searching.
SHORT_QUESTION_WORDS = 6


class Contact(Protocol):
    """Who to ask when the policies do not answer (bot.knowledge.contacts.Contact)."""

    @property
    def name(self) -> str: ...
    @property
    def how(self) -> str: ...


class PolicyAnswer(Protocol):
    """A policy answer as the assistant reads it (bot.knowledge.answer.Answer)."""

    @property
    def question(self) -> str: ...
    @property
    def answered(self) -> bool: ...
    @property
    def answer(self) -> str: ...
    @property
    def citations(self) -> Sequence[Citation]: ...
    @property
    def contact(self) -> Contact | None: ...


class Answerer(Protocol):
    """Anything that answers a policy question (bot.knowledge.Knowledge, or a test fake)."""

    def answer(self, question: str) -> PolicyAnswer: ...


class Assistant:
    """One core for every surface: `handle(turn)` returns what to show."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        knowledge: Answerer | None,
        definitions: Mapping[str, WorkflowDefinition],
        clock: Callable[[], dt.datetime] = utcnow,
        plugins: Sequence[Plugin] = (),
    ) -> None:
        self.settings = settings
        self.store = store
        self.knowledge = knowledge
        self._definitions = dict(definitions)
        self.clock = clock
        filers: dict[str, FilerEntry] = {}
        commands: list[Command] = list(core_commands())
        self.dialogues: dict[str, Dialogue] = {}
        self.attentions: list[Attention] = []
        for plugin in plugins:
            filers.update(plugin.filers)
            commands += [command for command in plugin.commands
                         if command.name not in {known.name for known in commands}]
            self.dialogues.update(plugin.dialogues)
            if plugin.attention is not None:
                self.attentions.append(plugin.attention)
        self.commands: tuple[Command, ...] = tuple(commands)
        # Trained from the definitions' and knowledge's examples; cached under PROBITY_HOME
        # so a start reads a small file instead of fitting the models again.
        self.understanding = Understanding.build(
            self._definitions.values(), settings.knowledge_dir, settings.home / "models")
        self.commands_by_name = {command.name: command for command in self.commands}
        for definition in self._definitions.values():
            check_filer(definition, filers)
        self.turns = TurnStore(settings, store, filers, clock, _log_unanswered)

    @property
    def definitions(self) -> Mapping[str, WorkflowDefinition]:
        return self._definitions

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
            return [Reply(say("common.apology"), kind="problem")]

    def _handle(self, turn: Turn) -> list[Reply]:
        # Another turn on the same conversation may write between this turn's read and its
        # write; then this one is run again from the new state (so an answer sent twice
        # quickly answers the next question rather than overwriting the first), and if it
        # loses again the person is asked to repeat it. Nothing is ever silently dropped.
        for _ in range(2):
            context = self.turns.read(turn)
            outcome = self._route(context)
            try:
                return self.turns.write(context, outcome)
            except DraftConflict:
                log.info("conversation changed by another turn; taking this turn again")
        return [Reply(say("assistant.crossed"), kind="problem")]

    def _route(self, context: TurnContext) -> Outcome:
        return router.route(self, context)

    @property
    def memory(self) -> Any:
        """Drafts kept in process memory (see TurnStore)."""
        return self.turns.memory

    def command_for(self, text: str) -> str | None:
        """The name of the keyword command a fresh message is ("follow up R-2026-0001" ->
        "follow up"), or None; surfaces ask it to route some commands their own way."""
        return command_for(text, self.commands)

    def file_form(self, speaker: Speaker | None, definition: WorkflowDefinition,
                  answers: Mapping[str, Any], idempotency_key: str | None = None
                  ) -> FormOutcome:
        """Validate a whole form and file it in one transaction (see bot.assistant.forms)."""
        return forms.file_form(self, speaker, definition, answers, idempotency_key)

    def workflow_asked_for(self, text: str) -> WorkflowDefinition | None:
        """The workflow a statement (not a question) sounds like it wants started, if any."""
        if looks_like_question(text):
            return None
        return router.workflow_meant(self, text)

    # -- building blocks for commands and dialogues (bot.plugins.Core) --------------------

    def begin(self, context: TurnContext, name: str, opening: str | None = None) -> Outcome:
        """Start workflow `name` for this conversation, replacing any offer.

        `opening` is what the person said that led to it, offered back as answers where the
        definition allows (see engine.start).
        """
        definition = self._definitions.get(name)
        if definition is None:
            return self.choose_kind()
        step = engine.start(definition, self.dialogue_context(context, definition), opening)
        draft = Draft(context.turn.conversation_key, definition.name, step.state.to_json(),
                      in_memory=not definition.persist_draft)
        return Outcome(list(step.replies), save=draft)

    def offer(self, context: TurnContext, definition: WorkflowDefinition,
              wording: str, opening: str | None = None) -> Outcome:
        """Ask whether to start `definition` (the catalogue key `wording` says how),
        remembering the offer for a typed yes or no.

        `opening` (the words that sounded like a declaration) is kept with the offer so the
        workflow can suggest answers from it once started.
        """
        reply = Reply(say(wording, noun=definition.noun), kind="question",
                      choices=(Choice(f"start:{definition.name}", say("assistant.yes_start")),
                               Choice("dismiss", say("assistant.not_now"))),
                      data={"offer": definition.name})
        state: dict[str, Any] = {"offer": definition.name}
        if opening:
            state["opening"] = opening
        draft = Draft(context.turn.conversation_key, None, state,
                      in_memory=not definition.persist_draft)
        return Outcome([reply], save=draft)

    def choose_kind(self) -> Outcome:
        choices = tuple(Choice(f"start:{d.name}", d.title) for d in self._definitions.values()
                        if d.files == "declaration")
        return Outcome([Reply(say("assistant.which_kind"), kind="question", choices=choices)])

    def answer_question(self, context: TurnContext, question: str,
                        topic: str = "") -> Outcome:
        """A policy answer with its citations; unanswered questions are kept for the owners.

        A short question asked inside a workflow ("can I keep it?") is searched together
        with the workflow's `topic`, since "it" means the thing being declared.
        """
        if self.knowledge is None:
            return Outcome([Reply(say("assistant.no_knowledge"), kind="problem")])
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
                               people=context.people or (), line_manager=context.line_manager,
                               match_people=_match_colleagues,
                               understanding=self.understanding)

    def title_of_kind(self, kind: str) -> str:
        for definition in self._definitions.values():
            if definition.kind == kind:
                return definition.title
        return kind.replace("_", " ").capitalize()


def _match_colleagues(text: str, people: Sequence[Colleague]) -> list[Colleague]:
    # The directory's matcher, over the StaffMembers this assistant put in the context.
    return list(match_staff(text, [p for p in people if isinstance(p, StaffMember)]))


def command_for(text: str, commands: Iterable[Command]) -> str | None:
    """The name of the first of `commands` that a fresh message is, or None."""
    said = normalise(printable(text or "").strip())
    return next((command.name for command in commands if command.matches(said) is not None),
                None)


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


def _log_unanswered(session: Session, question: str, today: dt.date) -> None:
    log_unanswered(session, question, today)


def check_filer(definition: WorkflowDefinition, filers: Mapping[str, FilerEntry]) -> None:
    """Refuse at start-up a definition that nothing can file (naming its file)."""
    if definition.files not in filers:
        raise DefinitionError(definition.source, say(
            "assistant.unknown_filer", files=definition.files, known=", ".join(sorted(filers))))
    if definition.files == "declaration" and definition.kind not in set(DeclarationKind):
        raise DefinitionError(definition.source, say(
            "assistant.unknown_kind", kind=definition.kind, known=", ".join(DeclarationKind)))
