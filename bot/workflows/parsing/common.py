"""Shared pieces of the field parsers: the Parsed result, choice Options and input cleaning."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from text_to_num import alpha2digit

from bot.workflows.parsing.words import numbers_by_phrase, phrases


@dataclass(frozen=True)
class Parsed:
    """The outcome of parsing one answer: a typed value, or a friendly problem to re-prompt with."""

    value: Any = None
    problem: str | None = None
    display: str | None = None
    #: For approximate dates: "month" or "year" when the value stands for a whole one.
    precision: str | None = None
    #: With a problem: the part of the answer that was understood ("January 2027" when only
    #: the day is missing), for a dialogue to combine with the next answer ("the 9th").
    partial: str | None = None

    @property
    def ok(self) -> bool:
        """True when the answer was understood (there is no problem to show)."""
        return self.problem is None


@dataclass(frozen=True)
class Option:
    """One answer a choice field accepts: the stored value, its label and other words for it."""

    value: str
    label: str
    synonyms: tuple[str, ...] = ()
    #: Answers that describe the option without naming it ("they do our IT" for a
    #: supplier), for the option classifier to learn from.
    examples: tuple[str, ...] = ()


def accept(value: Any, display: str) -> Parsed:
    """A successful parse."""
    return Parsed(value=value, display=display)


def reject(problem: str) -> Parsed:
    """A failed parse; `problem` is shown to the person as the re-prompt."""
    return Parsed(problem=problem)


#: Answers to short fields (money, dates, numbers, choices) are a few words; anything much
#: longer is not an answer, and refusing it early keeps the slower libraries off huge inputs.
SHORT_ANSWER_LIMIT = 200

#: Ways of saying "I don't know": these get asked for a best guess, not told they typed nonsense.
UNSURE_PHRASES = phrases("unsure")

# C0/C1 control characters other than tab and newlines, lone surrogates (which cannot be
# stored as UTF-8) and invisible formatting characters people paste by accident.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\u200b\u2060\ufeff]")


def as_text(raw: object) -> str:
    """Whatever a surface handed over, as a str: None is empty, bytes are decoded leniently."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, bytes | bytearray):
        return bytes(raw).decode("utf-8", "replace")
    try:
        return str(raw)
    except Exception:
        # A hostile __str__ is still not a reason to crash a conversation.
        return ""


def strip_unprintable(text: str) -> str:
    """Drop control characters and lone surrogates; turn line and paragraph separators to \\n."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u2028", "\n").replace("\u2029", "\n\n")
    return unicodedata.normalize("NFC", _UNPRINTABLE.sub("", text))


def one_line(raw: object) -> str:
    """The input on one line: unprintables gone, every run of whitespace a single space."""
    return " ".join(strip_unprintable(as_text(raw)).split())


def normalise_short(raw: object) -> str:
    """A short answer ready for matching: one line, compatibility-folded, lower case.

    NFKC turns full-width digits, non-breaking spaces and ligatures into their plain forms,
    which matters for people typing on phones with odd keyboards.
    """
    folded = unicodedata.normalize("NFKC", one_line(raw)).casefold()
    # Phones type curly apostrophes; matching lists are written with straight ones.
    return folded.replace("\u2019", "'").replace("\u2018", "'").strip()


_ARTICLE_NUMBERS = (
    (re.compile(r"\ba (hundred|thousand|million)\b"), r"one \1"),
    (re.compile(r"\ba couple of\b|\ba couple\b|\bcouple of\b"), "2"),
    (re.compile(r"\bhalf a dozen\b"), "6"),
    (re.compile(r"\ba dozen\b"), "12"),
    (re.compile(r"\bdozen\b"), "12"),
    (re.compile(r"\b(?:a )?fiver\b"), "5 pounds"),
    (re.compile(r"\b(?:a )?tenner\b"), "10 pounds"),
)
# text2num reads a lone "million" as 1000000, turning "5 million" into two numbers, so a
# digit followed by a scale word is multiplied out before it gets there.
_DIGITS_THEN_SCALE = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?\s*(hundred|thousand|million|billion)\b"
)
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_AND_A_HALF = re.compile(r"\b(\d+) and a half\b")
_HALF = re.compile(r"\b(?:a half|half an?|half)\b")


def _multiply_out(match: re.Match[str]) -> str:
    """ "2.5 million" -> "2500000", keeping any fraction of a unit as decimals."""
    number = Decimal(match.group(1).replace(",", "") + (match.group(2) or ""))
    return format(number * _SCALES[match.group(3)], "f")


# Rough amounts as a figure: "a few hundred" is 300, "fifty-odd" is 50. Only for amounts
# and hours, where a best estimate is what is asked; a date ("a few days ago") stays vague.
_ROUGHLY = numbers_by_phrase("rough_numbers")
_ROUGH = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, _ROUGHLY), key=len, reverse=True))
                    + r")\b")
_ODD = re.compile(r"\b(\d+)\s*-?\s*(?:odd|something|summat|plus|\+)(?=\s|$|[,.!?])"
                  r"(?!\s+(?:jobs?|times?|bits?|days?|ones?)\b)")


def rough_to_digits(text: str) -> str:
    """`text` with rough amounts as figures, then every number in digits (words_to_digits)."""
    text = _ROUGH.sub(lambda match: str(_ROUGHLY[match.group(0)]), text)
    text = re.sub(r"(?<=[a-z])-(?=odd\b)", " ", text)  # text2num leaves "fifty-odd" alone
    return _ODD.sub(lambda match: match.group(1), words_to_digits(text))


def is_rough(text: str) -> bool:
    """Whether `text` gives an amount only roughly ("a few hours", "fifty-odd quid")."""
    return _ROUGH.search(text) is not None or _ODD.search(words_to_digits(
        re.sub(r"(?<=[a-z])-(?=odd\b)", " ", text))) is not None


def words_to_digits(text: str, *, halves: bool = True) -> str:
    """Replace spelled-out numbers ("twenty five", "a hundred", "third") with digits.

    text2num does the real work; the few idioms it leaves alone are handled first. The caller
    must keep `text` short: text2num's time grows quickly with length.
    """
    for pattern, replacement in _ARTICLE_NUMBERS:
        text = pattern.sub(replacement, text)
    text = _DIGITS_THEN_SCALE.sub(_multiply_out, text)
    try:
        text = alpha2digit(text, "en", threshold=0)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # noqa: BLE001 - text2num is Rust; a panic arrives as a BaseException
        pass
    if not halves:
        return text
    text = _AND_A_HALF.sub(lambda m: f"{m.group(1)}.5", text)
    return _HALF.sub("0.5", text)
