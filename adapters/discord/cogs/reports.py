""" "Report to moderators": a message context menu, a reason form, and the moderators' buttons.

Any member may report a message; the core rate-limits reports and posts each one in the
configured moderators' channel (a `ChannelPost` through the Outbox sender) with Dismiss,
Delete message and Warn the author buttons. The reporter is never named there, nor to the
author. The form and the buttons carry what they need in their custom ids and are answered
by one listener, so a restart in between loses nothing.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from adapters.discord import render, translate
from adapters.discord.client import CommunityClient
from adapters.discord.cogs.base import FeatureCog, Invocation
from adapters.discord.outcomes import quietly
from adapters.discord.replies import giving_back, reply, report_error
from adapters.discord.texts import DESCRIPTIONS
from bot import commands as c
from bot import events as ev
from bot.errors import OwnMessageReport, ReportNotFound
from bot.model import REPORT_OUTCOMES, ThreadRef
from bot.text import parse_number

log = logging.getLogger(__name__)

FORM = "flag"
BUTTONS = "report"


class Reports(FeatureCog):
    COMPONENTS = frozenset({FORM, BUTTONS})

    def __init__(self, client: CommunityClient) -> None:
        super().__init__(client)
        self.report_menu = app_commands.ContextMenu(
            name=DESCRIPTIONS["menu.report"], callback=self.report_message
        )
        self.report_menu.guild_only = True

    async def cog_load(self) -> None:
        self.client.tree.add_command(self.report_menu)

    async def cog_unload(self) -> None:
        self.client.tree.remove_command(self.report_menu.name, type=self.report_menu.type)

    # -- the menu opens the form ----------------------------------------------------------------
    async def report_message(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        inv = self.invocation(interaction)
        if message.author.id == interaction.user.id:
            # The core refuses it too, but only after the member typed a reason for nothing.
            raise OwnMessageReport()
        form = translate.custom_id(FORM, message.channel.id, message.id, message.author.id)
        await interaction.response.send_modal(render.report_modal(inv.texts, form))

    @FeatureCog.listener("on_interaction")
    async def on_report_interaction(self, interaction: discord.Interaction) -> None:
        if interaction.type not in (
            discord.InteractionType.modal_submit,
            discord.InteractionType.component,
        ):
            return
        parsed = translate.parse_custom_id(str((interaction.data or {}).get("custom_id", "")))
        if parsed is None or parsed[0] not in self.COMPONENTS:
            return
        action, args = parsed
        if action == FORM and len(args) < 2:
            return
        args = [*args, "", ""]  # a cut-off button id names no report
        texts = self.client.texts_for_guild(interaction.guild)
        try:
            if action == FORM and interaction.type is discord.InteractionType.modal_submit:
                await self._submitted(interaction, args)
            elif action == BUTTONS:
                await self._resolve(interaction, args)
        except Exception as exc:
            await report_error(interaction, exc, texts, f"report {action}")

    # -- the form is sent -----------------------------------------------------------------------
    async def _submitted(self, interaction: discord.Interaction, args: list[str]) -> None:
        reason = translate.modal_values(interaction.data or {}).get(render.REPORT_REASON, "")
        # The form is gone once sent: a report not filed gives the member their reason back.
        async with giving_back(reason):
            inv = self.invocation(interaction)
            result = await self._file(interaction, inv, args, reason)
        await reply(interaction, render.moderation(inv.texts).report_filed(result))

    async def _file(
        self, interaction: discord.Interaction, inv: Invocation, args: list[str], reason: str
    ) -> ev.ReportFiled:
        channel_id, message_id = args[0], args[1]
        author_id = args[2] if len(args) > 2 else ""
        await self.defer(interaction)
        channel = await self._channel(interaction.guild, channel_id)
        message = None
        message_number = parse_number(message_id)
        if isinstance(channel, discord.abc.Messageable) and message_number is not None:
            message = await quietly(
                channel.fetch_message(message_number), "fetch the reported message"
            )
        author: discord.abc.User | None = message.author if message else None
        author_number = parse_number(author_id)
        if author is None and author_number is not None and interaction.guild is not None:
            author = interaction.guild.get_member(author_number)
        thread = self.client.help_thread(channel)
        if thread is not None:
            where: ThreadRef | None = translate.thread_ref(thread.id)
        elif self.client.is_help_channel(channel):
            # A question in a text help channel: its thread was started from this message
            # and has the message's id, so a report on it is a report on the question.
            where = translate.thread_ref(message_id)
        else:
            where = None
        command = c.ReportMessage(
            inv.actor,
            channel_id,
            message_id,
            reason,
            author=self.client.actor_for(author, inv.community) if author else None,
            excerpt=message.content if message else "",
            thread=where,
            event_id=inv.event_id,
        )
        result = await self.core.handle(command)
        assert isinstance(result, ev.ReportFiled)
        return result

    async def _channel(
        self, guild: discord.Guild | None, channel_id: str
    ) -> discord.abc.GuildChannel | discord.Thread | None:
        number = parse_number(channel_id)
        if guild is None or number is None:
            return None
        return await self.client.channel_in(guild, number)

    # -- a moderator's button -------------------------------------------------------------------
    async def _resolve(self, interaction: discord.Interaction, args: list[str]) -> None:
        inv = self.invocation(interaction)
        outcome = REPORT_OUTCOMES.get(args[0])
        report_id = parse_number(args[1])
        if outcome is None or report_id is None:
            raise ReportNotFound(id=args[1] or "?")
        await self.defer(interaction)
        command = c.ResolveReport(inv.actor, report_id, outcome, event_id=inv.event_id)
        result = await self.core.handle(command)
        assert isinstance(result, ev.ReportResolved)
        lines = [render.moderation(inv.texts).report_resolved(result)]
        if result.delete_message is not None:
            problem = await self._delete(inv, *result.delete_message)
            if problem:
                lines.append(inv.texts.t(problem))
        await reply(interaction, render.join_lines(lines))
        await self._mark_handled(inv, interaction.message, lines[0], result)
        if result.withdrawn is not None:
            # A deleted accepted answer's points went: a reward role they earned goes too, as
            # when the message is deleted on Discord (`cogs.deletions`).
            await self.client.outcomes.rewards(interaction.guild, result.withdrawn.points)

    async def _delete(self, inv: Invocation, channel_id: str, message_id: str) -> str | None:
        """Delete the reported message; the catalog key of what went wrong, if anything."""

        channel_number, message_number = parse_number(channel_id), parse_number(message_id)
        if channel_number is None or message_number is None:
            return "discord.report_message_gone"
        channel = self.client.get_partial_messageable(
            channel_number, guild_id=inv.interaction.guild_id
        )
        try:
            await channel.get_partial_message(message_number).delete()
        except discord.NotFound:
            return "discord.report_message_gone"
        except discord.Forbidden as exc:
            log.warning("could not delete reported message %s: %s", message_id, exc.text)
            return "discord.report_delete_failed"
        except discord.HTTPException as exc:
            log.warning("could not delete reported message %s: %s", message_id, exc)
            return "discord.report_delete_failed"
        return None

    async def _mark_handled(
        self,
        inv: Invocation,
        post: discord.Message | None,
        outcome: str,
        result: ev.ReportResolved,
    ) -> None:
        """The other moderators see the report is handled: buttons gone, outcome appended,
        and by whom, unless naming them would say who asked the anonymous question the
        report is in (then "a moderator")."""

        if post is None or post.flags.ephemeral:
            return
        moderator = render.moderation(inv.texts).resolver(result, inv.interaction.user.mention)
        handled = inv.texts.t("discord.report_handled", outcome=outcome, moderator=moderator)
        content = render.trim(render.join_lines([post.content, handled]))
        await quietly(
            post.edit(content=content, view=None, allowed_mentions=render.NO_MENTIONS),
            "mark report handled",
        )


async def setup(client: CommunityClient) -> None:
    await client.add_cog(Reports(client))
