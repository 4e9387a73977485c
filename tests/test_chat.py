"""Whole conversations through the terminal surface, with the real policies and store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import logging
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import build_assistant
from bot.assistant import Assistant
from bot.cli import main
from bot.config import PROJECT_ROOT, Settings
from bot.directory import load_directory, sync_people
from bot.store import Store
from bot.store.models import Conversation, Declaration
from bot.surfaces.console import ConsoleChat, render
from bot.turns import Choice, Reply, Speaker

NOW = dt.datetime(2026, 5, 12, 9, 30, tzinfo=dt.UTC)  # Tuesday 12 May 2026


DECLARATIONS = ("gift_hospitality", "business_interest", "notifiable_association")


@pytest.fixture
def settings(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The bundled declaration workflows only, so other areas' workflows don't affect these."""
    folder = tmp_path / "workflows"
    folder.mkdir()
    for name in DECLARATIONS:
        shutil.copy(PROJECT_ROOT / "workflows" / f"{name}.yaml", folder)
    monkeypatch.setenv("PROBITY_WORKFLOWS", str(folder))
    return dataclasses.replace(settings, workflows_dir=folder)


@pytest.fixture
def probity(settings: Settings, store: Store) -> Assistant:
    with store.transaction() as session:
        sync_people(session, load_directory(PROJECT_ROOT / "knowledge" / "staff.yaml"))
    return build_assistant(settings, store, clock=lambda: NOW)


class Terminal:
    """A person at `probity chat`: type lines, read what was printed since the last one."""

    def __init__(self, probity: Assistant, key: str) -> None:
        self.output = io.StringIO()
        self.chat = ConsoleChat(probity, Speaker("console", key, key), self.output, echo=True)
        self.seen = 0

    def type(self, *lines: str) -> str:
        for line in lines:
            self.chat.take(line)
        printed = self.output.getvalue()
        new, self.seen = printed[self.seen:], len(printed)
        return new


def filed(store: Store) -> list[Declaration]:
    with store.session() as session:
        return list(session.scalars(select(Declaration).order_by(Declaration.id)))


def test_declaring_hospitality_from_a_supplier_start_to_finish(
        probity: Assistant, store: Store) -> None:
    amira = Terminal(probity, "amira.khan")
    assert "It sounds like you want to declare a gift or hospitality. Start?" in amira.type(
        "a supplier offered me two tickets to the rugby")
    # What the opening said is noted once, with the policy note it calls for, not asked.
    screen = amira.type("1")
    assert ("I've noted: What was offered: two tickets to the rugby; Gift or hospitality: "
            "Hospitality; Relationship to the force: Supplier or bidder") in screen
    assert "* Policy note: Any hospitality from a supplier or bidder" in screen
    assert "Source: Gifts and Hospitality, section 6. Suppliers, bidders and tenders " \
           "(gifts-and-hospitality.md)" in screen
    assert "Who offered it?" in screen and "What were you offered?" not in screen
    assert "(optional: type skip to leave it out)" in screen
    amira.type("Dave Jones", "Acme Security Ltd")

    # A question for the policies part-way: answered with its source, then asked again.
    screen = amira.type("can I accept it if the tender is over?")
    assert "Source: Gifts and Hospitality" in screen
    assert screen.rstrip().endswith("1. Yes\n  2. No")

    amira.type("no", "about 80 quid", "last friday", "accepted", "kept")
    summary = amira.type("Networking event; waiting for approval before I go")
    assert "Estimated value            £80.00" in summary
    assert "Date offered               Friday 8 May 2026" in summary

    screen = amira.type("2")  # Change an answer
    assert "Which answer would you like to change?" in screen
    number = next(line.split(".")[0].strip() for line in screen.splitlines()
                  if line.endswith("Estimated value"))
    assert "Currently: £80.00" in amira.type(number)
    assert "Estimated value            £60.00" in amira.type("60")

    done = amira.type("1")
    assert "Your declaration is filed as GH-2026-0001" in done
    assert "your line manager (Sgt Tom Reid) and the Professional Standards Department" in done
    assert "Tuesday 9 June 2026" in done
    [gift] = filed(store)
    assert gift.value_pence == 6000 and gift.approvers == ["line_manager", "psd"]

    listing = amira.type("my declarations")
    assert "GH-2026-0001  Gift or hospitality: two tickets to the rugby - Acme Security Ltd" \
           " - Submitted" in listing


def test_a_business_interest_with_a_bad_answer_at_every_step(
        probity: Assistant, store: Store) -> None:
    lucy = Terminal(probity, "lucy.evans")
    lucy.type("declare business interest")
    # (a bad answer, a good one, the question the good one leads to)
    steps = [
        ("blue", "self employed", "What does (or will) the work involve?"),
        (None, "Wedding cakes to order", "What is the name of the employer"),
        ("!!!", "Lucy's Bakes", "Where is it based?"),
        (None, "skip", "how many hours a week"),
        ("loads", "6", "When will those hours be worked?"),
        (None, "weekends", "Is it paid"),
        ("perhaps", "yes", "Roughly how much will it bring in a year?"),
        ("minus 300", "about £2,500", "When do you intend to start?"),
        ("the 45th of Smarch", "1 June", "police powers"),
        # (leaning hedges such as "sometimes" or "possibly" are answers: yes; "not sure" to
        # these conflict questions is the careful yes, so the bad answers say nothing)
        ("purple", "no", "police information"),
        ("the moon", "no", "police time"),
        ("potatoes", "no", "deal with people involved in crime"),
        ("???", "no", "properly registered"),
        ("hmm", "yes", "rest, health or fitness"),
        ("eh", "no", "Who is your line manager?"),
        ("Zebedee Quux", "Ben Taylor", "Here is what you've told me"),
    ]
    for bad, good, next_question in steps:
        if bad is not None:
            screen = lucy.type(bad)
            assert "\n! " in screen, f"{bad!r} should be refused"
        screen = lucy.type(good)
        assert next_question in screen, f"after {good!r}"
        assert "\n! " not in screen
    done = lucy.type("confirm")
    assert "BI-2026-0001" in done
    assert "PSD will review it against the possible conflicts" in done  # police staff path
    assert "the first review is due by Wednesday 12 May 2027" in done
    [interest] = filed(store)
    assert interest.answers["pay"] == 250000
    assert interest.answers["line_manager"]["key"] == "ben.taylor"
    assert interest.answers["_declarant"]["staff_type"] == "staff"


def test_a_notifiable_association_with_back_skip_and_help(
        probity: Assistant, store: Store) -> None:
    sam = Terminal(probity, "sam.reid")
    assert "It sounds like you want to declare a notifiable association" in sam.type(
        "my mate with a record has moved in next door")
    # "with a record" is noted (and its policy note shown); "mate" or "next door" is asked.
    screen = sam.type("yes")
    assert "Why it is notifiable: They have a criminal record" in screen
    assert "Please don't search police systems" in screen
    assert "People involved in crime or with a criminal record" in screen
    sam.type("Liam Doyle")
    assert "Family member" in sam.type("help")
    assert "How often are you in contact?" in sam.type("friend")
    sam.type("every week")
    assert "in the future" in sam.type("5 June 2031")
    assert "Roughly when? A year is fine" in sam.type("since school")
    sam.type("2019")  # "since when?" takes a year on its own
    sam.type("skip")  # what I know about them: optional
    assert "Being approached for police information" in sam.type("yes")
    summary = sam.type("skip")
    assert "Their name" in summary and "Liam Doyle" in summary
    assert "What you know about them" in summary
    assert ["Known", "since", "2019"] in [line.split() for line in summary.splitlines()]
    done = sam.type("confirm")
    assert "NA-2026-0001" in done and "the Anti-Corruption Unit (ACU)" in done
    [association] = filed(store)
    assert association.counterparty_relationship == "friend"
    assert association.answers["concern"] == "criminal_record"
    assert "circumstances" not in association.answers
    # The first day of the year, marked as standing for the whole year.
    assert association.occurred_on == dt.date(2019, 1, 1)
    assert association.answers["known_since"] == "2019-01-01"
    assert association.answers["_precision"] == {"known_since": "year"}


def test_a_restart_mid_way_resumes_the_same_declaration(
        settings: Settings, store: Store, probity: Assistant) -> None:
    first = Terminal(probity, "amira.khan")
    first.type("declare gift", "Flowers", "gift", "skip", "skip")
    restarted = build_assistant(settings, store, clock=lambda: NOW)
    again = Terminal(restarted, "amira.khan")
    screen = again.type("hello")  # the menu, then the question it had reached
    assert screen.rstrip().endswith("7. Other")
    assert "What is the giver's relationship to the force?" in screen
    screen = again.type("victim")
    assert "Roughly what is it worth" in screen
    again.type("£15", "today", "accepted", "shared", "Thank-you for the team")
    assert "GH-2026-0001" in again.type("confirm")


def test_cancelling_leaves_nothing_behind(probity: Assistant, store: Store) -> None:
    amira = Terminal(probity, "amira.khan")
    amira.type("declare gift", "Flowers", "gift")
    assert "Cancelled. Nothing was filed" in amira.type("cancel")
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Conversation)) == 0
    assert filed(store) == []


def test_replies_render_as_plain_text() -> None:
    question = Reply("Did you accept it?", kind="question",
                     choices=(Choice("choice:accepted", "Accepted"),
                              Choice("choice:declined", "Declined")))
    assert render(question) == "Did you accept it?\n  1. Accepted\n  2. Declined"
    assert render(Reply("That date is in the future.", kind="problem")) == (
        "! That date is in the future.")


def test_probity_chat_runs_a_scripted_conversation(
        probity_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], store: Store) -> None:
    script = "\n".join(["declare gift", "a box of chocolates", "1", "skip", "skip", "2",
                        "£12", "yesterday", "1", "2", "Shared with the shift", "1"])
    monkeypatch.setattr("sys.stdin", io.StringIO(script + "\n"))
    assert main(["chat", "--as", "Lucy Evans"]) == 0
    out = capsys.readouterr().out
    assert "You are Grade 3 Lucy Evans (Force Contact Centre)" in out
    assert "> a box of chocolates" in out  # scripted input is echoed
    assert "filed as GH-" in out
    [gift] = filed(store)
    assert gift.value_pence == 1200 and gift.counterparty_relationship == "victim"


def test_a_new_chat_session_picks_up_an_unfinished_declaration_before_anything_else(
        probity_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str], store: Store) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("declare association\nJohn Carter\n"))
    assert main(["chat", "--as", "Lucy Evans"]) == 0
    capsys.readouterr()

    # Next session: words meant for something new must not answer the old draft unseen.
    monkeypatch.setattr("sys.stdin", io.StringIO("declare interest\n"))
    assert main(["chat", "--as", "Lucy Evans"]) == 0
    out = capsys.readouterr().out
    welcome_end = out.index("/quit leaves.")
    resumed = out.index("You have an unfinished declaration (Notifiable association)")
    typed = out.index("> declare interest")
    assert welcome_end < resumed < typed
    assert "You're in the middle of a declaration" in out[typed:]
    assert filed(store) == []


def test_a_new_chat_session_without_a_draft_shows_only_the_welcome(
        probity_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["chat", "--as", "Lucy Evans"]) == 0
    out = capsys.readouterr().out
    assert "unfinished" not in out
    assert out.rstrip().endswith("/quit leaves.")


def test_probity_chat_defaults_to_the_first_directory_member_and_refuses_unknown_names(
        probity_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["chat"]) == 0
    assert "You are PC Amira Khan" in capsys.readouterr().out
    assert main(["chat", "--as", "Reid"]) == 2
    assert "matches several people" in capsys.readouterr().err


def test_probity_drafts_purge_deletes_expired_drafts(
        probity_env: dict[str, str], store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    with store.transaction() as session:
        session.add(Conversation(key="console:old", workflow="gift_hospitality", state={},
                                 expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)))
        session.add(Conversation(key="console:new", workflow="gift_hospitality", state={},
                                 expires_at=dt.datetime(2999, 1, 1, tzinfo=dt.UTC)))
    assert main(["drafts", "purge"]) == 0
    assert "Deleted 1 expired draft." in capsys.readouterr().out
    with store.session() as session:
        assert session.scalars(select(Conversation.key)).all() == ["console:new"]


def test_odd_input_is_answered_plainly_and_keeps_every_answer(
        probity: Assistant, store: Store) -> None:
    amira = Terminal(probity, "amira.khan")
    amira.type("declare gift")
    assert "nothing to go back to" in amira.type("back")
    assert "nothing to change yet" in amira.type("change")
    screens = [amira.type(line) for line in (
        "", "   ", "x" * 20_000, "\x00\x1b\x07", "\u202e")]
    assert all("What were you offered?" in screen for screen in screens)
    assert "too long" in screens[2]
    # An answer with NUL or an escape sequence in it is refused, never stored without what
    # was removed (an ANSI-coloured "60" once became £0.00); none reaches the screen.
    screen = amira.type("two\x00 tickets to the 🏉 \x1b[31mrugby")
    assert "\x1b" not in screen and "\x00" not in screen
    assert "hidden control characters" in screen and "What were you offered?" in screen
    screen = amira.type("two tickets to the 🏉 rugby")
    with store.session() as session:
        [draft] = session.scalars(select(Conversation)).all()
    assert draft.state["answers"]["what"] == "two tickets to the 🏉 rugby"
    # "change" then "back" mid-way returns to the question reached, never to a summary that
    # could be confirmed with questions unanswered.
    amira.type("change")
    screen = amira.type("back")
    assert "Was it a gift or hospitality?" in screen and "Confirm" not in screen
    assert "Sorry" not in amira.output.getvalue()
    assert filed(store) == []


@pytest.mark.parametrize(("explicit", "level"), [(None, logging.WARNING), ("INFO", logging.INFO)])
def test_probity_chat_keeps_start_up_news_off_the_terminal_unless_asked(
        probity_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
        explicit: str | None, level: int) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "level", root.level)  # restored after the test
    if explicit is None:
        monkeypatch.delenv("PROBITY_LOG_LEVEL", raising=False)
    else:
        monkeypatch.setenv("PROBITY_LOG_LEVEL", explicit)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["chat"]) == 0
    assert root.level == level
    # "store schema upgraded" is logged at INFO, so a first chat no longer prints it.
    assert root.isEnabledFor(logging.INFO) is (level <= logging.INFO)


def test_a_new_user_declares_all_three_kinds_in_plain_words(
        probity: Assistant, store: Store) -> None:
    """The way someone who never read the docs types: what they said first is noted and not
    asked, "nah" and "don't know" leave optional questions blank, corrections are plain words."""
    amira = Terminal(probity, "amira.khan")
    amira.type("a supplier offered me two tickets to the rugby")
    screen = amira.type("yeah go on")
    assert "I've noted: What was offered: two tickets to the rugby" in screen
    assert "Policy note: Any hospitality from a supplier" in screen
    assert "Who offered it?" in screen
    amira.type("dont know", "Acme Facilities Ltd")
    amira.type("no", "about forty quid", "last Friday", "I didn't accept them")
    summary = amira.type("they are bidding for a contract")
    assert ["Offered", "by", "-"] in [line.split() for line in summary.splitlines()]
    assert "Currently: Friday 8 May 2026" in amira.type("actually the date is wrong")
    amira.type("last thursday")
    amira.type("no wait, the organisation is wrong", "Acme Ltd")
    assert "GH-2026-0001" in amira.type("confirm")

    amira.type("I've been asked to do some door work at weekends")
    screen = amira.type("aye")
    assert "I've noted: Type of interest: A second job" in screen
    assert "The work: some door work at weekends" in screen
    assert "Door and security work is normally refused" in screen
    amira.type("Red Lion", "skip", "about 12", "fri and sat nights", "yes")
    assert "When do you intend to start?" in amira.type("about 150 a week")
    amira.type("1 June", "nah", "no", "no", "no", "yes", "no")
    summary = amira.type("my sergeant")
    assert "£7,800.00 a year (£150.00 a week)" in summary
    assert "Sgt Tom Reid" in summary
    assert "BI-2026-0001" in amira.type("confirm")

    amira.type("my cousin's just come out of prison and is staying with me")
    screen = amira.type("yes")
    assert ("I've noted: Your relationship: Family member; Why it is notifiable: They have a "
            "criminal record; How often in contact: Most days") in screen
    assert "Roughly when?" in amira.type("Dean Hollis", "a few years")
    assert "You said: my cousin's just come out of prison" in amira.type("March 2019")
    amira.type("served 3 years for burglary", "nope", "nah")
    assert "NA-2026-0001" in amira.type("confirm")

    gift, interest, association = filed(store)
    assert gift.answers["what"] == "two tickets to the rugby"
    assert "donor_name" not in gift.answers
    assert gift.outcome == "declined" and gift.occurred_on == dt.date(2026, 5, 7)
    assert gift.counterparty_organisation == "Acme Ltd"
    assert interest.answers["pay"] == 780000
    assert interest.answers["line_manager"]["key"] == "tom.reid"
    assert association.answers["contact_frequency"] == "daily"
    assert association.answers["known_since"] == "2019-03-01"
    assert association.answers["_precision"] == {"known_since": "month"}
    assert "anything_else" not in association.answers


def _reads_as(person: Terminal, answer: str, next_question: str) -> str:
    """Answer the question asked, check it was taken and led on, then go back to it."""
    screen = person.type(answer)
    assert "\n! " not in screen, f"{answer!r} was not understood:\n{screen}"
    assert next_question in screen, f"after {answer!r}:\n{screen}"
    return person.type("back")


def test_a_gift_described_the_way_a_constable_types(probity: Assistant, store: Store) -> None:
    """Everyday words for the giver and the gift pick the right option, never two."""
    amira = Terminal(probity, "amira.khan")
    amira.type("declare gift", "a bottle of Prosecco")
    assert "Who offered it?" in amira.type("a bottle of Prosecco")  # a gift, not hospitality
    amira.type("Mrs Patel", "skip")
    worth = "Roughly what is it worth"
    assert "Currently: Supplier or bidder" in _reads_as(
        amira, "they supply our canteen", "bidding for a force contract")
    assert "Currently: Media" in _reads_as(amira, "she's a journo", worth)
    assert "Currently: Partner agency" in _reads_as(amira, "the council", worth)
    assert "Currently: Offender or suspect" in _reads_as(amira, "he's on bail", worth)
    screen = amira.type("a grateful victim's mum")
    assert "Alcohol from victims, witnesses or members of the public" in screen
    amira.type("about 12 quid", "yesterday", "turned it down")
    amira.type("Alcohol from a victim's family can't be accepted")
    assert "GH-2026-0001" in amira.type("confirm")
    [gift] = filed(store)
    assert gift.answers["offer_type"] == "gift"
    assert gift.counterparty_relationship == "victim"
    assert gift.outcome == "declined"


def test_a_business_interest_described_the_way_a_constable_types(
        probity: Assistant, store: Store) -> None:
    amira = Terminal(probity, "amira.khan")
    amira.type("declare business interest")
    work = "What does (or will) the work involve?"
    assert "Currently: Letting property" in _reads_as(amira, "I rent out my flat", work)
    assert "Currently: Self-employment" in _reads_as(amira, "doing Uber at weekends", work)
    assert "Currently: A company directorship" in _reads_as(
        amira, "director of my mate's gym", work)
    assert work in amira.type("I want to teach guitar lessons at weekends")
    amira.type("Guitar lessons for beginners at home", "Self-employed", "skip", "4",
               "Saturday mornings", "yes", "about £40 a week", "1 June",
               "no", "no", "no", "no", "yes", "no")
    assert "BI-2026-0001" in amira.type("my sergeant", "confirm")
    [interest] = filed(store)
    assert interest.answers["interest_type"] == "self_employment"
    assert interest.answers["pay"] == 208000


def test_an_association_described_the_way_a_constable_types(
        probity: Assistant, store: Store) -> None:
    sam = Terminal(probity, "sam.reid")
    sam.type("declare association", "Gary Pike")
    why = "Why might the association be notifiable?"
    assert "Currently: Friend" in _reads_as(sam, "we're mates from school", why)
    assert "Currently: Partner or former partner" in _reads_as(sam, "my other half", why)
    sam.type("my brother in law")
    how_often = "How often are you in contact?"
    assert "Currently: Journalist or media work" in _reads_as(sam, "she's a journo", how_often)
    assert "Currently: They have a criminal record" in _reads_as(
        sam, "he's done time", how_often)
    screen = sam.type("he got nicked")
    assert "Please don't search police systems" in screen
    since = "Since when have you known them"
    assert "Currently: Every week or so" in _reads_as(sam, "see him at the pub on Fridays", since)
    assert "Currently: No longer in contact" in _reads_as(sam, "we fell out", since)
    assert since in sam.type("every couple of months at family dos")
    sam.type("2015", "skip", "no")
    assert "NA-2026-0001" in sam.type("skip", "confirm")
    [association] = filed(store)
    assert association.counterparty_relationship == "family"
    assert association.answers["concern"] == "under_investigation"
    assert association.answers["contact_frequency"] == "occasionally"
