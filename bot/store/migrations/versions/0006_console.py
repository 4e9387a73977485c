"""the web console: sign-in links, sessions, assignments, publication exclusions and copies

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-01 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.store.models import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_sign_in_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_console_sign_in_links_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sign_in_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_sign_in_links_token_hash")),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_seen_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"],
                                name=op.f("fk_console_sessions_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_sessions_token_hash")),
    )
    op.create_index(op.f("ix_console_sessions_person_id"), "console_sessions", ["person_id"])
    op.create_index(op.f("ix_console_sessions_expires_at"), "console_sessions", ["expires_at"])
    op.create_table(
        "case_assignments",
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["handler_id"], ["people.id"],
                                name=op.f("fk_case_assignments_handler_id_people")),
        sa.ForeignKeyConstraint(["assigned_by_id"], ["people.id"],
                                name=op.f("fk_case_assignments_assigned_by_id_people")),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_case_assignments")),
    )
    op.create_index(op.f("ix_case_assignments_handler_id"), "case_assignments", ["handler_id"])
    op.create_table(
        "publication_exclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sa.String(length=16), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by_person_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["declaration_id"], ["declarations.id"],
                                name=op.f("fk_publication_exclusions_declaration_id_declarations")),
        sa.ForeignKeyConstraint(["by_person_id"], ["people.id"],
                                name=op.f("fk_publication_exclusions_by_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication_exclusions")),
        sa.UniqueConstraint("quarter", "declaration_id",
                            name=op.f("uq_publication_exclusions_quarter")),
    )
    op.create_index(op.f("ix_publication_exclusions_declaration_id"), "publication_exclusions",
                    ["declaration_id"])
    op.create_table(
        "published_registers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("register", sa.String(length=20), nullable=False),
        sa.Column("quarter", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=10), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("by_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["by_person_id"], ["people.id"],
                                name=op.f("fk_published_registers_by_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_registers")),
    )
    # Register pages filter and sort on these; without them a 50,000-record page scans.
    op.create_index("ix_declarations_submitted_at", "declarations", ["submitted_at"])
    op.create_index("ix_declarations_occurred_on", "declarations", ["occurred_on"])
    op.create_index("ix_declarations_superseded_by_id", "declarations", ["superseded_by_id"])


def downgrade() -> None:
    op.drop_index("ix_declarations_superseded_by_id", table_name="declarations")
    op.drop_index("ix_declarations_occurred_on", table_name="declarations")
    op.drop_index("ix_declarations_submitted_at", table_name="declarations")
    op.drop_table("published_registers")
    op.drop_index(op.f("ix_publication_exclusions_declaration_id"),
                  table_name="publication_exclusions")
    op.drop_table("publication_exclusions")
    op.drop_index(op.f("ix_case_assignments_handler_id"), table_name="case_assignments")
    op.drop_table("case_assignments")
    op.drop_index(op.f("ix_console_sessions_expires_at"), table_name="console_sessions")
    op.drop_index(op.f("ix_console_sessions_person_id"), table_name="console_sessions")
    op.drop_table("console_sessions")
    op.drop_table("console_sign_in_links")
