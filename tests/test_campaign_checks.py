"""A policy's check question from its front matter: read and checked when a campaign starts,
asked before the acknowledgement is recorded, never a lock-out, and its attempts kept with
the acknowledgement; on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import build_assistant
from bot.campaigns.answers import answer, begin
from bot.campaigns.audience import Audience
from bot.campaigns.checks import Check, read_check
from bot.campaigns.models import Acknowledgement, CheckProgress
from bot.campaigns.policies import find_policy, sections_of
from bot.campaigns.service import CampaignError, start_campaign
from bot.config import Settings
from bot.knowledge.loaders import front_matter, load_document, policy_files
from bot.store import Store
from bot.store.models import Person
from bot.surfaces.console import ConsoleChat
from bot.turns import Speaker

PROJECT = Path(__file__).resolve().parents[1]
POLICIES = PROJECT / "policies"
DIRECTORY = PROJECT / "knowledge" / "staff.yaml"
NOW = dt.datetime(2027, 5, 4, 9, 0, tzinfo=dt.UTC)
GIFT_CHECK = """check:
  question: Who must declare an offer they turned down?
  options: [Nobody, Everyone who was offered it]
  answer: {answer}
  section: "{section}"
"""


def with_check(folder: Path, check: str) -> Path:
    """A copy of the gifts policy with `check` as its front matter's check."""
    text = (POLICIES / "gifts-and-hospitality.md").read_text(encoding="utf-8")
    head, _, rest = text.partition("\ncheck:\n")
    body = rest[rest.index("\n---\n"):]
    path = folder / "gifts-and-hospitality.md"
    path.write_text(f"{head}\n{check.rstrip()}{body}", encoding="utf-8")
    return path


def test_the_bundled_checks_are_well_formed_and_point_at_their_sections() -> None:
    found = {}
    for path in policy_files(POLICIES):
        front, _ = front_matter(path.read_text(encoding="utf-8"))
        check = read_check(front, sections_of(load_document(path)), path.stem)
        if check is not None:
            found[path.stem] = check
    assert {"gifts-and-hospitality", "business-interests"} <= set(found)
    # The check is read from the front matter only, never as words of the policy.
    document, _ = find_policy(POLICIES, "gifts-and-hospitality")
    assert "check" not in document.metadata
    assert not any(found["gifts-and-hospitality"].question in section.text
                   for section in document.sections)


@pytest.mark.parametrize(("answer", "section", "problem"), [
    ("3", "4. Declaring every offer in Probity", "gives the answer 3, which is not one"),
    ("Everyone who was offered it", "No such heading", "points to the section No such"),
])
def test_a_check_that_could_not_be_asked_fairly_stops_the_campaign(
        store: Store, tmp_path: Path, answer: str, section: str, problem: str) -> None:
    with_check(tmp_path, GIFT_CHECK.format(answer=answer, section=section))
    with store.transaction() as session, pytest.raises(CampaignError) as refused:
        start_campaign(session, tmp_path, ["gifts-and-hospitality"], Audience("everyone"),
                       DIRECTORY, actor="system", today=NOW.date())
    assert problem in str(refused.value) and "NP-POL-012" in str(refused.value)


def test_answer_and_section_may_be_given_by_words_or_number(tmp_path: Path) -> None:
    path = with_check(tmp_path, GIFT_CHECK.format(answer="everyone who was offered it",
                                                  section="4"))
    front, _ = front_matter(path.read_text(encoding="utf-8"))
    check = read_check(front, sections_of(load_document(path)), "gifts")
    assert check == Check("Who must declare an offer they turned down?",
                          ("Nobody", "Everyone who was offered it"), 1, "4")
    assert check.option_typed(" everyone who was offered it. ") == 1
    assert check.option_typed("1") == 0 and check.option_typed("3") is None
    assert check.option_typed("not sure") is None


def test_two_policies_two_checks_wrong_answers_never_lock_anyone_out(store: Store) -> None:
    with store.transaction() as session:
        campaign = start_campaign(session, POLICIES, ["gifts-and-hospitality",
                                                      "business-interests"],
                                  Audience("everyone"), DIRECTORY, actor="system",
                                  today=NOW.date())
        amira = session.scalars(select(Person).where(Person.surface_id == "amira.khan")).one()
        first = begin(session, campaign.id, amira, "console_button", NOW)
        assert first.ask is not None and first.ask.document["key"] == "NP-POL-012"
        for _ in range(6):  # as many wrong answers as anyone likes
            wrong = answer(session, campaign.id, amira, 0, 0, "console_button", NOW)
            assert wrong.wrong is not None and wrong.ask == first.ask and not wrong.recorded
        right = answer(session, campaign.id, amira, 0, 1, "console_button", NOW)
        assert right.right is not None and right.ask is not None
        assert right.ask.document["key"] == "NP-POL-013" and not right.recorded
        assert begin(session, campaign.id, amira, "chat_words", NOW).ask == right.ask
        done = answer(session, campaign.id, amira, 1, 0, "chat_words", NOW)
        assert done.recorded and done.ask is None
        assert answer(session, campaign.id, amira, 1, 0, "chat_words", NOW).already
        rows = {row.subject: (row.how, row.check_attempts)
                for row in session.scalars(select(Acknowledgement))}
        # Recorded as the person set out to acknowledge; wrong answers counted, not kept.
        assert rows == {"NP-POL-012": ("console_button", 7),
                        "NP-POL-013": ("console_button", 1)}
        assert {row.subject: row.attempts for row in session.scalars(
            select(CheckProgress))} == {"NP-POL-012": 7, "NP-POL-013": 1}


@pytest.fixture
def unit(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The bundled declaration workflows only, as the chat tests use."""
    folder = tmp_path / "workflows"
    folder.mkdir()
    for name in ("gift_hospitality", "business_interest", "notifiable_association"):
        shutil.copy(PROJECT / "workflows" / f"{name}.yaml", folder)
    monkeypatch.setenv("PROBITY_WORKFLOWS", str(folder))
    return dataclasses.replace(settings, workflows_dir=folder)


def test_a_question_asked_instead_of_the_answer_is_answered_and_the_check_asked_again(
        unit: Settings, store: Store) -> None:
    with store.transaction() as session:
        start_campaign(session, POLICIES, ["gifts-and-hospitality"], Audience("everyone"),
                       DIRECTORY, actor="system", today=NOW.date())
    output = io.StringIO()
    assistant = build_assistant(unit, store)
    ConsoleChat(assistant, Speaker("console", "tom.reid", "Tom Reid"), output).run(
        ["i have read and understood it", "what is the limit for a gift?", "2"], "")
    said = output.getvalue()
    asked = "One question on Gifts and Hospitality before your acknowledgement is recorded"
    assert said.count(asked) == 2
    assert "gifts-and-hospitality.md" in said  # the question's answer cites the policy
    assert said.rstrip().endswith(
        "Thank you: your acknowledgement of Gifts and Hospitality is recorded.")
    with store.session() as session:
        [row] = session.scalars(select(Acknowledgement)).all()
        assert (row.how, row.check_attempts) == ("chat_words", 1)
