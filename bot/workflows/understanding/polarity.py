"""Yes, no or "I don't know" in the many ways people say them, learned from examples.

The exact word lists of bot.workflows.parsing.answers answer the commonest forms; a
classifier trained on knowledge/answers.yaml reads the rest ("go for it", "I doubt it",
"not that I know of"). It only answers when it is sure: a hedge it cannot place is asked
again rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.messages import say
from bot.workflows.understanding.features import words
from bot.workflows.understanding.model import LinearTextModel
from bot.workflows.understanding.training import fitted
from bot.yamlio import load_yaml_file

YES, NO, UNSURE, OTHER = "yes", "no", "unsure", "other"
#: How sure the classifier must be before its reading counts.
SURE_ENOUGH = 0.6
#: Longer answers than this are accounts, not a yes or a no.
MAX_WORDS = 8


class AnswerExamplesError(ValueError):
    """knowledge/answers.yaml cannot be used; the message says why."""


@dataclass(frozen=True)
class Polarity:
    """A reading of a plain answer: "yes", "no", "unsure", or None when unclear or when it
    is some other answer altogether ("a bottle of wine")."""

    value: str | None
    confidence: float


def load_answer_examples(path: Path) -> dict[str, tuple[str, ...]]:
    if not path.exists():
        return {}
    raw = load_yaml_file(path)
    answers = raw.get("answers") if isinstance(raw, dict) else None
    if not isinstance(answers, dict) or set(answers) - {YES, NO, UNSURE, OTHER}:
        raise AnswerExamplesError(say("understanding.answers_file_shape", path=path))
    return {str(label): tuple(_text(t) for t in texts if _text(t))
            for label, texts in answers.items() if isinstance(texts, list)}


def _text(item: object) -> str:
    """An example as typed: YAML reads a bare yes or no as a boolean, which means the word."""
    if isinstance(item, bool):
        return YES if item else NO
    return str(item).strip()


class PolarityReader:
    """Reads yes / no / unsure from a short answer."""

    def __init__(self, model: LinearTextModel) -> None:
        self.model = model

    @classmethod
    def build(cls, answers_file: Path, cache_dir: Path | None) -> PolarityReader | None:
        examples = load_answer_examples(answers_file)
        if len([label for label, texts in examples.items() if texts]) < 2:
            return None
        return cls(fitted("answers", examples, cache_dir))

    def read(self, text: str) -> Polarity:
        """The answer's polarity. A longer answer is read by its first clause when that is a
        plain yes or no ("possibly, I'd be doing checks for coaches"; "once or twice, I
        never tell her anything"): the reason after it says more about the subject than
        about the answer. Otherwise the whole, and then the first clause, whichever reads."""
        clauses = [part.strip() for part in _FIRST_CLAUSE.split(text.strip()) if part.strip()]
        if len(clauses) > 1 and _ACKNOWLEDGED.match(clauses[0]):
            # "oh ok, no I'll leave it then": the acknowledgement is not the answer.
            second = self._read(clauses[1])
            if second.value in {YES, NO}:
                return second
        first = clauses[0] if clauses else ""
        if first and first != text.strip():
            opening = self._read(first)
            if opening.value in {YES, NO}:
                return opening
            found = self._read(text)
            return found if found.value is not None else opening
        return self._read(text)

    def _read(self, text: str) -> Polarity:
        if not text.strip() or len(text.split()) > MAX_WORDS:
            return Polarity(None, 0.0)
        guess = self.model.guess(text)
        if guess.confidence < SURE_ENOUGH or guess.label == OTHER:
            return Polarity(None, guess.confidence)
        return Polarity(guess.label, guess.confidence)


#: Words that only acknowledge what was said, before the answer itself.
_ACKNOWLEDGED = re.compile(r"^(?:oh|ah|aah|ahh|right|ok|okay|oh ok|oh okay|ah ok|ah right|oh right"
                           r"|i see|fair enough|alright|hmm|erm|um|well|thanks|cheers|ta)$",
                           re.IGNORECASE)
_FIRST_CLAUSE = re.compile(r"\s*[,.;:!?]\s*|\s+-\s+|\s+(?:but|because|as|since|though)\s+")


# Words of a question that say nothing about its subject, left out when matching an echo.
_QUESTION_WORDS = frozenset({
    "could", "would", "will", "have", "they", "them", "their", "your", "from", "with", "that",
    "this", "ever", "anyone", "about", "been", "being", "does", "into", "there", "what",
    "when", "were", "some", "other", "right", "properly", "know", "think",
})
_NEGATIONS = frozenset({"not", "never", "no", "nothing", "none", "nobody", "nor", "neither",
                        "hardly", "without", "nae", "naw", "nowt", "zero", "nah"})


def _same_stem(first: str, second: str) -> bool:
    """ "asks" and "asked", "paid" and "pay": a shared start of most of the shorter word."""
    shared = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        shared += 1
    return shared >= 3 and shared >= 0.75 * min(len(first), len(second))


def echo_polarity(question: str, answer: str) -> str | None:
    """Yes or no from an answer that echoes the question's own words.

    "he made a joke but not asked anything" to "Have they ever asked you ...?" is a no;
    "people might want to know who's wanted" to "Could anyone want police information?"
    is a yes. Each echoed word counts as a no when a negation comes just before it; the
    answer is read only when every echo agrees. None when nothing is echoed.
    """
    stems = {word for word in words(question) if len(word) >= 3 and word not in _QUESTION_WORDS}
    tokens = words(answer)
    echoes = []
    for index, token in enumerate(tokens):
        if len(token) >= 3 and any(_same_stem(token, stem) for stem in stems):
            before = tokens[max(0, index - 3):index]
            echoes.append(any(word in _NEGATIONS or word.endswith("n't") for word in before))
    if not echoes or len(tokens) < 3:
        return None
    if all(echoes):
        return NO
    return YES if not any(echoes) else None
