"""The bot's own post of a member's /ask question, hidden and put back with the question.

A question asked with /ask is the bot's message (`render.ask_starter`, in the help channel
or as a forum post's first message; a long one goes on in the bot's next messages in the
thread), which its member can neither edit nor delete. `/mod delete` hides the question
everywhere the core shows it, but that post would still show its words (a pasted secret
stays public): its messages get one line saying a moderator hid it (`discord.ask_hidden`).
`/mod restore` writes the words back from what the core stored, rebuilt as /ask posted
them (what cannot come back exactly is in docs/discord.md). A question asked with the
member's own message is theirs: left alone. Best effort, as `outcomes`: the core has
already committed, and a Discord refusal is logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from adapters.discord import render, translate
from adapters.discord.outcomes import quietly
from adapters.discord.texts import Texts
from bot.model import Question
from bot.text import parse_number

if TYPE_CHECKING:
    from adapters.discord.client import CommunityClient

log = logging.getLogger(__name__)

# An /ask question takes 4,000 characters, so its post is at most a few messages; the
# bot's messages read after the first are at most these.
MAX_CONTINUATIONS = 4


@dataclass(frozen=True, slots=True)
class _Post:
    thread: discord.Thread
    messages: list[discord.Message]  # the first message, then the rest in the thread


async def hide(
    client: CommunityClient, guild: discord.Guild | None, texts: Texts, question: Question
) -> None:
    """Each message of the bot's post of `question` says a moderator hid it."""

    post = await _post(client, guild, texts, question)
    if post is None:
        return
    line = texts.t("discord.ask_hidden")
    await _rewrite(client, post, [line] * len(post.messages))


async def restore(
    client: CommunityClient, guild: discord.Guild | None, texts: Texts, question: Question
) -> None:
    """The hidden messages of the bot's post of `question` (only those `hide` changed) get
    its words back: the core's stored text, posted as /ask posts it and split the same."""

    post = await _post(client, guild, texts, question)
    line = texts.t("discord.ask_hidden")
    if post is None or post.messages[0].content != line:
        return
    hidden = len(post.messages)
    for index, message in enumerate(post.messages):
        if message.content != line:
            hidden = index
            break
    text = question.body or question.title
    parts = render.split_message(
        render.ask_starter(texts, question.asker.ref.id, text, anonymous=question.anonymous)
    )
    if len(parts) > hidden:
        # Names take more room than the mentions did: the last message ends cut.
        parts = [*parts[: hidden - 1], render.trim(render.join_lines(parts[hidden - 1 :]))]
    contents: list[str | None] = [*parts, *([None] * (hidden - len(parts)))]
    await _rewrite(client, _Post(post.thread, post.messages[:hidden]), contents)


async def _post(
    client: CommunityClient, guild: discord.Guild | None, texts: Texts, question: Question
) -> _Post | None:
    """The bot's messages holding `question` as /ask posted it, or None for a question asked
    with a member's message (or one Discord no longer has). Its first message has the id
    its thread has (in the help channel, or the forum post's first); the rest are the bot's
    plain messages right after it in the thread, up to its first message there
    (`render.opened`, which ends saying how to mark the answer)."""

    me = client.user
    number = parse_number(question.message_id)
    if (
        guild is None
        or me is None
        or question.platform != translate.PLATFORM
        or number is None
        or question.thread_id != question.message_id
    ):
        return None
    thread = client.help_thread(await client.channel_in(guild, number))
    if thread is None:
        return None
    where = thread if isinstance(thread.parent, discord.ForumChannel) else thread.parent
    if not isinstance(where, discord.abc.Messageable):
        return None
    first = await quietly(where.fetch_message(number), "read the bot's post of an /ask")
    if first is None or first.author.id != me.id:
        return None
    welcome = render.how_to_mark(texts, question)
    messages = [first]
    history = thread.history(limit=MAX_CONTINUATIONS, after=discord.Object(number))
    try:
        async for message in history:
            if (
                message.author.id != me.id
                or message.embeds
                or message.components
                or message.content.endswith(welcome)
            ):
                break
            messages.append(message)
    except discord.HTTPException as exc:  # only the first message, then
        log.warning("read the rest of an /ask post: Discord error %s %s", exc.status, exc.text)
    return _Post(thread, messages)


async def _rewrite(client: CommunityClient, post: _Post, contents: list[str | None]) -> None:
    """Each message of `post` gets its content (None: deleted). Messages in the thread are
    edited with it open (`Outcomes.while_open`); the help channel's is edited as it is."""

    pairs = list(zip(post.messages, contents, strict=False))
    outside = [(m, c) for m, c in pairs if m.channel.id != post.thread.id]
    inside = [(m, c) for m, c in pairs if m.channel.id == post.thread.id]
    for message, content in outside:
        await _change(message, content)
    if not inside:
        return

    async def change_inside() -> None:
        for message, content in inside:
            await _change(message, content)

    await client.outcomes.while_open(post.thread, change_inside, "rewrite an /ask post")


async def _change(message: discord.Message, content: str | None) -> None:
    if content is None:
        await quietly(message.delete(), "remove a part of an /ask post")
    elif content != message.content:
        await quietly(
            message.edit(content=content, allowed_mentions=render.NO_MENTIONS),
            "rewrite an /ask post",
        )
