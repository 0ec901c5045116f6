"""A guild with a text help channel and a forum help channel, the real core on SQLite, and the
real discord.py client of the adapter running against the fake Discord server."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web

from adapters.discord.client import CommunityClient
from bot import commands as c
from bot import events as ev
from bot.bootstrap import App, bootstrap
from bot.clock import FakeClock
from bot.config import Config, parse_config
from bot.model import Actor, MemberRef, Question, ThreadRef
from bot.scheduler import Scheduler
from tests.fakes.discord_server import (
    API_PREFIX,
    APIError,
    FakeDiscord,
    FakeUser,
    InteractionHandle,
    RecordedCall,
)
from tests.helpers import eventually

FAST: dict[str, Any] = {"guild_ready_timeout": 0.05}
# The names discord.py gives the tasks that run listeners and application commands.
_HANDLER_TASKS = ("discord.py: on_", "CommandTree-invoker")
REWARD_POINTS = 10


class FastClient(CommunityClient):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s before a re-IDENTIFY; tests need not."""


class FakeDiscordWithDMs(FakeDiscord):
    """The shared fake plus direct messages, which it leaves out on purpose: Discord's
    `POST /users/@me/channels` opens a DM channel (type 1) and `POST /channels/{id}/messages`
    writes in it. A member in `closed_dms` refuses them with 403 / 50007, as Discord does when
    someone turned off DMs from server members. Sent DMs land in `dms[user_id]`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dm_channels: dict[int, int] = {}  # channel id -> user id
        self.dms: dict[int, list[dict[str, Any]]] = {}
        self.closed_dms: set[int] = set()

    def dm_texts(self, user: FakeUser) -> list[str]:
        return [m["content"] for m in self.dms.get(user.id, [])]

    def _add_routes(self, app: web.Application) -> None:
        super()._add_routes(app)
        app.router.add_route("POST", API_PREFIX + "/users/@me/channels", self._wrap(self._open_dm))

    async def _open_dm(self, request: web.Request, call: RecordedCall) -> web.Response:
        recipient = int(self._body(call).get("recipient_id") or 0)
        if recipient not in self.users:
            raise APIError(400, 50035, "Invalid Form Body")
        channel_id = next((c for c, u in self.dm_channels.items() if u == recipient), None)
        if channel_id is None:
            channel_id = self.new_id()
            self.dm_channels[channel_id] = recipient
        return self._json(
            {
                "id": str(channel_id),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [self.users[recipient].payload()],
            }
        )

    async def _create_message(self, request: web.Request, call: RecordedCall) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        user_id = self.dm_channels.get(channel_id)
        if user_id is None:
            return await super()._create_message(request, call)
        if user_id in self.closed_dms:
            raise APIError(403, 50007, "Cannot send messages to this user")
        body = self._body(call)
        self._validate_message_body(body, call.files, creating=True)
        nonce_key, seen = self._nonce_seen(body)  # a DM honours enforce_nonce too
        if seen is not None:
            sent = {int(m["id"]): m for m in self.dms.get(user_id, [])}
            if seen[1] in sent:
                return self._json(sent[seen[1]])
        message = {
            "id": str(self.new_id()),
            "channel_id": str(channel_id),
            "author": self.bot_user.payload(),
            "content": str(body.get("content") or ""),
            "timestamp": "2026-01-05T12:00:00.000000+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        self.dms.setdefault(user_id, []).append(message)
        if nonce_key is not None:
            self.nonces[nonce_key] = (time.monotonic(), channel_id, int(message["id"]))
        return self._json(message)


@pytest_asyncio.fixture
async def discord_fake() -> AsyncIterator[FakeDiscordWithDMs]:
    async with FakeDiscordWithDMs() as fake:
        with fake.patch_discord():
            yield fake


@dataclass
class World:
    fake: FakeDiscord
    text: int
    forum: int
    other: int
    mods: int
    mod_role: int
    reward_role: int
    alice: FakeUser
    bob: FakeUser
    carol: FakeUser
    mod: FakeUser


def seed(fake: FakeDiscord) -> World:
    mod_role = fake.add_role("Moderators")
    reward_role = fake.add_role("Helper")
    return World(
        fake=fake,
        text=fake.add_text_channel("help"),
        forum=fake.add_forum_channel("forum-help", tags=["python"]),
        other=fake.add_text_channel("general"),
        mods=fake.add_text_channel("moderators"),
        mod_role=mod_role,
        reward_role=reward_role,
        alice=fake.add_user("alice", global_name="Alice"),
        bob=fake.add_user("bob", global_name="Bob"),
        carol=fake.add_user("carol", global_name="Carol"),
        mod=fake.add_user("mod", global_name="Mod", roles=[mod_role]),
    )


class Harness:
    def __init__(
        self, fake: FakeDiscordWithDMs, world: World, app: App, client: FastClient
    ) -> None:
        self.fake = fake
        self.w = world
        self.app = app
        self.client = client

    # -- core views -------------------------------------------------------------------------
    async def question(self, thread_id: int) -> Question | None:
        async with self.app.bot.uow_factory(write=False) as uow:
            return await uow.questions.by_thread(ThreadRef("discord", str(thread_id)))

    async def answers(self, question_id: int) -> list[str]:
        async with self.app.bot.uow_factory(write=False) as uow:
            return [a.message_id for a in await uow.questions.answers(question_id)]

    async def points(self, user: FakeUser) -> int:
        actor = Actor(MemberRef("discord", "main", str(user.id)), user.username)
        result = await self.app.bot.handle(c.ShowReputation(actor))
        assert isinstance(result, ev.ReputationShown)
        return result.standing.points

    # -- time -------------------------------------------------------------------------------
    async def tick(self, **delta: float) -> int:
        """Move the core's clock and run what the scheduler finds due (as its loop would)."""

        clock = self.app.bot.clock
        assert isinstance(clock, FakeClock)
        clock.advance(**delta)
        return await Scheduler(self.app.bot).run_due()

    # -- stories ----------------------------------------------------------------------------
    async def ask_text(self, user: FakeUser, content: str = "How do I parse JSON?") -> int:
        message = await self.fake.post_message(self.w.text, user, content)
        thread_id = int(message["id"])
        await eventually(lambda: self.welcome(thread_id))
        return thread_id

    async def ask_forum(
        self, user: FakeUser, title: str = "Parsing JSON fails", content: str = "Traceback..."
    ) -> int:
        creation = await self.fake.open_thread(self.w.forum, user, title, content=content)
        await eventually(lambda: self.welcome(creation.id))
        return creation.id

    async def ask(self, kind: str, user: FakeUser, text: str = "How do I parse JSON?") -> int:
        if kind == "text":
            return await self.ask_text(user, text)
        return await self.ask_forum(user, text, "details here")

    def bot_messages(self, channel_id: int) -> list[dict[str, Any]]:
        bot_id = str(self.fake.bot_user.id)
        return [m for m in self.fake.messages_in(channel_id) if m["author"]["id"] == bot_id]

    def welcome(self, thread_id: int) -> dict[str, Any] | None:
        messages = self.bot_messages(thread_id)
        return messages[0] if messages else None

    async def answer(self, thread_id: int, user: FakeUser, content: str = "Use json.loads") -> int:
        message = await self.fake.post_message(thread_id, user, content)
        question = await self.question(thread_id)
        assert question is not None
        await eventually(lambda: self._recorded(question.id, message["id"]))
        return int(message["id"])

    async def _recorded(self, question_id: int, message_id: str) -> bool:
        return message_id in await self.answers(question_id)

    async def command(
        self, name: str, user: FakeUser, channel_id: int, **kw: Any
    ) -> InteractionHandle:
        handle = await self.fake.interact(
            self.fake.slash_command(name, user=user, channel_id=channel_id, **kw)
        )
        await handle.wait_response()
        return handle

    async def done(self, handle: InteractionHandle, timeout: float = 10.0) -> str:  # noqa: ASYNC109
        """The private text the member finally sees (deferred reply or direct answer)."""

        def text() -> str | None:
            record = handle.record
            callback = record.callback or {}
            if callback.get("type") == 4:
                return (callback.get("data") or {}).get("content") or _embed_text(callback["data"])
            original = record.original
            if original and not int(original.get("flags", 0)) & (1 << 7):
                return original["content"] or _embed_text(original)
            return None

        return await eventually(text, timeout)

    async def caught_up(self) -> None:
        """For a test that waits for nothing to happen: Bob says "done" in another channel
        and the client sees it, so every event the gateway sent before it has reached the
        client."""

        await self.fake.post_message(self.w.other, self.w.bob, "done")
        await eventually(lambda: any(m.content == "done" for m in self.client.cached_messages))

    async def settled(self) -> None:
        """For a test that waits for nothing to happen after what the client already got:
        `caught_up`, then no discord.py listener or slash command task is still running (so a
        handler that would have removed a role, say, has finished)."""

        await self.caught_up()
        current = asyncio.current_task()

        def idle() -> bool:
            return not any(
                t is not current and not t.done() and t.get_name().startswith(_HANDLER_TASKS)
                for t in asyncio.all_tasks()
            )

        await eventually(idle, what="the client's handlers finished")

    def component(
        self,
        handle: InteractionHandle,
        custom_id: str,
        user: FakeUser,
        *,
        component_type: int = 3,
        values: list[str] | None = None,
    ) -> dict[str, Any]:
        """A component click on the ephemeral reply of `handle` (the fake only stores public
        messages, so the payload is built around the recorded ephemeral message)."""

        record = handle.record
        message = copy.deepcopy(record.original)
        assert message is not None
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = values
        return self.fake._interaction(  # noqa: SLF001 - gap in the fake, see report
            3, user, int(message["channel_id"]), data, message=message
        )


def _embed_text(data: dict[str, Any]) -> str | None:
    parts = []
    for embed in data.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
    text = "\n".join(p for p in parts if p)
    return text or None


def custom_ids(message: dict[str, Any]) -> list[str]:
    out = []
    for row in message.get("components") or []:
        for comp in row.get("components") or []:
            if "custom_id" in comp:
                out.append(comp["custom_id"])
    return out


def make_config(
    tmp_path: Path,
    world: World,
    fake: FakeDiscord,
    community: dict[str, Any] | None = None,
    **discord: Any,
) -> Any:
    settings: dict[str, Any] = {
        "enabled": True,
        "help_channel_ids": [str(world.text), str(world.forum)],
        "moderator_role_ids": [str(world.mod_role)],
        "reward_roles": [{"points": REWARD_POINTS, "role_id": str(world.reward_role)}],
        "sync_commands": True,
    }
    settings.update(discord)
    return parse_config(
        {
            "database": {"url": f"sqlite+aiosqlite:///{tmp_path}/t.db"},
            "communities": {"main": {"discord_guild_id": str(fake.guild_id), **(community or {})}},
            "console": {"community": "main"},
            "discord": settings,
        }
    )


@pytest.fixture
def discord_settings() -> dict[str, Any]:
    """Override in a test module (or parametrize) to change `[discord]`."""

    return {}


@pytest.fixture
def community_settings() -> dict[str, Any] | Callable[[World], dict[str, Any]]:
    """Override in a test module to change `[communities.main]` (e.g. its lifecycle); a
    function of the seeded world when the settings name its channels or roles."""

    return {}


@pytest.fixture
async def h(
    discord_fake: FakeDiscordWithDMs,
    tmp_path: Path,
    discord_settings: dict[str, Any],
    community_settings: dict[str, Any] | Callable[[World], dict[str, Any]],
) -> AsyncIterator[Harness]:
    world = seed(discord_fake)
    if callable(community_settings):
        community_settings = community_settings(world)
    config = make_config(
        tmp_path, world, discord_fake, community=community_settings, **discord_settings
    )
    async with running(discord_fake, world, config) as harness:
        yield harness


@asynccontextmanager
async def running(fake: FakeDiscordWithDMs, world: World, config: Config) -> AsyncIterator[Harness]:
    """The bot started with `config` against `fake`, connected, closed afterwards."""

    app = await bootstrap(config, clock=FakeClock())
    client = FastClient(app.bot, config, **FAST)
    try:
        async with fake.run(client):
            yield Harness(fake, world, app, client)
    finally:
        await app.close()


@contextmanager
def commands_reaching_the_core(
    h: Harness, kinds: tuple[type, ...], fails: Callable[[Any], bool] = lambda command: False
) -> Iterator[list[tuple[Any, Any]]]:
    """The commands of `kinds` the adapter hands the (real) core while inside, each with its
    result, or the error the core raised, once the core is done with it. One that `fails`
    picks fails as a broken database would (seen with None)."""

    seen: list[tuple[Any, Any]] = []
    core = h.app.bot
    handle = core.handle

    async def recording(command: Any) -> Any:
        if not isinstance(command, kinds):
            return await handle(command)
        if fails(command):
            seen.append((command, None))
            raise RuntimeError("database fell over")
        try:
            result = await handle(command)
        except Exception as exc:
            seen.append((command, exc))
            raise
        seen.append((command, result))
        return result

    core.handle = recording  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del core.handle


@asynccontextmanager
async def not_set_up(fake: FakeDiscordWithDMs, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot running for two communities, neither naming the fake's server: the commands
    are global (one community names no server), and each refuses 'not set up' there."""

    world = seed(fake)
    data = make_config(tmp_path, world, fake).model_dump()
    data["communities"]["main"]["discord_guild_id"] = None
    data["communities"]["elsewhere"] = {"slack_team_id": "T1"}
    async with running(fake, world, parse_config(data)) as harness:
        yield harness


@pytest.fixture
async def unset(discord_fake: FakeDiscordWithDMs, tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot running `not_set_up` for the fake's server."""

    async with not_set_up(discord_fake, tmp_path) as harness:
        yield harness


@pytest.fixture(params=["text", "forum"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)
