"""Messages and threads deleted on the platform.

Discord and Slack tell the bot that a message (or a Discord thread) is gone, not who deleted
it: its author, or a moderator using the platform's own powers. Either way the bot stops
keeping it as something members can find, accept or be credited for:

- the message that opened a question (the asker's, or the bot's post of an /ask or
  anonymous question), or the question's whole thread: the question is deleted as a
  moderator's `/mod delete` deletes it (hidden from search, suggestions and listings, kept
  for the audit log; its pending jobs cancelled), and its thread, when it is still there,
  is told so and closed. Points already earned in it stay, as with a moderator's delete:
  the asker deleting their question must not take back what helpers earned;
- an answer: it is no answer any more; an acceptance of it is taken back with the points
  it earned, as when a moderator deletes it through a report (`moderation.withdraw_answer`),
  and a question it alone solved is open again;
- a whole help channel (with every thread in it): each of its questions, as with its thread
  (`delete_channel`);
- either, when an article promoted from the thread may still quote the message: a note in
  the moderators' channel, who decide whether to edit it (curated text is theirs). Not for
  a deleted channel: deleting one is a deliberate act of someone with the power to, and a
  note per question would flood the channel;
- open reports on the message: resolved as deleted, by nobody (nothing is left to decide);
- anything else (a message the bot never recorded, one already deleted, another
  community's): nothing. The bot's own deletions (`/mod delete`, a report resolved by
  deleting) come back as platform events and change nothing a second time.

Every change is audited with "the platform" as its actor (`audit.audit_by_platform`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from bot.audit import audit_by_platform
from bot.commands import DeleteChannel, DeleteMessage, DeleteThread
from bot.events import DeletedOnPlatform
from bot.model import DeleteKind, Question
from bot.moderation import (
    article_quoting,
    moderators_channel,
    resolve_open_reports,
    withdraw_answer,
)
from bot.outbound import ChannelPost, Outbound, ThreadPost, ThreadState
from bot.ports import UnitOfWork
from bot.questions import Context, message_locked

NOTHING = DeletedOnPlatform()


async def delete_message(cmd: DeleteMessage, uow: UnitOfWork, ctx: Context) -> DeletedOnPlatform:
    reports = tuple(
        await resolve_open_reports(
            uow, ctx, cmd.community, cmd.platform, cmd.message_id, actor=None
        )
    )
    only_reports = DeletedOnPlatform(reports=reports) if reports else NOTHING
    question = await uow.questions.by_message(cmd.platform, cmd.message_id, for_update=True)
    if question is not None:
        if question.community != cmd.community:
            return only_reports
        deleted = await _delete_question(uow, ctx, question, thread_left=True)
        return replace(deleted, reports=reports + deleted.reports)
    found = await message_locked(uow, cmd.platform, cmd.message_id)
    if found is None:
        return only_reports
    message, question = found
    if message.is_deleted or question is None or question.community != cmd.community:
        return only_reports
    withdrawn = await withdraw_answer(uow, ctx, message, question, actor=None)
    outbound = list(withdrawn.outbound) if withdrawn is not None else []
    outbound += await _tell_moderators(uow, ctx, question, message.author.id, was_question=False)
    if withdrawn is None and not outbound:
        return only_reports
    return DeletedOnPlatform(withdrawn=withdrawn, outbound=tuple(outbound), reports=reports)


async def delete_thread(cmd: DeleteThread, uow: UnitOfWork, ctx: Context) -> DeletedOnPlatform:
    question = await uow.questions.by_thread(cmd.thread, for_update=True)
    if question is None or question.community != cmd.community:
        return NOTHING
    return await _delete_question(uow, ctx, question, thread_left=False)


async def delete_channel_step(
    cmd: DeleteChannel, uow: UnitOfWork, ctx: Context
) -> DeletedOnPlatform:
    question = await uow.questions.next_in_channel(
        cmd.community, cmd.platform, cmd.channel_id, cmd.after, for_update=True
    )
    if question is None:
        return NOTHING
    return await _delete_question(uow, ctx, question, thread_left=False, notes=False)


async def delete_channel(
    handle: Callable[[DeleteChannel], Awaitable[Any]],
    platform: str,
    community: str,
    channel_id: str,
) -> int:
    """Every question of a help channel deleted on the platform, one `DeleteChannel` (one
    transaction) at a time through the core's `handle`; how many were deleted. An error
    stops it and propagates: what was deleted stays deleted, and a repeat (the channel's
    deletion handled again) picks up the rest."""

    after, count = 0, 0
    while True:
        result = await handle(DeleteChannel(platform, community, channel_id, after))
        if not isinstance(result, DeletedOnPlatform) or result.question is None:
            return count
        after, count = result.question.id, count + 1


async def _delete_question(
    uow: UnitOfWork, ctx: Context, question: Question, *, thread_left: bool, notes: bool = True
) -> DeletedOnPlatform:
    if question.is_deleted:
        return await _gone_too(uow, ctx, question, thread_left=thread_left)
    await uow.moderation.set_deleted(question.id, ctx.clock.now(), DeleteKind.PLATFORM)
    question = await uow.questions.get(question.id) or question
    reports: list[int] = []
    if not thread_left:  # every message of its thread went with it
        reports = await resolve_open_reports(
            uow, ctx, question.community, question.platform, question_id=question.id,
            actor=None,
        )  # fmt: skip
    await audit_by_platform(uow, ctx, "platform_question_delete", question.asker, question)
    outbound: list[Outbound] = []
    thread = question.thread
    if thread is not None and thread_left:
        outbound += [
            ThreadPost(
                question.community, thread, "question.deleted_on_platform", {"id": question.id}
            ),
            ThreadState(question.community, thread, archived=True, locked=True),
        ]
    if notes:
        outbound += await _tell_moderators(uow, ctx, question, question.asker.id, was_question=True)
    return DeletedOnPlatform(question, outbound=tuple(outbound), reports=tuple(reports))


async def _gone_too(
    uow: UnitOfWork, ctx: Context, question: Question, *, thread_left: bool
) -> DeletedOnPlatform:
    """A question already deleted whose message, thread or channel is now deleted on the
    platform too. One a moderator only hid can no longer be restored: nothing is left to
    show it in (its deletion becomes the platform's). With its thread gone, the open reports
    on its messages have nothing left to decide either."""

    hidden = question.delete_kind is DeleteKind.MODERATOR
    if hidden:
        await uow.moderation.set_deleted(question.id, question.deleted_at, DeleteKind.PLATFORM)
    reports: list[int] = []
    if not thread_left:
        reports = await resolve_open_reports(
            uow, ctx, question.community, question.platform, question_id=question.id,
            actor=None,
        )  # fmt: skip
    if reports or (hidden and not thread_left):  # (the channel walk steps on by it)
        return DeletedOnPlatform(question, reports=tuple(reports))
    return NOTHING  # (nothing anyone sees changed: the adapters have nothing to do)


async def _tell_moderators(
    uow: UnitOfWork, ctx: Context, question: Question, author_id: int, *, was_question: bool
) -> list[Outbound]:
    """A note in the moderators' channel when an article promoted from the question's thread
    may still quote the deleted message: the member deleted it, and curated text is the
    moderators' to change (as when they delete a message through a report)."""

    article = await article_quoting(
        uow, question.community, question.id, author_id, was_question=was_question
    )
    channel = moderators_channel(ctx, question.community, question.platform)
    if article is None or channel is None:
        return []
    params = {"id": question.id, "article": article}
    return [
        ChannelPost(
            question.community, question.platform, channel, "moderation.deleted_quoted",
            params, reference_id=str(question.id),
        )
    ]  # fmt: skip


READS: dict[type, Any] = {}
WRITES = {
    DeleteMessage: delete_message,
    DeleteThread: delete_thread,
    DeleteChannel: delete_channel_step,
}
