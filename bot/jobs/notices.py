"""Notices: what Probity has to tell one person, kept until their surface shows it.

A notice is a message key with its fields (worded when shown, in the reader's language),
the actions it offers, and the day it was made; nothing finer than a day. A surface with a
push channel (Slack) is handed each new notice through the registry; the terminal shows
the pending ones when the person next starts `probity chat`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.messages import say
from bot.store.models import Notice, Person


@dataclass(frozen=True)
class Reminder:
    """One notice to make for one person, unless one with its dedupe key exists already.

    `kind` and `subject` say what it is about (the record's reference); `period` which
    occurrence it is (the due date, or the week of lateness), so it is sent once per period.
    """

    kind: str
    subject: str
    person: Person
    text_key: str
    period: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    actions: Sequence[Mapping[str, Any]] = ()

    @property
    def dedupe_key(self) -> str:
        return f"{self.kind}:{self.subject}:{self.person.id}:{self.period}"[:240]


def add_notice(session: Session, reminder: Reminder, today: dt.date) -> Notice | None:
    """Store the reminder as a notice; None when it was already sent for this period."""
    key = reminder.dedupe_key
    if session.scalars(select(Notice.id).where(Notice.dedupe_key == key)).first() is not None:
        return None
    notice = Notice(person_id=reminder.person.id, kind=reminder.kind, subject=reminder.subject,
                    text_key=reminder.text_key, fields=dict(reminder.fields),
                    actions=[dict(action) for action in reminder.actions], created_on=today,
                    delivered=False, dedupe_key=key)
    try:
        with session.begin_nested():
            session.add(notice)
    except IntegrityError:
        return None  # another instance sent it a moment ago
    # An earlier period's reminder of the same thing, still unseen, says nothing new.
    session.execute(update(Notice).where(
        Notice.kind == reminder.kind, Notice.subject == reminder.subject,
        Notice.person_id == reminder.person.id, Notice.id != notice.id,
        Notice.delivered.is_(False), Notice.withdrawn_on.is_(None)).values(withdrawn_on=today))
    return notice


def withdraw_stale(session: Session, kinds: Collection[str],
                   current: Collection[tuple[str, str, int]], today: dt.date) -> int:
    """Withdraw undelivered notices of `kinds` whose (kind, subject, person id) is no longer
    in `current`: the thing was done before the person saw the reminder."""
    if not kinds:
        return 0
    stale = [notice.id for notice in session.scalars(select(Notice).where(
        Notice.kind.in_(sorted(kinds)), Notice.delivered.is_(False),
        Notice.withdrawn_on.is_(None)))
        if (notice.kind, notice.subject or "", notice.person_id) not in current]
    if stale:
        session.execute(update(Notice).where(Notice.id.in_(stale)).values(withdrawn_on=today))
    return len(stale)


def text_of(notice: Notice) -> str:
    """The notice in words, in the current language."""
    return say(notice.text_key, **notice.fields)


def action_label(action: Mapping[str, Any]) -> str:
    return say(f"reminders.action_{action['action']}")


def pending(session: Session, person_id: int) -> list[Notice]:
    """Notices not yet shown to the person, oldest first."""
    return list(session.scalars(select(Notice).where(
        Notice.person_id == person_id, Notice.delivered.is_(False),
        Notice.withdrawn_on.is_(None)).order_by(Notice.id)))


def mark_delivered(session: Session, notice_ids: Collection[int], today: dt.date) -> int:
    """Mark notices shown; only those still pending change (a second surface does nothing)."""
    if not notice_ids:
        return 0
    result = session.execute(update(Notice).where(and_(
        Notice.id.in_(sorted(notice_ids)), Notice.delivered.is_(False),
        Notice.withdrawn_on.is_(None))).values(delivered=True, delivered_on=today))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def take_pending_texts(session: Session, surface: str, surface_id: str,
                       today: dt.date) -> list[str]:
    """The pending notices of the person known on `surface` as `surface_id`, worded, and
    marked delivered in the caller's transaction (the terminal calls this at session start)."""
    person = session.scalars(select(Person).where(Person.surface == surface,
                                                  Person.surface_id == surface_id)).first()
    if person is None:
        return []
    notices = pending(session, person.id)
    mark_delivered(session, [notice.id for notice in notices], today)
    return [text_of(notice) for notice in notices]


def purge_old_notices(session: Session, before: dt.date) -> int:
    """Delete notices shown or withdrawn before `before`; pending ones are kept."""
    result = session.execute(delete(Notice).where(or_(
        Notice.delivered_on < before, Notice.withdrawn_on < before)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
