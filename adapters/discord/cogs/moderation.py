"""`/mod`: moderator commands, guarded here (configured roles or Manage Threads).

It closes and reopens questions through the existing core commands and reveals who asked an
anonymous question (the core checks and audits that one, refusals included). The group is visible to everyone because
role-based moderators may lack Manage Threads; the guard refuses everyone else privately.
"""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord import render
from adapters.discord.client import CommunityClient
from adapters.discord.cogs.base import FeatureCog, Invocation
from adapters.discord.replies import reply
from adapters.discord.texts import DESCRIPTIONS
from bot import commands as c
from bot import events as ev
from bot.errors import NotModerator


class Moderation(FeatureCog):
    mod = app_commands.Group(name="mod", description=DESCRIPTIONS["mod"], guild_only=True)

    def moderator(self, interaction: discord.Interaction) -> Invocation:
        inv = self.invocation(interaction)
        if not inv.actor.is_moderator:
            raise NotModerator()
        return inv

    @mod.command(name="close", description=DESCRIPTIONS["mod.close"])
    @app_commands.describe(reason=DESCRIPTIONS["close.reason"])
    async def close(
        self,
        interaction: discord.Interaction,
        reason: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        inv = self.moderator(interaction)
        thread, ref = self.thread_of(interaction)
        command = c.CloseQuestion(inv.actor, ref, reason, event_id=inv.event_id)
        await self.run_command(inv, command, thread)

    @mod.command(name="reopen", description=DESCRIPTIONS["mod.reopen"])
    async def reopen(self, interaction: discord.Interaction) -> None:
        inv = self.moderator(interaction)
        thread, ref = self.thread_of(interaction)
        await self.run_command(inv, c.Unsolve(inv.actor, ref, event_id=inv.event_id), thread)

    @mod.command(name="reveal", description=DESCRIPTIONS["mod.reveal"])
    @app_commands.describe(
        question=DESCRIPTIONS["mod.reveal.question"], reason=DESCRIPTIONS["mod.reveal.reason"]
    )
    async def reveal(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[int, 1],
        reason: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        # No guard here: the core refuses non-moderators itself and audits the refusal too.
        inv = self.invocation(interaction)
        await self.defer(interaction)
        command = c.RevealAsker(inv.actor, question, reason, event_id=inv.event_id)
        result = await self.core.handle(command)
        assert isinstance(result, ev.AskerRevealed)
        await reply(interaction, render.presenter(inv.texts).revealed(result))


async def setup(client: CommunityClient) -> None:
    await client.add_cog(Moderation(client))
