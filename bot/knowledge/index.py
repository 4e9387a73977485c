"""The search index: rank-bm25's statistics plus an inverted index, so a query scores only the
passages that contain one of its terms."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

from bot.knowledge.chunking import Passage
from bot.knowledge.text import terms

#: BM25's usual constants: k1 saturates repeated words, b scales for passage length.
K1 = 1.5
B = 0.75
#: The deepest heading says what a section is about in a few chosen words, so its terms count
#: twice; parent headings and the document title once (they are shared by many passages).
HEADING_REPEAT = 2


def passage_terms(passage: Passage) -> list[str]:
    """What is indexed for a passage: its text, its headings (the deepest twice) and title."""
    indexed = terms(passage.text)
    if passage.headings:
        indexed += terms(passage.headings[-1]) * HEADING_REPEAT
        for parent in passage.headings[:-1]:
            indexed += terms(parent)
    indexed += terms(passage.title)
    return indexed


class NonNegativeBM25(BM25Okapi):  # type: ignore[misc]  # rank-bm25 is untyped
    """rank-bm25's Okapi BM25 with an IDF that can never be zero or negative.

    Okapi's IDF, log((N - n + 0.5) / (n + 0.5)), is zero for a term in exactly half the
    passages and negative above that. On a small policy folder that is a real trap: a word
    like "gift" in most of a three-document corpus would *lower* a passage's score, and
    rank-bm25's epsilon floor only replaces negative values (a term in exactly half stays at
    zero) and is itself negative when the average IDF is. Lucene's form,
    log(1 + (N - n + 0.5) / (n + 0.5)), keeps the same ordering of rare over common terms and
    is always above zero, so every matched term adds something.
    """

    def _calc_idf(self, nd: Mapping[str, int]) -> None:
        for word, freq in nd.items():
            self.idf[word] = math.log(1.0 + (self.corpus_size - freq + 0.5) / (freq + 0.5))
        self.average_idf = sum(self.idf.values()) / max(len(self.idf), 1)


class SearchIndex:
    """Passages with an inverted index: term -> (passage numbers, BM25 impact in each).

    Scores equal NonNegativeBM25.get_scores for the same terms, but a query touches only
    the postings of its own terms instead of every passage, which is what keeps a query on
    50,000 passages in the low milliseconds.
    """

    def __init__(self, passages: Sequence[Passage], term_list: Sequence[str],
                 idf: np.ndarray, offsets: np.ndarray, doc_ids: np.ndarray,
                 frequencies: np.ndarray, doc_len: np.ndarray, avgdl: float,
                 impacts: np.ndarray | None = None) -> None:
        self.passages = list(passages)
        self.term_list = list(term_list)
        self.idf = idf
        self.offsets = offsets
        self.doc_ids = doc_ids
        self.frequencies = frequencies
        self.doc_len = doc_len
        self.avgdl = avgdl
        self.term_ids = {term: number for number, term in enumerate(self.term_list)}
        if impacts is not None:
            self.impacts = impacts
            return
        # Precompute each posting's contribution, in the same order of operations as
        # rank-bm25's get_scores so the floating-point results are identical.
        tf = frequencies.astype(np.float64)
        lengths = doc_len[doc_ids].astype(np.float64)
        per_posting_idf = np.repeat(idf, np.diff(offsets))
        self.impacts = per_posting_idf * (tf * (K1 + 1) / (tf + K1 * (1 - B + B * lengths / avgdl)))

    @classmethod
    def build(cls, passages: Sequence[Passage],
              tokens: Sequence[Sequence[str]] | None = None) -> SearchIndex:
        """Index passages (their indexed terms computed here unless `tokens` are given)."""
        if tokens is None:
            tokens = [passage_terms(passage) for passage in passages]
        if not passages:
            empty = np.zeros(0)
            return cls([], [], empty, np.zeros(1, dtype=np.int64),
                       np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32), empty, 1.0)
        # Documents with no terms at all would make rank-bm25 divide by zero in avgdl only
        # if all were empty; it copes with some empty ones.
        bm25 = NonNegativeBM25(tokens, k1=K1, b=B)
        return cls.from_bm25(passages, bm25)

    @classmethod
    def from_bm25(cls, passages: Sequence[Passage], bm25: BM25Okapi) -> SearchIndex:
        """Build the inverted index from a rank-bm25 model's per-passage term counts and IDF."""
        term_list = sorted(bm25.idf)
        term_ids = {term: number for number, term in enumerate(term_list)}
        postings_term: list[int] = []
        postings_doc: list[int] = []
        postings_tf: list[int] = []
        for doc_number, counts in enumerate(bm25.doc_freqs):
            for term, count in counts.items():
                postings_term.append(term_ids[term])
                postings_doc.append(doc_number)
                postings_tf.append(count)
        term_array = np.asarray(postings_term, dtype=np.int32)
        # A stable sort by term keeps each term's postings in passage order.
        order = np.argsort(term_array, kind="stable")
        doc_ids = np.asarray(postings_doc, dtype=np.int32)[order]
        frequencies = np.asarray(postings_tf, dtype=np.int32)[order]
        offsets = np.zeros(len(term_list) + 1, dtype=np.int64)
        np.cumsum(np.bincount(term_array, minlength=len(term_list)), out=offsets[1:])
        idf = np.asarray([bm25.idf[term] for term in term_list], dtype=np.float64)
        return cls(passages, term_list, idf, offsets, doc_ids, frequencies,
                   np.asarray(bm25.doc_len, dtype=np.int32), max(float(bm25.avgdl), 1.0))

    def __len__(self) -> int:
        return len(self.passages)

    def idf_of(self, term: str) -> float | None:
        """The IDF of an indexed term, or None for a term no passage contains."""
        number = self.term_ids.get(term)
        return None if number is None else float(self.idf[number])

    def unseen_idf(self) -> float:
        """The IDF a term would have if one passage contained it: the top of the scale."""
        n = len(self.passages)
        return math.log(1.0 + (n - 1 + 0.5) / 1.5)

    def scores(self, weights: Mapping[str, float]) -> np.ndarray:
        """Every passage's score (zero where no term matches), touching only matching postings."""
        scores = np.zeros(len(self.passages))
        for term, weight in weights.items():
            number = self.term_ids.get(term)
            if number is None:
                continue
            start, end = self.offsets[number], self.offsets[number + 1]
            if weight == 1.0:
                scores[self.doc_ids[start:end]] += self.impacts[start:end]
            else:
                scores[self.doc_ids[start:end]] += weight * self.impacts[start:end]
        return scores

    def top(self, weights: Mapping[str, float], limit: int = 10) -> list[tuple[int, float]]:
        """The best `limit` (passage number, score) pairs, best first, ties by passage order."""
        return ranked(self.scores(weights), limit)

    # Persistence: arrays in .npz (loaded with allow_pickle=False) and passages in JSON, so a
    # tampered cache file can at worst give wrong answers, never run code.

    def save(self, stem: Path) -> None:
        """Write `<stem>.npz` and `<stem>.json`."""
        stem.parent.mkdir(parents=True, exist_ok=True)
        self.save_arrays(stem.with_suffix(".npz"))
        stem.with_suffix(".json").write_text(
            json.dumps([passage.to_dict() for passage in self.passages], ensure_ascii=False),
            encoding="utf-8",
        )

    def save_arrays(self, path: Path) -> None:
        """Write the index without its passages (a second field over the same passages)."""
        np.savez(path, terms=np.asarray(self.term_list, dtype=np.str_),
                 idf=self.idf, offsets=self.offsets, doc_ids=self.doc_ids,
                 frequencies=self.frequencies, doc_len=self.doc_len,
                 avgdl=np.asarray([self.avgdl]), impacts=self.impacts)

    @classmethod
    def load(cls, stem: Path) -> SearchIndex:
        """Read an index written by save(); raises OSError/ValueError/KeyError if damaged."""
        passages = [Passage.from_dict(item) for item in
                    json.loads(stem.with_suffix(".json").read_text(encoding="utf-8"))]
        return cls.load_arrays(stem.with_suffix(".npz"), passages)

    @classmethod
    def load_arrays(cls, path: Path, passages: Sequence[Passage]) -> SearchIndex:
        """Read arrays written by save_arrays() for these passages."""
        with np.load(path, allow_pickle=False) as arrays:
            if len(arrays["doc_len"]) != len(passages):
                raise ValueError(path.name)
            return cls(passages, arrays["terms"].tolist(), arrays["idf"], arrays["offsets"],
                       arrays["doc_ids"], arrays["frequencies"], arrays["doc_len"],
                       float(arrays["avgdl"][0]), impacts=arrays["impacts"])


def ranked(scores: np.ndarray, limit: int) -> list[tuple[int, float]]:
    """The `limit` highest non-zero scores as (passage number, score), ties by passage order."""
    candidates = np.flatnonzero(scores)
    if candidates.size == 0 or limit <= 0:
        return []
    candidate_scores = scores[candidates]
    if candidates.size > limit:
        cutoff = np.partition(candidate_scores, candidates.size - limit)[candidates.size - limit]
        # Keep everything tied with the cut-off so ties break by passage order, as a stable
        # full sort would.
        keep = candidate_scores >= cutoff
        candidates, candidate_scores = candidates[keep], candidate_scores[keep]
    order = np.lexsort((candidates, -candidate_scores))[:limit]
    return [(int(candidates[i]), float(candidate_scores[i])) for i in order]
