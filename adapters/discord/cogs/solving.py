"""Marking questions solved, all three ways, and undoing it.

"Mark as solution" (message context menu), `/solved [member]` (a select of participants when
several helped), a ✅ reaction by the asker (removing it takes that mark back), the suggestion buttons on the bot's first
message, the "Mark solved" button on the scheduler's reminders, the "Mark as solution" button
offered after the asker thanked someone, `/unsolve` and `/close`. The core decides who may do what; this cog translates,
calls it once and hands the result to `outcomes` (quiet public line, tag, archive, roles).
"""

from __future__ import annotations

from typing import ClassVar

import discord
from discord import app_commands

from adapters.discord import translate
from adapters.discord.client import CommunityClient
from adapters.discord.cogs.base import FeatureCog, stored_text
from adapters.discord.outcomes import quietly
from adapters.discord.replies import giving_back, log_error, reply, report_error
from adapters.discord.texts import DESCRIPTIONS
from bot import commands as c
from bot import events as ev
from bot.errors import (
    DuplicateEvent,
    NotAnAnswer,
    NotAQuestionThread,
    QuestionNotFound,
)
from bot.text import parse_number


class Solving(FeatureCog):
    _COMPONENT_HANDLERS: ClassVar[dict[str, str]] = {
        "pick": "_picked_helper",
        "solve": "_solve_button",
        "sugg-yes": "_suggestion_solved",
        "sugg-no": "_suggestion_not_helpful",
        "accept": "_accept_offer",
    }
    COMPONENTS = frozenset(_COMPONENT_HANDLERS)

    def __init__(self, client: CommunityClient) -> None:
        super().__init__(client)
        self.mark_menu = app_commands.ContextMenu(
            name=DESCRIPTIONS["menu.solution"], callback=self.mark_as_solution
        )
        self.mark_menu.guild_only = True

    async def cog_load(self) -> None:
        self.client.tree.add_command(self.mark_menu)

    async def cog_unload(self) -> None:
        self.client.tree.remove_command(self.mark_menu.name, type=self.mark_menu.type)

    # -- "Mark as solution" -----------------------------------------------------------------
    async def mark_as_solution(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        inv = self.invocation(interaction)
        thread = self.client.help_thread(message.channel) or self.client.help_thread(
            interaction.channel
        )
        await self.defer(interaction)
        if thread is not None:
            await self._catch_up(message, thread, inv.community)
        command = c.AcceptAnswer(inv.actor, str(message.id), event_id=inv.event_id)
        await self.run_command(inv, command, thread)

    async def _catch_up(
        self, message: discord.Message, thread: discord.Thread, community: str
    ) -> None:
        """Record the target first if it was sent while the bot was away (a repeat is ignored)."""

        if message.author.bot or message.id == thread.id:
            return
        author = await self.member_of(thread.guild, message.author)
        command = c.PostMessage(
            self.client.actor_for(author, community),
            translate.thread_ref(thread.id),
            str(message.id),
            # As when it arrives live: an attachment-only answer is recorded by its files.
            await stored_text(message, thread.guild),
            event_id=translate.message_event(message.id),
        )
        try:
            await self.core.handle(command)
        except (DuplicateEvent, NotAQuestionThread):
            pass

    async def _caught_up(self, message_id: str, thread: discord.Thread, community: str) -> bool:
        """`_catch_up` for a message known only by id (one fetch); False if Discord has it
        no more."""

        number = parse_number(message_id)
        if number is None:
            return False
        message = await quietly(thread.fetch_message(number), "fetch a message marked with ✅")
        if message is None:
            return False
        await self._catch_up(message, thread, community)
        return True

    # -- /solved, /unsolve, /close ----------------------------------------------------------
    @app_commands.command(name="solved", description=DESCRIPTIONS["solved"])
    @app_commands.describe(member=DESCRIPTIONS["solved.member"])
    @app_commands.guild_only()
    async def solved(
        self, interaction: discord.Interaction, member: discord.Member | discord.User | None = None
    ) -> None:
        inv = self.invocation(interaction)
        thread, ref = self.thread_of(interaction)
        helpers = (translate.member_ref(inv.community, member.id),) if member else ()
        await self.run_command(
            inv, c.MarkSolved(inv.actor, ref, helpers, event_id=inv.event_id), thread
        )

    @app_commands.command(name="unsolve", description=DESCRIPTIONS["unsolve"])
    @app_commands.guild_only()
    async def unsolve(self, interaction: discord.Interaction) -> None:
        inv = self.invocation(interaction)
        thread, ref = self.thread_of(interaction)
        await self.run_command(inv, c.Unsolve(inv.actor, ref, event_id=inv.event_id), thread)

    @app_commands.command(name="close", description=DESCRIPTIONS["close"])
    @app_commands.describe(reason=DESCRIPTIONS["close.reason"])
    @app_commands.guild_only()
    async def close(
        self,
        interaction: discord.Interaction,
        reason: app_commands.Range[str, 1, 200] | None = None,
    ) -> None:
        async with giving_back(reason):  # (a reason not kept comes back with the error)
            inv = self.invocation(interaction)
            thread, ref = self.thread_of(interaction)
            command = c.CloseQuestion(inv.actor, ref, reason, event_id=inv.event_id)
            result = await self.call_core(inv, command)
        await self.show_result(
            result, thread=thread, guild=interaction.guild, texts=inv.texts,
            interaction=interaction,
        )  # fmt: skip

    # -- ✅ by the asker (or a moderator), and taking it back -------------------------------
    # Discord gives a reaction no id of its own, so these commands carry no event id: the
    # core's state is what makes a repeat harmless (a second ✅ finds the answer already
    # accepted, a second removal finds nothing of this member's to take back; both are
    # refused and ignored). An id made of message, member and emoji, as once used, names
    # the reaction, not one add or removal: after add -> remove it would drop the member's
    # next ✅ as a duplicate, forever. The dedupe would guard against gateway RESUME
    # replays, and discord.py moves its resume point on receipt, before dispatching, so a
    # RESUME replays only events never received; were some replayed anyway, they come in
    # their order, so the ✅ state they leave is the one the member left.
    @FeatureCog.listener("on_raw_reaction_add")
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        member = payload.member
        if member is None or member.bot:
            return
        where = await self._solved_reaction(payload)
        if where is None:
            return
        guild, community, thread = where
        actor = self.client.actor_for(member, community)
        command = c.AcceptAnswer(actor, str(payload.message_id), reaction=True)
        await self._reacted(command, guild, community, thread)

    # MESSAGE_REACTION_REMOVE_ALL and MESSAGE_REACTION_REMOVE_EMOJI (a moderator clearing a
    # message's reactions) are left alone on purpose: clearing takes nobody's acceptance away.
    @FeatureCog.listener("on_raw_reaction_remove")
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        """A removed ✅ takes back what that member's ✅ accepted, and nothing else. The event
        names the reaction's owner (`user_id`) even when a moderator removed it, and carries
        no member: it comes from discord.py's cache or one fetch."""

        where = await self._solved_reaction(payload)
        if where is None:
            return
        guild, community, thread = where
        member = await self.member_by_id(guild, payload.user_id)
        if member is None or member.bot:
            return
        actor = self.client.actor_for(member, community)
        command = c.UnacceptAnswer(actor, str(payload.message_id), reaction=True)
        await self._reacted(command, guild, community, thread)

    async def _solved_reaction(
        self, payload: discord.RawReactionActionEvent
    ) -> tuple[discord.Guild, str, discord.Thread] | None:
        """Where a ✅ can mark a solution: a help thread of a configured server; else None."""

        if payload.guild_id is None:
            return None
        if not translate.is_solved_reaction(payload.emoji.name, payload.emoji.id):
            return None
        guild = self.client.get_guild(payload.guild_id)
        community = self.client.community_of(guild)
        if guild is None or community is None:
            return None
        # A thread discord.py has not cached (left out of GUILD_CREATE since a restart) is
        # fetched: a ✅ in a question thread must not be lost for a cache miss.
        thread = self.client.help_thread(await self.client.channel_in(guild, payload.channel_id))
        if thread is None:
            return None
        return guild, community, thread

    async def _reacted(
        self,
        command: c.AcceptAnswer | c.UnacceptAnswer,
        guild: discord.Guild,
        community: str,
        thread: discord.Thread,
    ) -> None:
        texts = self.client.texts_for(community)
        try:
            try:
                result = await self.core.handle(command)
            except NotAnAnswer:
                # A ✅ on a message sent while the bot was away: record it first, as "Mark as
                # solution" does, then mark it.
                if not isinstance(command, c.AcceptAnswer):
                    raise
                if not await self._caught_up(command.message_id, thread, community):
                    raise
                result = await self.core.handle(command)
            await self.show_result(
                result, thread=thread, guild=guild, texts=texts, interaction=None
            )
        except Exception as exc:
            # A refusal (a ✅ by anyone but the asker or a moderator, one that accepted
            # nothing, a repeat) is just a reaction: answering it would be noise, so
            # `log_error` notes it at debug level; anything unexpected is logged in full.
            log_error(exc, f"✅ reaction ({type(command).__name__})")

    # -- components: helper picker and suggestion buttons -----------------------------------
    @FeatureCog.listener("on_interaction")
    async def on_component(self, interaction: discord.Interaction) -> None:
        if interaction.type is not discord.InteractionType.component:
            return
        parsed = translate.parse_custom_id(str((interaction.data or {}).get("custom_id", "")))
        if parsed is None:
            return
        action, args = parsed
        if action not in self.COMPONENTS:
            return
        handler = getattr(self, self._COMPONENT_HANDLERS[action])
        texts = self.client.texts_for_guild(interaction.guild)
        try:
            # A cut-off id names nothing: the handlers answer "not found" for "".
            await handler(interaction, args or [""])
        except Exception as exc:
            await report_error(interaction, exc, texts, f"component {action}")

    async def _picked_helper(self, interaction: discord.Interaction, args: list[str]) -> None:
        inv = self.invocation(interaction)
        values = (interaction.data or {}).get("values") or []
        thread_id = parse_number(args[0])
        if thread_id is None:
            raise QuestionNotFound()
        if not values:
            return
        thread = interaction.guild.get_thread(thread_id) if interaction.guild else None
        command = c.MarkSolved(
            inv.actor,
            translate.thread_ref(args[0]),
            (translate.member_ref(inv.community, str(values[0])),),
            event_id=inv.event_id,
        )
        await self.run_command(inv, command, thread)

    async def _solve_button(self, interaction: discord.Interaction, args: list[str]) -> None:
        """ "Mark solved" on a reminder: the same as `/solved` in the thread."""

        inv = self.invocation(interaction)
        thread, ref = self.thread_of(interaction)
        await self.run_command(inv, c.MarkSolved(inv.actor, ref, event_id=inv.event_id), thread)

    async def _accept_offer(self, interaction: discord.Interaction, args: list[str]) -> None:
        """ "Mark as solution" under the offer made after the asker thanked a helper."""

        inv = self.invocation(interaction)
        if parse_number(args[0]) is None:
            raise NotAnAnswer()
        thread = self.client.help_thread(interaction.channel)
        command = c.AcceptAnswer(inv.actor, args[0], event_id=inv.event_id)
        await self.run_command(inv, command, thread)
        message = interaction.message
        if message is not None and not message.flags.ephemeral:
            await _drop_buttons(message)

    async def _suggestion_solved(self, interaction: discord.Interaction, args: list[str]) -> None:
        inv = self.invocation(interaction)
        thread, ref = self.thread_of(interaction)
        # The buttons sit under the whole list of suggestions, so no single one is named.
        command = c.SolveWithSuggestion(inv.actor, ref, "suggestions", event_id=inv.event_id)
        await self.run_command(inv, command, thread)
        if interaction.message is not None:
            await _drop_buttons(interaction.message)

    async def _suggestion_not_helpful(
        self, interaction: discord.Interaction, args: list[str]
    ) -> None:
        inv = self.invocation(interaction)
        question_id = parse_number(args[0])
        if question_id is None:
            raise QuestionNotFound()
        shown = await self.core.handle(c.ShowQuestion(inv.actor, question_id))
        assert isinstance(shown, ev.QuestionShown)
        await reply(interaction, inv.texts.t("discord.suggestion_not_helpful"))
        if shown.may_solve and interaction.message is not None:
            await _drop_buttons(interaction.message)


async def _drop_buttons(message: discord.Message) -> None:
    await quietly(message.edit(view=None), "remove suggestion buttons")


async def setup(client: CommunityClient) -> None:
    await client.add_cog(Solving(client))
