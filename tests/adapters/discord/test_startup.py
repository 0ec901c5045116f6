"""What `run_discord` says when it cannot start: a refused token, a privileged intent not
granted, an unreachable API or a gateway refusal stop it with one message naming what to fix
(instead of a traceback, or retrying forever)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.discord.runner import INTENTS_REFUSED, TOKEN_REFUSED, gateway_refusal, run_discord
from bot.bootstrap import bootstrap
from bot.clock import FakeClock
from bot.config import Secrets
from bot.errors import CannotStart
from tests.adapters.discord.conftest import FAST, FakeDiscord, make_config, seed
from tests.fakes.discord_server import Intents


@contextlib.asynccontextmanager
async def running(
    fake: FakeDiscord, tmp_path: Path, token: str, **discord: object
) -> AsyncIterator[asyncio.Task[None]]:
    """`run_discord` against `fake`, cancelled and closed on exit."""
    world = seed(fake)
    settings = {"api_base_url": fake.api_base, "gateway_url": fake.ws_url, **discord}
    config = make_config(tmp_path, world, fake, **settings)
    app = await bootstrap(config, clock=FakeClock())
    task = asyncio.create_task(run_discord(app, config, Secrets(discord_token=token), **FAST))
    try:
        yield task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await app.close()


async def start(fake: FakeDiscord, tmp_path: Path, token: str, **discord: object) -> BaseException:
    """The error `run_discord` stops with."""
    async with running(fake, tmp_path, token, **discord) as task:
        done, _ = await asyncio.wait([task], timeout=10)
        assert done, "run_discord kept running"
        error = task.exception()
        assert error is not None
        return error


async def test_a_refused_token_is_named(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        error = await start(fake, tmp_path, "not-the-token")
    assert isinstance(error, CannotStart) and str(error) == TOKEN_REFUSED
    assert "DISCORD_TOKEN" in str(error) and "Reset Token" in str(error)


async def test_a_privileged_intent_not_granted_is_named(tmp_path: Path) -> None:
    async with FakeDiscord(privileged_intents=Intents.GUILD_MEMBERS) as fake:
        error = await start(fake, tmp_path, fake.token)
        assert fake.identify_count == 0  # refused at IDENTIFY (close code 4014)
    assert isinstance(error, CannotStart) and str(error) == INTENTS_REFUSED
    assert "message_content_intent = false" in str(error)


async def test_without_message_content_the_intent_is_not_asked_for(tmp_path: Path) -> None:
    async with (
        FakeDiscord(privileged_intents=0) as fake,
        running(fake, tmp_path, fake.token, message_content_intent=False) as task,
    ):
        await asyncio.wait_for(fake.wait_until_connected(), 10)
        assert not task.done()


async def test_an_unreachable_api_is_named(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        error = await start(fake, tmp_path, fake.token, api_base_url="http://127.0.0.1:1/api/v10")
    assert isinstance(error, CannotStart)
    assert str(error).startswith("cannot reach Discord at http://127.0.0.1:1/api/v10: ")


@pytest.mark.parametrize(
    ("code", "reason", "says"),
    [
        (4004, "Authentication failed", TOKEN_REFUSED),
        (4011, "Sharding required", "set [discord] shard_count"),
        (4013, "Invalid intent(s)", "code 4013 (Invalid intent(s))"),
    ],
)
def test_gateway_refusals_say_what_to_do(code: int, reason: str, says: str) -> None:
    assert says in gateway_refusal(code, reason)
