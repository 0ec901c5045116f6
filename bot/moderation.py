"""Moderator commands, reports and thanks: one handler set that every adapter calls.

Every moderator action appends a row to the audit log in the same transaction as the change.
A refused attempt (`NotModerator`) rolls its transaction back, so the service records the
refusal in a transaction of its own (`record_refusal`). Messages to members and to the
moderators' channel are returned as `outbound` on the result and sent by the service only
after the commit, so nobody is told about a change that did not happen.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot import errors
from bot.articles import ARTICLE_PREFIX, parse_item
from bot.audit import (
    audit,
    audit_by_platform,
    audit_report,
    audit_report_by_platform,
    is_hidden_asker,
)
from bot.commands import (
    AdjustReputation,
    HelpBanMember,
    ListReports,
    ModerateQuestion,
    NotDuplicate,
    PostMessage,
    QuestionAction,
    ReportMessage,
    ResolveReport,
    RevertLedgerEntry,
    RevertPeriod,
    ShowAudit,
    ShowModeratorHelp,
    ShowSuspiciousPairs,
    ThankMember,
    WarnMember,
)
from bot.durations import parse_duration
from bot.events import (
    AnswerWithdrawn,
    AuditShown,
    MemberHelpBanned,
    MemberWarned,
    MessageRecorded,
    ModeratorHelpShown,
    PointsChanged,
    QuestionModerated,
    ReportFiled,
    ReportResolved,
    ReportsListed,
    SuspiciousPairsShown,
    ThanksGiven,
)
from bot.model import (
    Actor,
    Answer,
    AuditOutcome,
    CloseReason,
    DeleteKind,
    LedgerReason,
    Member,
    MemberRef,
    Question,
    QuestionStatus,
    Report,
    ReportStatus,
    SuspiciousPair,
)
from bot.outbound import ChannelPost, DirectMessage, Outbound, ThreadPost, ThreadState
from bot.ports import UnitOfWork
from bot.questions import Context, message_locked, question_at
from bot.reputation import MODERATOR_REVERSAL, award, reverse, take_back
from bot.text import clean, is_blank, truncate
from bot.thanking import give_thanks, thanks_in_message

MAX_POINTS = 10_000
REASON_CHARS = 500
EXCERPT_CHARS = 300
SUSPICIOUS_ROWS = 20


# -- helpers ---------------------------------------------------------------------------


def require_moderator(actor: Actor) -> None:
    """Every moderator-only command (here, in the knowledge base and the lifecycle) asks this."""
    if not actor.moderates:
        raise errors.NotModerator()


def clean_reason(text: str | None) -> str | None:
    return truncate(clean(text), REASON_CHARS) if text and not is_blank(text) else None


async def _member(uow: UnitOfWork, ref: MemberRef | Actor, community: str) -> Member:
    """The target of a command in `community`. An `Actor` (the adapter knows the member's
    name, e.g. from a platform mention) is stored if new, so a moderator can act on someone
    who never posted in a help channel; a bare `MemberRef` must already be known. A member
    of another community is unknown here: no points, bans or warnings across communities."""

    member_ref = ref.ref if isinstance(ref, Actor) else ref
    if member_ref.community != community:
        raise errors.UnknownMember(name=member_ref.id)
    if isinstance(ref, Actor):
        # Known members keep their stored row (the adapter may not know the target's roles);
        # only a member never seen before is created from what the adapter knows.
        return await uow.members.find(ref.ref) or await uow.members.upsert(ref)
    member = await uow.members.find(ref)
    if member is None:
        raise errors.UnknownMember(name=ref.id)
    return member


def moderators_channel(ctx: Context, community: str, platform: str) -> str | None:
    channels = ctx.config.communities[community].moderation.moderators_channel
    return channels.get(platform)  # type: ignore[call-overload]


# -- thanks ----------------------------------------------------------------------------


async def thank_member(cmd: ThankMember, uow: UnitOfWork, ctx: Context) -> ThanksGiven:
    if cmd.actor.is_bot:
        raise errors.BotsCannot()
    giver = await uow.members.upsert(cmd.actor)
    receiver = await _member(uow, cmd.member, giver.ref.community)
    if receiver.id == giver.id:
        raise errors.SelfThanks()
    if receiver.is_bot:
        raise errors.BotsCannot()
    question = await question_at(uow, cmd.actor, cmd.thread) if cmd.thread else None
    if question is not None and question.is_deleted:
        question = None
    if question is not None and question.is_locked and not cmd.actor.is_moderator:
        raise errors.ThreadLocked()  # as a thank-you message there: only moderators write
    now = ctx.clock.now()
    thanks = await give_thanks(
        uow, ctx.rules(giver.ref.community), giver, receiver, question, now,
        source_event=cmd.event_id,
    )  # fmt: skip
    if thanks is None:
        raise errors.AlreadyThanked(member=receiver.display_name)
    return thanks


# -- rules that run after other features' writes ---------------------------------------


async def after_write(command: Any, result: Any, uow: UnitOfWork, ctx: Context) -> Any:
    """Thanks in ordinary thread messages ("thanks @bob, that worked")."""

    if not isinstance(command, PostMessage) or not isinstance(result, MessageRecorded):
        return result
    question, author = result.question, result.author
    if author is None:  # a bot's message
        return result
    thanks = await thanks_in_message(
        uow, ctx.rules(question.community), question, author, command.text,
        command.mentions, ctx.clock.now(), source_event=command.event_id,
    )  # fmt: skip
    return replace(result, thanks=result.thanks + thanks) if thanks else result


# -- questions -------------------------------------------------------------------------


async def _question(uow: UnitOfWork, cmd: ModerateQuestion) -> Question:
    if cmd.question_id is not None:
        question = await uow.questions.get(cmd.question_id, for_update=True)
        if question is None or question.community != cmd.actor.ref.community:
            raise errors.QuestionNotFound()
        return question
    if cmd.thread is None:
        raise errors.NotAQuestionThread()
    question = await question_at(uow, cmd.actor, cmd.thread, for_update=True)
    if question is None:
        raise errors.NotAQuestionThread()
    return question


_WEB_LINK = re.compile(r"https?://\S", re.IGNORECASE)


async def _duplicate_target(uow: UnitOfWork, question: Question, target: str | None) -> str:
    """What the question duplicates, as members see it: `#12`, `a:<article id>` (both
    checked to exist) or a web link (taken as given)."""

    target = (target or "").strip()
    if not target:
        raise errors.DuplicateTargetMissing()
    if _WEB_LINK.match(target) and not any(ch.isspace() for ch in target):
        return truncate(target, 200)
    found = parse_item(target)
    if found is None:
        raise errors.ArticleNotFound(id=truncate(target, 100))
    kind, key = found
    if kind == "article":
        assert isinstance(key, str)
        article = await uow.knowledge.article(question.community, key)
        if article is None or article.is_deleted:
            raise errors.ArticleNotFound(id=truncate(key, 100))
        return f"{ARTICLE_PREFIX}{article.id}"
    assert isinstance(key, int)
    # Locked (PostgreSQL), so two moderators closing two questions as duplicates of each
    # other at once cannot both pass the check below (a deadlock is retried).
    other = await uow.questions.get(key, for_update=True)
    if other is None or other.community != question.community or other.is_deleted:
        raise errors.QuestionNotFound()
    if other.id == question.id:
        raise errors.DuplicateOfItself()
    if other.is_closed and other.close_reason == CloseReason.DUPLICATE:
        raise errors.DuplicateOfADuplicate(id=other.id, target=other.close_note or "?")
    return duplicate_note(other.id)


def duplicate_note(question_id: int) -> str:
    """How a question closed as a duplicate names its original question (its close note)."""
    return f"#{question_id}"


async def moderate_question(
    cmd: ModerateQuestion, uow: UnitOfWork, ctx: Context
) -> QuestionModerated:
    require_moderator(cmd.actor)
    actor = await uow.members.upsert(cmd.actor)
    question = await _question(uow, cmd)
    if question.is_deleted != (cmd.action is QuestionAction.RESTORE):
        if question.is_deleted:
            raise errors.QuestionDeleted(id=question.id)
        raise errors.NotDeleted(id=question.id)
    now = ctx.clock.now()
    reason = clean_reason(cmd.reason)
    thread = question.thread
    outbound: list[Outbound] = []
    detail = None
    action = cmd.action
    if action in (QuestionAction.LOCK, QuestionAction.UNLOCK):
        locked = action is QuestionAction.LOCK
        if locked == question.is_locked:  # nothing to announce or audit as done
            raise errors.AlreadyLocked() if locked else errors.NotLocked()
        await uow.moderation.set_locked(question.id, now if locked else None)
        if thread:
            outbound.append(ThreadState(question.community, thread, locked=locked))
    elif action is QuestionAction.REOPEN:
        if not question.is_closed:
            raise errors.NotClosed()
        status = QuestionStatus.SOLVED if question.solved_at else QuestionStatus.OPEN
        await uow.questions.set_status(question.id, status, solved_at=question.solved_at)
        if thread:
            outbound.append(ThreadState(question.community, thread, archived=False))
    elif action in (QuestionAction.CLOSE, QuestionAction.DUPLICATE):
        if question.is_closed:
            raise errors.AlreadyClosed()
        duplicate = action is QuestionAction.DUPLICATE
        if duplicate:
            detail = await _duplicate_target(uow, question, cmd.duplicate_of)
            pointing = await uow.questions.duplicates_of(
                question.community, duplicate_note(question.id)
            )
            if pointing:  # they would point at a duplicate: a chain nobody should follow
                raise errors.OriginalOfDuplicates(
                    id=question.id, duplicates=", ".join(f"#{n}" for n in pointing)
                )
        status = QuestionStatus.SOLVED if question.solved_at else QuestionStatus.CLOSED
        await uow.questions.set_status(
            question.id,
            status,
            solved_at=question.solved_at,
            closed_at=now,
            close_reason=CloseReason.DUPLICATE if duplicate else CloseReason.MODERATOR,
            close_note=detail if duplicate else reason,
        )
        if thread and duplicate:
            # Left unarchived so the asker can still answer "not a duplicate" in the thread.
            # An anonymous asker is not pinged there (that would name them): told privately.
            params = {"id": question.id, "target": detail}
            outbound.append(
                ThreadPost(
                    question.community, thread, "moderation.duplicate_post", params,
                    actions=("not_duplicate",), question_id=question.id,
                    mention_user_ids=() if question.anonymous else (question.asker.ref.id,),
                )
            )  # fmt: skip
            if question.anonymous:
                outbound.append(
                    DirectMessage(
                        question.community, question.asker.ref, "moderation.duplicate_dm", params
                    )
                )
        elif thread:
            outbound.append(ThreadState(question.community, thread, archived=True))
    elif action is QuestionAction.DELETE:
        outbound += await _delete(uow, question, now, DeleteKind.MODERATOR)
    elif action is QuestionAction.RESTORE:
        outbound += await _restore(uow, question)
    question = await uow.questions.get(question.id) or question
    await audit(
        uow, ctx, actor, f"question_{action.value}", target=question.asker, question=question,
        reason=reason, detail=detail,
    )  # fmt: skip
    accepted: tuple[Answer, ...] = ()
    if action is QuestionAction.RESTORE and question.status is QuestionStatus.SOLVED:
        accepted = tuple(a.answer for a in await uow.questions.active_acceptances(question.id))
    return QuestionModerated(question, action.value, reason, tuple(outbound), accepted)


async def _delete(
    uow: UnitOfWork, question: Question, now: datetime, kind: DeleteKind
) -> list[Outbound]:
    """Hide a question everywhere (kept for audit) and archive and lock its thread: a
    moderator's `delete`, or a report on its opening message resolved by deleting. Either
    result carries the deleted question, and lifecycle cancels its jobs for both."""

    await uow.moderation.set_deleted(question.id, now, kind)
    thread = question.thread
    if thread is None:
        return []
    return [ThreadState(question.community, thread, archived=True, locked=True)]


async def _restore(uow: UnitOfWork, question: Question) -> list[Outbound]:
    """Undo a moderator's `delete`: the question is listed, searched and planned again as
    it was (open, solved or closed, locked or not), and its thread looks it. Only that kind
    of deletion: a question whose opening message, thread or channel is gone on the platform
    has nothing left to show it in."""

    if question.delete_kind is not DeleteKind.MODERATOR:
        raise errors.NotRestorable(id=question.id)
    await uow.moderation.set_deleted(question.id, None)
    thread = question.thread
    if thread is None:
        return []
    return [
        ThreadState(
            question.community, thread, archived=question.is_closed, locked=question.is_locked
        )
    ]


async def not_duplicate(cmd: NotDuplicate, uow: UnitOfWork, ctx: Context) -> QuestionModerated:
    if cmd.actor.is_bot:
        raise errors.BotsCannot()
    question = await question_at(uow, cmd.actor, cmd.thread, for_update=True)
    if question is None or question.is_deleted:
        raise errors.NotAQuestionThread()
    actor = await uow.members.upsert(cmd.actor)
    if actor.id != question.asker.id and not cmd.actor.is_moderator:
        raise errors.NotTheAsker()
    if not question.is_closed or question.close_reason != CloseReason.DUPLICATE:
        raise errors.NotADuplicate()
    status = QuestionStatus.SOLVED if question.solved_at else QuestionStatus.OPEN
    question = await uow.questions.set_status(question.id, status, solved_at=question.solved_at)
    await audit(uow, ctx, actor, "not_duplicate", target=question.asker, question=question)
    outbound: list[Outbound] = []
    channel = moderators_channel(ctx, question.community, question.platform)
    if channel:
        outbound.append(
            ChannelPost(
                question.community, question.platform, channel, "moderation.not_duplicate_notice",
                {"id": question.id, "title": question.title}, reference_id=str(question.id),
            )
        )  # fmt: skip
    return QuestionModerated(question, "not_duplicate", None, tuple(outbound))


# -- reputation ------------------------------------------------------------------------


async def adjust_reputation(cmd: AdjustReputation, uow: UnitOfWork, ctx: Context) -> PointsChanged:
    require_moderator(cmd.actor)
    reason = clean_reason(cmd.reason)
    if reason is None:
        raise errors.ReasonRequired()
    if cmd.points == 0 or abs(cmd.points) > MAX_POINTS:
        raise errors.BadPoints(max=MAX_POINTS)
    actor = await uow.members.upsert(cmd.actor)
    member = await _member(uow, cmd.member, actor.ref.community)
    if member.id == actor.id:
        raise errors.SelfModeration()
    if member.is_bot:
        raise errors.BotsCannot()
    community = actor.ref.community
    change = await award(
        uow, ctx.rules(community), community, member, cmd.points, LedgerReason.MANUAL,
        ctx.clock.now(), actor=actor, source_event=cmd.event_id, note=reason,
    )  # fmt: skip
    assert change is not None  # manual changes are never capped
    action = "rep_add" if cmd.points > 0 else "rep_remove"
    await audit(
        uow, ctx, actor, action, target=member, ledger_id=change.entry_id, reason=reason,
        detail=f"{cmd.points:+d}",
    )  # fmt: skip
    return PointsChanged(action, (change,))


async def revert_entry(cmd: RevertLedgerEntry, uow: UnitOfWork, ctx: Context) -> PointsChanged:
    require_moderator(cmd.actor)
    actor = await uow.members.upsert(cmd.actor)
    community = actor.ref.community
    entry = await uow.moderation.ledger_entry(community, cmd.entry_id)
    if entry is None:
        raise errors.LedgerEntryNotFound(id=cmd.entry_id)
    if entry.reason is LedgerReason.REVERSAL or entry.reverses_id is not None:
        raise errors.AlreadyReverted(id=cmd.entry_id)
    members = await uow.moderation.members_by_ids([entry.member_id])
    await uow.ledger.lock_member(members[entry.member_id])
    if await uow.moderation.is_reversed(entry.id):
        raise errors.AlreadyReverted(id=cmd.entry_id)
    changes = await reverse(
        uow, community, [entry], members, ctx.clock.now(), actor=actor,
        source_event=cmd.event_id, note=MODERATOR_REVERSAL,
    )  # fmt: skip
    await audit(
        uow, ctx, actor, "rep_revert", target=members[entry.member_id], ledger_id=entry.id,
        reason=clean_reason(cmd.reason), detail=f"{-entry.delta:+d} ({entry.reason.value})",
    )  # fmt: skip
    return PointsChanged("rep_revert", tuple(changes))


async def revert_period(cmd: RevertPeriod, uow: UnitOfWork, ctx: Context) -> PointsChanged:
    require_moderator(cmd.actor)
    if cmd.until is not None and cmd.until <= cmd.since:
        raise errors.PeriodOrder()
    actor = await uow.members.upsert(cmd.actor)
    community = actor.ref.community
    member = await _member(uow, cmd.member, community)
    locked: dict[int, Member] = {}
    # Lock every member whose total changes, in id order (no deadlock between two reverts),
    # then read the rows again: one reverted meanwhile by someone else is not reverted twice.
    for _ in range(3):
        entries = await uow.moderation.unreversed_entries(
            community, member.id, direction=cmd.direction.value, since=cmd.since, until=cmd.until
        )
        needed = {e.member_id for e in entries} - locked.keys()
        if not needed:
            break
        found = await uow.moderation.members_by_ids(sorted(needed))
        for member_id in sorted(found):
            await uow.ledger.lock_member(found[member_id])
        locked.update(found)
    changes = await reverse(
        uow, community, entries, locked, ctx.clock.now(), actor=actor, source_event=cmd.event_id,
        note=MODERATOR_REVERSAL,
    )  # fmt: skip
    until = f"{cmd.until:%Y-%m-%d %H:%M}" if cmd.until else "now"
    await audit(
        uow, ctx, actor, "rep_revert_period", target=member, reason=clean_reason(cmd.reason),
        detail=f"{cmd.direction.value} {cmd.since:%Y-%m-%d %H:%M}..{until}: {len(entries)} rows",
    )  # fmt: skip
    return PointsChanged("rep_revert_period", tuple(changes))


async def suspicious_pairs(
    cmd: ShowSuspiciousPairs, uow: UnitOfWork, ctx: Context
) -> SuspiciousPairsShown:
    require_moderator(cmd.actor)
    community = cmd.actor.ref.community
    rules = ctx.rules(community)
    since = ctx.clock.now() - timedelta(days=rules.suspicious_days)
    flows = await uow.moderation.point_flows(community, since)
    received: dict[int, int] = defaultdict(int)
    given: dict[tuple[int, int], int] = {}
    for flow in flows:
        received[flow.receiver_id] += flow.points
        given[flow.giver_id, flow.receiver_id] = flow.points
    found: list[tuple[int, int, int, int]] = []
    for (a, b), a_to_b in given.items():
        b_to_a = given.get((b, a), 0)
        if a > b or not b_to_a or a_to_b + b_to_a < rules.suspicious_min_points:
            continue
        if a_to_b / received[b] >= rules.suspicious_share and (
            b_to_a / received[a] >= rules.suspicious_share
        ):
            found.append((a, b, a_to_b, b_to_a))
    found.sort(key=lambda f: -(f[2] + f[3]))
    found = found[:SUSPICIOUS_ROWS]
    members = await uow.moderation.members_by_ids(sorted({i for f in found for i in f[:2]}))
    pairs = tuple(
        SuspiciousPair(members[a], members[b], ab, received[b], ba, received[a])
        for a, b, ab, ba in found
    )
    return SuspiciousPairsShown(pairs, since)


# -- members ---------------------------------------------------------------------------


async def helpban(cmd: HelpBanMember, uow: UnitOfWork, ctx: Context) -> MemberHelpBanned:
    require_moderator(cmd.actor)
    community = cmd.actor.ref.community
    limit = ctx.config.communities[community].moderation.max_helpban_days
    duration = parse_duration(cmd.duration)
    if duration is None or duration > timedelta(days=limit):
        raise errors.BadDuration(max_days=limit)
    actor = await uow.members.upsert(cmd.actor)
    member = await _member(uow, cmd.member, community)
    if member.id == actor.id:
        raise errors.SelfModeration()
    now = ctx.clock.now()
    reason = clean_reason(cmd.reason)
    ban = await uow.moderation.add_helpban(
        community, member.id, actor.id, reason, now, now + duration
    )
    until = f"{ban.expires_at:%Y-%m-%d %H:%M} UTC"
    await audit(uow, ctx, actor, "helpban", target=member, reason=reason, detail=f"until {until}")
    notice = DirectMessage(
        community,
        member.ref,
        "moderation.helpban_notice" if reason else "moderation.helpban_notice_no_reason",
        {"until": until, "reason": reason},
    )
    return MemberHelpBanned(member, ban, (notice,))


async def _warn(
    uow: UnitOfWork, ctx: Context, actor: Member, member: Member, reason: str,
    report: Report | None = None, question: Question | None = None,
) -> MemberWarned:  # fmt: skip
    """Warn `member`; a warning that resolves a `report` (in its `question`) is audited
    like the report's own row, so it leaves out whom that row leaves out."""

    if member.id == actor.id:
        raise errors.SelfModeration()
    if report is not None:
        await audit_report(uow, ctx, actor, "warn", report, question=question, reason=reason)
    else:
        await audit(uow, ctx, actor, "warn", target=member, reason=reason)
    count = await uow.moderation.count_actions(member.id, "warn")
    notice = DirectMessage(
        member.ref.community, member.ref, "moderation.warn_notice",
        {"reason": reason, "count": count},
    )  # fmt: skip
    return MemberWarned(member, reason, count, (notice,))


async def warn(cmd: WarnMember, uow: UnitOfWork, ctx: Context) -> MemberWarned:
    require_moderator(cmd.actor)
    reason = clean_reason(cmd.reason)
    if reason is None:
        raise errors.ReasonRequired()
    actor = await uow.members.upsert(cmd.actor)
    member = await _member(uow, cmd.member, actor.ref.community)
    return await _warn(uow, ctx, actor, member, reason)


async def show_audit(cmd: ShowAudit, uow: UnitOfWork, ctx: Context) -> AuditShown:
    require_moderator(cmd.actor)
    community = cmd.actor.ref.community
    member_id = None
    if cmd.member is not None:
        member_id = (await _member(uow, cmd.member, community)).id
    rows = ctx.config.communities[community].moderation.audit_rows
    entries = await uow.moderation.audit_entries(
        community, member_id=member_id, question_id=cmd.question_id, limit=rows
    )
    return AuditShown(
        tuple(entries), filtered=cmd.member is not None or cmd.question_id is not None
    )


# -- reports ---------------------------------------------------------------------------


# The moderators' post about a report: (author known, in a question) -> its text. Whole
# sentences, not pieces, so that each language can word every case its own way.
_REPORT_POST = {
    (True, True): "report.posted",
    (False, True): "report.posted_no_author",
    (True, False): "report.posted_outside",
    (False, False): "report.posted_outside_no_author",
}


async def report_message(cmd: ReportMessage, uow: UnitOfWork, ctx: Context) -> ReportFiled:
    if cmd.actor.is_bot:
        raise errors.BotsCannot()
    reason = clean_reason(cmd.reason)
    if reason is None:
        raise errors.ReasonRequired()
    community = cmd.actor.ref.community
    platform = cmd.actor.ref.platform
    settings = ctx.config.communities[community].moderation
    reporter = await uow.members.upsert(cmd.actor)
    await uow.moderation.lock_giver(reporter)
    now = ctx.clock.now()
    if await uow.moderation.already_reported(reporter.id, platform, cmd.message_id):
        raise errors.AlreadyReported()
    if await uow.moderation.reports_since(reporter.id, now - timedelta(hours=1)) >= (
        settings.reports_per_hour
    ) or await uow.moderation.reports_since(reporter.id, now - timedelta(days=1)) >= (
        settings.reports_per_day
    ):
        raise errors.ReportLimit()
    # Only what belongs to the reporter's community is linked to the report: moderators
    # resolve it by deleting a question or warning an author, and must not reach another's.
    message = await uow.questions.message(platform, cmd.message_id)
    question = await uow.questions.get(message.question_id) if message is not None else None
    if question is None or question.community != community:
        message = question = None
    author = message.author if message else None
    if author is None and cmd.author is not None and cmd.author.ref.community == community:
        author = await uow.members.upsert(cmd.author)
    if question is None and cmd.thread is not None:
        question = await question_at(uow, cmd.actor, cmd.thread)
    anonymous_asker = False
    if question is not None and cmd.message_id == question.message_id:
        # The question's own message was written by its asker, also when the platform shows
        # it under the bot's name (an /ask question, posted for them)
        author, anonymous_asker = question.asker, question.anonymous
    question_id = question.id if question else None
    if author is not None and author.id == reporter.id:
        raise errors.OwnMessageReport()
    if anonymous_asker:
        # The post, the list and the audit log would tell every moderator who asked (only a
        # reveal may).
        author = None
    excerpt = truncate(clean(cmd.excerpt), EXCERPT_CHARS) if cmd.excerpt else ""
    if not excerpt and message is not None:
        excerpt = message.excerpt
    report = await uow.moderation.add_report(
        community=community, platform=platform, reporter_id=reporter.id, author=author,
        channel_id=cmd.channel_id, message_id=cmd.message_id, excerpt=excerpt, reason=reason,
        question_id=question_id, at=now,
    )  # fmt: skip
    channel = moderators_channel(ctx, community, platform)
    outbound: tuple[Outbound, ...] = ()
    if channel:
        # The reporter is deliberately left out: moderators act on the message, and the
        # author (who may be a moderator) never learns who flagged it.
        outbound = (
            ChannelPost(
                community, platform, channel, _REPORT_POST[author is not None, question_id is not None],
                {
                    "report": report.id, "author": author.display_name if author else "",
                    "excerpt": excerpt or "-", "reason": reason,
                    "question": f"#{question_id}" if question_id else "-",
                    # Where the reported message is, so adapters can link to it.
                    "channel_id": cmd.channel_id, "message_id": cmd.message_id,
                    "thread_id": cmd.thread.id if cmd.thread else None,
                },
                actions=("report_dismiss", "report_delete", "report_warn"),
                reference_id=str(report.id),
            ),
        )  # fmt: skip
    return ReportFiled(report, bool(channel), outbound)


async def resolve_report(cmd: ResolveReport, uow: UnitOfWork, ctx: Context) -> ReportResolved:
    require_moderator(cmd.actor)
    if cmd.outcome is ReportStatus.OPEN:
        raise errors.ReportOutcomeMissing()
    actor = await uow.members.upsert(cmd.actor)
    community = actor.ref.community
    report = await uow.moderation.get_report(community, cmd.report_id, for_update=True)
    if report is None:
        raise errors.ReportNotFound(id=cmd.report_id)
    if report.status is not ReportStatus.OPEN:
        raise errors.AlreadyResolved(id=report.id, status=report.status.value)
    reason = clean_reason(cmd.reason)
    now = ctx.clock.now()
    question = None
    if report.question_id is not None:
        deleting = cmd.outcome is ReportStatus.DELETED
        question = await uow.questions.get(report.question_id, for_update=deleting)
    warned = None
    deleted_question = None
    delete_message = None
    withdrawn: AnswerWithdrawn | None = None
    outbound: list[Outbound] = []
    if cmd.outcome is ReportStatus.WARNED:
        if report.author is None:
            raise errors.ReportAuthorUnknown(id=report.id)
        warned = await _warn(
            uow, ctx, actor, report.author, reason or report.reason, report, question
        )
        outbound += warned.outbound
    elif cmd.outcome is ReportStatus.DELETED:
        delete_message = (report.channel_id, report.message_id)
        if (
            question is not None
            and question.community == community
            and question.message_id == report.message_id
            and not question.is_deleted  # (by a moderator since, or on the platform)
        ):
            # The report was on the question itself: hide the whole question.
            outbound += await _delete(uow, question, now, DeleteKind.REPORT)
            deleted_question = await uow.questions.get(question.id)
        if deleted_question is None:
            withdrawn = await _delete_answer(uow, ctx, actor, report)
            outbound += withdrawn.outbound if withdrawn is not None else ()
    quoted_in = None
    if delete_message is not None:
        quoted_in = await _article_quoting(uow, report, deleted_question is not None)
    resolved = await uow.moderation.resolve_report(report.id, cmd.outcome, actor.id, now)
    assert resolved is not None  # (locked open above)
    report = resolved
    await audit_report(
        uow, ctx, actor, f"report_{cmd.outcome.value}", report, question=question, reason=reason
    )
    also: list[int] = []
    if cmd.outcome is ReportStatus.DELETED:
        # Other members' open reports on the same message have nothing left to decide.
        also = await resolve_open_reports(
            uow, ctx, community, report.platform, report.message_id, actor=actor,
            question=question, reason=f"with report #{report.id}",
        )  # fmt: skip
    return ReportResolved(
        report, cmd.outcome, warned, delete_message, deleted_question, tuple(outbound), withdrawn,
        quoted_in, resolver_hidden=is_hidden_asker(actor, question), also_resolved=tuple(also),
    )  # fmt: skip


async def resolve_open_reports(
    uow: UnitOfWork,
    ctx: Context,
    community: str,
    platform: str,
    message_id: str | None = None,
    *,
    question_id: int | None = None,
    actor: Member | None,
    question: Question | None = None,
    reason: str | None = None,
) -> list[int]:
    """The open reports on a message that is gone (or on any message of a question whose
    thread is gone), resolved as deleted: nothing is left for a moderator to decide. By
    `actor`, who deleted it through another report (`question`: the reports' question, for
    the audit), or by the platform (`actor` None: the report keeps no resolver, the audit
    names "the platform"). The ids of those resolved; one resolved meanwhile is left be."""

    resolved = []
    for report in await uow.moderation.open_reports_on(
        community, platform, message_id, question_id=question_id
    ):
        done = await uow.moderation.resolve_report(
            report.id, ReportStatus.DELETED, actor.id if actor else None, ctx.clock.now()
        )
        if done is None:
            continue
        if actor is None:
            await audit_report_by_platform(uow, ctx, done)
        else:
            await audit_report(
                uow, ctx, actor, "report_deleted", done, question=question, reason=reason
            )
        resolved.append(done.id)
    return resolved


async def _article_quoting(uow: UnitOfWork, report: Report, was_question: bool) -> str | None:
    if report.question_id is None:
        return None
    author_id = report.author.id if report.author is not None else None
    return await article_quoting(
        uow, report.community, report.question_id, author_id, was_question=was_question
    )


async def article_quoting(
    uow: UnitOfWork,
    community: str,
    question_id: int,
    author_id: int | None,
    *,
    was_question: bool,
) -> str | None:
    """The live article promoted from a question's thread, if it may quote a deleted message
    of it (by `author_id`, when known): the question itself, or an answer (a promoted article
    holds the question and its accepted answers). Curated text is not edited behind the
    moderators' backs; they are told to look (it may have been edited since, or quote it in
    other words)."""

    article = await uow.knowledge.promoted_from(community, question_id)  # (a live one)
    if article is None:
        return None
    if not was_question:
        question = await uow.questions.get(question_id)
        if question is None or (author_id is not None and author_id == question.asker.id):
            return None  # the asker's follow-ups are not in it
    return article.doc_id


async def _delete_answer(
    uow: UnitOfWork, ctx: Context, actor: Member, report: Report
) -> AnswerWithdrawn | None:
    """A reported message in a question's thread, deleted: see `withdraw_answer`."""

    found = await message_locked(uow, report.platform, report.message_id)
    if found is None:
        return None  # unrecorded
    message, question = found
    if message.is_deleted or message.question_id != report.question_id:
        return None  # already deleted, or not this community's (see report_message)
    if question is None or question.community != actor.ref.community:
        return None
    return await withdraw_answer(uow, ctx, message, question, actor=actor, report=report)


async def withdraw_answer(
    uow: UnitOfWork,
    ctx: Context,
    message: Answer,
    question: Question,
    *,
    actor: Member | None,
    report: Report | None = None,
) -> AnswerWithdrawn | None:
    """A message in `question`'s thread (locked), deleted: by a moderator through `report`,
    or on the platform (`actor` None: nobody the bot knows). It is no answer any more, so
    nobody can accept or credit it from now on. If it was accepted, its acceptance and
    points are taken back (`reputation.take_back`) and audited. A question its other
    accepted answers still solve stays solved; one that nothing solves any more is open
    again, as when its last mark is taken back (`questions.unaccept_answer`), and its
    thread says so and looks open. None when it was not accepted."""

    now = ctx.clock.now()
    await uow.questions.delete_message(message.id, now)
    taken = await take_back(uow, question, message, now, actor=actor)
    if taken is None:
        return None
    remaining, changes = taken
    for change in changes:
        if actor is None:
            await audit_by_platform(
                uow, ctx, "platform_answer_delete", change.member, question,
                ledger_id=change.entry_id,
            )  # fmt: skip
        else:
            await audit(
                uow, ctx, actor, "accepted_answer_deleted", target=change.member,
                question=question, ledger_id=change.entry_id,
                report_id=report.id if report else None,
            )  # fmt: skip
    outbound: tuple[Outbound, ...] = ()
    # Open again only a question that is open for answers; a closed one (by a moderator, a
    # duplicate, its asker, or after solving) keeps its close, and a deleted one its state.
    reopened = (
        not remaining
        and question.status is QuestionStatus.SOLVED
        and not question.is_closed
        and not question.is_deleted
    )
    if reopened:
        question = await uow.questions.set_status(question.id, QuestionStatus.OPEN)
        thread = question.thread
        if thread is not None:
            outbound = (
                ThreadPost(
                    question.community, thread, "question.reopened_answer_deleted",
                    {"id": question.id},
                ),
                ThreadState(question.community, thread, archived=False, solved=False),
            )  # fmt: skip
    accepted = tuple(a.answer for a in remaining)
    return AnswerWithdrawn(question, accepted, tuple(changes), reopened, outbound)


async def list_reports(cmd: ListReports, uow: UnitOfWork, ctx: Context) -> ReportsListed:
    require_moderator(cmd.actor)
    return ReportsListed(tuple(await uow.moderation.open_reports(cmd.actor.ref.community, 20)))


async def moderator_help(
    cmd: ShowModeratorHelp, uow: UnitOfWork, ctx: Context
) -> ModeratorHelpShown:
    require_moderator(cmd.actor)
    return ModeratorHelpShown()


# -- service hooks ---------------------------------------------------------------------


async def record_refusal(command: Any, uow: UnitOfWork, ctx: Context) -> None:
    """Write the audit row for a refused moderator command (its own transaction)."""

    actor: Actor | None = getattr(command, "actor", None)
    if actor is None:
        return
    member = await uow.members.upsert(actor)
    target = None
    ref = getattr(command, "member", None)
    if isinstance(ref, Actor):
        ref = ref.ref
    if isinstance(ref, MemberRef) and ref.community == actor.ref.community:
        target = await uow.members.find(ref)
    # The question named, if it is one of this community's: the row needs it to leave out
    # an anonymous asker (see `audit`), and an id that is nobody's question cannot be
    # written at all (the audit log's question id is a foreign key).
    question = None
    question_id = getattr(command, "question_id", None)
    if isinstance(question_id, int):
        question = await uow.questions.get(question_id)
        if question is not None and question.community != actor.ref.community:
            question = None
    await audit(
        uow, ctx, member, _action_name(command), outcome=AuditOutcome.REFUSED, target=target,
        question=question, reason="not a moderator",
    )  # fmt: skip


def _action_name(command: Any) -> str:
    if isinstance(command, ModerateQuestion):
        return f"question_{command.action.value}"
    if isinstance(command, AdjustReputation):
        return "rep_add" if command.points > 0 else "rep_remove"
    names = {
        RevertLedgerEntry: "rep_revert",
        RevertPeriod: "rep_revert_period",
        ShowSuspiciousPairs: "rep_suspicious",
        HelpBanMember: "helpban",
        WarnMember: "warn",
        ShowAudit: "audit",
        ResolveReport: "report_resolve",
        ListReports: "reports",
        ShowModeratorHelp: "mod_help",
    }
    name = names.get(type(command))
    if name is None:
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", type(command).__name__).lower()
    return name[:32]


READS = {
    ShowSuspiciousPairs: suspicious_pairs,
    ShowAudit: show_audit,
    ListReports: list_reports,
    ShowModeratorHelp: moderator_help,
}
WRITES = {
    ThankMember: thank_member,
    ReportMessage: report_message,
    ModerateQuestion: moderate_question,
    NotDuplicate: not_duplicate,
    AdjustReputation: adjust_reputation,
    RevertLedgerEntry: revert_entry,
    RevertPeriod: revert_period,
    HelpBanMember: helpban,
    WarnMember: warn,
    ResolveReport: resolve_report,
}
AFTER_WRITE = after_write
