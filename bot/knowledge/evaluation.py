"""Measuring answer quality on every corpus: hit@3, MRR and off-topic refusals, by split.

Two kinds of evaluation set are read. The bundled set (tests/eval/questions_*.yaml and
off_topic.yaml) names the expected document and section heading of the bundled policies.
A corpus (tests/eval/corpora/<name>/) brings its own documents/ and a questions.yaml whose
questions name a document and a verbatim `quote` from it: a citation is right when it is
that document and its passage holds the quote, which scores a corpus whatever its headings
(or lack of them) and however Probity cuts it into passages. `split: tune|held_out` keeps
the questions tuned on apart from those only reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from bot.config import PROJECT_ROOT, Settings
from bot.knowledge.answer_rule import AnswerRule, Evidence
from bot.knowledge.engine import Knowledge
from bot.knowledge.text import fold
from bot.turns import Citation
from bot.yamlio import load_yaml_file

#: Where the bundled evaluation set lives.
DEFAULT_EVAL_DIR = PROJECT_ROOT / "tests" / "eval"
#: Further corpora of real documents, one folder each (documents/ and questions.yaml).
CORPORA_DIR = DEFAULT_EVAL_DIR / "corpora"
#: The bar: the issue's targets. Per-corpus CI thresholds live in tests/eval/thresholds.yaml.
MIN_HIT_AT_3 = 0.90
MIN_MRR = 0.75
MAX_OFF_TOPIC_ANSWERED = 1
#: Off-topic answers allowed per this many off-topic questions (one in 20).
OFF_TOPIC_PER = 20
#: A quote counts as found when a cited passage holds at least this share of its words as one
#: run (a quote cut by a passage boundary is still found in the passage holding most of it).
QUOTE_SHARE = 0.6
#: ...and that run is at least this many words (a short quote must be found whole).
QUOTE_MIN_RUN = 8
SPLITS = ("tune", "held_out")

_NUMBER = re.compile(r"^(\d+(?:\.\d+)*)\.?\s")
_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Target:
    """One right place to cite: a document and a section heading or a verbatim quote."""

    document: str
    section: str | None = None
    quote: str | None = None

    def matches(self, citation: Citation) -> bool:
        if citation.document != self.document:
            return False
        if self.section is not None and section_matches(self.section, citation.section):
            return True
        return self.quote is not None and quote_found(self.quote, citation.text)

    def label(self) -> str:
        where = self.section if self.section is not None else f"“{_short(self.quote or '')}”"
        return f"{self.document} § {where}"


@dataclass(frozen=True)
class EvalQuestion:
    question: str
    document: str
    section: str | None = None
    quote: str | None = None
    also: tuple[Target, ...] = ()
    split: str = "tune"

    @property
    def targets(self) -> tuple[Target, ...]:
        return (Target(self.document, self.section, self.quote), *self.also)


@dataclass(frozen=True)
class OffTopic:
    question: str
    split: str = "tune"


@dataclass(frozen=True)
class Corpus:
    """An evaluation set: its documents (None: the bundled policies) and questions."""

    name: str
    documents: Path | None
    questions: tuple[EvalQuestion, ...]
    off_topic: tuple[OffTopic, ...]

    def split(self, name: str | None) -> Corpus:
        """The questions of one split (None: all of them)."""
        if name is None:
            return self
        return Corpus(self.name, self.documents,
                      tuple(q for q in self.questions if q.split == name),
                      tuple(q for q in self.off_topic if q.split == name))


@dataclass(frozen=True)
class Miss:
    """A question none of whose targets was among the top three citations."""

    question: EvalQuestion
    cited: tuple[str, ...]  # "document § section" of what was cited instead
    answered: bool


@dataclass
class EvalReport:
    """The figures, and every miss and wrongly answered off-topic question."""

    questions: int = 0
    hits: int = 0
    reciprocal_ranks: float = 0.0
    answered: int = 0
    misses: list[Miss] = field(default_factory=list)
    off_topic: int = 0
    off_topic_answered: list[str] = field(default_factory=list)
    name: str = ""

    @property
    def hit_at_3(self) -> float:
        return self.hits / self.questions if self.questions else 0.0

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.questions if self.questions else 0.0

    @property
    def answered_rate(self) -> float:
        return self.answered / self.questions if self.questions else 0.0

    @property
    def off_topic_allowed(self) -> int:
        """One in 20 off-topic questions may be answered (at least one on a small set)."""
        return max(MAX_OFF_TOPIC_ANSWERED, self.off_topic // OFF_TOPIC_PER)

    @property
    def passed(self) -> bool:
        return (self.hit_at_3 >= MIN_HIT_AT_3 and self.mrr >= MIN_MRR
                and len(self.off_topic_answered) <= self.off_topic_allowed)

    def summary(self) -> str:
        return (f"hit@3 {self.hit_at_3:.3f} ({self.hits}/{self.questions}), MRR {self.mrr:.3f}, "
                f"answered {self.answered}/{self.questions}; off-topic answered "
                f"{len(self.off_topic_answered)}/{self.off_topic}")

    def lines(self) -> list[str]:
        """A readable summary: the figures first, then each miss."""
        out = [f"{self.summary()} (bar: hit@3 >= {MIN_HIT_AT_3}, MRR >= {MIN_MRR}, "
               f"off-topic answered <= {self.off_topic_allowed})"]
        for miss in self.misses:
            cited = "; ".join(miss.cited) if miss.cited else "nothing (not answered)"
            expected = " or ".join(target.label() for target in miss.question.targets)
            out.append(f"MISS {miss.question.question!r}: expected {expected}; cited {cited}")
        for question in self.off_topic_answered:
            out.append(f"OFF-TOPIC ANSWERED {question!r}")
        return out


# Loading --------------------------------------------------------------------------------

def load_questions(folder: Path) -> tuple[list[EvalQuestion], list[str]]:
    """The questions_*.yaml questions and the off_topic.yaml questions in `folder`."""
    questions = []
    for path in sorted(folder.glob("questions_*.yaml")):
        questions.extend(_questions(load_yaml_file(path)))
    off_topic: list[str] = []
    off_path = folder / "off_topic.yaml"
    if off_path.is_file():
        off_topic = [item.question for item in _off_topic(load_yaml_file(off_path))]
    return questions, off_topic


def bundled_corpus(folder: Path = DEFAULT_EVAL_DIR) -> Corpus:
    """The bundled set over the bundled policies. Tuned on throughout, so all of it is
    'tune': it cannot tell how Probity does on documents nobody on the project wrote."""
    questions, off_topic = load_questions(folder)
    return Corpus("bundled", None, tuple(questions), tuple(OffTopic(q) for q in off_topic))


def load_corpus(folder: Path) -> Corpus:
    """One corpus folder: documents/ and questions.yaml (questions and off_topic)."""
    raw = load_yaml_file(folder / "questions.yaml") or {}
    off_topic = _off_topic(raw)
    if isinstance(raw, dict) and not off_topic and (folder / "off_topic.yaml").is_file():
        off_topic = _off_topic(load_yaml_file(folder / "off_topic.yaml"))
    documents = folder / "documents"
    return Corpus(folder.name, documents if documents.is_dir() else folder,
                  tuple(_questions(raw)), tuple(off_topic))


def corpora(folder: Path = CORPORA_DIR) -> list[Corpus]:
    """Every corpus under `folder` that has a questions.yaml, by name."""
    if not folder.is_dir():
        return []
    return [load_corpus(path) for path in sorted(folder.iterdir())
            if (path / "questions.yaml").is_file()]


def all_corpora() -> list[Corpus]:
    """The bundled set, then every further corpus."""
    return [bundled_corpus(), *corpora()]


def _items(raw: object, *keys: str) -> list[object]:
    if isinstance(raw, dict):
        for key in keys:
            if isinstance(raw.get(key), list):
                return list(raw[key])
        return []
    return list(raw) if isinstance(raw, list) else []


def _questions(raw: object) -> list[EvalQuestion]:
    questions = []
    for item in _items(raw, "questions"):
        if not isinstance(item, dict) or not item.get("question") or not item.get("document"):
            continue
        document = str(item["document"])
        questions.append(EvalQuestion(
            question=str(item["question"]), document=document,
            section=_text(item.get("section")), quote=_text(item.get("quote")),
            also=tuple(_also(item.get("also"), document)),
            split=str(item.get("split") or "tune")))
    return questions


def _also(raw: object, document: str) -> Iterable[Target]:
    """Other right places: dicts with document/section/quote, or bare quotes of the same
    document, or bare document names (any passage of that document)."""
    items = raw if isinstance(raw, list) else [raw] if raw else []
    for item in items:
        if isinstance(item, dict):
            yield Target(str(item.get("document") or document), _text(item.get("section")),
                         _text(item.get("quote")))
        elif isinstance(item, str) and Path(item).suffix and " " not in item:
            yield Target(item, None, "")
        elif isinstance(item, str):
            yield Target(document, None, item)


def _off_topic(raw: object) -> list[OffTopic]:
    found = []
    for item in _items(raw, "off_topic"):
        if isinstance(item, dict) and item.get("question"):
            found.append(OffTopic(str(item["question"]), str(item.get("split") or "tune")))
        elif isinstance(item, str):
            found.append(OffTopic(item))
    return found


def _text(value: object) -> str | None:
    return None if value is None else str(value)


# Scoring --------------------------------------------------------------------------------

def section_matches(expected: str, cited: str) -> bool:
    """Same heading text, or the cited heading is numbered inside the expected one (11.1 in 11)."""
    if fold(expected).strip() == fold(cited).strip():
        return True
    wanted, got = _NUMBER.match(expected.strip()), _NUMBER.match(cited.strip())
    return bool(wanted and got and got.group(1).startswith(wanted.group(1) + "."))


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(fold(text).replace("-\n", ""))


def quote_found(quote: str, passage: str) -> bool:
    """Whether `passage` holds `quote`, compared word by word (case, punctuation, line breaks,
    furniture Probity removed and hyphenation it mended do not matter). An empty quote is
    any passage of the document."""
    wanted = _tokens(quote)
    if not wanted:
        return True
    text = _tokens(passage)
    if not text:
        return False
    joined = " ".join(text)
    if " ".join(wanted) in joined:
        return True
    # Compare spelled-out: a mended "organisa tion" and the quote's "organisation" agree.
    if "".join(wanted) in "".join(text):
        return True
    match = SequenceMatcher(None, text, wanted, autojunk=False).find_longest_match(
        0, len(text), 0, len(wanted))
    return match.size >= max(QUOTE_SHARE * len(wanted), min(len(wanted), QUOTE_MIN_RUN))


def evaluate(knowledge: Knowledge, questions: Iterable[EvalQuestion],
             off_topic: Iterable[str], name: str = "") -> EvalReport:
    """Ask every question and score the citations against the expected places."""
    questions, off_topic = list(questions), list(off_topic)
    report = EvalReport(questions=len(questions), off_topic=len(off_topic), name=name)
    for item in questions:
        answer = knowledge.answer(item.question)
        report.answered += answer.answered
        rank = next((position for position, citation in enumerate(answer.citations, start=1)
                     if any(target.matches(citation) for target in item.targets)), None)
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


def knowledge_for(corpus: Corpus, settings: Settings) -> Knowledge:
    """The Knowledge a corpus is measured with: its own documents, the configured knowledge/."""
    return Knowledge.load(settings, policies_dir=corpus.documents)


def evaluate_corpus(corpus: Corpus, settings: Settings,
                    knowledge: Knowledge | None = None) -> dict[str, EvalReport]:
    """Reports for each split the corpus has ('tune', 'held_out') and for all of it ('all')."""
    knowledge = knowledge or knowledge_for(corpus, settings)
    splits = [s for s in SPLITS if any(q.split == s for q in corpus.questions)]
    reports = {}
    for split in splits:
        part = corpus.split(split)
        reports[split] = evaluate(knowledge, part.questions,
                                  (q.question for q in part.off_topic), corpus.name)
    # Off-topic questions in neither split (or every one, when none is marked) count in 'all'.
    rest = [q.question for q in corpus.off_topic if q.split not in splits]
    combined = EvalReport(name=corpus.name)
    for report in [*reports.values(), evaluate(knowledge, (), rest, corpus.name)]:
        combined.questions += report.questions
        combined.hits += report.hits
        combined.reciprocal_ranks += report.reciprocal_ranks
        combined.answered += report.answered
        combined.misses += report.misses
        combined.off_topic += report.off_topic
        combined.off_topic_answered += report.off_topic_answered
    if len(splits) == 1:
        return {"all": combined}
    return {**reports, "all": combined}


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class TuneEvidence:
    """One corpus's tune split as the answer rule sees it (see calibrate)."""

    name: str
    #: Answerable questions the rule decides (None where a route turns one away first).
    answerable: list[Evidence | None] = field(default_factory=list)
    #: Off-topic questions the rule decides, and those a route turns away first.
    off_topic: list[Evidence] = field(default_factory=list)
    routed: list[Evidence] = field(default_factory=list)
    off_topic_asked: int = 0


def tune_evidence(corpus: Corpus, settings: Settings) -> TuneEvidence:
    """The answer rule's features for a corpus's tune split (all of the bundled set, which has
    no held-out part); held_out questions are never looked at."""
    part = corpus if corpus.documents is None else corpus.split("tune")
    found = TuneEvidence(corpus.name, off_topic_asked=len(part.off_topic))
    if not part.questions:
        return found
    knowledge = knowledge_for(corpus, settings)
    found.answerable = [knowledge.evidence_for(q.question) for q in part.questions]
    for item in part.off_topic:
        evidence = knowledge.evidence_for(item.question, routed=True)
        if evidence is None:
            continue
        # Off-topic questions a route turns away teach the rule too, but only those
        # the rule itself would decide set its threshold.
        (found.off_topic if knowledge.evidence_for(item.question) is not None
         else found.routed).append(evidence)
    return found


def fit_rule(parts: Iterable[TuneEvidence]) -> AnswerRule:
    """The answer rule fitted on these corpora's tune evidence, pooled (`probity eval
    --calibrate` fits it on every corpus)."""
    parts = [part for part in parts if part.answerable]
    return AnswerRule.fit(
        [e for part in parts for e in part.answerable if e is not None],
        [e for part in parts for e in part.off_topic], [part.name for part in parts],
        off_topic_asked=sum(part.off_topic_asked for part in parts),
        also_off_topic=[e for part in parts for e in part.routed])


@dataclass(frozen=True)
class CrossCheck:
    """The rule fitted on the other corpora, asked this corpus's tune questions."""

    name: str
    answered: int
    answerable: int
    off_topic_answered: int
    off_topic: int


def cross_check(parts: list[TuneEvidence]) -> list[CrossCheck]:
    """Leave one corpus out: for each corpus, fit the rule on the others' tune evidence and
    count what it answers of this one's (a question a route turns away is not answered).
    How the rule does on documents it was not fitted on, which is what a force adopting
    Probity gets."""
    from bot.knowledge.engine import MIN_KNOWN

    checks = []
    for part in parts:
        others = [other for other in parts if other is not part]
        if not part.answerable or not any(other.answerable for other in others):
            continue
        rule = fit_rule(others)

        def answers(evidence: Evidence | None, rule: AnswerRule = rule) -> bool:
            return (evidence is not None and evidence.known >= MIN_KNOWN
                    and rule.answers(evidence))
        checks.append(CrossCheck(
            part.name, sum(map(answers, part.answerable)), len(part.answerable),
            sum(map(answers, part.off_topic)), part.off_topic_asked))
    return checks
