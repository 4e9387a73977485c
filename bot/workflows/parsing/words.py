"""The vocabulary the parsers match against, loaded once from messages/en/words/parsing.yaml.

These are language data, not sentences: nobody reads them, they are compared with what
people type, so they sit beside the catalogue (a sub-folder it does not load) rather than in
it, and another language can bring its own list.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from bot.messages import BUNDLED, DEFAULT_LOCALE
from bot.yamlio import load_yaml_file

_FILE = BUNDLED / DEFAULT_LOCALE / "words" / "parsing.yaml"


@cache
def _vocabulary() -> dict[str, Any]:
    data = load_yaml_file(_FILE)
    if not isinstance(data, dict):
        raise TypeError(_FILE)
    return data


def phrases(name: str) -> frozenset[str]:
    """The list `name`, as a set of lower-case words and phrases."""
    return frozenset(str(item) for item in _vocabulary()[name])


def numbers_by_phrase(name: str) -> dict[str, int]:
    """The mapping `name` of phrase to a whole number (such as a day offset)."""
    return {str(key): int(value) for key, value in _vocabulary()[name].items()}


def pairs_by_phrase(name: str) -> dict[str, tuple[int, int]]:
    """The mapping `name` of phrase to two whole numbers (such as month and day)."""
    return {str(key): (int(value[0]), int(value[1]))
            for key, value in _vocabulary()[name].items()}


def groups(name: str) -> dict[str, set[str]]:
    """The mapping `name` of a meaning to the phrases that say it, in file order."""
    return {str(key): {str(item) for item in value} for key, value in _vocabulary()[name].items()}
