"""questions: an index by channel, so a deleted help channel's questions are found

Revision ID: 0011
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A help channel deleted on the platform takes its questions with it, one a transaction
    # in id order (`Questions.next_in_channel`): without this index each step scans them all.
    op.create_index("ix_questions_channel", "questions", ["platform", "channel_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_questions_channel", table_name="questions")
