"""The vocabulary the parsers match against: messages/<locale>/words/parsing.yaml.

These are language data, not sentences: nobody reads them, they are compared with what
people type. Each list follows the current language with English fallback
(bot.messages.words), so a Welsh parsing.yaml needs no change here.
"""

from __future__ import annotations

from bot.messages import words

_FILE = "parsing"


def phrases(name: str) -> words.Phrases:
    """The list `name`, as a set of lower-case words and phrases."""
    return words.phrases(_FILE, name)


def numbers_by_phrase(name: str) -> words.Lexicon[int]:
    """The mapping `name` of phrase to a whole number (such as a day offset)."""
    return words.numbers_by_phrase(_FILE, name)


def pairs_by_phrase(name: str) -> words.Lexicon[tuple[int, int]]:
    """The mapping `name` of phrase to two whole numbers (such as month and day)."""
    return words.pairs_by_phrase(_FILE, name)


def groups(name: str) -> words.Lexicon[set[str]]:
    """The mapping `name` of a meaning to the phrases that say it, in file order."""
    return words.groups(_FILE, name)
