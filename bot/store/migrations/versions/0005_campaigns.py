"""policy acknowledgement campaigns, their recipients and acknowledgements

Revision ID: 0005
Revises: 0006
Create Date: 2026-12-01 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.models import UTCDateTime

revision: str = "0005"
# After main's 0006 (the console), so the chain has one head; the lead re-chains on merge.
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("policy", sa.String(length=300), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("audience", sa.String(length=200), nullable=False),
        sa.Column("started_by", sa.String(length=120), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reminder_days", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_table(
        "campaign_recipients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("team", sa.String(length=200), nullable=True),
        sa.Column("line_manager_id", sa.Integer(), nullable=True),
        sa.Column("notified_on", sa.Date(), nullable=True),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name=op.f("fk_campaign_recipients_campaign_id_campaigns")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_campaign_recipients_person_id_people")),
        sa.ForeignKeyConstraint(["line_manager_id"], ["people.id"],
                                name=op.f("fk_campaign_recipients_line_manager_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_recipients")),
        sa.UniqueConstraint("campaign_id", "person_id",
                            name=op.f("uq_campaign_recipients_campaign_id")),
    )
    op.create_index("ix_campaign_recipients_person", "campaign_recipients", ["person_id"])
    op.create_table(
        "acknowledgements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("how", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name=op.f("fk_acknowledgements_campaign_id_campaigns")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_acknowledgements_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_acknowledgements")),
        sa.UniqueConstraint("campaign_id", "person_id", "subject",
                            name=op.f("uq_acknowledgements_campaign_id")),
    )


def downgrade() -> None:
    op.drop_table("acknowledgements")
    op.drop_index("ix_campaign_recipients_person", table_name="campaign_recipients")
    op.drop_table("campaign_recipients")
    op.drop_table("campaigns")
