"""The scheduler: claims due jobs from the database and runs each exactly once.

Every job is a row (`bot.jobs`), so nothing lives in memory between ticks. One tick:

1. claim: one short transaction marks a batch of due jobs `running` under this tick's token
   with a lease; another process cannot claim them (row locks / SQLite's single writer).
2. rule jobs (remind, close, escalate): one transaction locks the job, applies the rule
   (`bot.lifecycle.run_job`), stores each message it wants sent as a delivery job, and marks
   the job done, all or nothing.
3. delivery jobs: sent through the Outbox with no transaction open, then marked done. The
   jobs of a batch run one after another under the batch's lease; when slow sends leave
   less of it than one send may take, the next delivery's lease is renewed first, and a
   delivery that another runner has meanwhile re-claimed is not sent.

A job that raises is retried later with exponential backoff and given up (state `failed`,
logged) after `max_attempts`. A process that dies mid-job leaves a `running` row whose lease
expires, and the next tick anywhere runs it again. A runner that was only slow (a platform
call that hung, a paused process) may come back after that: its outcome is written only
while its claim token still holds, so it cannot undo the other runner's work (e.g. put a
sent delivery back to pending, to be sent again); it logs and leaves the job alone. Time
comes from the injected clock, so tests call `run_due()` after `FakeClock.advance()`
instead of sleeping.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from bot import lifecycle
from bot.jobs import Job, JobKind
from bot.model import MemberRef, ThreadRef
from bot.outbound import (
    ChannelPost,
    DirectMessage,
    Outbound,
    ReportPostUpdate,
    ThreadPost,
    ThreadState,
    platform_of,
    with_dedupe_key,
)
from bot.service import CommunityBot

log = logging.getLogger(__name__)

SEND_TIMEOUT_SECONDS = 60.0
BACKOFF_BASE_SECONDS = 60.0
BACKOFF_MAX_SECONDS = 3600.0
MAX_ROUNDS = 20  # per run_due: deliveries created by one round go out in the next
PRUNE_BATCH = 2000  # rows per delete transaction, so pruning never holds the writer long

_OUTBOUND_TYPES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (ThreadPost, ChannelPost, DirectMessage, ThreadState, ReportPostUpdate)
}


def encode_outbound(message: Outbound) -> str:
    data = dataclasses.asdict(message)
    return json.dumps({"type": type(message).__name__, **data}, sort_keys=True)


def decode_outbound(payload: str) -> Outbound:
    data = json.loads(payload)
    cls = _OUTBOUND_TYPES[data.pop("type")]
    for name, value in list(data.items()):
        if name == "thread":
            data[name] = ThreadRef(**value)
        elif name == "member":
            data[name] = MemberRef(**value)
        elif isinstance(value, list):
            data[name] = tuple(value)
    return cls(**data)  # type: ignore[no-any-return]


def backoff(attempts: int) -> timedelta:
    seconds = BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, BACKOFF_MAX_SECONDS))


class Scheduler:
    def __init__(self, bot: CommunityBot) -> None:
        self.bot = bot
        self.settings = bot.config.scheduler
        self.retention = bot.config.retention
        self._next_prune: datetime | None = None

    @property
    def _now(self) -> datetime:
        return self.bot.clock.now()

    async def run_due(self) -> int:
        """Run every job that is due now; return how many ran (including retries)."""

        ran = 0
        for _ in range(MAX_ROUNDS):
            jobs, lease_until = await self._claim()
            if not jobs:
                break
            for job in jobs:
                await self._run(job, lease_until)
                ran += 1
        return ran

    async def prune(self) -> dict[str, int]:
        """Delete bookkeeping rows older than the retention settings, in small batches."""

        now = self._now
        keep = self.retention
        removed = {"processed_events": 0, "finished_jobs": 0, "knowledge_changes": 0}
        events_before = now - timedelta(days=keep.processed_events_days)
        removed["processed_events"] = await self._prune_batches(
            lambda uow: uow.events.prune(events_before, PRUNE_BATCH)
        )
        # Running processes apply the feed within seconds; a process that starts later
        # reads the knowledge base itself. Kept as long as event ids, for slow followers.
        removed["knowledge_changes"] = await self._prune_batches(
            lambda uow: uow.knowledge.prune_changes(events_before, PRUNE_BATCH)
        )
        if keep.finished_jobs_days > 0:
            jobs_before = now - timedelta(days=keep.finished_jobs_days)
            removed["finished_jobs"] = await self._prune_batches(
                lambda uow: uow.jobs.prune_finished(jobs_before, PRUNE_BATCH)
            )
        if any(removed.values()):
            log.info("retention: deleted %s", ", ".join(f"{n} {k}" for k, n in removed.items()))
        return removed

    async def maybe_prune(self) -> None:
        """Prune when `retention.prune_interval_minutes` has passed since the last time."""

        now = self._now
        if self._next_prune is not None and now < self._next_prune:
            return
        self._next_prune = now + timedelta(minutes=self.retention.prune_interval_minutes)
        await self.prune()

    async def _prune_batches(self, delete_some: Any) -> int:
        total = 0
        while True:
            async with self.bot.uow_factory(write=True) as uow:
                n = await delete_some(uow)
                await uow.commit()
            total += n
            if n < PRUNE_BATCH:
                return total
            await asyncio.sleep(0)  # let waiting events in between batches

    @property
    def _lease(self) -> timedelta:
        return timedelta(seconds=self.settings.lease_seconds)

    async def _claim(self) -> tuple[list[Job], datetime]:
        """The claimed jobs and when their lease runs out."""

        now = self._now
        lease_until = now + self._lease
        async with self.bot.uow_factory(write=True) as uow:
            jobs = await uow.jobs.claim(
                now,
                limit=self.settings.batch_size,
                lease_until=lease_until,
                token=uuid.uuid4().hex,
                platforms=self.bot.outbox.platforms(),
            )
            await uow.commit()
        return jobs, lease_until

    async def _run(self, job: Job, lease_until: datetime) -> None:
        try:
            if job.kind is JobKind.DELIVER:
                await self._deliver(job, lease_until)
            else:
                await self._apply(job)
        except Exception as exc:
            await self._retry(job, exc, give_up=job.attempts >= self.settings.max_attempts)

    async def _apply(self, job: Job) -> None:
        now = self._now
        async with self.bot.uow_factory(write=True) as uow:
            if job.claim_token is None or await uow.jobs.lock(job.id, job.claim_token) is None:
                self._lost_claim(job, "its rule was not run")
                return
            outcome = await lifecycle.run_job(job, uow, self.bot.context)
            for message in outcome.messages:
                await uow.jobs.schedule(
                    community=job.community,
                    platform=platform_of(message),
                    kind=JobKind.DELIVER,
                    due_at=now,
                    now=now,
                    question_id=job.question_id,
                    payload=encode_outbound(message),
                )
            if outcome.wait_until is not None:
                held = await uow.jobs.postpone(job, outcome.wait_until, now, outcome.outcome)
            else:
                held = await uow.jobs.finish(job, now, outcome.outcome)
            if not held:  # cannot happen under the lock above; if it did, nothing commits
                self._lost_claim(job, "its rule's work was rolled back")
                return
            await uow.commit()
        log.info("job %s (%s, question %s): %s", job.id, job.kind, job.question_id, outcome.outcome)

    async def _deliver(self, job: Job, lease_until: datetime) -> None:
        now = self._now
        if lease_until - now < timedelta(seconds=SEND_TIMEOUT_SECONDS):
            # Earlier sends in the batch used up the lease: hold the job for this send, or
            # find that another runner has re-claimed (and maybe sent) it.
            async with self.bot.uow_factory(write=True) as uow:
                held = await uow.jobs.renew(job, now + self._lease, now)
                await uow.commit()
            if not held:
                self._lost_claim(job, "it was not sent")
                return
        # Keyed by the job: a delivery sent again (a crash before `finish`, an expired lease)
        # shows once where the platform can tell (Discord's message nonce).
        message = with_dedupe_key(decode_outbound(job.payload or ""), f"j{job.id}")
        await asyncio.wait_for(self.bot.outbox.send(message), SEND_TIMEOUT_SECONDS)
        async with self.bot.uow_factory(write=True) as uow:
            held = await uow.jobs.finish(job, self._now, lifecycle.SENT)
            await uow.commit()
        if not held:
            self._lost_claim(job, "it was sent, but its outcome is the other runner's")

    async def _retry(self, job: Job, exc: BaseException, *, give_up: bool) -> None:
        now = self._now
        try:
            async with self.bot.uow_factory(write=True) as uow:
                held = await uow.jobs.retry(
                    job,
                    now + backoff(job.attempts),
                    now,
                    f"{type(exc).__name__}: {exc}",
                    give_up=give_up,
                )
                await uow.commit()
        except Exception:
            # The lease still expires, so the job runs again later anyway.
            log.error("job %s failed: %s", job.id, exc, exc_info=exc)
            log.exception("could not record the failure of job %s", job.id)
            return
        if not held:  # logged after the write, so the log never says "will retry" wrongly
            self._lost_claim(job, f"its failure was not recorded ({type(exc).__name__}: {exc})")
            return
        log.log(
            logging.ERROR if give_up else logging.WARNING,
            "job %s (%s, question %s) failed on attempt %d%s",
            job.id,
            job.kind.value,
            job.question_id,
            job.attempts,
            "; giving up" if give_up else "; will retry",
            exc_info=exc,
        )

    def _lost_claim(self, job: Job, what: str) -> None:
        """The job's lease ran out while this runner worked on it and another runner
        re-claimed it: that runner's outcome stands and this one does nothing more."""

        log.warning(
            "job %s (%s, question %s) lost its claim to another runner after its lease ran out; %s",
            job.id,
            job.kind.value,
            job.question_id,
            what,
        )


async def run_scheduler(bot: CommunityBot, *, interval: float | None = None) -> None:
    """Poll for due jobs forever (until cancelled); one bad tick never stops the loop."""

    scheduler = Scheduler(bot)
    every = interval if interval is not None else bot.config.scheduler.interval_seconds
    while True:
        try:
            await scheduler.run_due()
            await scheduler.maybe_prune()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("scheduler tick failed; trying again in %.0fs", every)
        await asyncio.sleep(every)
