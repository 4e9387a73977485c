"""Dump the answer rule's features for every TUNE question of every corpus (issue 18).

Not part of the product. Writes one JSON line per question: corpus, kind (answerable /
off_topic), whether the ranking has a right passage in the top three, whether an
out-of-scope route turns it away outright, and the Evidence fields. held_out questions are
never asked.

    .venv/bin/python tools/experiments/rule_features.py > /tmp/features.jsonl
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict

from bot.config import Settings
from bot.knowledge.answer import ScoredPassage, cite
from bot.knowledge.engine import ROUTE_MARGIN, _distinct_sections
from bot.knowledge.evaluation import all_corpora, knowledge_for
from bot.knowledge.index import ranked


def extras(knowledge, query, hits, scores, plain) -> dict[str, float]:
    """Candidate features not (yet) in Evidence."""
    import math

    import numpy as np

    from bot.knowledge.index import passage_terms
    idf = {t: knowledge._idf(t) for t in query.own}
    total = sum(idf.values()) or 1.0
    top = knowledge.index.unseen_idf() or 1.0

    def covered_by(present: set[str]) -> set[str]:
        return {t for t in query.own
                if t in present or present & query.alternatives.get(t, frozenset())}
    best_terms = set(passage_terms(hits[0].passage))
    first = covered_by(best_terms)
    union: set[str] = set()
    for hit in hits[:3]:
        union |= set(passage_terms(hit.passage))
    doc = hits[0].passage.document
    doc_terms: set[str] = set()
    for p in knowledge.index.passages:
        if p.document == doc:
            doc_terms |= set(passage_terms(p))
    ordered = sorted((float(s) for s in scores if s > 0), reverse=True)[:10]
    plain_policy = plain.copy()
    plain_policy[knowledge._route_numbers()] = 0
    pb = sorted(plain_policy[plain_policy > 0], reverse=True)[:2]
    sections = []
    for hit in hits:
        key = (hit.passage.document, hit.passage.section)
        if key not in [k for k, _ in sections]:
            sections.append((key, hit.score))
    return {
        "margin_section": math.log((sections[0][1] + 1e-9) / (sections[1][1] + 1e-9))
        if len(sections) >= 3 else math.nan,
        "agreement_section": sum(1 for (d, _), _ in sections[:3] if d == doc) / 3
        if len(sections) >= 3 else math.nan,
        "uncovered_max": max((idf[t] / top for t in query.own if t not in first), default=0.0),
        "top3_coverage": sum(idf[t] for t in covered_by(union)) / total,
        "doc_coverage": sum(idf[t] for t in covered_by(doc_terms)) / total,
        "peak": math.log(ordered[0] / (sum(ordered) / len(ordered))) if ordered else 0.0,
        "documents_top10": len({h.passage.document for h in hits[:10]}) / max(len(hits[:10]), 1),
        "plain_margin": math.log((pb[0] + 1e-9) / (pb[1] + 1e-9)) if len(pb) > 1 else 1.0,
        "own_share_of_query": float(np.log1p(len(query.own))),
    }


def main() -> None:
    settings = Settings.from_env()
    for corpus in all_corpora():
        part = corpus if corpus.documents is None else corpus.split("tune")
        knowledge = knowledge_for(part, settings)
        items = [(q.question, "answerable", q.targets) for q in part.questions] + [
            (q.question, "off_topic", ()) for q in part.off_topic]
        for question, kind, targets in items:
            query = knowledge.query_terms(question)
            scores, plain = knowledge._scores(query)
            hits = _distinct_sections([
                ScoredPassage(knowledge.index.passages[n], s, float(plain[n]))
                for n, s in ranked(scores, 10)])
            rank = next((i for i, hit in enumerate(hits[:3], start=1)
                         if any(t.matches(cite(hit)) for t in targets)), None)
            routed = knowledge._winning_route(plain, ROUTE_MARGIN) is not None
            evidence = knowledge.evidence_for(question, routed=True)
            extra = extras(knowledge, query, hits, scores, plain) if hits else {}
            sys.stdout.write(json.dumps({"extra": extra,
                "corpus": corpus.name, "kind": kind, "question": question,
                "rank": rank, "routed": routed,
                "evidence": None if evidence is None else asdict(evidence)}) + "\n")


if __name__ == "__main__":
    main()
