"""audit_log: target_hidden, for a row whose target (an anonymous asker) is left out

Revision ID: 0009
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A row about an anonymous question leaves its asker out as the target, and a row with
    # no target could not say whether it had one. A plain ADD COLUMN (no batch copy), so it
    # composes with other branches' changes. Rows written before say nothing (false).
    op.add_column(
        "audit_log",
        sa.Column("target_hidden", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("audit_log") as batch_op:
        batch_op.drop_column("target_hidden")
