""""Was this helpful?" votes on answers: which passage and the date, never who voted."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.store.models import AnswerFeedback

#: The columns' size; a longer name (from a forged button value) is cut, not refused.
MAX_NAME_CHARS = 300


def record_feedback(session: Session, document: str | None, section: str | None,
                    helpful: bool, today: dt.date) -> AnswerFeedback:
    """Keep one vote on the answer drawn from `document`'s `section`.

    There is deliberately no parameter for the voter: the record cannot hold what the
    caller cannot pass. An empty document or section (an answer without a citation) is
    kept as unknown.
    """
    vote = AnswerFeedback(document=(document or None) and document[:MAX_NAME_CHARS],
                          section=(section or None) and section[:MAX_NAME_CHARS],
                          helpful=bool(helpful), given_on=today)
    session.add(vote)
    session.flush()
    return vote
