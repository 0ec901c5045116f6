"""Messages and threads deleted on Discord reach the core (`bot.deletions`): a deleted
question (the asker's help-channel message, a forum post's starter message, the bot's post of
an /ask question, or its whole thread) is deleted in the core too, and its thread, when still
there, is told and closed by the core's outbound messages; a deleted answer is no answer any
more, and an accepted one takes its points (and so perhaps a reward role) with it.

Discord says neither who deleted a message nor what it was, only its id and channel, so the
raw events are used (a message discord.py no longer has in its cache counts too) and the
core, which knows its questions and answers by message id, decides. The adapter only keeps
out what cannot be one of them without asking Discord: a DM, a server no community names, a
channel discord.py knows to be neither a help channel nor a thread of one. A bulk delete (a
moderator's purge) hands each message to the core on its own, so one failing spares the rest.

A help channel deleted whole takes every thread in it along, and Discord sends no thread
deletion for them: its questions are deleted one by one (`bot.deletions.delete_channel`), and
the log says the configuration still names a channel that is gone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import discord

from adapters.discord import translate
from adapters.discord.client import CommunityClient
from adapters.discord.cogs.base import FeatureCog
from adapters.discord.outcomes import quietly
from adapters.discord.replies import log_error
from bot import commands as c
from bot import events as ev
from bot.deletions import delete_channel
from bot.model import Question
from bot.text import parse_number

log = logging.getLogger(__name__)


class Deletions(FeatureCog):
    @FeatureCog.listener("on_raw_message_delete")
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        community = self._community_of_channel(payload.guild_id, payload.channel_id)
        if community is None:
            return
        await self._deleted(community, payload.guild_id, [payload.message_id])

    @FeatureCog.listener("on_raw_bulk_message_delete")
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        community = self._community_of_channel(payload.guild_id, payload.channel_id)
        if community is None:
            return
        await self._deleted(community, payload.guild_id, sorted(payload.message_ids))

    @FeatureCog.listener("on_raw_thread_delete")
    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        # THREAD_DELETE names the thread's parent: only a help channel's threads hold questions.
        if not translate.is_help_channel(payload.parent_id, self.client.settings.help_channel_ids):
            return
        community = self.client.community_of(discord.Object(payload.guild_id))
        if community is None:
            return
        try:
            await self.core.handle(
                c.DeleteThread(community, translate.thread_ref(payload.thread_id))
            )
        except Exception as exc:  # never let one deletion take the listener down
            log_error(exc, "deleted thread")

    @FeatureCog.listener("on_guild_channel_delete")
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        # CHANNEL_DELETE carries the channel; discord.py hands it over from its cache.
        if not self.client.is_help_channel(channel):
            return
        community = self.client.community_of(channel.guild)
        if community is None:
            return
        try:
            await delete_channel(self.core.handle, translate.PLATFORM, community, str(channel.id))
        except Exception as exc:  # what was deleted stays deleted; the rest stay listed
            log.error(
                "deleting the questions of help channel #%s (%s), deleted on Discord, "
                "stopped part-way; some are still listed",
                channel.name, channel.id, exc_info=exc,
            )  # fmt: skip
            return
        log.warning(
            "help channel #%s (%s) was deleted on Discord: its questions are deleted too; "
            "remove it from [discord] help_channel_ids",
            channel.name, channel.id,
        )  # fmt: skip

    def _community_of_channel(self, guild_id: int | None, channel_id: int) -> str | None:
        """The community of a server's channel that may hold a question or an answer: a help
        channel, a thread of one, or a channel discord.py has not cached (an archived thread,
        or one left out since a restart), which the core may still know. None for a DM, a
        server no community names, and any other channel."""

        if guild_id is None:
            return None
        community = self.client.community_of(discord.Object(guild_id))
        if community is None:
            return None
        guild = self.client.get_guild(guild_id)
        channel = guild.get_channel_or_thread(channel_id) if guild is not None else None
        if channel is None or self.client.is_help_channel(channel):
            return community
        return community if self.client.help_thread(channel) is not None else None

    async def _deleted(
        self, community: str, guild_id: int | None, message_ids: Iterable[int]
    ) -> None:
        for message_id in message_ids:
            try:
                result = await self.core.handle(
                    c.DeleteMessage(translate.PLATFORM, community, str(message_id))
                )
                # The core already told and closed a deleted question's thread (its outbound);
                # points an accepted answer loses may take a reward role away.
                guild = self.client.get_guild(guild_id) if guild_id is not None else None
                if isinstance(result, ev.DeletedOnPlatform) and result.withdrawn is not None:
                    await self.client.outcomes.rewards(guild, result.withdrawn.points)
                if isinstance(result, ev.DeletedOnPlatform) and result.question is not None:
                    await self._rename_gone(guild, result.question, community)
            except Exception as exc:  # one message failing must not stop the rest
                log_error(exc, f"deleted message {message_id}")

    async def _rename_gone(
        self, guild: discord.Guild | None, question: Question, community: str
    ) -> None:
        """A thread the bot named after a question's first line, whose message its member
        deleted (a pasted token, say), loses that name: "Deleted question #12". A forum post
        keeps the title its member gave it (theirs to rename)."""

        number = parse_number(question.thread_id or "")
        me = self.client.user
        if guild is None or number is None or me is None:
            return
        thread = self.client.help_thread(await self.client.channel_in(guild, number))
        if thread is None or thread.owner_id != me.id:
            return
        # As Discord has it now (the core's ThreadState has just archived it).
        fresh = await quietly(guild.fetch_channel(thread.id), "read the thread")
        texts = self.client.texts_for(community)
        name = texts.t("discord.deleted_thread_name", id=question.id)
        await self.client.outcomes.rename(
            fresh if isinstance(fresh, discord.Thread) else thread, name
        )


async def setup(client: CommunityClient) -> None:
    await client.add_cog(Deletions(client))
