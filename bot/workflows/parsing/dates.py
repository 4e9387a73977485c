"""Date answers the way people give them: "yesterday", "last Friday", "3 March", "03/03/2026".

The common forms are read here by rule, so their meaning is fixed and tested (UK day-first,
"last Friday" is the most recent Friday before today, a missing year picks the nearest date
the field allows). Anything else goes to dateparser, fenced off from its surprises: it reads
"may", "sat" or "a" as dates, so it is only asked about text that looks like a date and must
name at least a day and a month.

Vague periods ("last week", "last month", "a few days ago") are queried rather than guessed,
because the date goes on a register and a guessed day would look authoritative.

Some questions only need a month or a year ("since when have you known them?"): with
precision="month" the answer may be "March 2019", "2019", "last year" or "5 years ago". The
value is the first day of that month or year, Parsed.precision says which, and the display
says it the way the person did ("March 2019", "2019"), never a made-up day. There a recent
span ("last week", "a few days ago") is the month it falls in, or asks which of two months
when it straddles them.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from bot.messages import say
from bot.workflows.parsing.amounts import contains_any
from bot.workflows.parsing.common import (
    UNSURE_PHRASES,
    Parsed,
    accept,
    normalise_short,
    reject,
    words_to_digits,
)
from bot.workflows.parsing.words import numbers_by_phrase, pairs_by_phrase

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")

_WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tues": 1, "tue": 1, "wednesday": 2, "weds": 2,
    "wed": 2, "thursday": 3, "thurs": 3, "thur": 3, "thu": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}


def _alternation(words: dict[str, int]) -> str:
    """A regex alternation of the words, longest first so "march" beats "mar"."""
    return "|".join(sorted(words, key=len, reverse=True))


_WD = _alternation(_WEEKDAYS)
_MON = _alternation(_MONTHS)
_DAY = r"(?P<day>\d{1,2})(?P<suffix>st|nd|rd|th)?"
_YEAR = r"(?:\s+(?P<year>\d{4}|\d{2}))?"
_WD_PREFIX = rf"(?:(?P<weekday>{_WD})\s+)?"

_DAY_MONTH = re.compile(rf"^{_WD_PREFIX}(?:the\s+)?{_DAY}\s+(?:of\s+)?(?P<month>{_MON}){_YEAR}$")
_MONTH_DAY = re.compile(rf"^{_WD_PREFIX}(?P<month>{_MON})\s+(?:the\s+)?{_DAY}{_YEAR}$")
_MONTH_ONLY = re.compile(
    rf"^(?:(?:early|mid|late|in|start of|end of|beginning of|middle of)\s+)?(?P<month>{_MON})"
    r"(?:\s+(?P<year>\d{4}))?$"
)
_DAY_ONLY = re.compile(rf"^{_WD_PREFIX}(?P<the>the\s+)?{_DAY}$")
_ISO = re.compile(r"^(?P<year>\d{4})[-/.](?P<month>\d{1,2})[-/.](?P<day>\d{1,2})$")
_DMY = re.compile(r"^(?P<day>\d{1,2})[-/.](?P<month>\d{1,2})(?:[-/.](?P<year>\d{4}|\d{2}))?$")
_WEEKDAY = re.compile(
    rf"^(?:(?P<which>last|previous|past|this past|next|coming|this coming|this)\s+)?"
    rf"(?P<weekday>{_WD})(?:\s+(?:(?P<gone>just gone|gone)|(?P<week>last|this|next) week))?$"
)
_AGO = re.compile(
    r"^(?P<n>\d+|a|an|one)\s+(?P<unit>day|week|month|year)s?\s+(?:ago|back|before|earlier)$"
)
_AHEAD = re.compile(
    r"^(?:in\s+)?(?P<n>\d+|a|an|one)\s+(?P<unit>day|week|month|year)s?(?:'s)?"
    r"(?:\s+(?:time|from now|from today|later))?$"
)
_AHEAD_NEEDS_MARKER = re.compile(r"^in\s|\s(?:time|from now|from today|later)$")
_VAGUE = re.compile(
    r"^(?:(?:last|this|next|past|previous|the past|the last|the next|coming|early|earlier|late"
    r"|later|end of|start of|beginning of|middle of|mid)\s+)+(?:week|month|year|weekend|fortnight)"
    r"$|^(?:a few|few|several|some|a number of|many|couple)\s+(?:days|weeks|months|years)"
    r"(?:\s+ago)?$|^(?:recently|the other day|a while ago|a while back|ages ago|not long ago"
    r"|a bit ago|some time ago|a while|earlier|soon|sometime|at some point)$"
)
_KEYWORDS = numbers_by_phrase("relative_days")

# Fixed-date holidays, which matter here: Christmas is when most gifts are offered.
_HOLIDAYS = pairs_by_phrase("holidays")

# Bits that say nothing about the day: fillers before it, times of day after it.
_FILLER = re.compile(
    r"^(?:(?:it was|it's|that was|this was|was|it happened|happened|on|about|around|approx"
    r"|approximately|roughly|probably|maybe|i think|i believe|circa|c|sometime|some time"
    r"|back on)\s+)+"
)
_TRAILING_FILLER = re.compile(r"(?:\s+(?:i think|i believe|probably|or so|i reckon))+$")
_TIME_OF_DAY = re.compile(
    r"\b(?:at|around|about|from)?\s*\d{1,2}(?:[:.]\d{2})?\s*(?:am|pm)\b"
    r"|\b(?:at|around|about|from)?\s*\d{1,2}:\d{2}\b"
    r"|\b(?:in the|at|around)?\s*(?:morning|afternoon|evening|night|lunchtime|lunch time|teatime"
    r"|noon|midday|midnight)\b"
)
# Phrases that name a day through a time of day, turned into the day before times are dropped.
_TODAY_PHRASES = re.compile(
    r"\b(?:earlier )?this (?:morning|afternoon|evening)\b|\btonight\b|\bearlier today\b"
)
_LAST_NIGHT = re.compile(r"\blast night\b")
_LETTER_DIGIT_JOIN = re.compile(
    r"(?<=[a-z])[-/.](?=\d)|(?<=\d)[-/.](?=[a-z])|(?<=[a-z])-(?=[a-z])"
)
# Periods and spans rather than days, anywhere in the answer.
_VAGUE_ANYWHERE = re.compile(r"\b(?:weekend|week before last|week of|or so ago)\b")
_EITHER = re.compile(r"\bor\b|\bbetween\b")
_DAY_WORDS = frozenset({"yesterday", "today", "tomorrow"})
_DATE_WORDS = frozenset(set(_MONTHS) | set(_WEEKDAYS) | {
    "ago", "yesterday", "today", "tomorrow", "week", "weeks", "day", "days", "month", "months",
    "year", "years", "fortnight",
})


@dataclass(frozen=True)
class _Field:
    """What the field allows, which decides how an incomplete date is completed."""

    today: date
    allow_past: bool
    allow_future: bool

    def allows(self, value: date) -> bool:
        """True when the field accepts the date as far as past and future go."""
        return ((self.allow_past or value >= self.today)
                and (self.allow_future or value <= self.today))

    def examples(self) -> str:
        """Example answers suited to the field, as a phrase for a re-prompt."""
        sample = self.today.strftime("%d/%m/%Y")
        if self.allow_past and not self.allow_future:
            return say("parsing.date_examples_past", sample=sample)
        if self.allow_future and not self.allow_past:
            return say("parsing.date_examples_future", sample=sample)
        return say("parsing.date_examples_any", sample=sample)

    def ask_for_day(self) -> str:
        """The re-prompt for a period rather than a day."""
        if self.allow_past:
            return say("parsing.date_which_day_past")
        return say("parsing.date_which_day_future")


def format_approximate(value: date, precision: str | None) -> str:
    """A date shown as exactly as it is known: "March 2019", "2019" or the full day."""
    if precision == "year":
        return str(value.year)
    if precision == "month":
        return f"{_MONTH_NAMES[value.month - 1]} {value.year}"
    return format_date(value)


def format_date(value: date) -> str:
    """A date written out in full, UK style: "Friday 20 November 2026"."""
    return (f"{_DAY_NAMES[value.weekday()]} {value.day} {_MONTH_NAMES[value.month - 1]} "
            f"{value.year}")


def _add_months(value: date, months: int) -> date:
    """Calendar arithmetic, keeping the day where it exists (31 March - 1 month = 28/29 Feb)."""
    year, month_index = divmod(value.month - 1 + months, 12)
    year += value.year
    if not 1 <= year <= 9999:
        return value  # out of range: the years check in parse_date will catch it
    day = min(value.day, calendar.monthrange(year, month_index + 1)[1])
    return date(year, month_index + 1, day)


def _shift(value: date, count: int, unit: str) -> date:
    """`value` moved by `count` days, weeks, months or years (negative goes back)."""
    count = max(-20_000, min(20_000, count))  # stays inside date's range; checked later anyway
    if unit == "day":
        return _safe_add(value, timedelta(days=count))
    if unit == "week":
        return _safe_add(value, timedelta(weeks=count))
    return _add_months(value, count * (12 if unit == "year" else 1))


def _safe_add(value: date, delta: timedelta) -> date:
    """Date arithmetic that stays at the edge of the calendar instead of overflowing."""
    try:
        return value + delta
    except OverflowError:
        return date.max if delta.days > 0 else date.min


def _simplify(normalised: str) -> str:
    """Strip fillers and times of day so the patterns only see the date itself."""
    text = normalised.replace(",", " ").rstrip(".!?;: ")
    text = re.sub(r"\ba fortnight\b|\bfortnight\b", "2 weeks", text)
    text = words_to_digits(text, halves=False)
    text = _LETTER_DIGIT_JOIN.sub(" ", text)
    text = _TODAY_PHRASES.sub("today", _LAST_NIGHT.sub("yesterday", text))
    text = _TIME_OF_DAY.sub(" ", text)
    text = " ".join(text.split())
    text = _TRAILING_FILLER.sub("", _FILLER.sub("", text))
    text = re.sub(r"\b(\d+)(?:st|nd|rd|th)\b", r"\1th", text)  # one suffix form to match
    return text.strip(" .")


def _count(word: str) -> int:
    return 1 if word in ("a", "an", "one") else int(word)


def _from_keyword(text: str, field: _Field) -> date | str | None:
    offset = _KEYWORDS.get(text)
    if offset is not None:
        return field.today + timedelta(days=offset)
    holiday = _HOLIDAYS.get(text.replace("'", ""))
    return None if holiday is None else _complete(holiday[1], holiday[0], None, field)


def _from_relative(text: str, field: _Field) -> date | None:
    match = _AGO.match(text)
    if match:
        return _shift(field.today, -_count(match["n"]), match["unit"])
    match = _AHEAD.match(text)
    if match and _AHEAD_NEEDS_MARKER.search(text):
        return _shift(field.today, _count(match["n"]), match["unit"])
    return None


def _from_weekday(text: str, field: _Field) -> date | None:
    match = _WEEKDAY.match(text)
    if not match:
        return None
    wanted = _WEEKDAYS[match["weekday"]]
    which = "last" if match["gone"] else (match["which"] or "")
    today = field.today
    if match["week"]:
        # "Friday last week": that weekday in the Monday-to-Sunday week before this one.
        weeks = {"last": -1, "this": 0, "next": 1}[match["week"]]
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)
        return monday + timedelta(days=wanted)
    if which == "this":
        return today - timedelta(days=today.weekday()) + timedelta(days=wanted)
    if which in ("next", "coming", "this coming") or (not which and not field.allow_past):
        return today + timedelta(days=(wanted - today.weekday()) % 7 or 7)
    # "last Friday", "Friday gone" and a bare "Friday" on a field about the past: the most
    # recent one strictly before today.
    return today - timedelta(days=(today.weekday() - wanted) % 7 or 7)


def _nearest(candidates: list[date], field: _Field) -> date | None:
    """The candidate the field most likely means: allowed by the field, nearest to today."""
    allowed = [c for c in candidates if field.allows(c)]
    pool = allowed or candidates
    if not pool:
        return None
    # Ties (same distance either side) go to the past when the past is allowed.
    return min(pool, key=lambda c: (abs((c - field.today).days),
                                    c > field.today if field.allow_past else c < field.today))


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _full_year(two_or_four: str, field: _Field) -> int:
    """ "26" -> 2026, but "99" -> 1999: two-digit years far in the future mean last century."""
    year = int(two_or_four)
    if len(two_or_four) == 2:
        year += 2000
        if year > field.today.year + 10:
            year -= 100
    return year


def _complete(day: int, month: int, year: str | None, field: _Field) -> date | str:
    """A day and month, with the year given or inferred, or a problem if it doesn't exist."""
    if not 1 <= month <= 12:
        return say("parsing.date_not_a_date", examples=field.examples())
    if year:
        full = _full_year(year, field)
        found = _valid(full, month, day)
        if found:
            return found
        return say("parsing.date_no_such_day", day=day, month=_MONTH_NAMES[month - 1],
                   year=full)
    # Four years either way so that "29 February" still finds a leap year; the nearest wins.
    years = range(field.today.year - 4, field.today.year + 5)
    best = _nearest([d for y in years if (d := _valid(y, month, day))], field)
    return best or say("parsing.date_no_such_day_any_year", day=day,
                       month=_MONTH_NAMES[month - 1])


def _check_weekday(found: date | str, weekday: str | None) -> date | str:
    """A weekday typed with a date must agree with it; if not, ask which was meant."""
    if isinstance(found, str) or not weekday or _WEEKDAYS[weekday] == found.weekday():
        return found
    return say("parsing.date_weekday_mismatch", day=found.day,
               month=_MONTH_NAMES[found.month - 1], year=found.year,
               actual=_DAY_NAMES[found.weekday()], typed=_DAY_NAMES[_WEEKDAYS[weekday]])


def _from_numeric(text: str, field: _Field) -> date | str | None:
    match = _ISO.match(text)
    if match:
        return _complete(int(match["day"]), int(match["month"]), match["year"], field)
    match = _DMY.match(text)
    if not match:
        return None
    day, month = int(match["day"]), int(match["month"])
    if month > 12 and 1 <= day <= 12:
        swapped = "/".join(filter(None, (match["month"], match["day"], match["year"])))
        typed = "/".join(filter(None, (match["day"], match["month"], match["year"])))
        return say("parsing.date_day_first", typed=typed, swapped=swapped)
    return _complete(day, month, match["year"], field)


def _from_month_name(text: str, field: _Field) -> date | str | None:
    match = _DAY_MONTH.match(text) or _MONTH_DAY.match(text)
    if match:
        found = _complete(int(match["day"]), _MONTHS[match["month"]], match["year"], field)
        return _check_weekday(found, match["weekday"])
    match = _MONTH_ONLY.match(text)
    if match:
        name = _MONTH_NAMES[_MONTHS[match["month"]] - 1]
        return say("parsing.date_which_day_in", month=name)
    match = _DAY_ONLY.match(text)
    if match and (match["the"] or match["suffix"] or match["weekday"]):
        return _check_weekday(_day_of_month(int(match["day"]), field), match["weekday"])
    return None


def _month_said(text: str) -> str | None:
    """ "January 2027" when the answer named a month (and year) but no day, else None."""
    match = _MONTH_ONLY.match(text)
    if not match:
        return None
    name = _MONTH_NAMES[_MONTHS[match["month"]] - 1]
    return f"{name} {match['year']}" if match["year"] else name


def _day_of_month(day: int, field: _Field) -> date | str:
    """ "The 3rd": that day in this month, the last or the next, whichever the field means."""
    today = field.today
    months = [_add_months(today.replace(day=1), n) for n in (-1, 0, 1)]
    best = _nearest([d for m in months if (d := _valid(m.year, m.month, day))], field)
    return best or say("parsing.date_no_such_day_of_month", day=day)


def _from_dateparser(text: str, field: _Field) -> date | None:
    """Last resort for unusual phrasing, only on text that looks like a date at all."""
    words = text.split()
    if not (re.search(r"\d", text) or _DATE_WORDS.intersection(words)):
        return None
    if len(words) > 1 and _DAY_WORDS.intersection(words):
        # Exact "yesterday" and friends were read already; dateparser gets combinations
        # wrong ("2 days before yesterday" came back as yesterday), so they are queried.
        return None
    prefer = ("past" if not field.allow_future else
              "future" if not field.allow_past else "current_period")
    settings = {
        "DATE_ORDER": "DMY",
        "PREFER_DATES_FROM": prefer,
        "RELATIVE_BASE": datetime.combine(field.today, time(12)),
        # Without this, "2026" or "12" become a whole date made up around today.
        "REQUIRE_PARTS": ["day", "month"],
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    # Imported here, not at the top: it costs about 0.15 s of CPU, and most turns (and every
    # start-up) never reach it, since exact dates and "yesterday" are read above.
    import dateparser

    try:
        found = dateparser.parse(text, languages=["en"], settings=settings)
    except Exception:  # dateparser has raised on odd input before; an answer is never a crash
        return None
    return found.date() if found else None


def _read(text: str, field: _Field) -> date | str | None:
    """The date the text names, a problem to ask about, or None when it isn't understood."""
    if _VAGUE.match(text) or _VAGUE_ANYWHERE.search(text):
        return field.ask_for_day()
    if _DECADE.match(text):
        return None  # dateparser reads "the 90s" as today
    if _EITHER.search(text):
        return say("parsing.date_just_one", examples=field.examples())
    for reader in (_from_keyword, _from_relative, _from_weekday, _from_numeric,
                   _from_month_name, _from_dateparser):
        found = reader(text, field)
        if found is not None:
            return found
    return None


def _years_from(value: date, years: int) -> date:
    return _add_months(value, 12 * years)


def _out_of_range(found: date, field: _Field, max_years_back: int, max_years_ahead: int
                  ) -> str | None:
    """Why a date the person gave cannot be right for this field, or None."""
    if found > field.today and not field.allow_future:
        return say("parsing.date_in_future", date=format_date(found))
    if found < field.today and not field.allow_past:
        return say("parsing.date_in_past", date=format_date(found))
    if found < _years_from(field.today, -max_years_back):
        return say("parsing.date_too_far_back", years=max_years_back)
    if found > _years_from(field.today, max_years_ahead):
        return say("parsing.date_too_far_ahead", years=max_years_ahead)
    return None


# -- month or year precision ------------------------------------------------------------------

# Words before an approximate date that say nothing about which: "since 2019", "early 2019".
_APPROX_LEAD = re.compile(
    r"^(?:(?:since|from|in|around|about|circa|c|approx|approximately|roughly|maybe|probably"
    r"|early|mid|late|the end of|end of|the start of|start of|the beginning of|beginning of"
    r"|the middle of|middle of|sometime in|some time in|back in|way back in|ish|started|starting"
    r"|start|it|i|we|began|begun|been|doing|doing it|going to|will|should|hoping to|planning to"
    r"|already|known (?:him|her|them)|met (?:him|her|them)|together|since about)\s+)+"
)
# Seasons as the month they begin (meteorological), enough for a month-precision question.
_SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_SEASON = "|".join(_SEASONS)
# "last march", "next spring", "march last year", "the summer of 2019", "summer 19".
_WHICH_MONTH = re.compile(
    rf"^(?:(?P<which>last|next|this|this coming|coming|this past|past)\s+)?(?:the\s+)?"
    rf"(?:(?P<month>{_MON})|(?P<season>{_SEASON}))"
    r"(?:\s+(?:of\s+)?(?:(?P<rel>last|next|this)\s+year|(?P<year>(?:19|20)?\d{2})))?$")
_AFTER_NEW_YEAR = re.compile(r"^(?:after|straight after|just after)\s+(?:christmas|xmas"
                             r"|the new year|new year)$")
_APPROX_TRAIL = re.compile(r"(?:\s+(?:ish|or so|onwards|on|i think|roughly|approx))+$")
_YEAR_ALONE = re.compile(r"^(?P<year>(?:19|20)\d{2})$")
_DECADE = re.compile(r"^(?:the\s+)?(?:early\s+|mid\s+|late\s+)?(?P<century>19|20)?"
                     r"(?P<tens>\d)0'?s$")
_DECADE_WORDS = {"sixties": 6, "seventies": 7, "eighties": 8, "nineties": 9, "noughties": 0}
_DECADE_WORD = re.compile(r"^(?:the\s+)?(?:early\s+|mid\s+|late\s+)?(?P<word>" +
                          "|".join(_DECADE_WORDS) + r")$")


def _decade(said: str, field: _Field) -> date | None:
    """The first day of a decade said as "the 80s", "1990s" or "the eighties", if past."""
    match = _DECADE.match(said)
    word = _DECADE_WORD.match(said)
    if match:
        tens = int(match["tens"])
        century = int(match["century"]) * 100 if match["century"] else (
            2000 if tens * 10 + 2000 <= field.today.year else 1900)
    elif word:
        tens = _DECADE_WORDS[word["word"]]
        century = 2000 if tens == 0 else 1900
    else:
        return None
    start = date(century + tens * 10, 1, 1)
    return start if start <= field.today else None
_MONTH_YEAR = re.compile(rf"^(?P<month>{_MON})\s+(?:of\s+)?(?P<year>\d{{4}})$")
_NUMERIC_MONTH_YEAR = re.compile(r"^(?P<month>\d{1,2})[/.-](?P<year>\d{4})$"
                                 r"|^(?P<year2>\d{4})[/.-](?P<month2>\d{1,2})$")
_MONTH_ALONE = re.compile(rf"^(?P<month>{_MON})$")
_YEARS_AGO = re.compile(r"^(?P<n>\d+|a|an|one)\s+(?P<unit>month|year)s?(?:\s+(?:ago|back))?$")
# "next month", "in the new year", "straight away": a month ahead or this one.
_NEXT_PERIOD = re.compile(r"^(?:next|the coming|the following)\s+(?P<unit>month|year)$"
                          r"|^(?P<newyear>(?:the\s+)?new\s+year)$")
_NOW = re.compile("^(?:" + "|".join((
    "now", "right now", "immediately", "straight away", "straightaway", "asap",
    r"as\s+soon as(?: possible| approved| i can| i get (?:permission|approval))?",
    "already(?: started)?", "this month", "soon", "any day(?: now)?")) + ")$")
_THIS_OR_LAST = re.compile(r"^(?P<which>this|last)\s+(?P<unit>month|year)$")
# Recent spans of days: too vague for a day, but usually inside one month, which is enough
# for a month-precision question ("since when?" - "last week").
_RECENT_SPAN = re.compile(
    r"^(?P<week>(?:this|last|the last|past|the past|previous)\s+(?:week|weekend))$"
    r"|^(?P<days>the other day|(?:a few|few|a couple of|a couple|couple of|several)\s+days"
    r"\s+ago)$"
)


def _approximate(text: str, field: _Field) -> tuple[date, str] | str | None:
    """A month or a year the text names, as (first day, precision); a problem; or None."""
    said = _APPROX_TRAIL.sub("", _APPROX_LEAD.sub("", re.sub(r"(\d)-?ish\b", r"\1", text)))
    said = said.strip()
    decade = _decade(said, field)
    if decade is not None:
        # "the eighties", "the 90s": a rough start, kept as the decade's first year.
        return decade, "year"
    match = _YEAR_ALONE.match(said)
    if match:
        return date(int(match["year"]), 1, 1), "year"
    match = _MONTH_YEAR.match(said)
    if match:
        return date(int(match["year"]), _MONTHS[match["month"]], 1), "month"
    match = _NUMERIC_MONTH_YEAR.match(said)
    if match:
        month = int(match["month"] or match["month2"])
        if not 1 <= month <= 12:
            return None
        return date(int(match["year"] or match["year2"]), month, 1), "month"
    match = _MONTH_ALONE.match(said)
    if match:
        month = _MONTHS[match["month"]]
        years = range(field.today.year - 1, field.today.year + 2)
        best = _nearest([date(year, month, 1) for year in years], field)
        return (best, "month") if best else None
    match = _WHICH_MONTH.match(said)
    if match and (match["which"] or match["rel"] or match["year"] or match["season"]):
        return _which_month(match, field)
    if _AFTER_NEW_YEAR.match(said):
        return date(field.today.year + (field.today.month > 1), 1, 1), "month"
    match = _RECENT_SPAN.match(said)
    if match:
        return _month_of_span(match, field)
    match = _NEXT_PERIOD.match(said)
    if match and field.allow_future:
        if match["newyear"] or match["unit"] == "year":
            return date(field.today.year + 1, 1, 1), "month" if match["newyear"] else "year"
        ahead = _shift(field.today, 1, "month")
        return date(ahead.year, ahead.month, 1), "month"
    if _NOW.match(said):
        return date(field.today.year, field.today.month, 1), "month"
    match = _YEARS_AGO.match(said) or _THIS_OR_LAST.match(said)
    if match:
        unit = match["unit"]
        back = 0 if match.groupdict().get("which") == "this" else (
            1 if match.groupdict().get("which") == "last" else _count(match["n"]))
        moved = _shift(field.today, -back, unit)
        return (date(moved.year, 1, 1), "year") if unit == "year" else (
            date(moved.year, moved.month, 1), "month")
    return None


def _which_month(match: re.Match[str], field: _Field) -> tuple[date, str] | None:
    """ "last march" (the most recent March before this month), "next spring", "march last
    year", "summer 2019" (a season is the month it begins): the month's first day."""
    today = field.today
    month = _MONTHS[match["month"]] if match["month"] else _SEASONS[match["season"]]
    if match["year"]:
        year = _full_year(match["year"], field)
    elif match["rel"]:
        year = today.year + {"last": -1, "this": 0, "next": 1}[match["rel"]]
    elif match["which"] in {"last", "this past", "past"}:
        year = today.year if month < today.month else today.year - 1
    elif match["which"] in {"next", "coming", "this coming"}:
        year = today.year if month > today.month else today.year + 1
    elif match["which"] == "this":
        year = today.year
    else:
        # A season on its own: the nearest one the field allows.
        best = _nearest([date(y, month, 1) for y in range(today.year - 1, today.year + 2)],
                        field)
        return (best, "month") if best else None
    return date(year, month, 1), "month"


def _month_of_span(match: re.Match[str], field: _Field) -> tuple[date, str] | str:
    """The month a recent span of days falls in, or which of two months, when it straddles."""
    today = field.today
    if match["week"]:
        monday = today - timedelta(days=today.weekday())
        if match["week"].startswith("this"):
            first, last = monday, today
        else:
            first, last = monday - timedelta(weeks=1), monday - timedelta(days=1)
            if match["week"].endswith("weekend"):
                first = last - timedelta(days=1)
    else:
        first, last = today - timedelta(days=6), today - timedelta(days=1)
    if (first.year, first.month) == (last.year, last.month):
        return date(first.year, first.month, 1), "month"
    return say("parsing.date_which_month", first=_MONTH_NAMES[first.month - 1],
               last=_MONTH_NAMES[last.month - 1], year=last.year)


def _parse_approximate(normalised: str, field: _Field, max_years_back: int,
                       max_years_ahead: int) -> Parsed | None:
    """The month-or-year reading of an answer, or None to read it as a day instead."""
    found = _approximate(_simplify(normalised), field)
    if found is None:
        return None
    if isinstance(found, str):
        return reject(found)
    first, precision = found
    # Range checks see the period's first day, so "this year" is never "in the future".
    problem = _out_of_range(first, field, max_years_back, max_years_ahead)
    if problem:
        return reject(problem.replace(f"({format_date(first)})",
                                      f"({format_approximate(first, precision)})"))
    return Parsed(value=first, display=format_approximate(first, precision),
                  precision=precision)


def _no_day_problems(field: _Field) -> set[str]:
    """The re-prompts that mean "no day was read" (not "a day was read but is wrong").

    A month-precision field answers those with the rough-date prompt instead.
    """
    return ({say("parsing.date_unreadable", examples=field.examples()), field.ask_for_day()}
            | {say("parsing.date_which_day_in", month=name) for name in _MONTH_NAMES})


def parse_date(text: str, *, today: date, allow_future: bool = True, allow_past: bool = True,
               max_years_back: int = 50, max_years_ahead: int = 10,
               precision: str = "day") -> Parsed:
    """A calendar date; `today` is the person's local date, which all relative words use.

    precision="month" also accepts a month or a year on its own (see the module notes).
    """
    field = _Field(today, allow_past, allow_future)
    normalised = normalise_short(text)
    if precision == "month" and normalised:
        approximate = _parse_approximate(normalised, field, max_years_back, max_years_ahead)
        if approximate is not None:
            return approximate
        day = parse_date(text, today=today, allow_future=allow_future, allow_past=allow_past,
                         max_years_back=max_years_back, max_years_ahead=max_years_ahead)
        if not day.ok and not contains_any(normalised, UNSURE_PHRASES) and (
                day.problem in _no_day_problems(field)):
            return reject(say("parsing.date_rough"))
        return day
    if not normalised:
        return reject(say("parsing.date_empty", examples=field.examples()))
    if len(normalised) > 80:
        return reject(say("parsing.date_too_long", examples=field.examples()))
    if contains_any(normalised, UNSURE_PHRASES):
        return reject(say("parsing.date_unsure", examples=field.examples()))
    simplified = _simplify(normalised)
    found = _read(simplified, field)
    if found is None:
        return reject(say("parsing.date_unreadable", examples=field.examples()))
    if isinstance(found, str):
        return Parsed(problem=found, partial=_month_said(simplified))
    problem = _out_of_range(found, field, max_years_back, max_years_ahead)
    return reject(problem) if problem else accept(found, format_date(found))
