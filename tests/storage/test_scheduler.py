"""The scheduler's promises on real databases: jobs survive restarts, run exactly once with
two runners on one database, failed deliveries are retried with backoff, and a crashed
runner's jobs are taken over when its lease runs out."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.bootstrap import App, bootstrap
from bot.clock import FakeClock
from bot.jobs import JobKind, JobState
from bot.scheduler import Scheduler, decode_outbound, encode_outbound
from tests.conftest import DatabaseTarget, make_config
from tests.helpers import actor, answer, ask
from tests.lifecycle_helpers import record, tick

alice, bob = actor("alice"), actor("bob")


async def _app(target: DatabaseTarget, clock: FakeClock, batch_size: int = 50) -> App:
    config = make_config(target.url, scheduler={"batch_size": batch_size})
    return await bootstrap(config, clock=clock, database_options=target.options)


async def _jobs(app: App, q_id: int) -> dict[JobKind, list[JobState]]:
    async with app.bot.uow_factory(write=False) as uow:
        jobs: dict[JobKind, list[JobState]] = {}
        for job in await uow.jobs.for_question(q_id):
            jobs.setdefault(job.kind, []).append(job.state)
        return jobs


async def test_jobs_survive_a_restart_and_run_once(
    db_target: DatabaseTarget, clock: FakeClock
) -> None:
    first = await _app(db_target, clock)
    try:
        opened = await ask(first.bot, alice)
        await answer(first.bot, bob, opened)
    finally:
        await first.close()  # the process stops before anything is due
    clock.advance(hours=25)
    second = await _app(db_target, clock)
    try:
        sent = record(second)
        await tick(second)
        await tick(second)
        assert sent.keys() == ["lifecycle.remind"]
    finally:
        await second.close()
    third = await _app(db_target, clock)  # and another restart after it ran: nothing again
    try:
        sent = record(third)
        await tick(third)
        assert sent.sent == []
    finally:
        await third.close()


async def test_two_schedulers_on_one_database_run_each_job_once(
    db_target: DatabaseTarget, clock: FakeClock
) -> None:
    # Small batches, so the runners' claims interleave instead of one taking everything.
    one, two = await _app(db_target, clock, 2), await _app(db_target, clock, 2)
    try:
        questions = []
        for n in range(12):
            opened = await ask(one.bot, alice, f"Question {n}")
            await answer(two.bot, bob, opened)
            questions.append(opened.question.id)
        sent_one, sent_two = record(one), record(two)
        clock.advance(hours=25)
        runners = [Scheduler(one.bot), Scheduler(two.bot), Scheduler(one.bot)]
        await asyncio.gather(*(r.run_due() for r in runners))
        reminded = [m.question_id for m in sent_one.sent + sent_two.sent]
        assert sorted(reminded) == sorted(questions)  # every question once, none twice
        clock.advance(hours=48)
        await asyncio.gather(*(r.run_due() for r in runners))
        closes = sent_one.posts("lifecycle.closed_dormant") + sent_two.posts(
            "lifecycle.closed_dormant"
        )
        assert sorted(m.question_id for m in closes) == sorted(questions)
    finally:
        await one.close()
        await two.close()


async def test_failed_delivery_is_retried_with_backoff(app: App, clock: FakeClock) -> None:
    sent = record(app)
    sent.failures = 2
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    clock.advance(hours=25)
    await tick(app)  # the reminder is decided, its delivery fails once
    assert sent.sent == []
    assert await _jobs(app, opened.question.id) == {
        JobKind.CLOSE_DORMANT: [JobState.PENDING],
        JobKind.REMIND: [JobState.DONE],
        JobKind.DELIVER: [JobState.PENDING],
    }
    clock.advance(seconds=59)
    assert await tick(app) == 0  # backoff: not yet
    clock.advance(seconds=2)
    await tick(app)  # second failure; next wait is two minutes
    clock.advance(seconds=119)
    assert await tick(app) == 0
    clock.advance(seconds=2)
    await tick(app)
    assert sent.keys() == ["lifecycle.remind"]


async def test_delivery_gives_up_after_max_attempts(app: App, clock: FakeClock) -> None:
    sent = record(app)
    sent.failures = 100
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    clock.advance(hours=25)
    for _ in range(app.bot.config.scheduler.max_attempts + 2):
        await tick(app)
        clock.advance(hours=2)
    jobs = await _jobs(app, opened.question.id)
    assert jobs[JobKind.DELIVER] == [JobState.FAILED]


async def test_crashed_runner_jobs_run_after_the_lease(app: App, clock: FakeClock) -> None:
    sent = record(app)
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    clock.advance(hours=25)
    now = clock.now()
    async with app.bot.uow_factory() as uow:  # a runner claims the job, then dies
        lease = timedelta(seconds=app.bot.config.scheduler.lease_seconds)
        claimed = await uow.jobs.claim(
            now, limit=10, lease_until=now + lease, token="dead", platforms=["console"]
        )
        await uow.commit()
    assert [j.kind for j in claimed] == [JobKind.REMIND]
    assert await tick(app) == 0  # still leased to the dead runner
    clock.advance(seconds=app.bot.config.scheduler.lease_seconds)
    await tick(app)
    assert sent.keys() == ["lifecycle.remind"]


async def test_deliveries_wait_for_a_runner_with_a_sender(app: App, clock: FakeClock) -> None:
    opened = await ask(app.bot, alice)
    await answer(app.bot, bob, opened)
    clock.advance(hours=25)
    await tick(app)  # no console sender registered: the reminder is decided, not sent
    assert (await _jobs(app, opened.question.id))[JobKind.DELIVER] == [JobState.PENDING]
    sent = record(app)
    await tick(app)
    assert sent.keys() == ["lifecycle.remind"]


def test_outbound_messages_round_trip_through_the_job_payload() -> None:
    from bot.model import MemberRef, ThreadRef
    from bot.outbound import ChannelPost, DirectMessage, ThreadPost, ThreadState

    for message in (
        ThreadPost("c", ThreadRef("discord", "1"), "k", {"id": 3}, ("mark_solved",), ("r",)),
        ChannelPost("c", "slack", "C1", "k", {"title": "t"}, reference_id="x"),
        DirectMessage("c", MemberRef("slack", "c", "U1"), "k"),
        ThreadState("c", ThreadRef("slack", "C1:1.2"), archived=True, solved=None),
    ):
        assert decode_outbound(encode_outbound(message)) == message
