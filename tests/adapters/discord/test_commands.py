"""Reputation, leaderboard, knowledge-base commands, command sync and start-up options."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import discord
import pytest

from adapters.discord.client import ShardedCommunityClient, build_client
from adapters.discord.runner import run_discord
from bot.bootstrap import bootstrap
from bot.clock import FakeClock
from bot.config import Secrets, parse_config
from tests.adapters.discord.conftest import (
    FAST,
    FakeDiscord,
    FastClient,
    Harness,
    eventually,
    make_config,
    running,
    seed,
)

EXPECTED = {
    (1, "ask"), (1, "solved"), (1, "unsolve"), (1, "close"), (1, "rep"), (1, "leaderboard"),
    (1, "kb"), (1, "mod"), (1, "guidelines"), (1, "questions"), (3, "Mark as solution"), (2, "View reputation"),
    (1, "thanks"), (3, "Report to moderators"),
}  # fmt: skip
MOD_SUBCOMMANDS = {
    "lock", "unlock", "reopen", "close", "duplicate", "delete", "restore", "helpban", "warn", "audit",
    "reports", "reveal",
}  # fmt: skip
KB_SUBCOMMANDS = {"search", "show", "add", "edit", "remove", "undo", "promote"}
MOD_REP = {"add", "remove", "revert", "revert-period", "suspicious"}


async def solve_one(h: Harness, title: str = "How do I parse JSON in Python?") -> int:
    thread_id = await h.ask_text(h.w.alice, title)
    await h.answer(thread_id, h.w.bob)
    await h.done(await h.command("solved", h.w.alice, thread_id))
    return thread_id


async def test_commands_are_synced_per_guild(h: Harness) -> None:
    call = h.fake.last_call("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")
    assert call.params["guild_id"] == str(h.fake.guild_id)
    assert {(c.get("type", 1), c["name"]) for c in call.json} == EXPECTED
    assert not h.fake.calls_to("PUT", "/applications/{application_id}/commands")
    kb = next(c for c in call.json if c["name"] == "kb")
    assert {o["name"] for o in kb["options"]} == KB_SUBCOMMANDS
    show = next(o for o in kb["options"] if o["name"] == "show")
    assert show["options"][0]["name"] == "id" and show["options"][0]["autocomplete"] is True
    mod = next(c for c in call.json if c["name"] == "mod")
    assert {o["name"] for o in mod["options"] if o["type"] == 1} == MOD_SUBCOMMANDS
    rep = next(o for o in mod["options"] if o["name"] == "rep")
    assert rep["type"] == 2 and {o["name"] for o in rep["options"]} == MOD_REP
    assert len(mod["options"]) <= 25  # Discord's limit per command and per group


async def test_rep_and_view_reputation(h: Harness) -> None:
    await solve_one(h)
    mine = await h.command("rep", h.w.bob, h.w.other)
    assert "15 points" in await h.done(mine)
    theirs = await h.command("rep", h.w.alice, h.w.other, options={"member": h.w.bob})
    assert "15 points" in await h.done(theirs)
    menu = await h.fake.interact(
        h.fake.user_command("View reputation", user=h.w.alice, target=h.w.bob, channel_id=h.w.other)
    )
    assert "15 points" in await h.done(menu)
    unknown = await h.fake.interact(
        h.fake.user_command(
            "View reputation", user=h.w.alice, target=h.w.carol, channel_id=h.w.other
        )
    )
    assert f"<@{h.w.carol.id}>: 0 points, not ranked yet" in await h.done(unknown)


async def test_leaderboard_is_public_without_pings(h: Harness) -> None:
    await solve_one(h)
    handle = await h.command("leaderboard", h.w.carol, h.w.other, options={"period": "week"})
    callback = handle.record.callback or {}
    assert callback["type"] == 4 and not int(callback["data"].get("flags") or 0) & 64
    assert callback["data"]["allowed_mentions"]["parse"] == []
    embed = callback["data"]["embeds"][0]
    assert "this week" in embed["title"] and f"<@{h.w.bob.id}>: 15" in embed["description"]


@pytest.mark.parametrize("discord_settings", [{"message_content_intent": False}])
async def test_without_message_content_forum_posts_and_commands_work(h: Harness) -> None:
    from tests.fakes.discord_server import Intents

    assert not h.fake.intents & Intents.MESSAGE_CONTENT
    thread_id = await h.ask_forum(h.w.alice, "Title carries the question", "body")
    question = await h.question(thread_id)
    assert question is not None and question.title == "Title carries the question"
    answer = await h.answer(thread_id, h.w.bob, "")
    handle = await h.fake.interact(
        h.fake.message_command("Mark as solution", user=h.w.alice, message_id=answer)
    )
    assert "Marked" in await h.done(handle)
    # A text-channel message arrives empty: no thread, no question, no crash.
    await h.fake.post_message(h.w.text, h.w.carol, "invisible to the bot")
    await asyncio.sleep(0.1)
    assert not h.fake.threads_in(h.w.text)


def test_content_intent_off_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeDiscord()
    config = make_config(tmp_path, seed(fake), fake, message_content_intent=False)
    with caplog.at_level(logging.WARNING, logger="adapters.discord.client"):
        client = build_client(object(), config)  # type: ignore[arg-type]
    assert "Message Content intent is off" in caplog.text
    assert client.intents.message_content is False


def test_shard_count_uses_the_auto_sharded_client(tmp_path: Path) -> None:
    fake = FakeDiscord()
    config = make_config(tmp_path, seed(fake), fake, shard_count=2)
    client = build_client(object(), config)  # type: ignore[arg-type]
    assert isinstance(client, ShardedCommunityClient) and client.shard_count == 2


async def test_run_discord_uses_the_configured_endpoints(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:  # no patch_discord: the runner must point discord.py
        world = seed(fake)
        config = make_config(
            tmp_path, world, fake, api_base_url=fake.api_base, gateway_url=fake.ws_url
        )
        app = await bootstrap(config, clock=FakeClock())
        default_base = discord.http.Route.BASE
        task = asyncio.create_task(
            run_discord(app, config, Secrets(discord_token=fake.token), **FAST)
        )
        try:
            await fake.wait_for_call(
                "PUT", "/applications/{application_id}/guilds/{guild_id}/commands"
            )
            await fake.wait_until_connected()
            assert discord.http.Route.BASE == fake.api_base
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await app.close()
        assert discord.http.Route.BASE == default_base


@pytest.mark.parametrize("discord_settings", [{"sync_commands": False}])
async def test_sync_can_be_turned_off(h: Harness) -> None:
    assert not h.fake.calls_to("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")


async def test_a_slack_only_community_adds_no_second_copy_of_each_command(
    discord_fake: FakeDiscord, tmp_path: Path
) -> None:
    """Discord lists a server's commands and the global ones side by side: with the server's
    community plus one on Slack only, the commands go to the server alone, and global ones an
    earlier start left behind are removed."""

    world = seed(discord_fake)
    discord_fake.global_commands.append(
        {"id": "1", "application_id": str(discord_fake.application_id), "name": "ask",
         "description": "left from an earlier start", "type": 1, "version": "1"}
    )  # fmt: skip
    data = make_config(tmp_path, world, discord_fake).model_dump()
    data["communities"]["slackonly"] = {"slack_team_id": "T1"}
    async with running(discord_fake, world, parse_config(data)):
        server = {c["name"] for c in discord_fake.guild_commands[discord_fake.guild_id]}
        assert {name for _, name in EXPECTED} <= server
        assert discord_fake.global_commands == []


async def test_unconfigured_guild_is_ignored(discord_fake: FakeDiscord, tmp_path: Path) -> None:
    world = seed(discord_fake)
    config = make_config(tmp_path, world, discord_fake)
    data: dict[str, Any] = config.model_dump()
    data["communities"]["main"]["discord_guild_id"] = "1"
    from bot.config import parse_config

    config = parse_config(data)
    app = await bootstrap(config, clock=FakeClock())
    client = FastClient(app.bot, config, **FAST)
    try:
        async with discord_fake.run(client):
            await discord_fake.post_message(world.text, world.alice, "Hello?")
            await asyncio.sleep(0.1)
            assert not discord_fake.threads_in(world.text)
    finally:
        await app.close()
    await eventually(lambda: True)
