"""The assistant: routes one turn to a workflow step, a command, or a policy answer.

`Assistant` (core.py) is what surfaces hold; it runs the pure router (router.py) between a
read and a write of the turn store (turn_store.py). Its own commands are in commands.py;
the areas' commands, dialogues and filers arrive as plug-ins (bot.plugins) from the
composition root (bot.app), which is how to build one.
"""

from bot.assistant.core import Answerer, Assistant, PolicyAnswer, command_for, policy_sections
from bot.assistant.forms import FormOutcome
from bot.plugins import Command, Core, Outcome, Plugin, TurnContext

__all__ = ["Answerer", "Assistant", "Command", "Core", "FormOutcome", "Outcome", "Plugin",
           "PolicyAnswer",
           "TurnContext", "command_for", "policy_sections"]
