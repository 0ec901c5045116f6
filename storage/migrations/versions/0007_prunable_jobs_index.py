"""scheduled jobs: a partial index of the finished jobs retention may delete

Revision ID: 0007
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None

# A frozen copy of storage.models.prunable_job, as the models render it: finished (neither
# pending nor running) and not a sent reminder or escalation, which are kept for good.
PRUNABLE = (
    "(state NOT IN ('pending', 'running')) AND NOT (kind IN ('remind', 'escalate')"
    " AND coalesce(outcome, '') = 'sent')"
)


def upgrade() -> None:
    # Pruning walked every kept sent reminder on each batch; this index holds only the rows
    # it may delete, and no pending or running job, so per-message writes leave it alone.
    op.create_index(
        "ix_scheduled_jobs_prunable",
        "scheduled_jobs",
        ["updated_at"],
        sqlite_where=sa.text(PRUNABLE),
        postgresql_where=sa.text(PRUNABLE),
    )


def downgrade() -> None:
    op.drop_index("ix_scheduled_jobs_prunable", table_name="scheduled_jobs")
