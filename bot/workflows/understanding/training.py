"""Fitting a LinearTextModel from labelled examples with scikit-learn, and caching the result.

scikit-learn is imported only here and only when no cached model matches the examples, so
a normal start reads a JSON file; the cache key is a hash of the examples and of this
module's settings, so editing a workflow's examples retrains on the next start.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from bot.messages import say
from bot.workflows.understanding.features import CHAR_SIZES
from bot.workflows.understanding.model import LinearTextModel

log = logging.getLogger(__name__)

#: Bump when features or training change meaning, so old caches are not reused.
MODEL_FORMAT = "2"
#: Inverse regularisation strength: small data, many features, so fairly strong fitting.
REGULARISATION_C = 20.0

Examples = Mapping[str, Sequence[str]]
_FITTED: dict[str, LinearTextModel] = {}


def examples_key(examples: Examples) -> str:
    """A short hash of the labelled examples and the training settings."""
    payload = json.dumps({"format": MODEL_FORMAT, "c": REGULARISATION_C,
                          "chars": list(CHAR_SIZES),
                          "examples": {label: list(texts)
                                       for label, texts in sorted(examples.items())}},
                         ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:20]


def fit(examples: Examples) -> LinearTextModel:
    """Train on `examples` ({label: [text, ...]}, at least two labels)."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    from bot.workflows.understanding.features import analyse

    labels = sorted(label for label, texts in examples.items() if texts)
    if len(labels) < 2:
        raise ValueError(say("understanding.too_few_labels"))
    texts = [text for label in labels for text in examples[label]]
    targets = [label for label in labels for _ in examples[label]]
    vectoriser = TfidfVectorizer(analyzer=analyse, sublinear_tf=True)
    matrix = vectoriser.fit_transform(texts)
    classifier = LogisticRegression(C=REGULARISATION_C, max_iter=2000)
    # One thread: the problem is small, and BLAS threads fighting over a busy machine made
    # the same fit twenty times slower.
    with threadpool_limits(limits=1):
        classifier.fit(matrix, targets)
    classes = tuple(str(label) for label in classifier.classes_)
    coef = classifier.coef_
    intercepts = classifier.intercept_
    if len(classes) == 2:
        # scikit-learn keeps one row for two classes; as two rows the softmax is the same.
        coef = [-coef[0] / 2, coef[0] / 2]
        intercepts = [-intercepts[0] / 2, intercepts[0] / 2]
    idf = vectoriser.idf_
    features = sorted(vectoriser.vocabulary_, key=vectoriser.vocabulary_.__getitem__)
    columns = [vectoriser.vocabulary_[feature] for feature in features]
    return LinearTextModel(
        classes, tuple(float(value) for value in intercepts),
        vocabulary={feature: row for row, feature in enumerate(features)},
        idf=[round(float(idf[column]), 6) for column in columns],
        weights=[round(float(coef[index][column]), 6) for column in columns
                 for index in range(len(classes))])


def lazily(name: str, examples: Examples, cache_dir: Path | None,
           ) -> Callable[[], LinearTextModel]:
    """`fitted(...)` when first called: models needed only now and then load when needed."""
    found: list[LinearTextModel] = []

    def model() -> LinearTextModel:
        if not found:
            found.append(fitted(name, examples, cache_dir))
        return found[0]

    return model


def fitted(name: str, examples: Examples, cache_dir: Path | None) -> LinearTextModel:
    """The model for `examples`: from this process, from `cache_dir`, or trained now."""
    key = f"{name}-{examples_key(examples)}"
    path = cache_dir / f"{key}.json" if cache_dir is not None else None
    if key in _FITTED:
        if path is not None and not path.exists():
            _write(path, _FITTED[key])
        return _FITTED[key]
    model = _read(path) if path is not None else None
    if model is None:
        started = time.perf_counter()
        model = fit(examples)
        log.info("trained the %s classifier in %.0f ms", name,
                 (time.perf_counter() - started) * 1000)
        if path is not None:
            _write(path, model)
    _FITTED[key] = model
    return model


def _read(path: Path) -> LinearTextModel | None:
    try:
        return LinearTextModel.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("ignoring an unreadable classifier cache %s", path.name)
        return None


def _write(path: Path, model: LinearTextModel) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed, so a process reading at the same time never sees half.
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(model.to_json(), out, separators=(",", ":"))
        os.replace(temporary, path)
    except OSError:
        log.warning("could not cache the classifier in %s", path.parent)
