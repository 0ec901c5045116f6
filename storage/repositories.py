"""Repositories: the core's storage ports implemented with SQLAlchemy Core statements.

They run inside the unit of work's connection and transaction and never commit. Rows come
back as the core's frozen dataclasses, so nothing lazy-loads later. Statements are Core
(not ORM objects) because the hot path, one chat message, must stay well under a
millisecond of Python work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import Row, bindparam, delete, func, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.errors import DuplicateEvent
from bot.model import (
    Acceptance,
    Actor,
    Answer,
    CloseReason,
    DeleteKind,
    LeaderboardRow,
    LedgerEntry,
    LedgerReason,
    Member,
    MemberRef,
    NewLedgerEntry,
    Question,
    QuestionStatus,
    Standing,
    ThreadRef,
)
from bot.ports import Clock
from storage.models import (
    AcceptanceRow,
    LedgerRow,
    MemberRow,
    MessageRow,
    ProcessedEventRow,
    QuestionRow,
    ReputationDailyRow,
    ReputationTotalRow,
    fits_id,
)

members_t = MemberRow.__table__
questions_t = QuestionRow.__table__
messages_t = MessageRow.__table__
acceptances_t = AcceptanceRow.__table__
ledger_t = LedgerRow.__table__
totals_t = ReputationTotalRow.__table__
daily_t = ReputationDailyRow.__table__
events_t = ProcessedEventRow.__table__

_asker = members_t.alias("asker")
_author = members_t.alias("author")
_acceptor = members_t.alias("acceptor")


class Conn(Protocol):
    """What repositories need from a connection: an AsyncConnection, or storage.database's
    InlineConnection for SQLite."""

    dialect: Any

    async def execute(self, statement: Any, *args: Any) -> Any: ...


_PREPARED: dict[tuple[str, str], Any] = {}
# ids of the statements above (they live as long as the process): the inline SQLite mode
# runs exactly these straight on the sqlite3 cursor (storage.sqlite_direct).
PREPARED_IDS: set[int] = set()


def prepared(conn: Conn, name: str, build: Callable[[], Any]) -> Any:
    """A statement built once per dialect and reused with bind parameters.

    Building a SQLAlchemy statement costs more than running it on SQLite (about 390 us
    against 110 us for a select here), so the statements on the per-message hot path are
    built once and executed with parameter dictionaries.
    """

    key = (name, conn.dialect.name)
    stmt = _PREPARED.get(key)
    if stmt is None:
        stmt = _PREPARED[key] = build()
        PREPARED_IDS.add(id(stmt))
    return stmt


def _insert(conn: Conn, table: Any) -> Any:
    """The dialect's INSERT, which has ON CONFLICT on both SQLite and PostgreSQL."""

    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def _not_reversed(ledger_id: Any) -> Any:
    """No ledger row reverses the entry `ledger_id` (ledger.reverses_id is unique, hence
    indexed)."""

    reversal = ledger_t.alias("reversal")
    return ~select(reversal.c.id).where(reversal.c.reverses_id == ledger_id).exists()


def _member(row: Row[Any], prefix: str = "") -> Member:
    """A member from a row: the members table's own columns, or an alias's columns labelled
    with `prefix` (see `_member_cols`)."""

    m = row._mapping
    return Member(
        id=m[f"{prefix}id"],
        ref=MemberRef(
            m[f"{prefix}platform"], m[f"{prefix}community"], m[f"{prefix}platform_user_id"]
        ),
        display_name=m[f"{prefix}display_name"],
        is_bot=m[f"{prefix}is_bot"],
        is_moderator=m[f"{prefix}is_moderator"],
    )


def _member_cols(alias: Any, prefix: str) -> list[Any]:
    return [
        alias.c.id.label(f"{prefix}id"),
        alias.c.platform.label(f"{prefix}platform"),
        alias.c.community.label(f"{prefix}community"),
        alias.c.platform_user_id.label(f"{prefix}platform_user_id"),
        alias.c.display_name.label(f"{prefix}display_name"),
        alias.c.is_bot.label(f"{prefix}is_bot"),
        alias.c.is_moderator.label(f"{prefix}is_moderator"),
    ]


# A member as the platform identifies them: community, platform, platform user id.
MemberIdentity = tuple[str, str, str]

# How long this process trusts what it last wrote to a member's row. Another process
# sharing the database may write the row since (the member renamed, or made or no longer a
# moderator, in an event it received): after this long the next event writes it again.
MEMBER_CACHE_EXPIRY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class WrittenMember:
    """What a committed transaction of this process last wrote to a member's row, when."""

    id: int
    name: str
    is_bot: bool
    is_moderator: bool
    at: datetime


class MemberCache:
    """What this process last wrote to each member's row, by the member's identity.

    Nearly every event comes from a member we have seen, with the same name and roles; this
    skips the upsert for them. Entries are added only after the transaction that wrote them
    commits (see SqlUnitOfWork), and member rows are never deleted while the bot runs, so a
    cached id is always valid. Anything the platform says differently from the last write
    (a changed name or role, or one changed back) is written, and so is anything once the
    last write is `expiry` old, so processes sharing one database converge.
    """

    def __init__(self, limit: int = 50_000, expiry: timedelta = MEMBER_CACHE_EXPIRY) -> None:
        self.limit = limit
        self.expiry = expiry
        self._written: dict[MemberIdentity, WrittenMember] = {}

    def get(self, identity: MemberIdentity, now: datetime) -> WrittenMember | None:
        """The last write, unless it is `expiry` old (or the clock went back past it)."""
        written = self._written.get(identity)
        if written is None or not timedelta(0) <= now - written.at < self.expiry:
            return None
        return written

    def add(self, entries: dict[MemberIdentity, WrittenMember]) -> None:
        if len(self._written) + len(entries) > self.limit:
            self._written.clear()
        self._written.update(entries)


class SqlMemberRepository:
    def __init__(self, conn: Conn, clock: Clock, cache: MemberCache | None = None) -> None:
        self.conn = conn
        self.clock = clock
        self.cache = cache
        self.pending: dict[MemberIdentity, WrittenMember] = {}

    async def upsert(self, actor: Actor) -> Member:
        ref = actor.ref
        name = actor.display_name[:200]
        identity: MemberIdentity = (ref.community, ref.platform, ref.id)
        now = self.clock.now()
        written = self.cache.get(identity, now) if self.cache else None
        current = (name, actor.is_bot, actor.is_moderator)
        if written is not None and (written.name, written.is_bot, written.is_moderator) == current:
            return Member(written.id, ref, name, actor.is_bot, actor.is_moderator)

        def build() -> Any:
            stmt = _insert(self.conn, members_t)
            return stmt.on_conflict_do_update(
                index_elements=["community", "platform", "platform_user_id"],
                set_={
                    "display_name": stmt.excluded.display_name,
                    "is_moderator": stmt.excluded.is_moderator,
                    "is_bot": stmt.excluded.is_bot,
                },
            ).returning(members_t.c.id)

        values = {
            "community": ref.community,
            "platform": ref.platform,
            "platform_user_id": ref.id,
            "display_name": name,
            "is_bot": actor.is_bot,
            "is_moderator": actor.is_moderator,
            "created_at": now,
        }
        stmt = prepared(self.conn, "members.upsert", build)
        member_id = (await self.conn.execute(stmt, values)).scalar_one()
        self.pending[identity] = WrittenMember(
            member_id, name, actor.is_bot, actor.is_moderator, now
        )
        return Member(member_id, ref, name, actor.is_bot, actor.is_moderator)

    async def find(self, ref: MemberRef) -> Member | None:
        stmt = prepared(
            self.conn,
            "members.find",
            lambda: select(members_t).where(
                members_t.c.community == bindparam("community"),
                members_t.c.platform == bindparam("platform"),
                members_t.c.platform_user_id == bindparam("uid"),
            ),
        )
        params = {"community": ref.community, "platform": ref.platform, "uid": ref.id}
        row = (await self.conn.execute(stmt, params)).first()
        return _member(row) if row else None


def _question_query() -> Any:
    return select(questions_t, *_member_cols(_asker, "ask__")).join(
        _asker, _asker.c.id == questions_t.c.asker_id
    )


def _question(row: Row[Any], asker: Member | None = None) -> Question:
    """A question from `_question_query()`'s row, or from a row of the questions table's
    own columns (e.g. RETURNING) when the `asker` is already known."""

    m = row._mapping
    q = questions_t.c
    return Question(
        id=m[q.id],
        community=m[q.community],
        platform=m[q.platform],
        channel_id=m[q.channel_id],
        message_id=m[q.message_id],
        thread_id=m[q.thread_id],
        asker=asker if asker is not None else _member(row, prefix="ask__"),
        title=m[q.title],
        body=m[q.body],
        status=QuestionStatus(m[q.status]),
        created_at=m[q.created_at],
        last_activity_at=m[q.last_activity_at],
        solved_at=m[q.solved_at],
        closed_at=m[q.closed_at],
        close_reason=m[q.close_reason],
        close_note=m[q.close_note],
        locked_at=m[q.locked_at],
        deleted_at=m[q.deleted_at],
        delete_kind=DeleteKind(m[q.delete_kind]) if m[q.delete_kind] else None,
        private=m[q.private],
        anonymous=m[q.anonymous],
    )


def _message_query() -> Any:
    return select(messages_t, *_member_cols(_author, "aut__")).join(
        _author, _author.c.id == messages_t.c.author_id
    )


def _answer(row: Row[Any]) -> Answer:
    m = row._mapping
    c = messages_t.c
    return Answer(
        id=m[c.id],
        question_id=m[c.question_id],
        author=_member(row, prefix="aut__"),
        message_id=m[c.message_id],
        excerpt=m[c.excerpt],
        created_at=m[c.created_at],
        deleted_at=m[c.deleted_at],
    )


class SqlQuestionRepository:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self._locks = conn.dialect.name == "postgresql"

    def _lock(self, stmt: Any, for_update: bool) -> Any:
        # SQLite serialises writers with BEGIN IMMEDIATE; PostgreSQL needs row locks.
        return stmt.with_for_update(of=questions_t) if for_update and self._locks else stmt

    async def add(
        self,
        *,
        community: str,
        platform: str,
        channel_id: str,
        message_id: str,
        thread_id: str | None,
        asker: Member,
        title: str,
        body: str,
        at: datetime,
        private: bool = False,
    ) -> Question:
        stmt = prepared(
            self.conn, "questions.add", lambda: questions_t.insert().returning(questions_t.c.id)
        )
        values = {
            "community": community,
            "platform": platform,
            "channel_id": channel_id,
            "message_id": message_id,
            "thread_id": thread_id,
            "asker_id": asker.id,
            "title": title,
            "body": body,
            "status": QuestionStatus.OPEN.value,
            "created_at": at,
            "last_activity_at": at,
            "private": private,
        }
        question_id = (await self.conn.execute(stmt, values)).scalar_one()
        return Question(
            id=question_id,
            community=community,
            platform=platform,
            channel_id=channel_id,
            message_id=message_id,
            thread_id=thread_id,
            asker=asker,
            title=title,
            body=body,
            status=QuestionStatus.OPEN,
            created_at=at,
            last_activity_at=at,
            private=private,
        )

    async def get(self, question_id: int, *, for_update: bool = False) -> Question | None:
        if not fits_id(question_id):
            return None
        stmt = prepared(
            self.conn,
            f"questions.get.{for_update}",
            lambda: self._lock(
                _question_query().where(questions_t.c.id == bindparam("qid")), for_update
            ),
        )
        row = (await self.conn.execute(stmt, {"qid": question_id})).first()
        return _question(row) if row else None

    async def by_thread(self, thread: ThreadRef, *, for_update: bool = False) -> Question | None:
        return await self._by("thread_id", thread.platform, thread.id, for_update)

    async def by_message(
        self, platform: str, message_id: str, *, for_update: bool = False
    ) -> Question | None:
        return await self._by("message_id", platform, message_id, for_update)

    async def next_in_channel(
        self, community: str, platform: str, channel_id: str, after: int, *, for_update: bool
    ) -> Question | None:
        """The community's first question in a channel with an id above `after` that is not
        deleted, or only hidden by a moderator (restorable until its channel goes)."""

        q = questions_t.c
        stmt = prepared(
            self.conn,
            f"questions.next_in_channel.{for_update}",
            lambda: self._lock(
                _question_query()
                .where(
                    q.platform == bindparam("platform"),
                    q.channel_id == bindparam("channel"),
                    q.id > bindparam("after"),
                    q.community == bindparam("community"),
                    or_(q.deleted_at.is_(None), q.delete_kind == DeleteKind.MODERATOR.value),
                )
                .order_by(q.id)
                .limit(1),
                for_update,
            ),
        )
        values = {"platform": platform, "channel": channel_id, "after": after}
        row = (await self.conn.execute(stmt, {**values, "community": community})).first()
        return _question(row) if row else None

    async def _by(
        self, column: str, platform: str, value: str, for_update: bool
    ) -> Question | None:
        """The question whose `column` ("thread_id" or "message_id") is `value` on `platform`:
        either is unique there."""

        stmt = prepared(
            self.conn,
            f"questions.by_{column}.{for_update}",
            lambda: self._lock(
                _question_query().where(
                    questions_t.c.platform == bindparam("platform"),
                    questions_t.c[column] == bindparam("value"),
                ),
                for_update,
            ),
        )
        row = (await self.conn.execute(stmt, {"platform": platform, "value": value})).first()
        return _question(row) if row else None

    async def set_status(
        self,
        question_id: int,
        status: QuestionStatus,
        *,
        solved_at: datetime | None = None,
        closed_at: datetime | None = None,
        close_reason: str | None = None,
        close_note: str | None = None,
    ) -> Question:
        stmt = prepared(
            self.conn,
            "questions.set_status",
            lambda: update(questions_t).where(questions_t.c.id == bindparam("qid")),
        )
        values = {
            "qid": question_id,
            "status": status.value,
            "solved_at": solved_at,
            "closed_at": closed_at,
            "close_reason": close_reason,
            "close_note": close_note,
        }
        await self.conn.execute(stmt, values)
        question = await self.get(question_id)
        assert question is not None
        return question

    async def touch(self, question: Question, at: datetime) -> Question:
        # RETURNING reads the row under the lock the UPDATE took: one statement, not two.
        stmt = prepared(
            self.conn,
            "questions.touch",
            lambda: (
                update(questions_t)
                .where(questions_t.c.id == bindparam("qid"))
                .values(last_activity_at=bindparam("at", type_=questions_t.c.last_activity_at.type))
                .returning(*questions_t.c)
            ),
        )
        row = (await self.conn.execute(stmt, {"qid": question.id, "at": at})).one()
        return _question(row, asker=question.asker)

    async def set_text(self, question: Question, title: str, body: str) -> Question:
        stmt = prepared(
            self.conn,
            "questions.set_text",
            lambda: (
                update(questions_t)
                .where(questions_t.c.id == bindparam("qid"))
                .values(title=bindparam("title"), body=bindparam("body"))
                .returning(*questions_t.c)
            ),
        )
        values = {"qid": question.id, "title": title, "body": body}
        row = (await self.conn.execute(stmt, values)).one()
        return _question(row, asker=question.asker)

    async def duplicates_of(self, community: str, target: str, limit: int = 5) -> list[int]:
        q = questions_t.c
        rows = await self.conn.execute(
            select(q.id)
            .where(
                q.community == community,
                q.close_reason == CloseReason.DUPLICATE.value,
                q.close_note == target,
                q.closed_at.is_not(None),
                q.deleted_at.is_(None),
            )
            .order_by(q.id)
            .limit(limit)
        )
        return [int(r[0]) for r in rows]

    async def open_by_asker(self, member_id: int, limit: int = 10) -> list[Question]:
        rows = await self.conn.execute(
            _question_query()
            .where(
                questions_t.c.asker_id == member_id,
                questions_t.c.status == QuestionStatus.OPEN.value,
                questions_t.c.closed_at.is_(None),
                questions_t.c.deleted_at.is_(None),
            )
            .order_by(questions_t.c.id.desc())
            .limit(limit)
        )
        return [_question(r) for r in rows]

    async def add_message(
        self, question_id: int, author: Member, message_id: str, excerpt: str, at: datetime
    ) -> Answer:
        def build() -> Any:
            stmt = _insert(self.conn, messages_t)
            return stmt.on_conflict_do_update(
                index_elements=["platform", "message_id"],
                set_={"excerpt": stmt.excluded.excerpt},
            ).returning(messages_t.c.id, messages_t.c.created_at)

        values = {
            "question_id": question_id,
            "author_id": author.id,
            "platform": author.ref.platform,
            "message_id": message_id,
            "excerpt": excerpt,
            "created_at": at,
        }
        row = (await self.conn.execute(prepared(self.conn, "messages.add", build), values)).one()
        return Answer(row.id, question_id, author, message_id, excerpt, row.created_at)

    async def set_excerpt(self, answer: Answer, excerpt: str) -> Answer:
        stmt = prepared(
            self.conn,
            "messages.set_excerpt",
            lambda: (
                update(messages_t)
                .where(messages_t.c.id == bindparam("mid"))
                .values(excerpt=bindparam("excerpt"))
            ),
        )
        await self.conn.execute(stmt, {"mid": answer.id, "excerpt": excerpt})
        return replace(answer, excerpt=excerpt)

    async def message(self, platform: str, message_id: str) -> Answer | None:
        stmt = prepared(
            self.conn,
            "messages.get",
            lambda: _message_query().where(
                messages_t.c.platform == bindparam("platform"),
                messages_t.c.message_id == bindparam("mid"),
            ),
        )
        row = (await self.conn.execute(stmt, {"platform": platform, "mid": message_id})).first()
        return _answer(row) if row else None

    async def answers(self, question_id: int) -> list[Answer]:
        stmt = prepared(
            self.conn,
            "messages.answers",
            lambda: (
                _message_query()
                .join(questions_t, questions_t.c.id == messages_t.c.question_id)
                .where(
                    messages_t.c.question_id == bindparam("qid"),
                    messages_t.c.author_id != questions_t.c.asker_id,
                    messages_t.c.deleted_at.is_(None),
                )
                .order_by(messages_t.c.id)
            ),
        )
        rows = await self.conn.execute(stmt, {"qid": question_id})
        return [_answer(r) for r in rows]

    async def delete_message(self, message_id: int, at: datetime) -> None:
        await self.conn.execute(
            update(messages_t)
            .where(messages_t.c.id == message_id, messages_t.c.deleted_at.is_(None))
            .values(deleted_at=at)
        )

    async def revoke_acceptances_of(self, answer: Answer, at: datetime) -> list[Acceptance]:
        """Revoke the active acceptances of one message (the question's others stay)."""
        active = await self.active_acceptances(answer.question_id)
        return await self._revoke([a for a in active if a.answer.id == answer.id], at)

    async def add_acceptance(
        self,
        question_id: int,
        answer: Answer,
        accepted_by: Member,
        at: datetime,
        *,
        by_reaction: bool = False,
    ) -> Acceptance:
        stmt = prepared(
            self.conn,
            "acceptances.add",
            lambda: acceptances_t.insert().returning(acceptances_t.c.id),
        )
        values = {
            "question_id": question_id,
            "message_id": answer.id,
            "accepted_by_id": accepted_by.id,
            "created_at": at,
            "by_reaction": by_reaction,
        }
        acceptance_id = (await self.conn.execute(stmt, values)).scalar_one()
        return Acceptance(acceptance_id, question_id, answer, accepted_by, at, by_reaction)

    async def active_acceptances(self, question_id: int) -> list[Acceptance]:
        stmt = prepared(
            self.conn,
            "acceptances.active",
            lambda: (
                _message_query()
                .add_columns(
                    acceptances_t.c.id.label("acc_id"),
                    acceptances_t.c.created_at.label("acc_at"),
                    acceptances_t.c.by_reaction.label("acc_by_reaction"),
                    *_member_cols(_acceptor, "acc__"),
                )
                .join(acceptances_t, acceptances_t.c.message_id == messages_t.c.id)
                .join(_acceptor, _acceptor.c.id == acceptances_t.c.accepted_by_id)
                .where(
                    acceptances_t.c.question_id == bindparam("qid"),
                    acceptances_t.c.revoked_at.is_(None),
                )
                .order_by(acceptances_t.c.id)
            ),
        )
        rows = await self.conn.execute(stmt, {"qid": question_id})
        return [
            Acceptance(
                r.acc_id, question_id, _answer(r), _member(r, prefix="acc__"), r.acc_at,
                bool(r.acc_by_reaction),
            )
            for r in rows
        ]  # fmt: skip

    async def revoke_acceptances(self, question_id: int, at: datetime) -> list[Acceptance]:
        return await self._revoke(await self.active_acceptances(question_id), at)

    async def _revoke(self, acceptances: list[Acceptance], at: datetime) -> list[Acceptance]:
        if acceptances:
            await self.conn.execute(
                update(acceptances_t)
                .where(acceptances_t.c.id.in_([a.id for a in acceptances]))
                .values(revoked_at=at)
            )
        return acceptances


def _entry(row: Row[Any]) -> LedgerEntry:
    m = row._mapping
    c = ledger_t.c
    return LedgerEntry(
        id=m[c.id],
        member_id=m[c.member_id],
        delta=m[c.delta],
        reason=LedgerReason(m[c.reason]),
        created_at=m[c.created_at],
        question_id=m[c.question_id],
        acceptance_id=m[c.acceptance_id],
        source_event=m[c.source_event],
        reverses_id=m[c.reverses_id],
        note=m[c.note],
        actor_id=m[c.actor_id],
    )


class SqlLedgerRepository:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self._locks = conn.dialect.name == "postgresql"
        self._locked: set[int] = set()

    async def lock_member(self, member: Member) -> None:
        # SQLite: BEGIN IMMEDIATE already made this the only writer; nothing to lock. And a
        # member locked once in this transaction stays locked.
        if not self._locks or member.id in self._locked:
            return
        self._locked.add(member.id)
        ensure = prepared(
            self.conn,
            "totals.ensure",
            lambda: (
                _insert(self.conn, totals_t)
                .values(points=0, accepted_count=0)
                .on_conflict_do_nothing(index_elements=["member_id"])
            ),
        )
        await self.conn.execute(ensure, {"member_id": member.id, "community": member.ref.community})
        lock = prepared(
            self.conn,
            "totals.lock",
            lambda: (
                select(totals_t.c.member_id)
                .where(totals_t.c.member_id == bindparam("mid"))
                .with_for_update()
            ),
        )
        await self.conn.execute(lock, {"mid": member.id})

    async def capped_earned(self, member_id: int, day: date) -> int:
        stmt = prepared(
            self.conn,
            "daily.capped",
            lambda: select(daily_t.c.capped_points).where(
                daily_t.c.member_id == bindparam("mid"), daily_t.c.day == bindparam("day")
            ),
        )
        value = (await self.conn.execute(stmt, {"mid": member_id, "day": day})).scalar()
        return int(value or 0)

    async def append(
        self, community: str, entry: NewLedgerEntry, at: datetime
    ) -> tuple[LedgerEntry, int]:
        # RETURNING the whole row: the entry handed back is exactly what was stored.
        insert_row = prepared(
            self.conn, "ledger.insert", lambda: ledger_t.insert().returning(*ledger_t.c)
        )
        row_values = {
            "community": community,
            "member_id": entry.member_id,
            "delta": entry.delta,
            "reason": entry.reason.value,
            "actor_id": entry.actor_id,
            "question_id": entry.question_id,
            "acceptance_id": entry.acceptance_id,
            "source_event": entry.source_event,
            "reverses_id": entry.reverses_id,
            "note": entry.note,
            "capped": entry.capped,
            "created_at": at,
        }
        stored = _entry((await self.conn.execute(insert_row, row_values)).one())

        def build_total() -> Any:
            return (
                _insert(self.conn, totals_t)
                .values(
                    member_id=bindparam("mid"),
                    community=bindparam("community"),
                    points=bindparam("delta"),
                    accepted_count=bindparam("acc_initial"),
                )
                .on_conflict_do_update(
                    index_elements=["member_id"],
                    set_={
                        "points": totals_t.c.points + bindparam("delta"),
                        "accepted_count": totals_t.c.accepted_count + bindparam("acc_delta"),
                    },
                )
                .returning(totals_t.c.points)
            )

        total_params = {
            "mid": entry.member_id,
            "community": community,
            "delta": entry.delta,
            "acc_initial": max(0, entry.accepted_delta),
            "acc_delta": entry.accepted_delta,
        }
        total_stmt = prepared(self.conn, "totals.add", build_total)
        total = (await self.conn.execute(total_stmt, total_params)).scalar_one()

        def build_daily() -> Any:
            return (
                _insert(self.conn, daily_t)
                .values(
                    member_id=bindparam("mid"),
                    day=bindparam("day"),
                    community=bindparam("community"),
                    points=bindparam("delta"),
                    capped_points=bindparam("capped"),
                )
                .on_conflict_do_update(
                    index_elements=["member_id", "day"],
                    set_={
                        "points": daily_t.c.points + bindparam("delta"),
                        "capped_points": daily_t.c.capped_points + bindparam("capped"),
                    },
                )
            )

        daily_params = {
            "mid": entry.member_id,
            "day": at.date(),
            "community": community,
            "delta": entry.delta,
            "capped": entry.delta if entry.capped else 0,
        }
        await self.conn.execute(prepared(self.conn, "daily.add", build_daily), daily_params)
        return stored, int(total)

    async def unreversed_for_acceptances(self, acceptance_ids: Sequence[int]) -> list[LedgerEntry]:
        if not acceptance_ids:
            return []
        rows = await self.conn.execute(
            select(ledger_t)
            .where(
                ledger_t.c.acceptance_id.in_(list(acceptance_ids)),
                ledger_t.c.reverses_id.is_(None),
                _not_reversed(ledger_t.c.id),
            )
            .order_by(ledger_t.c.id)
        )
        return [_entry(r) for r in rows]

    async def reversed_in_question(
        self, member_id: int, question_id: int, reason: LedgerReason, *, note: str
    ) -> bool:
        """Whether a reversal row noted `note` took back `member_id`'s `reason` points in
        the question `question_id` (a reversal carries its entry's question)."""

        def build() -> Any:
            reversal, entry = ledger_t.alias("reversal"), ledger_t.alias("entry")
            return (
                select(reversal.c.id)
                .join(entry, entry.c.id == reversal.c.reverses_id)
                .where(
                    reversal.c.member_id == bindparam("mid"),
                    reversal.c.question_id == bindparam("qid"),
                    reversal.c.note == bindparam("note"),
                    entry.c.reason == bindparam("reason"),
                )
                .limit(1)
            )

        stmt = prepared(self.conn, "ledger.reversed_in_question", build)
        params = {"mid": member_id, "qid": question_id, "note": note, "reason": reason.value}
        return (await self.conn.execute(stmt, params)).first() is not None

    async def standing(
        self, member: Member, *, recent: int = 5, exclude_moderators: bool = False
    ) -> Standing:
        totals = prepared(
            self.conn,
            "standing.totals",
            lambda: select(totals_t.c.points, totals_t.c.accepted_count).where(
                totals_t.c.member_id == bindparam("mid")
            ),
        )
        row = (await self.conn.execute(totals, {"mid": member.id})).first()
        points, accepted = (int(row.points), int(row.accepted_count)) if row else (0, 0)
        rank: int | None = None
        if points > 0 and not (exclude_moderators and member.is_moderator):

            def build_rank() -> Any:
                higher = select(func.count(func.distinct(totals_t.c.points))).where(
                    totals_t.c.community == bindparam("community"),
                    totals_t.c.points > bindparam("points"),
                )
                if exclude_moderators:
                    higher = higher.join(members_t, members_t.c.id == totals_t.c.member_id).where(
                        members_t.c.is_moderator.is_(False)
                    )
                return higher

            stmt = prepared(self.conn, f"standing.rank.{exclude_moderators}", build_rank)
            params = {"community": member.ref.community, "points": points}
            rank = int((await self.conn.execute(stmt, params)).scalar_one()) + 1
        recent_stmt = prepared(
            self.conn,
            "standing.recent",
            lambda: (
                select(ledger_t)
                .where(ledger_t.c.member_id == bindparam("mid"))
                .order_by(ledger_t.c.id.desc())
                .limit(bindparam("n"))
            ),
        )
        rows = await self.conn.execute(recent_stmt, {"mid": member.id, "n": recent})
        return Standing(member, points, accepted, rank, tuple(_entry(r) for r in rows))

    async def leaderboard(
        self, community: str, *, since: datetime | None, limit: int, exclude_moderators: bool
    ) -> list[LeaderboardRow]:
        def build() -> Any:
            if since is None:
                points = totals_t.c.points
                stmt = (
                    select(members_t, points.label("score"))
                    .join(totals_t, totals_t.c.member_id == members_t.c.id)
                    .where(totals_t.c.community == bindparam("community"), points > 0)
                    .order_by(points.desc(), members_t.c.id)
                )
            else:
                summed = (
                    select(daily_t.c.member_id, func.sum(daily_t.c.points).label("score"))
                    .where(
                        daily_t.c.community == bindparam("community"),
                        daily_t.c.day >= bindparam("since"),
                    )
                    .group_by(daily_t.c.member_id)
                    .having(func.sum(daily_t.c.points) > 0)
                    .subquery()
                )
                stmt = (
                    select(members_t, summed.c.score)
                    .join(summed, summed.c.member_id == members_t.c.id)
                    .order_by(summed.c.score.desc(), members_t.c.id)
                )
            if exclude_moderators:
                stmt = stmt.where(members_t.c.is_moderator.is_(False))
            return stmt.limit(bindparam("limit"))

        name = f"leaderboard.{since is None}.{exclude_moderators}"
        params: dict[str, Any] = {"community": community, "limit": limit}
        if since is not None:
            params["since"] = since.astimezone(UTC).date()  # (points are summed per UTC day)
        rows = (await self.conn.execute(prepared(self.conn, name, build), params)).all()
        board: list[LeaderboardRow] = []
        rank, previous = 0, None
        for r in rows:
            if r.score != previous:
                rank, previous = rank + 1, r.score
            board.append(LeaderboardRow(rank, _member(r), int(r.score)))
        return board


class SqlEventLog:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn

    async def record(self, platform: str, event_id: str, at: datetime) -> None:
        stmt = prepared(
            self.conn,
            "events.record",
            lambda: (
                _insert(self.conn, events_t)
                .on_conflict_do_nothing(index_elements=["platform", "event_id"])
                .returning(events_t.c.event_id)
            ),
        )
        values = {"platform": platform, "event_id": event_id[:200], "processed_at": at}
        if (await self.conn.execute(stmt, values)).first() is None:
            raise DuplicateEvent()

    async def prune(self, before: datetime, limit: int) -> int:
        c = events_t.c
        oldest = (
            select(c.platform, c.event_id).where(c.processed_at < before).limit(limit)
        )  # uses the processed_at index
        result = await self.conn.execute(
            delete(events_t).where(tuple_(c.platform, c.event_id).in_(oldest))
        )
        return int(result.rowcount or 0)
