"""Concurrency guarantees of bot.questions, with the interleaving forced, not hoped for.

On PostgreSQL each test runs two real transactions (two bot processes on one database) and
steps them with row locks it can see in `pg_stat_activity`. SQLite opens every write with
BEGIN IMMEDIATE, so there the second transaction cannot even start until the first is done:
the same tests show that instead.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy import text

from bot import commands as c
from bot import errors
from bot import events as ev
from bot.bootstrap import App
from bot.clock import FakeClock
from bot.model import Member
from storage.repositories import SqlLedgerRepository
from tests.helpers import actor, answer, ask, eventually, next_id, thread_of
from tests.storage.ledger_checks import assert_totals_match_ledger

alice, bob, mod = actor("alice"), actor("bob"), actor("mod", mod=True)
T = TypeVar("T")
PATIENCE = 5.0  # seconds any one wait below may take before the test gives up


async def _pg(app: App, sql: str, **params: Any) -> Any:
    # A fresh transaction per query: pg_stat_activity is a snapshot taken once per transaction.
    async with app.database.connect() as conn:
        return (await conn.execute(text(sql), params)).scalar()


async def _backend_pid(conn: Any) -> int:
    return (await conn.execute(text("SELECT pg_backend_pid()"))).scalar()


async def _second_waits_for_first(
    first: App,
    first_command: c.Command,
    second: App,
    second_command: c.Command,
    *,
    what: str,
    between: Callable[[], object] | None = None,
) -> tuple[Any, asyncio.Task[Any]]:
    """`first_command` does all its work, then waits before committing; `second_command`
    starts and must wait for it: on PostgreSQL on a row lock the first holds (seen in
    `pg_stat_activity`), on SQLite to begin at all. Then the first commits. Returns the
    first's result and the second's task, for the caller to see how it ends. `between`
    runs once the first holds its commit, before the second starts."""

    postgres = first.database.dialect == "postgresql"
    holding: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
    release = asyncio.Event()
    real_factory = first.bot.uow_factory

    def commit_when_released(*, write: bool = True) -> Any:
        uow = real_factory(write=write)
        commit = uow.commit

        async def held_commit() -> None:
            holding.set_result(await _backend_pid(uow.connection) if postgres else None)
            await release.wait()
            await commit()

        uow.commit = held_commit
        return uow

    first.bot.uow_factory = commit_when_released  # type: ignore[assignment]
    first_task = asyncio.create_task(first.bot.handle(first_command))
    second_task: asyncio.Task[Any] | None = None
    try:
        first_pid = await asyncio.wait_for(holding, PATIENCE)
        if between is not None:
            between()
        second_task = task = asyncio.create_task(second.bot.handle(second_command))
        if postgres:

            async def second_is_blocked() -> bool:
                assert not task.done(), task  # it must wait, not finish
                return bool(
                    await _pg(
                        second,
                        "SELECT count(*) FROM pg_stat_activity"
                        " WHERE CAST(:pid AS integer) = ANY(pg_blocking_pids(pid))",
                        pid=first_pid,
                    )
                )

            await eventually(second_is_blocked, PATIENCE, what=what)
        else:
            await asyncio.sleep(0.05)
            assert not task.done(), task
        release.set()
        return await first_task, task
    except BaseException:
        if second_task is not None and not second_task.done():
            second_task.cancel()
        raise
    finally:
        release.set()
        if not first_task.done():
            first_task.cancel()
        first.bot.uow_factory = real_factory  # type: ignore[assignment]


# -- a lock or delete committed while a message is on its way --------------------------------


@pytest.mark.parametrize(
    ("action", "refusal"),
    [
        (c.QuestionAction.LOCK, errors.ThreadLocked),
        (c.QuestionAction.DELETE, errors.NotAQuestionThread),
    ],
)
async def test_lock_committed_while_a_message_is_posted_refuses_the_message(
    two_processes: tuple[App, App], action: c.QuestionAction, refusal: type[Exception]
) -> None:
    """bob's message reads the question while it is still open; a moderator's lock (or
    delete) commits before the message's `touch`. The message must be refused and leave
    nothing behind, as if it had come after the lock: the check belongs on the row `touch`
    returns under its lock, not on the first read."""

    moderators, posters = two_processes
    opened = await ask(moderators.bot, alice)
    thread = thread_of(opened)
    clock = posters.bot.clock
    assert isinstance(clock, FakeClock)
    mid = next_id()
    # The post reads the question (still open: the moderator has not committed) and, on
    # PostgreSQL, waits on the moderator's row lock (its message's foreign key check) before
    # its `touch`. On SQLite it reads the question only after the commit.
    moderated, posting = await _second_waits_for_first(
        moderators,
        c.ModerateQuestion(mod, action, thread=thread, event_id=next_id("e")),
        posters,
        c.PostMessage(bob, thread, mid, "Try this.", event_id=f"evt-{mid}"),
        what="the message waits on the moderator's row lock",
        between=lambda: clock.advance(minutes=1),  # so a `touch` that got through would show
    )
    assert isinstance(moderated, ev.QuestionModerated)
    with pytest.raises(refusal):
        await posting

    # Refused means rolled back: no message, no answer, no activity recorded.
    async with posters.database.uow(write=False) as uow:
        assert await uow.questions.message(bob.ref.platform, mid) is None
        assert await uow.questions.answers(opened.question.id) == []
        question = await uow.questions.get(opened.question.id)
    assert question is not None
    assert question.last_activity_at == opened.question.last_activity_at


# -- an answer deleted on the platform while it is accepted ----------------------------------


async def test_an_answer_deleted_while_it_is_accepted_earns_nothing(
    two_processes: tuple[App, App],
) -> None:
    """The accept reads bob's answer while it is still there, then waits on the question's
    row lock the deletion holds. Once the deletion commits, the accept must see the answer
    is gone (`NotAnAnswer`), not accept it from its first read: no acceptance, no points."""

    deleting, accepting = two_processes
    opened = await ask(deleting.bot, alice)
    mid = await answer(deleting.bot, bob, opened, "Check the cable.")
    deleted, acceptance = await _second_waits_for_first(
        deleting,
        c.DeleteMessage("console", "default", mid),
        accepting,
        c.AcceptAnswer(alice, mid, event_id=next_id("e")),
        what="the accept waits on the deletion's row lock",
    )
    assert isinstance(deleted, ev.DeletedOnPlatform)
    with pytest.raises(errors.NotAnAnswer):
        await acceptance

    async with accepting.database.uow(write=False) as uow:
        assert await uow.questions.active_acceptances(opened.question.id) == []
    shown = await accepting.bot.handle(c.ShowReputation(bob))
    assert isinstance(shown, ev.ReputationShown) and shown.standing.points == 0


async def test_a_platform_deletion_waiting_on_a_warned_report_leaves_the_warning(
    two_processes: tuple[App, App],
) -> None:
    """A moderator warns through a report while the platform's deletion of the message waits
    on the report's row: once the warning commits, the deletion finds the report resolved
    and leaves it so (it used to overwrite it as "deleted, by nobody")."""

    from bot.model import ReportStatus

    warning, deleting = two_processes
    dave = actor("dave")
    opened = await ask(warning.bot, alice)
    mid = await answer(warning.bot, bob, opened, "Rude words.")
    filed = await warning.bot.handle(
        c.ReportMessage(dave, "help", mid, "abusive", thread=thread_of(opened),
                        event_id=next_id("e"))
    )  # fmt: skip
    assert isinstance(filed, ev.ReportFiled)
    warned, deletion = await _second_waits_for_first(
        warning,
        c.ResolveReport(mod, filed.report.id, ReportStatus.WARNED, event_id=next_id("e")),
        deleting,
        c.DeleteMessage("console", "default", mid),
        what="the deletion waits on the report's row",
    )
    assert isinstance(warned, ev.ReportResolved)
    await deletion
    async with deleting.database.uow(write=False) as uow:
        report = await uow.moderation.get_report("default", filed.report.id)
    assert report is not None and report.status is ReportStatus.WARNED
    assert report.resolved_by_id is not None


async def test_two_questions_closed_as_duplicates_of_each_other_at_once(
    two_processes: tuple[App, App],
) -> None:
    """The second close waits on the row of the original it names, which the first closes:
    once that commits, the original is a duplicate itself and the second is refused."""

    first, second = two_processes
    one, two = await ask(first.bot, alice, "First"), await ask(first.bot, bob, "Second")
    mod2 = actor("mod2", mod=True)
    for who in (mod, mod2):
        await first.bot.handle(c.ShowReputation(who))  # (members known before the race)
    closed, crossing = await _second_waits_for_first(
        first,
        c.ModerateQuestion(mod, c.QuestionAction.DUPLICATE, question_id=one.question.id,
                           duplicate_of=f"#{two.question.id}", event_id=next_id("e")),
        second,
        c.ModerateQuestion(mod2, c.QuestionAction.DUPLICATE, question_id=two.question.id,
                           duplicate_of=f"#{one.question.id}", event_id=next_id("e")),
        what="the second close waits on the row of the question it names",
    )  # fmt: skip
    assert isinstance(closed, ev.QuestionModerated)
    with pytest.raises(errors.DuplicateOfADuplicate):
        await crossing


# -- two multi-helper /solved crediting the same helpers in opposite orders ------------------

_role: contextvars.ContextVar[str] = contextvars.ContextVar("lockstep_role")


class Lockstep:
    """Makes two transactions take their locks on contested members in step, on PostgreSQL.

    After locking its k-th contested member, a transaction waits until the other has locked
    k too, is waiting for a row lock, or has finished. So if the two ever lock the members
    they share in different orders, each gets its first pick before either asks for the
    other's: the deadlock happens every time, not once in a while."""

    def __init__(self, watcher: App, contested: set[int]) -> None:
        self._watcher = watcher
        self._contested = contested
        self.taken = {"one": 0, "two": 0}  # contested members locked, per role
        self.transactions = {"one": 0, "two": 0}  # more than one: a retry, after a deadlock
        self._pid: dict[str, int] = {}
        self._done: set[str] = set()
        self._held: dict[SqlLedgerRepository, set[int]] = {}  # one repository per transaction
        self._real = SqlLedgerRepository.lock_member

    async def run(self, role: str, work: Awaitable[T]) -> T:
        _role.set(role)
        try:
            return await work
        finally:
            self._done.add(role)

    async def lock_member(self, repo: SqlLedgerRepository, member: Member) -> None:
        role = _role.get(None)
        if role is not None and repo not in self._held:
            self.transactions[role] += 1
        held = self._held.setdefault(repo, set())
        if role is None or repo.conn.dialect.name != "postgresql" or member.id in held:
            await self._real(repo, member)
            return
        if not held:
            self._pid[role] = await _backend_pid(repo.conn)
        await self._real(repo, member)
        held.add(member.id)
        if member.id not in self._contested:
            return
        self.taken[role] += 1
        step = self.taken[role]
        other = "two" if role == "one" else "one"

        async def other_caught_up() -> bool:
            if other in self._done or self.taken[other] >= step:
                return True
            pid = self._pid.get(other)
            if pid is None:
                return False
            waiting = await _pg(
                self._watcher,
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid",
                pid=pid,
            )
            return bool(waiting == "Lock")

        await eventually(
            other_caught_up, PATIENCE, what=f"{other} locks {step} shared members or waits for one"
        )


def _process_hash(member: Member) -> int:
    """Stands in for per-process string hashing (PYTHONHASHSEED): the same set of members
    iterates in ascending id order in process "one" and in descending order in "two"."""

    return ~member.id if _role.get(None) == "two" else member.id


async def test_crossing_multi_helper_solves_do_not_deadlock(
    two_processes: tuple[App, App],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two askers each credit the same two helpers with one `/solved`, naming them in
    opposite orders, in two processes at once. Every member is locked up front in id order,
    so neither waits on the other while holding what the other needs: both commands go
    through first time (a deadlock would be retried by the service, and logged). Neither the
    order helpers are named in nor a set's iteration order (which differs between
    processes) is a safe lock order."""

    one, two = two_processes
    xavier, yolanda = actor("xavier"), actor("yolanda")
    helper_a, helper_b = actor("helper_a"), actor("helper_b")
    q1 = await ask(one.bot, xavier, "first question")
    q2 = await ask(one.bot, yolanda, "second question")
    for opened in (q1, q2):
        await answer(one.bot, helper_a, opened)
        await answer(one.bot, helper_b, opened)
    async with one.database.uow(write=False) as uow:
        helpers = [await uow.members.find(h.ref) for h in (helper_a, helper_b)]
    contested = {h.id for h in helpers if h is not None}
    assert len(contested) == 2

    stepper = Lockstep(one, contested)

    async def lock_member(repo: SqlLedgerRepository, member: Member) -> None:
        await stepper.lock_member(repo, member)

    monkeypatch.setattr(SqlLedgerRepository, "lock_member", lock_member)
    monkeypatch.setattr(Member, "__hash__", _process_hash)
    caplog.set_level(logging.WARNING, logger="bot.service")
    solve_one = c.MarkSolved(xavier, thread_of(q1), (helper_a.ref, helper_b.ref), next_id("e"))
    solve_two = c.MarkSolved(yolanda, thread_of(q2), (helper_b.ref, helper_a.ref), next_id("e"))
    results = await asyncio.wait_for(
        asyncio.gather(
            stepper.run("one", one.bot.handle(solve_one)),
            stepper.run("two", two.bot.handle(solve_two)),
        ),
        3 * PATIENCE,
    )
    monkeypatch.undo()

    assert not [r.getMessage() for r in caplog.records], "a command had to be retried"
    assert stepper.transactions == {"one": 1, "two": 1}, stepper.transactions
    if one.database.dialect == "postgresql":  # the stepping really happened
        assert stepper.taken == {"one": 2, "two": 2}, stepper.taken
    for result in results:
        assert isinstance(result, ev.AnswerAccepted), result
        assert len(result.acceptances) == 2 and not result.refused
    for who, expected in ((helper_a, (30, 2)), (helper_b, (30, 2)), (xavier, (2, 0))):
        rep = await one.bot.handle(c.ShowReputation(alice, who.ref))
        assert isinstance(rep, ev.ReputationShown)
        assert (rep.standing.points, rep.standing.accepted_count) == expected, who
    await assert_totals_match_ledger(one)
