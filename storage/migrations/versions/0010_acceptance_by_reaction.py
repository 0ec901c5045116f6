"""acceptances: by_reaction, so that removing a ✅ takes back only a mark that ✅ made

Revision ID: 0010
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy), so it composes with other branches' changes.
    # Marks made before were made some way the bot did not record: none counts as a ✅'s,
    # so removing a ✅ takes none of them back (/unsolve still does).
    op.add_column(
        "acceptances",
        sa.Column("by_reaction", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("acceptances") as batch_op:
        batch_op.drop_column("by_reaction")
