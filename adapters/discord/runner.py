"""`run_discord`: start the Discord adapter for `community-bot run`.

It points discord.py at the configured REST base and gateway (Discord's own by default; an
HTTP rate-limit proxy or a local test server otherwise), builds the client from the app's
core and runs it until cancelled, closing the gateway cleanly.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import aiohttp
import discord
import discord.gateway
import discord.http
import yarl

from adapters.discord.client import build_client
from bot.bootstrap import App
from bot.config import Config, DiscordConfig, Secrets
from bot.errors import CannotStart

log = logging.getLogger(__name__)


@contextlib.contextmanager
def discord_endpoints(settings: DiscordConfig) -> Iterator[None]:
    """Set discord.py's REST base and default gateway for the adapter's lifetime.

    discord.py keeps both as class attributes, so they are process-wide; they are restored on
    exit so tests (and a second client) see the defaults again.
    """

    old_base = discord.http.Route.BASE
    old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = settings.api_base_url.rstrip("/")
    if settings.gateway_url:
        gateway = (
            settings.gateway_url
            if settings.gateway_url.endswith("/")
            else settings.gateway_url + "/"
        )
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    try:
        yield
    finally:
        discord.http.Route.BASE = old_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway


async def run_discord(app: App, config: Config, secrets: Secrets, **client_options: Any) -> None:
    if not secrets.discord_token:
        raise RuntimeError("DISCORD_TOKEN is not set")
    # A text bot: discord.py's start-up warnings about missing voice libraries only alarm.
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
    with discord_endpoints(config.discord):
        client = build_client(app.bot, config, **client_options)
        async with client:
            log.info("Discord: connecting (REST %s)", discord.http.Route.BASE)
            try:
                await client.login(secrets.discord_token)
            except discord.LoginFailure as exc:
                raise CannotStart(TOKEN_REFUSED) from exc
            except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                raise CannotStart(
                    f"cannot reach Discord at {discord.http.Route.BASE}: "
                    f"{str(exc) or type(exc).__name__}. Check the network, or "
                    "[discord] api_base_url if you changed it."
                ) from exc
            # Once connected, discord.py itself reconnects after network trouble and outages;
            # what ends `connect` is what Discord refuses for good.
            try:
                await client.connect(reconnect=True)
            except discord.PrivilegedIntentsRequired as exc:
                raise CannotStart(INTENTS_REFUSED) from exc
            except discord.ConnectionClosed as exc:
                raise CannotStart(gateway_refusal(exc.code, exc.reason)) from exc


TOKEN_REFUSED = (
    "Discord refused DISCORD_TOKEN: it is not a valid bot token. In the Developer Portal, "
    "open your application, then Bot, then Reset Token, and set DISCORD_TOKEN to the new "
    "token (without a 'Bot ' prefix)."
)

INTENTS_REFUSED = (
    "Discord refused the Message Content intent. In the Developer Portal, open your "
    "application, then Bot, and turn on Message Content Intent under Privileged Gateway "
    "Intents. Or set [discord] message_content_intent = false: slash commands and menus still "
    "work, but questions typed in help channels are not seen."
)


def gateway_refusal(code: int, reason: str) -> str:
    """The message for a gateway close code discord.py does not reconnect after."""

    if code == 4004:
        return TOKEN_REFUSED
    if code == 4011:
        return (
            "Discord requires sharding for a bot in this many servers: set [discord] "
            "shard_count (at least one shard per 2,500 servers)."
        )
    return (
        f"Discord closed the gateway connection with code {code}"
        + (f" ({reason})" if reason else "")
        + ". See https://discord.com/developers/docs/topics/opcodes-and-status-codes."
    )
