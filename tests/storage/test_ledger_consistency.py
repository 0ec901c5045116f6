"""The cached totals always equal the ledger they are derived from."""

from __future__ import annotations

import asyncio

from bot import commands as c
from bot.bootstrap import App
from tests.helpers import actor, answer, ask, next_id, thread_of
from tests.storage.ledger_checks import assert_totals_match_ledger

alice, bob, mod = actor("alice"), actor("bob"), actor("mod", mod=True)


async def test_totals_match_ledger_after_concurrent_churn(app: App) -> None:
    async def churn(i: int) -> None:
        opened = await ask(app.bot, alice, f"churn {i}")
        mid = await answer(app.bot, bob, opened)
        await app.bot.handle(c.AcceptAnswer(alice, mid, event_id=next_id("e")))
        await asyncio.gather(
            app.bot.handle(c.Unsolve(mod, thread_of(opened), event_id=next_id("e"))),
            app.bot.handle(c.Unsolve(alice, thread_of(opened), event_id=next_id("e"))),
            return_exceptions=True,
        )

    await asyncio.gather(*(churn(i) for i in range(8)))
    await assert_totals_match_ledger(app)
