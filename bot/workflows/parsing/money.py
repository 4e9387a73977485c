"""Money answers in pounds ("£40", "forty quid", "about 40", "1.2k", "50p"), stored as pence."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP

from bot.messages import say
from bot.workflows.parsing.amounts import (
    MULTIPLIERS,
    Found,
    Reading,
    contains_any,
    read_numbers,
    words_only,
)
from bot.workflows.parsing.common import (
    SHORT_ANSWER_LIMIT,
    UNSURE_PHRASES,
    Parsed,
    accept,
    normalise_short,
    reject,
    rough_to_digits,
)
from bot.workflows.parsing.words import phrases

# A declared offer can be of negligible value, so "nothing" is a real answer: £0.00.
_NOTHING = phrases("no_money")
# "nothing yet", "it's worth nothing really", "none at the moment": no money.
_NOTHING_LEAD = re.compile(
    r"^(?:(?:it's|its|it is|it was|it'll be|i get|i'm)\s+)?(?:worth\s+)?(?:nothing|none|nil|nowt"
    r"|zero|zilch|unpaid|voluntary|a volunteer|not paid|no pay|no money)\b"
    r"(?:[\s,]+(?:" + "|".join(("yet", "really", "at all", r"at\s+the moment", "so far", "for now",
                             "as yet", "tbh", "honestly", r"(?:just|only)\s+(?:my\s+)?expenses",
                             r"expenses\s+only", r"apart\s+from\s+expenses")) + r"))*[\s.!]*$")
_FOREIGN_WORDS = frozenset({
    "dollar", "dollars", "usd", "euro", "euros", "eur", "yen", "$", "€", "cents", "cent",
})
_EACH = frozenset({
    "each", "apiece", "a head", "per head", "per person", "a person", "per ticket",
    "a ticket", "per item", "per bottle", "a bottle", "per night", "a night",
})
_PENCE_WORDS = frozenset({"p", "pence", "penny", "pennies"})


def format_money(pence: int) -> str:
    """Pence as pounds the way people read them: 4000 -> "£40.00", 125000 -> "£1,250.00"."""
    pence = int(pence)
    pounds, rest = divmod(abs(pence), 100)
    sign = "-" if pence < 0 else ""
    return f"{sign}£{pounds:,}.{rest:02d}"


def _to_pence(found: Found, inherited_suffix: str = "") -> int:
    """One number as pence, honouring "p" and multipliers such as "k" and "grand"."""
    suffix = found.suffix or inherited_suffix
    if suffix in _PENCE_WORDS and not found.currency:
        pence = found.amount
    else:
        pence = found.amount * MULTIPLIERS.get(suffix, 1) * 100
    # to_integral_value, not quantize: quantize refuses a figure longer than the context's
    # 28 digits (a pasted 27-digit number times 100), and a parser must never raise.
    return int(pence.to_integral_value(rounding=ROUND_HALF_UP))


def _is_count(found: Found) -> bool:
    """A plain small whole number, as in "2 tickets at £25 each"."""
    return (
        not found.currency and not found.suffix and found.amount == found.amount.to_integral()
        and 1 <= found.amount <= 1000
    )


# Words that may follow a bare number in an answer about money without making it a count.
_AFTER_AMOUNT = frozenset({
    "each", "or", "to", "and", "ish", "i", "approx", "approximately", "maybe", "probably",
    "roughly", "tops", "max", "maximum", "at", "per", "total", "in", "give", "is", "was",
    "so", "all", "altogether", "overall", "worth", "value", "retail", "rrp", "a", "for",
})


def _counts_something(reading: Reading, unmarked: list[Found]) -> bool:
    """True when a bare number counts things ("2 bottles of wine") rather than pounds."""
    for found in unmarked:
        following = reading.text[found.end:].split()
        if following and following[0].isalpha() and following[0] not in _AFTER_AMOUNT:
            return True
    return False


def _choose_pence(reading: Reading, normalised: str) -> int | str:
    """The one amount the answer means, in pence, or a problem when it is unclear which."""
    numbers = reading.numbers
    if reading.is_range():
        # Take the top of a range: declaring the higher estimate is the safe side for a
        # register of interests, and the summary shows the figure for the person to change.
        low, high = numbers
        return max(_to_pence(low, high.suffix), _to_pence(high))
    marked = [n for n in numbers if n.currency or n.suffix]
    unmarked = [n for n in numbers if not (n.currency or n.suffix)]
    if len(marked) == 1 and contains_any(normalised, _EACH) and len(unmarked) == 1 \
            and _is_count(unmarked[0]):
        # "2 tickets at £25 each": the register needs the whole offer, not one ticket.
        return int(unmarked[0].amount) * _to_pence(marked[0])
    if len(marked) == 1:
        return _to_pence(marked[0])
    if not marked and _counts_something(reading, unmarked):
        return say("parsing.money_unmarked")
    candidates = marked or unmarked
    amounts = sorted({_to_pence(n) for n in candidates})
    if len(amounts) == 1:
        return amounts[0]
    shown = " and ".join(format_money(p) for p in amounts[:3])
    return say("parsing.money_several", shown=shown, example=format_money(amounts[-1]))


# A yearly figure given for a shorter period: how many of them make a year.
_PER_PERIOD = re.compile(
    r"\s*(?:(?P<week>a week|per week|each week|every week|weekly|pw|p/w|/week|/wk|a wk|per wk"
    r"|a weekend|per weekend|each weekend|every weekend)"
    r"|(?P<month>a month|per month|each month|every month|monthly|pcm|p/m|/month|a mth"
    r"|per calendar month|a calendar month|each calendar month"
    r"|per mth)|(?P<year>a year|per year|per annum|pa|p/a|a yr|per yr|/year|/yr|annually"
    r"|yearly))\b\.?")
# Periods too short to turn into a year without knowing how many there are.
_PER_SHORT = re.compile(r"\b(?:an? |per |each |every |/)?(?:hour|hr|day|night|shift|session"
                        r"|job|lesson|event|gig)\b|\bph\b|\bp/h\b"
                        r"|\b(?:per|each|every|an?)\s+(?!week|month|year|annum|fortnight|weekend)"
                        r"[a-z]{3,}\b")
_TIMES_A_YEAR = {"week": 52, "month": 12, "year": 1}
_PERIOD_WORDS = {"week": "a week", "month": "a month"}


def _says_nothing(normalised: str) -> bool:
    """ "nothing", "it's unpaid", "nothing, just expenses", "nowt, it's voluntary": no money.

    The first clause says it, and no figure follows ("none yet, maybe £50 later" is £50).
    """
    first = re.split(r"[,;.!]|\s-\s|\bbut\b", normalised, maxsplit=1)[0].strip()
    if not (words_only(first) in _NOTHING or _NOTHING_LEAD.match(first)):
        return False
    return first == normalised or not re.search(r"\d", rough_to_digits(normalised))


def parse_money(text: str, *, max_pence: int = 10_000_000, period: str | None = None
                ) -> Parsed:
    """An amount of money in pounds; the value is whole pence (int), the display "£40.00".

    With `period="year"` the amount is a yearly figure: "£150 a week" or "£600 a month" is
    multiplied up (and shown with what was said), and an hourly or per-shift rate is asked
    about rather than guessed.
    """
    if period == "year":
        return _parse_yearly(text, max_pence)
    normalised = normalise_short(text)
    if not normalised:
        return reject(say("parsing.money_ask"))
    if len(normalised) > SHORT_ANSWER_LIMIT:
        return reject(say("parsing.money_too_long"))
    if contains_any(normalised, UNSURE_PHRASES):
        return reject(say("parsing.money_unsure"))
    if _says_nothing(normalised):
        return accept(0, format_money(0))
    if contains_any(normalised, _FOREIGN_WORDS) or any(c in normalised for c in "$€¥"):
        return reject(say("parsing.money_foreign"))
    reading = read_numbers(normalised)
    if not reading.numbers:
        return reject(say("parsing.money_missing"))
    if reading.negative():
        return reject(say("parsing.money_negative"))
    pence = _choose_pence(reading, normalised)
    if isinstance(pence, str):
        return reject(pence)
    if pence > max_pence:
        return reject(say("parsing.money_too_high", amount=format_money(pence),
                          limit=format_money(max_pence)))
    return accept(pence, format_money(pence))


def _parse_yearly(text: str, max_pence: int) -> Parsed:
    normalised = normalise_short(text)
    match = _PER_PERIOD.search(normalised)
    unit = next((name for name in _TIMES_A_YEAR if match and match[name]), "year")
    rest = _PER_PERIOD.sub(" ", normalised, count=1) if match else normalised
    if _PER_SHORT.search(rough_to_digits(rest)) and not contains_any(rest, _NOTHING):
        return reject(say("parsing.money_yearly_ask"))
    parsed = parse_money(rest, max_pence=max_pence)
    if not parsed.ok or unit == "year":
        return parsed
    yearly = int(parsed.value) * _TIMES_A_YEAR[unit]
    if yearly > max_pence:
        return reject(say("parsing.money_yearly_too_high", amount=format_money(yearly)))
    return accept(yearly, f"{format_money(yearly)} a year ({parsed.display} "
                          f"{_PERIOD_WORDS[unit]})")
