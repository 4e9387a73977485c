"""Answers that were wrong on the bundled policies (issue 18), the answer rule learned from
examples, and the structures cached with the index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.config import Settings
from bot.knowledge import Knowledge
from bot.knowledge.answer_rule import FEATURES, AnswerRule, Evidence
from bot.knowledge.chunking import Passage
from bot.knowledge.evaluation import TuneEvidence, cross_check, fit_rule
from bot.knowledge.fields import PolicyIndex
from bot.knowledge.text import terms


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    return Knowledge.load(Settings(home=tmp_path_factory.mktemp("home")))


def test_a_question_about_the_gift_limit_finds_the_rule_that_states_the_amount(
        bundled: Knowledge) -> None:
    answer = bundled.answer("what's the limit for gifts anyway?")

    assert answer.answered
    assert answer.citations[0].section in ("5. Gifts below £25",
                                           "7. Offers at or above £25: approval before "
                                           "acceptance")
    assert "£25" in answer.answer
    assert "doorstep" not in answer.answer


def test_credit_card_debt_is_answered_from_the_debt_policy(bundled: Knowledge) -> None:
    answer = bundled.answer("I've got credit card debt, do I need to tell anyone?")

    assert answer.answered
    assert answer.citations[0].document == "debt-and-financial-difficulty.md"


def test_a_partner_at_a_bidding_firm_cites_the_rule_on_partners_businesses(
        bundled: Knowledge) -> None:
    answer = bundled.answer("my partner is a partner at a firm bidding for police contracts")

    cited = [(c.document, c.section) for c in answer.citations]
    assert ("business-interests.md", "5. Relatives' and partners' businesses") in cited
    assert cited[0][0] != "leaving-the-service.md"


def test_free_coffee_from_a_named_shop_is_a_gift_question(bundled: Knowledge) -> None:
    answer = bundled.answer("Costa always give me a free coffee on my beat, can I take it?")

    assert answer.answered
    assert {c.document for c in answer.citations[:2]} == {"gifts-and-hospitality.md"}


def test_selling_your_own_things_on_ebay_is_answered_with_the_exception(
        bundled: Knowledge) -> None:
    answer = bundled.answer("can I sell my old stuff on eBay?")

    assert answer.answered
    assert "occasional sales of your own personal belongings" in answer.answer
    assert "must not start" not in answer.answer


def test_a_shop_or_place_name_the_policies_never_use_does_not_count_against_a_question(
        bundled: Knowledge) -> None:
    named = bundled.query_terms("Costa gave me a free coffee")
    plain = bundled.query_terms("costa gave me a free coffee")

    assert "costa" in named.weights and "costa" not in named.own
    assert "costa" in plain.own


def test_limit_questions_are_told_apart_from_questions_naming_a_sum(bundled: Knowledge) -> None:
    assert bundled.query_terms("how much can a present be worth?").limit_question
    assert not bundled.query_terms("a £15 bunch of flowers").limit_question


def test_a_deadline_question_finds_the_rule_that_states_a_length_of_time(tmp_path: Path) -> None:
    def section(heading: str, text: str) -> Passage:
        return Passage("gifts.md", "Gifts", "1", (heading,), text)
    knowledge = Knowledge.from_passages([
        section("3. Telling the office", "Tell the office about a gift you were offered."),
        section("4. When to tell", "Tell the office about a gift within 28 days of an offer."),
    ], Settings(home=tmp_path))

    query = knowledge.query_terms("whats the deadline for telling the office about a gift")

    assert query.duration_question
    assert not knowledge.query_terms("telling the office about a gift").duration_question
    assert knowledge.search("whats the deadline for telling the office about a gift")[
        0].passage.section == "4. When to tell"
    # Without the duration boost the first section, which shares more words, wins.
    assert knowledge.search("telling the office about a gift")[0].passage.section == (
        "3. Telling the office")


def test_contractions_typed_without_the_apostrophe_are_not_search_terms() -> None:
    assert terms("whats the deadline, ive got a gift i dont want") == terms(
        "what's the deadline, i've got a gift i don't want")


def _evidence(**values: float) -> Evidence:
    base = dict.fromkeys(Evidence.__dataclass_fields__, 0.0)
    return Evidence(**{**base, **values})


def test_the_answer_rule_learns_to_separate_answerable_from_off_topic(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    answerable = [_evidence(coverage=float(c), known=1.0, question_terms=2.0)
                  for c in rng.uniform(0.4, 1.0, 60)]
    off_topic = [_evidence(coverage=float(c), known=0.5, route_ratio=1.5, question_terms=1.5)
                 for c in rng.uniform(0.0, 0.5, 40)]

    rule = AnswerRule.fit(answerable, off_topic, ["made-up"])
    rule.save(tmp_path / "rule.json")
    again = AnswerRule.load(tmp_path / "rule.json")

    assert again == rule
    assert sum(map(rule.answers, off_topic)) <= 0.04 * len(off_topic)
    assert sum(map(rule.answers, answerable)) >= 0.9 * len(answerable)
    assert rule.weights[FEATURES.index("route_ratio")] < 0


def test_the_cross_check_fits_on_the_other_corpora_and_counts_this_ones() -> None:
    rng = np.random.default_rng(7)

    def corpus(name: str, shift: float) -> TuneEvidence:
        answerable: list[Evidence | None] = [
            _evidence(coverage=float(c), known=1.0, question_terms=2.0)
            for c in rng.uniform(0.5 + shift, 1.0, 30)]
        off_topic = [_evidence(coverage=float(c), known=1.0, route_ratio=1.2)
                     for c in rng.uniform(0.0, 0.3, 20)]
        return TuneEvidence(name, [*answerable, None], off_topic, [], off_topic_asked=22)

    parts = [corpus("one", 0.0), corpus("two", 0.1), corpus("three", 0.2)]
    checks = cross_check(parts)

    assert [check.name for check in checks] == ["one", "two", "three"]
    for check, part in zip(checks, parts, strict=True):
        rule = fit_rule([other for other in parts if other is not part])
        assert rule.fitted_on == tuple(o.name for o in parts if o is not part)
        # The route-declined answerable question (None) counts as not answered.
        assert check.answerable == 31
        assert check.answered == sum(rule.answers(e) for e in part.answerable if e) >= 27
        assert check.off_topic == 22
        assert check.off_topic_answered == sum(map(rule.answers, part.off_topic)) < 10


def test_a_rule_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "rule.json"
    path.write_text('{"features": ["coverage"], "weights": [1], "bias": 0, "means": [0], '
                    '"scales": [1], "threshold": 0.5}', encoding="utf-8")

    with pytest.raises(ValueError):
        AnswerRule.load(path)


def test_the_bundled_rule_was_fitted_on_more_than_one_corpus(bundled: Knowledge) -> None:
    rule = bundled.rule()

    assert rule is not None and len(rule.fitted_on) >= 3


def test_every_derived_structure_comes_back_from_the_cache(tmp_path: Path,
                                                           bundled: Knowledge) -> None:
    stem = tmp_path / "index-test"
    bundled.fields.save(stem)

    loaded = PolicyIndex.load(stem)

    query = {"gift": 1.0, "wine": 1.0}
    for name in ("body", "headings", "faq", "exact"):
        assert np.array_equal(getattr(loaded, name).scores(query),
                              getattr(bundled.fields, name).scores(query)), name
    assert loaded.heading_limits == bundled.fields.heading_limits
    assert loaded.section_keys == bundled.fields.section_keys
    assert np.array_equal(loaded.route_mask, bundled.fields.route_mask)


def test_a_cached_load_answers_the_same_as_a_fresh_build(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    fresh = Knowledge.load(settings)
    cached = Knowledge.load(settings)

    question = "a supplier wants to take me to the rugby, is that ok?"
    assert cached.from_cache and not fresh.from_cache
    assert cached.answer(question).to_json() == fresh.answer(question).to_json()
