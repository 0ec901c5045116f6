"""The question lifecycle: reminders, dormant and solved closes, escalation, onboarding and
anonymous asks.

Two halves. `after_write` runs inside the same transaction as every question command and
(re)schedules or cancels the question's jobs, so a job exists exactly when its question
change was committed. `run_job` runs when a job is due (called by `bot.scheduler`); it
re-checks the rule against the question as it is now, because a lot can happen in 72 hours,
and says what to post. It never sends anything itself: messages become delivery jobs,
committed with the change that caused them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot import errors
from bot.audit import audit
from bot.commands import AskQuestion, PostMessage, RevealAsker, ShowGuidelines
from bot.config import WEEKDAYS, LifecycleConfig, SupportHours
from bot.events import (
    AnswerAccepted,
    AnswerUnaccepted,
    AskerRevealed,
    DeletedOnPlatform,
    GuidelinesShown,
    MessageRecorded,
    QuestionClosed,
    QuestionModerated,
    QuestionOpened,
    QuestionReopened,
    ReportResolved,
    SolvedWithoutHelper,
    Welcome,
)
from bot.jobs import Job, JobKind
from bot.model import CloseReason, Member, Question, QuestionStatus
from bot.moderation import clean_reason, require_moderator
from bot.outbound import ChannelPost, DirectMessage, Outbound, ThreadPost, ThreadState
from bot.ports import UnitOfWork
from bot.questions import Context

log = logging.getLogger(__name__)

RULE_KINDS = (JobKind.REMIND, JobKind.CLOSE_DORMANT, JobKind.CLOSE_SOLVED, JobKind.ESCALATE)
SENT = "sent"
REVEAL_ACTION = "reveal_anonymous_asker"


def settings(ctx: Context, community: str) -> LifecycleConfig:
    return ctx.config.communities[community].lifecycle


# -- support hours --------------------------------------------------------------------------


def next_opening(hours: SupportHours | None, now: datetime) -> datetime | None:
    """None when support is open at `now` (or no hours are set); else when it next opens."""

    if hours is None:
        return None
    tz = ZoneInfo(hours.timezone)
    days = {WEEKDAYS.index(d) for d in hours.days}
    today = now.astimezone(tz).date()
    for offset in range(-1, 9):  # yesterday first: its window may run past midnight
        day = today + timedelta(days=offset)
        if day.weekday() not in days:
            continue
        start, end = _window(hours, day, tz)
        if start <= now < end:
            return None
        if start > now:
            return start.astimezone(UTC)
    raise AssertionError("support hours name at least one weekday")


def _window(hours: SupportHours, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    end_day = day if hours.end > hours.start else day + timedelta(days=1)
    return datetime.combine(day, hours.start, tz), datetime.combine(end_day, hours.end, tz)


# -- scheduling, inside the question's transaction ------------------------------------------


def _helper_roles(cfg: LifecycleConfig, platform: str) -> tuple[str, ...]:
    return tuple(cfg.escalation.helper_role_ids.get(platform, ()))  # type: ignore[call-overload]


def _staff_channel(cfg: LifecycleConfig, platform: str) -> str | None:
    return cfg.escalation.staff_channel_ids.get(platform)  # type: ignore[call-overload]


async def _reschedule(
    uow: UnitOfWork, q: Question, kind: JobKind, due: datetime, now: datetime, create: bool = True
) -> None:
    await uow.jobs.reschedule(
        community=q.community,
        platform=q.platform,
        kind=kind,
        question_id=q.id,
        due_at=due,
        now=now,
        create=create,
    )


async def _plan_open(uow: UnitOfWork, q: Question, cfg: LifecycleConfig, now: datetime) -> None:
    """A question open again (reopened or unsolved): it closes when quiet, and its asker is
    nudged if it has answers."""

    if cfg.close_after_hours > 0:
        await _reschedule(uow, q, JobKind.CLOSE_DORMANT, now + _hours(cfg.close_after_hours), now)
    if cfg.remind_after_hours > 0:
        due = now + _hours(cfg.remind_after_hours)
        answered = bool(await uow.questions.answers(q.id))
        await _reschedule(uow, q, JobKind.REMIND, due, now, create=answered)


def _hours(value: float) -> timedelta:
    return timedelta(hours=value)


async def _welcome(
    uow: UnitOfWork, ctx: Context, member: Member | None, community: str, channel_id: str
) -> Welcome | None:
    onboarding = settings(ctx, community).onboarding
    if not onboarding.welcome or member is None or member.is_bot:
        return None
    if not await uow.lifecycle.welcome_once(member.id, channel_id, ctx.clock.now()):
        return None
    return Welcome(
        member,
        channel_id,
        guidelines_for(ctx, community, channel_id),
        onboarding.welcome_message,
    )


def guidelines_for(ctx: Context, community: str, channel_id: str | None) -> str | None:
    """The channel's own guidelines, else the community's; None means the built-in text."""

    onboarding = settings(ctx, community).onboarding
    if channel_id and channel_id in onboarding.channel_guidelines:
        return onboarding.channel_guidelines[channel_id]
    return onboarding.guidelines


async def _opened(
    cmd: AskQuestion, result: QuestionOpened, uow: UnitOfWork, ctx: Context
) -> QuestionOpened:
    q = result.question
    cfg = settings(ctx, q.community)
    now = ctx.clock.now()
    if cmd.anonymous:
        if not cfg.anonymous_questions:
            raise errors.AnonymousDisabled()  # rolls the question back with it
        await uow.lifecycle.mark_anonymous(q.id)
        q = replace(q, anonymous=True)
    due: dict[JobKind, datetime] = {}
    has_target = _helper_roles(cfg, q.platform) or _staff_channel(cfg, q.platform)
    if cfg.escalate_after_minutes > 0 and has_target:
        due[JobKind.ESCALATE] = q.created_at + timedelta(minutes=cfg.escalate_after_minutes)
    if cfg.close_after_hours > 0:
        due[JobKind.CLOSE_DORMANT] = now + _hours(cfg.close_after_hours)
    await _ensure(uow, q, due, now)
    welcome = await _welcome(uow, ctx, q.asker, q.community, q.channel_id)
    return replace(result, question=q, welcome=welcome)


async def _ensure(
    uow: UnitOfWork, q: Question, due: dict[JobKind, datetime], now: datetime
) -> None:
    await uow.jobs.ensure(
        community=q.community, platform=q.platform, question_id=q.id, due=due, now=now
    )


async def _message(
    cmd: PostMessage, result: MessageRecorded, uow: UnitOfWork, ctx: Context
) -> MessageRecorded:
    if cmd.actor.is_bot:
        return result
    # The handler's UPDATE ... RETURNING read the question under its row lock, so `q`
    # includes any close that a scheduler committed while the message was on its way.
    q = result.question
    cfg = settings(ctx, q.community)
    now = ctx.clock.now()
    reopened = False
    if q.is_closed:
        if cmd.actor.ref == q.asker.ref and q.close_reason == CloseReason.DORMANT:
            q = await uow.questions.set_status(q.id, QuestionStatus.OPEN)
            reopened = True
            await _plan_open(uow, q, cfg, now)
    elif q.status is QuestionStatus.OPEN:
        # Pending close and reminder jobs are not moved on every message: when due, their
        # rules measure quiet time from `last_activity_at` and wait longer if need be, and an
        # escalation sees the answer itself. Only missing jobs are created (a first answer
        # starts the reminder), all in one statement.
        due: dict[JobKind, datetime] = {}
        if cfg.close_after_hours > 0:
            due[JobKind.CLOSE_DORMANT] = now + _hours(cfg.close_after_hours)
        if cfg.remind_after_hours > 0 and result.answer is not None:
            due[JobKind.REMIND] = now + _hours(cfg.remind_after_hours)
        await _ensure(uow, q, due, now)
    welcome = await _welcome(uow, ctx, result.author, q.community, q.channel_id)
    return replace(result, question=q, welcome=welcome, reopened=reopened)


async def _solved(q: Question, uow: UnitOfWork, ctx: Context) -> None:
    cfg = settings(ctx, q.community)
    now = ctx.clock.now()
    await uow.jobs.cancel(q.id, [JobKind.REMIND, JobKind.CLOSE_DORMANT, JobKind.ESCALATE], now)
    if cfg.close_solved_after_hours > 0:
        due = (q.solved_at or now) + _hours(cfg.close_solved_after_hours)
        await _reschedule(uow, q, JobKind.CLOSE_SOLVED, due, now)


async def _unsolved(q: Question, uow: UnitOfWork, ctx: Context) -> None:
    now = ctx.clock.now()
    await uow.jobs.cancel(q.id, [JobKind.CLOSE_SOLVED], now)
    await _plan_open(uow, q, settings(ctx, q.community), now)


async def after_write(command: Any, result: Any, uow: UnitOfWork, ctx: Context) -> Any:
    """Keep the question's jobs in step with the change the command just made."""

    if isinstance(result, QuestionOpened) and isinstance(command, AskQuestion):
        return await _opened(command, result, uow, ctx)
    if isinstance(result, MessageRecorded) and isinstance(command, PostMessage):
        return await _message(command, result, uow, ctx)
    if isinstance(result, AnswerAccepted) and result.newly_solved:
        await _solved(result.question, uow, ctx)
    elif isinstance(result, SolvedWithoutHelper):
        await _solved(result.question, uow, ctx)
    elif isinstance(result, QuestionReopened) or (
        isinstance(result, AnswerUnaccepted) and result.reopened
    ):
        await _unsolved(result.question, uow, ctx)
    elif isinstance(result, QuestionClosed):
        await uow.jobs.cancel(result.question.id, RULE_KINDS, ctx.clock.now())
    elif isinstance(result, QuestionModerated):
        await _moderated(result.question, result.action, uow, ctx)
    elif isinstance(result, ReportResolved | DeletedOnPlatform) and result.question is not None:
        # A report on the question itself resolved by deleting it, or its message deleted on
        # the platform: as a moderator's delete.
        await _moderated(result.question, "delete", uow, ctx)
    elif (
        isinstance(result, ReportResolved | DeletedOnPlatform)
        and result.withdrawn is not None
        and result.withdrawn.reopened
    ):
        # The answer that alone solved it was deleted: open again, as after /unsolve.
        await _unsolved(result.withdrawn.question, uow, ctx)
    return result


async def _moderated(q: Question, action: str, uow: UnitOfWork, ctx: Context) -> None:
    """A moderator closed, deleted, reopened or restored the question (or the asker objected
    to a duplicate close, or a report on it was resolved by deleting it). Closed or deleted:
    its pending jobs go. Reopened or restored, and unsolved: it is planned like any open
    question (it closes again when quiet); restored and solved, its solved-close is planned. A solved question a moderator reopened is not closed again by the
    solved-close rule: that was deliberate."""

    now = ctx.clock.now()
    if q.is_closed or q.is_deleted:
        await uow.jobs.cancel(q.id, RULE_KINDS, now)
    elif action in ("reopen", "not_duplicate", "restore") and q.status is QuestionStatus.OPEN:
        await _plan_open(uow, q, settings(ctx, q.community), now)
    elif action == "restore" and q.status is QuestionStatus.SOLVED:
        await _solved(q, uow, ctx)  # its solved-close, as if it had never been deleted


# -- running due jobs -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a due job did: `outcome` is recorded on the job; `messages` are delivered after
    the commit; `wait_until` puts the job back to sleep instead of finishing it."""

    outcome: str
    messages: tuple[Outbound, ...] = field(default_factory=tuple)
    wait_until: datetime | None = None


async def run_job(job: Job, uow: UnitOfWork, ctx: Context) -> Outcome:
    if job.question_id is None:
        return Outcome("no_question")
    q = await uow.questions.get(job.question_id, for_update=True)
    if q is None:
        return Outcome("no_question")
    if q.is_deleted:
        # Deleting cancels pending jobs; this catches one already claimed when it happened.
        return Outcome("deleted")
    rule = _RULES[job.kind]
    return await rule(q, uow, ctx, settings(ctx, q.community), ctx.clock.now())


async def _remind(
    q: Question, uow: UnitOfWork, ctx: Context, cfg: LifecycleConfig, now: datetime
) -> Outcome:
    if q.is_closed or q.status is not QuestionStatus.OPEN or cfg.remind_after_hours <= 0:
        return Outcome("not_open")
    if await uow.jobs.happened(q.id, JobKind.REMIND, SENT):
        return Outcome("already_reminded")
    due = q.last_activity_at + _hours(cfg.remind_after_hours)
    if due > now:
        return Outcome("not_quiet", wait_until=due)
    if not await uow.questions.answers(q.id):
        return Outcome("no_answers")
    thread = q.thread
    if thread is None:
        return Outcome("no_thread")
    params = {"id": q.id, "hours": _int(cfg.remind_after_hours)}
    if q.anonymous:
        # No mention in public; the asker hears it privately.
        return Outcome(
            SENT,
            (
                ThreadPost(
                    q.community,
                    thread,
                    "lifecycle.remind_anonymous",
                    params,
                    actions=("mark_solved",),
                    question_id=q.id,
                ),
                DirectMessage(
                    q.community, q.asker.ref, "lifecycle.remind_dm", {**params, "title": q.title}
                ),
            ),
        )
    return Outcome(
        SENT,
        (
            ThreadPost(
                q.community,
                thread,
                "lifecycle.remind",
                {**params, "asker": q.asker.display_name},
                actions=("mark_solved",),
                mention_user_ids=(q.asker.ref.id,),
                question_id=q.id,
            ),
        ),
    )


async def _close_dormant(
    q: Question, uow: UnitOfWork, ctx: Context, cfg: LifecycleConfig, now: datetime
) -> Outcome:
    if q.is_closed or q.status is not QuestionStatus.OPEN or cfg.close_after_hours <= 0:
        return Outcome("not_open")
    due = q.last_activity_at + _hours(cfg.close_after_hours)
    if due > now:
        return Outcome("not_quiet", wait_until=due)
    q = await uow.questions.set_status(
        q.id, QuestionStatus.CLOSED, closed_at=now, close_reason=CloseReason.DORMANT
    )
    await uow.jobs.cancel(q.id, [JobKind.REMIND, JobKind.ESCALATE], now)
    return Outcome("closed", _closing(q, "lifecycle.closed_dormant", cfg.close_after_hours))


async def _close_solved(
    q: Question, uow: UnitOfWork, ctx: Context, cfg: LifecycleConfig, now: datetime
) -> Outcome:
    if q.is_closed or q.status is not QuestionStatus.SOLVED or cfg.close_solved_after_hours <= 0:
        return Outcome("not_solved")
    due = (q.solved_at or now) + _hours(cfg.close_solved_after_hours)
    if due > now:
        return Outcome("not_yet", wait_until=due)
    q = await uow.questions.set_status(
        q.id,
        QuestionStatus.SOLVED,
        solved_at=q.solved_at,
        closed_at=now,
        close_reason=CloseReason.SOLVED,
    )
    return Outcome(
        "closed", _closing(q, "lifecycle.closed_solved", cfg.close_solved_after_hours, solved=True)
    )


def _closing(
    q: Question, key: str, hours: float, solved: bool | None = None
) -> tuple[Outbound, ...]:
    thread = q.thread
    if thread is None:
        return ()
    return (
        ThreadPost(q.community, thread, key, {"id": q.id, "hours": _int(hours)}, question_id=q.id),
        ThreadState(q.community, thread, archived=True, solved=solved),
    )


async def _escalate(
    q: Question, uow: UnitOfWork, ctx: Context, cfg: LifecycleConfig, now: datetime
) -> Outcome:
    if q.is_closed or q.status is not QuestionStatus.OPEN or cfg.escalate_after_minutes <= 0:
        return Outcome("not_open")
    if await uow.jobs.happened(q.id, JobKind.ESCALATE, SENT):
        return Outcome("already_escalated")
    if await uow.questions.answers(q.id):
        return Outcome("answered")
    due = q.created_at + timedelta(minutes=cfg.escalate_after_minutes)
    if due > now:
        return Outcome("not_yet", wait_until=due)
    opening = next_opening(cfg.support_hours, now)
    if opening is not None:
        return Outcome("outside_support_hours", wait_until=opening)
    roles, staff = _helper_roles(cfg, q.platform), _staff_channel(cfg, q.platform)
    minutes = round((now - q.created_at).total_seconds() / 60)
    params = {"id": q.id, "minutes": minutes, "title": q.title}
    messages: list[Outbound] = []
    if roles and q.thread is not None:
        messages.append(
            ThreadPost(
                q.community,
                q.thread,
                "lifecycle.escalated",
                params,
                mention_role_ids=roles,
                question_id=q.id,
            )
        )
    if staff:
        # A private channel's question: its number and link, not its words (the staff
        # channel's members need not be in that channel).
        key, words = (
            ("lifecycle.escalated_staff_private", {"id": q.id, "minutes": minutes})
            if q.private
            else ("lifecycle.escalated_staff", params)
        )
        messages.append(
            ChannelPost(
                q.community,
                q.platform,
                staff,
                key,
                {**words, "channel_id": q.channel_id, "thread_id": q.thread_id or ""},
                reference_id=q.thread_id or q.message_id,
            )
        )
    if not messages:
        return Outcome("no_target")
    return Outcome(SENT, tuple(messages))


def _int(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


_RULES = {
    JobKind.REMIND: _remind,
    JobKind.CLOSE_DORMANT: _close_dormant,
    JobKind.CLOSE_SOLVED: _close_solved,
    JobKind.ESCALATE: _escalate,
}


# -- commands -------------------------------------------------------------------------------


async def show_guidelines(cmd: ShowGuidelines, uow: UnitOfWork, ctx: Context) -> GuidelinesShown:
    community = cmd.actor.ref.community
    return GuidelinesShown(cmd.channel_id, guidelines_for(ctx, community, cmd.channel_id))


async def reveal_asker(cmd: RevealAsker, uow: UnitOfWork, ctx: Context) -> AskerRevealed:
    """Moderators only. Every lookup is written to the audit log."""

    require_moderator(cmd.actor)
    q = await uow.questions.get(cmd.question_id)
    if q is None or q.community != cmd.actor.ref.community:
        raise errors.QuestionNotFound()
    if not q.anonymous:
        raise errors.NotAnonymous()
    moderator = await uow.members.upsert(cmd.actor)
    # AUDIT: every lookup is a row in the moderation audit log, in this same transaction
    # (refusals are audited by the service, see CommunityBot._record_refusal).
    await audit(
        uow, ctx, moderator, REVEAL_ACTION, target=q.asker, question=q, names_asker=True,
        reason=clean_reason(cmd.reason),
    )  # fmt: skip
    return AskerRevealed(q, q.asker)


READS = {ShowGuidelines: show_guidelines}
WRITES = {RevealAsker: reveal_asker}
AFTER_WRITE = after_write
