"""Compare ranking alternatives on every corpus's TUNE split in one run (issue 18).

Not part of the product: a measuring script. It never reads held_out questions: every corpus
is narrowed to split 'tune' (the bundled set, which has no held-out part, counts as tune)
before any question is asked. Each alternative ranks passages; the first three distinct
sections are scored with the evaluation's own Target.matches (so the answer rule does not
enter: a declined question still counts by its ranking).

    .venv/bin/python tools/experiments/rank_compare.py [--only NAME,...]
"""

from __future__ import annotations

import argparse
import contextlib
import math
from collections import Counter
from collections.abc import Callable, Iterator

import numpy as np
from rank_bm25 import BM25Okapi

from bot.config import Settings
from bot.knowledge import engine as engine_module
from bot.knowledge import vocabulary as vocabulary_module
from bot.knowledge.answer import ScoredPassage, cite
from bot.knowledge.engine import Knowledge, _distinct_sections
from bot.knowledge.evaluation import Corpus, all_corpora, knowledge_for
from bot.knowledge.index import SearchIndex, passage_terms
from bot.knowledge.text import terms, unstemmed_terms
from bot.knowledge.vocabulary import Vocabulary

PER_SECTION = 0
Ranker = Callable[[Knowledge, str], np.ndarray]


def top_numbers(scores: np.ndarray, limit: int = 20) -> list[int]:
    candidates = np.flatnonzero(scores > 0)
    order = np.lexsort((candidates, -scores[candidates]))[:limit]
    return [int(candidates[i]) for i in order]


def score_corpus(knowledge: Knowledge, corpus: Corpus, rank: Ranker) -> tuple[float, float]:
    hits = 0
    reciprocal = 0.0
    passages = knowledge.index.passages
    for question in corpus.questions:
        scores = rank(knowledge, question.question).copy()
        scores[knowledge._route_numbers()] = 0.0
        found = _distinct_sections([ScoredPassage(passages[n], float(scores[n]))
                                    for n in top_numbers(scores)])
        if PER_SECTION:
            kept, seen = [], Counter()
            for hit in found:
                key = (hit.passage.document, hit.passage.headings)
                if seen[key] < PER_SECTION:
                    kept.append(hit)
                    seen[key] += 1
            found = kept
        found = found[:3]
        for position, hit in enumerate(found, start=1):
            if any(t.matches(cite(hit)) for t in question.targets):
                hits += 1
                reciprocal += 1 / position
                break
    n = max(len(corpus.questions), 1)
    return hits / n, reciprocal / n


# Alternatives --------------------------------------------------------------------------

def probity(knowledge: Knowledge, question: str) -> np.ndarray:
    scores, _ = knowledge._scores(knowledge.query_terms(question))
    return scores


def plain_body(knowledge: Knowledge, question: str) -> np.ndarray:
    """Probity's body index (rank-bm25 statistics, Lucene IDF) with the question's own terms."""
    return knowledge.fields.body.scores(dict.fromkeys(terms(question), 1.0))


_extra: dict[tuple[int, str], object] = {}


def _cached(knowledge: Knowledge, name: str, build: Callable[[], object]) -> object:
    key = (id(knowledge), name)
    if key not in _extra:
        _extra[key] = build()
    return _extra[key]


def rank_bm25_okapi(knowledge: Knowledge, question: str) -> np.ndarray:
    model = _cached(knowledge, "okapi", lambda: BM25Okapi(
        [passage_terms(p) or ["\0"] for p in knowledge.index.passages]))
    return np.asarray(model.get_scores(terms(question)))  # type: ignore[attr-defined]


def bm25s_same(knowledge: Knowledge, question: str) -> np.ndarray:
    import bm25s

    def build() -> object:
        model = bm25s.BM25()
        model.index([passage_terms(p) or ["\0"] for p in knowledge.index.passages],
                    show_progress=False)
        return model
    model = _cached(knowledge, "bm25s", build)
    query = [t for t in terms(question)]
    return np.asarray(model.get_scores(query))  # type: ignore[attr-defined]


def text_only_index(knowledge: Knowledge) -> SearchIndex:
    return _cached(knowledge, "text", lambda: SearchIndex.build(  # type: ignore[return-value]
        knowledge.index.passages, [terms(p.text) for p in knowledge.index.passages]))


def bm25_text_only(knowledge: Knowledge, question: str) -> np.ndarray:
    return text_only_index(knowledge).scores(dict.fromkeys(terms(question), 1.0))


def bm25f(weight: float) -> Ranker:
    def rank(knowledge: Knowledge, question: str) -> np.ndarray:
        query = dict.fromkeys(terms(question), 1.0)
        return (text_only_index(knowledge).scores(query)
                + weight * knowledge.fields.headings.scores(query))
    return rank


def rrf(*rankers: Ranker, k: float = 60.0) -> Ranker:
    def rank(knowledge: Knowledge, question: str) -> np.ndarray:
        fused = np.zeros(len(knowledge.index))
        for ranker in rankers:
            scores = ranker(knowledge, question)
            order = top_numbers(scores, 100)
            fused[order] += 1.0 / (k + 1 + np.arange(len(order)))
        return fused
    return rank


def exact_only(knowledge: Knowledge, question: str) -> np.ndarray:
    return knowledge.fields.exact.scores(dict.fromkeys(unstemmed_terms(question), 1.0))


def stemmed_plus_exact(weight: float) -> Ranker:
    def rank(knowledge: Knowledge, question: str) -> np.ndarray:
        return plain_body(knowledge, question) + weight * exact_only(knowledge, question)
    return rank


def _passage_term_counts(knowledge: Knowledge) -> list[Counter[str]]:
    return _cached(knowledge, "counts", lambda: [  # type: ignore[return-value]
        Counter(passage_terms(p)) for p in knowledge.index.passages])


def rm3(base: Ranker, weighted_query: Callable[[Knowledge, str], dict[str, float]],
        documents: int = 3, expansion: int = 10, mix: float = 0.3) -> Ranker:
    """RM3: a relevance model from the top passages, interpolated with the query."""
    def rank(knowledge: Knowledge, question: str) -> np.ndarray:
        first = base(knowledge, question)
        top = top_numbers(first, documents)
        if not top:
            return first
        counts = _passage_term_counts(knowledge)
        weights = np.asarray([first[n] for n in top])
        weights = weights / weights.sum()
        model: Counter[str] = Counter()
        for w, n in zip(weights, top, strict=True):
            total = sum(counts[n].values()) or 1
            for term, c in counts[n].items():
                model[term] += w * c / total
        query = weighted_query(knowledge, question)
        total_q = sum(query.values())
        new = {t: (1 - mix) * v / total_q for t, v in query.items()}
        chosen = model.most_common(expansion)
        norm = sum(v for _, v in chosen) or 1
        for term, v in chosen:
            new[term] = new.get(term, 0.0) + mix * v / norm
        scale = total_q  # keep the query's magnitude
        second = {t: v * scale for t, v in new.items()}
        if base is probity:
            return probity_with_weights(knowledge, question, second)
        return knowledge.fields.body.scores(second)
    return rank


def probity_with_weights(knowledge: Knowledge, question: str,
                         weights: dict[str, float]) -> np.ndarray:
    from dataclasses import replace
    query = knowledge.query_terms(question)
    scores, _ = knowledge._scores(replace(query, weights=weights))
    return scores


def own_query(knowledge: Knowledge, question: str) -> dict[str, float]:
    return dict.fromkeys(terms(question), 1.0)


def probity_query(knowledge: Knowledge, question: str) -> dict[str, float]:
    return dict(knowledge.query_terms(question).weights)


@contextlib.contextmanager
def patched(**constants: float) -> Iterator[None]:
    saved = {name: getattr(engine_module, name) for name in constants}
    for name, value in constants.items():
        setattr(engine_module, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(engine_module, name, value)


def ablation(**constants: float) -> Ranker:
    def rank(knowledge: Knowledge, question: str) -> np.ndarray:
        with patched(**constants):
            return probity(knowledge, question)
    return rank


def without_vocabulary(knowledge: Knowledge, question: str) -> np.ndarray:
    saved = knowledge.vocabulary
    knowledge.vocabulary = Vocabulary()
    try:
        return probity(knowledge, question)
    finally:
        knowledge.vocabulary = saved


def without_prohibition(knowledge: Knowledge, question: str) -> np.ndarray:
    saved = vocabulary_module.PROHIBITION_CUES
    vocabulary_module.PROHIBITION_CUES = frozenset()
    try:
        return probity(knowledge, question)
    finally:
        vocabulary_module.PROHIBITION_CUES = saved


def without_faq(knowledge: Knowledge, question: str) -> np.ndarray:
    saved = knowledge.faq
    knowledge.faq = ()
    try:
        return probity(knowledge, question)
    finally:
        knowledge.faq = saved


ALTERNATIVES: dict[str, Ranker] = {
    "probity (current)": probity,
    "plain BM25, Probity's body index": plain_body,
    "rank-bm25 BM25Okapi (Okapi IDF)": rank_bm25_okapi,
    "bm25s (same tokens)": bm25s_same,
    "BM25 text only (no heading terms)": bm25_text_only,
    "BM25F text + 0.5 heading": bm25f(0.5),
    "BM25F text + 1.0 heading": bm25f(1.0),
    "BM25F text + 2.0 heading": bm25f(2.0),
    "BM25 stemmed + 0.3 unstemmed": stemmed_plus_exact(0.3),
    "BM25 stemmed + 1.0 unstemmed": stemmed_plus_exact(1.0),
    "RRF(stemmed, unstemmed)": rrf(plain_body, exact_only),
    "BM25 + RM3 (3 docs, 10 terms, 0.3)": rm3(plain_body, own_query),
    "probity + RM3 (3 docs, 10 terms, 0.3)": rm3(probity, probity_query),
    "probity - document prior": ablation(DOCUMENT_PRIOR=0.0),
    "probity - heading field": ablation(HEADING_WEIGHT=0.0),
    "probity - FAQ field": ablation(FAQ_FIELD_WEIGHT=0.0),
    "probity - FAQ (field and boost)": without_faq,
    "probity - exact-word field": ablation(EXACT_WEIGHT=0.0),
    "probity - limit boost": ablation(LIMIT_BOOST=1.0),
    "probity - amount boost": ablation(AMOUNT_BOOST=1.0),
    "probity - vocabulary": without_vocabulary,
    "probity - prohibition cue": without_prohibition,
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="")
    parser.add_argument("--per-section", type=int, default=0)
    args = parser.parse_args()
    global PER_SECTION
    PER_SECTION = args.per_section
    settings = Settings.from_env() if hasattr(Settings, "from_env") else Settings()
    corpora = [c if c.documents is None else c.split("tune") for c in all_corpora()]
    loaded = [(c, knowledge_for(c, settings)) for c in corpora]
    wanted = [name for name in ALTERNATIVES
              if not args.only or any(part in name for part in args.only.split(","))]
    header = " | ".join(f"{c.name} ({len(c.questions)})" for c, _ in loaded)
    print(f"| alternative | {header} | mean of real corpora |")
    for name in wanted:
        cells = []
        real = []
        for corpus, knowledge in loaded:
            hit, mrr = score_corpus(knowledge, corpus, ALTERNATIVES[name])
            cells.append(f"{hit:.3f} / {mrr:.3f}")
            if corpus.documents is not None:
                real.append((hit + mrr) / 2)
        mean = sum(real) / len(real) if real else math.nan
        print(f"| {name} | {' | '.join(cells)} | {mean:.3f} |", flush=True)



def _bigrams(sequence: list[str]) -> set[tuple[str, str]]:
    return set(zip(sequence, sequence[1:], strict=False))


def _passage_bigrams(knowledge: Knowledge) -> list[set[tuple[str, str]]]:
    return _cached(knowledge, "bigrams", lambda: [  # type: ignore[return-value]
        _bigrams(terms(p.section)) | _bigrams(terms(p.text)) for p in knowledge.index.passages])


def phrase_bonus(weight: float, candidates: int = 30, base: Ranker = probity) -> Ranker:
    """Re-rank the first `candidates` by the share of the question's adjacent term pairs the
    passage holds adjacent too (stop words removed on both sides)."""
    def rank(knowledge: Knowledge, question: str) -> np.ndarray:
        scores = base(knowledge, question).copy()
        wanted = _bigrams(terms(question))
        if not wanted:
            return scores
        grams = _passage_bigrams(knowledge)
        for n in top_numbers(scores, candidates):
            scores[n] *= 1 + weight * len(wanted & grams[n]) / len(wanted)
        return scores
    return rank


MORE: dict[str, Ranker] = {
    "probity heading 0.1": ablation(HEADING_WEIGHT=0.1),
    "probity heading 0.15": ablation(HEADING_WEIGHT=0.15),
    "probity exact 0.5": ablation(EXACT_WEIGHT=0.5),
    "probity exact 0.2": ablation(EXACT_WEIGHT=0.2),
    "probity prior 1.0": ablation(DOCUMENT_PRIOR=1.0),
    "probity prior 2.0": ablation(DOCUMENT_PRIOR=2.0),
    "probity + phrase 0.25": phrase_bonus(0.25),
    "probity + phrase 0.5": phrase_bonus(0.5),
    "probity + phrase 1.0": phrase_bonus(1.0),
    "BM25 + phrase 0.5": phrase_bonus(0.5, base=plain_body),
}
ALTERNATIVES.update(MORE)



# The duration boost was measured here first as a re-ranker over probity's scores; it is
# now in the engine (DURATION_BOOST), so its line is the ablation.
ALTERNATIVES["probity - duration boost"] = ablation(DURATION_BOOST=1.0)


if __name__ == "__main__":
    main()
