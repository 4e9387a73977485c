"""`probity bench search`: Probity's search against plain rank-bm25 and bm25s on generated corpora.

Corpora are generated from the bundled policies: each synthetic passage recombines the
sentences of a real section with a few from another section of the same document and
carries a numbered variant heading, so the vocabulary and term statistics stay those of
real policy text at any size. Queries are the evaluation questions (after tokenising and
vocabulary expansion), so every engine scores exactly the same term lists.
"""

from __future__ import annotations

import logging
import math
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from bot.config import Settings
from bot.knowledge.chunking import Passage, chunk
from bot.knowledge.index import K1, B, NonNegativeBM25, SearchIndex, ranked
from bot.knowledge.loaders import load_folder
from bot.knowledge.text import sentences, terms
from bot.knowledge.vocabulary import Vocabulary
from bot.messages import say

TOP_K = 10


@dataclass
class Timing:
    """Latencies of one engine over the query set, in milliseconds."""

    samples: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def generate_corpus(passages: Sequence[Passage], size: int, seed: int = 7
                    ) -> tuple[list[Passage], list[list[str]]]:
    """`size` passages recombined from real ones, with their indexed terms.

    Terms are computed per sentence once and reused, which keeps generating 50,000
    passages to a few seconds.
    """
    rng = random.Random(seed)
    by_document: dict[str, list[int]] = {}
    for number, passage in enumerate(passages):
        by_document.setdefault(passage.document, []).append(number)
    split = [sentences(passage.text) for passage in passages]
    sentence_terms = [[terms(sentence) for sentence in group] for group in split]
    generated: list[Passage] = []
    tokens: list[list[str]] = []
    for number in range(size):
        base = number % len(passages)
        variant = number // len(passages)
        chosen = [(base, i) for i in range(len(split[base]))]
        if variant:
            rng.shuffle(chosen)
            chosen = chosen[: max(1, int(len(chosen) * rng.uniform(0.5, 1.0)))]
            neighbour = rng.choice(by_document[passages[base].document])
            if split[neighbour]:
                chosen.append((neighbour, rng.randrange(len(split[neighbour]))))
        source = passages[base]
        heading = f"{source.section} (variant {variant})" if variant else source.section
        text = " ".join(split[p][i] for p, i in chosen)
        generated.append(Passage(source.document, source.title, source.version,
                                 source.headings[:-1] + (heading,), text))
        indexed = [term for p, i in chosen for term in sentence_terms[p][i]]
        indexed += terms(heading) * 2 + terms(source.title)
        if variant:
            indexed.append(str(variant))
        tokens.append(indexed)
    return generated, tokens


#: Fast engines are timed as the best of this many runs per question: on a shared machine a
#: run's time is its cost plus whatever else was running, and the best run is the closest
#: to the cost. rank-bm25 (tens to hundreds of ms a question) is timed once.
REPEATS = 3


def _time(function: Callable[[], object], repeats: int = 1) -> float:
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, (time.perf_counter() - start) * 1000.0)
    return best


def _lookup(index: SearchIndex, weights: dict[str, float], found: dict[int, list[int]],
            number: int) -> None:
    found[number] = [i for i, _ in ranked(index.scores(weights), TOP_K)]


def _rank_bm25_top(bm25: NonNegativeBM25, query: list[str]) -> list[int]:
    scores = bm25.get_scores(query)
    order = np.argsort(-scores, kind="stable")[:TOP_K]
    return [int(i) for i in order if scores[i] > 0]


def run_search_benchmark(settings: Settings, sizes: Sequence[int], queries: int = 60) -> int:
    """Build each corpus, time the engines on the same queries, print a table per size and
    how each engine's cost grows with the corpus."""
    try:
        import bm25s
    except ImportError:
        bm25s = None
        print(say("bench.search_no_bm25s"), file=sys.stderr)

    from bot.knowledge.engine import Knowledge
    from bot.knowledge.evaluation import DEFAULT_EVAL_DIR, load_questions

    documents, _ = load_folder(settings.policies_dir)
    real = chunk(documents)
    if not real:
        print(say("bench.search_no_policies", folder=settings.policies_dir), file=sys.stderr)
        return 2
    vocabulary = Vocabulary.load(settings.knowledge_dir / "vocabulary.yaml")
    eval_questions, _ = load_questions(DEFAULT_EVAL_DIR)
    texts = [item.question for item in eval_questions] or [p.section for p in real]
    pairs = [(text, list(vocabulary.query_terms(text).weights)) for text in texts]
    pairs = [(text, query) for text, query in pairs if query][:queries]
    query_texts = [text for text, _ in pairs]
    query_terms = [query for _, query in pairs]
    logging.getLogger("bm25s").setLevel(logging.WARNING)

    print(say("bench.search_heading", queries=len(query_terms), top=TOP_K, k1=K1, b=B))
    growth: dict[str, list[tuple[int, float]]] = {}
    for size in sizes:
        passages, tokens = generate_corpus(real, size)
        start = time.perf_counter()
        bm25 = NonNegativeBM25(tokens, k1=K1, b=B)
        rank_build = time.perf_counter() - start
        index = SearchIndex.from_bm25(passages, bm25)
        probity_build = time.perf_counter() - start
        start = time.perf_counter()
        knowledge = Knowledge.from_passages(passages, settings, tokens)
        knowledge_build = time.perf_counter() - start

        probity_top: dict[int, list[int]] = {}

        probity_times = [_time(partial(_lookup, index, dict.fromkeys(query, 1.0), probity_top,
                                       number), REPEATS)
                         for number, query in enumerate(query_terms)]

        # The whole path `probity ask` takes for a question: tokenising, expansion, every
        # field, the document prior, FAQ and money boosts, the answer rule, the trimmed
        # answer and its citations.
        knowledge.answer(query_texts[0])  # first-use caches, as in a running process
        ask_times = [_time(partial(knowledge.answer, text), REPEATS) for text in query_texts]
        scores_of = [index.scores(dict.fromkeys(query, 1.0)) for query in query_terms]

        def rank_bm25(text: str, out: list[int], model: NonNegativeBM25 = bm25) -> None:
            # rank-bm25's whole path for the same question: its terms, then scores and sort.
            out.extend(_rank_bm25_top(model, list(vocabulary.query_terms(text).weights)))

        rank_times, rank_match = [], 0
        for number, text in enumerate(query_texts):
            result: list[int] = []
            rank_times.append(_time(partial(rank_bm25, text, result)))
            # Same passages in the same order: both break ties by passage number.
            rank_match += result == probity_top[number]

        rows = [
            (say("knowledge.bench_lookup"), probity_build, Timing(probity_times), None),
            (say("knowledge.bench_ask_path"), knowledge_build, Timing(ask_times), None),
            (say("bench.search_rank_bm25"), rank_build, Timing(rank_times),
             rank_match / len(query_terms)),
        ]
        if bm25s is not None:
            rows.append(_bench_bm25s(bm25s, tokens, query_texts, vocabulary, probity_top,
                                     scores_of))

        print()
        print(say("bench.search_size", size=size, terms=sum(map(len, tokens)) / len(tokens)))
        print(f"  {'engine':30} {'build s':>8} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p50 vs lookup':>14} {'same top 10':>12}")
        base = rows[0][2]
        for name, build, timing, match in rows:
            shown = "-" if match is None else f"{match:.0%}"
            built = "-" if build is None else f"{build:.2f}"
            print(f"  {name:30} {built:>8} {timing.p50:8.2f} {timing.p95:8.2f} "
                  f"{timing.p50 / base.p50:13.1f}x {shown:>12}")
            growth.setdefault(name, []).append((size, statistics.mean(timing.samples)))
        sys.stdout.flush()
    if len(sizes) > 1:
        _print_growth(growth)
    return 0


def _print_growth(growth: dict[str, list[tuple[int, float]]]) -> None:
    """Mean time per question at each size relative to the smallest, beside the size ratio:
    a linear engine's ratio follows the passages'."""
    sizes = [size for size, _ in next(iter(growth.values()))]
    first = sizes[0]
    print("\n" + say("knowledge.bench_growth"))
    header = "".join(f"{size:>18,}" for size in sizes)
    print(f"  {'engine':30}{header}")
    print(f"  {'passages':30}" + "".join(f"{f'({size / first:.1f}x)':>18}" for size in sizes))
    for name, points in growth.items():
        base = points[0][1]
        cells = "".join(f"{f'{mean:.2f} ({mean / base:.1f}x)':>18}" for _, mean in points)
        print(f"  {name:30}{cells}")


def _bench_bm25s(bm25s: Any, tokens: list[list[str]], query_texts: list[str],
                 vocabulary: Vocabulary, probity_top: dict[int, list[int]],
                 scores_of: list[np.ndarray]) -> tuple[str, float, Timing, float]:
    """bm25s with Lucene's IDF (the same as Probity's) on the same questions' terms."""
    start = time.perf_counter()
    retriever = bm25s.BM25(k1=K1, b=B, method="lucene")
    retriever.index(tokens, show_progress=False)
    build = time.perf_counter() - start
    known = set(retriever.vocab_dict)
    times, matches = [], 0
    for number, text in enumerate(query_texts):
        found: list[int] = []

        def search(t: str = text, out: list[int] = found) -> None:
            out.clear()  # timed more than once: keep the last run's results only
            query = [term for term in vocabulary.query_terms(t).weights if term in known]
            if not query:
                return
            documents, scores = retriever.retrieve([query], k=TOP_K, show_progress=False,
                                                   n_threads=1)
            out.extend(int(d) for d, s in zip(documents[0], scores[0], strict=True) if s > 0)

        times.append(_time(search, REPEATS))
        # Generated corpora hold exact duplicates, and bm25s breaks ties its own way (and
        # scores in float32), so compare the score profile of the results, not passage ids.
        theirs = np.sort(scores_of[number][found])[::-1]
        ours = np.sort(scores_of[number][probity_top[number]])[::-1]
        matches += len(theirs) == len(ours) and bool(np.allclose(theirs, ours, rtol=1e-5))
    return say("bench.search_bm25s"), build, Timing(times), matches / len(query_texts)
