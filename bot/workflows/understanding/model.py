"""A fitted text classifier that predicts without scikit-learn: tf-idf weights and a linear layer.

Training uses scikit-learn (see training.py); what it learns is kept as plain numbers so
that a running assistant loads it from a small JSON file in milliseconds instead of
importing scikit-learn (about a second) on every start.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.messages import say
from bot.workflows.understanding.features import analyse


@dataclass(frozen=True)
class Guess:
    """The most likely label for a message, how sure the model is, and the alternatives."""

    label: str
    confidence: float
    #: Every label with its probability, most likely first.
    ranked: tuple[tuple[str, float], ...]

    @property
    def runner_up(self) -> tuple[str, float] | None:
        return self.ranked[1] if len(self.ranked) > 1 else None

    @property
    def margin(self) -> float:
        """How far the best label leads the next one (1.0 when there is no other)."""
        second = self.runner_up
        return self.confidence - (second[1] if second else 0.0)


@dataclass(frozen=True)
class LinearTextModel:
    """Multinomial logistic regression over sublinear tf-idf features, L2-normalised.

    `vocabulary` maps a feature to its row; `idf` holds each row's inverse document
    frequency and `weights` each row's weight per class, flat (row * classes + class), the
    layout that loads fastest from JSON. Features never seen in training say nothing,
    exactly as in scikit-learn's vectoriser.
    """

    classes: tuple[str, ...]
    intercepts: tuple[float, ...]
    vocabulary: Mapping[str, int]
    idf: Sequence[float]
    weights: Sequence[float]

    def guess(self, text: str) -> Guess:
        counts = Counter(feature for feature in analyse(text) if feature in self.vocabulary)
        width = len(self.classes)
        scores = list(self.intercepts)
        rows = {self.vocabulary[feature]: count for feature, count in counts.items()}
        values = {row: (1.0 + math.log(count)) * self.idf[row] for row, count in rows.items()}
        norm = math.sqrt(sum(value * value for value in values.values())) or 1.0
        for row, value in values.items():
            for index in range(width):
                scores[index] += self.weights[row * width + index] * value / norm
        probabilities = _softmax(scores)
        ranked = tuple(sorted(zip(self.classes, probabilities, strict=True),
                              key=lambda pair: -pair[1]))
        return Guess(ranked[0][0], ranked[0][1], ranked)

    def to_json(self) -> dict[str, Any]:
        features = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        return {"classes": list(self.classes), "intercepts": list(self.intercepts),
                "features": features, "idf": list(self.idf), "weights": list(self.weights)}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> LinearTextModel:
        features = raw["features"]
        width = len(raw["classes"])
        if len(raw["idf"]) != len(features) or len(raw["weights"]) != len(features) * width:
            raise ValueError(say("understanding.cache_misfit"))
        return cls(classes=tuple(raw["classes"]), intercepts=tuple(raw["intercepts"]),
                   vocabulary=dict(zip(features, range(len(features)), strict=True)),
                   idf=raw["idf"], weights=raw["weights"])


def _softmax(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(score - top) for score in scores]
    total = sum(exps)
    return [value / total for value in exps]
