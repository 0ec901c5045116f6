"""moderation: audit log, help bans, thanks, reports; question lock and soft delete

Revision ID: 0003
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = storage.models.UTCDateTime(timezone=True)


def _id() -> sa.Column:
    return sa.Column("id", BigId, autoincrement=True, nullable=False)


def upgrade() -> None:
    # Plain ADD COLUMN / CREATE INDEX (no batch table copy), so this branch composes with
    # the other branches off 0001 whatever order they run in.
    op.add_column("questions", sa.Column("locked_at", UTC, nullable=True))
    op.add_column("questions", sa.Column("deleted_at", UTC, nullable=True))
    op.create_index("ix_ledger_actor", "ledger", ["actor_id", "created_at"])

    op.create_table(
        "reports",
        _id(),
        sa.Column("community", sa.String(64), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("reporter_id", BigId, nullable=False),
        sa.Column("author_id", BigId, nullable=True),
        sa.Column("channel_id", sa.String(128), nullable=False),
        sa.Column("message_id", sa.String(128), nullable=False),
        sa.Column("excerpt", sa.String(1200), nullable=False),
        sa.Column("reason", sa.String(800), nullable=False),
        sa.Column("question_id", BigId, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("resolved_by_id", BigId, nullable=True),
        sa.Column("resolved_at", UTC, nullable=True),
        sa.ForeignKeyConstraint(
            ["reporter_id"], ["members.id"], name=op.f("fk_reports_reporter_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["members.id"], name=op.f("fk_reports_author_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_reports_question_id_questions")
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["members.id"], name=op.f("fk_reports_resolved_by_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint("reporter_id", "platform", "message_id", name="uq_reports_once"),
    )
    op.create_index("ix_reports_reporter", "reports", ["reporter_id", "created_at"])
    op.create_index("ix_reports_status", "reports", ["community", "status", "id"])

    op.create_table(
        "audit_log",
        _id(),
        sa.Column("community", sa.String(64), nullable=False),
        sa.Column("actor_id", BigId, nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("target_member_id", BigId, nullable=True),
        sa.Column("question_id", BigId, nullable=True),
        sa.Column("ledger_id", BigId, nullable=True),
        sa.Column("report_id", BigId, nullable=True),
        sa.Column("reason", sa.String(800), nullable=True),
        sa.Column("detail", sa.String(400), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["members.id"], name=op.f("fk_audit_log_actor_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["target_member_id"],
            ["members.id"],
            name=op.f("fk_audit_log_target_member_id_members"),
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_audit_log_question_id_questions")
        ),
        sa.ForeignKeyConstraint(
            ["ledger_id"], ["ledger.id"], name=op.f("fk_audit_log_ledger_id_ledger")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_audit_log_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_community", "audit_log", ["community", "id"])
    op.create_index("ix_audit_log_target", "audit_log", ["target_member_id", "id"])
    op.create_index("ix_audit_log_actor", "audit_log", ["actor_id", "id"])
    op.create_index("ix_audit_log_question", "audit_log", ["question_id", "id"])

    op.create_table(
        "helpbans",
        _id(),
        sa.Column("community", sa.String(64), nullable=False),
        sa.Column("member_id", BigId, nullable=False),
        sa.Column("actor_id", BigId, nullable=False),
        sa.Column("reason", sa.String(800), nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("expires_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_helpbans_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["members.id"], name=op.f("fk_helpbans_actor_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_helpbans")),
    )
    op.create_index("ix_helpbans_member", "helpbans", ["member_id", "expires_at"])

    op.create_table(
        "thanks",
        _id(),
        sa.Column("community", sa.String(64), nullable=False),
        sa.Column("giver_id", BigId, nullable=False),
        sa.Column("receiver_id", BigId, nullable=False),
        sa.Column("question_id", BigId, nullable=True),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("ledger_id", BigId, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["giver_id"], ["members.id"], name=op.f("fk_thanks_giver_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["receiver_id"], ["members.id"], name=op.f("fk_thanks_receiver_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["question_id"], ["questions.id"], name=op.f("fk_thanks_question_id_questions")
        ),
        sa.ForeignKeyConstraint(
            ["ledger_id"], ["ledger.id"], name=op.f("fk_thanks_ledger_id_ledger")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_thanks")),
    )
    op.create_index("ix_thanks_giver", "thanks", ["giver_id", "created_at"])
    op.create_index("ix_thanks_pair", "thanks", ["giver_id", "receiver_id", "created_at"])
    op.create_index("ix_thanks_question", "thanks", ["question_id", "giver_id", "receiver_id"])


def downgrade() -> None:
    op.drop_table("thanks")
    op.drop_table("helpbans")
    op.drop_table("audit_log")
    op.drop_table("reports")
    op.drop_index("ix_ledger_actor", table_name="ledger")
    with op.batch_alter_table("questions") as batch_op:
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("locked_at")
