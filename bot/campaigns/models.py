"""The campaign tables: a campaign, who it is for, and each acknowledgement given."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.store.models import Base, UTCDateTime, utcnow

POLICY = "policy"
ANNUAL_RETURN = "annual_return"


class Campaign(Base):
    """One request to an audience: read these policy versions, or make this year's return.

    `documents` keeps, per policy, its key, title, version, source file, the sections that
    changed since the version before, and the version's own sections, so the next version's
    campaign can be diffed against it without the old file.
    """

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    policy: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(400))
    documents: Mapped[list[Any]] = mapped_column(default=list)
    audience: Mapped[str] = mapped_column(String(200))
    started_by: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    reminder_days: Mapped[int] = mapped_column(default=7)
    #: The year an annual return is for (one per year), else None.
    year: Mapped[int | None] = mapped_column()


class CampaignRecipient(Base):
    """One person a campaign is for, with their team as it was when it started."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (UniqueConstraint("campaign_id", "person_id"),
                      Index("ix_campaign_recipients_person", "person_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    team: Mapped[str | None] = mapped_column(String(200))
    line_manager_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    notified_on: Mapped[dt.date | None] = mapped_column(Date)
    reminded_on: Mapped[dt.date | None] = mapped_column(Date)


class Acknowledgement(Base):
    """One person's acknowledgement of one policy version (or their annual return): when and
    how. The unique key makes a second press or a retried request record nothing more."""

    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("campaign_id", "person_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    #: The policy's key, or for an annual return "return" or a business interest's reference.
    subject: Mapped[str] = mapped_column(String(120))
    version: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    #: slack_button, chat_words, cli, nil_return, declaration_started, interest_unchanged...
    how: Mapped[str] = mapped_column(String(40))
    #: How many answers the policy's check question took (1: right first time); None when
    #: the policy has no check.
    check_attempts: Mapped[int | None] = mapped_column()


class CheckProgress(Base):
    """One person's way through a policy's check question in a campaign: how they set out
    to acknowledge (kept for the acknowledgement row), how many answers they have given,
    and when they gave the right one. Which wrong answers they chose is not kept: the check
    teaches, it marks nobody."""

    __tablename__ = "campaign_checks"
    __table_args__ = (UniqueConstraint("campaign_id", "person_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    subject: Mapped[str] = mapped_column(String(120))
    how: Mapped[str] = mapped_column(String(40))
    attempts: Mapped[int] = mapped_column(default=0)
    passed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
