"""The one writer of the moderation audit log's rows for core commands.

Its own module so that questions (a non-asker accepting or closing), moderation, the
knowledge base and the lifecycle all write rows the same way without importing each other,
and so that the rule protecting anonymous askers is kept in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.model import Member, NewAuditEntry, Question
from bot.ports import UnitOfWork

if TYPE_CHECKING:
    from bot.questions import Context


async def audit(
    uow: UnitOfWork,
    ctx: Context,
    actor: Member,
    action: str,
    *,
    target: Member | None = None,
    question: Question | None = None,
    question_id: int | None = None,
    ledger_id: int | None = None,
    report_id: int | None = None,
    reason: str | None = None,
    detail: str | None = None,
) -> None:
    """Append `actor`'s `action` to the audit log of the actor's community.

    Given the `question` acted on (rather than just its id), a row about an anonymous
    question names its asker in neither role, target or actor: any moderator reads the log,
    so it would tell them who asked. Only `RevealAsker`, itself audited, names them (it
    passes the id alone).
    """

    hidden = question.asker.id if question is not None and question.anonymous else None
    await uow.moderation.audit(
        NewAuditEntry(
            community=actor.ref.community,
            actor_id=None if actor.id == hidden else actor.id,
            action=action,
            target_member_id=target.id if target and target.id != hidden else None,
            question_id=question.id if question is not None else question_id,
            ledger_id=ledger_id,
            report_id=report_id,
            reason=reason,
            detail=detail,
        ),
        ctx.clock.now(),
    )
