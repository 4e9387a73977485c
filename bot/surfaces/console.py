"""The terminal surface: `probity chat` reads one line per turn and prints the replies.

It only translates: a line becomes a Turn (a number picks one of the choices just shown),
and each Reply is printed plainly. Every rule lives in the assistant and the workflows.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TextIO

from bot.config import Settings
from bot.messages import say
from bot.turns import RESUME, Choice, Reply, Speaker, Turn

if TYPE_CHECKING:
    from bot.assistant import Assistant

SURFACE = "console"
QUIT = {"/quit", "/exit"}


def configure_chat(chat: argparse.ArgumentParser) -> None:
    chat.add_argument("--as", dest="as_name", metavar="NAME",
                      help="who you are, from the staff directory (default: its first member)")
    chat.set_defaults(run=_chat)


def configure_drafts(drafts: argparse.ArgumentParser) -> None:
    drafts_commands = drafts.add_subparsers(dest="drafts_command", required=True)
    purge = drafts_commands.add_parser(
        "purge", help="delete drafts left untouched for longer than PROBITY_DRAFT_EXPIRY_HOURS")
    purge.set_defaults(run=_purge)


class ConsoleChat:
    """One person's conversation with the assistant over a pair of text streams."""

    def __init__(self, assistant: Assistant, speaker: Speaker, output: TextIO,
                 echo: bool = False) -> None:
        self.assistant = assistant
        self.speaker = speaker
        self.output = output
        # Scripted input is echoed so the printed transcript reads as a conversation.
        self.echo = echo
        self.choices: tuple[Choice, ...] = ()

    @property
    def conversation_key(self) -> str:
        return f"{SURFACE}:{self.speaker.surface_id}"

    def run(self, lines: Iterable[str], welcome: str, notices: Sequence[str] = ()) -> int:
        self.say(welcome)
        if notices:  # reminders made since the last session (bot.jobs.notices)
            from bot.messages import say

            self.say("\n".join([say("reminders.console_heading"),
                                 *(f"- {text}" for text in notices)]) + "\n")
        resumed = self.assistant.handle(Turn(self.speaker, self.conversation_key, action=RESUME))
        if resumed:
            self.show(resumed)
        for line in lines:
            text = line.strip()
            if not text:
                continue
            if text.lower() in QUIT:
                break
            self.take(text)
        return 0

    def take(self, text: str) -> None:
        """One typed line: pass it to the assistant and print what comes back."""
        if self.echo:
            from bot.workflows.intents import printable

            self.say(say("terminal.echo", text=printable(text)))
        self.show(self.assistant.handle(self.turn_for(text)))

    def turn_for(self, text: str) -> Turn:
        """A number picks one of the choices just shown; anything else is typed text."""
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            choice = self.choices[int(text) - 1]
            return Turn(self.speaker, self.conversation_key, action=choice.value)
        return Turn(self.speaker, self.conversation_key, text=text)

    def show(self, replies: list[Reply]) -> None:
        self.choices = ()
        for reply in replies:
            self.say(render(reply))
            if reply.choices:
                self.choices = reply.choices
        self.say("")

    def say(self, text: str) -> None:
        print(text, file=self.output, flush=True)


def render(reply: Reply) -> str:
    """A reply as plain text: prefixes for problems and policy notes, numbered choices."""
    lines: list[str] = []
    if reply.kind == "problem":
        lines.append(say("terminal.problem", text=reply.text))
    elif reply.kind == "warning":
        lines.append(say("terminal.policy_note", text=reply.text))
    elif reply.kind == "summary":
        lines.append(reply.text.splitlines()[0])
        rows = reply.data.get("rows", [])
        width = max((len(row["label"]) for row in rows), default=0)
        lines += [f"  {row['label']:<{width}}  {row['value']}" for row in rows]
    else:
        lines.append(reply.text)
    for citation in reply.citations:
        lines.append(say("terminal.source", title=citation.title, section=citation.section,
                         document=citation.document))
    contact = reply.data.get("contact") if reply.kind == "answer" else None
    if contact and reply.data.get("answered"):
        lines.append(say("terminal.contact", name=contact["name"], how=contact["how"]))
    for number, choice in enumerate(reply.choices, start=1):
        lines.append(say("terminal.choice", number=number, label=choice.label))
    if reply.kind == "question" and reply.data.get("optional"):
        lines.append(say("terminal.optional"))
    return "\n".join(lines)


def welcome_text(display: str, examples: list[str]) -> str:
    shown = ", ".join(say("terminal.example", example=example) for example in examples)
    # The blank line after it is layout, not wording (the catalogue trims trailing newlines).
    return say("terminal.welcome", display=display, examples=shown) + "\n"


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import build_assistant
    from bot.logs import configure_logging

    if "PROBITY_LOG_LEVEL" not in os.environ:
        # Start-up news ("store schema upgraded") is for operators, not the person chatting;
        # warnings and faults still show, and an explicit PROBITY_LOG_LEVEL wins.
        configure_logging("WARNING")
    from bot.directory import DirectoryError, load_directory, match_staff, sync_people
    from bot.store import Store
    from bot.workflows.definitions import DefinitionError

    try:
        members = load_directory(settings.directory_file)
    except DirectoryError as error:
        print(say("terminal.problem_at_start", problem=error), file=sys.stderr)
        return 2
    me = members[0]
    if args.as_name:
        found = match_staff(args.as_name, members)
        if len(found) != 1:
            names = ", ".join(member.name for member in (found or members))
            print(say("terminal.as_matches_several" if found else "terminal.as_matches_nobody",
                      name=repr(args.as_name), directory=settings.directory_file, names=names),
                  file=sys.stderr)
            return 2
        me = found[0]
    from bot.jobs.notices import take_pending_texts
    from bot.store.models import utcnow

    store = Store.open(settings)
    with store.transaction() as session:
        sync_people(session, members, surface=SURFACE)
        notices = take_pending_texts(session, SURFACE, me.key,
                                     utcnow().astimezone(settings.zone).date())
    try:
        assistant = build_assistant(settings, store)
    except DefinitionError as error:
        print(say("terminal.definition_problem", problem=error), file=sys.stderr)
        return 2
    examples = [f"declare {d.commands[0]}" for d in assistant.definitions.values()
                if d.files == "declaration"]
    speaker = Speaker(SURFACE, me.key, me.name)
    chat = ConsoleChat(assistant, speaker, sys.stdout, echo=not sys.stdin.isatty())
    try:
        return chat.run(sys.stdin, welcome_text(me.label, examples), notices)
    finally:
        store.dispose()


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store import Store
    from bot.store.models import utcnow
    from bot.workflows.drafts import purge_expired_drafts

    store = Store.open(settings)
    with store.transaction() as session:
        removed = purge_expired_drafts(session, utcnow())
    store.dispose()
    print(say("terminal.drafts_deleted_one" if removed == 1 else "terminal.drafts_deleted",
              count=removed))
    return 0
