"""Measuring answer quality: hit@3 and MRR over staff-language questions, and off-topic refusals."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import PROJECT_ROOT
from bot.knowledge.engine import Knowledge
from bot.knowledge.text import fold
from bot.yamlio import load_yaml_file

#: Where the bundled evaluation set lives.
DEFAULT_EVAL_DIR = PROJECT_ROOT / "tests" / "eval"
#: The bar the evaluation test holds the engine to.
MIN_HIT_AT_3 = 0.90
MIN_MRR = 0.75
MAX_OFF_TOPIC_ANSWERED = 1

_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    document: str
    section: str


@dataclass(frozen=True)
class Miss:
    """A question whose expected section was not in the top three citations."""

    question: EvalQuestion
    cited: tuple[str, ...]  # "document § section" of what was cited instead
    answered: bool


@dataclass
class EvalReport:
    """The figures, and every miss and wrongly answered off-topic question."""

    questions: int = 0
    hits: int = 0
    reciprocal_ranks: float = 0.0
    misses: list[Miss] = field(default_factory=list)
    off_topic: int = 0
    off_topic_answered: list[str] = field(default_factory=list)

    @property
    def hit_at_3(self) -> float:
        return self.hits / self.questions if self.questions else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.questions if self.questions else 0.0

    @property
    def passed(self) -> bool:
        return (self.hit_at_3 >= MIN_HIT_AT_3 and self.mrr >= MIN_MRR
                and len(self.off_topic_answered) <= MAX_OFF_TOPIC_ANSWERED)

    def lines(self) -> list[str]:
        """A readable summary: the figures first, then each miss."""
        out = [
            f"hit@3 {self.hit_at_3:.3f} ({self.hits}/{self.questions}), MRR {self.mrr:.3f}; "
            f"off-topic answered {len(self.off_topic_answered)}/{self.off_topic} "
            f"(bar: hit@3 >= {MIN_HIT_AT_3}, MRR >= {MIN_MRR}, "
            f"off-topic answered <= {MAX_OFF_TOPIC_ANSWERED})",
        ]
        for miss in self.misses:
            cited = "; ".join(miss.cited) if miss.cited else "nothing (not answered)"
            out.append(f"MISS {miss.question.question!r}: expected {miss.question.document} § "
                       f"{miss.question.section}; cited {cited}")
        for question in self.off_topic_answered:
            out.append(f"OFF-TOPIC ANSWERED {question!r}")
        return out


def load_questions(folder: Path) -> tuple[list[EvalQuestion], list[str]]:
    """The questions_*.yaml questions and the off_topic.yaml questions in `folder`."""
    questions = []
    for path in sorted(folder.glob("questions_*.yaml")):
        raw = load_yaml_file(path) or {}
        for item in raw.get("questions", []) if isinstance(raw, dict) else raw:
            questions.append(EvalQuestion(str(item["question"]), str(item["document"]),
                                          str(item["section"])))
    off_topic: list[str] = []
    off_path = folder / "off_topic.yaml"
    if off_path.is_file():
        raw = load_yaml_file(off_path) or {}
        items = (raw.get("off_topic") or raw.get("questions") or []) if isinstance(
            raw, dict) else raw
        off_topic = [str(item["question"] if isinstance(item, dict) else item) for item in items]
    return questions, off_topic


def section_matches(expected: str, cited: str) -> bool:
    """Same heading text, or the cited heading is numbered inside the expected one (11.1 in 11)."""
    if fold(expected).strip() == fold(cited).strip():
        return True
    wanted, got = _NUMBER.match(expected.strip()), _NUMBER.match(cited.strip())
    return bool(wanted and got and got.group(1).startswith(wanted.group(1) + "."))


def evaluate(knowledge: Knowledge, questions: list[EvalQuestion],
             off_topic: list[str]) -> EvalReport:
    """Ask every question and score the citations against the expected section."""
    report = EvalReport(questions=len(questions), off_topic=len(off_topic))
    for item in questions:
        answer = knowledge.answer(item.question)
        rank = next((position for position, citation in enumerate(answer.citations, start=1)
                     if citation.document == item.document
                     and section_matches(item.section, citation.section)), None)
        if rank is None:
            report.misses.append(Miss(item, tuple(f"{c.document} § {c.section}"
                                                  for c in answer.citations), answer.answered))
        else:
            report.hits += 1
            report.reciprocal_ranks += 1.0 / rank
    for question in off_topic:
        if knowledge.answer(question).answered:
            report.off_topic_answered.append(question)
    return report
