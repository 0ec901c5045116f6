"""The cached totals always equal the ledger they are derived from."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot import commands as c
from bot.bootstrap import App
from storage.models import LedgerRow, ReputationTotalRow
from tests.helpers import actor, answer, ask, next_id, thread_of

alice, bob, mod = actor("alice"), actor("bob"), actor("mod", mod=True)


async def _check_totals(app: App) -> None:
    db = app.database
    async with db.connect() as conn:  # type: ignore[attr-defined]
        ledger = dict(
            (
                await conn.execute(
                    select(LedgerRow.member_id, func.sum(LedgerRow.delta)).group_by(
                        LedgerRow.member_id
                    )
                )
            ).all()
        )
        totals = dict(
            (
                await conn.execute(select(ReputationTotalRow.member_id, ReputationTotalRow.points))
            ).all()
        )
    assert {k: v for k, v in totals.items() if v or k in ledger} == {
        k: int(v) for k, v in ledger.items()
    }


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
    await _check_totals(app)
