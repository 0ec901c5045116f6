"""questions: delete_kind, so a moderator can restore a question deleted with /mod delete

Revision ID: 0012
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy), so it composes with other branches' changes.
    # Questions deleted before this have no kind: how they were deleted was not recorded,
    # so none of them can be restored (their messages may be gone on the platform).
    op.add_column("questions", sa.Column("delete_kind", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch_op:
        batch_op.drop_column("delete_kind")
