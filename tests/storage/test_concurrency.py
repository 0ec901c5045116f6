"""Races that must leave the ledger consistent, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from bot import commands as c
from bot import errors
from bot import events as ev
from bot.bootstrap import App, bootstrap
from bot.model import QuestionStatus
from tests.conftest import DatabaseTarget, make_config
from tests.helpers import actor, answer, ask, next_id, thread_of
from tests.storage.ledger_checks import assert_totals_match_ledger

alice, bob, mod = actor("alice"), actor("bob"), actor("mod", mod=True)


async def _points(app: App, who) -> tuple[int, int]:  # noqa: ANN001
    rep = await app.bot.handle(c.ShowReputation(alice, who.ref))
    assert isinstance(rep, ev.ReputationShown)
    return rep.standing.points, rep.standing.accepted_count


async def test_two_accepts_of_the_same_answer_at_once(app: App) -> None:
    opened = await ask(app.bot, alice)
    mid = await answer(app.bot, bob, opened)
    results = await asyncio.gather(
        app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e"))),
        app.bot.handle(c.AcceptAnswer(mod, mid, event_id=next_id("e"))),
        return_exceptions=True,
    )
    accepted = [r for r in results if isinstance(r, ev.AnswerAccepted)]
    refused = [r for r in results if isinstance(r, errors.AlreadyAccepted)]
    assert len(accepted) == 1 and len(refused) == 1, results
    assert await _points(app, bob) == (15, 1)


async def test_accept_racing_unsolve_stays_consistent(app: App) -> None:
    for _ in range(5):
        opened = await ask(app.bot, alice, f"race {next_id()}")
        first = await answer(app.bot, bob, opened)
        await app.bot.handle(c.AcceptAnswer(alice, first, event_id=next_id("e")))
        second = await answer(app.bot, actor("carol"), opened)
        await asyncio.gather(
            app.bot.handle(c.Unsolve(alice, thread_of(opened), event_id=next_id("e"))),
            app.bot.handle(c.AcceptAnswer(mod, second, event_id=next_id("e"))),
            return_exceptions=True,
        )
        shown = await app.bot.handle(c.ShowQuestion(alice, opened.question.id))
        assert isinstance(shown, ev.QuestionShown)
        solved = shown.question.status is QuestionStatus.SOLVED
        assert solved == bool(shown.accepted)
    # Totals always equal the sum of the ledger, whatever order the races ran in.
    await assert_totals_match_ledger(app)


async def test_two_processes_on_one_database(db_target: DatabaseTarget, clock) -> None:  # noqa: ANN001
    """Two independent apps (as two bot processes would be) accepting at the same moment."""

    config = make_config(db_target.url)
    one = await bootstrap(config, clock=clock, database_options=db_target.options)
    two = await bootstrap(config, clock=clock, database_options=db_target.options, migrate=False)
    try:
        opened = await ask(one.bot, alice)
        mid = await answer(one.bot, bob, opened)
        results = await asyncio.gather(
            one.bot.handle(c.AcceptAnswer(alice, mid, event_id="race-a")),
            two.bot.handle(c.AcceptAnswer(mod, mid, event_id="race-b")),
            two.bot.handle(c.AcceptAnswer(alice, mid, event_id="race-a")),
            return_exceptions=True,
        )
        assert sum(isinstance(r, ev.AnswerAccepted) for r in results) == 1, results
        assert await _points(two, bob) == (15, 1)
    finally:
        await one.close()
        await two.close()


async def test_crossing_accepts_do_not_deadlock(app: App) -> None:
    """A accepts B's answer while B accepts A's answer in another question, many times."""

    for _ in range(5):
        q1 = await ask(app.bot, alice, f"q1 {next_id()}")
        q2 = await ask(app.bot, bob, f"q2 {next_id()}")
        a1 = await answer(app.bot, bob, q1)
        a2 = await answer(app.bot, alice, q2)
        results = await asyncio.gather(
            app.bot.handle(c.AcceptAnswer(alice, a1, event_id=next_id("e"))),
            app.bot.handle(c.AcceptAnswer(bob, a2, event_id=next_id("e"))),
        )
        assert all(isinstance(r, ev.AnswerAccepted) for r in results)
    assert await _points(app, bob) == (5 * 15 + 5 * 2, 5)
