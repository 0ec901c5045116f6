"""members: drop ix_members_name (no query looks members up by display name)

Revision ID: 0006
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every member upsert (a new member, or a changed name or role) paid for this index.
    op.drop_index("ix_members_name", table_name="members")


def downgrade() -> None:
    op.create_index("ix_members_name", "members", ["community", "platform", "display_name"])
