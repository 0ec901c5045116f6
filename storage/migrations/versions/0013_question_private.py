"""questions: private, so a question asked in a private channel stays out of search

Revision ID: 0013
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy), so it composes with other branches' changes.
    # Questions asked before this were not told apart: they stay as they were (searchable).
    op.add_column(
        "questions",
        sa.Column("private", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch_op:
        batch_op.drop_column("private")
