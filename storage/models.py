"""SQLAlchemy 2 table definitions (the schema Alembic migrates).

Design notes:
- `ledger` is append-only: a reversal is a new row whose `reverses_id` is unique, so one row
  can be reversed at most once even under concurrent requests.
- `reputation_totals` and `reputation_daily` are caches derived from the ledger in the same
  transaction; they make `/rep`, leaderboards and the daily cap cheap at millions of rows.
- `members.person_id` is reserved for linking one person's Discord and Slack identities.
- `processed_events` makes inbound platform events at-most-once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    false,
    func,
    literal_column,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from bot.jobs import JobKind, JobState

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a real BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def fits_id(value: int) -> bool:
    """Whether `value` can be a row id (64-bit on both databases). A bigger number a member
    typed ("/open 99999999999999999999") must find no row: both drivers raise on it."""
    return -(2**63) <= value < 2**63


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in and out; SQLite has no time zones, so we restore UTC on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use an aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("community", "platform", "platform_user_id", name="uq_members_identity"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    is_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    person_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QuestionRow(Base):
    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("platform", "message_id", name="uq_questions_message"),
        UniqueConstraint("platform", "thread_id", name="uq_questions_thread"),
        Index("ix_questions_status", "community", "status"),
        Index("ix_questions_asker", "asker_id", "status"),
        Index("ix_questions_channel", "platform", "channel_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(128))
    thread_id: Mapped[str | None] = mapped_column(String(128))
    asker_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    title: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime)
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_reason: Mapped[str | None] = mapped_column(String(16))
    close_note: Mapped[str | None] = mapped_column(String(800))
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delete_kind: Mapped[str | None] = mapped_column(String(16))  # bot.model.DeleteKind
    private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("platform", "message_id", name="uq_messages_message"),
        Index("ix_messages_question", "question_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    platform: Mapped[str] = mapped_column(String(16))
    message_id: Mapped[str] = mapped_column(String(128))
    excerpt: Mapped[str] = mapped_column(String(1200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AcceptanceRow(Base):
    __tablename__ = "acceptances"
    __table_args__ = (Index("ix_acceptances_question", "question_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    accepted_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Marked with a ✅ reaction, so removing that ✅ takes it back (`UnacceptAnswer`).
    by_reaction: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class LedgerRow(Base):
    __tablename__ = "ledger"
    __table_args__ = (
        Index("ix_ledger_member", "member_id", "id"),
        Index("ix_ledger_acceptance", "acceptance_id"),
        Index("ix_ledger_community_time", "community", "created_at"),
        Index("ix_ledger_actor", "actor_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    delta: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    acceptance_id: Mapped[int | None] = mapped_column(ForeignKey("acceptances.id"))
    source_event: Mapped[str | None] = mapped_column(String(200))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger.id"), unique=True)
    note: Mapped[str | None] = mapped_column(String(800))
    capped: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReputationTotalRow(Base):
    __tablename__ = "reputation_totals"
    __table_args__ = (Index("ix_reputation_totals_rank", "community", "points"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    community: Mapped[str] = mapped_column(String(64))
    points: Mapped[int] = mapped_column(Integer, default=0)
    accepted_count: Mapped[int] = mapped_column(Integer, default=0)


class ReputationDailyRow(Base):
    __tablename__ = "reputation_daily"
    __table_args__ = (Index("ix_reputation_daily_period", "community", "day"),)

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    community: Mapped[str] = mapped_column(String(64))
    points: Mapped[int] = mapped_column(Integer, default=0)
    capped_points: Mapped[int] = mapped_column(Integer, default=0)


class ProcessedEventRow(Base):
    __tablename__ = "processed_events"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    event_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ScheduledJobRow(Base):
    """Work the scheduler does later (a reminder, a close, an escalation, a delivery).

    `state`: pending -> running (claimed, until `lease_until`) -> done | failed, or
    cancelled. A crashed runner's claim expires with its lease and the job runs again.
    Every change of state sets `updated_at`, so a finished job's `updated_at` is when it
    finished; retention counts from it.
    """

    __tablename__ = "scheduled_jobs"
    __table_args__ = (
        Index("ix_scheduled_jobs_due", "state", "due_at"),
        Index("ix_scheduled_jobs_question", "question_id", "kind", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(32))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[str | None] = mapped_column(Text)
    outcome: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(String(800))
    claim_token: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


def prunable_job(c: Any) -> ColumnElement[bool]:
    """The scheduled jobs retention may delete (given `ScheduledJobRow.__table__.c`): every
    finished job (not pending, not running: done, failed or cancelled) except a sent
    reminder or escalation, which is kept for good because it is what stops a second one
    (`JobRepository.happened`).

    It is both the predicate of the partial index ix_scheduled_jobs_prunable and, word for
    word, the prune query's WHERE, so that both databases use that index. SQLite uses a
    partial index only when the query's WHERE contains each of the index's WHERE terms, so
    the values are literals, never bind parameters (a PostgreSQL generic plan cannot prove
    anything about a parameter either). Finished is written as NOT IN the live states: an
    `IN (finished states)` equality would make SQLite prefer ix_scheduled_jobs_due (state
    first) and walk every kept sent reminder again. The sent test is NULL-safe: NOT (kind IN
    (...) AND outcome = 'sent') would be NULL, and the row kept, for a NULL outcome.

    Migration 0007 holds a frozen copy of this predicate (a test compares them); change
    both together.
    """

    def lit(value: str) -> ColumnElement[Any]:
        return literal_column(f"'{value}'")

    live = c.state.not_in([lit(JobState.PENDING.value), lit(JobState.RUNNING.value)])
    once = and_(
        c.kind.in_([lit(JobKind.REMIND.value), lit(JobKind.ESCALATE.value)]),
        func.coalesce(c.outcome, lit("")) == lit("sent"),
    )
    return and_(live, ~once)


# Only rows retention may delete, keyed by when they finished: pruning reads just those, and
# the writes on the per-message path (a pending close rescheduled, a claim) leave the index
# alone, as no pending or running job is in it. A plain (state, updated_at) index was
# maintained on every one of those writes and doubled bench/core.py's p99.
Index(
    "ix_scheduled_jobs_prunable",
    ScheduledJobRow.__table__.c.updated_at,
    sqlite_where=prunable_job(ScheduledJobRow.__table__.c),
    postgresql_where=prunable_job(ScheduledJobRow.__table__.c),
)


class WelcomedMemberRow(Base):
    """Who has already been greeted in which help channel (onboarding happens once)."""

    __tablename__ = "welcomed_members"

    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    welcomed_at: Mapped[datetime] = mapped_column(UTCDateTime)


# -- moderation, thanks and reports -----------------------------------------------------


class ReportRow(Base):
    """A member's flag on a message. `reporter_id` is kept for rate limits and abuse
    checks only; it is never shown to the reported author."""

    __tablename__ = "reports"
    __table_args__ = (
        UniqueConstraint("reporter_id", "platform", "message_id", name="uq_reports_once"),
        Index("ix_reports_reporter", "reporter_id", "created_at"),
        Index("ix_reports_status", "community", "status", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(64))
    platform: Mapped[str] = mapped_column(String(16))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    channel_id: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(128))
    excerpt: Mapped[str] = mapped_column(String(1200))
    reason: Mapped[str] = mapped_column(String(800))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    post_ref: Mapped[str | None] = mapped_column(String(200))  # bot.model.Report.post_ref


class AuditLogRow(Base):
    """Append-only: every moderator action and every refused attempt at one."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_community", "community", "id"),
        Index("ix_audit_log_target", "target_member_id", "id"),
        Index("ix_audit_log_actor", "actor_id", "id"),
        Index("ix_audit_log_question", "question_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(64))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    action: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(16))
    target_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # The row has a target, left out: an anonymous question's asker (bot.audit). Without
    # it, a row with no target could not say whether it had one.
    target_hidden: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    ledger_id: Mapped[int | None] = mapped_column(ForeignKey("ledger.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id"))
    reason: Mapped[str | None] = mapped_column(String(800))
    detail: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HelpBanRow(Base):
    __tablename__ = "helpbans"
    __table_args__ = (Index("ix_helpbans_member", "member_id", "expires_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    actor_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    reason: Mapped[str | None] = mapped_column(String(800))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ThanksRow(Base):
    """Who thanked whom, when, and what it earned (0 when a limit withheld the points); the
    per-giver limits and the reciprocal cooldown are counted from here."""

    __tablename__ = "thanks"
    __table_args__ = (
        Index("ix_thanks_giver", "giver_id", "created_at"),
        Index("ix_thanks_pair", "giver_id", "receiver_id", "created_at"),
        Index("ix_thanks_question", "question_id", "giver_id", "receiver_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(64))
    giver_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    receiver_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    points: Mapped[int] = mapped_column(Integer)
    ledger_id: Mapped[int | None] = mapped_column(ForeignKey("ledger.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# -- knowledge base ---------------------------------------------------------------------


class ArticleRow(Base):
    """A knowledge-base article. `id` is the community's own text key ("reset-password");
    removal is soft (`deleted_at`) so it can be undone; `content_hash` lets a re-import of
    unchanged text skip the row; every change also appends an `article_versions` row."""

    __tablename__ = "articles"

    community: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text)  # JSON list
    aliases: Mapped[str] = mapped_column(Text)  # JSON list
    lang: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16))
    source_question_id: Mapped[int | None] = mapped_column(ForeignKey("questions.id"))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))


class ArticleVersionRow(Base):
    """Append-only history: the article as it was right after each change."""

    __tablename__ = "article_versions"
    __table_args__ = (
        UniqueConstraint("community", "article_id", "version", name="uq_article_versions_version"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(64))
    article_id: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    title: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    tags: Mapped[str] = mapped_column(Text)
    aliases: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(16))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    restored_from: Mapped[int | None] = mapped_column(Integer)


class EmbeddingRow(Base):
    """A stored passage vector (float32 bytes), so a restart does not re-embed. `text_hash`
    is the hash of the embedded text: an edited article's old vector is never reused."""

    __tablename__ = "embeddings"

    community: Mapped[str] = mapped_column(String(64), primary_key=True)
    doc_id: Mapped[str] = mapped_column(String(210), primary_key=True)
    model: Mapped[str] = mapped_column(String(64), primary_key=True)
    dim: Mapped[int] = mapped_column(Integer)
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class KnowledgeChangeRow(Base):
    """A committed change that affects search (an article, or a question solved, reopened or
    deleted), appended in the same transaction. Every bot process applies the rows newer
    than the last one it saw, so several processes (and `kb import` run beside a running
    bot) keep their in-memory indexes in step. Old rows are pruned by the scheduler."""

    __tablename__ = "knowledge_changes"
    __table_args__ = (Index("ix_knowledge_changes_time", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    community: Mapped[str] = mapped_column(String(64))
    doc_id: Mapped[str] = mapped_column(String(210))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
