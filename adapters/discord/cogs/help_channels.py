"""Help channels: a top-level message in a text help channel or a new forum post is a
question; messages in its thread are recorded as answers; `/ask` opens one from anywhere.
A thank-you in the thread credits the member it @-mentions (or the only other participant);
when the asker thanks someone, one quiet line offers a button to mark that answer solved.

The thread is created first so the question is stored with its thread id in one command;
a replayed MESSAGE_CREATE reuses the existing thread and the core ignores the repeat.
A member's first message in a help channel gets the onboarding greeting (`onboarding.greet`);
the asker's message in a dormant-closed question opens its thread again. `/ask anonymous:true`
posts the question as the bot, without the asker's name.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

import discord
from discord import app_commands

from adapters.discord import render, translate
from adapters.discord.client import CommunityClient
from adapters.discord.cogs.base import (
    FeatureCog,
    Invocation,
    NoHelpChannel,
    message_text,
    stored_text,
)
from adapters.discord.onboarding import greet
from adapters.discord.outcomes import quietly
from adapters.discord.read_back import Names
from adapters.discord.replies import error_text, giving_back, log_error, reply
from adapters.discord.texts import DESCRIPTIONS, Texts
from bot import commands as c
from bot import events as ev
from bot.chatter import is_chatter
from bot.errors import DomainError, DuplicateEvent, NotAQuestionThread
from bot.model import Question, QuestionStatus
from bot.text import is_blank, scrub

log = logging.getLogger(__name__)

THREAD_ALREADY_EXISTS = 160004
# Thread names remembered to tell a rename from an update that keeps the name (archiving, a
# tag): the most recently updated threads. One forgotten costs one core call, which finds
# the title unchanged.
MAX_NAMES_KEPT = 10_000


class HelpChannels(FeatureCog):
    def __init__(self, client: CommunityClient) -> None:
        super().__init__(client)
        self._names: dict[int, str] = {}  # thread id -> name last seen, oldest first
        # Member-made threads whose first message may open a question: one at a time.
        self._opening: dict[int, asyncio.Lock] = {}

    def _remember(self, thread_id: int, name: str) -> str | None:
        """Keep a thread's name as the most recently seen; return the one kept before."""
        seen = self._names.pop(thread_id, None)
        self._names[thread_id] = name
        while len(self._names) > MAX_NAMES_KEPT:
            self._names.pop(next(iter(self._names)))
        return seen

    # -- listeners --------------------------------------------------------------------------
    @FeatureCog.listener("on_message")
    async def on_message(self, message: discord.Message) -> None:
        community = self._members_community(message)
        if community is None:
            return
        try:
            if isinstance(message.channel, discord.TextChannel) and self.client.is_help_channel(
                message.channel
            ):
                await self._question_from_message(message, community)
            elif message.id != message.channel.id and self._may_be_question_thread(message.channel):
                await self._record_message(message, community)
        except Exception as exc:  # never let one message take the listener down
            log_error(exc, "message in help channel")

    @FeatureCog.listener("on_thread_create")
    async def on_thread_create(self, thread: discord.Thread) -> None:
        self._remember(thread.id, thread.name)  # (see on_raw_thread_update)
        if not isinstance(thread.parent, discord.ForumChannel):
            return
        if not self.client.is_help_channel(thread.parent) or thread.owner_id == self.client.user.id:  # type: ignore[union-attr]
            return
        community = self.client.community_of(thread.guild)
        if community is None:
            return
        try:
            await self._question_from_post(thread, community)
        except Exception as exc:
            log_error(exc, "forum post")

    @FeatureCog.listener("on_raw_thread_update")
    async def on_raw_thread_update(self, payload: discord.RawThreadUpdateEvent) -> None:
        """A help forum's post renamed (by its asker or a moderator; Discord does not say
        who): its name is the question's title, which follows. The event's own data says
        the name (discord.py's `on_thread_update` hands over the live thread, which a later
        rename may already have changed). Most updates (archiving, tags) keep the name: the
        names seen last (`_names`) keep those from the core. The bot's own solved prefix is
        no rename; nor is a name the bot cut to fit the prefix in (it would cut the title)."""

        name = payload.data.get("name")
        if not isinstance(name, str) or payload.guild_id is None:
            return
        seen = self._remember(payload.thread_id, name)
        guild = self.client.get_guild(payload.guild_id)
        parent = guild.get_channel(payload.parent_id) if guild is not None else None
        if not isinstance(parent, discord.ForumChannel) or not self.client.is_help_channel(parent):
            return
        community = self.client.community_of(guild)
        if community is None:
            return
        prefix = self.client.texts_for(community).t("discord.solved_prefix")
        title = translate.unsolved_name(name, prefix)
        if seen is not None and title == translate.unsolved_name(seen, prefix):
            return  # the same name (archived, tagged), or the solved prefix added or taken off
        if title != name and len(name) >= translate.MAX_THREAD_NAME:
            return  # the bot's prefix cut the name: the title is longer than it shows
        try:
            await self.core.handle(
                c.RetitleQuestion(community, translate.thread_ref(payload.thread_id), title)
            )
        except Exception as exc:  # never let one rename take the listener down
            log_error(exc, "renamed forum post")

    @FeatureCog.listener("on_raw_message_edit")
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        # The raw event, so an edit of a message no longer in discord.py's cache counts too.
        # MESSAGE_UPDATE carries the whole message (`payload.message`): no fetch.
        message = payload.message
        community = self._members_community(message)
        if community is None or not _content_edited(payload):
            return
        try:
            await self._edited(message, community)
        except Exception as exc:  # never let one edit take the listener down
            log_error(exc, "edited message in help channel")

    def _may_be_question_thread(self, channel: object) -> bool:
        """A thread of a help channel, or a channel discord.py has not cached (a thread
        archived or left out of GUILD_CREATE since a restart), which may still be a question
        thread: the core knows its threads by id and refuses any other."""

        return bool(self.client.help_thread(channel)) or isinstance(
            channel, discord.PartialMessageable
        )

    def _members_community(self, message: discord.Message) -> str | None:
        """The community of a member's message (not a bot's, nor a system message) in a
        server one names: one rule for a message as it arrives and as it is edited. None for
        any other message, or one in a DM."""

        if not translate.is_user_message(message.type.value, message.author.bot):
            return None
        return self.client.community_of(message.guild)

    async def _edited(self, message: discord.Message, community: str) -> None:
        """Hand a member's edit to the core, with the text built as on arrival
        (`stored_text`), so the core compares like with like: the question's own message
        (a help-channel message, whose thread has its id; a forum post's starter message,
        which has its thread's id) or a message in a question thread. The core changes
        nothing for anything else. A text help channel's question whose title changed gets
        its thread renamed to match (`_rename`); a forum post's name is its member's."""

        guild: discord.Guild = message.guild  # type: ignore[assignment]
        channel = message.channel
        thread_id = message.channel.id
        title: str | None = None
        if isinstance(channel, discord.TextChannel):
            if not self.client.is_help_channel(channel):
                return
            thread_id = message.id  # a help-channel question's thread has its message's id
        elif message.id == channel.id:  # a forum post's starter message
            # Not cached (archived, or since a restart): `channel_in` fetches it once.
            thread = self.client.help_thread(await self.client.channel_in(guild, channel.id))
            if thread is None or not isinstance(thread.parent, discord.ForumChannel):
                return
            # As `_question_from_post` composed it: the post's title, then its message. The
            # bot's solved prefix is not part of the title.
            title = translate.unsolved_name(
                thread.name, self.client.texts_for(community).t("discord.solved_prefix")
            )
        elif not self._may_be_question_thread(channel):
            return
        text = await stored_text(message, guild)
        if title is not None:
            text = translate.forum_question_text(title, text)
        result = await self.core.handle(
            c.EditMessage(
                self.client.actor_for(message.author, community),
                str(message.id),
                text,
                thread=translate.thread_ref(thread_id),
            )
        )
        if (
            isinstance(result, ev.MessageEdited)
            and result.question is not None
            and result.answer is None
            and result.retitled  # (a body edit leaves a name a moderator gave it alone)
            and isinstance(channel, discord.TextChannel)
        ):
            await self._rename(message, result.question, text, community)

    async def _rename(
        self, message: discord.Message, question: Question, text: str, community: str
    ) -> None:
        """The thread the bot opened on a text help channel's question is named after its
        first line, so an edit there (a secret taken out, a clearer wording) renames it, with
        the solved mark kept. A thread a member made stays theirs to name."""

        guild: discord.Guild = message.guild  # type: ignore[assignment]
        thread = self.client.help_thread(await self.client.channel_in(guild, message.id))
        if thread is None or self.client.user is None or thread.owner_id != self.client.user.id:
            return
        texts = self.client.texts_for(community)
        name = translate.thread_name(
            text,
            texts.t("discord.thread_title_fallback", member=message.author.display_name),
            texts.t("discord.solved_prefix"),
        )
        if question.status is QuestionStatus.SOLVED:
            name = translate.solved_name(name, texts.t("discord.solved_prefix"))
        await self.client.outcomes.rename(thread, name)

    # -- questions from messages and posts ---------------------------------------------------
    async def _question_from_message(self, message: discord.Message, community: str) -> None:
        text = message_text(message)
        if is_blank(text):
            log.info(
                "ignored an empty message in help channel %s (is the Message Content intent on?)",
                message.channel.id,
            )
            return
        if is_chatter(text):  # "thanks!", "ok", "+1": no question, no thread
            return
        texts = self.client.texts_for(community)
        actor = self.client.actor_for(message.author, community)
        stored = await stored_text(message, message.guild)  # type: ignore[arg-type]
        # Named from the readable text: a thread name shows `<@id>` as typed, not as a name.
        name = translate.thread_name(
            stored,
            texts.t("discord.thread_title_fallback", member=message.author.display_name),
            texts.t("discord.solved_prefix"),
        )
        thread = await self._thread_for(message, name)
        if thread is None:
            return
        command = c.AskQuestion(
            actor,
            channel_id=str(message.channel.id),
            message_id=str(message.id),
            text=stored,
            event_id=translate.message_event(message.id),
            thread_id=str(thread.id),
            private=_private(message.channel, self.client.settings.member_role_ids),
        )
        await self._ask(command, thread, texts, message)

    async def _thread_for(self, message: discord.Message, name: str) -> discord.Thread | None:
        existing = message.thread or message.guild.get_thread(message.id)  # type: ignore[union-attr]
        if existing is not None:
            return existing
        try:
            return await message.create_thread(name=name)
        except discord.HTTPException as exc:
            if exc.code == THREAD_ALREADY_EXISTS:  # a replay after we already made it
                return message.guild.get_thread(message.id) or await quietly(  # type: ignore[union-attr, return-value]
                    message.guild.fetch_channel(message.id),
                    "fetch existing thread",  # type: ignore[union-attr]
                )
            log.warning("could not open a thread for message %s: %s", message.id, exc)
            return None

    async def _question_from_post(self, thread: discord.Thread, community: str) -> None:
        starter = thread.starter_message or await quietly(
            thread.fetch_message(thread.id), "fetch forum starter message"
        )
        author: discord.abc.User | None = starter.author if starter else thread.owner
        if author is None:
            author = await quietly(thread.guild.fetch_member(thread.owner_id), "fetch post owner")
        if author is None or author.bot:
            return
        author = await self.member_of(thread.guild, author)
        content = await stored_text(starter, thread.guild) if starter else ""
        command = c.AskQuestion(
            self.client.actor_for(author, community),
            channel_id=str(thread.parent_id),
            message_id=str(thread.id),
            text=translate.forum_question_text(thread.name, content),
            event_id=translate.message_event(thread.id),
            thread_id=str(thread.id),
            private=_private(thread, self.client.settings.member_role_ids),
        )
        await self._ask(command, thread, self.client.texts_for(community))

    async def _ask(
        self,
        command: c.AskQuestion,
        thread: discord.Thread,
        texts: Texts,
        message: discord.Message | None = None,
    ) -> None:
        try:
            result = await self.core.handle(command)
        except DomainError as exc:
            log_error(exc, "question")
            text = error_text(exc, texts)
            if text and not isinstance(exc, DuplicateEvent):
                await self.client.outcomes.announce(thread, text)
            return
        assert isinstance(result, ev.QuestionOpened)
        await self.welcome(thread, result, texts)
        await greet(self.client, result.welcome, texts, thread=thread, message=message)

    async def welcome(
        self,
        thread: discord.Thread,
        result: ev.QuestionOpened,
        texts: Texts,
        ping: discord.abc.User | None = None,
    ) -> None:
        """The bot's first message in the thread: suggestions and how to mark an answer."""

        message = render.opened(texts, result)
        mentions = (
            discord.AllowedMentions(everyone=False, roles=False, users=[ping])
            if ping is not None
            else render.NO_MENTIONS
        )
        kwargs: dict[str, object] = {"embeds": message.embeds, "allowed_mentions": mentions}
        if message.view is not None:
            kwargs["view"] = message.view
        await quietly(thread.send(message.content, **kwargs), "welcome message")  # type: ignore[arg-type]

    async def _record_message(self, message: discord.Message, community: str) -> None:
        command = c.PostMessage(
            self.client.actor_for(message.author, community),
            translate.thread_ref(message.channel.id),
            str(message.id),
            await stored_text(message, message.guild),  # type: ignore[arg-type]
            event_id=translate.message_event(message.id),
            mentions=translate.mentions(
                community, [(u.id, u.bot) for u in message.mentions], message.author.id
            ),
        )
        try:
            result = await self.core.handle(command)
        except NotAQuestionThread as exc:
            if not self._member_made_help_thread(message.channel):
                log.debug("message %s not recorded: %s", message.id, exc)
                return
            result = await self._first_in_member_thread(message, command, community)
            if result is None:
                return
        except DuplicateEvent as exc:
            log.debug("message %s not recorded: %s", message.id, exc)
            return
        if not isinstance(result, ev.MessageRecorded) or not (
            result.reopened or result.welcome or result.thanks
        ):
            return
        texts = self.client.texts_for(community)
        # Only when there is something to post: for an uncached thread this is a REST fetch.
        thread = await self._thread_of(message)
        if result.reopened and thread is not None:
            # The asker wrote in their dormant question: open the thread and say so, unless
            # the question is anonymous: the line right under their message would say who
            # asked.
            await self.client.outcomes.reopened(thread, texts)
            if not result.question.anonymous:
                line = texts.t("lifecycle.reopened", id=result.question.id)
                await quietly(
                    thread.send(line, allowed_mentions=render.NO_MENTIONS), "reopened notice"
                )
        await greet(self.client, result.welcome, texts, thread=thread, message=message)
        if result.thanks:
            await self.show_thanks(
                result.thanks, thread=thread, guild=message.guild, texts=texts, interaction=None
            )

    def _member_made_help_thread(self, channel: object) -> bool:
        """A thread a member opened in a text help channel (Discord's Create Thread button,
        no message in the channel to start it): the bot opened none, so no question yet."""

        thread = self.client.help_thread(channel)
        me = self.client.user
        return (
            thread is not None
            and isinstance(thread.parent, discord.TextChannel)
            and me is not None
            and thread.owner_id != me.id
        )

    async def _first_in_member_thread(
        self, message: discord.Message, command: c.PostMessage, community: str
    ) -> ev.MessageRecorded | None:
        """A message in a member-made help thread the core does not know: its maker's first
        one (not chatter) opens a question there, with them as its asker (another member's
        reply before that asks nothing), as a message in the channel opens one with a
        thread; one another message opened meanwhile records it as usual. None when it
        opened the question (welcomed here) or changed nothing."""

        thread: discord.Thread = message.channel  # type: ignore[assignment]
        lock = self._opening.setdefault(thread.id, asyncio.Lock())
        try:
            async with lock:
                try:
                    result = await self.core.handle(command)
                except NotAQuestionThread:
                    pass
                else:
                    return result if isinstance(result, ev.MessageRecorded) else None
                if message.author.id != thread.owner_id:
                    return None  # the thread is its maker's: only their words ask in it
                if is_blank(command.text) or is_chatter(command.text):
                    return None  # "hi", "ok": no question yet; the next message may be one
                ask = c.AskQuestion(
                    command.actor,
                    channel_id=str(thread.parent_id),
                    message_id=str(message.id),
                    text=command.text,
                    event_id=command.event_id,
                    thread_id=str(thread.id),
                    private=_private(thread, self.client.settings.member_role_ids),
                )
                await self._ask(ask, thread, self.client.texts_for(community), message)
                return None
        finally:
            if not lock.locked():
                self._opening.pop(thread.id, None)

    async def _thread_of(self, message: discord.Message) -> discord.Thread | None:
        if isinstance(message.channel, discord.Thread):
            return message.channel
        if message.guild is None:
            return None
        channel = await self.client.channel_in(message.guild, message.channel.id)
        return channel if isinstance(channel, discord.Thread) else None

    # -- /ask -------------------------------------------------------------------------------
    @app_commands.command(name="ask", description=DESCRIPTIONS["ask"])
    @app_commands.describe(
        question=DESCRIPTIONS["ask.question"], anonymous=DESCRIPTIONS["ask.anonymous"]
    )
    @app_commands.guild_only()
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, 4000],
        anonymous: bool = False,
    ) -> None:
        # Not opened (refused, also in a server the bot is not set up for, or Discord or
        # the database failed): the question comes back with the error. Once it is open, a
        # failure is reported alone: the member must not post an open question again.
        async with giving_back(question, intro="discord.ask_given_back"):
            inv = self.invocation(interaction)
            thread, result, unposted = await self._open(interaction, inv, question, anonymous)
        await self.welcome(thread, result, inv.texts, ping=None if anonymous else interaction.user)
        done = [inv.texts.t("discord.ask_done", thread=thread.mention)]
        if unposted:
            done.append(inv.texts.t("discord.ask_partly_posted"))
        await reply(interaction, render.join_lines(done))
        # The core has the whole question; the asker gets what the thread lacks, to add it.
        for part in unposted:
            await reply(interaction, part)
        await greet(self.client, result.welcome, inv.texts, interaction=interaction)

    async def _open(
        self, interaction: discord.Interaction, inv: Invocation, question: str, anonymous: bool
    ) -> tuple[discord.Thread, ev.QuestionOpened, list[str]]:
        """Post the question and open it in the core: its thread, the core's result and the
        parts of it Discord refused to post (see `_post_rest`)."""

        channel = self._help_channel_for(interaction)
        await self.defer(interaction)
        user = interaction.user
        # An anonymous question is the bot's own post: the asker is named the way
        # Presenter.asker names an anonymous asker, and nobody is pinged.
        shown = inv.texts.t("question.anonymous_author") if anonymous else user.display_name
        # With names (`base.stored_text`), for the core and the thread's name (which shows
        # `<@id>` as typed): one command, so a few are looked up.
        stored = await Names(channel.guild).text(question, stored=True)
        name = translate.thread_name(
            stored,
            inv.texts.t("discord.thread_title_fallback", member=shown),
            inv.texts.t("discord.solved_prefix"),
        )
        # A question longer than one message (the option takes 4,000) goes on in the thread.
        # (Discord refuses half an emoji, a lone surrogate; the core stores it scrubbed.)
        starter_text, *rest = render.split_message(
            render.ask_starter(inv.texts, user.id, scrub(question), anonymous=anonymous)
        )
        ping = (
            render.NO_MENTIONS
            if anonymous
            else discord.AllowedMentions(everyone=False, roles=False, users=[user])
        )
        starter: discord.Message | None = None
        thread: discord.Thread | None = None
        try:
            if isinstance(channel, discord.ForumChannel):
                created = await channel.create_thread(
                    name=name, content=starter_text, allowed_mentions=ping
                )
                thread, message_id = created.thread, created.thread.id
            else:
                starter = await channel.send(starter_text, allowed_mentions=render.NO_MENTIONS)
                message_id = starter.id
                thread = await starter.create_thread(name=name)
            unposted = await self._post_rest(thread, rest)
            command = c.AskQuestion(
                inv.actor,
                channel_id=str(channel.id),
                message_id=str(message_id),
                text=stored,
                event_id=inv.event_id,
                thread_id=str(thread.id),
                anonymous=anonymous,
                private=_private(channel, self.client.settings.member_role_ids),
            )
            result = await self.core.handle(command)
        except Exception:
            # Refused or failed: take away what was posted (a starter whose thread Discord
            # refused too), then report; the member gets the question back to post again.
            if thread is not None:
                await quietly(thread.delete(), "remove thread of refused question")
            if starter is not None:
                await quietly(starter.delete(), "remove starter of refused question")
            raise
        assert isinstance(result, ev.QuestionOpened)
        return thread, result, unposted

    @staticmethod
    async def _post_rest(thread: discord.Thread, parts: list[str]) -> list[str]:
        """Post the parts of a question after its first message, in order; return those not
        posted. It stops at the first part Discord refuses: the parts after it would read
        on as if nothing were missing, leaving a gap in the middle of the question."""

        for index, part in enumerate(parts):
            sent = await quietly(
                thread.send(part, allowed_mentions=render.NO_MENTIONS), "rest of the question"
            )
            if sent is None:
                return parts[index:]
        return []

    def _help_channel_for(
        self, interaction: discord.Interaction
    ) -> discord.TextChannel | discord.ForumChannel:
        channel = interaction.channel
        guild = interaction.guild
        if isinstance(channel, discord.Thread):
            channel = channel.parent
        if isinstance(channel, discord.TextChannel | discord.ForumChannel) and (
            self.client.is_help_channel(channel)
        ):
            return channel
        for channel_id in self.client.settings.help_channel_ids:
            found = guild.get_channel(int(channel_id)) if guild else None
            if isinstance(found, discord.TextChannel | discord.ForumChannel):
                return found
        raise NoHelpChannel()


def _private(
    channel: discord.abc.GuildChannel | discord.Thread, member_role_ids: Sequence[str] = ()
) -> bool:
    """Whether a question asked here is one not every member can see, so it stays out of
    search and suggestions (`AskQuestion.private`): a private thread (invited members only),
    or a help channel (a thread: its parent) that not every member may view. Every member
    holds the roles `member_role_ids` names (`[discord] member_role_ids`, a verification
    role), when set; else @everyone, when it may view channels server-wide; else, on a server
    where a role grants View Channel server-wide (a "Verified" or "Members" role), each such
    role. A thread whose parent discord.py does not have counts as private: better kept out
    of search than shown to the whole server."""

    if isinstance(channel, discord.Thread) and channel.type is discord.ChannelType.private_thread:
        return True
    parent = channel.parent if isinstance(channel, discord.Thread) else channel
    everyone = channel.guild.default_role
    if parent is None or everyone is None:
        return True
    named = [channel.guild.get_role(int(r)) for r in member_role_ids if str(r).isdigit()]
    if any(role is not None for role in named):
        return any(
            role is not None and not parent.permissions_for(role).view_channel for role in named
        )
    if everyone.permissions.view_channel:
        return not parent.permissions_for(everyone).view_channel
    members = [
        role
        for role in channel.guild.roles
        if role.permissions.view_channel
        and not role.permissions.administrator  # (sees every channel: says nothing)
        and not role.managed  # (a bot's or integration's own role)
    ]
    if not members:  # (channels shown only through their own overwrites)
        return not parent.permissions_for(everyone).view_channel
    return any(not parent.permissions_for(role).view_channel for role in members)


def _content_edited(payload: discord.RawMessageUpdateEvent) -> bool:
    """Whether a MESSAGE_UPDATE may be a member's edit of their words or files: Discord also
    sends one when it unfurls a link (embeds only). Those never set `edited_timestamp`;
    when discord.py still has the message, its text before tells for sure. An update of a
    message edited before that only adds embeds reaches the core, which finds the text
    unchanged and changes nothing."""

    if "content" not in payload.data or payload.message.edited_at is None:
        return False
    before = payload.cached_message
    return before is None or message_text(before) != message_text(payload.message)


async def setup(client: CommunityClient) -> None:
    await client.add_cog(HelpChannels(client))
