"""`probity ask`, `probity eval` and `probity bench search`: the policy answers from a terminal."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.messages import say

if TYPE_CHECKING:
    from bot.store import Store


def configure_ask(ask: argparse.ArgumentParser) -> None:
    ask.add_argument("question", metavar="QUESTION", nargs="+",
                     help="the question, or - to read one question a line from stdin")
    ask.add_argument("--policies", type=Path, metavar="DIR",
                     help="index DIR instead of the bundled policies")
    ask.add_argument("--json", action="store_true",
                     help="print each answer as one JSON line (the DESIGN.md contract)")
    ask.set_defaults(run=_ask)


def configure_eval(evaluate: argparse.ArgumentParser) -> None:
    evaluate.add_argument("--corpus", action="append", metavar="NAME",
                          help="only this corpus ('bundled' or a folder name under "
                          "tests/eval/corpora); repeatable")
    evaluate.add_argument("--split", choices=("tune", "held_out"),
                          help="only this split of each corpus")
    evaluate.add_argument("--misses", action="store_true",
                          help="list every miss and every answered off-topic question")
    evaluate.add_argument("--calibrate", action="store_true",
                          help="first refit the answer rule on the tune split of every corpus "
                          "(bot/knowledge/answer_rule.json), then report")
    evaluate.add_argument("--questions", type=Path, metavar="DIR",
                          help="a folder with questions_*.yaml and off_topic.yaml, or a corpus "
                          "folder (documents/ and questions.yaml), instead of the bundled sets")
    evaluate.add_argument("--policies", type=Path, metavar="DIR",
                          help="index DIR instead of the corpus's own documents")
    evaluate.set_defaults(run=_eval)


def configure_bench_search(search: argparse.ArgumentParser) -> None:
    search.add_argument("--sizes", default="10000,50000,100000",
                        help="comma-separated corpus sizes in passages (default: %(default)s)")
    search.add_argument("--queries", type=int, default=60,
                        help="how many queries to time per engine (default: %(default)s)")
    search.set_defaults(run=_bench_search)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge import Knowledge

    knowledge = Knowledge.load(settings, policies_dir=args.policies)
    for problem in knowledge.problems:
        print(say("cli.ask_skipped", problem=problem), file=sys.stderr)
    questions: Iterator[str]
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
        self.store: Store | None = None
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
    from bot.knowledge.evaluation import (
        Corpus,
        all_corpora,
        bundled_corpus,
        cross_check,
        evaluate_corpus,
        fit_rule,
        load_corpus,
        tune_evidence,
    )

    if args.questions is not None:
        folder = args.questions
        chosen = [load_corpus(folder) if (folder / "questions.yaml").is_file()
                  else bundled_corpus(folder)]
    else:
        chosen = all_corpora()
        if args.corpus:
            chosen = [corpus for corpus in chosen if corpus.name in args.corpus]
    if args.policies is not None:
        chosen = [Corpus(c.name, args.policies, c.questions, c.off_topic) for c in chosen]
    if args.split:
        chosen = [corpus.split(args.split) for corpus in chosen]
    chosen = [corpus for corpus in chosen if corpus.questions]
    if args.calibrate:
        parts = [tune_evidence(corpus, settings) for corpus in all_corpora()]
        rule = fit_rule(parts)
        rule.save()
        print(say("knowledge.eval_calibrated", corpora=", ".join(rule.fitted_on),
                  threshold=f"{rule.threshold:.3f}"))
        for check in cross_check(parts):
            print(say("knowledge.eval_cross_check", corpus=check.name,
                      answered=check.answered, answerable=check.answerable,
                      off_topic_answered=check.off_topic_answered,
                      off_topic=check.off_topic))
    if not chosen:
        print(say("cli.eval_no_questions"), file=sys.stderr)
        return 2
    passed = True
    for corpus in chosen:
        reports = evaluate_corpus(corpus, settings)
        print(f"{corpus.name} ({corpus.documents or 'bundled policies'})")
        for split, report in reports.items():
            print(f"  {split:9} {report.summary()}")
        overall = reports["all"]
        passed = passed and overall.passed
        if args.misses:
            for line in overall.lines()[1:]:
                print(f"    {line}")
    print(say("knowledge.eval_bar_met" if passed else "knowledge.eval_bar_missed"))
    return 0 if passed else 1


def _bench_search(args: argparse.Namespace, settings: Settings) -> int:
    from bot.knowledge.bench import run_search_benchmark

    try:
        sizes = [int(part) for part in args.sizes.split(",") if part.strip()]
    except ValueError:
        print(say("cli.bench_bad_sizes", sizes=repr(args.sizes)), file=sys.stderr)
        return 2
    return run_search_benchmark(settings, sizes, queries=args.queries)
