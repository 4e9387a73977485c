"""The evaluation corpora: staff-language questions must find their passage, off-topic ones
must be turned away, on the bundled policies and on every corpus of real documents. Prints
each corpus's figures whether or not pytest captures output."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.knowledge.evaluation import (
    DEFAULT_EVAL_DIR,
    MAX_OFF_TOPIC_ANSWERED,
    MIN_HIT_AT_3,
    MIN_MRR,
    all_corpora,
    evaluate_corpus,
    quote_found,
)
from bot.yamlio import load_yaml_file

THRESHOLDS = load_yaml_file(DEFAULT_EVAL_DIR / "thresholds.yaml") or {}
CORPORA = all_corpora()


@pytest.mark.parametrize("corpus", CORPORA, ids=[corpus.name for corpus in CORPORA])
def test_every_corpus_meets_its_bar(corpus, tmp_path: Path, capsys: pytest.CaptureFixture
                                    ) -> None:
    bar = THRESHOLDS.get(corpus.name) or {}
    reports = evaluate_corpus(corpus, Settings(home=tmp_path / "home"))
    checked = reports.get("held_out", reports["all"])

    summary = "\n".join(f"  {split}: {report.summary()}" for split, report in reports.items())
    details = "\n".join(checked.lines())
    with capsys.disabled():
        print(f"\n{corpus.name} evaluation:\n{summary}")
    assert len(corpus.questions) >= 60, "an evaluation corpus needs 60+ questions"
    assert checked.hit_at_3 >= bar.get("hit_at_3", MIN_HIT_AT_3), details
    assert checked.mrr >= bar.get("mrr", MIN_MRR), details
    allowed = bar.get("off_topic_answered", max(MAX_OFF_TOPIC_ANSWERED, checked.off_topic // 20))
    assert len(checked.off_topic_answered) <= allowed, details


def test_the_bundled_set_is_large_enough_to_mean_something() -> None:
    bundled = next(corpus for corpus in CORPORA if corpus.name == "bundled")
    assert len(bundled.questions) >= 80 and len(bundled.off_topic) >= 15


@pytest.mark.parametrize(("quote", "passage", "found"), [
    ("must be declared within 28 days", "All gifts MUST be declared\nwithin 28 days.", True),
    ("the organisation's policy", "the organisa-\ntion’s policy applies", True),
    # a long quote cut by a passage boundary is found in the passage holding most of it
    ("gifts must be declared within 28 days of receipt in the register kept by PSD",
     "Gifts must be declared within 28 days of receipt in the register.", True),
    ("declared within 28 days of receipt by the officer", "the officer", False),
    ("must be declared", "need not be declared", False),
])
def test_a_quote_is_found_word_by_word(quote: str, passage: str, found: bool) -> None:
    assert quote_found(quote, passage) is found
