"""The integrity unit's commands, run as an officer would run them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.casework import factory
from sqlalchemy import select

from bot.cli import main
from bot.store import Store
from bot.store.models import AuditEvent, Declaration

FIXTURES = Path(__file__).parent / "fixtures" / "casework"


@pytest.fixture
def filed(store: Store, probity_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
          ) -> dict[str, str]:
    monkeypatch.setenv("PROBITY_HANDLERS", "psd.khan,psd.okafor")
    with store.transaction() as session:
        factory.person(session, "psd.khan", "Sam Khan", rank="Inspector", team="PSD")
        factory.person(session, "psd.okafor", "Ada Okafor", rank="Chief Inspector", team="PSD")
        jones = factory.person(session, "pc.jones", "Chris Jones", rank="PC",
                               team="Response North")
        return {
            "gift": factory.gift(session, jones, "ACME Security Limited", 8000,
                                 "2026-06-15").reference,
            "interest": factory.declaration(session, jones, "business_interest").reference,
            "association": factory.declaration(session, jones,
                                               "notifiable_association").reference,
        }


def _status(store: Store, reference: str) -> str:
    with store.session() as session:
        return session.scalars(select(Declaration.status).where(
            Declaration.reference == reference)).one()


def test_an_officer_decides_every_kind_from_the_terminal(
    store: Store, filed: dict[str, str], capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["casework", "decide", filed["gift"], "--outcome", "refused", "--rationale",
                 "Bidder in a live tender.", "--as", "psd.khan"]) == 0
    assert main(["casework", "decide", filed["interest"].lower(), "--outcome",
                 "approved with conditions", "--rationale", "Manageable.", "--conditions",
                 "Not within 10 hours of a shift", "--as", "Sam Khan"]) == 0
    assert main(["casework", "decide", filed["association"], "--outcome", "aware_only",
                 "--rationale", "Old school friend; no current concern.",
                 "--as", "psd.khan"]) == 0
    out = capsys.readouterr().out
    assert f"{filed['gift']}: refused (initial decision)" in out
    assert (_status(store, filed["gift"]), _status(store, filed["interest"]),
            _status(store, filed["association"])) == ("refused", "approved_with_conditions",
                                                      "noted")

    assert main(["casework", "appeal", filed["gift"], "--grounds", "I declined in the end.",
                 "--as", "pc.jones"]) == 0
    assert main(["casework", "decide-appeal", filed["gift"], "--outcome", "dismissed",
                 "--rationale", "The record says accepted.", "--as", "psd.okafor"]) == 0
    assert _status(store, filed["gift"]) == "refused"

    assert main(["casework", "show", filed["gift"], "--as", "psd.khan"]) == 0
    shown = capsys.readouterr().out
    assert "Decision: Refused, Sam Khan: Bidder in a live tender." in shown
    assert "Appeal decision: Appeal dismissed, Ada Okafor" in shown
    assert "tender_running" not in shown and "T09:" not in shown  # plain labels, London time


def test_a_non_officer_is_refused_at_the_terminal_and_audited(
    store: Store, filed: dict[str, str], capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["casework", "decide", filed["gift"], "--outcome", "approved", "--rationale",
                 "Fine by me.", "--as", "pc.jones"]) == 1
    assert "not an integrity officer" in capsys.readouterr().err
    assert _status(store, filed["gift"]) == "submitted"
    with store.session() as session:
        assert session.scalar(select(AuditEvent.subject).where(
            AuditEvent.action == "casework.refused")) == filed["gift"]


def test_bad_input_gets_a_plain_message(
    filed: dict[str, str], capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["casework", "decide", "GH-2026-9999", "--outcome", "approved",
                 "--rationale", "x", "--as", "psd.khan"]) == 1
    assert "no declaration with the reference" in capsys.readouterr().err
    assert main(["casework", "decide", filed["gift"], "--outcome", "approved",
                 "--rationale", "x", "--as", "Nobody Known"]) == 1
    assert "Nobody called 'Nobody Known'" in capsys.readouterr().err


def test_overdue_list_and_timeliness(
    filed: dict[str, str], capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["casework", "overdue", "--as-of", "2026-08-01"]) == 0
    out = capsys.readouterr().out
    assert f"{filed['gift']:14} decision          due 2026-07-13    19 days late" in out
    assert main(["casework", "list", "--as", "psd.khan"]) == 0
    assert filed["interest"] in capsys.readouterr().out
    assert main(["casework", "timeliness"]) == 0
    assert "3 records, 0 decided" in capsys.readouterr().out


def test_register_commands_end_to_end(
    store: Store, filed: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["register", "import-suppliers", str(FIXTURES / "suppliers.csv"),
                 "--as", "psd.khan"]) == 0
    assert "4 suppliers added" in capsys.readouterr().out
    assert main(["register", "import-suppliers",
                 str(FIXTURES / "suppliers_with_errors.csv")]) == 1
    assert "line 4: status 'pending'" in capsys.readouterr().err

    assert main(["register", "gifts", "--format", "json", "--as", "psd.khan"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["reference"] == filed["gift"]

    page = tmp_path / "gifts.html"
    assert main(["register", "publish", "gifts", "--quarter", "2026Q2", "--format", "html",
                 "--output", str(page)]) == 0
    assert "ACME Security Limited" in page.read_text(encoding="utf-8")
    assert "Chris Jones" not in page.read_text(encoding="utf-8")

    assert main(["register", "checks", "--as-of", "2026-07-01", "--format", "json"]) == 0
    checks = {(f["check"], tuple(f["records"])) for f in json.loads(capsys.readouterr().out)}
    assert ("gift_from_bidder_during_tender", (filed["gift"],)) in checks
    assert main(["register", "checks", "--as-of", "2026-07-01"]) == 0
    assert "contract: Custody suite CCTV maintenance 2026" in capsys.readouterr().out

    with store.session() as session:
        actions = set(session.scalars(select(AuditEvent.action)))
    assert {"register.exported", "register.published", "suppliers.imported"} <= actions


def test_a_declarant_answers_the_integrity_units_question_from_the_terminal(
    store: Store, filed: dict[str, str], capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.casework.queries import get_declaration, open_question

    assert main(["casework", "request-info", filed["gift"], "--question",
                 "Who else was at the match?", "--as", "psd.khan"]) == 0
    with store.session() as session:
        waiting = open_question(get_declaration(session, filed["gift"]))
    assert waiting is not None and waiting.question == "Who else was at the match?"
    assert f"probity casework answer {filed['gift']} --answer" in waiting.how_to_answer("console")
    assert "Press Answer" in waiting.how_to_answer("slack")

    # Someone else's declaration cannot be answered, and the attempt is recorded.
    assert main(["casework", "answer", filed["gift"], "--answer", "Nobody.",
                 "--as", "psd.okafor"]) == 0  # an officer may answer for the declarant ...
    assert _status(store, filed["gift"]) == "submitted"
    assert main(["casework", "request-info", filed["gift"], "--question", "And after?",
                 "--as", "psd.khan"]) == 0
    with store.transaction() as session:
        factory.person(session, "pc.lee", "Dana Lee", rank="PC")
    assert main(["casework", "answer", filed["gift"], "--answer", "x", "--as", "pc.lee"]) == 1
    assert "can only answer questions on their own declarations" in capsys.readouterr().err
    assert _status(store, filed["gift"]) == "information_requested"

    assert main(["casework", "answer", filed["gift"].lower(), "--answer",
                 "Two colleagues from Roads.", "--as", "pc.jones"]) == 0
    assert f"{filed['gift']}: answer recorded" in capsys.readouterr().out
    assert _status(store, filed["gift"]) == "submitted"
    with store.session() as session:
        declaration = get_declaration(session, filed["gift"])
        assert open_question(declaration) is None
        assert declaration.history[-1].note == "Two colleagues from Roads."
        refused = session.scalars(select(AuditEvent).where(
            AuditEvent.action == "casework.refused")).one()
        assert refused.details == {"step": "provide information"}
    assert main(["casework", "answer", filed["gift"], "--answer", "Again.",
                 "--as", "pc.jones"]) == 1
    assert "Nobody has asked for more information" in capsys.readouterr().err


def test_show_lists_the_filing_snapshot_as_details_not_as_answers(
    store: Store, filed: dict[str, str], capsys: pytest.CaptureFixture[str],
) -> None:
    with store.transaction() as session:
        gift = session.scalars(select(Declaration).where(
            Declaration.reference == filed["gift"])).one()
        gift.answers = {**gift.answers, "_precision": {"occurred_on": "month"},
                        "_declarant": {"name": "Chris Jones", "rank_or_grade": "Special Constable",
                                       "staff_type": "officer", "role": None,
                                       "team": "Response North"}}
    assert main(["casework", "show", filed["gift"], "--as", "psd.khan"]) == 0
    shown = capsys.readouterr().out
    when_filed, answers = shown.split("The declarant when they filed:\n")[1].split(
        "What they told us:\n")
    assert [" ".join(line.split()) for line in when_filed.split("\n")[:4]] == [
        "Name Chris Jones", "Rank or grade Special Constable", "Officer or staff officer",
        "Team Response North"]
    assert "_declarant" not in shown and "_precision" not in shown
    assert [" ".join(line.split()) for line in answers.split("Decisions:")[0].split("\n")[:2]
            ] == ["What was offered Hospitality", "Offered by Not given"]
