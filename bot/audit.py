"""The one writer of the moderation audit log's rows for core commands.

Its own module so that questions (a non-asker accepting or closing), moderation, the
knowledge base and the lifecycle all write rows the same way without importing each other,
and so that the rule protecting anonymous askers is kept in one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.model import Member, NewAuditEntry, Question, Report
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
    names_asker: bool = False,
    ledger_id: int | None = None,
    report_id: int | None = None,
    reason: str | None = None,
    detail: str | None = None,
) -> None:
    """Append `actor`'s `action` to the audit log of the actor's community.

    A row about a question is given the `Question` itself (there is no way to pass its id
    alone), so that a row about an anonymous question names its asker in neither role,
    actor or target: any moderator reads the log, so it would tell them who asked.
    `names_asker=True` says the row is there to name them: `RevealAsker` only, itself
    audited.
    """

    hidden = None
    if question is not None and question.anonymous and not names_asker:
        hidden = question.asker.id
    await uow.moderation.audit(
        NewAuditEntry(
            community=actor.ref.community,
            actor_id=None if actor.id == hidden else actor.id,
            action=action,
            target_member_id=target.id if target and target.id != hidden else None,
            question_id=question.id if question is not None else None,
            ledger_id=ledger_id,
            report_id=report_id,
            reason=reason,
            detail=detail,
        ),
        ctx.clock.now(),
    )


async def audit_report(
    uow: UnitOfWork, ctx: Context, actor: Member, action: str, report: Report, *,
    reason: str | None = None,
) -> None:  # fmt: skip
    """A resolved report's row: about the reported message's author, in the report's
    question. It names the author as the report itself does (the moderators' post, /mod
    reports): filing already left out an anonymous asker as the author of their question's
    own message (`report_message`), and their other messages in the thread are anyone's;
    hidden here, next to a report that names them, they would be singled out as the asker.
    """

    await uow.moderation.audit(
        NewAuditEntry(
            community=actor.ref.community,
            actor_id=actor.id,
            action=action,
            target_member_id=report.author.id if report.author else None,
            question_id=report.question_id,
            report_id=report.id,
            reason=reason,
        ),
        ctx.clock.now(),
    )
