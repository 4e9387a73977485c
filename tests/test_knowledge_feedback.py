"""Answer feedback as the core keeps it: the passage, the vote and the day, nobody's name."""

from __future__ import annotations

import datetime as dt
import inspect

from sqlalchemy import select

from bot.knowledge.feedback import MAX_NAME_CHARS, record_feedback
from bot.store import Store
from bot.store.models import AnswerFeedback

TODAY = dt.date(2026, 3, 2)


def test_a_vote_keeps_the_passage_the_answer_and_the_day(store: Store) -> None:
    with store.transaction() as session:
        record_feedback(session, "gifts-and-hospitality.md", "8. Never acceptable", True, TODAY)
        record_feedback(session, "gifts-and-hospitality.md", "8. Never acceptable", False,
                        TODAY)
    with store.session() as session:
        votes = [(v.document, v.section, v.helpful, v.given_on)
                 for v in session.scalars(select(AnswerFeedback).order_by(AnswerFeedback.id))]
    assert votes == [("gifts-and-hospitality.md", "8. Never acceptable", True, TODAY),
                     ("gifts-and-hospitality.md", "8. Never acceptable", False, TODAY)]


def test_an_answer_without_a_citation_and_an_overlong_name_are_still_kept(
        store: Store) -> None:
    with store.transaction() as session:
        record_feedback(session, "", None, True, TODAY)
        record_feedback(session, "x" * 1000, "y" * 1000, False, TODAY)
    with store.session() as session:
        blank, long = session.scalars(select(AnswerFeedback).order_by(AnswerFeedback.id))
    assert (blank.document, blank.section) == (None, None)
    assert len(long.document) == len(long.section) == MAX_NAME_CHARS


def test_there_is_no_way_to_say_who_voted() -> None:
    assert list(inspect.signature(record_feedback).parameters) == [
        "session", "document", "section", "helpful", "today"]
    assert {c.name for c in AnswerFeedback.__table__.columns} == {
        "id", "document", "section", "helpful", "given_on"}
