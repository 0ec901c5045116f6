"""Keeping track of questions: `/guidelines` and `/questions`, both private to the member.

Reminders, closes and escalations are not here: the core's scheduler decides them and they
arrive through `adapters.discord.sender`; the "Mark solved" button they carry is handled with
the other solving components in `cogs.solving`.
"""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord import render
from adapters.discord.client import CommunityClient
from adapters.discord.cogs.base import FeatureCog
from adapters.discord.onboarding import channel
from adapters.discord.replies import reply
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


async def setup(client: CommunityClient) -> None:
    await client.add_cog(Lifecycle(client))
