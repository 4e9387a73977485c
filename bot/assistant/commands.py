"""The assistant's own keyword commands: help and the menu, cancel, and declare <kind>."""

from __future__ import annotations

from bot.messages import say
from bot.plugins import Command, Core, Outcome, TurnContext, phrases
from bot.turns import Reply
from bot.workflows.intents import match_declare_command


def show_help(core: Core, context: TurnContext, rest: str) -> Outcome:
    """What Probity can do, with one line per kind of declaration."""
    lines = [say("assistant.help_intro")]
    for definition in core.definitions.values():
        if definition.files == "declaration":
            lines.append(say("assistant.help_declare", command=definition.commands[0],
                             title=definition.title))
    lines.append(say("assistant.help_my_declarations"))
    return Outcome([Reply("\n".join(lines))])


def declare(core: Core, context: TurnContext, rest: str) -> Outcome:
    """Start the declaration named after "declare", or ask which one."""
    _, definition = match_declare_command(f"declare {rest}".strip(), core.definitions.values())
    if definition is None:
        return core.choose_kind()
    return core.begin(context, definition.name)


def nothing_to_cancel(core: Core, context: TurnContext, rest: str) -> Outcome:
    return Outcome([Reply(say("assistant.nothing_to_cancel"))])


def core_commands() -> tuple[Command, ...]:
    """Tried before the plug-ins' commands, in this order, on a whole message (normalised)."""
    return (
        # Mid-way, "help" explains the pending question (the workflow's own help) ...
        Command("help", phrases("commands.help"), show_help, when_busy="pass"),
        # ... while a greeting (typically after a break) shows the menu and re-asks it.
        Command("greeting", phrases("commands.greeting"), show_help, when_busy="run"),
        Command("cancel", phrases("commands.cancel"), nothing_to_cancel, when_busy="pass"),
        Command("declare", phrases("commands.declare"), declare,
                takes_argument=True, argument_when_busy=True),
    )
