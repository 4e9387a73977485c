"""Hours of work in the ways people give them, as hours a week.

"about 10 hours a week", "a couple of hours a month", "three 8 hour shifts a fortnight",
"two evenings a week, 4 hours each", "6 hrs every other weekend": each is turned into a
weekly figure, so a question asking for hours a week takes the answer as said.
"""

from __future__ import annotations

import re
from decimal import Decimal

from bot.workflows.parsing.common import normalise_short, rough_to_digits

_NUM = r"(\d+(?:\.\d+)?)"
_HOURS = r"(?:hours?|hrs?|h)\b"
_SHIFTS = (r"(?:shifts?|sessions?|evenings?|eves?|nights?|days?|mornings?|afternoons?|lessons?"
           r"|gigs?|matche?s?|games?|classes|class|weekends?)\b")
#: How many weeks each period is, for turning "a month" into a week.
_WEEKS = {
    "day": Decimal(1) / 7, "week": Decimal(1), "fortnight": Decimal(2), "month": Decimal(52) / 12,
    "year": Decimal(52),
}
_PERIOD = re.compile(
    r"\b(?:a|an|per|each|every|/)\s*(?P<other>other\s+)?(?P<unit>day|week|wk|fortnight|month"
    r"|mth|year|yr|weekend)\b|\b(?P<ly>daily|weekly|fortnightly|monthly|yearly|annually)\b"
    r"|\bp/?(?P<short>w|m|a)\b")
_LY = {"daily": "day", "weekly": "week", "fortnightly": "fortnight", "monthly": "month",
       "yearly": "year", "annually": "year"}
_SHORT = {"w": "week", "m": "month", "a": "year"}
# "3 x 8 hour shifts", "three 8-hour shifts", "3 shifts of 8 hours", "2 evenings, 4 hours each"
_COUNT_OF_LENGTH = re.compile(rf"{_NUM}\s*(?:x\s*)?{_NUM}\s*-?\s*{_HOURS}\s*{_SHIFTS}")
_COUNT_THEN_LENGTH = re.compile(
    rf"{_NUM}\s*{_SHIFTS}[^\d]{{0,25}}?{_NUM}\s*{_HOURS}(?:\s*(?:each|a time|long|apiece))?")
# "one wedding a month, 10 hours each": a count of anything with a length each.
_COUNT_EACH = re.compile(
    rf"{_NUM}\s+[a-z]+\b[^\d]{{0,30}}?{_NUM}\s*{_HOURS}\s*(?:each|a time|apiece|per)")
_PLAIN_HOURS = re.compile(rf"{_NUM}\s*-?\s*{_HOURS}")
_DAY_HOURS = Decimal(8)
_DAYS = re.compile(r"(?:(?P<half>half\s+(?:a\s+)?)|(?P<n>\d+(?:\.\d+)?)\s+(?:full\s+)?|"
                   r"(?:a\s+)?full\s+)(?:working\s+)?days?\b")
_NONE = re.compile(r"^(?:none|nothing|zero|no time|no hours|hardly any|barely any)\b")
_HARDLY = re.compile(r"\b(?:" + "|".join(("barely any", "hardly any", r"next\s+to nothing",
                                          "not many", "very few")) + r")\b")


def weekly_hours(text: str) -> Decimal | None:
    """Hours a week that `text` says (anywhere in it), or None if it gives no hours."""
    said = normalise_short(text).replace("-", " ")
    # "£30 an hour" is a rate of pay, not an hour of work.
    said = re.sub(r"£\s*\d+(?:\.\d+)?\s*(?:an|a|per|/)\s*(?:hour|hr)\b", " ", said)
    said = re.sub(r"\bhalf an? (hour|hr)\b", r"0.5 \1", said)
    said = _ARTICLE_UNIT.sub(_one_unit, said)
    said = rough_to_digits(said)
    said = re.sub(r"\b(\d+)\s+(?:or|to)\s+(\d+)\b", r"\2", said)  # "2 or 3 hours": the top
    hours = _hours(said)
    if hours is None:
        # Asked for hours, "16 a month" is 16 hours a month.
        bare = _BARE_PER_PERIOD.search(said)
        hours = Decimal(bare.group(1)) if bare else None
    if hours is None:
        return None
    per_day = _HOURS_A_DAY.search(said)
    if per_day and _DAYS_COUNT.search(said[:per_day.start()] + " " + said[per_day.end():]):
        said = said[:per_day.start()] + " " + said[per_day.end():]  # "a day" was the length
    period = _period(said)
    weeks = _WEEKS[period[0]] * (2 if period[1] else 1)
    weekly = (hours / weeks).quantize(Decimal("0.1"))
    return weekly.to_integral_value() if weekly == weekly.to_integral_value() else weekly


# "an hour", "a shift", "a day" as a count of one; but not a period after a count: "an
# hour a day" is an hour each day, not an hour and a day.
_ARTICLE_UNIT = re.compile(r"\b(?:an|a|one)\s+(hour|hr|shift|evening|session|day)\b")
_BARE_PER_PERIOD = re.compile(
    rf"(?:^|\s){_NUM}\s*(?:a|an|per|each|every|/)\s*(?:other\s+)?(?:day|week|wk|fortnight"
    r"|month|mth|year|yr)\b")


def _one_unit(match: re.Match[str]) -> str:
    before = match.string[:match.start()].rstrip()
    if re.search(rf"(?:{_HOURS[:-2]}|\d|shifts?|evenings?|sessions?)$", before):
        return match.group(0)  # a period after a count: leave "a day" to say how often
    return f"1 {match.group(1)}"


def weekly_count(text: str, unit: str) -> Decimal | None:
    """How many of `unit` ("lesson", "shift") a week `text` says: "4 lessons a week" -> 4,
    "three 8 hour shifts a fortnight" -> 1.5; None if it does not count them."""
    said = normalise_short(text).replace("-", " ")
    said = re.sub(r"\b(?:an|a|one)\s+(hour|hr|shift|evening|session|day|lesson)\b", r"1 \1", said)
    said = rough_to_digits(said)
    match = re.search(rf"{_NUM}\s+(?:\d+(?:\.\d+)?\s*{_HOURS}\s*)?{re.escape(unit)}s?\b", said)
    if not match:
        return None
    period, every_other = _period(said)
    weeks = _WEEKS[period] * (2 if every_other else 1)
    return Decimal(match.group(1)) / weeks


# "4 hours a day, 2 days a week" and "2 days a week, 4 hours a day": hours times days.
_HOURS_A_DAY = re.compile(rf"{_NUM}\s*{_HOURS}\s*(?:a|an|per|each|every|/)\s*day\b")
_DAYS_COUNT = re.compile(rf"{_NUM}\s*(?:days?|shifts?|evenings?|nights?)\b")


def _hours(said: str) -> Decimal | None:
    per_day = _HOURS_A_DAY.search(said)
    count = _DAYS_COUNT.search(said[:per_day.start()] + " " + said[per_day.end():]) \
        if per_day else None
    if per_day and count:
        return Decimal(per_day.group(1)) * Decimal(count.group(1))
    match = _COUNT_OF_LENGTH.search(said)
    if match:
        return Decimal(match.group(1)) * Decimal(match.group(2))
    match = _COUNT_THEN_LENGTH.search(said)
    if match:
        return Decimal(match.group(1)) * Decimal(match.group(2))
    match = _COUNT_EACH.search(said)
    if match:
        return Decimal(match.group(1)) * Decimal(match.group(2))
    match = _PLAIN_HOURS.search(said)
    if match:
        return Decimal(match.group(1))
    match = _DAYS.search(said)
    if match:
        # A working day, in hours: "a full day every weekend", "half a day a week".
        days = Decimal(match.group("n") or ("0.5" if match.group("half") else "1"))
        return days * _DAY_HOURS
    if _HARDLY.search(said) and re.search(r"\bhours?\b", said):
        return Decimal(1)
    if _NONE.match(said):
        return Decimal(0)
    return None


def _period(said: str) -> tuple[str, bool]:
    """The period the hours are per ("week" unless it says otherwise), and whether every other."""
    match = _PERIOD.search(said)
    if not match:
        return "week", False
    if match.group("ly"):
        return _LY[match.group("ly")], False
    if match.group("short"):
        return _SHORT[match.group("short")], False
    unit = {"wk": "week", "mth": "month", "yr": "year", "weekend": "week"}.get(
        match.group("unit"), match.group("unit"))
    return unit, bool(match.group("other"))
