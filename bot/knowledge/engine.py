"""Knowledge: the policies, indexed and ready to answer questions; the one object callers use."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
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
from bot.knowledge.scope import Route, is_out_of_scope, load_routes
from bot.knowledge.text import fold, terms
from bot.knowledge.vocabulary import QueryTerms, Vocabulary

log = logging.getLogger(__name__)

KNOWLEDGE_FILES = ("vocabulary.yaml", "contacts.yaml", "faq.yaml", "out_of_scope.yaml")

#: The confidence rule, applied when no out-of-scope route has won (see ROUTE_MARGIN). The
#: routes do most of the refusing, so these are floors against nonsense and near-misses
#: rather than a test of on-topic-ness: the best passage must cover at least MIN_COVERAGE of
#: the question's own words, weighted by IDF (a synonym from the vocabulary covers the word
#: it came from), and score at least MIN_STRENGTH of what a passage holding each question
#: word once would. A question that uses the organisation's own vocabulary (a staff word
#: that maps to a policy term, or a contact topic's keyword) is plainly about integrity
#: matters, so it needs less lexical strength.
MIN_COVERAGE = 0.15
#: Nonsense floor: at least this share of the question's own words must occur somewhere in
#: the policies (or routes). "zebra quantum welfare" shares a word with a policy but is not
#: a question the policies can answer.
MIN_KNOWN = 0.5
MIN_STRENGTH = 0.4
MIN_STRENGTH_IN_DOMAIN = 0.2
#: An out-of-scope route wins outright when its plain BM25 score is at least ROUTE_MARGIN
#: times the best policy passage's; it also wins a near tie (ROUTE_TIE_MARGIN) when the best
#: policy passage is itself weak (strength below WEAK_STRENGTH).
ROUTE_MARGIN = 1.4
ROUTE_TIE_MARGIN = 1.0
WEAK_STRENGTH = 0.6
#: Passages in the document that matches the question best as a whole get up to this much
#: extra: staff questions often carry incidental words that pull single passages from the
#: wrong policy, while the right policy matches across several of its sections.
DOCUMENT_PRIOR = 2.0
DOCUMENT_PRIOR_PASSAGES = 2
#: A question this close to an FAQ entry's (IDF-weighted overlap of terms) lifts the entry's
#: target section; the FAQ only re-ranks, the answer still comes from the policy text.
FAQ_SIMILARITY = 0.5
#: How much a match in the deepest heading or title adds, relative to the passage text.
HEADING_WEIGHT = 1.0
#: How much a match in the FAQ questions written for a section adds.
FAQ_FIELD_WEIGHT = 0.5

FAQ_BOOST = 1.5
#: A section whose heading sets a money limit ("Gifts below £25", "Offers at or above £25")
#: that a sum in the question falls on the right side of gets this much more: "a £15 bunch
#: of flowers" is asking exactly what that heading decides, though no word says "below".
AMOUNT_BOOST = 1.5

_QUESTION_AMOUNT = re.compile(r"£\s*(\d+(?:\.\d+)?)|\b(\d+(?:\.\d+)?)\s*(?:quid|pounds?|gbp)\b")
_HEADING_LIMIT = re.compile(
    r"\b(below|under|less than|up to|at or above|above|over|more than|at least|exceeding)"
    r"\s+£\s*(\d+(?:\.\d+)?)")
_BELOW = ("below", "under", "less than")


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
    routes: tuple[Route, ...] = ()

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

        routes = load_routes(knowledge_dir / "out_of_scope.yaml")

        def build() -> tuple[SearchIndex, list[str]]:
            documents, problems = load_folder(folder)
            # Routes share the index (and so the IDF scale) with the policy passages, so
            # their scores compare directly with the policies' for the same question.
            passages = chunk(documents) + [route.passage() for route in routes]
            return SearchIndex.build(passages), problems

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
            routes=routes,
        )

    # Searching ------------------------------------------------------------------------

    def query_terms(self, question: str) -> QueryTerms:
        query = self.vocabulary.query_terms(question)
        found = amounts(question)
        if found:
            query = replace(query, amounts=found)
        return query

    def search(self, query: str, limit: int = 10) -> list[ScoredPassage]:
        """The best passages for `query`, best first, with vocabulary expansion and FAQ boost."""
        return self._search(self.query_terms(query), limit)

    def _search(self, query: QueryTerms, limit: int) -> list[ScoredPassage]:
        scores, plain = self._scores(query)
        return [ScoredPassage(self.index.passages[number], score, float(plain[number]))
                for number, score in ranked(scores, limit)]

    def _scores(self, query: QueryTerms) -> tuple[np.ndarray, np.ndarray]:
        """(re-ranked scores of policy passages only, plain BM25 of every passage)."""
        plain = self.index.scores(query.weights)
        scores = plain + HEADING_WEIGHT * self._heading_index().scores(query.weights)
        if FAQ_FIELD_WEIGHT and self.faq:
            scores += FAQ_FIELD_WEIGHT * self._faq_index().scores(query.weights)
        scores[self._route_mask()] = 0.0
        self._boost_faq_targets(query, scores)
        self._boost_amount_limits(query, scores)
        self._apply_document_prior(scores)
        return scores, plain

    def _boost_amount_limits(self, query: QueryTerms, scores: np.ndarray) -> None:
        """Lift sections whose heading's money limit the question's sum falls within."""
        if not query.amounts:
            return
        for number, limits in self._heading_limits().items():
            if scores[number] > 0 and any(
                    _within(amount, limits) for amount in query.amounts):
                scores[number] *= AMOUNT_BOOST

    def _heading_limits(self) -> dict[int, list[tuple[str, float]]]:
        """Passage number -> the (comparison, £ limit) pairs its deepest heading states."""
        if getattr(self, "_heading_limits_cache", None) is None:
            found: dict[int, list[tuple[str, float]]] = {}
            for number, passage in enumerate(self.index.passages):
                limits = [(match.group(1), float(match.group(2)))
                          for match in _HEADING_LIMIT.finditer(fold(passage.section))]
                if limits:
                    found[number] = limits
            self._heading_limits_cache = found
        return self._heading_limits_cache

    def _heading_index(self) -> SearchIndex:
        """A second, tiny index of each passage's deepest heading and its document's title.

        Headings name what a section is about in a few chosen words; matching one is better
        evidence than the same word somewhere in a long passage, which repeating the heading
        inside the passage's own text (where length normalisation dilutes it) undersells.
        """
        if getattr(self, "_heading_index_cache", None) is None:
            self._heading_index_cache = SearchIndex.build(
                self.index.passages,
                [terms(passage.section) + terms(passage.title) for passage in self.index.passages])
        return self._heading_index_cache

    def _faq_index(self) -> SearchIndex:
        """Each passage's FAQ questions (those pointing at its section) as a field of its own.

        FAQ questions are written in the words staff use, so they bridge the gap between a
        question and the policy's formal wording better than the policy text can.
        """
        if getattr(self, "_faq_index_cache", None) is None:
            by_section: dict[tuple[str, str], list[str]] = {}
            for entry in self.faq:
                key = (entry.document, fold(entry.section).strip())
                by_section.setdefault(key, []).extend(entry.terms)
            self._faq_index_cache = SearchIndex.build(self.index.passages, [
                by_section.get((passage.document, fold(passage.section).strip()), [])
                for passage in self.index.passages])
        return self._faq_index_cache

    def _route_mask(self) -> np.ndarray:
        if getattr(self, "_route_mask_cache", None) is None:
            self._route_mask_cache = np.asarray(
                [is_out_of_scope(passage) for passage in self.index.passages], dtype=bool)
        return self._route_mask_cache

    def _winning_route(self, plain: np.ndarray, margin: float) -> Route | None:
        """The out-of-scope route scoring at least `margin` times the best policy passage."""
        mask = self._route_mask()
        if not mask.any():
            return None
        route_scores = np.where(mask, plain, 0.0)
        best = int(np.argmax(route_scores))
        policy_best = float(np.max(np.where(mask, 0.0, plain)))
        if route_scores[best] <= 0 or route_scores[best] < margin * policy_best:
            return None
        topic = self.index.passages[best].title
        return next((route for route in self.routes if route.topic == topic), None)

    def _apply_document_prior(self, scores: np.ndarray) -> None:
        """Scale each passage by how well its whole document matches (its best passages)."""
        if not scores.any():
            return
        document_of = self._document_numbers()
        strengths = np.zeros(int(document_of.max()) + 1)
        for number in np.unique(document_of[scores > 0]):
            best = np.sort(scores[document_of == number])[-DOCUMENT_PRIOR_PASSAGES:]
            strengths[number] = best.sum()
        scores *= 1.0 + DOCUMENT_PRIOR * strengths[document_of] / strengths.max()

    def _document_numbers(self) -> np.ndarray:
        if getattr(self, "_documents_cache", None) is None:
            names: dict[str, int] = {}
            self._documents_cache = np.asarray(
                [names.setdefault(p.document, len(names)) for p in self.index.passages],
                dtype=np.int64)
        return self._documents_cache

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
        scores, plain = self._scores(query)
        hits = _distinct_sections([
            ScoredPassage(self.index.passages[number], score, float(plain[number]))
            for number, score in ranked(scores, 10)])
        route = self._winning_route(plain, ROUTE_MARGIN)
        if route is not None:
            return answers.not_covered(question, route.contact, Confidence(0.0, 0.0, False))
        confidence = self.confidence(query, hits, self._in_domain(question, query))
        if confidence.answered and confidence.strength < WEAK_STRENGTH:
            route = self._winning_route(plain, ROUTE_TIE_MARGIN)
            if route is not None:
                confidence = Confidence(confidence.coverage, confidence.strength, False)
        if not confidence.answered:
            contact = route.contact if route is not None else self.contacts.to_ask(question)
            return answers.not_covered(question, contact, confidence)
        idf = {term: self._idf(term) for term in query.weights}
        return answers.covered(question, hits, query, idf, self.contacts.for_question(question),
                               confidence)

    def _known(self, term: str, query: QueryTerms) -> bool:
        """Whether the policies use this question word, or a policy term the vocabulary gives
        for it ("journo" is known through "journalist")."""
        return self.index.idf_of(term) is not None or any(
            self.index.idf_of(other) is not None
            for other in query.alternatives.get(term, frozenset()))

    def _in_domain(self, question: str, query: QueryTerms) -> bool:
        """Whether the question uses the organisation's vocabulary or a contact topic's words."""
        return len(query.weights) > len(query.own) or self.contacts.for_question(
            question) is not None

    def confidence(self, query: QueryTerms, hits: list[ScoredPassage],
                   in_domain: bool = False) -> Confidence:
        """Apply the confidence rule (see MIN_COVERAGE and MIN_STRENGTH) to the best hit."""
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
        # Re-ranking (document prior, FAQ, money limits) may put a passage first whose own
        # BM25 is below a close runner-up's from the same policy; the evidence that the
        # policy answers is the best of its cited passages.
        best = max(hit.bm25 for hit in hits[:answers.CITATIONS]
                   if hit.passage.document == hits[0].passage.document)
        strength = best / ideal if ideal else 0.0
        needed = MIN_STRENGTH_IN_DOMAIN if in_domain else MIN_STRENGTH
        known = sum(self._known(term, query) for term in query.own) / len(query.own)
        answered = coverage >= MIN_COVERAGE and strength >= needed and known >= MIN_KNOWN
        return Confidence(round(coverage, 3), round(strength, 3), answered)


def amounts(question: str) -> tuple[float, ...]:
    """The sums of money a question names: "£15", "£7.50", "60 quid", "40 pounds"."""
    return tuple(float(first or second)
                 for first, second in _QUESTION_AMOUNT.findall(fold(question)))


def _within(amount: float, limits: list[tuple[str, float]]) -> bool:
    """Whether `amount` satisfies every limit a heading states."""
    for comparison, limit in limits:
        if comparison == "up to":
            if amount > limit:
                return False
        elif comparison in _BELOW:
            if amount >= limit:
                return False
        elif comparison in ("above", "over", "more than", "exceeding"):
            if amount <= limit:
                return False
        elif amount < limit:  # at or above, at least
            return False
    return True


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
