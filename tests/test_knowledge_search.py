"""Tokenising, vocabulary expansion, BM25 scoring, the index cache and the answers it gives."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.config import Settings
from bot.knowledge import Knowledge
from bot.knowledge.bench import generate_corpus
from bot.knowledge.chunking import Passage, chunk
from bot.knowledge.index import NonNegativeBM25, SearchIndex
from bot.knowledge.loaders import load_folder
from bot.knowledge.text import sentences, terms
from bot.knowledge.vocabulary import EXPANSION_WEIGHT, OWN_WEIGHT, Vocabulary
from bot.turns import Citation


def _passage(text: str, heading: str = "1. Section", title: str = "Policy") -> Passage:
    return Passage("policy.md", title, "1", (heading,), text)


def test_terms_drop_stop_words_and_stem() -> None:
    assert terms("Can I accept the Gifts offered by a victim’s family?") == [
        "accept", "gift", "offer", "victim", "famili"]


def test_terms_keep_numbers_and_split_hyphens() -> None:
    assert terms("a £25 thank-you") == ["25", "thank"]


def test_sentences_split_lines_and_bullets_and_drop_emphasis() -> None:
    text = "**Declined offers must be recorded too.** It helps.\n- cash;\n- vouchers."
    assert sentences(text) == ["Declined offers must be recorded too.", "It helps.", "cash;",
                               "vouchers."]


def test_vocabulary_adds_policy_terms_at_a_lower_weight() -> None:
    vocabulary = Vocabulary.from_mapping({"freebie": ["gift", "hospitality"],
                                          "side job": ["business interest"]})

    query = vocabulary.query_terms("Can I keep freebies from my side job?")

    assert query.weights["freebi"] == OWN_WEIGHT
    assert query.weights["gift"] == query.weights["hospit"] == EXPANSION_WEIGHT
    assert query.weights["busi"] == EXPANSION_WEIGHT
    assert query.alternatives["freebi"] == {"gift", "hospit"}


def test_vocabulary_matches_whole_words_not_stems() -> None:
    vocabulary = Vocabulary.from_mapping({"reporter": ["journalist"]})

    assert "journalist" not in vocabulary.query_terms("how do I report a colleague").weights
    assert "journalist" in vocabulary.query_terms("a reporter rang me").weights


def test_the_longest_vocabulary_phrase_wins() -> None:
    vocabulary = Vocabulary.from_mapping({"order": ["instructions"],
                                          "debt relief order": ["insolvency"]})

    weights = vocabulary.query_terms("I had a debt relief order").weights

    assert "insolv" in weights
    assert "instruct" not in weights


def test_a_term_in_half_the_passages_still_counts() -> None:
    """Okapi's IDF is log(1) = 0 for a term in half the passages: the small-corpus trap."""
    corpus = [["gift", "wine"], ["gift", "card"], ["vetting"], ["debt"]]

    stock = BM25Okapi(corpus)
    ours = NonNegativeBM25(corpus)

    assert stock.idf["gift"] == 0.0
    assert stock.get_scores(["gift"]).max() == 0.0
    assert ours.idf["gift"] > 0
    assert list(np.flatnonzero(ours.get_scores(["gift"]))) == [0, 1]


def test_a_common_term_scores_less_than_a_rare_one_but_never_below_zero() -> None:
    corpus = [["gift", "wine"], ["gift", "card"], ["gift"], ["debt"]]

    ours = NonNegativeBM25(corpus)

    assert 0 < ours.idf["gift"] < ours.idf["wine"]
    assert ours.get_scores(["gift"]).min() == 0.0  # only the passage without it scores 0


def test_search_ranks_exactly_as_rank_bm25_on_a_generated_corpus() -> None:
    documents, _ = load_folder(Settings().policies_dir)
    passages, tokens = generate_corpus(chunk(documents), 3000)
    bm25 = NonNegativeBM25(tokens)
    index = SearchIndex.from_bm25(passages, bm25)
    vocabulary = sorted(bm25.idf)
    rng = random.Random(3)

    for _ in range(40):
        query = rng.sample(vocabulary, rng.randint(1, 6))
        expected_scores = bm25.get_scores(query)
        expected = [int(i) for i in np.argsort(-expected_scores, kind="stable")[:10]
                    if expected_scores[i] > 0]

        found = index.top(dict.fromkeys(query, 1.0), limit=10)

        assert [number for number, _ in found] == expected
        assert [score for _, score in found] == pytest.approx(
            [expected_scores[i] for i in expected])


def test_headings_and_title_are_indexed() -> None:
    index = SearchIndex.build([
        _passage("You must tell us within a week.", heading="4. Declaring a tattoo"),
        _passage("Tattoos are allowed if covered.", heading="5. Uniform"),
        _passage("Nothing relevant here.", heading="6. Other"),
    ])

    best, _ = index.top({"declar": 1.0}, limit=1)[0]

    assert best == 0


def _settings(tmp_path: Path, policies: Path | None = None) -> Settings:
    return Settings(home=tmp_path / "home", **({"policies_dir": policies} if policies else {}))


def _write_policy(folder: Path, name: str, body: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(body, encoding="utf-8")


def test_the_index_is_cached_and_rebuilt_only_when_a_file_changes(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    _write_policy(policies, "dogs.md", "# Dogs\n\n## 1. Dogs at work\nDogs stay in the yard.\n")
    settings = _settings(tmp_path, policies)

    first = Knowledge.load(settings)
    second = Knowledge.load(settings)
    _write_policy(policies, "dogs.md", "# Dogs\n\n## 1. Dogs at work\nDogs stay at home.\n")
    third = Knowledge.load(settings)

    assert (first.from_cache, second.from_cache, third.from_cache) == (False, True, False)
    assert second.index.passages == first.index.passages
    assert "home" in third.index.passages[0].text
    assert list((settings.home / "index").glob("*.pkl")) == []


def test_a_damaged_cache_is_rebuilt_not_fatal(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    _write_policy(policies, "dogs.md", "# Dogs\n\n## 1. Dogs at work\nDogs stay in the yard.\n")
    settings = _settings(tmp_path, policies)
    Knowledge.load(settings)
    for npz in (settings.home / "index").glob("*.npz"):
        npz.write_bytes(b"garbage")

    again = Knowledge.load(settings)

    assert not again.from_cache
    assert again.answer("can my dog stay in the yard?").answered


def test_problems_are_remembered_with_the_cached_index(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    _write_policy(policies, "dogs.md", "# Dogs\n\n## 1. Dogs at work\nDogs stay in the yard.\n")
    (policies / "broken.pdf").write_bytes(b"nope")
    settings = _settings(tmp_path, policies)

    assert Knowledge.load(settings).problems[0].startswith("broken.pdf")
    assert Knowledge.load(settings).problems[0].startswith("broken.pdf")


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Knowledge:
    return Knowledge.load(Settings(home=tmp_path_factory.mktemp("home")))


def test_chocolates_question_cites_the_gifts_policy_section_that_answers_it(
        bundled: Knowledge) -> None:
    answer = bundled.answer("can I accept a box of chocolates from a member of the public?")

    assert answer.answered
    best = answer.citations[0]
    assert (best.document, best.section) == ("gifts-and-hospitality.md",
                                             "10. Thank-you items shared with the team")
    assert best.title == "Gifts and Hospitality"
    assert "chocolates" in answer.answer
    assert 1 <= len(answer.citations) <= 3
    assert [c.score for c in answer.citations] == sorted(
        (c.score for c in answer.citations), reverse=True)


def test_the_answer_is_trimmed_to_a_few_sentences_of_the_passage(bundled: Knowledge) -> None:
    answer = bundled.answer("can I keep a bottle of wine a victim's family left for us?")

    passage = answer.citations[0].text
    assert len(answer.answer) < len(passage)
    assert 1 <= len(sentences(answer.answer)) <= 4
    assert all(sentence in passage.replace("**", "") for sentence in sentences(answer.answer))


def test_an_off_topic_question_is_routed_to_the_facilities_contact(bundled: Knowledge) -> None:
    answer = bundled.answer("what time does the canteen close?")

    assert not answer.answered
    assert answer.citations == ()
    assert answer.answer.startswith("The policies don't cover this.")
    assert "Facilities" in answer.contact.name
    assert answer.contact.name in answer.answer


def test_an_off_topic_question_no_route_knows_gets_the_default_contact(
        bundled: Knowledge) -> None:
    answer = bundled.answer("zebra quantum marmalade")

    assert not answer.answered
    assert answer.contact == bundled.contacts.default


def test_an_unanswered_question_names_the_topic_contact_when_one_matches(
        bundled: Knowledge) -> None:
    answer = bundled.answer("zebra marmalade quantum welfare")

    assert not answer.answered
    assert "Welfare" in answer.contact.name


def test_the_confidence_rule_needs_the_question_words_in_the_passage(bundled: Knowledge) -> None:
    on_topic = bundled.answer("do I need permission for a second job?")
    nonsense = bundled.answer("zebra quantum marmalade")

    assert on_topic.answered and on_topic.confidence.coverage >= 0.5
    assert not nonsense.answered and nonsense.confidence.coverage == 0.0


def test_answer_to_json_is_the_ask_contract(bundled: Knowledge) -> None:
    data = bundled.answer("can I accept a box of chocolates?").to_json()

    assert set(data) == {"question", "answered", "answer", "citations"}
    assert set(data["citations"][0]) == {"document", "title", "section", "score", "text"}
    assert isinstance(data["citations"][0]["score"], float)


def test_search_returns_scored_passages_best_first(bundled: Knowledge) -> None:
    found = bundled.search("how does the ACU grade a notifiable association", limit=5)

    assert len(found) == 5
    assert found[0].passage.section == "9. How the ACU grades a declaration"
    assert [hit.score for hit in found] == sorted((hit.score for hit in found), reverse=True)


def test_citation_is_the_shared_turns_type(bundled: Knowledge) -> None:
    assert isinstance(bundled.answer("second job permission").citations[0], Citation)


LEANS_BACK = ("This ", "It ", "They ", "These ")


def test_a_sentence_that_refers_back_brings_the_sentence_it_refers_to(
        bundled: Knowledge) -> None:
    answer = bundled.answer(
        "can I keep a bottle of wine a grateful victim left at the front desk?")
    assert answer.answered
    assert not answer.answer.startswith(LEANS_BACK), answer.answer
    passage = sentences(answer.citations[0].text)
    shown = sentences(answer.answer)
    for sentence in shown:
        if sentence.startswith(LEANS_BACK):
            before = passage[passage.index(sentence) - 1]
            assert before in shown, sentence


def test_trim_keeps_a_leaning_sentence_with_its_antecedent_even_when_full() -> None:
    from bot.knowledge.answer import trim
    from bot.knowledge.vocabulary import QueryTerms

    text = ("Drink from the public is never accepted. This applies to beer and wine at any "
            "value. Wine left anyway goes to the property store. Wine at civic events is "
            "hospitality.")
    query = QueryTerms({"wine": 1.0, "valu": 1.0}, ("wine", "valu"))
    trimmed = trim(_passage(text, heading="9. Alcohol"), query, {"wine": 2.0, "valu": 2.0})
    # The second sentence scores best, the first not at all; without it "This" means nothing.
    assert trimmed.startswith("Drink from the public is never accepted. This applies")


def test_a_question_about_what_is_forbidden_looks_for_prohibitions() -> None:
    from bot.knowledge.vocabulary import PROHIBITION_WEIGHT

    vocabulary = Vocabulary.from_mapping({})

    asked = vocabulary.query_terms("what am I not allowed to tell the press?").weights
    plain = vocabulary.query_terms("what should I tell the press?").weights

    assert asked["never"] == asked["prohibit"] == PROHIBITION_WEIGHT
    assert "never" not in plain and "prohibit" not in plain
    # the person's own "never" keeps its full weight
    assert vocabulary.query_terms("I never declared it").weights["never"] == OWN_WEIGHT


def test_sums_of_money_are_read_from_a_question() -> None:
    from bot.knowledge.engine import amounts

    assert amounts("a £15 bunch of flowers, or £7.50, 60 quid or 40 pounds") == (
        15.0, 7.5, 60.0, 40.0)
    assert amounts("ten people at 3 o'clock") == ()


def test_a_sum_lifts_the_section_whose_heading_limit_it_meets(tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    _write_policy(policies, "gifts.md", (
        "# Gifts\n\n## 1. Gifts below £25\nYou may keep a gift and declare it.\n\n"
        "## 2. Gifts at or above £25\nYou need approval to keep a gift.\n\n"
        "## 3. Declaring a gift\nEvery gift offered is declared, kept or not.\n"))
    knowledge = Knowledge.load(_settings(tmp_path, policies))

    def first(question: str) -> str:
        return knowledge.search(question, limit=1)[0].passage.section

    assert first("can I keep a gift worth 60 quid") == "2. Gifts at or above £25"
    assert first("can I keep a gift worth £10") == "1. Gifts below £25"
    assert first("can I keep a gift worth £25") == "2. Gifts at or above £25"


def test_wrapped_lines_are_joined_into_whole_sentences_and_items() -> None:
    from bot.knowledge.text import sentence_units

    text = ("Some jobs carry a risk that you use what you\nknow for a private employer. "
            "Tell us if you work for:\n\n- a supplier you dealt with in\n  your last two "
            "years;\n- a private investigation firm.\n\nPSD may set conditions.")
    units = sentence_units(text)

    assert [unit.text for unit in units] == [
        "Some jobs carry a risk that you use what you know for a private employer.",
        "Tell us if you work for:", "a supplier you dealt with in your last two years;",
        "a private investigation firm.", "PSD may set conditions."]
    assert [unit.lead_in for unit in units] == [None, None, 1, 1, None]


def test_a_chosen_list_item_comes_with_its_lead_in_and_ends_the_sentence() -> None:
    from bot.knowledge.answer import trim
    from bot.knowledge.vocabulary import QueryTerms

    text = ("Declare a business interest of a relative where it could conflict.\n"
            "Examples include:\n- a partner who runs a taxi firm or security company;\n"
            "- a brother who owns a pub; and\n- a parent who is a private detective.")
    query = QueryTerms({"pub": 1.0}, ("pub",))
    trimmed = trim(_passage(text, heading="5. Relatives"), query, {"pub": 3.0})

    assert trimmed.startswith("Examples include: a brother who owns a pub.")
    assert "; and" not in trimmed


def test_a_line_ending_in_a_colon_is_not_left_hanging() -> None:
    from bot.knowledge.answer import trim
    from bot.knowledge.vocabulary import QueryTerms

    text = ("Tell the press office about any journalist contact. Notify it in Probity, "
            "recording:\n- the date;\n- the journalist.\n\nThe press office keeps a record "
            "of journalist contact. The press office may share it with PSD.")
    query = QueryTerms({"press": 1.0, "offic": 1.0}, ("press", "offic"))
    trimmed = trim(_passage(text, heading="4. Notifying"), query, {"press": 2.0, "offic": 1.0})

    assert not trimmed.rstrip().endswith(":")
    assert "recording: the date" in trimmed or "recording:" not in trimmed
