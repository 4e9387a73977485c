"""Questions the policies could not answer, kept for their owners: the words and date only."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.store.models import UnansweredQuestion
from bot.turns import scrub_text

#: Long pastes are cut: the owners need the gist, and the store should not hold documents.
MAX_QUESTION_CHARS = 1000


def log_unanswered(session: Session, question: str,
                   today: dt.date | None = None) -> UnansweredQuestion:
    """Store an unanswered question with today's date and nothing about who asked.

    There is deliberately no parameter for the asker: the record cannot hold what the
    caller cannot pass.
    """
    record = UnansweredQuestion(question=scrub_text(question.strip()[:MAX_QUESTION_CHARS]),
                                asked_on=today or dt.datetime.now(dt.UTC).date())
    session.add(record)
    session.flush()
    return record
