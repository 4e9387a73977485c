"""`probity eval conversations`: adds the conversation evaluation to the `eval` command."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.config import Settings


def register(commands: argparse._SubParsersAction) -> None:
    """Extend `probity eval` (registered by the knowledge area) with `conversations`."""
    evaluate = commands.choices.get("eval")
    if evaluate is None:
        evaluate = commands.add_parser("eval", help="measure Probity against scripted cases")
    questions = evaluate.get_default("run")
    evaluate.add_argument("what", nargs="?", choices=["questions", "conversations"],
                          default="questions",
                          help="what to evaluate: the policy questions (default) or the "
                          "scripted conversations (right first time, re-prompts, turns)")
    evaluate.add_argument("--conversations", type=Path, metavar="DIR",
                          help="folder of conversation scripts (default: the bundled "
                          "tests/eval/conversations)")
    evaluate.add_argument("--only", action="append", default=[], metavar="ID",
                          help="run only conversations with this id, split or file name")
    evaluate.add_argument("-v", "--verbose", action="store_true",
                          help="print the transcript of each tune conversation that fell short")

    def run(args: argparse.Namespace, settings: Settings) -> Any:
        if args.what == "conversations":
            from bot.evaluation.conversations import run as run_conversations

            return run_conversations(args.conversations, args.verbose, args.only)
        return questions(args, settings) if questions else 2

    evaluate.set_defaults(run=run)
