"""Reputation rules: who earns what, the daily cap, and reversals.

Every change is a new ledger row; a reversal is another row pointing at the one it undoes.
Totals, ranks and leaderboards are derived from the ledger (and cached by storage).

The anti-gaming rules (a help ban, the daily cap, nobody earning from themselves) judge new
earning only (`award`). Points already earned always go back in full (`reverse`), and move
whole to an acceptance that carries them on (`carry_over`), whatever has changed since.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta

from bot.config import ReputationConfig
from bot.events import PointChange
from bot.model import (
    Acceptance,
    Answer,
    LedgerEntry,
    LedgerReason,
    Member,
    NewLedgerEntry,
    Period,
    Question,
)
from bot.ports import UnitOfWork

# Reasons the daily cap does not apply to: accepted answers are the thing we most want to
# reward, and reversals/moderator adjustments must always go through in full.
UNCAPPED = frozenset({LedgerReason.ACCEPTED_ANSWER, LedgerReason.REVERSAL, LedgerReason.MANUAL})

# The note on the reversal rows a moderator writes (`/mod rep revert`, a period revert), as
# opposed to the reversals that follow an acceptance taken back: credit for accepting in a
# question that a moderator took back is not earned again in that question (see `award`).
MODERATOR_REVERSAL = "moderator revert"
_ACCEPTANCE_CREDIT = frozenset({LedgerReason.ACCEPTED_ANSWER, LedgerReason.ACCEPTED_BONUS})


def capped_amount(requested: int, earned_today: int, daily_cap: int) -> int:
    """How much of `requested` still fits under today's cap (never negative)."""

    if requested <= 0:
        return requested
    return max(0, min(requested, daily_cap - earned_today))


# A period's length in UTC calendar days, today included.
PERIOD_DAYS = {Period.WEEK: 7, Period.MONTH: 30}


def period_start(period: Period, now: datetime) -> datetime | None:
    """Rolling windows, so a leaderboard never resets to empty: a week is the last 7 UTC
    calendar days, today included, and a month the last 30. Points are summed per UTC day,
    so the window starts at midnight UTC of its first day (None: all time)."""

    days = PERIOD_DAYS.get(period)
    if days is None:
        return None
    first = now.astimezone(UTC).date() - timedelta(days=days - 1)
    return datetime.combine(first, time(), tzinfo=UTC)


async def award(
    uow: UnitOfWork,
    rules: ReputationConfig,
    community: str,
    member: Member,
    delta: int,
    reason: LedgerReason,
    at: datetime,
    *,
    actor: Member | None = None,
    question_id: int | None = None,
    acceptance_id: int | None = None,
    source_event: str | None = None,
    note: str | None = None,
) -> PointChange | None:
    """Write one reputation change, applying the anti-gaming rules; None if nothing earned.
    For new earning only: see `reverse` and `carry_over` for points already earned.

    Credit for an acceptance (the helper's, the asker's bonus) that a moderator reverted in
    a question is not earned again there: otherwise the asker could take the acceptance back
    and give it again (a ✅ off and on, /unsolve then /solved) and undo the moderator."""

    if member.is_bot or delta == 0:
        return None
    if actor is not None and actor.id == member.id and reason is not LedgerReason.MANUAL:
        return None  # nobody earns points from themselves
    capped = reason not in UNCAPPED
    if reason not in (LedgerReason.MANUAL, LedgerReason.REVERSAL) and (
        await uow.moderation.active_helpban(member.id, at)
    ):
        return None  # help-banned: no points until the ban expires
    await uow.ledger.lock_member(member)
    if (
        reason in _ACCEPTANCE_CREDIT
        and question_id is not None
        and await uow.ledger.reversed_in_question(
            member.id, question_id, reason, note=MODERATOR_REVERSAL
        )
    ):
        return None  # (read under the member's lock: a revert in flight is seen)
    if capped:
        earned = await uow.ledger.capped_earned(member.id, at.date())
        delta = capped_amount(delta, earned, rules.daily_cap)
        if delta == 0:
            return None
    entry, total = await uow.ledger.append(
        community,
        NewLedgerEntry(
            member_id=member.id,
            delta=delta,
            reason=reason,
            actor_id=actor.id if actor else None,
            question_id=question_id,
            acceptance_id=acceptance_id,
            source_event=source_event,
            note=note,
            capped=capped,
            accepted_delta=1 if reason is LedgerReason.ACCEPTED_ANSWER else 0,
        ),
        at,
    )
    return PointChange(member, entry.delta, reason, total, entry.id)


async def reverse(
    uow: UnitOfWork,
    community: str,
    entries: Iterable[LedgerEntry],
    members: dict[int, Member],
    at: datetime,
    *,
    actor: Member | None,
    source_event: str | None,
    note: str | None = None,
) -> list[PointChange]:
    """Append one reversal row per entry; the originals stay untouched. `note`: on each
    reversal row (`MODERATOR_REVERSAL` for a moderator's revert)."""

    entries = list(entries)
    # Every path that changes several members' points locks them in id order first, so
    # concurrent reversals and accepts can never wait on each other in a cycle (PostgreSQL).
    for member_id in sorted({e.member_id for e in entries}):
        await uow.ledger.lock_member(members[member_id])
    changes: list[PointChange] = []
    for entry in entries:
        member = members[entry.member_id]
        row, total = await uow.ledger.append(
            community,
            NewLedgerEntry(
                member_id=entry.member_id,
                delta=-entry.delta,
                reason=LedgerReason.REVERSAL,
                actor_id=actor.id if actor else None,
                question_id=entry.question_id,
                acceptance_id=entry.acceptance_id,
                source_event=source_event,
                reverses_id=entry.id,
                note=note,
                capped=False,
                accepted_delta=-1 if entry.reason is LedgerReason.ACCEPTED_ANSWER else 0,
            ),
            at,
        )
        changes.append(PointChange(member, row.delta, LedgerReason.REVERSAL, total, row.id))
    return changes


async def carry_over(
    uow: UnitOfWork,
    community: str,
    earned: LedgerEntry,
    member: Member,
    at: datetime,
    *,
    acceptance_id: int,
    actor: Member | None,
) -> PointChange:
    """Points `member` earned (`earned`, just reversed with the acceptance it was tied to),
    earned again in full, tied to `acceptance_id`, an acceptance that carries them from now
    on (so that taking that one back takes them back).

    Not new earning: the member ends where they were. So a help ban or today's cap, which
    stop new earning, do not apply (a ban placed since the acceptance would otherwise cost
    the member what they earned before it), and the row does not count toward today's cap.
    """

    await uow.ledger.lock_member(member)
    row, total = await uow.ledger.append(
        community,
        NewLedgerEntry(
            member_id=member.id,
            delta=earned.delta,
            reason=earned.reason,
            actor_id=actor.id if actor else None,
            question_id=earned.question_id,
            acceptance_id=acceptance_id,
            capped=False,
            accepted_delta=1 if earned.reason is LedgerReason.ACCEPTED_ANSWER else 0,
        ),
        at,
    )
    return PointChange(member, row.delta, earned.reason, total, row.id)


async def take_back(
    uow: UnitOfWork,
    question: Question,
    answer: Answer,
    at: datetime,
    *,
    actor: Member | None,
    source_event: str | None = None,
) -> tuple[list[Acceptance], list[PointChange]] | None:
    """Revoke `answer`'s acceptance in `question` (locked) and reverse the points it earned:
    the helper's, and the asker's bonus when it was the first accepted. The question's other
    accepted answers keep their credit, and what still stands moves, whole, to an acceptance
    that stands (so that /unsolve takes it back later): the helper's credit if another answer
    of theirs is accepted, and the asker's bonus if any answer is (they did close the loop).
    Returns the acceptances still standing and the ledger rows written; None when the
    answer was not accepted."""

    revoked = await uow.questions.revoke_acceptances_of(answer, at)
    if not revoked:
        return None
    entries = await uow.ledger.unreversed_for_acceptances([a.id for a in revoked])
    members = {answer.author.id: answer.author, question.asker.id: question.asker}
    changes = await reverse(
        uow, question.community, entries, members, at, actor=actor, source_event=source_event
    )
    remaining = await uow.questions.active_acceptances(question.id)
    # What still stands moves whole, earned before (a help ban or today's cap since does
    # not cost it), see `carry_over`.
    credit = next((e for e in entries if e.reason is LedgerReason.ACCEPTED_ANSWER), None)
    still_theirs = [a for a in remaining if a.answer.author.id == answer.author.id]
    if credit is not None and still_theirs:
        # Their credit in this question went with this answer; another accepted answer of
        # theirs still stands and carries it from now on.
        changes.append(
            await carry_over(
                uow, question.community, credit, answer.author, at,
                acceptance_id=still_theirs[0].id, actor=still_theirs[0].accepted_by,
            )
        )  # fmt: skip
    bonus = next((e for e in entries if e.reason is LedgerReason.ACCEPTED_BONUS), None)
    if bonus is not None and remaining:
        # The asker's bonus went with the first acceptance; the question is still solved
        # by an accepted answer, which carries it from now on.
        changes.append(
            await carry_over(
                uow, question.community, bonus, question.asker, at,
                acceptance_id=remaining[0].id, actor=None,
            )
        )  # fmt: skip
    return remaining, changes
