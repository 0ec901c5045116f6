"""The invariant every reputation test can lean on: cached totals equal the ledger."""

from __future__ import annotations

from sqlalchemy import case, func, select

from bot.bootstrap import App
from bot.model import LedgerReason
from storage.models import LedgerRow, ReputationTotalRow


async def assert_totals_match_ledger(app: App) -> None:
    """Points and accepted-answer counts in `reputation_totals` are exactly what the
    append-only ledger adds up to (a reversal of an accepted answer subtracts one)."""

    reversed_row = LedgerRow.__table__.alias("reversed_row")
    accepted = case(
        (LedgerRow.reason == LedgerReason.ACCEPTED_ANSWER.value, 1),
        (reversed_row.c.reason == LedgerReason.ACCEPTED_ANSWER.value, -1),
        else_=0,
    )
    ledger_query = (
        select(LedgerRow.member_id, func.sum(LedgerRow.delta), func.sum(accepted))
        .outerjoin(reversed_row, reversed_row.c.id == LedgerRow.reverses_id)
        .group_by(LedgerRow.member_id)
    )
    totals_query = select(
        ReputationTotalRow.member_id, ReputationTotalRow.points, ReputationTotalRow.accepted_count
    )
    async with app.database.connect() as conn:
        ledger = {m: (int(p), int(a)) for m, p, a in (await conn.execute(ledger_query)).all()}
        totals = {m: (p, a) for m, p, a in (await conn.execute(totals_query)).all()}
    assert ledger, "the ledger is empty: nothing was checked"
    assert {m: v for m, v in totals.items() if v != (0, 0) or m in ledger} == ledger
