"""question lifecycle: scheduled jobs, onboarding, anonymous questions

Revision ID: 0004
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy), so it composes with other branches' changes.
    op.add_column(
        "questions",
        sa.Column("anonymous", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_table(
        "scheduled_jobs",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("community", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("question_id", BigId, nullable=True),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=64), nullable=True),
        sa.Column("last_error", sa.String(length=800), nullable=True),
        sa.Column("claim_token", sa.String(length=64), nullable=True),
        sa.Column("lease_until", UTC, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_scheduled_jobs_question_id_questions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_jobs")),
    )
    op.create_index("ix_scheduled_jobs_due", "scheduled_jobs", ["state", "due_at"])
    op.create_index(
        "ix_scheduled_jobs_question", "scheduled_jobs", ["question_id", "kind", "state"]
    )
    op.create_table(
        "welcomed_members",
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("channel_id", sa.String(length=128), nullable=False),
        sa.Column("welcomed_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_welcomed_members_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", "channel_id", name=op.f("pk_welcomed_members")),
    )


def downgrade() -> None:
    op.drop_table("welcomed_members")
    op.drop_index("ix_scheduled_jobs_question", table_name="scheduled_jobs")
    op.drop_index("ix_scheduled_jobs_due", table_name="scheduled_jobs")
    op.drop_table("scheduled_jobs")
    with op.batch_alter_table("questions") as batch_op:
        batch_op.drop_column("anonymous")
