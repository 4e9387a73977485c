"""a policy's check question: each person's progress, and the attempts on each acknowledgement

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.models import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("acknowledgements") as table:
        table.add_column(sa.Column("check_attempts", sa.Integer(), nullable=True))
    op.create_table(
        "campaign_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("how", sa.String(length=40), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("passed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name=op.f("fk_campaign_checks_campaign_id_campaigns")),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_campaign_checks_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_checks")),
        sa.UniqueConstraint("campaign_id", "person_id", "subject",
                            name=op.f("uq_campaign_checks_campaign_id")),
    )


def downgrade() -> None:
    op.drop_table("campaign_checks")
    with op.batch_alter_table("acknowledgements") as table:
        table.drop_column("check_attempts")
