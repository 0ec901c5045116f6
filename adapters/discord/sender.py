"""The Discord `Sender` for the core's Outbox: messages the bot sends on its own initiative.

Reminders, dormant and solved closes, escalations and moderators' notices come from the
core's scheduler (or after a moderator's command) as `ThreadPost`, `ChannelPost`,
`DirectMessage` and `ThreadState`. This module renders them with the catalog and sends them.

Failures are sorted the way the scheduler needs: Discord refusing for good (403 missing
permission or closed DMs, 404 deleted thread, other 4xx) is logged and the message dropped,
because retrying cannot help; anything else (5xx, an exhausted 429, the network) is raised
so the delivery job is retried with backoff.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from adapters.discord import render, translate
from adapters.discord.texts import Texts
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

if TYPE_CHECKING:
    from adapters.discord.client import CommunityClient

log = logging.getLogger(__name__)

CANNOT_DM = 50007  # "Cannot send messages to this user": DMs closed, or no shared server


class Undeliverable(Exception):
    """Discord refused the message for good; logged, never retried."""


def _nonce(dedupe_key: str | None, part: int) -> str | None:
    """Discord's message nonce (at most 25 characters; discord.py sends it with
    enforce_nonce, so the same nonce from the bot within a few minutes returns the message
    already created instead of posting it again). One per part of a split message."""

    if dedupe_key is None:
        return None
    return f"{dedupe_key}.{part}"[-25:]


def _refused_for_good(exc: discord.HTTPException) -> bool:
    return 400 <= exc.status < 500 and exc.status != 429


class DiscordSender:
    platform = translate.PLATFORM

    def __init__(self, client: CommunityClient) -> None:
        self.client = client

    async def send(self, message: Outbound) -> None:
        kind = type(message).__name__
        try:
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
                raise UnsupportedOutbound(f"Discord cannot send {kind}")
        except Undeliverable as exc:
            log.warning("%s not delivered: %s", kind, exc)
        except discord.HTTPException as exc:
            if not _refused_for_good(exc):
                raise
            if exc.code == CANNOT_DM:
                log.info("%s not delivered: the member does not accept DMs", kind)
            else:
                log.warning("%s not delivered: Discord said %s %s", kind, exc.status, exc.text)

    def _texts(self, community: str) -> Texts:
        return self.client.texts_for(community)

    async def _channel(self, channel_id: str) -> discord.abc.GuildChannel | discord.Thread:
        if not channel_id.isdigit():
            raise Undeliverable(f"{channel_id!r} is not a Discord channel id")
        channel = self.client.get_channel(int(channel_id))
        if channel is None:
            # Archived threads are not in discord.py's cache.
            channel = await self.client.fetch_channel(int(channel_id))
        if not isinstance(channel, discord.abc.GuildChannel | discord.Thread):
            raise Undeliverable(f"channel {channel_id} is not a server channel")
        return channel

    async def _thread(self, thread_id: str) -> discord.Thread:
        channel = await self._channel(thread_id)
        if not isinstance(channel, discord.Thread):
            raise Undeliverable(f"channel {thread_id} is not a thread")
        return channel

    # -- the four kinds -----------------------------------------------------------------------
    async def _thread_post(self, message: ThreadPost) -> None:
        thread = await self._thread(message.thread.id)
        texts = self._texts(message.community)
        text = render.outbound(texts, message)
        mentions, allowed = render.pings(message.mention_role_ids, message.mention_user_ids)
        view = render.action_buttons(texts, message.actions, message.question_id)
        content = " ".join(p for p in (mentions, text) if p)
        await self._post(thread, content, allowed, view, message.dedupe_key)

    async def _channel_post(self, message: ChannelPost) -> None:
        channel = await self._channel(message.channel_id)
        texts = self._texts(message.community)
        text = render.outbound(texts, message)
        mentions, allowed = render.pings(message.mention_role_ids)
        lines = [" ".join(p for p in (mentions, text) if p)]
        link = self._link(channel.guild.id, message)
        if link is not None:
            url, to_message = link
            lines.append(
                texts.t("discord.open_message", message=url)
                if to_message
                else texts.t("discord.kb_open_thread", thread=url)
            )
        # Report posts carry dismiss / delete / warn buttons keyed by the report id.
        view = render.action_buttons(texts, message.actions, reference=message.reference_id)
        sent = await self._post(
            channel, render.join_lines(lines), allowed, view, message.dedupe_key
        )
        report = message.params.get("report")
        if sent is not None and message.key.startswith("report.posted") and isinstance(report, int):
            # Where it is, so that it is marked handled however the report is resolved.
            ref = f"{sent.channel.id}:{sent.id}"
            await self.client.core.handle(
                RecordReportPost(self.platform, message.community, report, ref)
            )

    async def _report_handled(self, message: ReportPostUpdate) -> None:
        """The report's post loses its buttons and says how it was resolved. A post already
        without buttons (the button that resolved it marked it) or gone is left alone."""

        channel_id, _, message_id = message.post_ref.partition(":")
        if not message_id.isdigit():
            raise Undeliverable(f"{message.post_ref!r} is not a Discord message")
        channel = await self._channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise Undeliverable(f"cannot read channel {channel_id}")
        try:
            post = await channel.fetch_message(int(message_id))
        except discord.NotFound:
            return
        if not post.components:
            return
        texts = self._texts(message.community)
        moderator = f"<@{message.moderator_id}>" if message.moderator_id else ""
        line = render.moderation(texts).report_post_line(
            message, moderator, "discord.report_handled"
        )
        content = render.trim(render.join_lines([post.content, line]))
        await post.edit(content=content, view=None, allowed_mentions=render.NO_MENTIONS)

    @staticmethod
    def _link(guild_id: int, message: ChannelPost) -> tuple[str, bool] | None:
        """A jump link to what the post is about, and whether it opens one message: a
        report's message (in its thread, if it is in one: `message_id`), else the
        question's thread, else the question's message (an escalation of a question
        without a thread gives it as the `reference_id`, where a report gives the
        report's id)."""

        params = message.params
        thread_id = str(params.get("thread_id") or "")
        channel_id = str(params.get("channel_id") or "")
        reported = str(params.get("message_id") or "")
        where = thread_id if thread_id.isdigit() else channel_id
        if reported.isdigit() and where.isdigit():
            return render.jump_url(guild_id, where, reported), True
        if thread_id.isdigit():
            return render.jump_url(guild_id, thread_id), False
        reference = message.reference_id or ""
        if channel_id.isdigit() and reference.isdigit():
            return render.jump_url(guild_id, channel_id, reference), True
        return None

    async def _post(
        self,
        channel: discord.abc.GuildChannel | discord.Thread | discord.DMChannel,
        content: str,
        allowed: discord.AllowedMentions,
        view: discord.ui.View | None,
        dedupe_key: str | None = None,
    ) -> discord.Message | None:
        """Send `content` (split as Discord needs); the last message sent."""

        if not isinstance(channel, discord.abc.Messageable):
            raise Undeliverable(f"cannot post in channel {channel.id}")
        parts = render.split_message(content)
        sent = None
        for index, part in enumerate(parts):
            kwargs: dict[str, object] = {"allowed_mentions": allowed}
            if view is not None and index == len(parts) - 1:
                kwargs["view"] = view
            nonce = _nonce(dedupe_key, index)
            if nonce is not None:
                kwargs["nonce"] = nonce
            sent = await channel.send(part, **kwargs)  # type: ignore[arg-type]
        return sent

    async def _direct(self, message: DirectMessage) -> None:
        if message.member.platform != self.platform or not message.member.id.isdigit():
            raise Undeliverable(f"{message.member} is not a Discord member")
        text = render.outbound(self._texts(message.community), message)
        dm = await self.client.create_dm(discord.Object(int(message.member.id)))
        await self._post(dm, text, render.NO_MENTIONS, None, message.dedupe_key)

    async def _thread_state(self, message: ThreadState) -> None:
        thread = await self._thread(message.thread.id)
        await self.client.outcomes.apply_state(
            thread,
            self._texts(message.community),
            archived=message.archived,
            locked=message.locked,
            solved=message.solved,
        )
