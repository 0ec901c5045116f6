"""Events API listeners: messages in help channels and their threads, ✅ reactions, deleted
help channels.

A ✅ added to a reply accepts it (`on_reaction_added`); the ✅ taken off again takes that
acceptance back (`on_reaction_removed`).

A thread reply carries the members it @-mentions, so "thanks <@U1>" credits U1; the asker who
thanks a helper is offered (privately) to mark that answer solved. Slack threads cannot be
locked: a reply in a question a moderator locked is not recorded, and its author is told.

A member's first message in a help channel also gets a private welcome, and the asker's reply
in their dormant-closed question reopens it (a note in the thread says so).

A member's edit of their question (its top-level message) or answer (`message_changed`)
reaches the core as `EditMessage`, silently: see `on_message_changed`. A deleted message
(`message_deleted`, or the tombstone Slack leaves for a deleted thread parent with replies)
reaches it as `DeleteMessage`: see `on_message_deleted`. A deleted help channel
(`channel_deleted`, `group_deleted` for a private one) takes every question in it with it:
see `on_channel_deleted`.

Bolt acknowledges Events API requests before these run, so Slack's 3-second budget is never
at risk. Each core write carries Slack's `event_id`; a redelivery (`X-Slack-Retry-Num`) or a
duplicate therefore raises `DuplicateEvent` in the core and changes nothing, including what the
bot posts (posting happens only after a successful, first-time command).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from adapters.slack import announce, blocks, ids, moderation, opened
from adapters.slack.deps import Caller, deps_of
from adapters.slack.guard import guarded
from adapters.slack.mrkdwn import to_markdown
from adapters.slack.translate import (
    PLATFORM,
    NewQuestion,
    ThreadReply,
    classify_deletion,
    classify_edit,
    classify_message,
    is_tombstone,
    member_ref,
    mentioned_users,
    message_id,
    team_id_of,
    thread_ref,
)
from bot import commands as c
from bot import errors
from bot.chatter import is_chatter
from bot.deletions import delete_channel
from bot.events import (
    AnswerAccepted,
    AnswerUnaccepted,
    DeletedOnPlatform,
    MessageEdited,
    MessageRecorded,
    QuestionOpened,
)

log = logging.getLogger(__name__)

# A ✅ from someone who may not accept, or on a message that is not an answer, is ordinary
# Slack use (agreeing, celebrating): it gets no reply at all.
_QUIET_REACTION_ERRORS: tuple[type[errors.DomainError], ...] = (
    errors.NotTheAsker,
    errors.NotAnAnswer,
    errors.QuestionNotFound,
    errors.AlreadyAccepted,
    errors.BotsCannot,
)


def _event_id(body: Mapping[str, Any]) -> str | None:
    value = body.get("event_id")
    return str(value) if value else None


async def on_message(body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]) -> None:
    deps = deps_of(context)
    # A tombstone is a `message_changed` too, but Slack deleting the message: no edit.
    if event.get("subtype") == "message_deleted" or is_tombstone(event):
        await on_message_deleted(body, event, context)
        return
    if event.get("subtype") == "message_changed":
        await on_message_changed(body, event, context)
        return
    what = classify_message(event, deps.help_channels)
    if what is None:
        return
    community = deps.community(team_id_of(body))
    if community is None:
        if isinstance(what, NewQuestion):  # (a reply in a thread is not told again)
            await deps.turn_away(body, what.user, channel=what.channel)
        return
    p = deps.present(community)

    if isinstance(what, NewQuestion):
        # "thanks!", "ok", "+1", ":pray:" (read as Markdown: emoji codes are emoji)
        if is_chatter(to_markdown(what.text)):
            return
        who = Caller(deps, community, what.user, what.channel, what.ts)
        async with guarded(p, who.reply, "slack question"):
            async with deps.in_order(what.channel):
                actor = await who.actor()
                if actor.is_bot:
                    return
                ref = message_id(what.channel, what.ts)
                result = await deps.bot.handle(
                    c.AskQuestion(
                        actor,
                        channel_id=what.channel,
                        message_id=ref,
                        text=await deps.people.plain_text(what.text),
                        event_id=_event_id(body),
                        thread_id=ref,
                        private=what.private,
                    )
                )
            assert isinstance(result, QuestionOpened)
            text, reply_blocks = blocks.question_opened(p, result, deps.commands.solved)
            await deps.out.post(
                what.channel, text, blocks=reply_blocks, thread_ts=what.ts,
                metadata=opened.metadata(result.question.id),
            )  # fmt: skip
            await announce.welcome(deps, p, result.welcome, what.user, what.channel, what.ts)
    elif isinstance(what, ThreadReply):
        # Any thread may be offered; only question threads are recorded, others are not ours.
        # Slack has no thread lock: in a locked thread the message stays, unrecorded, and the
        # guard tells only its author why (error.thread_locked).
        who = Caller(deps, community, what.user, what.channel, what.thread_ts)
        not_ours = (errors.NotAQuestionThread, errors.QuestionNotFound)
        async with guarded(p, who.reply, "slack thread reply", quiet=not_ours):
            async with deps.in_order(what.channel):
                actor = await who.actor()
                mentioned = tuple(
                    member_ref(community, user)
                    for user in mentioned_users(what.text)
                    if user != what.user
                )
                recorded = await deps.bot.handle(
                    c.PostMessage(
                        actor,
                        thread_ref(what.channel, what.thread_ts),
                        message_id(what.channel, what.ts),
                        await deps.people.plain_text(what.text),
                        event_id=_event_id(body),
                        mentions=mentioned,
                    )
                )
            assert isinstance(recorded, MessageRecorded)
            if recorded.reopened:
                await announce.reopened_by_asker(deps, p, recorded.question)
            await moderation.offer_thanks(
                deps, p, recorded.thanks, what.user, what.channel, what.thread_ts
            )
            await announce.welcome(
                deps, p, recorded.welcome, what.user, what.channel, what.thread_ts
            )


async def on_message_changed(
    body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]
) -> None:
    """A member edited their question (the help channel's top-level message) or their
    answer (a thread reply): the core takes the new text, built as on arrival, so its title
    and body or the answer's excerpt follow, and a solved question is found by its new
    words. Whose message it is, and whether the bot keeps it, is the core's to say: for
    anything else it changes nothing. An edit is silent: no reply, even on failure. (A
    tombstone, Slack's "This message was deleted.", goes to `on_message_deleted` instead.)"""

    deps = deps_of(context)
    edit = classify_edit(event, deps.help_channels)
    if edit is None:
        return
    community = deps.community(team_id_of(body))
    if community is None:
        return
    async with guarded(deps.present(community), None, "slack edit"):
        async with deps.in_order(edit.channel):
            result = await deps.bot.handle(
                c.EditMessage(
                    await deps.people.actor(community, edit.user),
                    message_id(edit.channel, edit.ts),
                    await deps.people.plain_text(edit.text),
                    thread=thread_ref(edit.channel, edit.thread_ts),
                )
            )
        assert isinstance(result, MessageEdited)
        if result.question is not None:
            log.info(
                "slack edit: %s of question %s changed",
                "answer" if result.answer is not None else "text",
                result.question.id,
            )
            if result.answer is None:  # (its reply quotes the first line: it may be gone)
                await opened.retitled(deps, deps.present(community), result.question)


async def on_message_deleted(
    body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]
) -> None:
    """A message in a help channel was deleted, by its author or by someone Slack lets (it
    does not say who): the core deletes the question it opened (and tells its thread, through
    the sender) or takes back the answer it was. Whether it was either is the core's to say,
    from the message id alone: no Web API call per deletion, which Slack sends for every
    message deleted anywhere the app can read (only a deleted question's thread is read, for
    the bot's reply that quotes it: `opened`). The bot's own deletions come back here too,
    and change nothing a second time. Silent, as an edit is: nobody to reply to, and a
    workspace that is no community's is not told so for a deletion."""

    deps = deps_of(context)
    deletion = classify_deletion(event, deps.help_channels)
    if deletion is None:
        return
    community = deps.community(team_id_of(body))
    if community is None:
        return
    async with guarded(deps.present(community), None, "slack deletion"):
        async with deps.in_order(deletion.channel):
            result = await deps.bot.handle(
                c.DeleteMessage(PLATFORM, community, message_id(deletion.channel, deletion.ts))
            )
        assert isinstance(result, DeletedOnPlatform)
        if result.question is not None:
            log.info("slack deletion: question %s deleted", result.question.id)
            await opened.deleted(deps, deps.present(community), result.question)
        elif result.withdrawn is not None:
            log.info(
                "slack deletion: an accepted answer in question %s withdrawn",
                result.withdrawn.question.id,
            )


async def on_channel_deleted(
    body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]
) -> None:
    """A help channel was deleted on Slack (`channel_deleted`, or `group_deleted` for a
    private one): Slack sends no deletion for the messages in it, so every question asked
    there is deleted, one at a time (`bot.deletions.delete_channel`), as when its message
    is: gone from search, suggestions and listings, points already earned kept. Nothing is
    posted (the channel and its threads are gone). One INFO line says how many; a WARNING
    that `help_channel_ids` still names the channel, for whoever runs the bot to remove it.
    Any other channel (Slack sends these for every channel in the workspace), or a workspace
    that is no community's, is nothing to the bot: no core call, no log. A failure is logged
    and leaves what was deleted deleted; the same event handled again deletes the rest (Slack
    does not send it again by itself: Bolt acknowledged it before this ran)."""

    deps = deps_of(context)
    channel = event.get("channel")
    if not (isinstance(channel, str) and channel in deps.help_channels):
        return
    community = deps.community(team_id_of(body))
    if community is None:
        return
    log.warning(
        "slack channel deletion: help channel %s was deleted on Slack, but [slack] "
        "help_channel_ids still names it: remove it from the config",
        channel,
    )
    async with guarded(deps.present(community), None, "slack channel deletion"):
        async with deps.in_order(channel):
            count = await delete_channel(deps.bot.handle, PLATFORM, community, channel)
        log.info(
            "slack channel deletion: %d question(s) of help channel %s deleted", count, channel
        )


def _check_on_message(
    body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]
) -> tuple[Caller, str, str] | None:
    """Who put a ✅ on (or took it off) which message: (them, its channel, its core message
    id). None for any other emoji, a reaction on a file or a file comment, or a workspace
    that is no community's (not told: a reaction is no request). None too, before any
    lookup, for a message outside the help channels: Slack sends every reaction in every
    channel the bot is in, and no answer is recorded there (`classify_message`). (The bot's
    own ✅, put on and taken off a question's root, Bolt drops as a self event.)"""

    deps = deps_of(context)
    item = event.get("item") or {}
    user = event.get("user")
    if (
        event.get("reaction") != ids.CHECK_REACTION
        or item.get("type") != "message"
        or not isinstance(user, str)
        or not item.get("channel")
        or not item.get("ts")
    ):
        return None
    if deps.help_channels and str(item["channel"]) not in deps.help_channels:
        return None
    community = deps.community(team_id_of(body))
    if community is None:
        return None
    channel = str(item["channel"])
    return Caller(deps, community, user, channel), channel, message_id(channel, str(item["ts"]))


async def on_reaction_added(
    body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]
) -> None:
    """A ✅ by the asker (or a moderator) on a reply marks it as the solution."""

    found = _check_on_message(body, event, context)
    if found is None:
        return
    who, channel, ref = found
    deps, p = who.deps, who.p

    async with guarded(p, who.reply, "slack ✅ reaction", quiet=_QUIET_REACTION_ERRORS):
        async with deps.in_order(channel):
            actor = await who.actor()
            result = await deps.bot.handle(
                c.AcceptAnswer(actor, ref, event_id=_event_id(body), reaction=True)
            )
        assert isinstance(result, AnswerAccepted)
        await announce.solved(deps, p, result, who.user)


async def on_reaction_removed(
    body: dict[str, Any], event: dict[str, Any], context: dict[str, Any]
) -> None:
    """A ✅ taken off a reply takes back the solution mark that member's acceptance gave it
    (`UnacceptAnswer(reaction=True)`): its points go back, and the question stays solved by
    its other marked answers or is open again, as after /unsolve (see `announce.unaccepted`).
    Every refusal is silent: a ✅ removed that accepted nothing (someone else's acceptance,
    a message that is no answer, a bot's own ✅ on a question's root) is just a reaction."""

    found = _check_on_message(body, event, context)
    if found is None:
        return
    who, channel, ref = found
    deps = who.deps

    async with guarded(who.p, None, "slack ✅ removed"):
        async with deps.in_order(channel):
            actor = await who.actor()
            result = await deps.bot.handle(
                c.UnacceptAnswer(actor, ref, event_id=_event_id(body), reaction=True)
            )
        assert isinstance(result, AnswerUnaccepted)
        await announce.unaccepted(deps, who.p, result)


async def on_channel_renamed(event: dict[str, Any], context: dict[str, Any]) -> None:
    """A channel was renamed (`channel_rename`, or `group_rename` for a private one): the
    welcome and /guidelines name it by its new name at once, not once the old name has
    expired (`outbound.NAME_TTL`). Any channel: the name costs nothing to keep."""

    channel = event.get("channel")
    if isinstance(channel, Mapping):
        channel_id, name = channel.get("id"), channel.get("name")
        if isinstance(channel_id, str) and channel_id and isinstance(name, str) and name:
            deps_of(context).out.renamed(channel_id, name)


async def on_other_event() -> None:
    """Events the bot is subscribed to but has no use for: acknowledged, so Slack neither
    retries them nor counts them as failures."""
