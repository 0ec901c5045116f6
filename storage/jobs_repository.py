"""Scheduled jobs and onboarding records: `bot.jobs`' ports implemented with SQLAlchemy Core.

Two bot processes race in two places. Claiming: PostgreSQL selects the due rows
`FOR UPDATE SKIP LOCKED` and marks them running in the same transaction, so a second runner
skips them instead of waiting and then taking them too; SQLite runs every write transaction
as BEGIN IMMEDIATE (one writer at a time), which serialises claims. Recording the outcome:
a runner whose lease ran out may finish after another runner re-claimed the job, so every
outcome write is conditional on the claim token (`_settle_statement`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Row,
    and_,
    any_,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)

from bot.jobs import Job, JobKind, JobState
from storage.models import ScheduledJobRow, WelcomedMemberRow, prunable_job
from storage.repositories import Conn, _insert, prepared, questions_t

jobs_t = ScheduledJobRow.__table__
welcomed_t = WelcomedMemberRow.__table__

ERROR_CHARS = 800


def _job(row: Row[Any]) -> Job:
    m = row._mapping
    return Job(
        id=m["id"],
        community=m["community"],
        platform=m["platform"],
        kind=JobKind(m["kind"]),
        question_id=m["question_id"],
        due_at=m["due_at"],
        state=JobState(m["state"]),
        attempts=m["attempts"],
        payload=m["payload"],
        outcome=m["outcome"],
        claim_token=m["claim_token"],
    )


_ENSURE_SLOTS = 3


def _ensure_statement() -> Any:
    """INSERT ... SELECT over up to three (kind, due) pairs given as parameters, skipping
    unused slots (NULL due) and kinds that already have a pending job for the question."""

    c = jobs_t.c
    wanted = union_all(
        *(
            select(
                bindparam(f"k{i}", type_=c.kind.type).label("kind"),
                bindparam(f"d{i}", type_=c.due_at.type).label("due_at"),
            )
            for i in range(_ENSURE_SLOTS)
        )
    ).subquery("wanted")
    qid = bindparam("qid", type_=c.question_id.type)
    now = bindparam("now", type_=c.created_at.type)
    pending = (
        select(c.id)
        .where(c.question_id == qid, c.kind == wanted.c.kind, c.state == JobState.PENDING.value)
        .exists()
    )
    rows = select(
        bindparam("community", type_=c.community.type),
        bindparam("platform", type_=c.platform.type),
        wanted.c.kind,
        qid,
        wanted.c.due_at,
        literal(JobState.PENDING.value, type_=c.state.type),
        literal(0, type_=c.attempts.type),
        now,
        now,
    ).where(wanted.c.due_at.is_not(None), ~pending)
    columns = ["community", "platform", "kind", "question_id", "due_at", "state", "attempts"]
    return jobs_t.insert().from_select([*columns, "created_at", "updated_at"], rows)


def _claim_holds(job_id: Any, token: Any) -> tuple[Any, ...]:
    """The job `job_id` is still claimed under `token`: still `running` under that token. A
    runner whose lease ran out (a slow platform call, a paused process) may find the job
    re-claimed under another token, or already finished or put back by the runner that took
    it over; it must neither run the job's rule (`lock`) nor let its late write undo that
    work (`_settle_statement`)."""

    c = jobs_t.c
    return (c.id == job_id, c.claim_token == token, c.state == JobState.RUNNING.value)


def _settle_statement(columns: Iterable[str]) -> Any:
    """The UPDATE that records a claimed job's outcome (`finish`, `postpone`, `retry`) or
    extends its lease (`renew`): each of `columns` from the parameter `v_<column>`,
    `updated_at` from `now`.

    It changes the row only while the runner still holds the claim (`_claim_holds`).
    PostgreSQL re-checks the WHERE after waiting for a concurrent claim's row lock; SQLite
    runs one writer at a time.
    """

    c = jobs_t.c
    values = {name: bindparam(f"v_{name}", type_=c[name].type) for name in columns}
    job_id = bindparam("job_id", type_=c.id.type)
    token = bindparam("token", type_=c.claim_token.type)
    return (
        update(jobs_t)
        .where(*_claim_holds(job_id, token))
        .values(updated_at=bindparam("now", type_=c.updated_at.type), **values)
    )


class SqlJobRepository:
    def __init__(self, conn: Conn) -> None:
        self.conn = conn
        self._postgres = conn.dialect.name == "postgresql"

    async def schedule(
        self,
        *,
        community: str,
        platform: str,
        kind: JobKind,
        due_at: datetime,
        now: datetime,
        question_id: int | None = None,
        payload: str | None = None,
    ) -> int:
        # Statements on the per-message path are built once (see storage.repositories.prepared).
        stmt = prepared(self.conn, "jobs.schedule", lambda: jobs_t.insert().returning(jobs_t.c.id))
        values = {
            "community": community,
            "platform": platform,
            "kind": kind.value,
            "question_id": question_id,
            "due_at": due_at,
            "state": JobState.PENDING.value,
            "attempts": 0,
            "payload": payload,
            "created_at": now,
            "updated_at": now,
        }
        return (await self.conn.execute(stmt, values)).scalar_one()

    async def reschedule(
        self,
        *,
        community: str,
        platform: str,
        kind: JobKind,
        question_id: int,
        due_at: datetime,
        now: datetime,
        create: bool = True,
    ) -> None:
        stmt = prepared(
            self.conn,
            "jobs.reschedule",
            lambda: (
                update(jobs_t)
                .where(
                    jobs_t.c.question_id == bindparam("qid"),
                    jobs_t.c.kind == bindparam("b_kind"),
                    jobs_t.c.state == JobState.PENDING.value,
                )
                .values(
                    due_at=bindparam("due", type_=jobs_t.c.due_at.type),
                    updated_at=bindparam("now", type_=jobs_t.c.updated_at.type),
                )
            ),
        )
        params = {"qid": question_id, "b_kind": kind.value, "due": due_at, "now": now}
        moved = await self.conn.execute(stmt, params)
        if moved.rowcount == 0 and create:
            await self.schedule(
                community=community,
                platform=platform,
                kind=kind,
                due_at=due_at,
                now=now,
                question_id=question_id,
            )

    async def ensure(
        self,
        *,
        community: str,
        platform: str,
        question_id: int,
        due: Mapping[JobKind, datetime],
        now: datetime,
    ) -> None:
        if not due:
            return
        if len(due) > _ENSURE_SLOTS:
            raise ValueError(f"at most {_ENSURE_SLOTS} kinds at once")
        params: dict[str, Any] = {
            "community": community,
            "platform": platform,
            "qid": question_id,
            "now": now,
        }
        slots = list(due.items())
        for i in range(_ENSURE_SLOTS):
            kind, at = slots[i] if i < len(slots) else (None, None)
            params[f"k{i}"] = kind.value if kind is not None else None
            params[f"d{i}"] = at
        await self.conn.execute(prepared(self.conn, "jobs.ensure", _ensure_statement), params)

    async def prune_finished(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` done, failed or cancelled jobs that finished before `before`,
        the oldest first; never a sent reminder or escalation.

        Every finished state is aged from when the job reached it (`updated_at`, which
        finish, retry and cancel all set), never from `due_at`: a job run late is kept for
        the whole retention after it ran, and a cancelled close that was due in 72 h, or a
        given-up delivery whose next try was an hour away, goes as soon as the others.
        """

        c = jobs_t.c
        # A sent reminder or escalation stays: it is what stops a second one (`happened`).
        # `prunable_job` is the predicate of the partial index ix_scheduled_jobs_prunable,
        # which holds only the rows this may delete: a batch costs the same however many sent
        # reminders are kept, and the writes of pending jobs never touch the index. Oldest
        # first, in the index's order: on PostgreSQL that also keeps the index the cheapest
        # plan when its estimate of how many rows are prunable is far off.
        oldest = (
            select(c.id)
            .where(prunable_job(c), c.updated_at < before)
            .order_by(c.updated_at)
            .limit(limit)
        )
        if self._postgres:
            # PostgreSQL plans `id IN (subquery)` as a hash join over a scan of the whole
            # table; `id = ANY(ARRAY(subquery))` runs the subquery once and looks up the ids.
            chosen = c.id == any_(func.array(oldest.scalar_subquery()))
        else:
            chosen = c.id.in_(oldest)
        result = await self.conn.execute(delete(jobs_t).where(chosen))
        return int(result.rowcount or 0)

    async def cancel(self, question_id: int, kinds: Iterable[JobKind], now: datetime) -> int:
        stmt = prepared(
            self.conn,
            "jobs.cancel",
            lambda: (
                update(jobs_t)
                .where(
                    jobs_t.c.question_id == bindparam("qid"),
                    # A fixed number of slots (unused ones NULL) keeps this one prepared
                    # statement; an expanding IN would be compiled again per call.
                    jobs_t.c.kind.in_([bindparam(f"k{i}") for i in range(len(JobKind))]),
                    jobs_t.c.state == JobState.PENDING.value,
                )
                .values(
                    state=JobState.CANCELLED.value,
                    updated_at=bindparam("now", type_=jobs_t.c.updated_at.type),
                )
            ),
        )
        wanted = list(dict.fromkeys(k.value for k in kinds))
        if not wanted:
            return 0
        params: dict[str, Any] = {"qid": question_id, "now": now}
        for i in range(len(JobKind)):
            params[f"k{i}"] = wanted[i] if i < len(wanted) else None
        result = await self.conn.execute(stmt, params)
        return int(result.rowcount or 0)

    async def claim(
        self,
        now: datetime,
        *,
        limit: int,
        lease_until: datetime,
        token: str,
        platforms: Iterable[str],
    ) -> list[Job]:
        c = jobs_t.c
        due = or_(
            and_(c.state == JobState.PENDING.value, c.due_at <= now),
            and_(c.state == JobState.RUNNING.value, c.lease_until <= now),
        )
        # Deliveries only go to a runner that has a sender for their platform.
        sendable = or_(c.kind != JobKind.DELIVER.value, c.platform.in_(list(platforms)))
        stmt = select(c.id).where(due, sendable).order_by(c.due_at, c.id).limit(limit)
        if self._postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        ids = [r.id for r in await self.conn.execute(stmt)]
        if not ids:
            return []
        await self.conn.execute(
            update(jobs_t)
            .where(c.id.in_(ids))
            .values(
                state=JobState.RUNNING.value,
                claim_token=token,
                lease_until=lease_until,
                attempts=c.attempts + 1,
                updated_at=now,
            )
        )
        rows = await self.conn.execute(select(jobs_t).where(c.id.in_(ids)).order_by(c.due_at, c.id))
        return [_job(r) for r in rows]

    async def lock(self, job_id: int, token: str) -> Job | None:
        stmt = select(jobs_t).where(*_claim_holds(job_id, token))
        if self._postgres:
            stmt = stmt.with_for_update()
        row = (await self.conn.execute(stmt)).first()
        return _job(row) if row else None

    async def finish(self, job: Job, now: datetime, outcome: str) -> bool:
        # The token stays: it names the runner whose outcome the row holds.
        values = {"state": JobState.DONE.value, "outcome": outcome[:64], "lease_until": None}
        return await self._settle("finish", job, now, values)

    async def postpone(self, job: Job, due_at: datetime, now: datetime, outcome: str) -> bool:
        values = {
            "state": JobState.PENDING.value,
            "due_at": due_at,
            "attempts": 0,
            "outcome": outcome[:64],
            "claim_token": None,
            "lease_until": None,
        }
        return await self._settle("postpone", job, now, values)

    async def retry(
        self, job: Job, due_at: datetime, now: datetime, error: str, *, give_up: bool
    ) -> bool:
        values = {
            "state": (JobState.FAILED if give_up else JobState.PENDING).value,
            "due_at": due_at,
            "last_error": error[:ERROR_CHARS],
            "claim_token": None,
            "lease_until": None,
        }
        return await self._settle("retry", job, now, values)

    async def renew(self, job: Job, lease_until: datetime, now: datetime) -> bool:
        return await self._settle("renew", job, now, {"lease_until": lease_until})

    async def _settle(self, name: str, job: Job, now: datetime, values: dict[str, Any]) -> bool:
        """Write `values` into the claimed `job` if its claim still holds (one UPDATE, see
        `_settle_statement`); False when another runner took the job over."""

        stmt = prepared(self.conn, f"jobs.{name}", lambda: _settle_statement(values))
        params = {f"v_{k}": v for k, v in values.items()}
        params.update(job_id=job.id, token=job.claim_token, now=now)
        result = await self.conn.execute(stmt, params)
        return bool(result.rowcount)

    async def happened(self, question_id: int, kind: JobKind, outcome: str) -> bool:
        row = (
            await self.conn.execute(
                select(jobs_t.c.id)
                .where(
                    jobs_t.c.question_id == question_id,
                    jobs_t.c.kind == kind.value,
                    jobs_t.c.state == JobState.DONE.value,
                    jobs_t.c.outcome == outcome,
                )
                .limit(1)
            )
        ).first()
        return row is not None

    async def for_question(self, question_id: int) -> list[Job]:
        rows = await self.conn.execute(
            select(jobs_t).where(jobs_t.c.question_id == question_id).order_by(jobs_t.c.id)
        )
        return [_job(r) for r in rows]


class WelcomedCache:
    """(member, channel) pairs known to be welcomed already. Only "already there" answers are
    cached: that row is committed and never deleted, so the answer cannot go stale; a fresh
    insert is not cached until a later check sees it."""

    def __init__(self, limit: int = 100_000) -> None:
        self.limit = limit
        self._known: set[tuple[int, str]] = set()

    def __contains__(self, key: tuple[int, str]) -> bool:
        return key in self._known

    def add(self, key: tuple[int, str]) -> None:
        if len(self._known) >= self.limit:
            self._known.clear()
        self._known.add(key)


class SqlLifecycleRepository:
    def __init__(self, conn: Conn, welcomed: WelcomedCache | None = None) -> None:
        self.conn = conn
        self.welcomed = welcomed

    async def welcome_once(self, member_id: int, channel_id: str, at: datetime) -> bool:
        key = (member_id, channel_id[:128])
        if self.welcomed is not None and key in self.welcomed:
            return False
        stmt = prepared(
            self.conn,
            "welcomed.once",
            lambda: (
                _insert(self.conn, welcomed_t)
                .on_conflict_do_nothing(index_elements=["member_id", "channel_id"])
                .returning(welcomed_t.c.member_id)
            ),
        )
        values = {"member_id": member_id, "channel_id": channel_id[:128], "welcomed_at": at}
        inserted = (await self.conn.execute(stmt, values)).first() is not None
        if not inserted and self.welcomed is not None:
            self.welcomed.add(key)
        return inserted

    async def mark_anonymous(self, question_id: int) -> None:
        await self.conn.execute(
            update(questions_t).where(questions_t.c.id == question_id).values(anonymous=True)
        )
