"""Word lists the parsers match against, per language: ``messages/<locale>/words/<file>.yaml``.

These are language data, not sentences: nobody reads them, they are compared with what
people type, so they sit beside the catalogue (a sub-folder it does not load as messages).
Like the messages, each list is looked up in the current language (``speaking``, else the
installed catalogue's default) and falls back to English list by list, so a Welsh
``messages/cy/words/parsing.yaml`` that gives only "yes" and "no" is used for those and
English for the rest, with no code change.

Modules keep their lists as module constants made at import, before the composition root
has installed a catalogue; so the lists handed out are views that read the current
language each time they are used, not copies taken at import.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Set
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from bot.messages import DEFAULT_LOCALE, catalogue, current_locale
from bot.yamlio import load_yaml_file

V = TypeVar("V")


@cache
def _file(directory: Path, locale: str, name: str) -> Mapping[str, Any]:
    path = directory / locale / "words" / f"{name}.yaml"
    if not path.exists():
        return {}
    data = load_yaml_file(path)
    if not isinstance(data, dict):
        raise TypeError(path)
    return data


def _entry(file: str, name: str) -> Any:
    """List `name` of word file `file` in the current language, else in English."""
    directory = catalogue().directory
    found = _file(directory, current_locale(), file)
    if name in found:
        return found[name]
    return _file(directory, DEFAULT_LOCALE, file)[name]


class Phrases(Set[str]):
    """A list of lower-case words and phrases, read in the current language when used."""

    def __init__(self, file: str, name: str, extra: frozenset[str] = frozenset()) -> None:
        self._file, self._name, self._extra = file, name, extra

    def _now(self) -> frozenset[str]:
        return _phrases(catalogue().directory, current_locale(), self._file, self._name,
                        self._extra)

    def __contains__(self, item: object) -> bool:
        return item in self._now()

    def __iter__(self) -> Iterator[str]:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())

    def __or__(self, other: Set[Any]) -> Phrases:
        # "unsure words and maybe": still a view, so the union follows the language too.
        return Phrases(self._file, self._name, self._extra | frozenset(map(str, other)))

    def __repr__(self) -> str:
        return f"Phrases({self._file!r}, {self._name!r})"


@cache
def _phrases(directory: Path, locale: str, file: str, name: str,
             extra: frozenset[str]) -> frozenset[str]:
    del directory, locale  # the cache key: the words differ by catalogue and language
    return frozenset(str(item) for item in _entry(file, name)) | extra


class Lexicon(Mapping[str, V]):
    """A mapping from phrases (or meanings) to values, read in the current language."""

    def __init__(self, file: str, name: str, convert: str) -> None:
        self._file, self._name, self._convert = file, name, convert

    def _now(self) -> Mapping[str, V]:
        return _mapping(catalogue().directory, current_locale(), self._file, self._name,
                        self._convert)

    def __getitem__(self, key: str) -> V:
        return self._now()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "int": int,
    "pair": lambda value: (int(value[0]), int(value[1])),
    "set": lambda value: {str(item) for item in value},
}


@cache
def _mapping(directory: Path, locale: str, file: str, name: str, convert: str) -> Mapping[str, Any]:
    del directory, locale  # the cache key, as for _phrases
    return {str(key): _CONVERTERS[convert](value) for key, value in _entry(file, name).items()}


def phrases(file: str, name: str) -> Phrases:
    """The list `name` in words file `file`, as a set of lower-case words and phrases."""
    return Phrases(file, name)


def numbers_by_phrase(file: str, name: str) -> Lexicon[int]:
    """The mapping `name` of phrase to a whole number (such as a day offset)."""
    return Lexicon(file, name, "int")


def pairs_by_phrase(file: str, name: str) -> Lexicon[tuple[int, int]]:
    """The mapping `name` of phrase to two whole numbers (such as month and day)."""
    return Lexicon(file, name, "pair")


def groups(file: str, name: str) -> Lexicon[set[str]]:
    """The mapping `name` of a meaning to the phrases that say it, in file order."""
    return Lexicon(file, name, "set")
