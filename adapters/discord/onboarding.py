"""Greeting a member on their first message in a help channel, privately where possible.

The core decides *whether* to greet (once per member and channel, `Welcome` on the result);
this decides *how* on Discord: inside an interaction the greeting is an ephemeral follow-up;
otherwise a DM, and when the member's DMs are closed one short line in the thread that
points to `/guidelines` (the guidelines themselves are not posted in public).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from adapters.discord import render
from adapters.discord.outcomes import quietly
from adapters.discord.replies import reply
from adapters.discord.texts import Texts
from bot.events import Welcome

if TYPE_CHECKING:
    from adapters.discord.client import CommunityClient

log = logging.getLogger(__name__)


def channel_name(client: CommunityClient, channel_id: str | int | None) -> str:
    channel = client.get_channel(int(channel_id)) if str(channel_id or "").isdigit() else None
    return getattr(channel, "name", None) or str(channel_id or "help")


def channel(client: CommunityClient, channel_id: str | int | None) -> str:
    """The help channel as greetings and /guidelines name it: its mention."""

    return render.channel(channel_id, channel_name(client, channel_id))


def welcome_text(client: CommunityClient, welcome: Welcome, texts: Texts) -> str:
    lines = render.presenter(texts).welcome(welcome, channel(client, welcome.channel_id))
    return render.join_lines(lines)


async def greet(
    client: CommunityClient,
    welcome: Welcome | None,
    texts: Texts,
    *,
    interaction: discord.Interaction | None = None,
    thread: discord.Thread | None = None,
    message: discord.Message | None = None,
) -> None:
    """Never raises: a greeting that cannot be delivered is logged and skipped."""

    if welcome is None:
        return
    text = welcome_text(client, welcome, texts)
    try:
        if interaction is not None:
            await reply(interaction, text, ephemeral=True)
            return
        if await _dm(client, welcome, text):
            return
        await _fallback(welcome, texts, thread, message)
    except Exception:
        log.exception("could not greet member %s", welcome.member.ref.id)


async def _dm(client: CommunityClient, welcome: Welcome, text: str) -> bool:
    user_id = welcome.member.ref.id
    if not user_id.isdigit():
        return False
    try:
        dm = await client.create_dm(discord.Object(int(user_id)))
        for part in render.split_message(text):
            await dm.send(part, allowed_mentions=render.NO_MENTIONS)
    except discord.HTTPException as exc:
        log.info(
            "welcome DM to %s refused (%s %s); replying in the thread",
            user_id,
            exc.status,
            exc.code,
        )
        return False
    return True


async def _fallback(
    welcome: Welcome,
    texts: Texts,
    thread: discord.Thread | None,
    message: discord.Message | None,
) -> None:
    user_id = welcome.member.ref.id
    line = texts.t("discord.welcome_dms_closed", member=f"<@{user_id}>")
    _, allowed = render.pings(user_ids=(user_id,))
    # In the question's thread, where the member will look: a reply to their message when it
    # is in the thread, else a line there (a text help channel's message is outside it).
    if message is not None and (thread is None or message.channel.id == thread.id):
        await quietly(message.reply(line, allowed_mentions=allowed), "welcome reply")
    elif thread is not None:
        await quietly(thread.send(line, allowed_mentions=allowed), "welcome line")
