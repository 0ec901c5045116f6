"""`run_slack` runs what the config says: HTTP on the configured port, or Socket Mode against
`slack.api_base_url`; configurable command names reach the right listener."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from pathlib import Path
from typing import Any

import aiohttp

from adapters.slack.runner import run_slack
from bot.bootstrap import bootstrap
from bot.clock import FakeClock
from bot.config import Secrets, parse_config
from tests.adapters.slack.conftest import ASKER, HELP, make_slack
from tests.fakes import slack_payloads as sp
from tests.fakes.slack_server import FakeSlack


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def config(tmp_path: Path, fake: FakeSlack, **slack: Any):  # noqa: ANN201
    return parse_config(
        {
            "database": {"url": f"sqlite+aiosqlite:///{tmp_path}/r.db"},
            "communities": {"main": {"slack_team_id": fake.team_id}},
            "console": {"community": "main"},
            "slack": {"enabled": True, "api_base_url": fake.api_url, **slack},
        }
    )


async def _wait_http(url: str) -> aiohttp.ClientResponse | None:
    async with aiohttp.ClientSession() as session:
        for _ in range(200):
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(url) as resp:
                    await resp.read()
                    return resp
            await asyncio.sleep(0.01)
    return None


async def test_http_mode_serves_the_configured_port_and_path(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    cfg = config(tmp_path, fake_slack, mode="http", http_host="127.0.0.1", http_port=port)
    core = await bootstrap(cfg, clock=FakeClock())
    secrets = Secrets(slack_bot_token=fake_slack.bot_token, slack_signing_secret="s3cret")
    task = asyncio.create_task(run_slack(core, cfg, secrets))
    try:
        health = await _wait_http(f"http://127.0.0.1:{port}/healthz")
        assert health is not None and health.status == 200
        fields = sp.slash_command(
            command="/rep",
            user_id=ASKER,
            channel_id=HELP,
            response_url=fake_slack.new_response_url(),
        )
        delivery = await sp.deliver(
            f"http://127.0.0.1:{port}/slack/events", sp.signed_command(fields, secret="s3cret")
        )
        assert delivery.status == 200
        await fake_slack.wait_for_response_url_call()
        # The scheduler can deliver Slack messages while the adapter runs, and only then.
        assert core.bot.outbox.platforms() == ("slack",)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await core.close()
    assert not core.bot.outbox.has("slack")


async def test_socket_mode_uses_api_base_url(fake_slack: FakeSlack, tmp_path: Path) -> None:
    cfg = config(tmp_path, fake_slack, mode="socket")
    core = await bootstrap(cfg, clock=FakeClock())
    secrets = Secrets(slack_bot_token=fake_slack.bot_token, slack_app_token=fake_slack.app_token)
    task = asyncio.create_task(run_slack(core, cfg, secrets))
    try:
        await fake_slack.wait_for_connection()
        assert fake_slack.calls_to("apps.connections.open")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await core.close()


async def test_renamed_commands_are_routed(fake_slack: FakeSlack, tmp_path: Path) -> None:
    harness, _ = await make_slack(
        fake_slack, tmp_path, slack={"commands": {"rep": "/karma", "mod": "/cbmod"}}
    )
    try:
        await harness.command("/karma")
        await harness.command("/cbmod", "help")
        unrouted = await harness.command("/rep")

        karma, mod = harness.responses()
        assert "points" in karma
        assert mod == "Only moderators can do that."
        assert unrouted.status == 404  # Bolt's answer for a command nobody registered
    finally:
        await harness.runner.cleanup()
        await harness.core.close()
