"""One retention batch of finished jobs, with many sent reminders kept: before/after.

    python bench/prune.py [--kept 200000] [--prunable 5000] [--pending 2000] [--rounds 3]
                          [--repeats 5] [--postgres postgresql+asyncpg://USER@HOST/DB]

Sent reminders and escalations are never pruned (they are what stops a second one), so
they pile up. Fills `scheduled_jobs`, in the order rows finish, with `--kept` of them spread
over a year, `--prunable` finished jobs (deliveries, closes, cancelled closes) in the hour
before the retention cutoff, and `--pending` live ones, then times one `prune_finished`
batch (bot.scheduler.PRUNE_BATCH rows) in a transaction that is rolled back, so every try
deletes the same rows:

- after:  the repository's query with the partial index ix_scheduled_jobs_prunable;
- before: the previous query (state IN the finished states, `id IN (subquery)`) without
          that index: it walked the kept rows on every batch;
- also the repository's query with the index dropped (what the index alone buys).

The variants alternate `--rounds` times (the index is dropped and re-created between them);
each figure is the median of all its tries. Which plan each uses is asserted by
tests/storage/test_prune_jobs.py. SQLite always; PostgreSQL with --postgres (in a schema of
its own, dropped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import and_, delete, func, select, text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402
from sqlalchemy.schema import CreateIndex  # noqa: E402

from bot.clock import FakeClock  # noqa: E402
from bot.jobs import JobKind, JobState  # noqa: E402
from bot.scheduler import PRUNE_BATCH  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.jobs_repository import jobs_t  # noqa: E402

INDEX = "ix_scheduled_jobs_prunable"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
BEFORE = NOW - timedelta(days=30)


def old_prune_statement(before: datetime, limit: int) -> Any:
    """The query prune_finished ran before the partial index (kept here to compare)."""

    c = jobs_t.c
    finished = [JobState.DONE.value, JobState.CANCELLED.value, JobState.FAILED.value]
    once = and_(
        c.kind.in_([JobKind.REMIND.value, JobKind.ESCALATE.value]),
        func.coalesce(c.outcome, "") == "sent",
    )
    oldest = select(c.id).where(c.state.in_(finished), c.updated_at < before, ~once).limit(limit)
    return delete(jobs_t).where(c.id.in_(oldest))


async def fill(db: Database, kept: int, prunable: int, pending: int) -> None:
    """Rows in the order they finished, as the table grows: the kept sent reminders and
    escalations over the past year, the prunable ones (a delivery or a cancelled close) in
    the hour before the retention cutoff, as when pruning runs hourly, the pending ones now."""

    def row(kind: JobKind, state: JobState, outcome: str | None, at: datetime) -> dict[str, Any]:
        return {
            "community": "default",
            "platform": "console",
            "kind": kind.value,
            "question_id": None,
            "due_at": at,
            "state": state.value,
            "attempts": 1,
            "payload": None,
            "outcome": outcome,
            "created_at": at,
            "updated_at": at,
        }

    rows = []
    for i in range(kept):
        kind = JobKind.ESCALATE if i % 5 == 0 else JobKind.REMIND
        rows.append(row(kind, JobState.DONE, "sent", NOW - timedelta(days=365) * (i / kept)))
    mix = [  # what finishes and may go: mostly deliveries, some closes, some cancelled
        (JobKind.DELIVER, JobState.DONE, "sent"),
        (JobKind.DELIVER, JobState.DONE, "sent"),
        (JobKind.DELIVER, JobState.DONE, "sent"),
        (JobKind.CLOSE_DORMANT, JobState.DONE, "closed"),
        (JobKind.CLOSE_DORMANT, JobState.CANCELLED, None),
    ]
    for i in range(prunable):
        kind, state, outcome = mix[i % len(mix)]
        rows.append(row(kind, state, outcome, BEFORE - timedelta(hours=1) * (i / prunable)))
    rows += [row(JobKind.CLOSE_DORMANT, JobState.PENDING, None, NOW) for _ in range(pending)]
    rows.sort(key=lambda r: r["updated_at"])
    for start in range(0, len(rows), 10_000):
        async with db.uow() as uow:
            await uow.connection.execute(jobs_t.insert(), rows[start : start + 10_000])
            await uow.commit()
    if db.dialect == "postgresql":  # autovacuum would; the bot never runs ANALYZE on SQLite
        async with db.uow() as uow:
            await uow.connection.execute(text("ANALYZE scheduled_jobs"))
            await uow.commit()


async def timed(db: Database, run: Callable[[Any], Any]) -> tuple[float, int]:
    async with db.uow() as uow:
        t0 = time.perf_counter()
        n = await run(uow)
        elapsed = time.perf_counter() - t0
        await uow.rollback()
    return elapsed, n


async def set_index(db: Database, present: bool) -> None:
    (index,) = [i for i in jobs_t.indexes if i.name == INDEX]
    async with db.uow() as uow:
        if present:
            ddl = str(CreateIndex(index).compile(dialect=uow.connection.dialect))
            await uow.connection.execute(
                text(ddl.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS"))
            )
        else:
            await uow.connection.execute(text(f"DROP INDEX IF EXISTS {INDEX}"))
        await uow.commit()


async def bench(db: Database, args: argparse.Namespace) -> None:
    t0 = time.perf_counter()
    await db.upgrade()
    await fill(db, args.kept, args.prunable, args.pending)
    print(
        f"  filled {args.kept:,} kept sent reminders/escalations, {args.prunable:,} prunable, "
        f"{args.pending:,} pending ({time.perf_counter() - t0:.1f}s); batch = {PRUNE_BATCH} rows"
    )

    async def new(uow: Any) -> int:
        return await uow.jobs.prune_finished(BEFORE, PRUNE_BATCH)

    async def old(uow: Any) -> int:
        result = await uow.connection.execute(old_prune_statement(BEFORE, PRUNE_BATCH))
        return int(result.rowcount or 0)

    variants = {
        "after  (new query, partial index)": (True, new),
        "before (old query, no partial index)": (False, old),
        "new query, partial index dropped": (False, new),
    }
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.rounds):
        for name, (indexed, run) in variants.items():
            await set_index(db, indexed)
            await timed(db, run)  # warms the cache and the statement; not counted
            for _ in range(args.repeats):
                elapsed, n = await timed(db, run)
                assert n == min(PRUNE_BATCH, args.prunable), (name, n)
                times[name].append(elapsed)
    await set_index(db, True)
    after = statistics.median(times["after  (new query, partial index)"])
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:38s} median {median * 1000:8.2f} ms  min {min(values) * 1000:8.2f} ms"
            f"  ({len(values)} tries)  {median / after:6.1f}x after"
        )


async def run_sqlite(args: argparse.Namespace) -> None:
    with TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/prune.db", clock=FakeClock(NOW))
        try:
            await bench(db, args)
        finally:
            await db.dispose()


async def run_postgres(args: argparse.Namespace) -> None:
    schema = f"bench_prune_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(args.postgres)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    db = Database(args.postgres, clock=FakeClock(NOW), schema=schema)
    try:
        await bench(db, args)
    finally:
        await db.dispose()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kept", type=int, default=200_000)
    parser.add_argument("--prunable", type=int, default=5_000)
    parser.add_argument("--pending", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL")
    args = parser.parse_args()
    print("SQLite")
    asyncio.run(run_sqlite(args))
    if args.postgres:
        print("PostgreSQL")
        asyncio.run(run_postgres(args))


if __name__ == "__main__":
    main()
