"""reports: post_ref, so a report's post in the moderators' channel is marked handled
however the report is resolved

Revision ID: 0014
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy), so it composes with other branches' changes.
    # Reports posted before this have none: their posts are marked only from their buttons.
    op.add_column("reports", sa.Column("post_ref", sa.String(200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reports") as batch_op:
        batch_op.drop_column("post_ref")
