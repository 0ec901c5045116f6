"""knowledge changes: a feed of search-affecting changes for every bot process

Revision ID: 0005
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "knowledge_changes",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("community", sa.String(length=64), nullable=False),
        sa.Column("doc_id", sa.String(length=210), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_changes")),
    )
    op.create_index("ix_knowledge_changes_time", "knowledge_changes", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_knowledge_changes_time", table_name="knowledge_changes")
    op.drop_table("knowledge_changes")
