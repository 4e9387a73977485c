"""Finding the answers to other questions inside what someone said: slot filling.

"A victim's dad gave me £30 of Amazon vouchers and I said no" answers the value, the
giver's relationship and the decision as well as what was offered. For each field this
module finds the words in a message that could answer it (`snippets`); the dialogue
engine reads each snippet with the field's own parser, so a value found here is checked
exactly like a typed answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.workflows.definitions import FieldSpec
from bot.workflows.parsing.answers import mentioned_options
from bot.workflows.parsing.common import Option, normalise_short, words_to_digits
from bot.workflows.parsing.quantities import weekly_hours

# A sign before an amount stays with it, so the field's own reading can refuse it.
_MONEY = re.compile(
    r"(?:(?:minus|negative)\s+|-\s*)?£\s*\d[\d,]*(?:\.\d{1,2})?\s*(?:k|grand)?\b"
    r"(?:\s*(?:each|a head|per head|per person))?"
    r"|(?:(?:minus|negative)\s+|-\s*)?\b\d[\d,]*(?:\.\d{1,2})?\s*(?:quid|pounds?|grand|gbp)\b"
    r"(?:\s*(?:each|a head|per head|per person))?"
    r"|\b(?:a\s+)?(?:fiver|tenner)\b")
_BARE_WITH_PERIOD = re.compile(
    r"(?<![£\d.,])(\d[\d,]*(?:\.\d{1,2})?)\s+((?:an?|per|each|every)\s+(?:week|month|year))\b")
_PER_SOMETHING = re.compile(r"\s*(?:per|each|every|an?|/)\s*[a-z]{3,}\b")
_PERIOD_AFTER = re.compile(
    r"\s*(?:an?|per|each|every|/)\s*(?:hour|hr|week|wk|month|mth|year|yr|shift|session|day"
    r"|night|lesson|gig|job)\b|\s*(?:weekly|monthly|yearly|annually|pcm|pa|ph)\b")
_DATE_WORD = re.compile(
    r"\b(?:yesterday|today|tonight|last night|this\s+morning|(?:last|this|next|on)\s+\w+day"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april"
    r"|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug"
    r"|sept?|oct|nov|dec|christmas|xmas|boxing day|\d{1,2}/\d{1,2}(?:/\d{2,4})?|(?:19|20)\d{2}"
    r"|\d+\s+(?:days?|weeks?|months?|years?)\s+ago|last\s+(?:week|month|year)|the\s+other day"
    r"|\d{1,2}(?:st|nd|rd|th)|(?:the\s+)?(?:sixties|seventies|eighties|nineties|noughties)"
    r"|(?:the\s+)?(?:19|20)?\d0'?s)\b")
# "may" is a month only next to a day or a year: "I may start" is not a date.
_MAY_AS_VERB = re.compile(r"\b(?:i|we|you|they|he|she|it|might|may)\s+may\b|\bmay\s+(?:be|have"
                          r"|start|do|not|get|need)\b")
_LEAD = re.compile(r"^(?:on|in|since|from|back in|around|about|last|this)\s+")
#: Words that name a place or body after them: "from Tesco", "at the Echo", "for Acme Ltd".
_ORG_AFTER = re.compile(r"\b(?:from|at|for|with|by|of|called|named)\s+(?P<name>(?:the\s+)?"
                        r"(?:[A-Z][\w&'.-]*|[A-Z]{2,})(?:\s+(?:[A-Z][\w&'.-]*|&|of|and|the)){0,5})")
_NOT_NAMES = frozenset({"i", "i'm", "im", "it", "my", "me", "the", "a", "we", "he", "she",
                        "they", "them", "him", "her", "monday", "tuesday", "wednesday",
                        "thursday", "friday", "saturday", "sunday", "christmas", "psd", "acu",
                        "pnc", "police", "uber", "amazon", "ebay", "mot", "january", "february",
                        "march",
                        "april", "may", "june", "july", "august", "september", "october",
                        "november", "december", "easter", "sergeant", "inspector", "dc", "pc",
                        "ds", "sgt"})


def snippets(spec: FieldSpec, text: str, in_passing: bool = False) -> list[str]:
    """The parts of `text` that might answer `spec`, most likely first (maybe none).

    `in_passing`: the text answers something else (an opening, another question), so
    only plain mentions count: "friday nights only" or "every saturday" is a habit
    there, not the date asked for.
    """
    reader = _READERS.get(spec.type)
    if reader is None:
        return []
    if in_passing:
        # A sentence's full stop is not part of its last word: "on Thursday the 5th. I..."
        text = _SENTENCE_END.sub(" ,", text)
    found = list(dict.fromkeys(reader(spec, text)))
    if in_passing and spec.type == "date":
        found = [snippet for snippet in found if not _recurring(text, snippet)]
    return found


def names_something(text: str) -> bool:
    """Whether words name a thing, beyond dates and figures: "9/11" or "last friday" do not."""
    said = _DATE_WORD.sub(" ", _SENTENCE_END.sub(" ", normalise_short(text)))
    return any(len(word) >= 3 and word not in _NOT_THINGS
               for word in re.findall(r"[a-z]+", said))


def _recurring(text: str, snippet: str) -> bool:
    said = normalise_short(text)
    at = said.find(snippet)
    if at < 0:
        return False
    return bool(_RECURRING.match(said, at + len(snippet)) or _EVERY_BEFORE.search(said[:at]))


def _money(spec: FieldSpec, text: str) -> Iterator[str]:
    said = words_to_digits(normalise_short(text))
    if spec.period == "year":
        # For pay, a bare figure with a period is money: "about 50 a week".
        for match in _BARE_WITH_PERIOD.finditer(said):
            yield f"£{match.group(1)} {match.group(2)}"
    for match in _MONEY.finditer(said):
        found = match.group(0).strip()
        if spec.period == "year":
            period = _PERIOD_AFTER.match(said, match.end())
            if period is None and _PER_SOMETHING.match(said, match.end()):
                continue  # "£60 per match": a rate, which the field's own reading queries
            yield f"{found} {period.group(0).strip()}" if period else found
        else:
            if _PERIOD_AFTER.match(said, match.end()):
                continue  # "£15 an hour" is a rate of pay, not what something is worth
            yield found


def _number(spec: FieldSpec, text: str) -> Iterator[str]:
    if spec.period == "week" and weekly_hours(text) is not None:
        yield text


def _date(spec: FieldSpec, text: str) -> Iterator[str]:
    said = normalise_short(text)
    tokens = said.replace(",", " , ").split()
    for match in _DATE_WORD.finditer(said):
        if match.group(0) == "may" and _MAY_AS_VERB.search(said[max(0, match.start() - 6):
                                                                match.end() + 8]):
            continue
        if _HOLIDAY.fullmatch(match.group(0)) and (_EVENT_AFTER.match(said, match.end())
                                                   or _OWNER_BEFORE.search(said[:match.start()])):
            continue  # "their christmas do", "a xmas hamper": the occasion, not the date
        start = len(said[:match.start()].replace(",", " , ").split())
        end = start + len(match.group(0).split())
        # Widen over the words that belong to a date: "the 3rd of march 2026", "last friday".
        while start > 0 and _DATEISH.match(tokens[start - 1]):
            start -= 1
        while end < len(tokens) and _DATEISH.match(tokens[end]):
            end += 1
        window = " ".join(tokens[start:end])
        if _FORWARD.search(said) and re.fullmatch(r"(?:on\s+)?\w+day", window):
            # "starting monday", "from friday": the coming one, not the last.
            yield f"next {window.removeprefix('on ')}"
        yield window
        if window != match.group(0):
            yield match.group(0)
        stripped = _LEAD.sub("", window)
        if stripped != window:
            yield stripped


#: Words that, alone with a date or a figure, still name nothing that was offered.
_NOT_THINGS = frozenset({"the", "and", "for", "about", "around", "worth", "quid", "pounds",
                         "pound", "ago", "day", "days", "week", "weeks", "month", "months",
                         "year", "years", "last", "next", "this", "that", "was", "were"})
_SENTENCE_END = re.compile(r"[.;:!?]+(?=\s|$)")
_HOLIDAY = re.compile(r"christmas|xmas|boxing day")
_EVENT_AFTER = re.compile(r"\s+(?:do|dos|party|parties|dinner|meal|lunch|hamper|card|present|gift"
                          r"|bonus|drinks|night|function|bash|raffle|market|jumper|tree|ball"
                          r"|gala|auction|fundraiser|event|celebration|fayre|fair|show)\b")
_OWNER_BEFORE = re.compile(r"\b(?:their|our|his|her|my|the|a|an|its)\s+(?:annual\s+|staff\s+"
                           r"|office\s+|team\s+|big\s+)?$")
_RECURRING = re.compile(r"s?\s+(?:nights?|evenings?|mornings?|afternoons?|only|and\s+\w+days)\b"
                        r"|s\b")
_EVERY_BEFORE = re.compile(r"\b(?:every|most|each|some|alternate)\s+(?:other\s+)?$")
_FORWARD = re.compile(r"\b(?:start\w*|begin\w*|from|will|going to|gonna|plan\w*|due to|next)\b")
_DATEISH = re.compile(
    r"^(?:\d{1,4}(?:st|nd|rd|th)?|of|the|last|next|this|on|in|since|early|mid|late"
    r"|ago|days?|weeks?|months?|years?|a|few|couple|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*"
    r"|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|\w+day)$")


def _choice(spec: FieldSpec, text: str) -> Iterator[str]:
    named = [option for option in _named_options(spec.options, text)
             if not _only_an_occasion(option, text)]
    if len(named) == 1:
        yield named[0].value


def named_by_phrase(spec: FieldSpec, value: str, text: str) -> bool:
    """Whether `text` names the option by a phrase of two or more words ("i kept it",
    "handed it in"), stronger evidence in passing than one word ("team", "charity")."""
    said = normalise_short(text)
    for option in spec.options:
        if option.value != value:
            continue
        for name in {option.label.casefold(), *(s.casefold() for s in option.synonyms)}:
            if len(name.split()) >= 2 and re.search(
                    rf"(?<![\w']){re.escape(name)}(?![\w'])", said):
                return True
    return False


def _only_an_occasion(option: Option, text: str) -> bool:
    """Whether every word naming the option only describes an occasion: a "charity dinner"
    gave nothing to charity, and a "christmas do" is not a date."""
    said = normalise_short(text)
    found = False
    for name in {option.label.casefold(), *(s.casefold() for s in option.synonyms)}:
        for match in re.finditer(rf"(?<![\w']){re.escape(name)}(?![\w'])", said):
            found = True
            if not _EVENT_AFTER.match(said, match.end()):
                return False
    return found


def _named_options(options: Sequence[Option], text: str) -> list[Option]:
    """The options a longer message names by a distinctive word or phrase.

    A bare "yes", "no" or "other" says nothing inside a sentence ("no idea", "the other
    day"), so those names are left out here; the option classifier reads descriptions.
    """
    vague = {"yes", "no", "other", "something else", "not sure"}
    # An option named only by such a word ("No": not raised anywhere) is never named here.
    trimmed = [Option(o.value, o.label, tuple(s for s in o.synonyms if s.casefold() not in vague
                                              and not s.casefold().startswith("none")))
               for o in options if o.value.casefold() not in vague
               and o.label.casefold() not in vague]
    return mentioned_options(text, trimmed)


def _organisation(spec: FieldSpec, text: str) -> Iterator[str]:
    for match in _ORG_AFTER.finditer(text):
        name = match.group("name").strip(" .,")
        words = name.split()
        if words[0].casefold() == "the":
            words = words[1:]
        if not words or words[0].casefold() in _NOT_NAMES:
            continue
        yield name


_READERS = {"money": _money, "number": _number, "date": _date, "choice": _choice,
            "organisation": _organisation}
