"""`/kb search` (autocomplete on titles) and `/kb show`.

The knowledge-base core is being built elsewhere; until it has article reads this cog uses
`CommunityBot.suggestions_for` for search and `ShowQuestion` for solved questions ("q<id>").
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from adapters.discord import render, translate
from adapters.discord.client import CommunityClient
from adapters.discord.cogs.base import FeatureCog
from adapters.discord.replies import send_reply
from adapters.discord.texts import DESCRIPTIONS
from bot import commands as c
from bot import events as ev
from bot.errors import DomainError, QuestionNotFound

log = logging.getLogger(__name__)


class KBNotFound(DomainError):
    key = "discord.kb_not_found"


class Knowledge(FeatureCog):
    kb = app_commands.Group(name="kb", description=DESCRIPTIONS["kb"], guild_only=True)

    async def _titles(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        community = self.client.community_of(interaction.guild)
        if community is None or not current.strip():
            return []
        try:
            found = await self.core.suggestions_for(community, current, limit=render.MAX_CHOICES)
        except Exception:
            log.exception("autocomplete search failed")
            return []
        return [
            app_commands.Choice(name=render.choice_name(s), value=s.id[:100])
            for s in found[: render.MAX_CHOICES]
        ]

    @kb.command(name="search", description=DESCRIPTIONS["kb.search"])
    @app_commands.describe(query=DESCRIPTIONS["kb.search.query"])
    async def search(
        self, interaction: discord.Interaction, query: app_commands.Range[str, 1, 200]
    ) -> None:
        inv = self.invocation(interaction)
        await self.defer(interaction)
        found = await self.core.suggestions_for(inv.community, query, limit=10)
        await send_reply(interaction, render.kb_results(inv.texts, query, found))

    @search.autocomplete("query")
    async def _search_titles(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._titles(interaction, current)

    @kb.command(name="show", description=DESCRIPTIONS["kb.show"])
    @app_commands.describe(item=DESCRIPTIONS["kb.show.item"])
    async def show(
        self, interaction: discord.Interaction, item: app_commands.Range[str, 1, 100]
    ) -> None:
        inv = self.invocation(interaction)
        question_id = translate.kb_question_id(item)
        if question_id is None:
            # Articles need a KB read the core does not offer yet (see the adapter report).
            raise KBNotFound()
        await self.defer(interaction)
        try:
            result = await self.core.handle(c.ShowQuestion(inv.actor, question_id))
        except QuestionNotFound:
            raise KBNotFound() from None
        assert isinstance(result, ev.QuestionShown)
        guild_id = interaction.guild.id if interaction.guild else None
        await send_reply(interaction, render.question_card(inv.texts, result, guild_id))

    @show.autocomplete("item")
    async def _show_titles(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._titles(interaction, current)


async def setup(client: CommunityClient) -> None:
    await client.add_cog(Knowledge(client))
