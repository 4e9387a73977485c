"""Understanding people's words: what a message is about, plain answers, facts and corrections.

Built once by the composition root from the workflow definitions and the knowledge folder
(`Understanding.build`), trained at start-up from the examples they carry and cached
under PROBITY_HOME; the router asks it what a fresh message is about, and the dialogue
engine asks it to read yes/no answers and described choices. Everything here is pure
reading: nothing is stored or said.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.workflows.definitions import FieldSpec, WorkflowDefinition
from bot.workflows.parsing.common import Option
from bot.workflows.understanding.intent import Intent, IntentRecogniser
from bot.workflows.understanding.model import Guess, LinearTextModel
from bot.workflows.understanding.polarity import Polarity, PolarityReader
from bot.workflows.understanding.training import lazily

#: The knowledge files the models learn from, beside the workflows' own examples.
INTENTS_FILE = "intents.yaml"
ANSWERS_FILE = "answers.yaml"
#: How sure the option classifier must be to take a described choice as that option.
OPTION_SURE = 0.5
#: A choice named in passing is not noted when the option classifier is this sure of
#: another option and gives the named one less than VETO_UNLIKELY.
VETO_SURE = 0.5
VETO_UNLIKELY = 0.15
#: How sure the whole-message reading must be to overrule the first words' yes or no.
OFFER_SURE = 0.7
#: How much likelier the best option must be, to be taken from a second unclear answer.
OPTION_LEAN = 0.3

__all__ = ["Guess", "Intent", "Polarity", "Understanding"]


@dataclass(frozen=True)
class Understanding:
    """The fitted models for one set of definitions; any part may be missing (no examples)."""

    intents: IntentRecogniser | None = None
    polarity: PolarityReader | None = None
    #: option_key(field) -> a classifier over that choice field's options, loaded (or
    #: trained) the first time a described answer needs it.
    options: Mapping[tuple[str, tuple[str, ...]], Callable[[], LinearTextModel]] = field(
        default_factory=dict)

    @classmethod
    def build(cls, definitions: Iterable[WorkflowDefinition], knowledge_dir: Path,
              cache_dir: Path | None) -> Understanding:
        """Train (or load from `cache_dir`) every model the definitions and knowledge allow."""
        definitions = list(definitions)
        options = {}
        for definition in definitions:
            for spec in definition.fields:
                examples = option_examples(spec)
                if len(examples) >= 2:
                    options[option_key(spec)] = lazily(
                        f"options-{definition.name}-{spec.name}", examples, cache_dir)
        return cls(
            intents=IntentRecogniser.build(definitions, knowledge_dir / INTENTS_FILE, cache_dir),
            polarity=PolarityReader.build(knowledge_dir / ANSWERS_FILE, cache_dir),
            options=options,
        )

    def intent(self, text: str) -> Intent | None:
        """What a fresh message is about, or None without an intent model."""
        return self.intents.recognise(text) if self.intents else None

    def yes_no(self, text: str) -> str | None:
        """"yes", "no" or "unsure" when the polarity model is sure, else None."""
        return self.polarity.read(text).value if self.polarity else None

    def option(self, spec: FieldSpec, text: str, among: Sequence[Option] = (),
               sure: float = OPTION_SURE) -> str | None:
        """The option value a description most likely means, when the model is sure enough.

        With `among` (the options an answer names, when it names more than one: "his quad
        bike was nicked so he's the victim"), the likelier of those, if it is one of the
        model's two best.
        """
        model = self.options.get(option_key(spec))
        if model is None or not text.strip():
            return None
        guess = model().guess(text)
        named = {option.value for option in among}
        if len(named) > 1:
            best = [label for label, _ in guess.ranked[:2] if label in named]
            return best[0] if best else None
        return guess.label if guess.confidence >= sure else None

    def option_agrees(self, spec: FieldSpec, text: str, value: str) -> bool:
        """Whether the option classifier does not plainly read `text` as another option
        (True when it cannot judge: no model, or an option it has no examples of).

        A word naming an option in passing is taken as a fact unless the reading of the
        whole description is sure of a different one and finds `value` unlikely.
        """
        model = self.options.get(option_key(spec))
        if model is None or not text.strip():
            return True
        fitted = model()
        if value not in fitted.classes:
            return True
        guess = fitted.guess(text)
        chance = dict(guess.ranked).get(value, 0.0)
        return guess.label == value or guess.confidence < VETO_SURE or chance >= VETO_UNLIKELY

    def offer_answer(self, text: str) -> str | None:
        """"yes" or "no" to an offer to start: the plain reading of its first words, unless
        the whole message plainly says the opposite ("oh ok, no I'll leave it then")."""
        if self.polarity is None:
            return None
        first = self.polarity.read(text).value
        whole = self.polarity.model.guess(text)
        if first in {"yes", "no"} and whole.label in {"yes", "no"} and whole.label != first \
                and whole.confidence >= OFFER_SURE:
            return whole.label
        return first

    def option_lean(self, spec: FieldSpec, text: str) -> str | None:
        """The likeliest option for an answer already found unclear once, if any stands out."""
        model = self.options.get(option_key(spec))
        if model is None or not text.strip():
            return None
        guess = model().guess(text)
        return guess.label if guess.confidence >= OPTION_LEAN and guess.margin >= 0.1 else None


def option_key(spec: FieldSpec) -> tuple[str, tuple[str, ...]]:
    """A choice field by its name and options (the same field name may recur elsewhere)."""
    return spec.name, tuple(option.value for option in spec.options)


def option_examples(spec: FieldSpec) -> dict[str, tuple[str, ...]]:
    """{option value: its label, synonyms and examples} for a choice field (or {})."""
    if spec.type != "choice":
        return {}
    found = {}
    for option in spec.options:
        texts = tuple(dict.fromkeys((option.label, *option.synonyms, *option.examples)))
        # Options with descriptions to learn from; "other" is what is left, not a class.
        if option.examples:
            found[option.value] = texts
    return found
