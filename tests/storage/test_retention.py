"""Retention: the scheduler deletes old bookkeeping rows (processed event ids, finished jobs)
in batches, keeps what is recent or still needed, and prunes at most once per interval."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot import commands as c
from bot import errors
from bot.bootstrap import App
from bot.clock import FakeClock
from bot.jobs import JobKind, JobState
from bot.scheduler import Scheduler
from storage.models import ProcessedEventRow, ScheduledJobRow
from tests.helpers import actor, answer, ask, thread_of
from tests.lifecycle_helpers import record, tick

alice, bob = actor("alice"), actor("bob")


async def _count(app: App, table: type) -> int:
    async with app.database.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def _jobs(app: App) -> list[tuple[JobKind, JobState, str | None]]:
    t = ScheduledJobRow.__table__
    async with app.database.connect() as conn:
        rows = await conn.execute(select(t.c.kind, t.c.state, t.c.outcome).order_by(t.c.id))
        return [(JobKind(k), JobState(s), o) for k, s, o in rows.all()]


async def test_old_rows_go_recent_and_needed_rows_stay(
    app: App, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.scheduler.PRUNE_BATCH", 2)  # several batches, not one
    sent = record(app)
    reminded = await ask(app.bot, alice)
    await answer(app.bot, bob, reminded)
    clock.advance(hours=25)
    await tick(app)  # the reminder goes out: a sent REMIND job and a done delivery
    assert sent.keys() == ["lifecycle.remind"]
    closed = await ask(app.bot, alice, "Another question")
    await app.bot.handle(c.CloseQuestion(alice, thread_of(closed), event_id="close-1"))
    events_before = await _count(app, ProcessedEventRow)
    assert events_before >= 4

    # Finished jobs go once they finished (ran or were cancelled) before the cutoff.
    clock.advance(days=35)
    recent = await ask(app.bot, bob, "A question asked today")  # its rows are recent
    removed = await Scheduler(app.bot).prune()

    assert removed["processed_events"] == events_before
    assert await _count(app, ProcessedEventRow) == 1
    with pytest.raises(errors.DuplicateEvent):  # a recent event is still remembered
        await app.bot.handle(
            c.AskQuestion(bob, "help", "again", "x", event_id=f"evt-{recent.question.message_id}")
        )
    jobs = await _jobs(app)
    # Kept: the sent reminder (it stops a second one) and every pending job.
    assert (JobKind.REMIND, JobState.DONE, "sent") in jobs
    kept = [j for j in jobs if j[1] is not JobState.PENDING and j[2] != "sent"]
    assert kept == []
    assert not any(kind is JobKind.DELIVER for kind, _, _ in jobs)
    assert removed["finished_jobs"] >= 2  # the delivery and the closed question's jobs


async def test_a_job_run_late_is_kept_for_the_retention_after_it_ran(
    app: App, clock: FakeClock
) -> None:
    record(app)
    await ask(app.bot, alice)
    clock.advance(days=40)  # the bot was down: the dormant close, due on day 3, runs now
    await tick(app)
    closes = [j for j in await _jobs(app) if j[0] is JobKind.CLOSE_DORMANT]
    assert [state for _, state, _ in closes] == [JobState.DONE]
    await Scheduler(app.bot).prune()
    assert [j for j in await _jobs(app) if j[0] is JobKind.CLOSE_DORMANT] == closes
    clock.advance(days=31)
    await Scheduler(app.bot).prune()
    assert not [j for j in await _jobs(app) if j[0] is JobKind.CLOSE_DORMANT]


@pytest.mark.parametrize(
    "config_overrides", [{"scheduler": {"max_attempts": 1}}], ids=["max_attempts=1"]
)
async def test_finished_jobs_are_aged_from_when_they_finished(app: App, clock: FakeClock) -> None:
    sent = record(app)
    reminded = await ask(app.bot, alice)
    await answer(app.bot, bob, reminded)
    clock.advance(hours=25)
    finished_at = clock.now()
    sent.failures = 1
    await tick(app)  # the reminder's delivery fails once: given up (max_attempts 1)
    closed = await ask(app.bot, alice, "Closed at once")
    await app.bot.handle(c.CloseQuestion(alice, thread_of(closed), event_id="close-3"))

    t = ScheduledJobRow.__table__
    query = select(t.c.kind, t.c.state, t.c.due_at, t.c.updated_at).order_by(t.c.id)

    async def gone_soon() -> list[tuple[JobKind, JobState]]:
        """Finished jobs except the sent reminder (kept: it stops a second one)."""
        async with app.database.connect() as conn:
            rows = (await conn.execute(query)).all()
        finished = [r for r in rows if r.state not in ("pending", "done")]
        # Every one was due later than it finished (a retry's backoff, a 72 h close),
        # and finished (updated_at) when it failed or was cancelled, on every path.
        assert all(r.updated_at == finished_at < r.due_at for r in finished)
        return [(JobKind(r.kind), JobState(r.state)) for r in finished]

    expected = [(JobKind.DELIVER, JobState.FAILED), (JobKind.CLOSE_DORMANT, JobState.CANCELLED)]
    assert sorted(await gone_soon()) == sorted(expected)

    clock.advance(days=30, seconds=-1)
    await Scheduler(app.bot).prune()
    assert sorted(await gone_soon()) == sorted(expected)  # not yet 30 days
    clock.advance(seconds=2)
    await Scheduler(app.bot).prune()
    assert await gone_soon() == []  # 30 days after they finished, not after they were due
    assert (JobKind.REMIND, JobState.DONE, "sent") in await _jobs(app)


@pytest.mark.parametrize(
    "config_overrides",
    [{"retention": {"finished_jobs_days": 0, "prune_interval_minutes": 60}}],
    ids=["keep_jobs"],
)
async def test_prunes_once_per_interval_and_keeps_jobs_when_asked(
    app: App, clock: FakeClock
) -> None:
    scheduler = Scheduler(app.bot)
    opened = await ask(app.bot, alice)
    await app.bot.handle(c.CloseQuestion(alice, thread_of(opened), event_id="close-2"))
    clock.advance(days=15)
    await scheduler.maybe_prune()
    assert await _count(app, ProcessedEventRow) == 0
    assert await _count(app, ScheduledJobRow) >= 1  # finished_jobs_days = 0: kept
    runs = 0
    real_prune = scheduler.prune

    async def counting_prune() -> dict[str, int]:
        nonlocal runs
        runs += 1
        return await real_prune()

    scheduler.prune = counting_prune  # type: ignore[method-assign]
    clock.advance(minutes=59)
    await scheduler.maybe_prune()  # within the interval: does not run
    assert runs == 0
    clock.advance(minutes=2)
    await scheduler.maybe_prune()
    assert runs == 1


async def test_old_knowledge_changes_go_recent_ones_stay(
    app: App, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.scheduler.PRUNE_BATCH", 2)  # several batches, not one
    async with app.database.uow() as uow:
        await uow.knowledge.record_changes("default", ["a:1", "a:2", "a:3"], clock.now())
        await uow.commit()
    clock.advance(days=15)  # past processed_events_days (14), which the feed shares
    async with app.database.uow() as uow:
        await uow.knowledge.record_changes("default", ["a:4"], clock.now())
        await uow.commit()

    removed = await Scheduler(app.bot).prune()

    assert removed["knowledge_changes"] == 3
    async with app.database.uow(write=False) as uow:
        assert [doc for _, _, doc in await uow.knowledge.changes_after(0, 10)] == ["a:4"]
