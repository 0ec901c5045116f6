"""The Slack Outbox sender: what the core says on its own initiative (reminders, closes,
escalations, private notes, moderation notices), in Slack's shapes.

The scheduler's contract (`bot.scheduler`): `send` returning means delivered; raising means
"not delivered, try again later" (retried with backoff, given up with a logged error after
`scheduler.max_attempts`). So Slack errors a later attempt may fix (`ratelimited` once
slack_sdk's own retries are spent, `channel_not_found`, `not_in_channel` when joining does not
help, network trouble) propagate and the job stays. Errors no retry can fix are logged and
the message dropped: a direct message to a deactivated member or a bot, a reaction on a root
message that was deleted. An `Outbound` type this sender does not know raises
`UnsupportedOutbound`.

Slack has no archived or locked threads: a closed question's root gets a 🔒 reaction, a locked
one ⛔, a solved one ✅, and the reverse change removes it.
"""

from __future__ import annotations

import logging

from adapters.slack import blocks, ids
from adapters.slack.moderation import mod_present
from adapters.slack.outbound import SlackOut, error_code
from adapters.slack.texts import SlackPresenter
from adapters.slack.translate import PLATFORM, split_message_id
from bot.model import ThreadRef
from bot.outbound import (
    ChannelPost,
    DirectMessage,
    Outbound,
    ReportPostUpdate,
    ThreadPost,
    ThreadState,
    UnsupportedOutbound,
)
from bot.report_posts import RecordReportPost
from bot.service import CommunityBot

log = logging.getLogger(__name__)

# `conversations.open` / `chat.postMessage` errors that say the member can never get a DM.
UNREACHABLE_MEMBER = frozenset(
    {"user_not_found", "cannot_dm_bot", "user_disabled", "account_inactive", "user_not_visible"}
)


def _root(thread: ThreadRef) -> tuple[str, str]:
    where = split_message_id(thread.id)
    if where is None:
        raise UnsupportedOutbound(f"not a Slack thread id: {thread.id!r}")
    return where


class SlackSender:
    platform = PLATFORM

    def __init__(self, bot: CommunityBot, out: SlackOut) -> None:
        self.bot = bot
        self.out = out

    def _present(self, community: str) -> SlackPresenter:
        settings = self.bot.config.communities.get(community)
        return SlackPresenter(self.bot.catalog, settings.locale if settings else "en")

    async def send(self, message: Outbound) -> None:
        if isinstance(message, ThreadPost):
            await self._thread_post(message)
        elif isinstance(message, ChannelPost):
            await self._channel_post(message)
        elif isinstance(message, DirectMessage):
            await self._direct(message)
        elif isinstance(message, ThreadState):
            await self._thread_state(message)
        elif isinstance(message, ReportPostUpdate):
            await self._report_handled(message)
        else:
            raise UnsupportedOutbound(f"Slack cannot send {type(message).__name__}")

    async def _thread_post(self, message: ThreadPost) -> None:
        p = self._present(message.community)
        channel, root = _root(message.thread)
        text, body = blocks.outbound_message(
            p,
            blocks.outbound_text(p, message.key, message.params),
            mention=blocks.mentions(message.mention_role_ids, message.mention_user_ids),
            question_id=message.question_id,
            actions=message.actions,
        )
        await self.out.post_or_raise(channel, text, blocks=body, thread_ts=root)

    async def _channel_post(self, message: ChannelPost) -> None:
        p = self._present(message.community)
        link = None
        # A report links the reported message (`message_id`); an escalation its question.
        reported = split_message_id(str(message.params.get("message_id") or ""))
        where = reported or split_message_id(message.reference_id)
        if where is not None:
            # No link is better than no message: a failed lookup only drops the link.
            link = await self.out.permalink(*where)
        text, body = blocks.outbound_message(
            p,
            blocks.outbound_text(p, message.key, message.params),
            mention=blocks.mentions(message.mention_role_ids),
            actions=message.actions,
            link=link,
            link_key="slack.message_link" if reported else "slack.staff_link",
            reference=message.reference_id,
        )
        ts = await self.out.post_or_raise(message.channel_id, text, blocks=body)
        report = message.params.get("report")
        if message.key.startswith("report.posted") and isinstance(report, int):
            # Where it is, so that it is marked handled however the report is resolved.
            await self.bot.handle(
                RecordReportPost(PLATFORM, message.community, report, f"{message.channel_id}:{ts}")
            )

    async def _direct(self, message: DirectMessage) -> None:
        p = self._present(message.community)
        text = blocks.outbound_text(p, message.key, message.params)
        try:
            await self.out.dm_or_raise(message.member.id, text)
        except Exception as exc:
            if error_code(exc) not in UNREACHABLE_MEMBER:
                raise
            log.warning(
                "cannot send %s to %s (%s): dropped",
                message.key,
                message.member.id,
                error_code(exc),
            )

    async def _report_handled(self, message: ReportPostUpdate) -> None:
        """The report's post loses its buttons and says how it was resolved. A post already
        without buttons (the button that resolved it marked it) or gone is left alone."""

        where = split_message_id(message.post_ref)
        if where is None:
            raise UnsupportedOutbound(f"not a Slack message id: {message.post_ref!r}")
        channel, ts = where
        found = await self.out.call_or_raise(
            "conversations.history", channel, latest=ts, oldest=ts, inclusive=True, limit=1
        )
        post = next((m for m in found.get("messages") or () if m.get("ts") == ts), None)
        if post is None or not any(b.get("type") == "actions" for b in post.get("blocks") or ()):
            return
        p = self._present(message.community)
        moderator = f"<@{message.moderator_id}>" if message.moderator_id else ""
        note = mod_present(p).report_post_line(message, moderator, "slack.report_handled")
        text, handled = blocks.without_buttons(post, note)
        await self.out.call_or_raise("chat.update", channel, ts=ts, text=text, blocks=handled)

    async def _thread_state(self, message: ThreadState) -> None:
        channel, root = _root(message.thread)
        for flag, reaction in (
            (message.archived, ids.CLOSED_REACTION),
            (message.locked, ids.LOCKED_REACTION),
            (message.solved, ids.CHECK_REACTION),
        ):
            if flag is not None:
                await self.out.reaction_or_raise(channel, root, reaction, on=flag)


def register_sender(bot: CommunityBot, out: SlackOut) -> SlackSender:
    """Put a Slack sender on the bot's Outbox (undo with `bot.outbox.unregister("slack")`)."""

    sender = SlackSender(bot, out)
    bot.outbox.register(sender)
    return sender
