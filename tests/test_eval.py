"""The evaluation set: staff-language questions must find their policy section, off-topic ones
must be turned away. Prints hit@3, MRR and every miss whether or not pytest captures output."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Settings
from bot.knowledge import Knowledge
from bot.knowledge.evaluation import (
    DEFAULT_EVAL_DIR,
    MAX_OFF_TOPIC_ANSWERED,
    MIN_HIT_AT_3,
    MIN_MRR,
    evaluate,
    load_questions,
)


def test_the_evaluation_set_meets_the_bar(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    questions, off_topic = load_questions(DEFAULT_EVAL_DIR)
    assert len(questions) >= 80 and len(off_topic) >= 15

    report = evaluate(Knowledge.load(Settings(home=tmp_path / "home")), questions, off_topic)

    summary = "\n".join(report.lines())
    (tmp_path / "eval-report.txt").write_text(summary + "\n", encoding="utf-8")
    with capsys.disabled():
        print(f"\nknowledge evaluation: {summary}\n(report: {tmp_path / 'eval-report.txt'})")
    assert report.hit_at_3 >= MIN_HIT_AT_3, summary
    assert report.mrr >= MIN_MRR, summary
    assert len(report.off_topic_answered) <= MAX_OFF_TOPIC_ANSWERED, summary
