"""The one writer of the moderation audit log's rows.

Its own module so that questions (a non-asker accepting or closing), moderation, the
knowledge base, the lifecycle and the command line all write rows the same way without
importing each other, and so that the rule protecting anonymous askers is kept in one place.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.model import AuditOutcome, Member, NewAuditEntry, Question, Report
from bot.ports import UnitOfWork

if TYPE_CHECKING:
    from bot.questions import Context


async def audit(
    uow: UnitOfWork,
    ctx: Context,
    actor: Member,
    action: str,
    *,
    outcome: AuditOutcome = AuditOutcome.DONE,
    target: Member | None = None,
    question: Question | None = None,
    names_asker: bool = False,
    ledger_id: int | None = None,
    report_id: int | None = None,
    reason: str | None = None,
    detail: str | None = None,
) -> None:
    """Append `actor`'s `action` (done, or refused) to the audit log of their community.

    A row about a question is given the `Question` itself (there is no way to pass its id
    alone), so that a row about an anonymous question names its asker in neither role,
    actor or target: any moderator reads the log, so it would tell them who asked.
    `names_asker=True` says the row is there to name them: `RevealAsker` only, itself
    audited.
    """

    def named(member: Member) -> bool:
        return names_asker or not is_hidden_asker(member, question)

    await _append(
        uow, actor.ref.community, ctx.clock.now(), action, outcome=outcome,
        actor_id=actor.id if named(actor) else None,
        target_id=target.id if target and named(target) else None,
        target_hidden=target is not None and not named(target),
        question_id=question.id if question is not None else None,
        ledger_id=ledger_id, report_id=report_id, reason=reason, detail=detail,
    )  # fmt: skip


async def audit_report(
    uow: UnitOfWork, ctx: Context, actor: Member, action: str, report: Report, *,
    question: Question | None, reason: str | None = None,
) -> None:  # fmt: skip
    """A row about a report being resolved (and the warning it gave): about the reported
    message's author, in the report's question (`question`, the report's own, or None).

    It names the author as the report itself does (the moderators' post, /mod reports):
    filing already left out an anonymous asker as the author of their question's own
    message (`report_message`), and their other messages in the thread are anyone's; hidden
    here, next to a report that names them, they would be singled out as the asker.

    The resolving moderator is left out when they asked that question anonymously, as in
    every other row about it (`audit`): the rows written with this one (an accepted answer's
    points taken back) leave them out, and their name beside those would say who asked.
    The report itself still records who resolved it.
    """

    if (question.id if question else None) != report.question_id:
        raise ValueError("audit_report takes the report's own question")
    await _append(
        uow, actor.ref.community, ctx.clock.now(), action,
        actor_id=None if is_hidden_asker(actor, question) else actor.id,
        target_id=report.author.id if report.author else None,
        question_id=report.question_id, report_id=report.id, reason=reason,
    )  # fmt: skip


async def audit_report_by_platform(uow: UnitOfWork, ctx: Context, report: Report) -> None:
    """A report resolved because the platform deleted its message (`bot.deletions`): no
    actor (the platform does not say who deleted it; "the platform" is shown), its author
    named as the report names them (see `audit_report`)."""

    await _append(
        uow, report.community, ctx.clock.now(), f"{PLATFORM_PREFIX}report_deleted",
        actor_id=None, target_id=report.author.id if report.author else None,
        question_id=report.question_id, report_id=report.id,
    )  # fmt: skip


def is_hidden_asker(member: Member, question: Question | None) -> bool:
    """Whether `member` asked `question` anonymously: rows about it do not name them, and
    neither does anything else moderators read about it (see `ReportResolved`)."""

    return question is not None and question.anonymous and member.id == question.asker.id


async def audit_by_bot(
    uow: UnitOfWork, community: str, at: datetime, action: str, *, detail: str | None = None
) -> None:
    """A row the bot writes itself, with no member acting (the knowledge-base import of the
    command line). It names no question: a row with no actor but a question is always one
    whose actor, an anonymous question's asker, was left out (and is shown as such)."""

    await _append(uow, community, at, action, actor_id=None, detail=detail)


PLATFORM_PREFIX = "platform_"


async def audit_by_platform(
    uow: UnitOfWork,
    ctx: Context,
    action: str,
    target: Member,
    question: Question,
    *,
    ledger_id: int | None = None,
) -> None:
    """A row about a deletion the platform reported (`action` starts with "platform_"):
    a question's message or an accepted answer deleted by its author, or by whoever the
    platform let delete it. Neither platform says who, so the row names no actor; its
    action says why (`ModerationPresenter` shows "the platform"). The target is left out
    when they asked the question anonymously, as in every row about it."""

    if not action.startswith(PLATFORM_PREFIX):
        raise ValueError(f"a platform row's action starts with {PLATFORM_PREFIX!r}")
    hidden = is_hidden_asker(target, question)
    await _append(
        uow, question.community, ctx.clock.now(), action, actor_id=None,
        target_id=None if hidden else target.id, target_hidden=hidden,
        question_id=question.id, ledger_id=ledger_id,
    )  # fmt: skip


async def _append(
    uow: UnitOfWork,
    community: str,
    at: datetime,
    action: str,
    *,
    actor_id: int | None,
    outcome: AuditOutcome = AuditOutcome.DONE,
    target_id: int | None = None,
    target_hidden: bool = False,
    question_id: int | None = None,
    ledger_id: int | None = None,
    report_id: int | None = None,
    reason: str | None = None,
    detail: str | None = None,
) -> None:
    await uow.moderation.audit(
        NewAuditEntry(
            community=community,
            actor_id=actor_id,
            action=action,
            outcome=outcome,
            target_member_id=target_id,
            target_hidden=target_hidden,
            question_id=question_id,
            ledger_id=ledger_id,
            report_id=report_id,
            reason=reason,
            detail=detail,
        ),
        at,
    )
