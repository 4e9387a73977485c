"""Plain number answers such as hours a week ("about 10 hours", "ten", "8-10")."""

from __future__ import annotations

from decimal import Decimal

from bot.messages import say
from bot.workflows.parsing.amounts import Found, Reading, contains_any, read_numbers, words_only
from bot.workflows.parsing.common import (
    SHORT_ANSWER_LIMIT,
    UNSURE_PHRASES,
    Parsed,
    accept,
    normalise_short,
    reject,
)

# "m" is left out on purpose: next to hours or days it more likely means minutes or months.
_NUMBER_MULTIPLIERS = {"k": 1_000, "thousand": 1_000, "grand": 1_000}
_NONE = frozenset({"none", "nothing", "zero", "nil", "no", "not any", "nowt", "0"})


def _format_number(value: Decimal) -> str:
    """1000 -> "1,000", 2.50 -> "2.5": no trailing zeros, thousands separated."""
    if value == value.to_integral():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def _with_unit(value: Decimal, unit: str | None) -> str:
    """The number with its unit, singular for exactly one ("1 hour", "2 hours")."""
    number = _format_number(value)
    if not unit:
        return number
    if value == 1 and unit.endswith("s") and len(unit) > 1:
        unit = unit[:-1]
    return f"{number} {unit}"


def _amount(found: Found, inherited_suffix: str = "") -> Decimal:
    """One number with any thousands multiplier applied."""
    return found.amount * _NUMBER_MULTIPLIERS.get(found.suffix or inherited_suffix, 1)


def _choose(reading: Reading) -> Decimal | str:
    """The single number an answer means, or a problem naming the candidates."""
    if reading.is_range():
        # Take the top of a range: for hours of outside work the higher figure is the
        # cautious one, and the summary shows it for the person to change.
        low, high = reading.numbers
        return max(_amount(low, high.suffix), _amount(high))
    values = sorted({_amount(n) for n in reading.numbers})
    if len(values) == 1:
        return values[0]
    shown = " and ".join(_format_number(v) for v in values[:3])
    return say("parsing.number_several", shown=shown)


def _range_problem(value: Decimal, minimum: float | None, maximum: float | None,
                   unit: str | None) -> str | None:
    """The re-prompt for a number outside the allowed range, or None when it is inside."""
    low = None if minimum is None else Decimal(str(minimum))
    high = None if maximum is None else Decimal(str(maximum))
    if (low is None or value >= low) and (high is None or value <= high):
        return None
    if low is not None and high is not None:
        return say("parsing.number_between", low=_with_unit(low, None),
                   high=_with_unit(high, unit))
    if low is not None:
        return say("parsing.number_at_least", low=_with_unit(low, unit))
    return say("parsing.number_at_most", high=_with_unit(high, unit))  # type: ignore[arg-type]


def parse_number(text: str, *, minimum: float | None = None, maximum: float | None = None,
                 unit: str | None = None) -> Parsed:
    """A number, words allowed; the value is an int when whole, otherwise a float."""
    example = say("parsing.number_example", example=_with_unit(Decimal(10), unit))
    normalised = normalise_short(text)
    if not normalised:
        return reject(say("parsing.number_empty", example=example))
    if len(normalised) > SHORT_ANSWER_LIMIT:
        return reject(say("parsing.number_too_long", example=example))
    if contains_any(normalised, UNSURE_PHRASES):
        return reject(say("parsing.number_unsure", example=example))
    if words_only(normalised) in _NONE:
        value: Decimal | str = Decimal(0)
    else:
        reading = read_numbers(normalised)
        if not reading.numbers:
            return reject(say("parsing.number_missing", example=example))
        value = _choose(reading)
        if isinstance(value, Decimal) and reading.negative():
            value = -value
    if isinstance(value, str):
        return reject(value)
    if value < 0 and (minimum is None or minimum >= 0):
        return reject(say("parsing.number_negative", example=example))
    problem = _range_problem(value, minimum, maximum, unit)
    if problem:
        return reject(problem)
    typed: int | float = int(value) if value == value.to_integral() else float(value)
    return accept(typed, _with_unit(value, unit))
