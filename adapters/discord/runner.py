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

import discord
import discord.gateway
import discord.http
import yarl

from adapters.discord.client import build_client
from bot.bootstrap import App
from bot.config import Config, DiscordConfig, Secrets

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
    with discord_endpoints(config.discord):
        client = build_client(app.bot, config, **client_options)
        async with client:
            log.info("Discord: connecting (REST %s)", discord.http.Route.BASE)
            await client.start(secrets.discord_token)
