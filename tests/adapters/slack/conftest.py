"""End-to-end harness: the real slack-bolt app over signed HTTP, a fake Slack Web API, and the
real core on a SQLite file.

`Slack` (the `slack` fixture) sends what Slack would send (signed events, slash commands,
interactions) to the app's HTTP endpoint and exposes the fake's record of what the bot did,
plus the database, so a test can assert "what members would see" and "what the core stored".
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest_asyncio
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import unreadable
from adapters.slack.app import build_app
from adapters.slack.outbound import SlackOut
from adapters.slack.runner import start_http
from adapters.slack.sender import register_sender
from bot.bootstrap import App, bootstrap
from bot.clock import FakeClock
from bot.config import Secrets, parse_config
from bot.i18n import Catalog
from bot.scheduler import Scheduler
from tests.fakes import slack_payloads as sp
from tests.fakes.slack_server import FakeSlack, fake_slack  # noqa: F401

HELP = "C0HELP"
PATH = "/slack/events"
ASKER = "U0ASKER"
ADMIN = "U0ADMIN"
HELPER = "U0HELPER"
HELPER2 = "U0HELPER2"
OTHER = "U0OTHER"
MOD = "U0MOD"
GROUPIE = "U0GROUPIE"
MOD_GROUP = "S0MODS"


class Ticker:
    """A monotonic clock for the moderator cache that tests move by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Slack:
    fake: FakeSlack
    core: App
    bolt: AsyncApp
    url: str
    db_path: Path
    ticker: Ticker
    runner: web.AppRunner
    secret: str
    _seen: set[int] = field(default_factory=set)

    # -- sending -------------------------------------------------------------------------------
    async def send(self, request: sp.SignedRequest) -> sp.Delivery:
        delivery = await sp.deliver(self.url, request)
        await self.settle()
        return delivery

    async def event(
        self, event: dict[str, Any], *, event_id: str | None = None, **sign: Any
    ) -> sp.Delivery:
        body = sp.event_callback(event, event_id=event_id or sp.make_event_id())
        return await self.send(sp.signed_event(body, secret=self.secret, **sign))

    async def command(
        self, command: str, text: str = "", *, user: str = ASKER, channel: str = HELP, **extra: Any
    ) -> sp.Delivery:
        fields = sp.slash_command(
            command=command,
            text=text,
            user_id=user,
            channel_id=channel,
            response_url=self.fake.new_response_url(channel=channel),
            **extra,
        )
        return await self.send(sp.signed_command(fields, secret=self.secret))

    async def interaction(self, payload: dict[str, Any], **sign: Any) -> sp.Delivery:
        return await self.send(sp.signed_interaction(payload, secret=self.secret, **sign))

    async def settle(self) -> None:
        """Wait for Bolt's after-ack listener tasks (and what they started) to finish, and
        for the runner's notes about unreadable requests."""

        await settle_tasks()

    # -- stories -------------------------------------------------------------------------------
    async def ask(self, text: str = "How do I reset my password?", user: str = ASKER) -> str:
        """A top-level message in the help channel; returns its ts."""

        msg = self.fake.add_message(HELP, text, user=user)
        await self.event(sp.message_event(channel=HELP, user=user, text=text, ts=msg["ts"]))
        return str(msg["ts"])

    async def answer(
        self, root_ts: str, user: str = HELPER, text: str = "Try the reset link."
    ) -> str:
        msg = self.fake.add_message(HELP, text, user=user, thread_ts=root_ts)
        await self.event(
            sp.message_event(
                channel=HELP, user=user, text=text, ts=msg["ts"], thread_ts=root_ts,
                parent_user_id=ASKER,
            )
        )  # fmt: skip
        return str(msg["ts"])

    async def edit(self, ts: str, text: str, **changed: Any) -> sp.Delivery:
        """The author of the help channel's message `ts` edits its text to `text` (the fake
        keeps it); Slack's `message_changed` event, with `changed` over its fields."""

        before, after = self.fake.edit_message(HELP, ts, text)
        event = sp.message_changed_event(
            channel=HELP, user=after["user"], ts=ts, new_text=text, old_text=before["text"],
            thread_ts=after.get("thread_ts"), edited_at=after["edited"]["ts"], **changed,
        )  # fmt: skip
        return await self.event(event)

    def deleted(self, ts: str) -> dict[str, Any]:
        """The help channel's message `ts` deleted in the fake, as Slack does it; the event
        Slack then sends: `message_deleted`, or for a thread's parent that has replies,
        `message_changed` to the tombstone left in its place."""

        before, tombstone = self.fake.delete_message(HELP, ts)
        if tombstone is not None:
            return sp.tombstone_event(channel=HELP, previous_message=before)
        return sp.message_deleted_event(channel=HELP, deleted_ts=ts, previous_message=before)

    async def delete(self, ts: str) -> sp.Delivery:
        """A member (or an admin: Slack does not say) deletes the help channel's message
        `ts`; see `deleted`."""

        return await self.event(self.deleted(ts))

    async def mark_solution(self, root_ts: str, reply_ts: str, user: str = ASKER) -> sp.Delivery:
        message = sp.shortcut_message(
            user=HELPER, text="Try the reset link.", ts=reply_ts, thread_ts=root_ts
        )
        payload = sp.message_shortcut(
            callback_id="mark_solution",
            user_id=user,
            channel_id=HELP,
            channel_name="help",
            message=message,
            response_url=self.fake.new_response_url(channel=HELP),
        )
        return await self.interaction(payload)

    # -- time ----------------------------------------------------------------------------------
    @property
    def clock(self) -> FakeClock:
        clock = self.core.bot.clock
        assert isinstance(clock, FakeClock)
        return clock

    async def tick(self, **delta: float) -> int:
        """Move the core's clock and run what the scheduler finds due; returns how many jobs
        ran."""

        self.clock.advance(**delta)
        return await Scheduler(self.core.bot).run_due()

    # -- inspecting ----------------------------------------------------------------------------
    def rows(self, sql: str, *args: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db_path) as conn:
            return list(conn.execute(sql, args))

    def count(self, table: str) -> int:
        return int(self.rows(f"SELECT count(*) FROM {table}")[0][0])

    def question_status(self, question_id: int = 1) -> str:
        return str(self.rows("SELECT status FROM questions WHERE id = ?", question_id)[0][0])

    def question_text(self, question_id: int = 1) -> tuple[str, str]:
        title, body = self.rows("SELECT title, body FROM questions WHERE id = ?", question_id)[0]
        return str(title), str(body)

    def points(self, user: str) -> int:
        found = self.rows(
            "SELECT coalesce(sum(l.delta), 0) FROM ledger l JOIN members m ON m.id = l.member_id "
            "WHERE m.platform_user_id = ?",
            user,
        )
        return int(found[0][0])

    def thread_posts(self, root_ts: str) -> list[dict[str, Any]]:
        return [
            m
            for m in self.fake.messages_in(HELP)
            if m.get("thread_ts") == root_ts and m["ts"] != root_ts and m.get("bot_id")
        ]

    def ephemeral_to(self, user: str) -> list[str]:
        return [str(e.get("text", "")) for e in self.fake.ephemeral if e.get("user") == user]

    def responses(self) -> list[str]:
        return [str(c.body.get("text", "")) for c in self.fake.response_url_calls]

    def root_reactions(self, ts: str) -> list[str]:
        msg = self.fake.find_message(HELP, ts) or {}
        return [r["name"] for r in msg.get("reactions", [])]

    def bot_said(self) -> list[str]:
        """The Web API calls (since the last `fake.clear_calls()`) by which the bot showed
        something: a post, a reaction, a view."""

        shows = ("chat.", "reactions.", "views.")
        return [call.method for call in self.fake.calls if call.method.startswith(shows)]


Command = TypeVar("Command")


@contextmanager
def commands_reaching_the_core(slack: Slack, kind: type[Command]) -> Iterator[list[Command]]:
    """The `kind` commands the adapter hands the (real) core while inside."""

    seen: list[Command] = []
    core = slack.core.bot
    handle = core.handle

    async def recording(command: Any) -> Any:
        if isinstance(command, kind):
            seen.append(command)
        return await handle(command)

    core.handle = recording  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del core.handle


def slow_down(slack: Slack, kind: type, seconds: float = 0.2) -> None:
    """From now on the core takes `seconds` longer over each `kind` command, so that an event
    Slack delivers just after the one that led to it arrives while it is still handled."""

    handle = slack.core.bot.handle

    async def slow(command: Any) -> Any:
        if isinstance(command, kind):
            await asyncio.sleep(seconds)
        return await handle(command)

    slack.core.bot.handle = slow  # type: ignore[method-assign]


class MarkedCatalog(Catalog):
    """The English catalog with `mark` before every text whose key starts with one of
    `prefixes`: words a translation may hold (`&`, `<`), to see how Slack is sent them."""

    def __init__(self, mark: str, *prefixes: str) -> None:
        super().__init__()
        self.mark, self.prefixes = mark, prefixes

    def t(self, key: str, locale: str | None = None, /, **params: Any) -> str:
        text = super().t(key, locale, **params)
        return self.mark + text if key.startswith(self.prefixes) else text


def _after_ack(task: asyncio.Task[Any]) -> bool:
    return (
        getattr(task.get_coro(), "__name__", "") == "run_ack_function_asynchronously"
        or task.get_name() == unreadable.NOTE_TASK
    )


async def settle_tasks() -> None:
    """Wait until no work the app does after an acknowledgement is left running."""

    for _ in range(500):
        pending = [t for t in asyncio.all_tasks() if not t.done() and _after_ack(t)]
        if not pending:
            return
        await asyncio.wait(pending, timeout=5)
    raise AssertionError("listeners never settled")


def seed(fake: FakeSlack) -> None:
    fake.add_channel(HELP, "help")
    fake.add_user(HELPER, name="helper", real_name="Hal Helper")
    fake.add_user(HELPER2, name="helper2", real_name="Hana Helper")
    fake.add_user(OTHER, name="other", real_name="Otto Other")
    fake.add_user(MOD, name="mod", real_name="Mo Derator")
    fake.add_user(GROUPIE, name="groupie", real_name="Greta Group")
    fake.add_usergroup(MOD_GROUP, "mods", [GROUPIE])


async def make_slack(
    fake: FakeSlack,
    tmp_path: Path,
    *,
    slack: dict[str, Any] | None = None,
    lifecycle: dict[str, Any] | None = None,
    moderation: dict[str, Any] | None = None,
    communities: dict[str, dict[str, Any]] | None = None,
) -> tuple[Slack, AsyncWebClient]:
    """`lifecycle` is `[communities.main.lifecycle]`, `moderation` `[communities.main.moderation]`;
    `communities` are more `[communities.*]` than `main` (another workspace's, say)."""

    seed(fake)
    community: dict[str, Any] = {"slack_team_id": fake.team_id}
    if lifecycle is not None:
        community["lifecycle"] = lifecycle
    if moderation is not None:
        community["moderation"] = moderation
    config = parse_config(
        {
            "database": {"url": f"sqlite+aiosqlite:///{tmp_path}/t.db"},
            "communities": {"main": community, **(communities or {})},
            "console": {"community": "main"},
            "slack": {
                "enabled": True,
                "mode": "http",
                "help_channel_ids": [HELP],
                "moderator_user_ids": [MOD],
                "moderator_usergroup_ids": [MOD_GROUP],
                **(slack or {}),
            },
        }
    )
    core = await bootstrap(config, clock=FakeClock())
    secrets = Secrets(slack_bot_token=fake.bot_token, slack_signing_secret=fake.signing_secret)
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    ticker = Ticker()
    bolt = build_app(core.bot, config, secrets, client=client, clock=ticker)
    # As `run_slack` does: the scheduler's Slack messages go through the app's client.
    register_sender(core.bot, SlackOut(bolt.client))
    runner = await start_http(
        bolt, host="127.0.0.1", port=0, path=PATH, signing_secret=fake.signing_secret
    )
    port = runner.addresses[0][1]
    harness = Slack(
        fake=fake,
        core=core,
        bolt=bolt,
        url=f"http://127.0.0.1:{port}{PATH}",
        db_path=tmp_path / "t.db",
        ticker=ticker,
        runner=runner,
        secret=fake.signing_secret,
    )
    return harness, client


@pytest_asyncio.fixture
async def slack(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Slack]:  # noqa: F811
    harness, _ = await make_slack(fake_slack, tmp_path)
    try:
        yield harness
    finally:
        await harness.runner.cleanup()
        await harness.core.close()
