"""The scheduler's promises on real databases: jobs survive restarts, run exactly once with
two runners on one database, failed deliveries are retried with backoff, and a crashed
runner's jobs are taken over when its lease runs out."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from bot.bootstrap import App, bootstrap
from bot.clock import FakeClock
from bot.jobs import Job, JobKind, JobState
from bot.outbound import ChannelPost, Outbound
from bot.scheduler import Scheduler, decode_outbound, encode_outbound
from tests.conftest import DatabaseTarget, make_config
from tests.helpers import actor, answer, ask
from tests.lifecycle_helpers import Recorder, record, tick

alice, bob = actor("alice"), actor("bob")


async def _app(target: DatabaseTarget, clock: FakeClock, batch_size: int = 50) -> App:
    config = make_config(target.url, scheduler={"batch_size": batch_size})
    return await bootstrap(config, clock=clock, database_options=target.options)


async def _jobs_of(app: App, q_id: int) -> dict[int, Job]:
    async with app.bot.uow_factory(write=False) as uow:
        return {job.id: job for job in await uow.jobs.for_question(q_id)}


async def _jobs(app: App, q_id: int) -> dict[JobKind, list[JobState]]:
    jobs: dict[JobKind, list[JobState]] = {}
    for job in (await _jobs_of(app, q_id)).values():
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


class _HeldSender:
    """Platform calls that hang until released (a slow API, a paused process), then fail
    or go through. Only messages with one of `held` keys are held."""

    platform = "console"

    def __init__(self, *, fail: bool, held: tuple[str, ...] = ("test.first",)) -> None:
        self.fail = fail
        self.started = {key: asyncio.Event() for key in held}
        self.released = {key: asyncio.Event() for key in held}
        self.sent: list[Outbound] = []

    async def reached(self, key: str = "test.first") -> None:
        await self.started[key].wait()

    def release(self, key: str = "test.first") -> None:
        self.released[key].set()

    async def send(self, message: Outbound) -> None:
        key = getattr(message, "key", "")
        if key in self.started:
            self.started[key].set()
            await self.released[key].wait()
        if self.fail:
            raise ConnectionError("platform call timed out")
        self.sent.append(message)


async def _queue_delivery(app: App, q_id: int, key: str) -> int:
    now = app.bot.clock.now()
    async with app.bot.uow_factory() as uow:
        job_id = await uow.jobs.schedule(
            community="default",
            platform="console",
            kind=JobKind.DELIVER,
            due_at=now,
            now=now,
            question_id=q_id,
            payload=encode_outbound(ChannelPost("default", "console", "C1", key)),
        )
        await uow.commit()
    return job_id


async def _hang_past_lease(app: App, held: _HeldSender) -> asyncio.Task[int]:
    """`app`'s runner starts on its due jobs and hangs in `held`'s first platform call while
    the shared clock moves past its lease. Its run goes on once `held.release()` is called."""
    app.bot.outbox.register(held)
    run = asyncio.create_task(Scheduler(app.bot).run_due())
    await held.reached()
    clock = app.bot.clock
    assert isinstance(clock, FakeClock)
    clock.advance(seconds=app.bot.config.scheduler.lease_seconds)
    return run


async def _taken_over(one: App, two: App, held: _HeldSender) -> tuple[Recorder, asyncio.Task[int]]:
    """Runner one hangs in `held` past its lease (see `_hang_past_lease`); runner two takes
    its batch over and runs it to the end. What two sent, and one's run, still hanging."""
    sent = record(two)
    late = await _hang_past_lease(one, held)
    await Scheduler(two.bot).run_due()
    return sent, late


async def test_a_runner_whose_lease_ran_out_leaves_the_takeover_alone(
    two_processes: tuple[App, App], caplog: pytest.LogCaptureFixture
) -> None:
    # Runner one claims a batch (a delivery, then a reminder) and hangs in the delivery's
    # platform call past its lease. Runner two takes both over and finishes them. Then
    # one's call fails: its failure must not put the sent delivery back to pending (it
    # would go out twice), and the reminder it no longer owns must not run again.
    one, two = two_processes
    clock = one.bot.clock
    assert isinstance(clock, FakeClock)
    opened = await ask(one.bot, alice)
    await answer(one.bot, bob, opened)
    q_id = opened.question.id
    delivery = await _queue_delivery(one, q_id, "test.first")
    clock.advance(hours=25)  # the reminder is due too, after the delivery
    held = _HeldSender(fail=True)
    sent, late = await _taken_over(one, two, held)
    assert sent.keys() == ["test.first", "lifecycle.remind"]
    caplog.set_level(logging.INFO, logger="bot.scheduler")
    held.release()
    await late
    jobs = await _jobs_of(two, q_id)
    assert jobs[delivery].state is JobState.DONE and jobs[delivery].outcome == "sent"
    assert [j.state for j in jobs.values() if j.kind is JobKind.DELIVER] == [JobState.DONE] * 2
    lost = [r.getMessage() for r in caplog.records if "lost its claim" in r.getMessage()]
    assert len(lost) == 2, lost  # the delivery's failure and the reminder, one line each
    assert any(m.endswith("its rule was not run") for m in lost), lost  # `lock` refused it
    assert "will retry" not in caplog.text  # the failure was not recorded: no retry
    clock.advance(hours=2)  # past any backoff: nothing is left to send again
    again = record(one)
    await Scheduler(one.bot).run_due()
    await Scheduler(two.bot).run_due()
    assert sent.keys() == ["test.first", "lifecycle.remind"]
    assert again.sent == [] and held.sent == []


async def test_a_late_delivery_does_not_overwrite_the_runner_that_took_it_over(
    two_processes: tuple[App, App],
) -> None:
    # Both runners end up inside the same delivery's platform call (one's lease ran out
    # while it waited); one returns first. Its "sent" must not end two's claim: the row
    # stays two's until two records its own outcome.
    one, two = two_processes
    opened = await ask(one.bot, alice)
    delivery = await _queue_delivery(one, opened.question.id, "test.first")
    first, second = _HeldSender(fail=False), _HeldSender(fail=False)
    two.bot.outbox.register(second)
    late = await _hang_past_lease(one, first)
    current = asyncio.create_task(Scheduler(two.bot).run_due())
    await second.reached()
    taken = (await _jobs_of(two, opened.question.id))[delivery]
    assert taken.state is JobState.RUNNING and taken.claim_token is not None
    first.release()
    await late
    assert (await _jobs_of(two, opened.question.id))[delivery] == taken
    second.release()
    await current
    done = (await _jobs_of(two, opened.question.id))[delivery]
    assert (done.state, done.outcome, done.claim_token) == (
        JobState.DONE,
        "sent",
        taken.claim_token,
    )


async def test_a_runner_does_not_send_a_delivery_it_lost_before_sending(
    two_processes: tuple[App, App], caplog: pytest.LogCaptureFixture
) -> None:
    # Runner one claimed two deliveries and hung in the first one's platform call until its
    # lease ran out; runner two took both over and sent them. When one's call returns, the
    # second delivery is no longer one's: sending it would show it twice.
    one, two = two_processes
    opened = await ask(one.bot, alice)
    await _queue_delivery(one, opened.question.id, "test.first")
    second = await _queue_delivery(one, opened.question.id, "test.second")
    held = _HeldSender(fail=False)
    sent, late = await _taken_over(one, two, held)
    assert sent.keys() == ["test.first", "test.second"]
    caplog.set_level(logging.WARNING, logger="bot.scheduler")
    held.release()
    await late
    assert [m.key for m in held.sent] == ["test.first"]  # already on its way: cannot be undone
    assert (await _jobs_of(two, opened.question.id))[second].state is JobState.DONE
    assert any(f"job {second} " in r.getMessage() for r in caplog.records)


async def test_a_slow_batch_renews_the_lease_before_its_next_send(
    two_processes: tuple[App, App],
) -> None:
    # One slow send used most of the batch's lease, but nobody took the next delivery
    # over: it is renewed and sent, and the renewal keeps runner two off it while it is
    # sent, even past the lease the batch was claimed with.
    one, two = two_processes
    clock = one.bot.clock
    assert isinstance(clock, FakeClock)
    opened = await ask(one.bot, alice)
    await _queue_delivery(one, opened.question.id, "test.first")
    second = await _queue_delivery(one, opened.question.id, "test.second")
    held = _HeldSender(fail=False, held=("test.first", "test.second"))
    one.bot.outbox.register(held)
    sent = record(two)
    late = asyncio.create_task(Scheduler(one.bot).run_due())
    await held.reached("test.first")
    clock.advance(seconds=one.bot.config.scheduler.lease_seconds - 30)
    held.release("test.first")
    await held.reached("test.second")
    clock.advance(seconds=31)  # past the batch's lease, not the renewed one
    assert await Scheduler(two.bot).run_due() == 0
    held.release("test.second")
    await late
    assert [m.key for m in held.sent] == ["test.first", "test.second"] and sent.sent == []
    assert (await _jobs_of(two, opened.question.id))[second].state is JobState.DONE
