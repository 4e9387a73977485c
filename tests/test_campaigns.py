"""Policy campaigns end to end: started from the CLI by a handler, seen by every person in
the demo directory in `probity chat` and in Slack DMs (mock Web API), acknowledged in
plain words or by button, reminded and escalated with the clock moved, and the annual
return; on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import shutil
from pathlib import Path

import pytest
from slack_mock.web_api import VALID_BOT_TOKEN, MockSlackWebApi
from sqlalchemy import select

from bot.app import build_assistant
from bot.campaigns.audience import Audience
from bot.campaigns.models import Acknowledgement
from bot.campaigns.policies import changed_sections, sections_of
from bot.campaigns.service import (
    AnnualReturnPlan,
    acknowledge,
    completion,
    pending_for,
    start_campaign,
)
from bot.campaigns.understanding import ReplyReader
from bot.campaigns.words import announcement
from bot.casework.rules import add_months
from bot.cli import main
from bot.config import Settings
from bot.directory import load_directory, sync_people
from bot.jobs import Worker
from bot.jobs.builtin import build_registry
from bot.jobs.schedules import fire_now
from bot.knowledge.loaders import load_document
from bot.store import Store
from bot.store.models import AuditEvent, Declaration, Notice, Person
from bot.surfaces.console import ConsoleChat
from bot.surfaces.slack.outbox import slack_client, slack_jobs_plugin
from bot.turns import RESUME, Speaker, Turn

PROJECT = Path(__file__).resolve().parents[1]
DIRECTORY = PROJECT / "knowledge" / "staff.yaml"
HANDLER = "owen.price"
#: The CLI dates a campaign by the real day, so the moved clock starts from it.
START = dt.datetime.now(dt.UTC).replace(hour=9, minute=0, second=0, microsecond=0)


class Clock:
    def __init__(self, now: dt.datetime = START) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def unit(settings: Settings, probity_env: dict[str, str],
         monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("PROBITY_HANDLERS", HANDLER)
    return dataclasses.replace(settings, handlers=(HANDLER,))


def status(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    capsys.readouterr()
    assert main(["campaign", "status", "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def chat_session(assistant, key: str, *lines: str) -> str:  # type: ignore[no-untyped-def]
    output = io.StringIO()
    ConsoleChat(assistant, Speaker("console", key, key), output).run(lines, "")
    return output.getvalue()


def test_a_campaign_reaches_everyone_in_the_directory_in_chat_and_words_acknowledge(
        unit: Settings, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["campaign", "start", "gifts-and-hospitality", "--as", HANDLER,
                 "--due", "14"]) == 0
    assert "Campaign 1 started: Gifts and Hospitality" in capsys.readouterr().out
    [started] = status(capsys)
    members = load_directory(DIRECTORY)
    assert started["policy"] == "NP-POL-012"
    assert (started["audience"], started["acknowledged"]) == (len(members), 0)

    assistant = build_assistant(unit, store)
    for member in members:
        shown = chat_session(assistant, member.key)
        assert "Gifts and Hospitality (version 3.1): please read the whole policy." in shown
        assert "I have read and understood it" in shown
        assert "asked a short question to check the main point" in shown  # it has a check

    # Saying so asks the policy's check question first; a wrong answer shows the section
    # that explains it and asks again, and the right one records the acknowledgement.
    said = chat_session(assistant, members[0].key, "ok i've read it", "1")
    asked = "One question on Gifts and Hospitality before your acknowledgement is recorded"
    assert asked in said and "2. Declare it in Probity within 7 days, as declined" in said
    assert "Not quite. This is what the policy says in 4. Declaring every offer in Probity:" \
        in said and "Declined offers must be recorded too" in said
    assert "Have another go" in said
    assert status(capsys)[0]["acknowledged"] == 0
    # A new session asks the unanswered question again, last, so its numbers answer it.
    again = chat_session(assistant, members[0].key, "2")
    assert asked in again
    assert "That's right." in again
    assert "your acknowledgement of Gifts and Hospitality is recorded" in again
    [after] = status(capsys)
    assert (after["acknowledged"], after["outstanding"]) == (1, len(members) - 1)
    assert "Gifts and Hospitality" not in chat_session(assistant, members[0].key)
    with store.session() as session:
        [row] = session.scalars(select(Acknowledgement)).all()
        assert (row.subject, row.version, row.how, row.check_attempts) == (
            "NP-POL-012", "3.1", "chat_words", 2)
        event = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "campaign.acknowledged")).one()
        assert event.details["how"] == "chat_words"
        assert event.details["check_attempts"] == {"NP-POL-012": 2}

    # A question is answered from the policy, and the acknowledgement is asked for again.
    asked = chat_session(assistant, members[1].key, "what is the limit for a gift?")
    assert "[" in asked or "policy" in asked.lower()
    assert asked.rstrip().endswith("I have read and understood it")
    assert status(capsys)[0]["acknowledged"] == 1

    capsys.readouterr()
    assert main(["campaign", "export", "1", "--format", "csv", "--as", HANDLER]) == 0
    exported = capsys.readouterr().out.splitlines()
    assert exported[0] == "campaign,policy,name,team,rank_or_grade,subject,version," \
                          "acknowledged_at,how,check_attempts"
    assert len(exported) == 1 + len(members)
    assert sum(line.endswith(",chat_words,2") for line in exported) == 1
    # The register command gives the same records, and completion by team.
    assert main(["register", "campaigns", "--format", "csv", "--as", HANDLER]) == 0
    assert capsys.readouterr().out.splitlines() == exported
    assert main(["register", "campaigns", "1", "--as", HANDLER]) == 0
    by_team = capsys.readouterr().out
    first_team = next(m.team for m in members if m.key == members[0].key)
    total = sum(m.team == first_team for m in members)
    assert f"{first_team}: 1/{total}" in by_team
    assert f"acknowledged 1  outstanding {len(members) - 1}" in by_team
    assert main(["register", "campaigns", "--as", "amira.khan"]) == 1  # not the unit
    with store.session() as session:
        assert [e.subject for e in session.scalars(select(AuditEvent).where(
            AuditEvent.action == "campaign.exported"))] == ["campaign:1", "campaigns"]


def test_only_handlers_start_campaigns(unit: Settings, store: Store,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["campaign", "start", "gifts-and-hospitality", "--as", "amira.khan"]) == 1
    assert "Only the integrity unit can start campaigns" in capsys.readouterr().err
    assert main(["campaign", "start", "no-such-policy", "--as", HANDLER]) == 1
    assert main(["campaign", "start", "NP-POL-012", "--as", HANDLER,
                 "--audience", "team:Response Team B, Northmoor Central"]) == 0
    [only] = status(capsys)
    assert only["audience"] == 2  # Amira Khan and Tom Reid


def test_a_new_version_says_which_sections_changed(tmp_path: Path) -> None:
    before = sections_of(load_document(PROJECT / "policies" / "gifts-and-hospitality.md"))
    text = (PROJECT / "policies" / "gifts-and-hospitality.md").read_text()
    changed = text.replace('version: "3.1"', 'version: "3.2"').replace(
        "## 2. The GIFT test", "## 2. The GIFT test\nAsk the integrity unit when unsure.", 1)
    changed += "\n## 99. Tickets to events\nTickets are hospitality.\n"
    path = tmp_path / "gifts-and-hospitality.md"
    path.write_text(changed)
    changes = changed_sections(before, sections_of(load_document(path)))
    assert [(c.heading.split(" > ")[-1], c.change) for c in changes] == [
        ("2. The GIFT test", "changed"), ("99. Tickets to events", "added")]


def slack_people(store: Store) -> list[Person]:
    """The demo directory as Slack users too (same e-mails), as the Slack surface knows them."""
    with store.transaction() as session:
        members = load_directory(DIRECTORY)
        people = sync_people(session, members)
        slack_id = {member.key: f"U{index:08d}" for index, member in enumerate(members)}
        slack = sync_people(session, [
            dataclasses.replace(member, key=slack_id[member.key],
                                line_manager=slack_id.get(member.line_manager or ""))
            for member in members], surface="slack")
        assert len(people) == len(slack)
        session.expunge_all()
        return list(slack.values())


def test_slack_dms_reminders_and_manager_escalation_with_the_clock_moved(
        unit: Settings, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    people = slack_people(store)
    clock = Clock()
    with MockSlackWebApi() as api:
        registry = build_registry(dataclasses.replace(unit, slack_api_url=api.url), store,
                                  clock=clock, plugins=[slack_jobs_plugin(
                                      store, slack_client(VALID_BOT_TOKEN, api.url))])
        schedules = {schedule.name: schedule for schedule in registry.schedules}
        assert main(["campaign", "start", "NP-POL-012", "--as", HANDLER, "--due", "14",
                     "--remind-every", "7"]) == 0

        def run(name: str) -> None:
            with store.transaction() as session:
                fire_now(session, schedules[name], clock())
            Worker(store, registry, clock=clock).run_until_idle()
            clock.now += dt.timedelta(minutes=5)  # past every paced DM
            Worker(store, registry, clock=clock).run_until_idle()

        run("campaign-fan-out")
        dms = api.calls_to("chat.postMessage")
        assert sorted(dm["channel"] for dm in dms) == sorted(p.surface_id for p in people)
        assert "Read the policy" in json.dumps(dms[0]["blocks"])

        # Sam Reid presses the button in Slack: the turn the listener makes.
        sam = next(p for p in people if p.display_name == "Sam Reid")
        assistant = build_assistant(unit, store, clock=clock)
        def press(action: str) -> list:  # type: ignore[type-arg]
            return assistant.handle(Turn(Speaker("slack", sam.surface_id, "Sam Reid"),
                                         f"slack:T1:{sam.surface_id}", action=action))

        [question] = press("campaign_ack:1")
        assert question.choices[1].value == "campaign_answer:1:0:1"
        assert "is recorded" in press("campaign_answer:1:0:1")[-1].text
        with store.session() as session:
            assert [(a.person_id, a.how) for a in session.scalars(select(Acknowledgement))] == [
                (sam.id, "slack_button")]
        api.reset()

        clock.now = START + dt.timedelta(days=7, hours=1)
        run("campaign-reminders")
        reminded = {dm["channel"] for dm in api.calls_to("chat.postMessage")}
        assert sam.surface_id not in reminded
        assert len(reminded) == len(people) - 1
        api.reset()

        clock.now = START + dt.timedelta(days=16)  # two days past due
        run("campaign-reminders")
        with store.session() as session:
            notices = session.scalars(select(Notice).where(
                Notice.kind == "campaign_escalation")).all()
            tom = session.scalars(select(Person).where(Person.surface == "slack",
                                                       Person.display_name == "Tom Reid")).one()
            to_tom = next(n for n in notices if n.person_id == tom.id)
            assert "Amira Khan" in to_tom.fields["people"]
            assert "Sam Reid" not in to_tom.fields["people"]  # acknowledged
        assert any(dm["channel"] == tom.surface_id and "have not yet confirmed" in dm["text"]
                   for dm in api.calls_to("chat.postMessage"))
    with store.session() as session:
        [overdue] = [row.as_json() for row in completion(session, clock.now.date())]
    assert overdue["overdue"] == overdue["outstanding"] == len(people) - 1
    assert status(capsys)[0]["overdue"] == 0  # today, still inside the fortnight


def test_the_annual_return_nil_or_a_declaration_started(
        unit: Settings, store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["campaign", "start", "annual-return", "--as", HANDLER]) == 0
    assert main(["campaign", "start", "annual-return", "--as", HANDLER]) == 1  # once a year
    assistant = build_assistant(unit, store)
    shown = chat_session(assistant, "amira.khan")
    assert "Nothing undeclared" in shown and "Declare something" in shown
    assert "nil return is recorded" in chat_session(assistant, "amira.khan",
                                                    "nothing to declare")
    started = chat_session(assistant, "sam.reid", "i need to declare something")
    assert "declaration started" in started
    assert "What would you like to declare" in started or "declare" in started.lower()
    [annual] = status(capsys)
    assert annual["acknowledged"] == 2
    with store.session() as session:
        assert sorted(a.how for a in session.scalars(select(Acknowledgement))) == [
            "declaration_started", "nil_return"]


def test_an_approved_business_interest_is_confirmed_unchanged_as_its_review(
        unit: Settings, store: Store) -> None:
    with store.transaction() as session:
        amira = sync_people(session, load_directory(DIRECTORY))["amira.khan"]
        session.add(Declaration(reference="BI-2026-0003", kind="business_interest",
                                status="approved", person_id=amira.id,
                                workflow="business_interest", submitted_at=START,
                                review_due=dt.date(2027, 3, 20)))
    assert main(["campaign", "start", "annual-return", "--as", HANDLER]) == 0
    assistant = build_assistant(unit, store, clock=lambda: START)
    replies = assistant.handle(Turn(Speaker("console", "amira.khan"), "console:amira.khan",
                                    action=RESUME))
    assert "BI-2026-0003 is unchanged" in [c.label for c in replies[0].choices]
    done = assistant.handle(Turn(Speaker("console", "amira.khan"), "console:amira.khan",
                                 action="campaign_unchanged:1:BI-2026-0003"))
    next_year = add_months(START.date(), 12)
    assert f"BI-2026-0003 is confirmed unchanged, and its next review is due " \
           f"{next_year.day} {next_year:%B %Y}" in done[0].text
    with store.session() as session:
        assert session.scalars(select(Declaration.review_due)).one() == next_year


@pytest.fixture
def settings(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The bundled declaration workflows only, as the chat tests use."""
    folder = tmp_path / "workflows"
    folder.mkdir()
    for name in ("gift_hospitality", "business_interest", "notifiable_association"):
        shutil.copy(PROJECT / "workflows" / f"{name}.yaml", folder)
    monkeypatch.setenv("PROBITY_WORKFLOWS", str(folder))
    return dataclasses.replace(settings, workflows_dir=folder)


def test_the_annual_return_starts_itself_on_its_day_once_a_year(
        unit: Settings, store: Store, tmp_path: Path) -> None:
    plan_file = tmp_path / "campaigns.yaml"
    plan_file.write_text("annual_return:\n  month: 4\n  day: 1\n  audience: officers\n"
                         "  due_days: 21\n")
    plan = AnnualReturnPlan.load(plan_file)
    with store.transaction() as session:
        assert plan.start_if_due(session, DIRECTORY, dt.date(2027, 3, 31)) is None
        # Installed in December: this year's day has long gone, so no surprise return.
        assert plan.start_if_due(session, DIRECTORY, dt.date(2026, 12, 1)) is None
        started = plan.start_if_due(session, DIRECTORY, dt.date(2027, 4, 1))
        assert started is not None and started.due_on == dt.date(2027, 4, 22)
        assert plan.start_if_due(session, DIRECTORY, dt.date(2027, 4, 2)) is None
        [status_] = completion(session, dt.date(2027, 4, 2))
        officers = [m for m in load_directory(DIRECTORY) if m.staff_type == "officer"]
        assert status_.audience == len(officers)


#: Replies nobody trained on (knowledge/acknowledgements.yaml does not hold them).
HELD_OUT = {
    "acknowledge": ["done, read and understood", "yeah i've gone through it all, fine",
                    "read it this morning, all understood", "ok got it"],
    "nil_return": ["nothing to declare from me this year", "all up to date, nothing new"],
    "declare": ["i've got a new second job to tell you about"],
    "other": ["not now, on a job", "hiya"],
}


def test_plain_words_are_read_by_a_model_learned_from_examples() -> None:
    reader = ReplyReader.build(PROJECT / "knowledge", None)
    wrong = [(text, meaning, reader.meaning(text)) for meaning, texts in HELD_OUT.items()
             for text in texts if reader.meaning(text) != meaning]
    # An acknowledgement is evidence: a reply that is not one must never be taken as one.
    assert not [w for w in wrong if w[2] == "acknowledge"], wrong
    assert len(wrong) <= 1, wrong


def test_a_set_of_policies_and_then_a_new_version_of_one(store: Store, tmp_path: Path) -> None:
    policies = tmp_path / "policies"
    policies.mkdir()
    for name in ("gifts-and-hospitality", "social-media"):
        shutil.copy(PROJECT / "policies" / f"{name}.md", policies)
    today = dt.date(2027, 5, 4)
    with store.transaction() as session:
        both = start_campaign(session, policies, ["gifts-and-hospitality", "social-media"],
                              Audience.parse("rank:PC"), DIRECTORY, actor="system", today=today)
        amira = session.scalars(select(Person).where(Person.surface_id == "amira.khan")).one()
        assert acknowledge(session, both.id, amira, "chat_words", START)
        assert not acknowledge(session, both.id, amira, "chat_words", START)  # once only
        assert len(session.scalars(select(Acknowledgement)).all()) == 2
        [done] = completion(session, today)
        assert (done.acknowledged, done.outstanding) == (1, done.audience - 1)

    path = policies / "gifts-and-hospitality.md"
    path.write_text(path.read_text().replace('version: "3.1"', 'version: "3.2"').replace(
        "## 2. The GIFT test", "## 2. The GIFT test\nIf in doubt, ask the integrity unit.", 1))
    with store.transaction() as session:
        newer = start_campaign(session, policies, ["NP-POL-012"], Audience("everyone"),
                               DIRECTORY, actor="system", today=today)
        amira = session.scalars(select(Person).where(Person.surface_id == "amira.khan")).one()
        [pending] = [p for p in pending_for(session, amira) if p.campaign.id == newer.id]
        assert ("Gifts and Hospitality has changed from version 3.1 to 3.2. What changed: "
                "2. The GIFT test (reworded).") in announcement(pending)


def test_a_changed_business_interest_is_declared_again_from_the_return(
        unit: Settings, store: Store) -> None:
    with store.transaction() as session:
        amira = sync_people(session, load_directory(DIRECTORY))["amira.khan"]
        session.add(Declaration(reference="BI-2026-0004", kind="business_interest",
                                status="approved", person_id=amira.id,
                                workflow="business_interest", submitted_at=START))
    assert main(["campaign", "start", "annual-return", "--as", HANDLER]) == 0
    assistant = build_assistant(unit, store, clock=lambda: START)
    replies = assistant.handle(Turn(Speaker("console", "amira.khan"), "console:amira.khan",
                                    action="campaign_changed:1:BI-2026-0004"))
    said = "\n".join(reply.text for reply in replies)
    assert "Let's record the change to BI-2026-0004" in said
    with store.session() as session:
        [row] = session.scalars(select(Acknowledgement)).all()
        assert (row.subject, row.how) == ("BI-2026-0004", "interest_changed")
    # The business interest workflow is now in progress in that conversation.
    resumed = assistant.handle(Turn(Speaker("console", "amira.khan"), "console:amira.khan",
                                    action=RESUME))
    assert resumed[0].text.startswith("You have an unfinished declaration")
