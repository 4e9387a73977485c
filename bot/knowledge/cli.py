"""`probity ask`, `probity eval` and `probity bench search`: the policy answers from a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.config import Settings
from bot.messages import say


def configure_ask(ask: argparse.ArgumentParser) -> None:
    ask.add_argument("question", metavar="QUESTION", nargs="+",
                     help="the question, or - to read one question a line from stdin")
    ask.add_argument("--policies", type=Path, metavar="DIR",
                     help="index DIR instead of the bundled policies")
    ask.add_argument("--json", action="store_true",
                     help="print each answer as one JSON line (the DESIGN.md contract)")
    ask.set_defaults(run=_ask)


def configure_eval(evaluate: argparse.ArgumentParser) -> None:
    evaluate.add_argument("--questions", type=Path, metavar="DIR",
                          help="folder with questions_*.yaml and off_topic.yaml "
                          "(default: the bundled tests/eval)")
    evaluate.add_argument("--policies", type=Path, metavar="DIR",
                          help="index DIR instead of the bundled policies")
    evaluate.set_defaults(run=_eval)


def configure_bench_search(search: argparse.ArgumentParser) -> None:
    search.add_argument("--sizes", default="1000,10000,50000",
                        help="comma-separated corpus sizes in passages (default: %(default)s)")
    search.add_argument("--queries", type=int, default=60,
                        help="how many queries to time per engine (default: %(default)s)")
    search.set_defaults(run=_bench_search)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge import Knowledge

    knowledge = Knowledge.load(settings, policies_dir=args.policies)
    for problem in knowledge.problems:
        print(say("cli.ask_skipped", problem=problem), file=sys.stderr)
    if args.question == ["-"]:
        questions = (line.strip() for line in sys.stdin)
    else:
        questions = iter([" ".join(args.question)])
    recorder = _UnansweredRecorder(settings)
    try:
        first = True
        for question in questions:
            if not question:
                continue
            answer = knowledge.answer(question)
            if not answer.answered:
                recorder.record(question)
            if args.json:
                print(json.dumps(answer.to_json(), ensure_ascii=False), flush=True)
                continue
            if not first:
                print()
            first = False
            print(answer.answer)
            source = answer.source_line()
            if source:
                print(source)
            sys.stdout.flush()
    finally:
        recorder.close()
    return 0


class _UnansweredRecorder:
    """Logs unanswered questions, opening the store only when the first one arrives.

    If the store cannot be opened the answers still go out; the miss is only logged.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.store = None
        self.broken = False

    def record(self, question: str) -> None:
        if self.broken:
            return
        import logging

        try:
            from bot.knowledge.unanswered import log_unanswered
            from bot.store import Store

            if self.store is None:
                self.store = Store.open(self.settings)
            with self.store.transaction() as session:
                log_unanswered(session, question)
        except Exception as error:  # the answer matters more than the log of misses
            self.broken = True
            logging.getLogger(__name__).warning(
                "Could not record an unanswered question in the store (%s)", type(error).__name__)

    def close(self) -> None:
        if self.store is not None:
            self.store.dispose()


def _eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge import Knowledge
    from bot.knowledge.evaluation import DEFAULT_EVAL_DIR, evaluate, load_questions

    knowledge = Knowledge.load(settings, policies_dir=args.policies)
    questions, off_topic = load_questions(args.questions or DEFAULT_EVAL_DIR)
    if not questions:
        print(say("cli.eval_no_questions"), file=sys.stderr)
        return 2
    report = evaluate(knowledge, questions, off_topic)
    print("\n".join(report.lines()))
    return 0 if report.passed else 1


def _bench_search(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.bench import run_search_benchmark

    try:
        sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    except ValueError:
        print(say("cli.bench_bad_sizes", sizes=repr(args.sizes)), file=sys.stderr)
        return 2
    return run_search_benchmark(settings, sizes, queries=args.queries)
