"""The store's own safety: owner-only files, secure delete, lone surrogates, and a store that
cannot be written (issue 13's "Files" findings)."""

from __future__ import annotations

import dataclasses
import io
import stat
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from bot.app import build_assistant
from bot.config import Settings
from bot.knowledge.unanswered import log_unanswered
from bot.store import Store
from bot.store.models import UnansweredQuestion
from bot.surfaces.console import ConsoleChat
from bot.turns import Speaker, Turn

BROKEN = "what is the policy on \ud83d gifts?"  # half of a UTF-16 pair, as a fuzzer sends


class Unanswerable:
    def answer(self, question: str) -> Any:
        return dataclasses.make_dataclass(
            "NoAnswer", ["question", "answered", "answer", "citations", "contact"])(
            question, False, "I couldn't find that in the policies.", (), None)


def test_everything_under_probity_home_is_owner_only(store: Store, settings: Settings) -> None:
    home = Path(settings.home)
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    written = [path for path in home.rglob("*") if path.is_file()]
    assert written  # the keys, and on SQLite both databases and their logs
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_secure_delete_is_set_explicitly_on_sqlite(store: Store) -> None:
    if store.dialect != "sqlite":
        pytest.skip("a SQLite pragma")
    for engine in (store.engine, store.vault_engine):
        assert engine is not None
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA secure_delete")).scalar() == 1


def test_a_lone_surrogate_is_scrubbed_at_the_turn_and_never_fails_an_insert(
    store: Store,
) -> None:
    turn = Turn(Speaker("console", "pc.jones", "Chris Jones"), "console:pc.jones", BROKEN,
                form={"what": BROKEN, "value": 12})
    assert "\ufffd" in (turn.text or "") and "\ud83d" not in (turn.text or "")
    assert turn.form == {"what": turn.text, "value": 12}
    with store.transaction() as session:
        log_unanswered(session, BROKEN)  # straight from a caller that skipped the turn
    with store.session() as session:
        assert session.scalars(select(UnansweredQuestion.question)).all() == [
            "what is the policy on \ufffd gifts?"]


def test_fuzzed_questions_with_surrogates_get_answers_not_apologies(
    store: Store, settings: Settings
) -> None:
    probity = build_assistant(settings, store, knowledge=Unanswerable())
    out = io.StringIO()
    chat = ConsoleChat(probity, Speaker("console", "pc.jones", "Chris Jones"), out)
    for n in range(17):
        chat.take(f"question {n} about \udc80 hospitality \ud800?")
    assert "Sorry, something went wrong" not in out.getvalue()
    with store.session() as session:
        assert len(session.scalars(select(UnansweredQuestion)).all()) == 17


def test_a_store_that_cannot_be_written_says_so_and_gives_the_line_back(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    probity = build_assistant(settings, store, knowledge=Unanswerable())

    # A genuine read-only failure: SQLite refusing a write to a database opened read-only
    # (as root, file modes would not stop the write, so the mode is in the connection).
    import sqlite3

    path = Path(settings.home) / "read-only.sqlite3"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit()
    try:
        sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("INSERT INTO t VALUES (1)")
    except sqlite3.OperationalError as refused:
        failure = OperationalError("INSERT", {}, refused)

    def read_only(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(probity, "_handle", read_only)
    line = "I was given two rugby tickets by Acme"
    [reply] = probity.handle(Turn(Speaker("console", "pc.jones", "Chris Jones"),
                                  "console:pc.jones", line))
    assert "not kept" in reply.text and line in reply.text
    assert "Nothing you've told me is lost" not in reply.text
