"""`/thanks member:`: thank someone explicitly (tied to the question when used in its thread).

Thanks typed in a thread message are found by the core when the message is recorded
(`cogs.help_channels`); this is the explicit way. The giver's note is private, the receiver
hears it from the core by DM, and the asker gets the "Mark as solution" offer privately.
"""

from __future__ import annotations

import discord
from discord import app_commands

from adapters.discord import translate
from adapters.discord.client import CommunityClient
from adapters.discord.cogs.base import FeatureCog
from adapters.discord.texts import DESCRIPTIONS
from bot import commands as c
from bot import events as ev


class Thanks(FeatureCog):
    @app_commands.command(name="thanks", description=DESCRIPTIONS["thanks"])
    @app_commands.describe(member=DESCRIPTIONS["thanks.member"])
    @app_commands.guild_only()
    async def thanks(
        self, interaction: discord.Interaction, member: discord.Member | discord.User
    ) -> None:
        inv = self.invocation(interaction)
        thread = self.client.help_thread(interaction.channel)
        command = c.ThankMember(
            inv.actor,
            self.member_actor(inv, member),
            translate.thread_ref(thread.id) if thread else None,
            event_id=inv.event_id,
        )
        result = await self.call_core(inv, command)
        assert isinstance(result, ev.ThanksGiven)
        await self.show_thanks(
            (result,), thread=thread, guild=interaction.guild, texts=inv.texts,
            interaction=interaction,
        )  # fmt: skip


async def setup(client: CommunityClient) -> None:
    await client.add_cog(Thanks(client))
