"""Reputation: `/rep [member]`, the "View reputation" user menu and `/leaderboard [period]`.

Reads only (no event ids). Reputation is private to the one asking; the leaderboard is posted
in the channel, with mentions rendered as names and no pings.
"""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord import render, translate
from adapters.discord.client import CommunityClient
from adapters.discord.cogs.base import FeatureCog
from adapters.discord.replies import reply, send_reply
from adapters.discord.texts import DESCRIPTIONS
from bot import commands as c
from bot import events as ev

PERIODS = [app_commands.Choice(name=p, value=p) for p in ("week", "month", "all")]


class Reputation(FeatureCog):
    def __init__(self, client: CommunityClient) -> None:
        super().__init__(client)
        self.rep_menu = app_commands.ContextMenu(
            name=DESCRIPTIONS["menu.reputation"], callback=self.view_reputation
        )
        self.rep_menu.guild_only = True

    async def cog_load(self) -> None:
        self.client.tree.add_command(self.rep_menu)

    async def cog_unload(self) -> None:
        self.client.tree.remove_command(self.rep_menu.name, type=self.rep_menu.type)

    async def _show(
        self, interaction: discord.Interaction, member: discord.abc.User | None
    ) -> None:
        inv = self.invocation(interaction)
        target = translate.member_ref(inv.community, member.id) if member else None
        name = member.display_name if member else None
        result = await self.core.handle(c.ShowReputation(inv.actor, target, member_name=name))
        assert isinstance(result, ev.ReputationShown)
        await send_reply(interaction, render.reputation(inv.texts, result))

    @app_commands.command(name="rep", description=DESCRIPTIONS["rep"])
    @app_commands.describe(member=DESCRIPTIONS["rep.member"])
    @app_commands.guild_only()
    async def rep(
        self, interaction: discord.Interaction, member: discord.Member | discord.User | None = None
    ) -> None:
        await self._show(interaction, member)

    async def view_reputation(
        self, interaction: discord.Interaction, member: discord.Member | discord.User
    ) -> None:
        await self._show(interaction, member)

    @app_commands.command(name="leaderboard", description=DESCRIPTIONS["leaderboard"])
    @app_commands.describe(period=DESCRIPTIONS["leaderboard.period"])
    @app_commands.choices(period=PERIODS)
    @app_commands.guild_only()
    async def leaderboard(
        self, interaction: discord.Interaction, period: app_commands.Choice[str] | None = None
    ) -> None:
        inv = self.invocation(interaction)
        command = c.ShowLeaderboard(inv.actor, translate.period(period.value if period else None))
        result = await self.core.handle(command)
        assert isinstance(result, ev.LeaderboardShown)
        message = render.leaderboard(inv.texts, result)
        await reply(interaction, message.content, embeds=message.embeds, ephemeral=False)


async def setup(client: CommunityClient) -> None:
    await client.add_cog(Reputation(client))
