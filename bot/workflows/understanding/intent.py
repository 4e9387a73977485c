"""Which workflow, or what else, a free-text message is about, learned from examples.

Labels are the workflows' names (from each definition's `examples`) and the intents in
knowledge/intents.yaml that are not workflows: `policy_question`, `small_talk` and
`follow_up`. The model gives a confidence; the caller offers the best workflow when it is
sure, and asks "did you mean" between two when it is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.messages import say
from bot.workflows.definitions import WorkflowDefinition
from bot.workflows.understanding.features import words
from bot.workflows.understanding.model import Guess, LinearTextModel
from bot.workflows.understanding.training import fitted
from bot.yamlio import load_yaml_file

POLICY_QUESTION, SMALL_TALK, FOLLOW_UP = "policy_question", "small_talk", "follow_up"
#: "I need to declare something": a declaration, but not yet which kind.
DECLARE_SOMETHING = "declare_something"
OTHER_INTENTS = (POLICY_QUESTION, SMALL_TALK, FOLLOW_UP, DECLARE_SOMETHING)
#: At least this sure, a workflow is offered outright.
CONFIDENT = 0.55
#: Below CONFIDENT, two workflows this close together and this likely are both offered.
DID_YOU_MEAN = 0.25
#: A message this short says too little to ask which of two workflows it means.
MIN_WORDS_TO_ASK = 4


#: Words by which a message tells of the person's own life rather than asking in general.
_OWN = frozenset({"i", "i'm", "im", "i've", "ive", "i'd", "my", "me", "mine", "we", "we're",
                  "our", "us", "ma", "a'm"})
#: ...and the ones that only ask ("can i accept...", "do i need..."), which do not count.
_ASKING = frozenset({"can", "could", "do", "does", "am", "should", "would", "will", "is", "if",
                     "what", "how", "when", "who", "where", "why", "must"})


def speaks_of_self(text: str) -> bool:
    """Whether a message tells of the person's own situation ("my brother's got a firm",
    "I do nails from home"), beyond the "I" of a general question ("can I accept...?")."""
    tokens = words(text)
    return any(token in _OWN and (index == 0 or tokens[index - 1] not in _ASKING)
               for index, token in enumerate(tokens))


class IntentExamplesError(ValueError):
    """knowledge/intents.yaml cannot be used; the message says why."""


@dataclass(frozen=True)
class Intent:
    """What a message is about: a workflow's name or one of OTHER_INTENTS."""

    label: str
    confidence: float
    #: A second workflow to offer beside the first when the model is unsure, else None.
    alternative: str | None = None
    #: Every label with its probability, most likely first.
    ranked: tuple[tuple[str, float], ...] = ()

    @property
    def sure(self) -> bool:
        return self.confidence >= CONFIDENT


def load_intent_examples(path: Path) -> dict[str, tuple[str, ...]]:
    """The non-workflow intents' examples from a knowledge file ({} if there is none)."""
    if not path.exists():
        return {}
    raw = load_yaml_file(path)
    intents = raw.get("intents") if isinstance(raw, dict) else None
    if not isinstance(intents, dict):
        raise IntentExamplesError(say("understanding.intents_file_shape", path=path))
    found: dict[str, tuple[str, ...]] = {}
    for label, texts in intents.items():
        if label not in OTHER_INTENTS:
            raise IntentExamplesError(say("understanding.intents_file_label", path=path,
                                          label=label, known=", ".join(OTHER_INTENTS)))
        if not isinstance(texts, list) or not all(isinstance(t, str) and t.strip()
                                                  for t in texts):
            raise IntentExamplesError(say("understanding.intents_file_shape", path=path))
        found[label] = tuple(t.strip() for t in texts)
    return found


def training_examples(definitions: Iterable[WorkflowDefinition],
                      others: Mapping[str, Sequence[str]]) -> dict[str, tuple[str, ...]]:
    """{label: examples}: each workflow's examples and intent phrases, and the other intents'."""
    # A workflow's intent phrases ("second job") are short examples of it too.
    examples = {d.name: tuple(dict.fromkeys(d.examples + d.intents)) for d in definitions
                if d.examples}
    examples.update({label: tuple(texts) for label, texts in others.items() if texts})
    return examples


class IntentRecogniser:
    """Reads what a message is about; built once per set of definitions."""

    def __init__(self, model: LinearTextModel, workflows: Iterable[str]) -> None:
        self.model = model
        self.workflows = frozenset(workflows)

    @classmethod
    def build(cls, definitions: Iterable[WorkflowDefinition], intents_file: Path,
              cache_dir: Path | None) -> IntentRecogniser | None:
        """The recogniser, or None when there are too few labelled examples to learn from."""
        definitions = list(definitions)
        examples = training_examples(definitions, load_intent_examples(intents_file))
        if len(examples) < 2:
            return None
        return cls(fitted("intents", examples, cache_dir), (d.name for d in definitions))

    def guess(self, text: str) -> Guess:
        return self.model.guess(text)

    def recognise(self, text: str) -> Intent:
        guess = self.model.guess(text)
        alternative = None
        if DID_YOU_MEAN <= guess.confidence < CONFIDENT and guess.label in self.workflows and \
                len(text.split()) >= MIN_WORDS_TO_ASK:
            second = guess.runner_up
            if second and second[0] in self.workflows and second[1] >= DID_YOU_MEAN:
                alternative = second[0]
        return Intent(guess.label, guess.confidence, alternative, guess.ranked)
