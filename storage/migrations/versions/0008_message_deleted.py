"""messages: deleted_at, for a message a moderator deleted through a report

Revision ID: 0008
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0008"
down_revision = "0001"
branch_labels = None
depends_on = None

UTC = storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    # A deleted answer stays recorded (reports, acceptances and the ledger point at it) but
    # is no answer any more. A plain ADD COLUMN (no batch copy), so it composes with other
    # branches' changes.
    op.add_column("messages", sa.Column("deleted_at", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_column("deleted_at")
