"""`run_slack` runs what the config says: HTTP on the configured port, or Socket Mode against
`slack.api_base_url`; configurable command names reach the right listener."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from adapters.slack.runner import run_slack
from bot.bootstrap import App, bootstrap
from bot.clock import FakeClock
from bot.config import Config, Secrets, parse_config
from tests.adapters.slack.conftest import ASKER, HELP, make_slack, seed, settle_tasks
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


@contextlib.asynccontextmanager
async def running(cfg: Config, secrets: Secrets) -> AsyncIterator[App]:
    """A fresh core with `run_slack` running on it; stopped, and the core closed, after."""

    core = await bootstrap(cfg, clock=FakeClock())
    task = asyncio.create_task(run_slack(core, cfg, secrets))
    try:
        yield core
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await core.close()


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
    secrets = Secrets(slack_bot_token=fake_slack.bot_token, slack_signing_secret="s3cret")
    async with running(cfg, secrets) as core:
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
    assert not core.bot.outbox.has("slack")


async def test_socket_mode_uses_api_base_url(fake_slack: FakeSlack, tmp_path: Path) -> None:
    cfg = config(tmp_path, fake_slack, mode="socket")
    secrets = Secrets(slack_bot_token=fake_slack.bot_token, slack_app_token=fake_slack.app_token)
    async with running(cfg, secrets):
        await fake_slack.wait_for_connection()
        assert fake_slack.calls_to("apps.connections.open")


async def test_renamed_commands_are_routed(fake_slack: FakeSlack, tmp_path: Path) -> None:
    harness, _ = await make_slack(
        fake_slack, tmp_path, slack={"commands": {"rep": "/karma", "mod": "/cbmod"}}
    )
    try:
        await harness.command("/karma")
        await harness.command("/cbmod", "help")
        unrouted = await harness.command("/rep")

        karma, mod, note = harness.responses()
        assert "points" in karma
        assert mod == "Only moderators can do that."
        # A command nobody registered (still in the manifest): a clear note, where Bolt's
        # 404 showed as 'failed with the error "dispatch_failed"'.
        assert unrouted.status == 200
        assert note == (
            "/rep is not one of my commands. They are: /ask /solved /unsolve /close /karma "
            "/leaderboard /kb /cbmod /guidelines /questions /thanks"
        )
    finally:
        await harness.runner.cleanup()
        await harness.core.close()


def _unreadable_envelopes(team: str) -> list[tuple[dict[str, Any], str]]:
    """Socket Mode envelopes whose payload Bolt cannot dispatch, and why."""

    def events(event: object, *, drop: bool = False) -> tuple[dict[str, Any], str]:
        body = sp.event_callback({}, team_id=team)
        body["event"] = event
        if drop:
            del body["event"]
        return sp.socket_envelope(body), "event is not an object with a type"

    envelopes = [events(e) for e in ("message", 5, None, ["message"], True, {}, {"type": 7})]
    envelopes.append(events(None, drop=True))
    for payload in ([1, 2], "hello", 5, None):
        for kind in ("events_api", "interactive", "slash_commands"):
            envelope = sp.socket_envelope({}, kind)
            envelope["payload"] = payload
            envelopes.append((envelope, "not a JSON object"))
    return envelopes


async def socket_mode_refuses(
    fake_slack: FakeSlack,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    envelopes: list[tuple[dict[str, Any], str]],
    *,
    then_without_id: bool = False,
    answers: list[tuple[Any, list[Any]]] | None = None,
) -> None:
    """Runs the Slack adapter in Socket Mode and sends it ``envelopes`` (with why each is
    unreadable): each must be acknowledged once with one warning line naming the reason, no
    error or traceback and nothing stored; with ``then_without_id`` also an envelope without
    an id, logged and ignored. ``answers`` says, for each envelope, the acknowledgement's
    payload and what was said privately, as (user, text) by chat.postEphemeral or (None,
    text) through a response_url (default: an empty acknowledgement and nothing said, with
    no Web API call). The next good message is still recorded."""

    answers = answers or [(None, [])] * len(envelopes)
    seed(fake_slack)
    cfg = config(tmp_path, fake_slack, mode="socket", help_channel_ids=[HELP])
    secrets = Secrets(slack_bot_token=fake_slack.bot_token, slack_app_token=fake_slack.app_token)
    async with running(cfg, secrets):
        await fake_slack.wait_for_connection()
        fake_slack.clear_calls()
        caplog.clear()
        for envelope, _ in envelopes:
            await fake_slack.wait_for_ack(await fake_slack.socket_send(envelope), timeout=2)
        expected = [
            f"Slack: unreadable Socket Mode {e['type']} envelope {e['envelope_id']} "
            f"acknowledged, not processed: {why}"
            for e, why in envelopes
        ]
        if then_without_id:
            no_id = sp.socket_envelope(
                sp.event_callback(
                    sp.message_event(channel=HELP, user=ASKER, text="no envelope id?"),
                    team_id=fake_slack.team_id,
                )
            )
            del no_id["envelope_id"]
            await fake_slack._newest_connection().ws.send_json(no_id)
            await asyncio.sleep(0.1)
            expected.append("Slack: Socket Mode events_api envelope without an envelope_id ignored")
        await settle_tasks()
        # (auth.test: Bolt's authorize)
        assert {c.method for c in fake_slack.calls} <= {"auth.test", "chat.postEphemeral"}
        assert [(ack.envelope_id, ack.payload) for ack in fake_slack.acks] == [
            (e["envelope_id"], ack) for (e, _), (ack, _) in zip(envelopes, answers, strict=True)
        ]
        said = [(e["user"], e["text"]) for e in fake_slack.ephemeral]
        assert sorted(said, key=str) == sorted((s for _, s in answers for s in s), key=str)
        assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert warnings == expected

        question = fake_slack.add_message(HELP, "How do I reset my password?", user=ASKER)
        good = sp.event_callback(
            sp.message_event(channel=HELP, user=ASKER, text=question["text"], ts=question["ts"]),
            team_id=fake_slack.team_id,
        )
        await fake_slack.wait_for_ack(await fake_slack.socket_send_payload(good), timeout=2)
        await fake_slack.wait_for_call("chat.postMessage")
    with sqlite3.connect(tmp_path / "r.db") as db:
        assert db.execute("SELECT body FROM questions").fetchall() == [(question["text"],)]


async def test_socket_mode_acknowledges_an_unreadable_envelope_in_one_line(
    fake_slack: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Over Socket Mode, an envelope whose payload is no object, or whose Events API `event`
    is no object with a type, was a traceback and no acknowledgement (so Slack would send it
    again, with another traceback). Now it is acknowledged once, logged in one line, and
    touches nothing; an envelope without an id is logged and ignored; the next good event is
    still processed."""

    envelopes = _unreadable_envelopes(fake_slack.team_id)
    await socket_mode_refuses(fake_slack, tmp_path, caplog, envelopes, then_without_id=True)
