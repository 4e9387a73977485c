"""Knowledge: the policies, indexed and ready to answer questions; the one object callers use."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.config import Settings
from bot.knowledge import answer as answers
from bot.knowledge.answer import Answer, Confidence, ScoredPassage
from bot.knowledge.cache import content_key, load_or_build
from bot.knowledge.chunking import chunk
from bot.knowledge.contacts import ContactBook
from bot.knowledge.faq import FaqEntry, load_faq
from bot.knowledge.index import K1, B, SearchIndex, passage_terms, ranked
from bot.knowledge.loaders import load_folder, policy_files
from bot.knowledge.text import fold
from bot.knowledge.vocabulary import QueryTerms, Vocabulary

log = logging.getLogger(__name__)

KNOWLEDGE_FILES = ("vocabulary.yaml", "contacts.yaml", "faq.yaml")

#: The confidence rule. An answer is given only when the best passage covers at least this
#: IDF-weighted share of the question's own words (synonyms count as covering the word they
#: came from) ...
MIN_COVERAGE = 0.5
#: ... and its score is at least this share of what a passage holding every question word
#: once would score. Together they turn away "what time does the canteen close?", whose
#: rare words ("canteen") appear nowhere, and questions that only share filler like "time".
MIN_STRENGTH = 0.25
#: A question this close to an FAQ entry's (IDF-weighted overlap of terms) lifts the entry's
#: target section; the FAQ only re-ranks, the answer still comes from the policy text.
FAQ_SIMILARITY = 0.5
FAQ_BOOST = 1.5


@dataclass
class Knowledge:
    """Indexed policies plus the curated vocabulary, contacts and FAQ that steer answers."""

    index: SearchIndex
    vocabulary: Vocabulary
    contacts: ContactBook
    faq: tuple[FaqEntry, ...]
    problems: list[str]
    policies_dir: Path
    from_cache: bool = False

    @classmethod
    def load(cls, settings: Settings, policies_dir: Path | None = None,
             use_cache: bool = True) -> Knowledge:
        """Load the bundled (or configured, or given) policies, from the cache when unchanged.

        Files that cannot be read are logged by name and listed in `problems`.
        """
        folder = Path(policies_dir or settings.policies_dir)
        knowledge_dir = Path(settings.knowledge_dir)
        files = policy_files(folder)
        key = content_key(files, folder, (knowledge_dir / name for name in KNOWLEDGE_FILES))

        def build() -> tuple[SearchIndex, list[str]]:
            documents, problems = load_folder(folder)
            return SearchIndex.build(chunk(documents)), problems

        cache_dir = settings.home / "index" if use_cache else None
        index, problems, from_cache = load_or_build(cache_dir, key, build)
        if from_cache:
            for problem in problems:
                log.warning("Skipped policy file %s", problem)
        if not folder.is_dir():
            log.warning("The policies folder %s does not exist; nothing can be answered", folder)
        return cls(
            index=index,
            vocabulary=Vocabulary.load(knowledge_dir / "vocabulary.yaml"),
            contacts=ContactBook.load(knowledge_dir / "contacts.yaml"),
            faq=load_faq(knowledge_dir / "faq.yaml"),
            problems=problems,
            policies_dir=folder,
            from_cache=from_cache,
        )

    # Searching ------------------------------------------------------------------------

    def query_terms(self, question: str) -> QueryTerms:
        return self.vocabulary.query_terms(question)

    def search(self, query: str, limit: int = 10) -> list[ScoredPassage]:
        """The best passages for `query`, best first, with vocabulary expansion and FAQ boost."""
        return self._search(self.query_terms(query), limit)

    def _search(self, query: QueryTerms, limit: int) -> list[ScoredPassage]:
        scores = self.index.scores(query.weights)
        self._boost_faq_targets(query, scores)
        return [ScoredPassage(self.index.passages[number], score)
                for number, score in ranked(scores, limit)]

    def _boost_faq_targets(self, query: QueryTerms, scores: np.ndarray) -> None:
        own = set(query.own)
        if not own or not self.faq:
            return
        for entry in self.faq:
            if self._similarity(own, entry.terms) < FAQ_SIMILARITY:
                continue
            for number, passage in enumerate(self.index.passages):
                if passage.document == entry.document and _same_section(
                        passage.section, entry.section):
                    scores[number] *= FAQ_BOOST

    def _similarity(self, first: set[str], second: frozenset[str]) -> float:
        union = first | second
        if not union:
            return 0.0
        shared = sum(self._idf(term) for term in first & second)
        return shared / sum(self._idf(term) for term in union)

    def _idf(self, term: str) -> float:
        idf = self.index.idf_of(term)
        return self.index.unseen_idf() if idf is None else idf

    # Answering ------------------------------------------------------------------------

    def answer(self, question: str) -> Answer:
        """Answer a question from the policies, or say plainly that they do not cover it."""
        question = question.strip()
        query = self.query_terms(question)
        hits = _distinct_sections(self._search(query, limit=10))
        confidence = self.confidence(query, hits)
        if not confidence.answered:
            return answers.not_covered(question, self.contacts.to_ask(question), confidence)
        idf = {term: self._idf(term) for term in query.weights}
        return answers.covered(question, hits, query, idf, self.contacts.for_question(question),
                               confidence)

    def confidence(self, query: QueryTerms, hits: list[ScoredPassage]) -> Confidence:
        """Apply the confidence rule (MIN_COVERAGE and MIN_STRENGTH) to the best hit."""
        if not hits or not query.own:
            return Confidence(0.0, 0.0, False)
        present = set(passage_terms(hits[0].passage))
        total = covered = 0.0
        for term in query.own:
            weight = self._idf(term)
            total += weight
            if term in present or present & query.alternatives.get(term, frozenset()):
                covered += weight
        coverage = covered / total if total else 0.0
        # A passage of average length holding each own term once scores idf * 1 per term
        # (tf=1 at average length makes the BM25 fraction (k1+1)/(1+k1) * ... = 1).
        ideal = sum(self._idf(term) * (K1 + 1) / (1 + K1 * (1 - B + B)) for term in query.own)
        strength = hits[0].score / ideal if ideal else 0.0
        answered = coverage >= MIN_COVERAGE and strength >= MIN_STRENGTH
        return Confidence(round(coverage, 3), round(strength, 3), answered)


def _same_section(cited: str, wanted: str) -> bool:
    return fold(cited).strip() == fold(wanted).strip()


def _distinct_sections(hits: list[ScoredPassage]) -> list[ScoredPassage]:
    """Keep one passage per (document, section): parts of a long section cite as one."""
    seen: set[tuple[str, tuple[str, ...]]] = set()
    kept = []
    for hit in hits:
        key = (hit.passage.document, hit.passage.headings)
        if key not in seen:
            seen.add(key)
            kept.append(hit)
    return kept
