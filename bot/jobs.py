"""Scheduled jobs as the core sees them: what kind of work, for which question, when.

The rows live in the database (`scheduled_jobs`), never in in-memory timers, so a restart
loses nothing and several bot processes can share the work. `bot.scheduler` claims and runs
them; `bot.lifecycle` decides what each kind does.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class JobKind(enum.StrEnum):
    REMIND = "remind"  # nudge the asker to mark a solution
    CLOSE_DORMANT = "close_dormant"
    CLOSE_SOLVED = "close_solved"
    ESCALATE = "escalate"
    DELIVER = "deliver"  # send one outbound message (payload), retried until it goes out


class JobState(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Job:
    id: int
    community: str
    platform: str
    kind: JobKind
    question_id: int | None
    due_at: datetime
    state: JobState
    attempts: int = 0
    payload: str | None = None
    outcome: str | None = None
    claim_token: str | None = None


class JobRepository(Protocol):
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
    ) -> int: ...

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
        """Move the question's pending job of this kind to `due_at` (create it if missing
        and `create`)."""
        ...

    async def ensure(
        self,
        *,
        community: str,
        platform: str,
        question_id: int,
        due: Mapping[JobKind, datetime],
        now: datetime,
    ) -> None:
        """Create the question's pending job of each kind in `due` that has none, due then;
        pending jobs are left as they are (their rules re-check the question when due and
        wait longer if it was active since). One statement, however many kinds."""
        ...

    async def cancel(self, question_id: int, kinds: Iterable[JobKind], now: datetime) -> int: ...

    async def prune_finished(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` done, cancelled or failed jobs that reached that state
        before `before`, however late they ran or far ahead they were due; sent reminders
        and escalations are kept (they stop a second one)."""
        ...

    async def claim(
        self,
        now: datetime,
        *,
        limit: int,
        lease_until: datetime,
        token: str,
        platforms: Iterable[str],
    ) -> list[Job]:
        """Take due jobs (and jobs whose runner's lease expired) for this runner. Exactly
        one runner gets each job: PostgreSQL skips rows another runner has locked; SQLite
        has one writer at a time."""
        ...

    async def lock(self, job_id: int, token: str) -> Job | None:
        """The claimed job, locked for this transaction, if this runner still owns it."""
        ...

    # finish, postpone and retry record the outcome of a job this runner claimed, renew
    # extends its lease. Each writes only while `job.claim_token` still holds the claim and
    # returns False, changing nothing, when another runner re-claimed the job after this
    # runner's lease ran out.

    async def finish(self, job: Job, now: datetime, outcome: str) -> bool: ...

    async def postpone(self, job: Job, due_at: datetime, now: datetime, outcome: str) -> bool:
        """Not a failure: put the job back to wait (e.g. for support hours)."""
        ...

    async def retry(
        self, job: Job, due_at: datetime, now: datetime, error: str, *, give_up: bool
    ) -> bool: ...

    async def renew(self, job: Job, lease_until: datetime, now: datetime) -> bool: ...

    async def happened(self, question_id: int, kind: JobKind, outcome: str) -> bool:
        """Did a job of this kind already finish with this outcome (e.g. "sent")?"""
        ...

    async def for_question(self, question_id: int) -> list[Job]: ...


class LifecycleRepository(Protocol):
    async def welcome_once(self, member_id: int, channel_id: str, at: datetime) -> bool:
        """Record that the member was greeted in the channel; False if they already were."""
        ...

    async def mark_anonymous(self, question_id: int) -> None: ...
