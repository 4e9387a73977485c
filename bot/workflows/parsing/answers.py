"""Closed answers: yes or no, and one of a list of options (by name, number, synonym or typo)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from bot.messages import say
from bot.workflows.parsing.amounts import contains_any, words_only
from bot.workflows.parsing.common import (
    SHORT_ANSWER_LIMIT,
    UNSURE_PHRASES,
    Option,
    Parsed,
    accept,
    normalise_short,
    reject,
    words_to_digits,
)
from bot.workflows.parsing.words import phrases

_YES_WORDS = phrases("yes")
_NO_WORDS = phrases("no")
# Words that, anywhere in a longer answer, show it leans the other way ("yeah, no").
_STRONG_YES = frozenset({"yes", "yeah", "yep", "yup", "aye", "y"})
_STRONG_NO = frozenset({"no", "nope", "nah", "not", "n", "never"})
_MAYBE = UNSURE_PHRASES | {"maybe", "perhaps", "possibly", "sort of", "kind of", "depends",
                           "it depends", "partly", "sometimes"}


def _polarity_words(normalised: str) -> str:
    """The answer reduced to words, with emoji answers kept as words."""
    for emoji, word in (("👍", " yes "), ("✅", " yes "), ("✔", " yes "), ("👎", " no "),
                        ("❌", " no "), ("✖", " no ")):
        normalised = normalised.replace(emoji, word)
    return words_only(normalised)


def parse_yes_no(text: str) -> Parsed:
    """Yes or no in the many ways people say it; a hedge or a mixed answer is asked again."""
    normalised = normalise_short(text)
    if len(normalised) > SHORT_ANSWER_LIMIT:
        return reject(say("parsing.yes_no"))
    words = _polarity_words(normalised)
    if words in _YES_WORDS:
        return accept(True, "Yes")
    if words in _NO_WORDS:
        return accept(False, "No")
    if not words or contains_any(words, _MAYBE):
        return reject(say("parsing.yes_no_unsure"))
    tokens = words.split()
    leads_yes = tokens[0] in _YES_WORDS or " ".join(tokens[:2]) in _YES_WORDS
    leads_no = tokens[0] in _NO_WORDS or " ".join(tokens[:2]) in _NO_WORDS
    # "yes, I accepted it" is a yes; "yeah, no" is not something to guess at.
    if leads_yes and not _STRONG_NO.intersection(tokens):
        return accept(True, "Yes")
    if leads_no and not _STRONG_YES.intersection(tokens[1:]):
        return accept(False, "No")
    return reject(say("parsing.yes_no"))


# --- choices -------------------------------------------------------------------------------

_LEADING_FILLER = re.compile(
    r"^(?:(?:it's|its|it is|it was|they're|they are|they were|he's|he is|she's|she is|"
    r"i'd say|i think|probably|the|a|an|option|number)\s+)+"
)
_OPTION_NUMBER = re.compile(r"^(?:option |number |no |# ?)?(\d{1,3})(?:st|nd|rd|th)?$")
# Words that turn an option named after them into its opposite: "I didn't accept it" is not
# "accept", "not a supplier" is not "supplier". Only the few words just before count.
_NEGATED = frozenset({
    "not", "isn't", "wasn't", "aren't", "weren't", "never", "neither", "nor", "didn't",
    "didnt", "don't", "dont", "doesn't", "doesnt", "haven't", "havent", "hasn't", "hadn't",
    "won't", "wont", "wouldn't", "wouldnt", "couldn't", "couldnt", "can't", "cant", "cannot",
    "isnt", "wasnt", "arent", "than", "instead",
})
# "no" is left out: it usually opens an answer ("no, I took it") rather than negating a word.
_NEGATION_REACH = 3
_FUZZY_MIN_SCORE = 80
_FUZZY_MIN_LEAD = 10


def _match_key(text: str) -> str:
    """Text as compared with options: lower case, "&" as "and", punctuation as spaces.

    A possessive 's goes, so "my cousin's staying with me" names "cousin".
    """
    return words_only(re.sub(r"(?<=\w)'s\b", "", text.replace("&", " and ").replace("_", " ")))


def _candidates(option: Option) -> tuple[str, ...]:
    """Everything that names an option: its value, label and synonyms, normalised."""
    names = (option.value, option.label, *option.synonyms)
    return tuple(dict.fromkeys(k for k in (_match_key(normalise_short(n)) for n in names) if k))


def _options_list(options: Sequence[Option]) -> str:
    """The options numbered, as shown in a re-prompt."""
    return ", ".join(f"{i}. {o.label}" for i, o in enumerate(options, start=1))


def _choose_problem(options: Sequence[Option], lead: str | None = None) -> str:
    return say("parsing.choose_one", lead=lead or say("parsing.choice_not_recognised"),
               options=_options_list(options))


def _unique(matches: Sequence[int]) -> int | None:
    """The one option index matched, or None when there were none or several."""
    distinct = set(matches)
    return distinct.pop() if len(distinct) == 1 else None


def _by_name(key: str, names: Sequence[tuple[str, ...]]) -> list[int]:
    return [i for i, cands in enumerate(names) if key in cands]


def _by_prefix(key: str, names: Sequence[tuple[str, ...]]) -> list[int]:
    return [i for i, cands in enumerate(names) if any(c.startswith(key) for c in cands)]


def _by_phrase(key: str, names: Sequence[tuple[str, ...]]) -> list[int]:
    """Options named as whole words inside a longer answer ("from a supplier").

    A name just after a negation ("I didn't accept it", "not a supplier") doesn't count,
    unless the name carries the negation itself ("didn't accept", "said no"). A name lying
    inside a longer name found at the same place gives way to it: "my other half" is the
    partner, not also "other"; "sexual harassment" is not also "sexual". Names in separate
    places still both count, so "bullying and drugs" stays a question.
    """
    tokens = key.split()
    mentions = [mention for index, cands in enumerate(names) for cand in cands
                for mention in _mentions(tokens, cand.split(), index)]
    # A negated longer name still claims its words: "not sexual harassment" says nothing
    # for "sexual" either.
    found = [index for index, start, end, plain in mentions
             if plain and not any(_covers(other[1], other[2], start, end)
                                  for other in mentions)]
    return list(dict.fromkeys(found))


def _mentions(tokens: list[str], name: list[str],
              index: int) -> list[tuple[int, int, int, bool]]:
    """Each place `name` occurs in `tokens` as whole words: (option, start, end, plain).

    `plain` is False when a negation comes just before and the name doesn't carry its own.
    """
    width = len(name)
    negates_itself = bool(_NEGATED.intersection(name))
    found = []
    for start in range(len(tokens) - width + 1):
        if tokens[start:start + width] != name:
            continue
        before = tokens[max(0, start - _NEGATION_REACH):start]
        found.append((index, start, start + width,
                      negates_itself or not _NEGATED.intersection(before)))
    return found


def _covers(outer_start: int, outer_end: int, start: int, end: int) -> bool:
    """Whether the span [outer_start, outer_end) holds [start, end) and is longer."""
    return (outer_start <= start and end <= outer_end
            and outer_end - outer_start > end - start)


def _by_typo(key: str, names: Sequence[tuple[str, ...]]) -> int | None:
    """The option a small typo most likely meant, only when it clearly beats the others."""
    if len(key) < 3:
        return None
    scores = sorted(
        ((max(max(fuzz.ratio(key, c), fuzz.token_sort_ratio(key, c)) for c in cands), i)
         for i, cands in enumerate(names) if cands),
        reverse=True,
    )
    if not scores or scores[0][0] < _FUZZY_MIN_SCORE:
        return None
    if len(scores) > 1 and scores[0][0] - scores[1][0] < _FUZZY_MIN_LEAD:
        return None
    return scores[0][1]


def _by_number(key: str, count: int) -> int | None:
    """The option picked by its number in a numbered list ("2", "option two", "2nd")."""
    match = _OPTION_NUMBER.match(words_to_digits(key, halves=False).replace("2nd", "2"))
    if not match:
        return None
    number = int(match.group(1))
    return number - 1 if 1 <= number <= count else None


def parse_choice(text: str, options: Sequence[Option]) -> Parsed:
    """One of `options`, by value, label, synonym, number, unique prefix or a near miss.

    Raises ValueError only when `options` is empty: that is a definition error, not an answer.
    """
    if not options:
        raise ValueError(say("parsing.choice_needs_options"))
    normalised = normalise_short(text)
    if len(normalised) > SHORT_ANSWER_LIMIT:
        return reject(_choose_problem(options, say("parsing.too_long")))
    key = _match_key(normalised)
    if not key:
        return reject(_choose_problem(options, say("parsing.choice_no_answer")))
    names = [_candidates(o) for o in options]
    # "..., so other I suppose" (a conclusion), or "Other. They are a community group" (an
    # answer that opens with an option's name), before anything named on the way.
    settled = _concluded(key, names)
    if settled is None:
        settled = _opened_with(normalised, key, names)
    index: int | set[int] = settled if settled is not None else _find(key, names, len(options))
    if index == set():
        index = _by_yes_no(normalised, names)
    if isinstance(index, set) and len(index) > 1:
        index = _said_to_be(key, names, index)
    if isinstance(index, int):
        return accept(options[index].value, options[index].label)
    if index:
        labels = " or ".join(options[i].label for i in sorted(index)[:4])
        return reject(_choose_problem(options, say("parsing.choice_could_be", labels=labels)))
    return reject(_choose_problem(options))


# "his quad was nicked so he's the victim": what the giver is said to be beats what happened.
# (The possessive-stripping key turns "he's the victim" into "he the victim".)
_COPULA = (r"(?:he|she|they|it|who|that|which)\s+(?:(?:(?:is|was|are|were|s|re)\s+)(?:the\s+"
           r"|a\s+|an\s+)?|(?:the|a|an)\s+)")


# "he's my ex's new partner, not mine, so other I suppose": the option an answer ends on,
# after "so" or "I'd say", is its conclusion; what came before was the reasoning.
_CONCLUSION = re.compile(
    r"\b(?:so|i'd say|i would say|call it|i guess|i suppose|i'd go with|go with|put)\s+"
    r"(?:(?:it's|its|it is|that's|thats|i'd say|probably|just|i guess|put it down as|as)\s+)*"
    r"(?P<tail>.+?)(?:\s+(?:i suppose|i guess|i think|probably|really|then))*$")


def _concluded(key: str, names: Sequence[tuple[str, ...]]) -> int | None:
    """The one option a longer answer concludes with, whatever it named on the way."""
    match = _CONCLUSION.search(key)
    if match is None or match.start() == 0:
        return None
    tail = _LEADING_FILLER.sub("", match["tail"]) or match["tail"]
    named = set(_by_name(tail, names)) or set(_by_phrase(tail, names))
    if len(named) == 1:
        return named.pop()
    return _by_typo(tail, names) if not named else None  # "so few times in year"


def _opened_with(normalised: str, key: str, names: Sequence[tuple[str, ...]]) -> int | None:
    """The option an answer opens with by name, when the rest names no other ("Kept, I ate
    it"; but "no, I took it" is mixed, and asked about)."""
    parts = re.split(r"[.,;:!]|\s-\s", normalised, maxsplit=1)
    first = _match_key(parts[0])
    named = _by_name(first, names) if first and first != key else []
    index = _unique(named) if named else None
    if index is None or len(parts) < 2:
        return None
    others = set(_by_phrase(_match_key(parts[1]), names)) - {index}
    return None if others else index


def _said_to_be(key: str, names: Sequence[tuple[str, ...]], found: set[int]) -> int | set[int]:
    """Of several options named, the one the answer says someone *is*, if just one."""
    text = re.sub(r"\b(he|she|they|it|who|that) ?'?(s|re)\b", r"\1 \2", key)
    said = {index for index in found for name in names[index]
            if re.search(rf"\b{_COPULA}{re.escape(name)}\b", text)}
    return said.pop() if len(said) == 1 else found


def _by_yes_no(normalised: str, names: Sequence[tuple[str, ...]]) -> int | set[int]:
    """ "nah" or "yep" where an option lists "no" or "yes" among its names."""
    answer = parse_yes_no(normalised)
    if not answer.ok:
        return set()
    word = "yes" if answer.value else "no"
    matched = _by_name(word, names)
    one = _unique(matched) if matched else None
    return one if one is not None else set()


def _find(key: str, names: Sequence[tuple[str, ...]], count: int) -> int | set[int]:
    """The matching option's index, or the set of options it could be (maybe empty).

    Stages run from most to least certain; the first stage with a match decides.
    """
    stripped = _LEADING_FILLER.sub("", key) or key
    for candidate in dict.fromkeys((key, stripped)):
        exact = _by_name(candidate, names)
        if exact:
            one = _unique(exact)
            return one if one is not None else set(exact)
    number = _by_number(key, count)
    if number is not None:
        return number
    for stage in (_by_prefix, _by_phrase):
        found = set(stage(stripped, names))
        if len(found) == 1:
            return found.pop()
        if found:
            return found
    typo = _by_typo(stripped, names)
    return typo if typo is not None else set()


def mentioned_options(text: str, options: Sequence[Option]) -> list[Option]:
    """The options named as whole words in a longer message, not negated (maybe several).

    "my neighbour's lad got nicked" names an arrest option; "not a supplier" names none.
    """
    key = _match_key(normalise_short(text)[:SHORT_ANSWER_LIMIT * 3])
    names = [_candidates(o) for o in options]
    return [options[index] for index in sorted(set(_by_phrase(key, names)))]
