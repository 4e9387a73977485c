"""Who may use the console, one-time sign-in links, and server-side sessions.

No web framework here: `probity console link` and Slack's `/integrity console` issue links
through this module without loading the web stack. Tokens are random; only their SHA-256
is stored, so a copy of the database signs nobody in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.casework.authorisation import is_integrity_officer
from bot.config import Settings
from bot.messages import Message
from bot.store import Store
from bot.store.audit import record_event
from bot.store.history import actor_name
from bot.store.models import ConsoleSession, ConsoleSignInLink, Declaration, Person, utcnow

HANDLER = "handler"
LINE_MANAGER = "line_manager"
SIGN_IN_PATH = "/console/sign-in/"
#: Why a sign-in was refused, as the audit log records it.
NOT_ELIGIBLE = "not_handler_or_line_manager"


class SignInRefused(Exception):
    """Nobody is signed in; `reason` is a catalogue Message a person may read."""

    def __init__(self, reason: Message) -> None:
        super().__init__(str(reason))
        self.reason = reason


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def console_role(session: Session, person: Person | None, settings: Settings) -> str | None:
    """"handler" for the integrity unit, "line_manager" for someone named to endorse a
    declaration (they see only those), otherwise None: nobody else may sign in."""
    if person is None:
        return None
    if is_integrity_officer(person, settings.handlers):
        return HANDLER
    manages = session.scalar(select(exists().where(Declaration.line_manager_id == person.id)))
    return LINE_MANAGER if manages else None


def issue_link(store: Store, settings: Settings, person_id: int, base_url: str | None = None,
               now: dt.datetime | None = None) -> str:
    """A one-time sign-in address for `person_id`, or SignInRefused if they may not sign in.

    The refusal is audited too: someone asking for a link they may not have is worth knowing.
    """
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with store.transaction() as session:
        person = session.get(Person, person_id)
        role = console_role(session, person, settings)
        if role is None:
            record_event(session, actor_name(person), "console.link_refused", None,
                         {"why": NOT_ELIGIBLE})
            refused = True
        else:
            refused = False
            session.add(ConsoleSignInLink(
                token_hash=token_hash(token), person_id=person_id, created_at=now,
                expires_at=now + dt.timedelta(minutes=settings.console_link_minutes)))
            record_event(session, actor_name(person), "console.link_issued", None,
                         {"role": role, "minutes": settings.console_link_minutes})
    if refused:
        name = person.display_name if person is not None else str(person_id)
        raise SignInRefused(Message("console.link_refused_not_handler", {"name": name}))
    root = (base_url or settings.console_base_url).rstrip("/")
    return f"{root}{SIGN_IN_PATH}{token}"


@dataclass(frozen=True)
class SignedIn:
    """The person behind a console request, and the secrets their session holds."""

    session_id: int
    person_id: int
    name: str
    role: str
    csrf_token: str

    @property
    def actor(self) -> str:
        return f"person:{self.person_id}"

    @property
    def is_handler(self) -> bool:
        return self.role == HANDLER


def redeem_link(store: Store, settings: Settings, token: str, now: dt.datetime | None = None
                ) -> str:
    """Use a sign-in link once: returns a new session's cookie token, or SignInRefused.

    The link is marked used in the same transaction that opens the session, so two
    presses of one link (or an attacker racing the owner) give one session, not two.
    """
    now = now or utcnow()
    with store.transaction() as session:
        link = session.scalars(select(ConsoleSignInLink).where(
            ConsoleSignInLink.token_hash == token_hash(token)).with_for_update()).first()
        problem = None
        if link is None:
            problem = "console.link_unknown"
        elif link.used_at is not None:
            problem = "console.link_used"
        elif link.expires_at <= now:
            problem = "console.link_expired"
        if problem is None and link is not None:
            person = session.get(Person, link.person_id)
            if console_role(session, person, settings) is None:
                problem = "console.link_refused_now"
        if problem is not None:
            record_event(session, "system", "console.sign_in_refused",
                         None, {"why": problem.split(".")[-1],
                                "person": f"person:{link.person_id}" if link else None})
        else:
            assert link is not None
            link.used_at = now
            cookie = _open_session(session, settings, link.person_id, "link", now)
    if problem is not None:
        raise SignInRefused(Message(problem, {}))
    return cookie


def open_session(store: Store, settings: Settings, person_id: int, method: str,
                 now: dt.datetime | None = None) -> str:
    """A session for someone another way has proved (OpenID Connect); checks their role."""
    now = now or utcnow()
    with store.transaction() as session:
        person = session.get(Person, person_id)
        if console_role(session, person, settings) is None:
            record_event(session, actor_name(person), "console.sign_in_refused", None,
                         {"why": NOT_ELIGIBLE, "method": method})
            cookie = None
        else:
            cookie = _open_session(session, settings, person_id, method, now)
    if cookie is None:
        raise SignInRefused(Message("console.link_refused_now", {}))
    return cookie


def _open_session(session: Session, settings: Settings, person_id: int, method: str,
                  now: dt.datetime) -> str:
    cookie = secrets.token_urlsafe(32)
    session.add(ConsoleSession(
        token_hash=token_hash(cookie), person_id=person_id, method=method,
        csrf_token=secrets.token_urlsafe(32), created_at=now, last_seen_at=now,
        expires_at=now + dt.timedelta(minutes=settings.console_session_minutes)))
    record_event(session, f"person:{person_id}", "console.signed_in", None, {"method": method})
    return cookie


def current_session(store: Store, settings: Settings, cookie: str | None,
                    now: dt.datetime | None = None) -> SignedIn | None:
    """The live session the cookie names, its idle expiry pushed on; None if there is none.

    A session ends after console_session_minutes without a request, and in any case
    console_session_max_hours after sign-in; a person who has since left the integrity
    unit loses theirs at the next request.
    """
    if not cookie:
        return None
    now = now or utcnow()
    with store.transaction() as session:
        found = session.scalars(select(ConsoleSession).where(
            ConsoleSession.token_hash == token_hash(cookie))).first()
        if found is None or found.revoked_at is not None or found.expires_at <= now:
            return None
        if now - found.created_at >= dt.timedelta(hours=settings.console_session_max_hours):
            found.revoked_at = now
            return None
        role = console_role(session, found.person, settings)
        if role is None:
            found.revoked_at = now
            return None
        found.last_seen_at = now
        found.expires_at = now + dt.timedelta(minutes=settings.console_session_minutes)
        return SignedIn(found.id, found.person_id, found.person.display_name, role,
                        found.csrf_token)


def end_session(store: Store, cookie: str | None, now: dt.datetime | None = None) -> None:
    """Sign out: the row is revoked, so the cookie is worthless even if the browser keeps it."""
    if not cookie:
        return
    now = now or utcnow()
    with store.transaction() as session:
        found = session.scalars(select(ConsoleSession).where(
            ConsoleSession.token_hash == token_hash(cookie))).first()
        if found is not None and found.revoked_at is None:
            found.revoked_at = now
            record_event(session, f"person:{found.person_id}", "console.signed_out", None, {})
