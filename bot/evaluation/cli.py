"""`probity eval conversations`: adds the conversation evaluation to the `eval` command."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.config import Settings


def configure_eval(evaluate: argparse.ArgumentParser) -> None:
    """`probity eval`: the knowledge area's question evaluation, and `conversations`."""
    from bot.knowledge.cli import configure_eval as configure_questions

    configure_questions(evaluate)
    questions = evaluate.get_default("run")
    evaluate.add_argument("what", nargs="?", choices=["questions", "conversations", "answers"],
                          default="questions",
                          help="what to evaluate: the policy questions (default) or the "
                          "scripted conversations (right first time, re-prompts, turns), or "
                          "plain answers to single questions (tests/eval/answers)")
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
        if args.what == "answers":
            from bot.evaluation.answers import run as run_answers

            return run_answers(args.conversations, args.verbose)
        return questions(args, settings) if questions else 2

    evaluate.set_defaults(run=run)
