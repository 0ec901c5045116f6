"""Keeping track of questions: `/guidelines` and `/questions`, both private to the member,
and a question thread its member closes with Discord's own Close Post (archive).

Reminders, closes and escalations are not here: the core's scheduler decides them and they
arrive through `adapters.discord.sender`; the "Mark solved" button they carry is handled with
the other solving components in `cogs.solving`.
"""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord import render, translate
from adapters.discord.client import CommunityClient
from adapters.discord.cogs.base import FeatureCog
from adapters.discord.onboarding import channel
from adapters.discord.replies import log_error, reply
from adapters.discord.texts import DESCRIPTIONS
from bot import commands as c
from bot import events as ev
from bot.model import Question


class Lifecycle(FeatureCog):
    @app_commands.command(name="guidelines", description=DESCRIPTIONS["guidelines"])
    @app_commands.guild_only()
    async def guidelines(self, interaction: discord.Interaction) -> None:
        inv = self.invocation(interaction)
        help_channel = self._help_channel_id(interaction.channel)
        result = await self.core.handle(c.ShowGuidelines(inv.actor, help_channel))
        assert isinstance(result, ev.GuidelinesShown)
        where = help_channel or getattr(interaction.channel, "id", None)
        lines = render.presenter(inv.texts).guidelines(result, channel(self.client, where))
        await reply(interaction, render.join_lines(lines))

    def _help_channel_id(self, channel: object) -> str | None:
        """The help channel the command was used in (or in one of its threads)."""

        if self.client.is_help_channel(channel):
            return str(channel.id)  # type: ignore[attr-defined]
        thread = self.client.help_thread(channel)
        return str(thread.parent_id) if thread is not None else None

    @app_commands.command(name="questions", description=DESCRIPTIONS["questions"])
    @app_commands.guild_only()
    async def questions(self, interaction: discord.Interaction) -> None:
        inv = self.invocation(interaction)
        result = await self.core.handle(c.ListMyQuestions(inv.actor))
        assert isinstance(result, ev.QuestionsListed)
        guild_id = interaction.guild_id

        def link(q: Question) -> str | None:
            where = q.thread_id or q.channel_id
            return render.jump_url(guild_id, where) if guild_id and where else None

        lines = render.presenter(inv.texts).questions(result, link=link)
        await reply(interaction, render.join_lines(lines))

    # -- Close Post ---------------------------------------------------------------------------
    @FeatureCog.listener("on_thread_update")
    async def on_thread_update(self, before: discord.Thread, after: discord.Thread) -> None:
        """A question thread archived by its owner (Close Post on their forum post, or the
        archive of a thread they made) is the question closed, as `/close` would: otherwise
        it stays open and the reminder opens the thread again. Discord does not say who
        archived a thread, only the owner (and members with Manage Threads) may, and the
        owner is the one the bot can name: the core then closes it only for the asker or a
        moderator. Not the bot's own archives, nor Discord's after the thread sat idle for
        its auto-archive duration. A thread the bot owns (a text help channel's question)
        could only have been archived by someone with Manage Threads, whom the event does
        not name: it is left as it is (`/mod close` closes it)."""

        if before.archived or not after.archived or self.client.help_thread(after) is None:
            return
        if self.client.outcomes.archived_by_bot(after.id):
            return
        last_message = after.last_message_id or before.last_message_id
        if translate.archived_for_inactivity(
            after.archive_timestamp,
            [
                before.archive_timestamp,
                after.created_at,
                discord.utils.snowflake_time(last_message) if last_message else None,
            ],
            after.auto_archive_duration,
        ):
            return
        me = self.client.user
        community = self.client.community_of(after.guild)
        if community is None or me is None or after.owner_id in (None, me.id):
            return
        try:
            owner = await self.member_by_id(after.guild, after.owner_id)  # type: ignore[arg-type]
            if owner is None or owner.bot:
                return
            command = c.CloseQuestion(
                self.client.actor_for(owner, community), translate.thread_ref(after.id)
            )
            result = await self.core.handle(command)
            texts = self.client.texts_for(community)
            await self.show_result(
                result, thread=after, guild=after.guild, texts=texts, interaction=None
            )
        except Exception as exc:
            # Not a question, already closed, or not the asker's: the archive stays a plain
            # archive (`log_error` notes a refusal at debug level).
            log_error(exc, "question thread archived by its owner")


async def setup(client: CommunityClient) -> None:
    await client.add_cog(Lifecycle(client))
