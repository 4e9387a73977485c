"""What the assistant and its plug-ins share: a turn's context, its outcome, commands, dialogues.

A plug-in (declarations in bot.casework.chat, reporting in bot.reporting.chat) is a value:
the filers, keyword commands and dialogues it adds. The composition root (bot.app) hands
the plug-ins to the assistant, which never imports them, and they never import it: both
sides meet here. A command or dialogue gets the assistant as a `Core`, the few building
blocks it may use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bot.config import Settings
from bot.directory import StaffMember
from bot.messages import say
from bot.store import Store
from bot.turns import Reply, Turn
from bot.workflows.definitions import WorkflowDefinition
from bot.workflows.drafts import Draft
from bot.workflows.filing import FilerEntry


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


class Core(Protocol):
    """The assistant as commands and dialogues see it."""

    settings: Settings
    store: Store
    clock: Callable[[], dt.datetime]

    @property
    def definitions(self) -> Mapping[str, WorkflowDefinition]: ...

    def begin(self, context: TurnContext, name: str, opening: str | None = None) -> Outcome:
        """Start workflow `name` for this conversation."""

    def choose_kind(self) -> Outcome:
        """Ask which kind of declaration to make."""

    def title_of_kind(self, kind: str) -> str:
        """A declaration kind's title as its workflow gives it."""

    def answer_question(self, context: TurnContext, question: str, topic: str = "") -> Outcome:
        """A policy answer with citations (`topic` joins a short question's search)."""


CommandRun = Callable[[Core, TurnContext, str], Outcome]
Dialogue = Callable[[Core, TurnContext, Draft], Outcome]
#: Something a plug-in must raise with the person (a policy to acknowledge): asked on a
#: surface's RESUME, for a button press, and for a fresh message; None lets the turn go on.
Attention = Callable[[Core, TurnContext], "Outcome | None"]
WhenBusy = Literal["run", "refuse", "pass"]


@dataclass(frozen=True)
class Command:
    """A keyword command. `run(core, context, rest)` gets the text after the phrase.

    `when_busy` says what happens if a workflow is in progress: "run" it and then re-ask
    the pending question, "refuse" (say finish or cancel first), or "pass" the words to the
    workflow (which has its own help and cancel).
    """

    name: str
    phrases: tuple[str, ...]
    run: CommandRun
    takes_argument: bool = False
    when_busy: WhenBusy = "refuse"
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


def phrases(key: str) -> tuple[str, ...]:
    """A command's phrases from the message catalogue (`commands.<name>`, comma-separated),
    so a language's catalogue says what its speakers type as well as what they read."""
    return tuple(phrase.strip().lower() for phrase in say(key).split(",") if phrase.strip())


@dataclass(frozen=True)
class Plugin:
    """What one area adds to the assistant: filers by `files:` word, commands, dialogues.

    Dialogues are conversations that are not workflow definitions (reporting's follow-up),
    by the name they keep in Draft.workflow; each takes every turn while its draft lasts.
    """

    name: str
    filers: Mapping[str, FilerEntry] = field(default_factory=dict)
    commands: tuple[Command, ...] = ()
    dialogues: Mapping[str, Dialogue] = field(default_factory=dict)
    attention: Attention | None = None
