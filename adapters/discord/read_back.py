"""What `/kb promote` reads back from Discord: a solved question and its accepted answers as
they read in the thread now, as article text.

The core keeps 300 characters of each answer, and the question as the member sent it, with
names for Discord's `<@id>`, `<@&id>`, `<#id>` and `<:emoji:id>` as far as the message and
discord.py's cache knew them when it arrived (`cogs.base.stored_text`); an article is read on
every platform (Slack's /kb show, kb export, search), so each message is read back and shown
as Discord shows it now, names for ids (`render.with_names`), a few looked up when not
cached (`Names`). A question asked with /ask is the
bot's own post, which names the asker or says they are anonymous: only the member's words
go in, and only when the post holds the whole question the core stored. What cannot be read
(deleted, no permission, no message content intent) is left out with one log line, and the
core uses what it stored.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from adapters.discord import render, translate
from adapters.discord.outcomes import quietly
from adapters.discord.texts import Texts
from bot import events as ev
from bot.model import Acceptance, Question
from bot.text import clean, filled_in, parse_number, with_attachments

if TYPE_CHECKING:
    from adapters.discord.client import CommunityClient

log = logging.getLogger(__name__)

#: Accepted answers read back for one /kb promote (each is one API call).
MAX_FETCHED_ANSWERS = 10
#: Mentioned members and channels not in discord.py's cache looked up for one /kb promote
#: (each is one API call); any more are named as clean_content names one it cannot find.
MAX_FETCHED_NAMES = 5


@dataclass(frozen=True, slots=True)
class ReadBack:
    """The question's article text (None: the core uses the text it stored) and (message
    id, text) of each accepted answer read."""

    question: str | None = None
    answers: tuple[tuple[str, str], ...] = ()


class Names:
    """The names of what messages mention, for `render.with_names`: from discord.py's cache,
    the message's own mentions, or else looked up (at most `fetches`, `MAX_FETCHED_NAMES`
    by default; none for a message as it arrives, `cogs.base.stored_text`). The bot's /ask post
    mentions nobody (it is sent with pings off), and members are not cached (no members
    intent), so a member named in an /ask question is looked up."""

    def __init__(self, guild: discord.Guild, *, fetches: int = MAX_FETCHED_NAMES) -> None:
        self.guild = guild
        self.fetches = fetches
        self.users: dict[int, str] = {}
        self.roles: dict[int, str] = {}
        self.channels: dict[int, str] = {}
        self._tried: set[tuple[str, int]] = set()

    async def message_text(self, message: discord.Message, *, stored: bool = False) -> str:
        """A message as the core takes one (`cogs.base.message_text`: its files named after
        its words), with names."""

        text = await self.text(message.content, message, stored=stored)
        return with_attachments(text, [a.filename for a in message.attachments])

    async def text(
        self, text: str, message: discord.Message | None = None, *, stored: bool = False
    ) -> str:
        """`text` (from `message`, whose mentions it may use) with names: as the core stores
        a member's text (`stored`: @everyone as typed, as the core always stored it), or as
        an article shows it (@everyone unable to ping)."""

        users, role_ids, channels = render.mentioned(text)
        for user_id in users:
            await self._user(user_id, message)
        for channel_id in channels:
            await self._channel(channel_id)
        for role_id in role_ids:
            role = self.guild.get_role(role_id) or discord.utils.get(
                message.role_mentions if message is not None else (), id=role_id
            )
            if role is not None:
                self.roles[role_id] = role.name
        return render.with_names(
            text, self.users, self.roles, self.channels, unable_to_ping=not stored
        )

    async def _user(self, user_id: int, message: discord.Message | None) -> None:
        if user_id in self.users:
            return
        found: discord.abc.User | None = self.guild.get_member(user_id) or discord.utils.get(
            message.mentions if message is not None else (), id=user_id
        )
        if found is None and self._may_fetch("user", user_id):
            try:
                found = await self.guild.fetch_member(user_id)
            except discord.HTTPException as exc:  # (left the server, most likely)
                log.debug("no member %s to name (%s)", user_id, exc)
        if found is not None:
            self.users[user_id] = found.display_name

    async def _channel(self, channel_id: int) -> None:
        if channel_id in self.channels:
            return
        found = self.guild.get_channel_or_thread(channel_id)
        if found is None and self._may_fetch("channel", channel_id):
            # (an archived thread is not cached: "see #my-old-question" is common)
            try:
                found = await self.guild.fetch_channel(channel_id)  # type: ignore[assignment]
            except (discord.HTTPException, discord.InvalidData) as exc:  # (or another server's)
                log.debug("no channel %s to name (%s)", channel_id, exc)
        if found is not None:
            self.channels[channel_id] = found.name

    def _may_fetch(self, kind: str, number: int) -> bool:
        if (kind, number) in self._tried or self.fetches <= 0:
            return False
        self._tried.add((kind, number))
        self.fetches -= 1
        return True


async def read_back(
    client: CommunityClient, guild: discord.Guild, texts: Texts, shown: ev.QuestionShown
) -> ReadBack:
    """The question and its accepted answers (the core decides which) as article text."""

    question = shown.question
    if question.platform != translate.PLATFORM:
        return ReadBack()  # asked on another platform of the community
    if not shown.accepted:
        return ReadBack()  # the core refuses to promote it: nothing to read for it
    thread_id = parse_number(question.thread_id or "")
    thread = await _channel_in(client, guild, thread_id)
    names = Names(guild)
    answers: tuple[tuple[str, str], ...] = ()
    if isinstance(thread, discord.abc.Messageable):
        answers = await _answers(thread, shown.accepted, names)
    return ReadBack(await _question(client, guild, texts, question, thread, names), answers)


async def _channel_in(
    client: CommunityClient, guild: discord.Guild, number: int | None
) -> discord.abc.GuildChannel | discord.Thread | None:
    if number is None:
        return None
    return await client.channel_in(guild, number)


async def _answers(
    thread: discord.abc.Messageable, accepted: Sequence[Acceptance], names: Names
) -> tuple[tuple[str, str], ...]:
    texts = []
    # (an answer deleted through a report has no active acceptance, so it is not here)
    for acceptance in accepted[:MAX_FETCHED_ANSWERS]:
        number = parse_number(acceptance.answer.message_id)
        if number is None:
            continue
        message = await quietly(thread.fetch_message(number), "fetch an accepted answer")
        if message is not None:
            texts.append((acceptance.answer.message_id, await names.message_text(message)))
    return tuple(texts)


async def _question(
    client: CommunityClient,
    guild: discord.Guild,
    texts: Texts,
    question: Question,
    thread: discord.abc.GuildChannel | discord.Thread | None,
    names: Names,
) -> str | None:
    """The question's article text from the message it was asked with, or None for the
    core's stored text: a text channel's message, a forum post's starter message (in the
    post's thread, with its id) after the post's title, or the bot's /ask post
    (`asked_words`)."""

    number = parse_number(question.message_id)
    forum = (
        isinstance(thread, discord.Thread)
        and thread.id == number
        and isinstance(thread.parent, discord.ForumChannel)
    )
    where = thread if forum else await _channel_in(client, guild, parse_number(question.channel_id))
    if number is None or not isinstance(where, discord.abc.Messageable):
        log.warning(
            "kb promote: question #%s's channel cannot be read; its stored text is used",
            question.id,
        )
        return None
    message = await quietly(
        where.fetch_message(number),
        f"kb promote: read question #{question.id} (its stored text is used)",
    )
    if message is None:
        return None
    if client.user is not None and message.author.id == client.user.id:
        words = await asked_words(texts, question, message, names)
        if words is None:
            log.info(
                "kb promote: question #%s's post does not hold the question whole; "
                "its stored text is used",
                question.id,
            )
        return words
    if str(message.author.id) != question.asker.ref.id or question.anonymous:
        log.warning(
            "kb promote: question #%s's message is not its asker's; its stored text is used",
            question.id,
        )
        return None
    content = await names.message_text(message)
    if forum:
        # The post's title as the core stored it (the first line of the text it was asked
        # with, `translate.forum_question_text`): the thread's name now carries the solved
        # mark, cut to fit it; and a name shows no mentions.
        return translate.forum_question_text(question.body.partition("\n")[0], content)
    return content


async def asked_words(
    texts: Texts, question: Question, posted: discord.Message, names: Names
) -> str | None:
    """The member's words in the bot's post of their /ask question (`posted`, its first
    message), with names, or None unless the post is exactly the line naming who asked and
    the whole question the core stored: a long question goes on in the thread (its first
    message holds the start), and a catalog changed since words the line otherwise. The
    core stores the words with names (`cogs.help_channels`), so they are compared with
    names too: a member renamed since, or one no longer found, leaves the stored text. A
    question stored before that (with Discord's `<@id>`) is compared as typed."""

    def post(words: str) -> str:
        return render.ask_starter(texts, question.asker.ref.id, words, anonymous=question.anonymous)

    words = filled_in(post, posted.content)
    if words is None:
        return None
    if clean(words) != question.body and (
        clean(await names.text(words, posted, stored=True)) != question.body
    ):
        return None
    return await names.text(words, posted)
