"""Tests for the forgiving field parsers in bot.workflows.fields: good and bad answers for each
field type, and a property check that no parser raises on arbitrary input."""

from __future__ import annotations

import random
from datetime import date

import pytest

from bot.workflows.fields import (
    FIELD_OPTIONS,
    FIELD_TYPES,
    Option,
    Parsed,
    format_date,
    format_money,
    parse_choice,
    parse_date,
    parse_field,
    parse_long_text,
    parse_money,
    parse_number,
    parse_organisation,
    parse_text,
    parse_yes_no,
)

# A Tuesday; 24 November 2026 is also the brief's example for the year rule.
TODAY = date(2026, 11, 24)


# --- Parsed and formatting ---------------------------------------------------------------


def test_parsed_ok_reflects_problem() -> None:
    assert Parsed(value=1, display="1").ok
    assert not Parsed(problem="no").ok
    assert Parsed(value=0, display="£0.00").ok  # a falsy value is still a success


@pytest.mark.parametrize(
    ("pence", "shown"),
    [(0, "£0.00"), (5, "£0.05"), (4000, "£40.00"), (4050, "£40.50"), (125000, "£1,250.00"),
     (10_000_000, "£100,000.00"), (-500, "-£5.00")],
)
def test_format_money(pence: int, shown: str) -> None:
    assert format_money(pence) == shown


def test_format_date_is_uk_long_form() -> None:
    assert format_date(date(2026, 11, 20)) == "Friday 20 November 2026"
    assert format_date(date(2026, 3, 3)) == "Tuesday 3 March 2026"


# --- text ----------------------------------------------------------------------------------


def test_text_trims_and_collapses_whitespace() -> None:
    result = parse_text("  two   tickets\tto the\nrugby  ")
    assert result.ok and result.value == "two tickets to the rugby"
    assert result.display == result.value


@pytest.mark.parametrize("blank", ["", "   ", "\n\t", None, "\x00\x01"])
def test_text_rejects_empty(blank: str) -> None:
    result = parse_text(blank)
    assert not result.ok and "answer" in result.problem


def test_text_length_limits_are_stated() -> None:
    short = parse_text("ab", min_length=5)
    assert not short.ok and "at least 5 characters" in short.problem
    long = parse_text("x" * 501)
    assert not long.ok and "500 characters" in long.problem and "501" in long.problem
    assert parse_text("x" * 500).ok


def test_text_drops_control_characters_and_surrogates_but_keeps_emoji() -> None:
    result = parse_text("bottle\x00 of\ud800 wine 🍷\u200b")
    assert result.ok and result.value == "bottle of wine 🍷"
    result.value.encode("utf-8")  # storable


def test_text_copes_with_huge_input() -> None:
    result = parse_text("a" * 10_000_000)
    assert not result.ok and "10,000,000 characters" in result.problem


def test_text_accepts_non_string_input_without_raising() -> None:
    assert parse_text(12345).value == "12345"  # type: ignore[arg-type]
    assert parse_text(b"caf\xc3\xa9").value == "café"  # type: ignore[arg-type]


def test_long_text_keeps_paragraphs_and_tidies_them() -> None:
    typed = "First   line\r\nsecond line  \n\n\n\n\nNew paragraph\u2029Last"
    result = parse_long_text(typed)
    assert result.ok
    assert result.value == "First line\nsecond line\n\nNew paragraph\n\nLast"


def test_long_text_limits() -> None:
    assert not parse_long_text("").ok
    assert parse_long_text("x" * 5000).ok
    too_long = parse_long_text("x" * 5001)
    assert not too_long.ok and "5,000 characters" in too_long.problem
    assert not parse_long_text("short", min_length=20).ok


# --- organisation and person ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [("  Acme   Security Ltd ", "Acme Security Ltd"), ('"easyJet"', "easyJet"),
     ("HSBC,", "HSBC"), ("Smith & Sons Ltd.", "Smith & Sons Ltd."), ("BT", "BT")],
)
def test_organisation_is_tidied_without_changing_case(typed: str, value: str) -> None:
    result = parse_organisation(typed)
    assert result.ok and result.value == value and result.display == value


@pytest.mark.parametrize("typed", ["", "  ", "none", "N/A", "no organisation", "-"])
def test_organisation_rejects_empty_and_none(typed: str) -> None:
    result = parse_organisation(typed)
    assert not result.ok


def test_organisation_none_points_at_skip() -> None:
    assert "skip" in parse_organisation("n/a").problem


def test_organisation_too_long() -> None:
    assert not parse_organisation("A" * 201).ok


def test_person_is_only_tidied_for_the_engine() -> None:
    result = parse_field("person", "  @Sam   Patel ")
    assert result.ok and result.value == "Sam Patel"
    assert not parse_field("person", " @ ").ok


# --- money ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "pence"),
    [
        ("£40", 4000), ("40", 4000), ("40 quid", 4000), ("forty quid", 4000),
        ("forty pounds", 4000), ("about 40", 4000), ("around £40ish", 4000),
        ("40-ish", 4000), ("40.50", 4050), ("£40.5", 4050), ("£1,250", 125000),
        ("1.2k", 120000), ("£2.5k", 250000), ("2 grand", 200000), ("ten grand", 1_000_000),
        ("twenty five pounds", 2500), ("twenty-five pounds", 2500), ("£25 each", 2500),
        ("50p", 50), ("50 pence", 50), ("£ 40", 4000), ("a fiver", 500), ("a tenner", 1000),
        ("a hundred pounds", 10000), ("one hundred and fifty quid", 15000),
        ("five hundred", 50000), ("1.5 thousand", 150000), ("roughly £12.99", 1299),
        ("approx 30 GBP", 3000), ("£40.", 4000), ("40 in total", 4000), ("40 tops", 4000),
        ("40 quid for 2 tickets", 4000), ("４０", 4000), ("£100,000", 10_000_000),
    ],
)
def test_money_understood(typed: str, pence: int) -> None:
    result = parse_money(typed)
    assert result.ok, result.problem
    assert result.value == pence
    assert result.display == format_money(pence)


@pytest.mark.parametrize("typed", ["nothing", "no value", "£0", "0", "none", "zero", "Nil"])
def test_money_of_no_value_is_zero(typed: str) -> None:
    result = parse_money(typed)
    assert result.ok and result.value == 0 and result.display == "£0.00"


@pytest.mark.parametrize("typed", ["£20-30", "20 to 30", "between £20 and £30", "20 - 30",
                                   "20 or 30"])
def test_money_range_takes_the_top(typed: str) -> None:
    assert parse_money(typed).value == 3000


def test_money_range_shares_a_multiplier() -> None:
    assert parse_money("1-2k").value == 200000


def test_money_count_times_each_is_the_total() -> None:
    result = parse_money("2 tickets at £25 each")
    assert result.ok and result.value == 5000


@pytest.mark.parametrize("typed", ["unknown", "not sure", "don't know", "Don’t know", "no idea",
                                   "dunno"])
def test_money_unsure_asks_for_an_estimate(typed: str) -> None:
    result = parse_money(typed)
    assert not result.ok and "best estimate" in result.problem


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("-5", "negative"), ("minus 5", "negative"), ("-£5", "negative"),
        ("£5 million", "too high"), ("£100,001", "too high"), ("2.5 million pounds", "too high"),
        ("lots", "figure"), ("expensive", "figure"), ("", "pounds"), ("   ", "pounds"),
        ("$40", "sterling"), ("40 euros", "sterling"), ("€40", "sterling"),
        ("40,50", "more than one amount"), ("£25 and £30 and £40", "more than one amount"),
        ("x" * 300, "longer than"), ("2 bottles of wine", "amount in pounds"),
        ("10 people", "amount in pounds"),
    ],
)
def test_money_problems(typed: str, says: str) -> None:
    result = parse_money(typed)
    assert not result.ok and result.value is None
    assert says in result.problem


def test_money_limit_is_configurable() -> None:
    assert not parse_money("£60", max_pence=5000).ok
    assert "£50.00" in parse_money("£60", max_pence=5000).problem
    assert parse_money("£50", max_pence=5000).ok


def test_money_rounds_to_the_nearest_penny() -> None:
    assert parse_money("£1.005").value == 101
    assert parse_money("£1.50p").value == 150  # the pound sign wins over a stray "p"


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value", "shown"),
    [
        ("about 10 hours", 10, "10 hours"), ("ten", 10, "10 hours"), ("10", 10, "10 hours"),
        ("8-10", 10, "10 hours"), ("one and a half", 1.5, "1.5 hours"),
        ("2.50", 2.5, "2.5 hours"), ("1", 1, "1 hour"), ("none", 0, "0 hours"),
        ("twelve hours per week", 12, "12 hours"), ("10hrs", 10, "10 hours"),
        ("half an hour", 0.5, "0.5 hours"),
    ],
)
def test_number_understood(typed: str, value: float, shown: str) -> None:
    result = parse_number(typed, minimum=0, maximum=168, unit="hours")
    assert result.ok, result.problem
    assert result.value == value and type(result.value) is type(value)
    assert result.display == shown


@pytest.mark.parametrize(
    ("typed", "says"),
    [("", "number"), ("lots", "number"), ("not sure", "best estimate"), ("-3", "negative"),
     ("200", "between 0 and 168 hours"), ("10 hours a week, 5 at weekends", "more than one")],
)
def test_number_problems(typed: str, says: str) -> None:
    result = parse_number(typed, minimum=0, maximum=168, unit="hours")
    assert not result.ok and says in result.problem


def test_number_one_sided_limits() -> None:
    assert "at least 6" in parse_number("5", minimum=6).problem
    assert "no more than 4" in parse_number("5", maximum=4).problem
    assert parse_number("-2", minimum=-5).value == -2


# --- dates ---------------------------------------------------------------------------------


def past(typed: str) -> Parsed:
    """A date field about something that has happened."""
    return parse_date(typed, today=TODAY, allow_future=False)


def any_time(typed: str) -> Parsed:
    return parse_date(typed, today=TODAY)


def future(typed: str) -> Parsed:
    return parse_date(typed, today=TODAY, allow_past=False)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("today", date(2026, 11, 24)), ("yesterday", date(2026, 11, 23)),
        ("Yesterday evening", date(2026, 11, 23)), ("last night", date(2026, 11, 23)),
        ("this morning", date(2026, 11, 24)), ("the day before yesterday", date(2026, 11, 22)),
        ("last Friday", date(2026, 11, 20)), ("on Friday", date(2026, 11, 20)),
        ("friday", date(2026, 11, 20)), ("Friday gone", date(2026, 11, 20)),
        ("friday last week", date(2026, 11, 20)), ("last tuesday", date(2026, 11, 17)),
        ("tuesday", date(2026, 11, 17)), ("sat", date(2026, 11, 21)),
        ("3 March", date(2026, 3, 3)), ("3rd March", date(2026, 3, 3)),
        ("3rd of March", date(2026, 3, 3)), ("third of March", date(2026, 3, 3)),
        ("March 3", date(2026, 3, 3)), ("March 3rd, 2026", date(2026, 3, 3)),
        ("03/03/2026", date(2026, 3, 3)), ("3/3/26", date(2026, 3, 3)),
        ("3.3.2026", date(2026, 3, 3)), ("3-Mar-2026", date(2026, 3, 3)),
        ("2026-03-03", date(2026, 3, 3)), ("Tue 3rd Mar 2026", date(2026, 3, 3)),
        ("12/11", date(2026, 11, 12)),  # day first: 12 November, not 11 December
        ("2 weeks ago", date(2026, 11, 10)), ("two weeks ago", date(2026, 11, 10)),
        ("a fortnight ago", date(2026, 11, 10)), ("a couple of days ago", date(2026, 11, 22)),
        ("a week ago", date(2026, 11, 17)), ("1 month ago", date(2026, 10, 24)),
        ("3 days back", date(2026, 11, 21)), ("the 20th", date(2026, 11, 20)),
        ("it was on the 20th I think", date(2026, 11, 20)),
        ("20 December", date(2025, 12, 20)),  # no year, would be future: last year
        ("christmas day", date(2025, 12, 25)), ("boxing day", date(2025, 12, 26)),
        ("29 Feb", date(2024, 2, 29)),  # the most recent leap day
        ("20/11/2026 at 18:30", date(2026, 11, 20)), ("yesterday at 7pm", date(2026, 11, 23)),
        ("the 20th of last month", date(2026, 10, 20)),  # via dateparser
        ("on sunday night", date(2026, 11, 22)), ("Sat 21st", date(2026, 11, 21)),
        ("about a week ago", date(2026, 11, 17)), ("jan 5", date(2026, 1, 5)),
    ],
)
def test_past_dates_understood(typed: str, expected: date) -> None:
    result = past(typed)
    assert result.ok, result.problem
    assert result.value == expected
    assert result.display == format_date(expected)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("next Monday", date(2026, 11, 30)), ("monday", date(2026, 11, 30)),
        ("tuesday", date(2026, 12, 1)), ("tomorrow", date(2026, 11, 25)),
        ("in 3 days", date(2026, 11, 27)), ("in a week", date(2026, 12, 1)),
        ("3 March", date(2027, 3, 3)), ("the 3rd", date(2026, 12, 3)),
        ("this friday", date(2026, 11, 27)), ("christmas", date(2026, 12, 25)),
    ],
)
def test_future_dates_understood(typed: str, expected: date) -> None:
    result = future(typed)
    assert result.ok, result.problem
    assert result.value == expected


def test_missing_year_on_a_field_allowing_both_picks_the_nearest() -> None:
    assert any_time("20 December").value == date(2026, 12, 20)
    assert any_time("3 March").value == date(2027, 3, 3)
    assert any_time("3 March 2026").value == date(2026, 3, 3)
    assert any_time("Friday").value == date(2026, 11, 20)  # the past is preferred


def test_two_digit_years_far_ahead_mean_last_century() -> None:
    assert parse_date("1/1/99", today=TODAY, max_years_back=100).value == date(1999, 1, 1)


@pytest.mark.parametrize("typed", ["tomorrow", "next Monday", "in 3 days", "25/12/2026",
                                   "this friday"])
def test_future_date_on_a_past_field_reprompts(typed: str) -> None:
    result = past(typed)
    assert not result.ok
    assert "is in the future; when did it happen?" in result.problem


def test_past_date_on_a_future_field_reprompts() -> None:
    result = future("yesterday")
    assert not result.ok and "already passed" in result.problem


@pytest.mark.parametrize(
    "typed", ["last week", "last month", "this week", "last weekend", "a few days ago",
              "recently", "the other day", "a while ago", "several weeks ago", "the weekend",
              "the week before last", "a month or so ago", "first week of november"],
)
def test_vague_periods_ask_for_the_day(typed: str) -> None:
    result = past(typed)
    assert not result.ok and "Which day" in result.problem


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("dunno", "best guess"), ("not sure", "best guess"), ("asdf", "couldn't read"),
        ("", "Please type a date"), ("12", "couldn't read"), ("2026", "couldn't read"),
        ("yes", "couldn't read"), ("a", "couldn't read"), ("on", "couldn't read"),
        ("may", "Which day in May"), ("march", "Which day in March"),
        ("nov 2025", "Which day in November"), ("mid-March", "Which day in March"),
        ("03/13/2026", "Did you mean 13/03/2026?"), ("31/02/2026", "no 31 February 2026"),
        ("2026-13-01", "doesn't look like a date"),
        ("Friday 3 March 2026", "is a Tuesday, not a Friday"),
        ("1/1/1970", "more than 50 years ago"), ("9999-12-31", "in the future"),
        ("2 days before yesterday", "couldn't read"), ("99999 days ago", "years ago"),
        ("x" * 100, "longer than"),
    ],
)
def test_date_problems(typed: str, says: str) -> None:
    result = past(typed)
    assert not result.ok, result.value
    assert says in result.problem


@pytest.mark.parametrize("typed", ["monday or tuesday", "20 or 21 November", "2 or 3 weeks ago",
                                   "between 3 and 5 March"])
def test_two_possible_days_ask_for_one(typed: str) -> None:
    result = past(typed)
    assert not result.ok and "just one day" in result.problem


def test_date_garbage_problem_gives_examples() -> None:
    problem = past("asdf").problem
    assert "yesterday" in problem and "last Friday" in problem and "24/11/2026" in problem
    assert "next Monday" in future("asdf").problem


def test_dates_far_ahead_are_queried() -> None:
    assert "years away" in any_time("1/1/2040").problem
    assert parse_date("1/1/2040", today=TODAY, max_years_ahead=20).ok


# --- yes / no ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["yes", "Y", "yeah", "Yep", "sure", "ok", "OK!", "correct", "aye", "Yes.",
              "yes please", "of course", "yes, I accepted it", "👍", "✔️", "definitely", "true"],
)
def test_yes(typed: str) -> None:
    result = parse_yes_no(typed)
    assert result.ok and result.value is True and result.display == "Yes"


@pytest.mark.parametrize(
    "typed", ["no", "N", "nope", "nah", "not really", "no thanks", "No, I declined it",
              "definitely not", "👎", "never", "nope, never", "false"],
)
def test_no(typed: str) -> None:
    result = parse_yes_no(typed)
    assert result.ok and result.value is False and result.display == "No"


@pytest.mark.parametrize(
    "typed", ["", "maybe", "not sure", "no idea", "yeah no", "yes and no", "asdf", "perhaps",
              "I don't know", "x" * 300],
)
def test_yes_no_ambiguous(typed: str) -> None:
    result = parse_yes_no(typed)
    assert not result.ok and "yes or no" in result.problem


# --- choice --------------------------------------------------------------------------------

RELATIONSHIPS = [
    Option("public", "Member of the public", ("public", "civilian", "resident")),
    Option("victim", "Victim or witness", ("victim", "witness")),
    Option("offender", "Offender or suspect", ("offender", "suspect", "criminal")),
    Option("supplier", "Supplier or bidder", ("supplier", "bidder", "contractor", "vendor")),
    Option("media", "Media", ("journalist", "press", "reporter")),
    Option("partner_agency", "Partner agency", ("council", "nhs", "charity")),
    Option("other", "Other"),
]


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("supplier", "supplier"), ("SUPPLIER", "supplier"), ("Supplier or bidder", "supplier"),
        ("contractor", "supplier"), ("partner_agency", "partner_agency"),
        ("partner agency", "partner_agency"), ("2", "victim"), ("option 2", "victim"),
        ("two", "victim"), ("#4", "supplier"), ("4th", "supplier"), ("sup", "supplier"),
        ("pa", "partner_agency"), ("from a supplier", "supplier"),
        ("it was a member of the public", "public"), ("the council", "partner_agency"),
        ("suplier", "supplier"), ("offfender", "offender"), ("jounralist", "media"),
        ("other", "other"), ("Other.", "other"),
    ],
)
def test_choice_understood(typed: str, value: str) -> None:
    result = parse_choice(typed, RELATIONSHIPS)
    assert result.ok, result.problem
    assert result.value == value
    assert result.display == next(o.label for o in RELATIONSHIPS if o.value == value)


@pytest.mark.parametrize("typed", ["", "zzz", "9", "0", "not a supplier", "journo", "x" * 300])
def test_choice_unrecognised_lists_the_options(typed: str) -> None:
    result = parse_choice(typed, RELATIONSHIPS)
    assert not result.ok
    assert "1. Member of the public" in result.problem and "7. Other" in result.problem


@pytest.mark.parametrize("typed", ["o", "p"])
def test_choice_ambiguous_prefix_names_the_candidates(typed: str) -> None:
    result = parse_choice(typed, RELATIONSHIPS)
    assert not result.ok and result.problem.startswith("That could be")


def test_choice_fuzzy_only_when_one_option_clearly_wins() -> None:
    options = [Option("accepted", "Accepted"), Option("declined", "Declined")]
    assert parse_choice("accpeted", options).value == "accepted"
    assert parse_choice("declnied", options).value == "declined"
    close = [Option("cat", "Cat"), Option("cot", "Cot")]
    assert not parse_choice("cut", close).ok


def test_choice_exact_label_beats_option_number() -> None:
    options = [Option("a", "10"), Option("b", "1")]
    assert parse_choice("1", options).value == "b"


def test_choice_needs_options() -> None:
    with pytest.raises(ValueError):
        parse_choice("x", [])


# --- dispatch ------------------------------------------------------------------------------


def test_field_types_and_options_agree() -> None:
    assert set(FIELD_TYPES) == {"text", "long_text", "money", "date", "yes_no", "choice",
                                "number", "organisation", "person"}
    assert set(FIELD_OPTIONS) == FIELD_TYPES


def test_parse_field_dispatches_and_ignores_options_a_type_does_not_use() -> None:
    common = {"today": TODAY, "max_length": 3}
    assert parse_field("money", "£40", **common).value == 4000
    assert parse_field("date", "yesterday", allow_future=False, **common).value == date(
        2026, 11, 23)
    assert not parse_field("text", "abcd", **common).ok  # max_length reached the text parser
    assert parse_field("yes_no", "yep", **common).value is True
    assert parse_field("number", "ten", unit="hours").display == "10 hours"
    assert parse_field("organisation", " Acme ").value == "Acme"
    assert parse_field("long_text", "a\n\nb").value == "a\n\nb"


def test_parse_field_accepts_options_as_yaml_gives_them() -> None:
    options = [{"value": "accepted", "label": "Accepted", "synonyms": ["took it", "kept"]},
               {"value": "declined", "label": "Declined", "synonyms": "refused"},
               "returned"]
    assert parse_field("choice", "kept", options=options).value == "accepted"
    assert parse_field("choice", "refused", options=options).value == "declined"
    assert parse_field("choice", "3", options=options).value == "returned"


def test_parse_field_rejects_unknown_types() -> None:
    with pytest.raises(ValueError, match="unknown field type"):
        parse_field("colour", "red")


# --- nothing raises on user input -----------------------------------------------------------

_WORDS = ["£", "40", "forty", "quid", "k", "p", "-", "/", ".", ",", "ago", "last", "next",
          "friday", "may", "march", "3rd", "the", "of", "yes", "no", "not", "sure", "each",
          "2026", "99999999999999999999", "0", "half", "a", "couple", "million", "ish", "to",
          "😀", "\x00", "\ud800", "\n", "31/02", "29", "feb", "option", "supplier", "1e9",
          "in", "days", "week", "years", "yesterday", "today", "before", "christmas"]


def _every_parser(text: object) -> list[Parsed]:
    options = RELATIONSHIPS
    return [
        parse_text(text), parse_long_text(text), parse_money(text), parse_yes_no(text),
        parse_choice(text, options), parse_number(text, minimum=0, maximum=168, unit="hours"),
        parse_organisation(text), parse_date(text, today=TODAY),
        parse_date(text, today=TODAY, allow_future=False),
        parse_date(text, today=TODAY, allow_past=False),
        parse_field("person", text),
    ]


def _assert_well_formed(results: list[Parsed]) -> None:
    for result in results:
        assert isinstance(result, Parsed)
        assert result.ok == (result.problem is None)
        if result.ok:
            assert result.display is not None
        else:
            assert result.problem and result.value is None


def test_no_parser_raises_on_random_text() -> None:
    generator = random.Random(20261124)
    alphabet = "abc £$€0123456789.,-/:'\"\t\n\x00\x7f\u200b\ud800é😀"
    for _ in range(300):
        if generator.random() < 0.5:
            text = " ".join(generator.choices(_WORDS, k=generator.randint(0, 8)))
        else:
            text = "".join(generator.choices(alphabet, k=generator.randint(0, 40)))
        _assert_well_formed(_every_parser(text))


@pytest.mark.parametrize("odd", [None, 0, 12.5, b"\xff\xfe", ["list"], "\x00" * 1000,
                                 "9" * 5000, "£" * 5000, " " * 100_000])
def test_no_parser_raises_on_odd_input(odd: object) -> None:
    _assert_well_formed(_every_parser(odd))


try:
    from hypothesis import given
    from hypothesis import settings as hypothesis_settings
    from hypothesis import strategies as st
except ImportError:  # hypothesis is a test extra; the loops above still cover the property
    given = None

if given is not None:
    _phrases = st.lists(st.sampled_from(_WORDS), max_size=8).map(" ".join)

    @hypothesis_settings(max_examples=150, deadline=None)
    @given(st.one_of(st.text(max_size=60), _phrases))
    def test_no_parser_raises_on_arbitrary_text(text: str) -> None:
        _assert_well_formed(_every_parser(text))


# -- approximate dates, yearly money, negated choices ---------------------------------------


@pytest.mark.parametrize("typed, expected, precision, shown", [
    ("2019", date(2019, 1, 1), "year", "2019"),
    ("since 2019", date(2019, 1, 1), "year", "2019"),
    ("2019-ish", date(2019, 1, 1), "year", "2019"),
    ("March 2019", date(2019, 3, 1), "month", "March 2019"),
    ("since march 2019", date(2019, 3, 1), "month", "March 2019"),
    ("03/2019", date(2019, 3, 1), "month", "March 2019"),
    ("last year", date(2025, 1, 1), "year", "2025"),
    ("5 years ago", date(2021, 1, 1), "year", "2021"),
    ("march", date(2026, 3, 1), "month", "March 2026"),
    ("3 March 2019", date(2019, 3, 3), None, "Sunday 3 March 2019"),
])
def test_a_month_or_a_year_will_do_where_the_field_says_so(
        typed: str, expected: date, precision: str | None, shown: str) -> None:
    parsed = parse_date(typed, today=TODAY, allow_future=False, precision="month")
    assert (parsed.value, parsed.precision, parsed.display) == (expected, precision, shown)


@pytest.mark.parametrize("typed", ["since school", "a few years", "ages"])
def test_a_vague_since_when_asks_roughly_which_year(typed: str) -> None:
    parsed = parse_date(typed, today=TODAY, allow_future=False, precision="month")
    assert not parsed.ok and "year" in (parsed.problem or "")


@pytest.mark.parametrize(("typed", "year"), [("the 90s", 1990), ("the eighties", 1980),
                                             ("1980s", 1980), ("the noughties", 2000)])
def test_a_decade_is_a_rough_year_where_a_month_will_do(typed: str, year: int) -> None:
    parsed = parse_date(typed, today=TODAY, allow_future=False, precision="month")
    assert (parsed.value, parsed.precision) == (date(year, 1, 1), "year")


@pytest.mark.parametrize("typed", ["last week", "a few days ago", "the other day",
                                   "last weekend", "this week"])
def test_a_recent_span_is_its_month_where_a_month_will_do(typed: str) -> None:
    # Seen in acceptance: "last week" to "since when?" was told "a year is fine".
    parsed = parse_date(typed, today=TODAY, allow_future=False, precision="month")
    assert (parsed.value, parsed.precision, parsed.display) == (
        date(2026, 11, 1), "month", "November 2026")


def test_a_recent_span_across_two_months_asks_which_and_still_needs_a_day_elsewhere() -> None:
    parsed = parse_date("this week", today=date(2026, 12, 2), allow_future=False,
                        precision="month")
    assert parsed.problem == "Was that in November or December 2026?"
    assert parse_date("december", today=date(2026, 12, 2), allow_future=False,
                      precision="month").value == date(2026, 12, 1)
    assert not parse_date("last week", today=TODAY, allow_future=False).ok


def test_a_month_without_a_day_says_which_month_for_the_next_answer() -> None:
    parsed = parse_date("January 2027", today=TODAY)
    assert (parsed.ok, parsed.partial) == (False, "January 2027")
    assert parse_date("the 9th", today=TODAY).partial is None


def test_a_year_alone_still_needs_a_day_where_the_field_wants_one() -> None:
    assert not parse_date("2019", today=TODAY, allow_future=False).ok
    assert not parse_date("the 90s", today=TODAY, allow_future=False).ok  # was read as today


def test_an_approximate_date_in_the_future_is_refused_on_a_past_field() -> None:
    parsed = parse_date("2030", today=TODAY, allow_future=False, precision="month")
    assert parsed.problem == "That date (2030) is in the future; when did it happen?"


@pytest.mark.parametrize("typed, pence", [
    ("about 150 a week", 780000), ("£600 a month", 720000), ("150pw", 780000),
    ("£6,000 a year", 600000), ("£6000", 600000), ("nothing", 0),
])
def test_a_yearly_money_field_turns_weeks_and_months_into_a_year(typed: str,
                                                                 pence: int) -> None:
    assert parse_money(typed, period="year").value == pence


@pytest.mark.parametrize("typed", ["£12 an hour", "£50 per shift", "80 a night"])
def test_a_yearly_money_field_asks_about_rates_it_cannot_multiply(typed: str) -> None:
    assert "yearly figure" in (parse_money(typed, period="year").problem or "")


DECISION = [Option("accepted", "Accepted", ("accept", "took it", "yes")),
            Option("declined", "Declined", ("decline", "turned it down", "no", "didn't accept"))]


@pytest.mark.parametrize("typed, expected", [
    ("I didn't accept it", "declined"),  # was read as accepted
    ("never accepted it", "declined"),
    ("nah", "declined"), ("yep", "accepted"),
    ("no i declined", "declined"),
    ("no, I took it", None),  # mixed: asked, not guessed
])
def test_a_negated_option_is_not_chosen(typed: str, expected: str | None) -> None:
    assert parse_choice(typed, DECISION).value == expected


def test_a_possessive_still_names_the_option() -> None:
    family = [Option("family", "Family", ("cousin",)), Option("friend", "Friend", ("mate",))]
    assert parse_choice("my cousin's staying with me", family).value == "family"


# -- a longer name found inside an answer wins over the shorter names within it --------------

# Trimmed copies of the report category and association relationship options, keeping the
# synonyms that clashed in practice ("sexual" / "sexual harassment", "other" / "other half").
CATEGORY = [
    Option("sexual_purpose", "Abuse of position for a sexual purpose",
           ("abuse of position", "sexual purpose", "victim", "sexual")),
    Option("drugs_alcohol", "Drugs or alcohol misuse", ("drugs", "alcohol", "drunk")),
    Option("discrimination_bullying", "Discrimination, bullying or harassment",
           ("discrimination", "bullying", "harassment", "sexual harassment")),
    Option("other", "Other misconduct", ("other", "something else")),
]
RELATIONSHIP = [
    Option("family", "Family member", ("family", "cousin", "half brother")),
    Option("partner", "Partner or former partner", ("partner", "ex", "other half")),
    Option("friend", "Friend", ("friend", "mate")),
    Option("other", "Other", ("other", "something else")),
]
_CHOICE_SETS = {"category": CATEGORY, "relationship": RELATIONSHIP, "decision": DECISION}


@pytest.mark.parametrize("options, typed, expected, could_be", [
    # Known cases: the longer phrase consumes the words it spans.
    ("category", "it was sexual harassment by my sergeant", "discrimination_bullying", ()),
    ("category", "Sexual harassment, in the canteen", "discrimination_bullying", ()),
    ("relationship", "well, my other half I suppose", "partner", ()),
    ("relationship", "she's my other half", "partner", ()),
    # Exact names still win, short or not.
    ("category", "sexual", "sexual_purpose", ()),
    ("category", "other", "other", ()),
    ("relationship", "other half", "partner", ()),
    # Separate mentions of two options are still a question, not a guess.
    ("category", "bullying and drugs", None, ("drugs_alcohol", "discrimination_bullying")),
    ("category", "sexual harassment while drunk", None,
     ("drugs_alcohol", "discrimination_bullying")),
    ("relationship", "my other half and a mate", None, ("partner", "friend")),
    # Overlapping names, neither inside the other, are both counted.
    ("relationship", "my other half brother", None, ("family", "partner")),
    # Negation still holds, and a negated longer name still consumes its words.
    ("category", "it was sexual, not harassment", "sexual_purpose", ()),
    ("category", "not sexual harassment, he was drunk", "drugs_alcohol", ()),
    ("decision", "I didn't accept it", "declined", ()),
    ("relationship", "not my other half, just a mate", "friend", ()),
])
def test_a_longer_name_inside_an_answer_beats_the_shorter_ones_it_contains(
        options: str, typed: str, expected: str | None, could_be: tuple[str, ...]) -> None:
    choices = _CHOICE_SETS[options]
    parsed = parse_choice(typed, choices)
    assert parsed.value == expected, parsed.problem
    if could_be:
        labels = {o.value: o.label for o in choices}
        problem = parsed.problem or ""
        assert problem.startswith("That could be")
        named = problem.split(".")[0]
        assert [v for v in labels if labels[v] in named] == list(could_be)


def test_the_parsers_vocabulary_loads_as_words_not_yaml_booleans():
    # YAML reads a bare yes/no/on/off as true/false; the word lists must keep them as words.
    from bot.workflows.parsing.words import groups, phrases
    assert "yes" in phrases("yes") and "no" in phrases("no")
    assert all(isinstance(word, str) for word in phrases("yes") | phrases("no"))
    assert "yes" in groups("control") and "no" in groups("control")["no"]
