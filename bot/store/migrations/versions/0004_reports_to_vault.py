"""reports move to the reporting vault's own database

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 18:00:00

Reports, their threads and failed receipt checks shared the main store's counters,
transaction ids and log with declarations, which dated them (issue 13). Any rows are copied
into the vault (bot.reporting.vault) with random ids and day-only dates, then the tables
and the report reference counter are dropped here.
"""

from collections import Counter
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LEGACY = ("receipt_failures", "report_messages", "reports")


def upgrade() -> None:
    bind = op.get_bind()
    legacy = sa.MetaData()
    legacy.reflect(bind, only=[name for name in LEGACY if sa.inspect(bind).has_table(name)])
    if "reports" in legacy.tables and bind.execute(
            sa.select(sa.func.count()).select_from(legacy.tables["reports"])).scalar():
        vault = context.config.attributes.get("vault_engine")
        if vault is None:
            raise RuntimeError("moving reports to the vault needs the vault's engine; "
                               "upgrade with Store.open (probity db upgrade)")
        _copy(bind, legacy, vault)
    for name in LEGACY:
        if name in legacy.tables:
            op.drop_table(name)
    op.execute(sa.text("DELETE FROM reference_counters WHERE prefix = 'R'"))


def _copy(bind: sa.Connection, legacy: sa.MetaData, vault: sa.Engine) -> None:
    from bot.store.vault.models import Report, ReportMessage, random_id

    reports, messages = legacy.tables["reports"], legacy.tables["report_messages"]
    failures = legacy.tables.get("receipt_failures")
    with vault.begin() as target:
        new_ids: dict[int, int] = {}
        for row in bind.execute(sa.select(reports)).mappings():
            values = {key: row[key] for key in row if key in Report.__table__.c}
            new_ids[row["id"]] = values["id"] = random_id()
            if row["notify_after"] is not None:
                values["notify_after"] = row["notify_after"].date()
            target.execute(sa.insert(Report).values(**values))
        positions: Counter[int] = Counter()
        for row in bind.execute(sa.select(messages).order_by(messages.c.id)).mappings():
            positions[row["report_id"]] += 1
            target.execute(sa.insert(ReportMessage).values(
                id=random_id(), report_id=new_ids[row["report_id"]], author=row["author"],
                handler_id=row["handler_id"], kind=row["kind"], sealed_body=row["sealed_body"],
                created_on=row["created_on"], position=positions[row["report_id"]]))
        if failures is not None:
            from bot.store.vault.models import ReceiptFailure

            counts = Counter((row.reference, row.at.date())
                             for row in bind.execute(sa.select(failures)))
            for (reference, day), count in counts.items():
                target.execute(sa.insert(ReceiptFailure).values(
                    id=random_id(), reference=reference, on=day, count=count))


def downgrade() -> None:
    # The tables come back empty: their rows stay in the vault.
    op.create_table(
        "reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(32), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("category", sa.String(60), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("receipt_hash", sa.String(200), nullable=False),
        sa.Column("sealed_content", sa.LargeBinary(), nullable=False),
        sa.Column("sealed_identity", sa.LargeBinary(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("acknowledge_due", sa.Date(), nullable=False),
        sa.Column("feedback_due", sa.Date(), nullable=False),
        sa.Column("acknowledged_on", sa.Date(), nullable=True),
        sa.Column("first_feedback_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("sealed_outcome", sa.LargeBinary(), nullable=True),
        sa.Column("notify_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("handlers_notified", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("reference", name=op.f("uq_reports_reference")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_reports_idempotency_key")),
    )
    op.create_table(
        "report_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(20), nullable=False),
        sa.Column("handler_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("sealed_body", sa.LargeBinary(), nullable=False),
        sa.Column("created_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"],
                                name=op.f("fk_report_messages_report_id_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_messages")),
    )
    op.create_table(
        "receipt_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_failures")),
    )
