"""welcome_once answers True once per (member, channel), also through the process-wide
WelcomedCache, which must never remember a welcome that was rolled back."""

from __future__ import annotations

from bot.bootstrap import App
from bot.clock import FakeClock
from tests.helpers import actor


async def test_welcomed_once_and_a_rolled_back_welcome_is_not_remembered(
    app: App, clock: FakeClock
) -> None:
    async with app.database.uow() as uow:
        member = await uow.members.upsert(actor("alice"))
        await uow.commit()
    async with app.database.uow() as uow:
        assert await uow.lifecycle.welcome_once(member.id, "help", clock.now())
        await uow.rollback()  # e.g. the event failed after the welcome was recorded
    for expected in (True, False, False):  # the third answer can come from the cache
        async with app.database.uow() as uow:
            assert await uow.lifecycle.welcome_once(member.id, "help", clock.now()) is expected
            await uow.commit()
    async with app.database.uow() as uow:
        assert await uow.lifecycle.welcome_once(member.id, "general", clock.now())
