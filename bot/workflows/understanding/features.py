"""What a classifier sees in a message: word and character n-grams of its normalised text.

One function serves training (scikit-learn calls it as the vectoriser's analyser) and
prediction (the fitted model calls it directly), so the two can never drift apart.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[a-z0-9£]+(?:'[a-z]+)?")
#: Character n-gram lengths: short ones survive misspellings ("freind", "vouchres").
CHAR_SIZES = (2, 3, 4, 5)


def normalise(text: str) -> str:
    """Lower case, plain apostrophes, digits kept; what every feature is taken from."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return folded.replace("\u2019", "'").replace("\u2018", "'")


def words(text: str) -> list[str]:
    """The words of a message, lower case, apostrophes inside words kept ("didn't")."""
    return _WORD.findall(normalise(text))


def analyse(text: str) -> list[str]:
    """The features of one message: words, word pairs and character n-grams within words.

    Prefixes keep the three kinds apart ("w:", "b:", "c:"); a digit run counts as the word
    "0" as well, so "£30" and "£45" look alike to the model.
    """
    tokens = words(text)
    features = [f"w:{token}" for token in tokens]
    features += [f"w:{_shape(token)}" for token in tokens if any(c.isdigit() for c in token)]
    features += [f"b:{first} {second}" for first, second in zip(tokens, tokens[1:], strict=False)]
    if tokens:
        # How a message opens and ends tells a question ("can i ...?") from an account.
        features.append(f"s:{tokens[0]}")
        features += [f"s:{tokens[0]} {tokens[1]}"] if len(tokens) > 1 else []
    if text.rstrip().endswith("?"):
        features.append("e:?")
    for token in tokens:
        padded = f" {token} "
        for size in CHAR_SIZES:
            features += [f"c:{padded[i:i + size]}" for i in range(len(padded) - size + 1)]
    return features


def _shape(token: str) -> str:
    return re.sub(r"\d+", "0", token)
