"""indexes for the console's pages and the case page at a large force's volume

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def upgrade() -> None:
    # A queue filters on status and the declarant and pages in filing order: this covers
    # the count and the page's ids without reading a row.
    op.create_index("ix_declarations_status_person_submitted", "declarations",
                    ["status", "person_id", "submitted_at", "id"])
    # A case page's cross-checks read the declarant's team's offers.
    op.create_index("ix_people_team", "people", ["team"])
    # No index on the register date expression: tried, it made SQLite sort a year's
    # matches for a register page instead of walking the filing-time index to the page.


def downgrade() -> None:
    op.drop_index("ix_people_team", table_name="people")
    op.drop_index("ix_declarations_status_person_submitted", table_name="declarations")
