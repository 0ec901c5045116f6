"""knowledge base: articles, their versions, stored embeddings

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import storage.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = storage.models.UTCDateTime(timezone=True)


def upgrade() -> None:
    # New tables only, so this branch composes with the other branches off 0001.
    op.create_table(
        "articles",
        sa.Column("community", sa.String(64), nullable=False),
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(16), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("source_question_id", BigId, nullable=True),
        sa.Column("created_by", BigId, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("deleted_at", UTC, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["source_question_id"],
            ["questions.id"],
            name=op.f("fk_articles_source_question_id_questions"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["members.id"], name=op.f("fk_articles_created_by_members")
        ),
        sa.PrimaryKeyConstraint("community", "id", name=op.f("pk_articles")),
    )
    op.create_table(
        "article_versions",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("community", sa.String(64), nullable=False),
        sa.Column("article_id", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor_id", BigId, nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("title", sa.String(400), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(16), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("restored_from", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["members.id"], name=op.f("fk_article_versions_actor_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_versions")),
        sa.UniqueConstraint(
            "community", "article_id", "version", name="uq_article_versions_version"
        ),
    )
    op.create_table(
        "embeddings",
        sa.Column("community", sa.String(64), nullable=False),
        sa.Column("doc_id", sa.String(210), nullable=False),
        sa.Column("model", sa.String(64), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("community", "doc_id", "model", name=op.f("pk_embeddings")),
    )


def downgrade() -> None:
    op.drop_table("embeddings")
    op.drop_table("article_versions")
    op.drop_table("articles")
