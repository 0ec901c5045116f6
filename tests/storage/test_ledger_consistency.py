"""The cached totals always equal the ledger they are derived from, and the ledger hands back
exactly the rows it stored."""

from __future__ import annotations

import asyncio

from bot import commands as c
from bot.bootstrap import App
from bot.clock import FakeClock
from bot.model import LedgerReason, NewLedgerEntry
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


async def test_append_returns_the_entry_as_stored(app: App, clock: FakeClock) -> None:
    async with app.database.uow() as uow:
        receiver = await uow.members.upsert(bob)
        giver = await uow.members.upsert(mod)
        await uow.ledger.lock_member(receiver)
        new = NewLedgerEntry(
            member_id=receiver.id,
            delta=5,
            reason=LedgerReason.MANUAL,
            actor_id=giver.id,
            source_event="e-append",
            note="kind",
            capped=False,
        )
        entry, total = await uow.ledger.append("default", new, clock.now())
        await uow.commit()
    assert total == 5
    assert (entry.member_id, entry.actor_id, entry.note) == (receiver.id, giver.id, "kind")
    async with app.database.uow(write=False) as uow:
        assert await uow.moderation.ledger_entry("default", entry.id) == entry
