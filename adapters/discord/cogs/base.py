"""What every feature cog shares: reaching the core and turning an interaction into an actor."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

import discord
from discord.ext import commands

from adapters.discord import render, translate
from adapters.discord.outcomes import quietly
from adapters.discord.read_back import Names
from adapters.discord.replies import reply
from adapters.discord.texts import Texts
from bot import commands as c
from bot import events as ev
from bot.errors import DomainError, NotAQuestionThread
from bot.model import Actor, ThreadRef
from bot.text import with_attachments

if TYPE_CHECKING:
    from adapters.discord.client import CommunityClient


class NotConfigured(DomainError):
    """The guild is not mapped to a community in config.toml (`guild`: its id, which the
    person running the bot adds there)."""

    key = "discord.not_configured"


class NoHelpChannel(DomainError):
    key = "discord.no_help_channel"


def message_text(message: discord.Message) -> str:
    """A member's message as typed: its files named after its words, so a file posted
    without any is still a question or an answer. What Discord shows from it (a thread's
    name) is made from this; the core stores `stored_text`."""

    return with_attachments(message.content, [a.filename for a in message.attachments])


async def stored_text(message: discord.Message, guild: discord.Guild) -> str:
    """A member's message as the core stores it (`message_text`), readable on every platform
    of the community (search, suggestions, /kb search on Slack, an archive): names for
    `<@id>`, `<@&id>` and `<#id>`, ":name:" for custom emoji, UTC dates for timestamps
    (`render.with_names`). Names come only from what the message carries and discord.py's
    cache, never an API call (every message in a help channel comes here): one not known is
    "@deleted-user", as clean_content names it."""

    return await Names(guild, fetches=0).message_text(message, stored=True)


class Invocation:
    """The who/where of one interaction, already translated for the core."""

    def __init__(
        self, interaction: discord.Interaction, community: str, actor: Actor, texts: Texts
    ) -> None:
        self.interaction = interaction
        self.community = community
        self.actor = actor
        self.texts = texts
        self.event_id = translate.interaction_event(interaction.id)


class FeatureCog(commands.Cog):
    #: The custom-id actions ("cb:<action>:...") this cog's listeners answer. The client
    #: answers any other button or form itself (see `_Community.on_interaction`).
    COMPONENTS: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, client: CommunityClient) -> None:
        self.client = client
        self.core = client.core

    def invocation(self, interaction: discord.Interaction) -> Invocation:
        community = self.client.community_of(interaction.guild)
        if community is None:
            guild = interaction.guild
            raise NotConfigured(guild=str(guild.id) if guild is not None else "?")
        actor = self.client.actor_for(interaction.user, community)
        return Invocation(interaction, community, actor, self.client.texts_for(community))

    @staticmethod
    def member_actor(inv: Invocation, member: discord.abc.User) -> Actor:
        """A member someone acts on, named so the core can store someone it has never seen
        (e.g. a spammer who never posted in a help channel)."""

        ref = translate.member_ref(inv.community, member.id)
        return Actor(ref, member.display_name, is_bot=member.bot)

    async def call_core(self, inv: Invocation, command: c.Command) -> ev.Result:
        """Acknowledge, then run `command`."""

        await self.defer(inv.interaction)
        return await self.core.handle(command)

    @staticmethod
    def thread_of(interaction: discord.Interaction) -> tuple[discord.Thread, ThreadRef]:
        """The thread the command was used in; the core decides if it is a question thread."""

        channel = interaction.channel
        if not isinstance(channel, discord.Thread):
            raise NotAQuestionThread()
        return channel, translate.thread_ref(channel.id)

    @staticmethod
    async def defer(interaction: discord.Interaction) -> None:
        """Acknowledge now (the core and Discord calls may take more than a moment)."""

        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=True)

    async def member_of(self, guild: discord.Guild, user: discord.abc.User) -> discord.abc.User:
        """A full guild member (roles, permissions) when only a user object is at hand."""

        if isinstance(user, discord.Member):
            return user
        return await self.member_by_id(guild, user.id) or user

    @staticmethod
    async def member_by_id(guild: discord.Guild, user_id: int) -> discord.Member | None:
        """The member from discord.py's cache (which, without the members intent, holds few)
        or else one fetch; None when Discord refuses (e.g. they left the server)."""

        cached = guild.get_member(user_id)
        if cached is not None:
            return cached
        try:
            return await guild.fetch_member(user_id)
        except discord.HTTPException:
            return None

    # -- results that change questions: private reply, public line, thread, roles ----------
    async def show_result(
        self,
        result: ev.Result,
        *,
        thread: discord.Thread | None,
        guild: discord.Guild | None,
        texts: Texts,
        interaction: discord.Interaction | None,
    ) -> None:
        present = render.presenter(texts)
        outcomes = self.client.outcomes
        private: str | None = None
        view: discord.ui.View | None = None
        public: str | None = None
        if isinstance(result, ev.AnswerAccepted):
            private, public = (
                render.accepted_private(texts, result),
                present.accepted_public(result),
            )
        elif isinstance(result, ev.SolvedWithoutHelper):
            private = public = present.solved_alone(result)
        elif isinstance(result, ev.HelperChoiceNeeded):
            private = present.choose_helper(result)
            if thread is not None:
                view = render.helper_picker(texts, result, thread.id)
        elif isinstance(result, ev.QuestionReopened):
            private = public = present.reopened(result)
        elif isinstance(result, ev.AnswerUnaccepted):
            private = public = present.unaccepted(result)
        elif isinstance(result, ev.QuestionClosed):
            private = public = present.closed(result)
        else:
            raise TypeError(f"no Discord rendering for {type(result).__name__}")
        if interaction is not None:
            await reply(interaction, private, view=view)
        if public:
            await outcomes.announce(thread, public)
        if isinstance(result, ev.AnswerAccepted | ev.SolvedWithoutHelper):
            await outcomes.solved(thread, texts)
        elif isinstance(result, ev.QuestionReopened) or (
            isinstance(result, ev.AnswerUnaccepted) and result.reopened
        ):
            await outcomes.reopened(thread, texts)
        elif isinstance(result, ev.QuestionClosed):
            await outcomes.closed(thread)
        if isinstance(result, ev.AnswerAccepted | ev.QuestionReopened | ev.AnswerUnaccepted):
            await outcomes.rewards(guild, result.points)

    async def show_thanks(
        self,
        given: tuple[ev.ThanksGiven, ...],
        *,
        thread: discord.Thread | None,
        guild: discord.Guild | None,
        texts: Texts,
        interaction: discord.Interaction | None,
    ) -> None:
        """Thanks: the giver's private note (`/thanks`), the quiet offer to mark the thanked
        answer as the solution, and reward roles. The receiver's DM comes from the core."""

        present = render.moderation(texts)
        how = render.Shown(texts.t("discord.offer_how"))
        for thanks in given:
            offer = present.offer(thanks, how)
            view = (
                render.accept_offer(texts, thanks.offer_solution.message_id)
                if offer and thanks.offer_solution
                else None
            )
            if interaction is not None:
                lines = [present.thanks(thanks), *([offer] if offer else [])]
                await reply(interaction, render.join_lines(lines), view=view)
            elif (
                offer
                and thread is not None
                and not thread.archived
                and not (thanks.question is not None and thanks.question.anonymous)
            ):
                # A thread message has no private reply: one quiet line, nobody pinged. Not
                # for an anonymous question: under the asker's own thanks it would say who
                # asked (they mark it with the menu or /solved, as its first message says).
                await quietly(
                    thread.send(offer, view=view, allowed_mentions=render.NO_MENTIONS),  # type: ignore[arg-type]
                    "offer to mark the solution",
                )
        changes = [t.change for t in given if t.change is not None]
        await self.client.outcomes.rewards(guild, changes)

    async def run_command(
        self, inv: Invocation, command: c.Command, thread: discord.Thread | None
    ) -> None:
        await self.defer(inv.interaction)
        result = await self.core.handle(command)
        await self.show_result(
            result,
            thread=thread,
            guild=inv.interaction.guild,
            texts=inv.texts,
            interaction=inv.interaction,
        )
