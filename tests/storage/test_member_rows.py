"""A member's stored row follows what the platform last said about them (name, moderator
flag), in one process and, within the member cache's expiry, across processes."""

from __future__ import annotations

from typing import Any

import pytest

from bot import commands as c
from bot import events as ev
from bot.bootstrap import App, bootstrap
from bot.clock import FakeClock
from bot.model import Actor, Member, MemberRef, Period
from storage.repositories import MEMBER_CACHE_EXPIRY
from tests.conftest import DatabaseTarget, make_config
from tests.helpers import actor, answer, ask, next_id

alice = actor("alice")
BOB = MemberRef("console", "default", "u-bob")


def bob(name: str = "Bob", *, mod: bool = False) -> Actor:
    return Actor(BOB, name, is_moderator=mod)


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    return {
        "communities": {"default": {"reputation": {"exclude_moderators_from_leaderboard": True}}}
    }


async def stored(app: App) -> Member:
    async with app.database.uow(write=False) as uow:
        member = await uow.members.find(BOB)
    assert member is not None
    return member


async def board(app: App) -> list[str]:
    """The leaderboard's names but the asker's (who earns a bonus for accepting)."""
    shown = await app.bot.handle(c.ShowLeaderboard(alice, Period.ALL))
    assert isinstance(shown, ev.LeaderboardShown)
    return [r.member.display_name for r in shown.rows if r.member.ref != alice.ref]


async def test_going_back_to_an_earlier_name_or_role_is_stored(app: App) -> None:
    opened = await ask(app.bot, alice, "q")
    mid = await answer(app.bot, bob(), opened)
    await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
    assert await board(app) == ["Bob"]
    # Made a moderator, then not: off the leaderboard, then on it again.
    await answer(app.bot, bob(mod=True), opened)
    assert (await stored(app)).is_moderator and await board(app) == []
    await answer(app.bot, bob(), opened)
    assert not (await stored(app)).is_moderator and await board(app) == ["Bob"]
    # Renamed, then back: the name shown is the current one.
    await answer(app.bot, bob("Robert"), opened)
    assert await board(app) == ["Robert"]
    await answer(app.bot, bob(), opened)
    assert (await stored(app)).display_name == "Bob" and await board(app) == ["Bob"]


async def test_two_processes_agree_once_the_cache_expires(
    db_target: DatabaseTarget, clock: FakeClock, config_overrides: dict[str, Any]
) -> None:
    config = make_config(db_target.url, **config_overrides)
    one = await bootstrap(config, clock=clock, database_options=db_target.options)
    two = await bootstrap(config, clock=clock, database_options=db_target.options, migrate=False)
    try:
        opened = await ask(one.bot, alice, "q")
        mid = await answer(one.bot, bob(), opened)  # `one` writes and remembers "Bob"
        await one.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
        await answer(two.bot, bob(mod=True), opened)  # promoted, seen by `two`
        assert await board(one) == []
        # Demoted, seen by `one`, which wrote "Bob, no moderator" last: once that is older
        # than the cache's expiry, it writes the row again.
        clock.advance(seconds=MEMBER_CACHE_EXPIRY.total_seconds() + 1)
        await answer(one.bot, bob(), opened)
        assert not (await stored(one)).is_moderator
        assert await board(one) == ["Bob"] and await board(two) == ["Bob"]
    finally:
        await one.close()
        await two.close()
