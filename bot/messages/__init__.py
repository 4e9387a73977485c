"""The message catalogue: every sentence a person reads, by key, in each language.

Wording lives in YAML under ``messages/<locale>/<area>.yaml`` (the organisation edits it,
like ``workflows/``), one key per message; the key ``assistant.apology`` is the entry
``apology`` in ``messages/en/assistant.yaml``. English is complete by construction (a test
checks every key the code uses); another language is another folder, and any key it lacks
falls back to English, so adding Welsh needs no code change.

Code asks for a sentence with ``say("area.key", **fields)``. The composition root installs
the configured catalogue with ``install()``; until then the bundled one is loaded on first
use, which keeps tests and one-off scripts simple. ``speaking(locale)`` sets the language for
the current turn (a context variable, so concurrent turns in threads do not mix).
"""

from __future__ import annotations

import contextlib
import contextvars
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.yamlio import load_yaml_file

DEFAULT_LOCALE = "en"
#: The bundled catalogue, beside the other content folders.
BUNDLED = Path(__file__).resolve().parent.parent.parent / "messages"


class CatalogueError(ValueError):
    """A catalogue file cannot be used; the message names the file and the problem.

    Raised as ``CatalogueError("catalogue.<key>", **fields)``. The catalogue cannot report
    that it is itself broken, so the wording is read straight from the bundled
    ``messages/en/catalogue.yaml`` when the error is raised, without loading a catalogue.
    If that very file is the broken one, the error falls back to its key and fields, which
    still name the file and the problem, so no English sentence has to live in Python.
    """

    def __init__(self, key: str, /, **fields: object) -> None:
        super().__init__(_describe(key, fields))
        self.key = key
        self.fields = fields


def _describe(key: str, fields: Mapping[str, object]) -> str:
    area, _, name = key.partition(".")
    try:
        template = load_yaml_file(BUNDLED / DEFAULT_LOCALE / f"{area}.yaml")[name]
        return str(template).format_map(fields)
    except Exception:  # noqa: BLE001 - a broken catalogue must still be reportable
        return f"{key} " + " ".join(f"{field}={value!r}" for field, value in fields.items())


@dataclass(frozen=True)
class Message:
    """A sentence to be said later (an error raised in the core, rendered by a surface)."""

    key: str
    fields: Mapping[str, object]

    def __str__(self) -> str:
        return say(self.key, **self.fields)


class Catalogue:
    """Messages by locale and key; a locale's missing keys fall back to English."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]],
                 default_locale: str = DEFAULT_LOCALE, directory: Path = BUNDLED) -> None:
        if DEFAULT_LOCALE not in texts:
            raise CatalogueError("catalogue.no_default_locale", locale=DEFAULT_LOCALE)
        self._texts = {locale: dict(entries) for locale, entries in texts.items()}
        self.default_locale = default_locale if default_locale in texts else DEFAULT_LOCALE
        #: Where the word lists for parsing are (``<locale>/words/``, bot.messages.words).
        self.directory = directory
        _check_fields(self._texts)

    @classmethod
    def load(cls, directory: Path, default_locale: str = DEFAULT_LOCALE) -> Catalogue:
        """Every ``<locale>/<area>.yaml`` under `directory`; raises CatalogueError."""
        texts: dict[str, dict[str, str]] = {}
        if not directory.is_dir():
            raise CatalogueError("catalogue.no_directory", directory=directory)
        for locale_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
            entries: dict[str, str] = {}
            for path in sorted(locale_dir.glob("*.yaml")):
                entries.update(_read_area(path))
            texts[locale_dir.name] = entries
        return cls(texts, default_locale, directory)

    @property
    def locales(self) -> tuple[str, ...]:
        return tuple(sorted(self._texts))

    def keys(self, locale: str = DEFAULT_LOCALE) -> frozenset[str]:
        return frozenset(self._texts.get(locale, {}))

    def locale(self) -> str:
        """The language of the current turn (``speaking``), else this catalogue's default."""
        return _locale.get() or self.default_locale

    def has(self, key: str) -> bool:
        return key in self._texts[DEFAULT_LOCALE]

    def text(self, key: str, locale: str | None = None, /, **fields: object) -> str:
        """The sentence `key` in `locale` (or the current one), with `fields` filled in.

        Raises KeyError for a key English lacks: a missing sentence is a bug, not something
        to paper over with the key's name.
        """
        chosen = locale or self.locale()
        template = self._texts.get(chosen, {}).get(key)
        if template is None:
            template = self._texts[DEFAULT_LOCALE][key]
        return template.format_map(fields) if fields or "{" in template else template


def _read_area(path: Path) -> dict[str, str]:
    try:
        data = load_yaml_file(path)
    except Exception as error:  # noqa: BLE001 - any parse failure names the file
        raise CatalogueError("catalogue.not_yaml", path=path,
                             error=type(error).__name__) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CatalogueError("catalogue.not_a_mapping", path=path)
    area = path.stem
    entries = {}
    for key, value in data.items():
        if not isinstance(value, str):
            raise CatalogueError("catalogue.not_a_sentence", path=path, key=key)
        entries[f"{area}.{key}"] = value.rstrip("\n") if value.endswith("\n") else value
    return entries


def _field_names(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _check_fields(texts: Mapping[str, Mapping[str, str]]) -> None:
    # A translation that names a field English does not fill would fail at the moment a
    # person needs the sentence, and one that leaves a field out would hide it; refuse both
    # when the catalogue loads instead.
    english = texts[DEFAULT_LOCALE]
    for locale, entries in texts.items():
        for key, template in entries.items():
            try:
                names = _field_names(template)
            except ValueError as error:
                raise CatalogueError("catalogue.bad_template", locale=locale, key=key,
                                     error=error) from None
            if locale == DEFAULT_LOCALE or key not in english:
                continue
            wanted = _field_names(english[key])
            if not names <= wanted:
                raise CatalogueError("catalogue.unknown_fields", locale=locale, key=key,
                                     fields=", ".join(sorted(names - wanted)))
            if not wanted <= names:
                # Dropping one loses what the person must see (a receipt, a reference).
                raise CatalogueError("catalogue.missing_fields", locale=locale, key=key,
                                     fields=", ".join(sorted(wanted - names)))


_installed: Catalogue | None = None
_locale: contextvars.ContextVar[str | None] = contextvars.ContextVar("probity_locale",
                                                                      default=None)


def install(catalogue: Catalogue) -> None:
    """Make `catalogue` the one `say` uses (the composition root calls this once)."""
    global _installed
    _installed = catalogue


def catalogue() -> Catalogue:
    """The installed catalogue, or the bundled one loaded on first use."""
    global _installed
    if _installed is None:
        _installed = Catalogue.load(BUNDLED)
    return _installed


def current_locale() -> str:
    """The language being spoken now: the turn's (``speaking``) or the installed default."""
    return catalogue().locale()


def say(key: str, /, **fields: object) -> str:
    """The sentence `key` in the current language, with `fields` filled in."""
    return catalogue().text(key, **fields)


@contextlib.contextmanager
def speaking(locale: str | None) -> Iterator[None]:
    """Say everything inside the block in `locale` (None: the catalogue's default)."""
    token = _locale.set(locale)
    try:
        yield
    finally:
        _locale.reset(token)
