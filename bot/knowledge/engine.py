"""Knowledge: the policies, indexed and ready to answer questions; the one object callers use."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bot.config import Settings
from bot.knowledge import answer as answers
from bot.knowledge.answer import Answer, Confidence, ScoredPassage
from bot.knowledge.answer_rule import AnswerRule, Evidence
from bot.knowledge.cache import content_key, load_or_build
from bot.knowledge.chunking import Passage, chunk
from bot.knowledge.contacts import Contact, ContactBook
from bot.knowledge.faq import FaqEntry, load_faq
from bot.knowledge.fields import PolicyIndex, heading_terms, section_key
from bot.knowledge.index import K1, B, SearchIndex, passage_terms, ranked
from bot.knowledge.loaders import load_folder, policy_files
from bot.knowledge.scope import Route, load_routes
from bot.knowledge.text import fold, stem, unstemmed_terms
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
#: Each passage is scaled by 1 + DOCUMENT_PRIOR x (its document's best score / the best
#: document's): staff questions often carry incidental words that pull single passages from
#: the wrong policy, and the sections of the policy that matches best follow its best one.
#: (Summing each document's two best passages, as before, favoured whichever pages of a
#: folder of short pages happened to have two.)
DOCUMENT_PRIOR = 1.5
#: A question this close to an FAQ entry's (IDF-weighted overlap of terms) lifts the entry's
#: target section; the FAQ only re-ranks, the answer still comes from the policy text.
FAQ_SIMILARITY = 0.5
#: How much a match in the deepest heading or title adds, relative to the passage text.
HEADING_WEIGHT = 0.25
#: How much a match in the FAQ questions written for a section adds.
FAQ_FIELD_WEIGHT = 0.5

FAQ_BOOST = 1.5
#: A section whose heading sets a money limit ("Gifts below £25", "Offers at or above £25")
#: that a sum in the question falls on the right side of gets this much more: "a £15 bunch
#: of flowers" is asking exactly what that heading decides, though no word says "below".
AMOUNT_BOOST = 2.0

#: A question about a limit ("what's the limit", "how much can", "maximum value") is
#: answered by a rule that states an amount, whether or not it says "limit": passages with
#: a sum of money get this much more.
LIMIT_BOOST = 1.5
#: Exact (unstemmed) word matches add this share of their BM25 in a field of unstemmed words:
#: where two topics share a stem ("leaving do" and "annual leave"), the passage using the
#: person's own word form wins the tie.
EXACT_WEIGHT = 0.3
#: A question about a length of time ("how long have I got", "what's the deadline", "is
#: there a waiting period") is answered by a rule that states one ("within 28 days",
#: "twelve months"): passages stating a duration get this much more (the limit boost's
#: factor, not tuned). Measured on the tune splits: bundled MRR 0.764 -> 0.767,
#: public-policies hit@3 0.667 -> 0.684, inspection-reports unchanged.
DURATION_BOOST = 1.5

_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}(?:'s)?\b")
_CURLY = str.maketrans({"\u2019": "'"})
#: How a question asks for an amount rather than naming one.
_LIMIT_QUESTION = re.compile(
    r"\b(limits?|threshold|maximum|max|cap|ceiling|how\s+much|how\s+many\s+pounds|"
    r"value|worth|upper|lower|minimum|over\s+what|under\s+what|at\s+what)\b")
#: How a question asks for a length of time rather than naming one.
_DURATION_QUESTION = re.compile(
    r"\b(how\s+long|how\s+soon|how\s+quickly|deadline|time\s+limit|time\s+bar|"
    r"waiting\s+period|how\s+many\s+(?:days|weeks|months|years|hours)|by\s+when|when\s+by)\b")
_QUESTION_AMOUNT = re.compile(r"£\s*(\d+(?:\.\d+)?)|\b(\d+(?:\.\d+)?)\s*(?:quid|pounds?|gbp)\b")


@dataclass
class Knowledge:
    """Indexed policies plus the curated vocabulary, contacts and FAQ that steer answers."""

    fields: PolicyIndex
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
        faq = load_faq(knowledge_dir / "faq.yaml")
        cache_dir = settings.home / "index" if use_cache else None

        def build() -> tuple[PolicyIndex, list[str]]:
            documents, problems = load_folder(folder, skipped=skip_list)
            # Routes share the index (and so the IDF scale) with the policy passages, so
            # their scores compare directly with the policies' for the same question.
            passages = chunk(documents) + [route.passage() for route in routes]
            return PolicyIndex.build(passages, faq), problems

        from bot.knowledge.cache import SkipList

        skip_list = SkipList(cache_dir)
        fields, problems, from_cache = load_or_build(cache_dir, key, build)
        if not folder.is_dir():
            log.warning("The policies folder %s does not exist; nothing can be answered", folder)
        return cls(
            fields=fields,
            vocabulary=Vocabulary.load(knowledge_dir / "vocabulary.yaml"),
            contacts=ContactBook.load(knowledge_dir / "contacts.yaml"),
            faq=faq,
            problems=problems,
            policies_dir=folder,
            from_cache=from_cache,
            routes=routes,
        )

    @classmethod
    def from_passages(cls, passages: list[Passage], settings: Settings,
                      body_tokens: list[list[str]] | None = None) -> Knowledge:
        """Knowledge over given passages with the configured vocabulary, contacts, FAQ and
        routes (the benchmark's generated corpora)."""
        knowledge_dir = Path(settings.knowledge_dir)
        routes = load_routes(knowledge_dir / "out_of_scope.yaml")
        faq = load_faq(knowledge_dir / "faq.yaml")
        route_passages = [route.passage() for route in routes]
        if body_tokens is not None:
            body_tokens = body_tokens + [passage_terms(p) for p in route_passages]
        return cls(
            fields=PolicyIndex.build(passages + route_passages, faq, body_tokens),
            vocabulary=Vocabulary.load(knowledge_dir / "vocabulary.yaml"),
            contacts=ContactBook.load(knowledge_dir / "contacts.yaml"),
            faq=faq, problems=[], policies_dir=Path(settings.policies_dir), routes=routes)

    @property
    def index(self) -> SearchIndex:
        """The body index (passage text, headings and title)."""
        return self.fields.body

    # Searching ------------------------------------------------------------------------

    def query_terms(self, question: str) -> QueryTerms:
        query = self.vocabulary.query_terms(question)
        exact = dict.fromkeys(unstemmed_terms(question), 1.0)
        names = self._names(question, query)
        folded = fold(question)
        return replace(query, amounts=amounts(question), exact=exact,
                       own=tuple(term for term in query.own if term not in names),
                       limit_question=bool(_LIMIT_QUESTION.search(folded)),
                       duration_question=bool(_DURATION_QUESTION.search(folded)))

    def _names(self, question: str, query: QueryTerms) -> set[str]:
        """Terms of capitalised words the documents never use: the name of a shop, a person,
        a place or a firm ("Costa gave me a coffee", "family in Iran"). No policy can list
        every name, so they do not count against the question when judging whether the
        documents answer it (they still search, in case a document does name them)."""
        found = set()
        for word in _CAPITALISED.findall(question.translate(_CURLY)):
            term = stem(word.lower())
            if self.index.idf_of(term) is None and not query.alternatives.get(term):
                found.add(term)
        return found

    def search(self, query: str, limit: int = 10) -> list[ScoredPassage]:
        """The best passages for `query`, best first, with vocabulary expansion and FAQ boost."""
        return self._search(self.query_terms(query), limit)

    def _search(self, query: QueryTerms, limit: int) -> list[ScoredPassage]:
        scores, plain = self._scores(query)
        return [ScoredPassage(self.index.passages[number], score, float(plain[number]))
                for number, score in ranked(scores, limit)]

    def _scores(self, query: QueryTerms) -> tuple[np.ndarray, np.ndarray]:
        """(re-ranked scores of policy passages only, plain BM25 of every passage).

        Every step is a vectorised pass over the passages that match at least one term, so
        the cost of a question grows with the corpus no faster than the postings it reads.
        """
        scores, plain = self._first_pass(query)
        scores[self._route_numbers()] = 0.0
        self._boost_faq_targets(query, scores)
        self._boost_amount_limits(query, scores)
        self._apply_document_prior(scores)
        return scores, plain

    def _first_pass(self, query: QueryTerms) -> tuple[np.ndarray, np.ndarray]:
        fields = self.fields
        plain = fields.body.scores(query.weights)
        scores = plain + HEADING_WEIGHT * fields.headings.scores(query.weights)
        if FAQ_FIELD_WEIGHT and self.faq:
            scores += FAQ_FIELD_WEIGHT * fields.faq.scores(query.weights)
        if EXACT_WEIGHT and query.exact:
            scores += EXACT_WEIGHT * fields.exact.scores(query.exact)
        if query.limit_question:
            scores[fields.states_amount] *= LIMIT_BOOST
        if query.duration_question:
            scores[fields.states_duration] *= DURATION_BOOST
        return scores, plain

    def _boost_amount_limits(self, query: QueryTerms, scores: np.ndarray) -> None:
        """Lift sections whose heading's money limit the question's sum falls within."""
        if not query.amounts:
            return
        numbers, kinds, limits = self._limit_arrays()
        if not numbers.size:
            return
        for amount in query.amounts:
            failed = ~_satisfies(amount, kinds, limits)
            # A heading's limits must all hold: "over £25 and up to £100".
            bad = np.zeros(len(scores), dtype=bool)
            bad[numbers[failed]] = True
            lifted = np.unique(numbers[~failed])
            lifted = lifted[~bad[lifted] & (scores[lifted] > 0)]
            scores[lifted] *= AMOUNT_BOOST

    def _limit_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The heading limits as parallel arrays (passage, comparison code, £ limit)."""
        if getattr(self, "_limit_cache", None) is None:
            rows = [(number, _COMPARISONS[comparison], limit)
                    for number, pairs in self.fields.heading_limits.items()
                    for comparison, limit in pairs]
            self._limit_cache = (np.asarray([r[0] for r in rows], dtype=np.int64),
                                 np.asarray([r[1] for r in rows], dtype=np.int64),
                                 np.asarray([r[2] for r in rows], dtype=np.float64))
        return self._limit_cache

    def _route_numbers(self) -> np.ndarray:
        if getattr(self, "_route_cache", None) is None:
            self._route_cache = np.flatnonzero(self.fields.route_mask)
        return self._route_cache

    def _winning_route(self, plain: np.ndarray, margin: float) -> Route | None:
        """The out-of-scope route scoring at least `margin` times the best policy passage."""
        numbers = self._route_numbers()
        if not numbers.size:
            return None
        route_scores = plain[numbers]
        best = int(numbers[int(np.argmax(route_scores))])
        saved = plain[numbers].copy()
        plain[numbers] = 0.0
        policy_best = float(plain.max()) if plain.size else 0.0
        plain[numbers] = saved
        if plain[best] <= 0 or plain[best] < margin * policy_best:
            return None
        topic = self.index.passages[best].title
        return next((route for route in self.routes if route.topic == topic), None)

    def _apply_document_prior(self, scores: np.ndarray) -> None:
        """Scale each passage by how well its whole document matches (its best passage).

        No sort per question: the passages are grouped by document once (cached), and each
        question takes every document's best score with one reduceat over that grouping,
        so the prior costs a few linear passes over the score array.
        """
        order, starts, documents = self._document_groups()
        if not starts.size:
            return
        strengths = np.zeros(int(self.fields.document_of.max()) + 1)
        strengths[documents] = np.maximum.reduceat(scores[order], starts)
        top = strengths.max()
        if top <= 0:
            return
        scores *= 1.0 + DOCUMENT_PRIOR * strengths[self.fields.document_of] / top

    def _document_groups(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(passage numbers grouped by document, where each group starts, its document)."""
        if getattr(self, "_groups_cache", None) is None:
            document_of = self.fields.document_of
            order = np.argsort(document_of, kind="stable")
            grouped = document_of[order]
            starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]]) if len(
                grouped) else np.zeros(0, dtype=np.int64)
            self._groups_cache = (order, starts, grouped[starts])
        return self._groups_cache

    def _section_passages(self) -> dict[str, np.ndarray]:
        """Section key -> the passage numbers of that section (FAQ targets)."""
        if getattr(self, "_sections_cache", None) is None:
            section_of = self.fields.section_of
            order = np.argsort(section_of, kind="stable")
            count = len(self.fields.section_keys)
            bounds = np.searchsorted(section_of[order], np.arange(count + 1))
            self._sections_cache = {
                key: order[bounds[number]:bounds[number + 1]]
                for number, key in enumerate(self.fields.section_keys)}
        return self._sections_cache

    def _boost_faq_targets(self, query: QueryTerms, scores: np.ndarray) -> None:
        if not query.own or not self.faq:
            return
        sections = self._section_passages()
        for entry, similarity in zip(self.faq, self._faq_similarities(query), strict=True):
            if similarity < FAQ_SIMILARITY:
                continue
            numbers = sections.get(section_key(entry.document, entry.section))
            if numbers is not None:
                scores[numbers] *= FAQ_BOOST

    def _faq_similarities(self, query: QueryTerms) -> list[float]:
        """IDF-weighted overlap (shared / union) of the question's own terms with each FAQ
        question's, computed once per question (the boost and the answer rule both use it)."""
        own = frozenset(query.own)
        cached = getattr(self, "_faq_memo", None)
        if cached is not None and cached[0] == own:
            return list(cached[1])
        if getattr(self, "_faq_idf", None) is None:
            self._faq_idf = [sum(self._idf(term) for term in entry.terms) for entry in self.faq]
        first = sum(self._idf(term) for term in own)
        found = []
        for entry, entry_idf in zip(self.faq, self._faq_idf, strict=True):
            shared = sum(self._idf(term) for term in own & entry.terms)
            union = first + entry_idf - shared
            found.append(shared / union if union else 0.0)
        self._faq_memo = (own, found)
        return found

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
        contact = self.contacts.for_question(question)
        in_domain = self._in_domain(query, contact)
        rule = self.rule()
        if rule is not None and hits and query.own:
            evidence = self.evidence(query, hits, plain, in_domain)
            probability = rule.probability(evidence)
            # The nonsense floor stays a hard rule: a question most of whose words no
            # document uses is not one the documents answer, whatever else matches.
            answered = probability >= rule.threshold and evidence.known >= MIN_KNOWN
            confidence = Confidence(round(evidence.coverage, 3),
                                    round(math.expm1(evidence.strength), 3), answered,
                                    round(probability, 3))
        else:
            confidence = self.confidence(query, hits, in_domain)
            if confidence.answered and confidence.strength < WEAK_STRENGTH:
                route = self._winning_route(plain, ROUTE_TIE_MARGIN)
                if route is not None:
                    confidence = Confidence(confidence.coverage, confidence.strength, False)
        if not confidence.answered:
            if route is None:
                route = self._winning_route(plain, ROUTE_TIE_MARGIN)
            contact = route.contact if route is not None else self.contacts.to_ask(question)
            return answers.not_covered(question, contact, confidence)
        idf = {term: self._idf(term) for term in query.weights}
        return answers.covered(question, hits, query, idf, contact,
                               confidence)

    def evidence_for(self, question: str, routed: bool = False) -> Evidence | None:
        """The answer rule's features for `question`, or None where the rule is not asked
        (no passage matches, no search terms, or, unless `routed`, an out-of-scope route
        wins outright)."""
        query = self.query_terms(question.strip())
        scores, plain = self._scores(query)
        hits = _distinct_sections([
            ScoredPassage(self.index.passages[number], score, float(plain[number]))
            for number, score in ranked(scores, 10)])
        if not hits or not query.own:
            return None
        if not routed and self._winning_route(plain, ROUTE_MARGIN) is not None:
            return None
        return self.evidence(query, hits, plain,
                             self._in_domain(query, self.contacts.for_question(question)))

    def rule(self) -> AnswerRule | None:
        """The fitted answer rule (answer_rule.json), or None to use the fixed floors."""
        if not hasattr(self, "_rule"):
            try:
                self._rule: AnswerRule | None = AnswerRule.load()
            except (OSError, ValueError, KeyError) as error:
                log.warning("Using the fixed answer floors: the fitted rule is unreadable (%s)",
                            error)
                self._rule = None
        return self._rule

    def evidence(self, query: QueryTerms, hits: list[ScoredPassage], plain: np.ndarray,
                 in_domain: bool) -> Evidence:
        """The answer rule's features for a question's ranked passages (see Evidence)."""
        best = hits[0]
        present = set(passage_terms(best.passage))
        heading = set(heading_terms(best.passage))
        total = covered = rarest = in_heading = 0.0
        for term in query.own:
            weight = self._idf(term)
            total += weight
            if term in present or present & query.alternatives.get(term, frozenset()):
                covered += weight
                rarest = max(rarest, weight)
            if term in heading or heading & query.alternatives.get(term, frozenset()):
                in_heading += weight
        ideal = sum(self._idf(term) * (K1 + 1) / (1 + K1 * (1 - B + B)) for term in query.own)
        same = [hit for hit in hits[:answers.CITATIONS]
                if hit.passage.document == best.passage.document]
        strength = max(hit.bm25 for hit in same) / ideal if ideal else 0.0
        runner_up = hits[1].score if len(hits) > 1 else 0.0
        numbers = self._route_numbers()
        route_best = float(plain[numbers].max()) if numbers.size else 0.0
        policy_best = max((hit.bm25 for hit in hits), default=0.0)
        return Evidence(
            coverage=covered / total if total else 0.0,
            strength=math.log1p(strength),
            known=sum(self._known(term, query) for term in query.own) / len(query.own),
            margin=math.log((best.score + 1e-9) / (runner_up + 1e-9))
            if len(hits) >= answers.CITATIONS else math.nan,
            agreement=len(same) / answers.CITATIONS
            if len(hits) >= answers.CITATIONS else math.nan,
            route_ratio=min(route_best / policy_best, 3.0) if policy_best else 3.0,
            in_domain=float(in_domain),
            question_terms=math.log1p(len(query.own)),
            floors=float(self.confidence(query, hits, in_domain).answered),
            heading_coverage=in_heading / total if total else 0.0,
            faq_similarity=max(self._faq_similarities(query), default=0.0),
            rarest_covered=rarest / self.index.unseen_idf() if len(self.index) else 0.0)

    def _known(self, term: str, query: QueryTerms) -> bool:
        """Whether the policies use this question word, or a policy term the vocabulary gives
        for it ("journo" is known through "journalist")."""
        return self.index.idf_of(term) is not None or any(
            self.index.idf_of(other) is not None
            for other in query.alternatives.get(term, frozenset()))

    def _in_domain(self, query: QueryTerms, contact: Contact | None) -> bool:
        """Whether the question uses the organisation's vocabulary, or a contact topic's
        words (`contact`: the topic contact found for it, if any)."""
        return len(query.weights) > len(query.own) or contact is not None

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


#: What a heading's comparison means (fields.py reads it from the words file), coded for
#: vectorised checks: below (strict), up to, above (strict), at least.
_COMPARISONS = {"below": 0, "up_to": 1, "above": 2, "at_least": 3}


def _satisfies(amount: float, kinds: np.ndarray, limits: np.ndarray) -> np.ndarray:
    """Whether `amount` meets each (comparison code, limit) pair."""
    return np.select([kinds == 0, kinds == 1, kinds == 2],
                     [amount < limits, amount <= limits, amount > limits], amount >= limits)


def _distinct_sections(hits: list[ScoredPassage]) -> list[ScoredPassage]:
    """Keep one passage per (document, section, text): a passage repeated word for word (a
    window overlap, a duplicated page) cites once. Windows of one long section stay apart,
    since each holds different rules under the same heading."""
    seen: set[tuple[str, tuple[str, ...], str]] = set()
    kept = []
    for hit in hits:
        key = (hit.passage.document, hit.passage.headings, hit.passage.text)
        if key not in seen:
            seen.add(key)
            kept.append(hit)
    return kept
