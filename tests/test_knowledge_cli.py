"""`probity ask` as other tools and people use it, and the log of unanswered questions."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import inspect, select
from test_knowledge_support import write_pdf

from bot.cli import main
from bot.knowledge.unanswered import log_unanswered
from bot.store import Store
from bot.store.models import UnansweredQuestion

CHOCOLATES = "can I accept a box of chocolates from a member of the public?"


def test_ask_prints_the_answer_then_its_source(probity_env, capsys) -> None:
    assert main(["ask", CHOCOLATES]) == 0

    lines = capsys.readouterr().out.strip().splitlines()
    assert "chocolates" in lines[0]
    assert lines[-1] == ("Source: Gifts and Hospitality, section 10. Thank-you items shared "
                         "with the team (gifts-and-hospitality.md)")


def test_ask_json_is_one_line_in_the_contract_shape(probity_env, capsys) -> None:
    assert main(["ask", "--json", CHOCOLATES]) == 0

    out = capsys.readouterr().out
    assert out.count("\n") == 1
    data = json.loads(out)
    assert set(data) == {"question", "answered", "answer", "citations"}
    assert data["question"] == CHOCOLATES and data["answered"] is True
    best = data["citations"][0]
    assert set(best) == {"document", "title", "section", "score", "text"}
    assert best["document"] == "gifts-and-hospitality.md"
    assert best["section"] == "10. Thank-you items shared with the team"


def test_ask_dash_reads_one_question_a_line(probity_env, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(
        f"{CHOCOLATES}\n\nwhat time does the canteen close?\n"))

    assert main(["ask", "--json", "-"]) == 0

    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["answered"] for a in answers] == [True, False]
    assert answers[1]["citations"] == []
    assert answers[1]["answer"].startswith("The policies don't cover this.")


def test_ask_policies_indexes_a_folder_of_pdfs_it_has_never_seen(
        probity_env, capsys, tmp_path: Path) -> None:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    write_pdf(folder / "fleet.pdf", [
        "Fleet Vehicles Policy", "1. Pool cars",
        "Pool cars are booked through the fleet desk at least one day ahead.",
        "2. Fuel cards", "The fuel card stays in the vehicle's glovebox at all times.",
    ])
    write_pdf(folder / "kennels.pdf", [
        "Police Dogs", "1. Kennels", "Handlers keep their dogs in the kennel block overnight.",
    ])
    (folder / "damaged.pdf").write_bytes(b"%PDF-1.4 truncated")

    assert main(["ask", "--policies", str(folder), "--json", "where is the fuel card kept?"]) == 0

    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["answered"] is True
    assert data["citations"][0]["document"] == "fleet.pdf"
    assert data["citations"][0]["section"] == "2. Fuel cards"
    assert "glovebox" in data["answer"]
    assert "damaged.pdf" in captured.err


def test_unanswered_questions_are_logged_with_the_date_and_nothing_else(
        probity_env, settings, capsys) -> None:
    main(["ask", "what time does the canteen close?"])
    main(["ask", CHOCOLATES])

    store = Store.open(settings)
    try:
        with store.session() as session:
            logged = session.scalars(select(UnansweredQuestion)).all()
        columns = {column["name"] for column in inspect(store.engine).get_columns(
            "unanswered_questions")}
    finally:
        store.dispose()
    assert [q.question for q in logged] == ["what time does the canteen close?"]
    assert logged[0].asked_on == dt.datetime.now(dt.UTC).date()
    assert columns == {"id", "question", "asked_on"}


def test_log_unanswered_takes_no_identity(store) -> None:
    with store.transaction() as session:
        record = log_unanswered(session, "  is there a drinks machine?  ",
                                today=dt.date(2026, 5, 1))
    assert (record.question, record.asked_on) == ("is there a drinks machine?",
                                                  dt.date(2026, 5, 1))
    with pytest.raises(TypeError):
        log_unanswered(session, "q", asker="U123")  # type: ignore[call-arg]


def test_ask_still_answers_when_the_store_cannot_be_opened(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("PROBITY_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("PROBITY_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")

    assert main(["ask", "--json", "what time does the canteen close?"]) == 0

    assert json.loads(capsys.readouterr().out)["answered"] is False
