"""What `run_slack` says when it cannot start: a refused token, an unreachable API or a port
in use stop it with one message naming the setting to fix, before it serves anything."""

from __future__ import annotations

import asyncio
import logging
import socket
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.runner import run_slack
from bot.bootstrap import bootstrap
from bot.clock import FakeClock
from bot.config import Secrets, parse_config
from bot.errors import CannotStart
from tests.adapters.slack.test_runner import free_port
from tests.fakes.slack_server import FakeSlack


def config(
    tmp_path: Path, fake: FakeSlack, team: str | None = None, api: str | None = None, **slack: Any
) -> Any:
    """`team` "" leaves `slack_team_id` out (a single community serves any workspace)."""

    community = {} if team == "" else {"slack_team_id": team or fake.team_id}
    return parse_config(
        {
            "database": {"url": f"sqlite+aiosqlite:///{tmp_path}/r.db"},
            "communities": {"main": community},
            "console": {"community": "main"},
            "slack": {"enabled": True, "api_base_url": api or fake.api_url, **slack},
        }
    )


async def start(cfg: Any, secrets: Secrets, serve: float = 10.0) -> BaseException | None:
    """Run the adapter until it stops on its own (an error) or has served for `serve`
    seconds. (slack_sdk retries a refused connection once, after a random pause.)"""

    core = await bootstrap(cfg, clock=FakeClock())
    task = asyncio.create_task(run_slack(core, cfg, secrets))
    try:
        done, _ = await asyncio.wait([task], timeout=serve)
        return task.exception() if done else None
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await core.close()


def http(fake: FakeSlack, tmp_path: Path, port: int | None = None, **kw: Any) -> Any:
    return config(
        tmp_path, fake, mode="http", http_host="127.0.0.1", http_port=port or free_port(), **kw
    )


async def test_a_refused_bot_token_stops_start_up(fake_slack: FakeSlack, tmp_path: Path) -> None:
    secrets = Secrets(slack_bot_token="xoxb-not-a-real-token", slack_signing_secret="s")
    error = await start(http(fake_slack, tmp_path), secrets)
    assert isinstance(error, CannotStart)
    assert "Slack refused SLACK_BOT_TOKEN (invalid_auth)" in str(error)
    assert "OAuth & Permissions" in str(error)


async def test_a_refused_app_token_stops_socket_mode(fake_slack: FakeSlack, tmp_path: Path) -> None:
    secrets = Secrets(slack_bot_token=fake_slack.bot_token, slack_app_token="xapp-wrong")
    error = await start(config(tmp_path, fake_slack, mode="socket"), secrets)
    assert isinstance(error, CannotStart)
    assert "Slack refused SLACK_APP_TOKEN (invalid_auth)" in str(error)
    assert "connections:write" in str(error)


async def test_a_port_in_use_is_named(fake_slack: FakeSlack, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        secrets = Secrets(slack_bot_token=fake_slack.bot_token, slack_signing_secret="s")
        error = await start(http(fake_slack, tmp_path, port), secrets)
    assert isinstance(error, CannotStart)
    assert f"cannot listen on 127.0.0.1:{port}" in str(error) and "http_port" in str(error)


async def test_an_unreachable_api_is_named(fake_slack: FakeSlack, tmp_path: Path) -> None:
    cfg = http(fake_slack, tmp_path, api="http://127.0.0.1:1/api/")  # nothing listens there
    secrets = Secrets(slack_bot_token=fake_slack.bot_token, slack_signing_secret="s")
    error = await start(cfg, secrets)
    assert isinstance(error, CannotStart)
    assert "cannot reach Slack at http://127.0.0.1:1/api/" in str(error)


@pytest.mark.parametrize(
    ("team", "logged", "not_logged"),
    [
        ("T0OTHER", "SLACK_BOT_TOKEN belongs to workspace {team}", "Traceback"),
        # A single community without slack_team_id serves whichever workspace it is in.
        ("", "signed in to workspace {team}", "ignored"),
    ],
)
async def test_the_token_s_workspace_is_checked_against_the_communities(
    fake_slack: FakeSlack,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    team: str,
    logged: str,
    not_logged: str,
) -> None:
    secrets = Secrets(slack_bot_token=fake_slack.bot_token, slack_signing_secret="s")
    with caplog.at_level(logging.INFO, logger="adapters.slack.runner"):
        error = await start(http(fake_slack, tmp_path, team=team), secrets, serve=1.0)
    assert error is None  # it serves either way: another workspace may be configured later
    assert logged.format(team=fake_slack.team_id) in caplog.text
    assert not_logged not in caplog.text
