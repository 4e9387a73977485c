"""Reading a person's words about a campaign: an acknowledgement, a nil return, a
declaration, a question, or something else; learned from knowledge/acknowledgements.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.workflows.understanding.model import LinearTextModel
from bot.workflows.understanding.training import fitted
from bot.yamlio import load_yaml_file

EXAMPLES_FILE = "acknowledgements.yaml"
MEANINGS = ("acknowledge", "nil_return", "declare", "question", "other")
#: How sure the model must be before a message is taken as acknowledging: recording an
#: acknowledgement the person did not mean is worse than asking them again.
SURE = 0.5


def load_examples(path: Path) -> dict[str, tuple[str, ...]]:
    raw = load_yaml_file(path)
    replies = raw.get("replies") if isinstance(raw, dict) else None
    if not isinstance(replies, dict):
        raise ValueError(path)
    return {str(label): tuple(str(text) for text in texts or ())
            for label, texts in replies.items() if label in MEANINGS}


@dataclass(frozen=True)
class ReplyReader:
    """The fitted model; `meaning(text)` is one of MEANINGS."""

    model: LinearTextModel

    @classmethod
    def build(cls, knowledge_dir: Path, cache_dir: Path | None) -> ReplyReader:
        return cls(fitted("campaign-replies", load_examples(knowledge_dir / EXAMPLES_FILE),
                          cache_dir))

    def meaning(self, text: str) -> str:
        guess = self.model.guess(text)
        # Unsure: nothing is taken, and the message is routed as if no campaign were open.
        return guess.label if guess.confidence >= SURE else "other"
