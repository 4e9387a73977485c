"""The answer rule: whether the best passages answer a question, learned from examples.

Each question's retrieval is summed up in a few features (how much of the question the best
passage holds, how strongly, how far ahead of the rest, whether the top passages agree on
a document, how well an out-of-scope route matches, how many of its words the documents
use at all). A logistic regression over them is fitted on the tune split of every
evaluation corpus (answerable questions against off-topic ones), and its threshold is set
so that at most one off-topic question in twenty is answered there. Fitting on several
corpora of different shape (curated Markdown policies, web pages with banners, long
reports) is what keeps the rule from being tuned to one force's writing.

The fitted rule is data, in answer_rule.json beside this module; `probity eval --calibrate`
fits it again from the corpora.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: The features, in order. Each is a number a person can read (see Evidence). Only what
#: the retrieval measures on the documents themselves: closeness to an FAQ question and use
#: of the staff vocabulary (Evidence.faq_similarity, .in_domain) say a question sounds like
#: an integrity question, which near-miss off-topic questions do too, and the FAQ's targets
#: exist only in the bundled policies. Fitted on two corpora and checked on the third, the
#: rule with them answered 5 of the inspection reports' 14 off-topic tune questions, and 2
#: without them (bundled 3 of 26 -> 1; right answers kept: 147/148, 22/22, 34/38 both ways).
FEATURES = ("coverage", "known", "margin", "agreement", "route_ratio", "question_terms",
            "heading_coverage")
RULE_FILE = Path(__file__).with_name("answer_rule.json")
#: The share of off-topic tune questions the threshold may let through (one in twenty is
#: the bar; the threshold aims below it so held-out data has room).
OFF_TOPIC_RATE = 0.04
#: L2 penalty of the logistic regression, on standardised features.
PENALTY = 1.0


@dataclass(frozen=True)
class Evidence:
    """What the retrieval says about one question, as the rule's features."""

    coverage: float  # IDF share of the question's own words in the best passage
    strength: float  # best BM25 over that of a passage holding each word once
    known: float  # share of the question's words the documents use at all
    #: Measured against the runners-up, so NaN (average) when fewer than three passages
    #: match: in a tiny folder a lone match says nothing about how isolated it is.
    margin: float  # log of best score over the next distinct passage's
    agreement: float  # share of the top three passages from the best one's document
    route_ratio: float  # best out-of-scope route's BM25 over the best passage's
    in_domain: float  # 1 when the question uses the organisation's vocabulary
    question_terms: float  # log(1 + number of the question's own search terms)
    rarest_covered: float  # highest IDF among covered words, over the scale's top
    floors: float  # 1 when the fixed floors (engine.MIN_COVERAGE ...) would answer
    faq_similarity: float  # closest FAQ question's IDF-weighted term overlap
    heading_coverage: float  # IDF share of the question's own words in the best heading

    def vector(self) -> np.ndarray:
        return np.asarray([getattr(self, name) for name in FEATURES], dtype=np.float64)


@dataclass(frozen=True)
class AnswerRule:
    """A fitted logistic regression and its threshold on the probability of 'answerable'."""

    weights: tuple[float, ...]
    bias: float
    means: tuple[float, ...]
    scales: tuple[float, ...]
    threshold: float
    fitted_on: tuple[str, ...] = ()

    def probability(self, evidence: Evidence) -> float:
        """P(answerable); a feature that could not be measured (NaN) counts as average."""
        vector = evidence.vector()
        vector = np.where(np.isnan(vector), np.asarray(self.means), vector)
        standard = (vector - np.asarray(self.means)) / np.asarray(self.scales)
        z = float(standard @ np.asarray(self.weights) + self.bias)
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def answers(self, evidence: Evidence) -> bool:
        return self.probability(evidence) >= self.threshold

    # Persistence -----------------------------------------------------------------------

    def save(self, path: Path = RULE_FILE) -> None:
        path.write_text(json.dumps({
            "features": list(FEATURES), "weights": list(self.weights), "bias": self.bias,
            "means": list(self.means), "scales": list(self.scales),
            "threshold": self.threshold, "fitted_on": list(self.fitted_on),
        }, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path = RULE_FILE) -> AnswerRule:
        """The saved rule; raises ValueError if it was fitted on other features."""
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            # Fitted by an older Probity: the caller falls back to the fixed floors.
            raise ValueError(path.name)
        return cls(tuple(data["weights"]), float(data["bias"]), tuple(data["means"]),
                   tuple(data["scales"]), float(data["threshold"]),
                   tuple(data.get("fitted_on", ())))

    # Fitting ---------------------------------------------------------------------------

    @classmethod
    def fit(cls, answerable: Sequence[Evidence], off_topic: Sequence[Evidence],
            fitted_on: Sequence[str] = (), off_topic_asked: int | None = None,
            also_off_topic: Sequence[Evidence] = ()) -> AnswerRule:
        """Fit on answerable (label 1) and off-topic (label 0) examples; set the threshold
        to the lowest probability that answers at most OFF_TOPIC_RATE of the off-topic
        questions asked (`off_topic_asked`, counting those an out-of-scope route declined
        before the rule was asked; default: the examples given).

        Classes are weighted to count equally, since corpora bring far more answerable
        questions than off-topic ones. `also_off_topic` are off-topic examples used in the
        fit but not in setting the threshold (those an out-of-scope route turns away first).
        """
        negatives = [*off_topic, *also_off_topic]
        x = np.asarray([e.vector() for e in [*answerable, *negatives]])
        y = np.asarray([1.0] * len(answerable) + [0.0] * len(negatives))
        means = np.nanmean(x, axis=0)
        x = np.where(np.isnan(x), means, x)
        scales = x.std(axis=0)
        scales[scales == 0] = 1.0
        standard = (x - means) / scales
        sample = np.where(y == 1, 0.5 / max(len(answerable), 1), 0.5 / max(len(negatives), 1))
        weights, bias = _newton(standard, y, sample * len(y))
        rule = cls(tuple(weights.tolist()), bias, tuple(means.tolist()),
                   tuple(scales.tolist()), 0.5, tuple(fitted_on))
        off = sorted((rule.probability(e) for e in off_topic), reverse=True)
        allowed = int(OFF_TOPIC_RATE * (off_topic_asked or len(off)))
        # Just above the (allowed+1)-th most confident off-topic question.
        threshold = off[allowed] + 1e-6 if len(off) > allowed else 0.5
        return cls(rule.weights, bias, rule.means, rule.scales, min(threshold, 0.95),
                   tuple(fitted_on))


def _newton(x: np.ndarray, y: np.ndarray, sample: np.ndarray,
            iterations: int = 50) -> tuple[np.ndarray, float]:
    """Weighted, L2-penalised logistic regression by Newton's method (IRLS)."""
    design = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(design.shape[1])
    penalty = np.full(design.shape[1], PENALTY)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ beta, -50, 50)))
        gradient = design.T @ (sample * (p - y)) + penalty * beta
        hessian = (design * (sample * p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian + 1e-9 * np.eye(len(beta)), gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta[:-1], float(beta[-1])
