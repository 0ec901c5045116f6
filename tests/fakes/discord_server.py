"""A fake Discord (REST API v10 + gateway v10) the project owns, so discord.py runs for real in tests.

Why this exists: end-to-end tests must drive the *real* discord.py ``Client`` / ``commands.Bot`` /
``app_commands.CommandTree`` without discord.com. ``FakeDiscord`` is one aiohttp app on
``127.0.0.1`` (random port) serving the REST routes the bot uses under ``/api/v10`` and the
gateway websocket under ``/`` (and ``/resume``, the ``resume_gateway_url``). It keeps one guild's
state (channels, forum tags, threads, roles, members, messages, reactions, application commands,
interactions), records every REST call, injects failures, and follows Discord's documented payload
shapes and side effects (REST writes are echoed back as gateway events, as Discord does).

Point discord.py at it (``patch_discord`` sets ``discord.http.Route.BASE`` *and*
``DiscordWebSocket.DEFAULT_GATEWAY``: a plain ``Client`` never asks ``GET /gateway/bot``, it dials
the default gateway and later the ``resume_gateway_url`` from READY)::

    async with FakeDiscord() as fake, fake.patch_discord():   # or the ``discord_fake`` fixture
        forum = fake.add_forum_channel("help", tags=["python", "solved"])
        alice = fake.add_user("alice")
        bot = commands.Bot(command_prefix="!", intents=discord.Intents.default())
        async with fake.run(bot):                              # login + READY + GUILD_CREATE
            await fake.post_message(channel_id, alice, "hello")   # MESSAGE_CREATE
            handle = await fake.interact(fake.slash_command("ask", user=alice, channel_id=cid))
            response = await handle.wait_response()            # the bot's callback body

Keep discord.py fast in tests: pass ``guild_ready_timeout=0.05`` to the client (it otherwise
waits 2 s after the last GUILD_CREATE before READY fires) and override
``before_identify_hook`` to return at once (it sleeps 5 s before every *re*-IDENTIFY).

Gateway: HELLO (short heartbeat interval), IDENTIFY -> READY + GUILD_CREATE, heartbeat ACKs,
REQUEST_GUILD_MEMBERS -> GUILD_MEMBERS_CHUNK, RESUME (replays seq > client seq, then RESUMED),
INVALID_SESSION for unknown/invalidated sessions, close codes 4001-4005/4012-4014, intent
filtering of dispatches, MESSAGE_CONTENT emptying, ``compress=zlib-stream`` (one zlib context
per connection, Z_SYNC_FLUSH per message) and ``zstd-stream`` when a zstd module is installed.

Deliberately NOT emulated (keep tests honest about it):

* Permission *enforcement*: channel overwrites, role hierarchy and MANAGE_* checks are not
  applied. An interaction's ``permissions`` are resolved for its channel (roles, then the
  channel's overwrites, ``allow_in_channel``); ``app_permissions`` come from roles only. Use
  ``fail_next`` (403 / 50013) to exercise permission errors.
* Real rate-limit policy: buckets are a simple per-route window (``rate_limit`` per second) with
  honest ``X-RateLimit-*`` headers; global limits, shared buckets, invalid-request bans and
  Cloudflare bans do not exist. Forced 429s come from ``fail_next``.
* More than one guild, DMs, sharding, voice, presences, stickers, polls, embeds validation,
  webhooks other than interaction webhooks, audit logs, per-payload (non-transport) compression,
  ETF encoding, private threads' invite rules, auto-archiving by time, slowmode.
* Interactions never time out (no 3 s / 15 min token expiry) unless a test says so with
  ``fail_next`` (10062 Unknown interaction).
* Message search, pins, crossposting, bulk delete, reactions listing beyond ``@me`` writes.
* MESSAGE_CONTENT only empties gateway MESSAGE_CREATE/UPDATE; REST reads always carry content.
* GUILD_CREATE lists only the bot's own member unless both GUILD_MEMBERS and GUILD_PRESENCES
  are requested (as Discord does); discord.py then chunks with op 8, which the fake answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dt
import hashlib
import importlib
import json
import math
import mimetypes
import re
import secrets
import time
import uuid
import zlib
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import pytest_asyncio
from aiohttp import WSMsgType, web

JSONDict = dict[str, Any]

API_PREFIX = "/api/v10"
API_VERSION = 10
DISCORD_EPOCH_MS = 1_420_070_400_000


class Intents:
    """Gateway intent bits (documented values) that the fake filters dispatches on."""

    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    MESSAGE_CONTENT = 1 << 15
    PRIVILEGED = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT


class Permissions:
    """The permission bits the fake's default roles use (documented values)."""

    CREATE_INSTANT_INVITE = 1 << 0
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    CHANGE_NICKNAME = 1 << 26
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    MANAGE_THREADS = 1 << 34
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38
    ALL = (1 << 51) - 1

    EVERYONE_DEFAULT = (
        CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | USE_EXTERNAL_EMOJIS
        | CHANGE_NICKNAME
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | SEND_MESSAGES_IN_THREADS
    )
    BOT_DEFAULT = (
        EVERYONE_DEFAULT | MANAGE_MESSAGES | MANAGE_THREADS | MANAGE_ROLES | MANAGE_CHANNELS
    )


class ChannelType:
    GUILD_TEXT = 0
    GUILD_CATEGORY = 4
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    GUILD_FORUM = 15


THREAD_TYPES = frozenset({10, ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD})

# Which intent a dispatch needs (Discord's "list of intents" table); unlisted events always flow.
EVENT_INTENTS: Mapping[str, int] = {
    **dict.fromkeys(
        (
            "GUILD_CREATE",
            "GUILD_UPDATE",
            "GUILD_DELETE",
            "GUILD_ROLE_CREATE",
            "GUILD_ROLE_UPDATE",
            "GUILD_ROLE_DELETE",
            "CHANNEL_CREATE",
            "CHANNEL_UPDATE",
            "CHANNEL_DELETE",
            "CHANNEL_PINS_UPDATE",
            "THREAD_CREATE",
            "THREAD_UPDATE",
            "THREAD_DELETE",
            "THREAD_LIST_SYNC",
            "THREAD_MEMBER_UPDATE",
            "THREAD_MEMBERS_UPDATE",
        ),
        Intents.GUILDS,
    ),
    **dict.fromkeys(
        ("GUILD_MEMBER_ADD", "GUILD_MEMBER_UPDATE", "GUILD_MEMBER_REMOVE"), Intents.GUILD_MEMBERS
    ),
    **dict.fromkeys(
        ("MESSAGE_CREATE", "MESSAGE_UPDATE", "MESSAGE_DELETE", "MESSAGE_DELETE_BULK"),
        Intents.GUILD_MESSAGES,
    ),
    **dict.fromkeys(
        (
            "MESSAGE_REACTION_ADD",
            "MESSAGE_REACTION_REMOVE",
            "MESSAGE_REACTION_REMOVE_ALL",
            "MESSAGE_REACTION_REMOVE_EMOJI",
        ),
        Intents.GUILD_MESSAGE_REACTIONS,
    ),
}

ERROR_MESSAGES: Mapping[int, str] = {
    0: "401: Unauthorized",
    10003: "Unknown Channel",
    10004: "Unknown Guild",
    10007: "Unknown Member",
    10008: "Unknown Message",
    10011: "Unknown Role",
    10013: "Unknown User",
    10014: "Unknown Emoji",
    10015: "Unknown Webhook",
    10062: "Unknown interaction",
    10063: "Unknown application command",
    40060: "Interaction has already been acknowledged.",
    50001: "Missing Access",
    50005: "Cannot edit a message authored by another user",
    50006: "Cannot send an empty message",
    50013: "Missing Permissions",
    50035: "Invalid Form Body",
    50083: "Thread is archived",
    160004: "A thread has already been created for this message",
}

MESSAGE_FLAG_EPHEMERAL = 1 << 6
MESSAGE_FLAG_LOADING = 1 << 7
MAX_CONTENT = 2000
NONCE_MAX = 25  # message nonce: an integer or a string of at most 25 characters
NONCE_WINDOW_SECONDS = 300  # "checked for uniqueness in the past few minutes"
MAX_THREAD_NAME = 100
ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024


def _now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def _snowflake_ids(values: Iterable[Any]) -> list[str]:
    return [str(_id_of(v)) for v in values]


def _id_of(value: Any) -> int:
    """Accept a FakeUser, a payload dict with ``id``, an int or a numeric string."""
    if isinstance(value, FakeUser):
        return value.id
    if isinstance(value, Mapping):
        return int(value["id"])
    return int(value)


def _invalid_form(field_name: str, code: str, message: str) -> APIError:
    return APIError(
        400, 50035, errors={field_name: {"_errors": [{"code": code, "message": message}]}}
    )


# --------------------------------------------------------------------------------------------
# Public records
# --------------------------------------------------------------------------------------------


@dataclass
class FakeUser:
    """A Discord user that is also a member of the fake guild (see ``FakeDiscord.add_user``)."""

    id: int
    username: str
    global_name: str | None = None
    bot: bool = False

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self) -> JSONDict:
        """The documented user object (``discriminator`` is ``"0"`` for migrated usernames)."""
        data: JSONDict = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
            "avatar_decoration_data": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class RecordedFile:
    field: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class RecordedCall:
    """One REST request as the fake saw it. ``route`` is the template, ``path`` the concrete path
    (both without ``/api/v10``); ``json`` is the JSON body or the multipart ``payload_json``."""

    method: str
    path: str
    route: str
    json: Any
    files: list[RecordedFile]
    query: dict[str, str]
    headers: dict[str, str]
    status: int | None = None
    response: Any = None

    @property
    def params(self) -> dict[str, str]:
        return _match_params(self.route, self.path)


@dataclass
class InteractionRecord:
    """What happened to one interaction the fake sent: the callback body and later messages."""

    payload: JSONDict
    callback: JSONDict | None = None
    callback_files: list[RecordedFile] = field(default_factory=list)
    original: JSONDict | None = None
    followups: list[JSONDict] = field(default_factory=list)
    responded: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])


@dataclass
class InteractionHandle:
    """Returned by ``FakeDiscord.interact``: the dispatched payload and a way to await the reply."""

    fake: FakeDiscord
    payload: JSONDict

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def token(self) -> str:
        return str(self.payload["token"])

    @property
    def record(self) -> InteractionRecord:
        return self.fake.interactions[self.id]

    async def wait_response(self, timeout: float = 10.0) -> JSONDict:  # noqa: ASYNC109
        return await self.fake.wait_for_interaction_response(self.id, timeout)


@dataclass
class ThreadCreation:
    """``THREAD_CREATE`` payload plus, for forum posts / threads from a message, the message."""

    thread: JSONDict
    message: JSONDict | None = None

    @property
    def id(self) -> int:
        return int(self.thread["id"])


class APIError(Exception):
    """Raised by a route handler to answer Discord's documented error JSON."""

    def __init__(
        self, status: int, code: int, message: str | None = None, errors: JSONDict | None = None
    ) -> None:
        self.status = status
        self.code = code
        self.message = message or ERROR_MESSAGES.get(code, "Error")
        self.errors = errors
        super().__init__(f"{status} {code} {self.message}")

    def body(self) -> JSONDict:
        data: JSONDict = {"message": self.message, "code": self.code}
        if self.errors:
            data["errors"] = self.errors
        return data


@dataclass
class _Failure:
    method: str
    route: str | re.Pattern[str]
    status: int
    code: int
    message: str | None
    retry_after: float
    is_global: bool
    times: int


@dataclass
class _Bucket:
    window_end: float
    used: int = 0


# --------------------------------------------------------------------------------------------
# Route matching helpers
# --------------------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def _normalise_template(template: str) -> str:
    return _PLACEHOLDER.sub("{}", template.removeprefix(API_PREFIX))


def _match_params(route: str, path: str) -> dict[str, str]:
    names = _PLACEHOLDER.findall(route)
    pattern = (
        "^"
        + _PLACEHOLDER.sub("([^/]+)", re.escape(route).replace(r"\{", "{").replace(r"\}", "}"))
        + "$"
    )
    match = re.match(pattern, path)
    if not match:
        return {}
    return {name.strip("{}"): value for name, value in zip(names, match.groups(), strict=False)}


def _route_matches(pattern: str | re.Pattern[str], route: str, path: str) -> bool:
    if isinstance(pattern, re.Pattern):
        return bool(pattern.fullmatch(path) or pattern.fullmatch(route))
    wanted = pattern.removeprefix(API_PREFIX)
    if "{" not in wanted:
        return wanted == path
    if _normalise_template(wanted) == _normalise_template(route):
        return True
    # A template with some literal segments, e.g. ".../messages/@original", matches concrete paths.
    literal = "".join(
        "[^/]+" if _PLACEHOLDER.fullmatch(piece) else re.escape(piece)
        for piece in re.split(r"(\{[^}]*\})", wanted)
    )
    return re.fullmatch(literal, path) is not None


def _method_matches(wanted: str, method: str) -> bool:
    return wanted in ("*", "") or wanted.upper() == method.upper()


# --------------------------------------------------------------------------------------------
# Gateway plumbing
# --------------------------------------------------------------------------------------------


class _Compressor:
    """Transport compression for one connection: ``zlib-stream`` or ``zstd-stream``."""

    def __init__(self, mode: str | None) -> None:
        self.mode = mode
        self._zlib = zlib.compressobj() if mode == "zlib-stream" else None
        self._zstd: Any = None
        self._zstd_flush: Any = None
        if mode == "zstd-stream":
            self._zstd, self._zstd_flush = _zstd_stream_compressor()

    def encode(self, text: str) -> str | bytes:
        raw = text.encode("utf-8")
        if self._zlib is not None:
            return self._zlib.compress(raw) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        if self._zstd is not None:
            return self._zstd_flush(raw)
        return text


def _zstd_stream_compressor() -> tuple[Any, Callable[[bytes], bytes]]:
    """One zstd stream per connection, each message flushed as a complete block."""
    try:
        zstandard = importlib.import_module("zstandard")
    except ImportError:
        stdlib = importlib.import_module("compression.zstd")  # Python 3.14+
        compressor = stdlib.ZstdCompressor()
        return compressor, lambda raw: compressor.compress(raw, mode=compressor.FLUSH_BLOCK)
    cobj = zstandard.ZstdCompressor().compressobj()
    return cobj, lambda raw: cobj.compress(raw) + cobj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)


def zstd_available() -> bool:
    for name in ("zstandard", "compression.zstd"):
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        return True
    return False


class _Connection:
    def __init__(self, ws: web.WebSocketResponse, compress: str | None, path: str) -> None:
        self.ws = ws
        self.path = path
        self.compressor = _Compressor(compress)
        self.lock = asyncio.Lock()
        self.session: _Session | None = None
        self.ready = False  # READY or RESUMED delivered

    @property
    def closed(self) -> bool:
        return self.ws.closed

    async def send(self, frame: JSONDict) -> None:
        text = json.dumps(frame, separators=(",", ":"))
        async with self.lock:
            data = self.compressor.encode(text)
            if isinstance(data, bytes):
                await self.ws.send_bytes(data)
            else:
                await self.ws.send_str(data)

    async def close(self, code: int, message: str = "") -> None:
        if not self.ws.closed:
            await self.ws.close(code=code, message=message.encode())


@dataclass
class _Session:
    id: str
    token: str
    intents: int
    identify: JSONDict
    seq: int = 0
    log: list[JSONDict] = field(default_factory=list)
    conn: _Connection | None = None
    invalidated: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------


class FakeDiscord:
    """One guild, one bot, one application: REST + gateway. See the module docstring."""

    def __init__(
        self,
        *,
        guild_id: int | None = None,
        guild_name: str = "Fake Guild",
        guild_locale: str = "en-US",
        bot_username: str = "helper-bot",
        token: str | None = None,
        heartbeat_interval: float = 0.5,
        bot_permissions: int = Permissions.BOT_DEFAULT,
        everyone_permissions: int = Permissions.EVERYONE_DEFAULT,
        privileged_intents: int = Intents.PRIVILEGED,
        rate_limit: int = 50,
        rate_limit_window: float = 1.0,
    ) -> None:
        self._last_snowflake = 0
        self.token = token or f"fake.{secrets.token_urlsafe(18)}"
        self.heartbeat_interval = heartbeat_interval
        self.privileged_intents = privileged_intents
        self.rate_limit = rate_limit
        self.rate_limit_window = rate_limit_window
        self.guild_id = guild_id or self.new_id()
        self.guild_name = guild_name
        self.guild_locale = guild_locale
        self.application_id = self.new_id()

        # state
        self.users: dict[int, FakeUser] = {}
        self.members: dict[int, JSONDict] = {}  # user id -> {roles, nick, joined_at}
        self.roles: dict[int, JSONDict] = {}
        self.channels: dict[int, JSONDict] = {}  # text, forum and thread channels
        # Threads left out of GUILD_CREATE's `threads` (see ``unannounce_thread``).
        self.unannounced_threads: set[int] = set()
        self.messages: dict[int, dict[int, JSONDict]] = {}  # channel id -> id -> REST message
        # (author id, nonce) -> (monotonic time, channel id, message id), for enforce_nonce
        self.nonces: dict[tuple[int, str], tuple[float, int, int]] = {}
        self.thread_members: dict[int, dict[int, str]] = {}  # thread id -> user id -> joined
        self.reactions: dict[tuple[int, int], dict[str, set[int]]] = {}
        self.global_commands: list[JSONDict] = []
        self.guild_commands: dict[int, list[JSONDict]] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self.attachments: dict[int, bytes] = {}
        self.presence_updates: list[JSONDict] = []

        # recording / controls
        self.calls: list[RecordedCall] = []
        self.identify_count = 0
        self.resume_count = 0
        self.heartbeat_count = 0
        self.identify_payload: JSONDict | None = None
        self.gateway_connections: list[dict[str, str]] = []  # path + query of each ws connect
        self.invalid_session_count = 0
        self.suppressed_events: list[tuple[str, JSONDict]] = []  # filtered out by intents
        self._failures: list[_Failure] = []
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._sessions: dict[str, _Session] = {}
        self._session: _Session | None = None
        self._connections: set[_Connection] = set()
        self._gateway_open = asyncio.Event()
        self._gateway_open.set()
        self._changed = asyncio.Event()
        self._background: set[asyncio.Task[bool]] = set()

        self._runner: web.AppRunner | None = None
        self._port: int | None = None

        everyone = {"id": self.guild_id, "name": "@everyone", "permissions": everyone_permissions}
        self.roles[self.guild_id] = self._role_payload(**everyone, position=0)
        self.owner = self.add_user("guild-owner", global_name="Guild Owner")
        self.bot_user = self.add_user(bot_username, bot=True)
        self.bot_role_id = self.add_role(
            bot_username, permissions=bot_permissions, tags={"bot_id": str(self.bot_user.id)}
        )
        self.members[self.bot_user.id]["roles"].append(self.bot_role_id)

    # ---------------------------------------------------------------- lifecycle

    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._middleware], client_max_size=64 * 1024 * 1024)
        self._add_routes(app)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def close(self) -> None:
        self._gateway_open.set()
        for conn in list(self._connections):
            with contextlib.suppress(Exception):
                await conn.close(1001, "fake shutting down")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeDiscord is not started")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_base(self) -> str:
        return f"{self.url}{API_PREFIX}"

    @property
    def ws_url(self) -> str:
        """What ``GET /gateway/bot`` answers (no path, like ``wss://gateway.discord.gg``)."""
        return f"ws://127.0.0.1:{self._port}"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/resume"

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway at this fake; restore on exit."""
        import discord.gateway
        import discord.http
        import yarl

        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"{self.ws_url}/")
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    @contextlib.asynccontextmanager
    async def run(self, client: Any, *, timeout: float = 5.0) -> AsyncIterator[Any]:  # noqa: ASYNC109
        """Start a discord.py client against the fake, wait for ``is_ready()``, close on exit."""
        task = asyncio.create_task(client.start(self.token))
        try:
            deadline = time.monotonic() + timeout
            while not client.is_ready():
                if task.done():
                    task.result()  # re-raise the login/connect error
                    raise RuntimeError("client stopped before READY")
                if time.monotonic() > deadline:
                    raise TimeoutError("discord.py client did not become ready")
                await asyncio.sleep(0.01)
            yield client
        finally:
            await client.close()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(task, 2)

    # ---------------------------------------------------------------- ids and setup

    def new_id(self) -> int:
        """A fresh, increasing snowflake whose timestamp is now."""
        value = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (1 << 17)
        value = max(value, self._last_snowflake + 1)
        self._last_snowflake = value
        return value

    def add_user(
        self,
        username: str,
        *,
        global_name: str | None = None,
        bot: bool = False,
        roles: Sequence[int] = (),
        nick: str | None = None,
        user_id: int | None = None,
    ) -> FakeUser:
        """Create a user who is a member of the guild (``GUILD_MEMBER_ADD`` if a bot is online)."""
        user = FakeUser(user_id or self.new_id(), username, global_name, bot)
        self.users[user.id] = user
        self.members[user.id] = {"roles": list(roles), "nick": nick, "joined_at": _now_iso()}
        self._fire_and_forget(
            "GUILD_MEMBER_ADD",
            lambda: {**self.member_payload(user.id), "guild_id": str(self.guild_id)},
        )
        return user

    def add_role(
        self,
        name: str,
        *,
        permissions: int = 0,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
        tags: JSONDict | None = None,
    ) -> int:
        role_id = self.new_id()
        position = len(self.roles)
        self.roles[role_id] = self._role_payload(
            id=role_id,
            name=name,
            permissions=permissions,
            color=color,
            hoist=hoist,
            mentionable=mentionable,
            position=position,
            tags=tags,
        )
        self._fire_and_forget(
            "GUILD_ROLE_CREATE",
            lambda: {"guild_id": str(self.guild_id), "role": self.roles[role_id]},
        )
        return role_id

    def add_text_channel(
        self,
        name: str,
        *,
        topic: str | None = None,
        parent_id: int | None = None,
        private: bool = False,
    ) -> int:
        """A text channel (type 0). ``private``: one @everyone cannot see (see
        ``_private_overwrites``); give members a view with ``allow_in_channel``."""
        channel_id = self.new_id()
        self.channels[channel_id] = {
            "id": str(channel_id),
            "type": ChannelType.GUILD_TEXT,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": self._next_position(),
            "permission_overwrites": self._private_overwrites() if private else [],
            "nsfw": False,
            "topic": topic,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": str(parent_id) if parent_id else None,
            "default_auto_archive_duration": 1440,
            "default_thread_rate_limit_per_user": 0,
            "flags": 0,
        }
        self.messages[channel_id] = {}
        self._fire_and_forget("CHANNEL_CREATE", lambda: self.channels[channel_id])
        return channel_id

    def add_forum_channel(
        self,
        name: str,
        *,
        tags: Sequence[str | Mapping[str, Any]] = (),
        topic: str | None = None,
        require_tag: bool = False,
        private: bool = False,
    ) -> int:
        """A forum (type 15); ``tags`` are names or partial tag objects and get ids.
        ``private`` as for ``add_text_channel``."""
        channel_id = self.new_id()
        self.channels[channel_id] = {
            "id": str(channel_id),
            "type": ChannelType.GUILD_FORUM,
            "guild_id": str(self.guild_id),
            "name": name,
            "position": self._next_position(),
            "permission_overwrites": self._private_overwrites() if private else [],
            "nsfw": False,
            "topic": topic,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "parent_id": None,
            "default_auto_archive_duration": 1440,
            "default_thread_rate_limit_per_user": 0,
            "available_tags": [self._tag_payload(t) for t in tags],
            "default_reaction_emoji": None,
            "default_sort_order": None,
            "default_forum_layout": 0,
            "flags": (1 << 4) if require_tag else 0,
        }
        self._fire_and_forget("CHANNEL_CREATE", lambda: self.channels[channel_id])
        return channel_id

    def _private_overwrites(self) -> list[JSONDict]:
        """A private channel's overwrites as a server admin sets them: a role overwrite
        (``type`` 0) for @everyone (its id is the guild's) denying VIEW_CHANNEL, and a member
        overwrite (``type`` 1) allowing the bot to see it."""
        view = str(Permissions.VIEW_CHANNEL)
        return [
            {"id": str(self.guild_id), "type": 0, "allow": "0", "deny": view},
            {"id": str(self.bot_user.id), "type": 1, "allow": view, "deny": "0"},
        ]

    def forum_tag_id(self, forum_id: int, name: str) -> int:
        for tag in self.channels[forum_id]["available_tags"]:
            if tag["name"] == name:
                return int(tag["id"])
        raise KeyError(f"forum {forum_id} has no tag {name!r}")

    def add_thread(
        self,
        parent_id: int,
        name: str,
        *,
        owner: FakeUser | int | None = None,
        content: str | None = None,
        applied_tags: Sequence[int] = (),
        archived: bool = False,
        locked: bool = False,
        message_id: int | None = None,
    ) -> int:
        """Seed a thread without dispatching (use ``thread_create`` for a live one)."""
        creation = self._create_thread(
            parent_id,
            name,
            owner=self._user(owner or self.owner),
            content=content,
            applied_tags=applied_tags,
            message_id=message_id,
        )
        meta = self.channels[creation.id]["thread_metadata"]
        meta["archived"], meta["locked"] = archived, locked
        return creation.id

    def unannounce_thread(self, thread_id: int) -> None:
        """Leave a thread out of the next GUILD_CREATE's ``threads``: a client that identifies
        again then has it in no cache, and a MESSAGE_CREATE in it reaches discord.py with a
        channel it cannot resolve (a ``PartialMessageable``)."""
        self.unannounced_threads.add(int(thread_id))

    def add_message(
        self,
        channel_id: int,
        author: FakeUser | int,
        content: str = "",
        **fields: Any,
    ) -> JSONDict:
        """Seed a message without dispatching; returns the REST message object."""
        message = self._build_message(channel_id, self._user(author), content, **fields)
        self._store_message(message)
        return message

    def set_member_roles(self, user: FakeUser | int, roles: Sequence[int]) -> None:
        self.members[_id_of(user)]["roles"] = [int(r) for r in roles]

    # ---------------------------------------------------------------- state views

    def messages_in(self, channel_id: int) -> list[JSONDict]:
        """Stored messages of a channel or thread, oldest first."""
        return list(self.messages.get(int(channel_id), {}).values())

    def find_message(self, message_id: int) -> JSONDict | None:
        for messages in self.messages.values():
            if int(message_id) in messages:
                return messages[int(message_id)]
        return None

    def threads_in(self, parent_id: int) -> list[JSONDict]:
        return [
            c
            for c in self.channels.values()
            if c["type"] in THREAD_TYPES and c.get("parent_id") == str(parent_id)
        ]

    def member_roles(self, user: FakeUser | int) -> list[int]:
        return list(self.members[_id_of(user)]["roles"])

    def reactions_on(self, message_id: int) -> dict[str, set[int]]:
        for (_, mid), reactions in self.reactions.items():
            if mid == int(message_id):
                return reactions
        return {}

    def user_payload(self, user: FakeUser | int) -> JSONDict:
        return self._user(user).payload()

    def member_payload(self, user: FakeUser | int, *, with_user: bool = True) -> JSONDict:
        user_id = _id_of(user)
        member = self.members[user_id]
        data: JSONDict = {
            "nick": member["nick"],
            "avatar": None,
            "banner": None,
            "roles": [str(r) for r in member["roles"]],
            "joined_at": member["joined_at"],
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data = {"user": self.users[user_id].payload(), **data}
        return data

    def permissions_of(self, user: FakeUser | int) -> int:
        """Guild-level permissions from @everyone + member roles (no channel overwrites)."""
        user_id = _id_of(user)
        if user_id == self.owner.id:
            return Permissions.ALL
        value = int(self.roles[self.guild_id]["permissions"])
        for role_id in self.members.get(user_id, {}).get("roles", []):
            if role_id in self.roles:
                value |= int(self.roles[role_id]["permissions"])
        if value & Permissions.ADMINISTRATOR:
            return Permissions.ALL
        return value

    def allow_in_channel(self, channel_id: int, user: FakeUser | int, permissions: int) -> None:
        """A member permission overwrite on one channel (``type`` 1) allowing
        ``permissions`` there (``CHANNEL_UPDATE`` if a bot is online), as a server admin sets
        in the channel's settings. Threads take their parent's overwrites."""
        channel = self._channel(channel_id)
        user_id = _id_of(user)
        overwrites = channel.setdefault("permission_overwrites", [])
        for overwrite in overwrites:
            if overwrite["id"] == str(user_id) and overwrite["type"] == 1:
                overwrite["allow"] = str(int(overwrite["allow"]) | permissions)
                break
        else:
            overwrites.append(
                {"id": str(user_id), "type": 1, "allow": str(permissions), "deny": "0"}
            )
        self._fire_and_forget("CHANNEL_UPDATE", lambda: copy.deepcopy(channel))

    def channel_permissions_of(self, user: FakeUser | int, channel_id: int) -> int:
        """Permissions in one channel, as an interaction's ``member.permissions`` carries
        them: the guild-level value with the channel's (a thread: its parent's) overwrites
        applied in Discord's order (@everyone, roles, the member)."""
        user_id = _id_of(user)
        value = self.permissions_of(user_id)
        if value & Permissions.ADMINISTRATOR:
            return Permissions.ALL
        channel = self.channels.get(int(channel_id)) or {}
        if channel.get("type") in THREAD_TYPES and channel.get("parent_id"):
            channel = self.channels.get(int(channel["parent_id"])) or channel
        overwrites = {(o["id"], o["type"]): o for o in channel.get("permission_overwrites") or []}
        everyone = overwrites.get((str(self.guild_id), 0))
        if everyone:
            value = (value & ~int(everyone["deny"])) | int(everyone["allow"])
        allow = deny = 0
        for role_id in self.members.get(user_id, {}).get("roles", []):
            role = overwrites.get((str(role_id), 0))
            if role:
                allow, deny = allow | int(role["allow"]), deny | int(role["deny"])
        value = (value & ~deny) | allow
        member = overwrites.get((str(user_id), 1))
        if member:
            value = (value & ~int(member["deny"])) | int(member["allow"])
        return value

    def guild_payload(self) -> JSONDict:
        return {
            "id": str(self.guild_id),
            "name": self.guild_name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": str(self.owner.id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": list(self.roles.values()),
            "emojis": [],
            "features": [],
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.guild_locale,
            "public_updates_channel_id": None,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "nsfw_level": 0,
            "stickers": [],
            "premium_progress_bar_enabled": False,
            "safety_alerts_channel_id": None,
            "incidents_data": None,
        }

    def application_payload(self) -> JSONDict:
        return {
            "id": str(self.application_id),
            "name": self.bot_user.username,
            "icon": None,
            "description": "",
            "bot": self.bot_user.payload(),
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": self.owner.payload(),
            "team": None,
            "verify_key": "0" * 64,
            "flags": self._application_flags(),
            "tags": [],
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "role_connections_verification_url": None,
            "event_webhooks_url": None,
            "event_webhooks_status": 1,
            "approximate_guild_count": 1,
            "integration_types_config": {"0": {}},
        }

    def _application_flags(self) -> int:
        # GATEWAY_*_LIMITED flags mirror which privileged intents are enabled in the "portal".
        flags = 0
        if self.privileged_intents & Intents.GUILD_PRESENCES:
            flags |= 1 << 13
        if self.privileged_intents & Intents.GUILD_MEMBERS:
            flags |= 1 << 15
        if self.privileged_intents & Intents.MESSAGE_CONTENT:
            flags |= 1 << 19
        return flags

    # ---------------------------------------------------------------- recorded calls

    def calls_to(self, method: str, route: str | re.Pattern[str]) -> list[RecordedCall]:
        """Calls whose method matches (``"*"`` for any) and whose route template (placeholder
        names ignored, e.g. ``/channels/{id}/messages``), concrete path or regex matches."""
        return [
            c
            for c in self.calls
            if _method_matches(method, c.method) and _route_matches(route, c.route, c.path)
        ]

    def last_call(self, method: str, route: str | re.Pattern[str]) -> RecordedCall:
        calls = self.calls_to(method, route)
        if not calls:
            raise AssertionError(
                f"no {method} {route} call; saw {[(c.method, c.path) for c in self.calls]}"
            )
        return calls[-1]

    async def wait_for_call(
        self,
        method: str,
        route: str | re.Pattern[str],
        *,
        count: int = 1,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> RecordedCall:
        """Wait until ``count`` matching calls have been answered; returns the latest."""

        def done() -> RecordedCall | None:
            calls = [c for c in self.calls_to(method, route) if c.status is not None]
            return calls[-1] if len(calls) >= count else None

        return await self._wait(done, timeout, f"{method} {route} x{count}")

    # ---------------------------------------------------------------- failure injection

    def fail_next(
        self,
        method: str,
        route: str | re.Pattern[str],
        *,
        status: int = 403,
        code: int | None = None,
        message: str | None = None,
        retry_after: float = 0.05,
        is_global: bool = False,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` matching calls with Discord's error JSON.

        403 defaults to 50013 Missing Permissions, 404 to 10008 Unknown Message, 429 to the
        rate-limit body (``retry_after``, ``global``) with ``Retry-After``/``X-RateLimit-*``.
        """
        default_code = {403: 50013, 404: 10008, 400: 50035, 401: 0, 429: 0}.get(status, 0)
        self._failures.append(
            _Failure(
                method.upper(),
                route,
                status,
                default_code if code is None else code,
                message,
                retry_after,
                is_global,
                times,
            )
        )

    # ---------------------------------------------------------------- gateway controls

    @property
    def connected(self) -> bool:
        session = self._session
        return bool(session and session.conn and not session.conn.closed and session.conn.ready)

    @property
    def session_id(self) -> str | None:
        return self._session.id if self._session else None

    @property
    def intents(self) -> int:
        return self._session.intents if self._session else 0

    async def wait_until_connected(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait for a live connection that has received READY or RESUMED."""
        await self._wait(lambda: self.connected or None, timeout, "gateway connection")

    async def wait_for_identify(self, count: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        await self._wait(
            lambda: self.identify_count >= count or None, timeout, f"identify #{count}"
        )

    async def wait_for_resume(self, count: int = 1, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        await self._wait(
            lambda: (self.resume_count >= count and self.connected) or None,
            timeout,
            f"resume #{count}",
        )

    async def drop_connection(self, code: int = 4000, *, hold: bool = False) -> None:
        """Close the bot's websocket with a resumable code (4000 "unknown error" by default).

        With ``hold=True`` reconnects are accepted but get no HELLO until ``release_gateway()``,
        so events dispatched meanwhile are buffered for the RESUME replay.
        """
        if hold:
            self._gateway_open.clear()
        session = self._session
        if session and session.conn:
            conn = session.conn
            session.conn = None
            await conn.close(code, "dropped by test")

    def release_gateway(self) -> None:
        self._gateway_open.set()

    @contextlib.asynccontextmanager
    async def disconnected(self, code: int = 4000) -> AsyncIterator[None]:
        """``async with fake.disconnected(): await fake.dispatch(...)`` -> replayed on RESUME."""
        await self.drop_connection(code, hold=True)
        try:
            yield
        finally:
            self.release_gateway()

    def invalidate_session(self) -> None:
        """The next RESUME of the current session gets INVALID_SESSION (d=false)."""
        if self._session:
            self._session.invalidated = True

    async def send_reconnect(self) -> None:
        """Op 7 RECONNECT: the client should reconnect and RESUME."""
        session = self._require_session()
        if session.conn:
            await session.conn.send({"op": 7, "d": None, "s": None, "t": None})

    async def dispatch(self, event: str, data: Mapping[str, Any]) -> bool:
        """Send a dispatch (op 0) to the bot's session; returns False if intents filtered it out.

        While the bot is disconnected the event is buffered and replayed on RESUME.
        """
        return await self._emit(self._require_session(), event, dict(data))

    # ---------------------------------------------------------------- inbound builders

    def user_message(
        self,
        channel_id: int,
        author: FakeUser | int,
        content: str = "",
        *,
        mentions: Sequence[FakeUser | int] = (),
        mention_roles: Sequence[int] = (),
        mention_everyone: bool = False,
        message_reference: int | Mapping[str, Any] | None = None,
        attachments: Sequence[Mapping[str, Any]] = (),
        embeds: Sequence[Mapping[str, Any]] = (),
        components: Sequence[Mapping[str, Any]] = (),
    ) -> JSONDict:
        """Store a user's message and return its MESSAGE_CREATE payload (not yet dispatched).

        ``<@id>`` / ``<@&id>`` in ``content`` are added to ``mentions`` / ``mention_roles``; a
        ``message_reference`` (a message id in the same channel, or a reference object) makes it
        a reply (type 19) with ``referenced_message``.
        """
        message = self._build_message(
            channel_id,
            self._user(author),
            content,
            mentions=[self._user(m) for m in mentions],
            mention_roles=[int(r) for r in mention_roles],
            mention_everyone=mention_everyone,
            message_reference=message_reference,
            attachments=list(attachments),
            embeds=list(embeds),
            components=list(components),
        )
        self._store_message(message)
        return self._gateway_message(message)

    def thread_create(
        self,
        parent_id: int,
        owner: FakeUser | int,
        name: str,
        *,
        content: str | None = None,
        applied_tags: Sequence[int] = (),
        message_id: int | None = None,
        auto_archive_duration: int = 1440,
    ) -> ThreadCreation:
        """A user opens a thread: a forum post (``content`` = starter message, id == thread id),
        a thread from ``message_id``, or a bare public thread. Returns THREAD_CREATE
        (``newly_created``) and, for forum posts, the starter MESSAGE_CREATE payload."""
        creation = self._create_thread(
            parent_id,
            name,
            owner=self._user(owner),
            content=content,
            applied_tags=applied_tags,
            message_id=message_id,
            auto_archive_duration=auto_archive_duration,
        )
        thread = {**copy.deepcopy(self.channels[creation.id]), "newly_created": True}
        message = self._gateway_message(creation.message) if creation.message else None
        return ThreadCreation(thread, message)

    def attachment(self, filename: str, size: int = 10) -> JSONDict:
        """A file a member uploaded, as their message carries it (for ``attachments=``)."""
        url = f"https://cdn.example/{filename}"
        return {
            "id": str(self.new_id()),
            "filename": filename,
            "size": size,
            "url": url,
            "proxy_url": url,
        }

    def user_edit(
        self,
        channel_id: int,
        message_id: int,
        content: str,
        *,
        attachments: Sequence[Mapping[str, Any]] | None = None,
    ) -> JSONDict:
        """A member edits their stored message: the new ``content`` (its ``<@id>`` / ``<@&id>``
        mentions found again, as on creation), ``attachments`` when given (a member may remove
        files), ``edited_timestamp`` set. Returns the MESSAGE_UPDATE payload (not yet
        dispatched), which carries the full message, as Discord sends it."""
        message = self._message(channel_id, message_id)
        author = self._user(int(message["author"]["id"]))
        rebuilt = self._build_message(
            channel_id,
            author,
            content,
            message_id=int(message_id),
            attachments=list(message["attachments"] if attachments is None else attachments),
        )
        for key in ("content", "mentions", "mention_roles", "mention_everyone", "attachments"):
            message[key] = rebuilt[key]
        message["edited_timestamp"] = _now_iso()
        return self._gateway_message(message)

    def embed_update(
        self, channel_id: int, message_id: int, embeds: Sequence[Mapping[str, Any]]
    ) -> JSONDict:
        """Discord unfurls a link in a stored message: it gains ``embeds``; its content and
        ``edited_timestamp`` stay as they were (nobody edited it). Returns the MESSAGE_UPDATE
        payload (not yet dispatched), the full message as Discord sends it now."""
        message = self._message(channel_id, message_id)
        message["embeds"] = [dict(e) for e in embeds]
        return self._gateway_message(message)

    def message_delete(self, channel_id: int | str, message_id: int | str) -> JSONDict:
        """A stored message is deleted on Discord (by its author, or a moderator: Discord does
        not say who): gone from the fake. Returns MESSAGE_DELETE (not yet dispatched), which
        names only the message, its channel and its guild."""
        message = self._message(channel_id, message_id)
        del self.messages[int(channel_id)][int(message_id)]
        return {
            "id": message["id"],
            "channel_id": message["channel_id"],
            "guild_id": str(self.guild_id),
        }

    def message_delete_bulk(self, channel_id: int, message_ids: Sequence[int]) -> JSONDict:
        """Stored messages of one channel deleted at once (a moderator's purge, or a member
        banned with their recent messages): gone from the fake. Returns MESSAGE_DELETE_BULK
        (not yet dispatched): the messages' ids, their channel and the guild."""
        for message_id in message_ids:
            self._message(channel_id, message_id)
        for message_id in message_ids:
            del self.messages[int(channel_id)][int(message_id)]
        return {
            "ids": [str(m) for m in message_ids],
            "channel_id": str(channel_id),
            "guild_id": str(self.guild_id),
        }

    def thread_delete(self, thread_id: int) -> JSONDict:
        """A thread (or forum post) deleted whole, with its messages: gone from the fake.
        Returns THREAD_DELETE (not yet dispatched): the thread's id, guild, parent and type,
        no more."""
        thread = self._channel(thread_id)
        if thread["type"] not in THREAD_TYPES:
            raise ValueError(f"{thread_id} is not a thread")
        del self.channels[int(thread_id)]
        self.messages.pop(int(thread_id), None)
        return {
            "id": thread["id"],
            "guild_id": thread["guild_id"],
            "parent_id": thread["parent_id"],
            "type": thread["type"],
        }

    def channel_delete(self, channel_id: int) -> JSONDict:
        """A server channel (text or forum) deleted whole by a member with Manage Channels:
        gone from the fake with every thread under it and their messages. Returns
        CHANNEL_DELETE (not yet dispatched): the channel object. Discord sends no
        THREAD_DELETE for the threads that go with it."""
        channel = self._channel(channel_id)
        if channel["type"] in THREAD_TYPES:
            raise ValueError(f"{channel_id} is a thread: see thread_delete")
        for gone in [channel, *self.threads_in(int(channel_id))]:
            del self.channels[int(gone["id"])]
            self.messages.pop(int(gone["id"]), None)
        return copy.deepcopy(channel)

    def reaction_add(
        self,
        channel_id: int,
        message_id: int,
        user: FakeUser | int,
        emoji: str | tuple[str, int] = "\N{THUMBS UP SIGN}",
        *,
        burst: bool = False,
    ) -> JSONDict:
        """Store a reaction and return MESSAGE_REACTION_ADD (``emoji`` is a unicode string or
        ``(name, id)`` for a custom emoji)."""
        member = self._user(user)
        emoji_obj, key = self._emoji(emoji)
        self.reactions.setdefault((int(channel_id), int(message_id)), {}).setdefault(
            key, set()
        ).add(member.id)
        message = self.find_message(message_id)
        data: JSONDict = {
            "user_id": str(member.id),
            "channel_id": str(channel_id),
            "message_id": str(message_id),
            "guild_id": str(self.guild_id),
            "member": self.member_payload(member),
            "emoji": emoji_obj,
            "burst": burst,
            "burst_colors": [],
            "type": 1 if burst else 0,
        }
        if message is not None:
            data["message_author_id"] = message["author"]["id"]
        return data

    def reaction_remove(
        self,
        channel_id: int,
        message_id: int,
        user: FakeUser | int,
        emoji: str | tuple[str, int] = "\N{THUMBS UP SIGN}",
    ) -> JSONDict:
        member = self._user(user)
        emoji_obj, key = self._emoji(emoji)
        self.reactions.get((int(channel_id), int(message_id)), {}).get(key, set()).discard(
            member.id
        )
        return {
            "user_id": str(member.id),
            "channel_id": str(channel_id),
            "message_id": str(message_id),
            "guild_id": str(self.guild_id),
            "emoji": emoji_obj,
            "burst": False,
            "type": 0,
        }

    def slash_command(
        self,
        name: str,
        *,
        user: FakeUser | int,
        channel_id: int,
        options: Mapping[str, Any] | None = None,
        subcommand: str | None = None,
        group: str | None = None,
        locale: str = "en-US",
    ) -> JSONDict:
        """INTERACTION_CREATE type 2 for a *registered* chat-input command (the bot must have
        synced it). Option types come from the registered definition; user/member, role and
        channel options get ``resolved`` entries."""
        command = self._find_command(name, 1)
        resolved: JSONDict = {}
        options_payload = self._build_options(
            command, dict(options or {}), subcommand, group, resolved, focused=None
        )
        data: JSONDict = {"id": command["id"], "name": command["name"], "type": 1}
        if options_payload:
            data["options"] = options_payload
        if resolved:
            data["resolved"] = resolved
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return self._interaction(2, user, channel_id, data, locale=locale)

    def autocomplete(
        self,
        name: str,
        *,
        user: FakeUser | int,
        channel_id: int,
        focused: str,
        options: Mapping[str, Any] | None = None,
        subcommand: str | None = None,
        group: str | None = None,
    ) -> JSONDict:
        """INTERACTION_CREATE type 4: ``focused`` names the option being typed (its value is the
        partial text as a string)."""
        command = self._find_command(name, 1)
        values = dict(options or {})
        values.setdefault(focused, "")
        options_payload = self._build_options(
            command, values, subcommand, group, {}, focused=focused
        )
        data: JSONDict = {
            "id": command["id"],
            "name": command["name"],
            "type": 1,
            "options": options_payload,
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return self._interaction(4, user, channel_id, data)

    def message_command(
        self, name: str, *, user: FakeUser | int, message_id: int, channel_id: int | None = None
    ) -> JSONDict:
        """INTERACTION_CREATE for a message context menu (data.type 3, target_id,
        resolved.messages). The target message must be stored."""
        command = self._find_command(name, 3)
        message = self.find_message(message_id)
        if message is None:
            raise LookupError(f"message {message_id} is not stored in the fake")
        data: JSONDict = {
            "id": command["id"],
            "name": command["name"],
            "type": 3,
            "target_id": str(message_id),
            "resolved": {"messages": {str(message_id): copy.deepcopy(message)}},
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return self._interaction(2, user, channel_id or int(message["channel_id"]), data)

    def user_command(
        self, name: str, *, user: FakeUser | int, target: FakeUser | int, channel_id: int
    ) -> JSONDict:
        """INTERACTION_CREATE for a user context menu (data.type 2, resolved users + members)."""
        command = self._find_command(name, 2)
        target_user = self._user(target)
        data: JSONDict = {
            "id": command["id"],
            "name": command["name"],
            "type": 2,
            "target_id": str(target_user.id),
            "resolved": {
                "users": {str(target_user.id): target_user.payload()},
                "members": {
                    str(target_user.id): {
                        **self.member_payload(target_user, with_user=False),
                        "permissions": str(self.permissions_of(target_user)),
                    }
                },
            },
        }
        if command.get("guild_id"):
            data["guild_id"] = command["guild_id"]
        return self._interaction(2, user, channel_id, data)

    def component(
        self,
        message_id: int,
        custom_id: str,
        *,
        user: FakeUser | int,
        component_type: int = 2,
        values: Sequence[Any] | None = None,
    ) -> JSONDict:
        """INTERACTION_CREATE type 3 on a stored message: a button (component_type 2) or a select
        (3 string, 5 user, 6 role, 7 mentionable, 8 channel; ``values`` as ids/strings)."""
        message = self.find_message(message_id)
        if message is None:
            raise LookupError(f"message {message_id} is not stored in the fake")
        data: JSONDict = {"custom_id": custom_id, "component_type": component_type}
        if component_type in (3, 5, 6, 7, 8):
            data["values"] = [
                str(_id_of(v)) if component_type != 3 else str(v) for v in values or ()
            ]
            resolved: JSONDict = {}
            for raw in values or ():
                if component_type == 3:
                    continue
                self._resolve_entity(_id_of(raw), resolved)
            if resolved:
                data["resolved"] = resolved
        return self._interaction(3, user, int(message["channel_id"]), data, message=message)

    def modal_submit(
        self,
        custom_id: str,
        *,
        user: FakeUser | int,
        channel_id: int,
        values: Mapping[str, str | Sequence[str]],
        message_id: int | None = None,
    ) -> JSONDict:
        """INTERACTION_CREATE type 5. The submitted components mirror the modal the bot sent
        (action rows or labels) when it can be found among recorded type-9 callbacks."""
        modal = self._find_modal(custom_id)
        components = self._modal_components(modal, values)
        message = self.find_message(message_id) if message_id else None
        data: JSONDict = {"custom_id": custom_id, "components": components}
        return self._interaction(5, user, channel_id, data, message=message)

    # async conveniences: build + dispatch

    async def post_message(
        self, channel_id: int, author: FakeUser | int, content: str = "", **kw: Any
    ) -> JSONDict:
        payload = self.user_message(channel_id, author, content, **kw)
        await self.dispatch("MESSAGE_CREATE", payload)
        return payload

    async def edit_message(
        self, channel_id: int, message_id: int, content: str, **kw: Any
    ) -> JSONDict:
        payload = self.user_edit(channel_id, message_id, content, **kw)
        await self.dispatch("MESSAGE_UPDATE", payload)
        return payload

    async def delete_message(self, channel_id: int, message_id: int) -> JSONDict:
        payload = self.message_delete(channel_id, message_id)
        await self.dispatch("MESSAGE_DELETE", payload)
        return payload

    async def delete_messages(self, channel_id: int, message_ids: Sequence[int]) -> JSONDict:
        payload = self.message_delete_bulk(channel_id, message_ids)
        await self.dispatch("MESSAGE_DELETE_BULK", payload)
        return payload

    async def delete_thread(self, thread_id: int) -> JSONDict:
        payload = self.thread_delete(thread_id)
        await self.dispatch("THREAD_DELETE", payload)
        return payload

    async def delete_channel(self, channel_id: int) -> JSONDict:
        payload = self.channel_delete(channel_id)
        await self.dispatch("CHANNEL_DELETE", payload)
        return payload

    async def rename_thread(self, thread_id: int, name: str) -> JSONDict:
        """A member (the owner, or one with Manage Threads) renames a thread: Discord sends
        THREAD_UPDATE with the whole thread, its new name in it."""

        channel = self._channel(thread_id)
        if channel["type"] not in THREAD_TYPES:
            raise ValueError(f"{thread_id} is not a thread")
        if not 1 <= len(name) <= MAX_THREAD_NAME:
            raise ValueError(f"a thread name is 1 to {MAX_THREAD_NAME} characters")
        channel["name"] = name
        payload = copy.deepcopy(channel)
        await self.dispatch("THREAD_UPDATE", payload)
        return payload

    async def open_thread(
        self, parent_id: int, owner: FakeUser | int, name: str, **kw: Any
    ) -> ThreadCreation:
        creation = self.thread_create(parent_id, owner, name, **kw)
        await self.dispatch("THREAD_CREATE", creation.thread)
        if (
            creation.message is not None
            and int(self.channels[parent_id]["type"]) == ChannelType.GUILD_FORUM
        ):
            await self.dispatch("MESSAGE_CREATE", creation.message)
        return creation

    async def archive_thread(self, thread_id: int, *, idle: bool = False) -> JSONDict:
        """A thread archived outside the bot (``THREAD_UPDATE``): by a member (Close Post on
        their forum post, or anyone with Manage Threads), ``archive_timestamp`` now; or, with
        ``idle``, by Discord itself after ``auto_archive_duration`` minutes without activity,
        ``archive_timestamp`` that long after the last message (or the previous archive state
        change). Discord names nobody either way."""
        thread = self._channel(thread_id)
        meta = thread["thread_metadata"]
        archived_at = dt.datetime.now(dt.UTC)
        if idle:
            times = [dt.datetime.fromisoformat(meta["archive_timestamp"])]
            if thread.get("last_message_id"):
                ms = (int(thread["last_message_id"]) >> 22) + DISCORD_EPOCH_MS
                times.append(dt.datetime.fromtimestamp(ms / 1000, dt.UTC))
            archived_at = max(times) + dt.timedelta(minutes=int(meta["auto_archive_duration"]))
        meta["archived"] = True
        meta["archive_timestamp"] = archived_at.isoformat(timespec="microseconds")
        await self.dispatch("THREAD_UPDATE", copy.deepcopy(thread))
        return thread

    async def react(
        self,
        channel_id: int,
        message_id: int,
        user: FakeUser | int,
        emoji: str | tuple[str, int] = "\N{THUMBS UP SIGN}",
    ) -> JSONDict:
        payload = self.reaction_add(channel_id, message_id, user, emoji)
        await self.dispatch("MESSAGE_REACTION_ADD", payload)
        return payload

    async def unreact(
        self,
        channel_id: int,
        message_id: int,
        user: FakeUser | int,
        emoji: str | tuple[str, int] = "\N{THUMBS UP SIGN}",
    ) -> JSONDict:
        """``user``'s reaction goes (they took it back, or a moderator removed it: Discord's
        MESSAGE_REACTION_REMOVE names the reaction's owner either way, and no member)."""
        payload = self.reaction_remove(channel_id, message_id, user, emoji)
        await self.dispatch("MESSAGE_REACTION_REMOVE", payload)
        return payload

    async def interact(self, payload: JSONDict) -> InteractionHandle:
        """Dispatch an interaction payload built by one of the builders."""
        await self.dispatch("INTERACTION_CREATE", payload)
        return InteractionHandle(self, payload)

    async def wait_for_interaction_response(
        self,
        interaction_id: int,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> JSONDict:
        """The body the bot POSTed to ``/interactions/{id}/{token}/callback``."""
        record = self.interactions[int(interaction_id)]
        try:
            await asyncio.wait_for(record.responded.wait(), timeout)
        except TimeoutError:
            raise TimeoutError(f"bot did not respond to interaction {interaction_id}") from None
        assert record.callback is not None
        return record.callback

    # ---------------------------------------------------------------- internals: builders

    def _user(self, value: FakeUser | int | Mapping[str, Any]) -> FakeUser:
        user_id = _id_of(value)
        try:
            return self.users[user_id]
        except KeyError:
            raise LookupError(f"unknown user {user_id}; add it with add_user()") from None

    def _require_session(self) -> _Session:
        if self._session is None:
            raise RuntimeError("no bot has identified with the fake gateway yet")
        return self._session

    def _next_position(self) -> int:
        return sum(1 for c in self.channels.values() if c["type"] not in THREAD_TYPES)

    def _role_payload(
        self,
        *,
        id: int,  # noqa: A002 - the documented field name
        name: str,
        permissions: int,
        position: int,
        color: int = 0,
        hoist: bool = False,
        mentionable: bool = False,
        tags: JSONDict | None = None,
    ) -> JSONDict:
        data: JSONDict = {
            "id": str(id),
            "name": name,
            "color": color,
            "colors": {"primary_color": color, "secondary_color": None, "tertiary_color": None},
            "hoist": hoist,
            "icon": None,
            "unicode_emoji": None,
            "position": position,
            "permissions": str(permissions),
            "managed": tags is not None and "bot_id" in tags,
            "mentionable": mentionable,
            "flags": 0,
        }
        if tags is not None:
            data["tags"] = tags
        return data

    def _tag_payload(self, tag: str | Mapping[str, Any]) -> JSONDict:
        data = {"name": tag} if isinstance(tag, str) else dict(tag)
        name = str(data.get("name", ""))
        if not 1 <= len(name) <= 20:
            raise _invalid_form(
                "available_tags", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 20 in length."
            )
        return {
            "id": str(data.get("id") or self.new_id()),
            "name": name,
            "moderated": bool(data.get("moderated", False)),
            "emoji_id": str(data["emoji_id"]) if data.get("emoji_id") else None,
            "emoji_name": data.get("emoji_name"),
        }

    @staticmethod
    def _emoji(emoji: str | tuple[str, int]) -> tuple[JSONDict, str]:
        if isinstance(emoji, tuple):
            name, emoji_id = emoji
            return {"id": str(emoji_id), "name": name, "animated": False}, f"{name}:{emoji_id}"
        if ":" in emoji:  # "name:id" as used in REST routes
            name, _, emoji_id = emoji.partition(":")
            return {"id": emoji_id, "name": name, "animated": False}, f"{name}:{emoji_id}"
        return {"id": None, "name": emoji}, emoji

    def _channel(self, channel_id: int | str) -> JSONDict:
        try:
            return self.channels[int(channel_id)]
        except (KeyError, ValueError):
            raise APIError(404, 10003) from None

    def _message(self, channel_id: int | str, message_id: int | str) -> JSONDict:
        self._channel(channel_id)
        try:
            return self.messages[int(channel_id)][int(message_id)]
        except (KeyError, ValueError):
            raise APIError(404, 10008) from None

    def _build_message(
        self,
        channel_id: int,
        author: FakeUser,
        content: str,
        *,
        mentions: Sequence[FakeUser] = (),
        mention_roles: Sequence[int] = (),
        mention_everyone: bool = False,
        message_reference: int | Mapping[str, Any] | None = None,
        attachments: Sequence[Mapping[str, Any]] = (),
        embeds: Sequence[Mapping[str, Any]] = (),
        components: Sequence[Mapping[str, Any]] = (),
        flags: int = 0,
        message_type: int | None = None,
        message_id: int | None = None,
        webhook_id: int | None = None,
        interaction_metadata: JSONDict | None = None,
        allowed_mentions: Mapping[str, Any] | None = None,
        tts: bool = False,
        nonce: Any = None,
    ) -> JSONDict:
        channel = self._channel(channel_id)
        mentioned = {u.id: u for u in mentions}
        roles = [int(r) for r in mention_roles]
        parse = None if allowed_mentions is None else set(allowed_mentions.get("parse", []))
        allowed_users = {int(u) for u in (allowed_mentions or {}).get("users", [])}
        allowed_roles = {int(r) for r in (allowed_mentions or {}).get("roles", [])}
        for raw in re.findall(r"<@!?(\d+)>", content):
            uid = int(raw)
            if uid in self.users and (parse is None or "users" in parse or uid in allowed_users):
                mentioned.setdefault(uid, self.users[uid])
        for raw in re.findall(r"<@&(\d+)>", content):
            rid = int(raw)
            if (
                rid in self.roles
                and rid not in roles
                and (parse is None or "roles" in parse or rid in allowed_roles)
            ):
                roles.append(rid)
        if ("@everyone" in content or "@here" in content) and (
            parse is None or "everyone" in parse
        ):
            mention_everyone = (
                mention_everyone
                or author.id == self.owner.id
                or bool(self.permissions_of(author) & Permissions.MENTION_EVERYONE)
            )

        message: JSONDict = {
            "id": str(message_id or self.new_id()),
            "channel_id": str(channel_id),
            "author": author.payload(),
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": tts,
            "mention_everyone": mention_everyone,
            "mentions": [],
            "mention_roles": [str(r) for r in roles],
            "attachments": [dict(a) for a in attachments],
            "embeds": [dict(e) for e in embeds],
            "pinned": False,
            "type": 0 if message_type is None else message_type,
            "flags": flags,
            "components": [dict(c) for c in components],
        }
        if nonce is not None:
            message["nonce"] = nonce
        if message_reference is not None:
            ref = (
                {"message_id": str(message_reference), "channel_id": str(channel_id)}
                if not isinstance(message_reference, Mapping)
                else {k: str(v) if k.endswith("_id") else v for k, v in message_reference.items()}
            )
            ref.setdefault("channel_id", str(channel_id))
            ref.setdefault("guild_id", str(self.guild_id))
            ref.pop("fail_if_not_exists", None)
            ref["type"] = int(ref.get("type", 0))
            message["message_reference"] = ref
            referenced = self.find_message(int(ref["message_id"]))
            if ref["type"] == 0:
                message["type"] = 19 if message_type is None else message_type
                message["referenced_message"] = copy.deepcopy(referenced) if referenced else None
                if referenced and (allowed_mentions or {}).get(
                    "replied_user", allowed_mentions is None
                ):
                    replied = self.users.get(int(referenced["author"]["id"]))
                    if replied:
                        mentioned.setdefault(replied.id, replied)
        message["mentions"] = [u.payload() for u in mentioned.values()]
        if webhook_id is not None:
            message["webhook_id"] = str(webhook_id)
            message["application_id"] = str(self.application_id)
        if interaction_metadata is not None:
            message["interaction_metadata"] = interaction_metadata
        if channel["type"] in THREAD_TYPES:
            message["position"] = int(channel.get("total_message_sent", 0))
        return message

    def _store_message(self, message: JSONDict) -> None:
        channel_id = int(message["channel_id"])
        self.messages.setdefault(channel_id, {})[int(message["id"])] = message
        channel = self.channels.get(channel_id)
        if channel is not None:
            channel["last_message_id"] = message["id"]
            if channel["type"] in THREAD_TYPES and int(message["id"]) != channel_id:
                channel["message_count"] = int(channel.get("message_count", 0)) + 1
                channel["total_message_sent"] = int(channel.get("total_message_sent", 0)) + 1
            if channel["type"] in THREAD_TYPES and channel.get("parent_id"):
                parent = self.channels.get(int(channel["parent_id"]))
                if parent is not None and parent["type"] == ChannelType.GUILD_FORUM:
                    parent["last_message_id"] = channel["id"]

    def _gateway_message(self, message: JSONDict) -> JSONDict:
        """REST message -> MESSAGE_CREATE/UPDATE payload (adds guild_id, member, mention members)."""
        data = copy.deepcopy(message)
        data["guild_id"] = str(self.guild_id)
        author_id = int(data["author"]["id"])
        if "webhook_id" not in data and author_id in self.members:
            data["member"] = self.member_payload(author_id, with_user=False)
        for mention in data["mentions"]:
            if int(mention["id"]) in self.members:
                mention["member"] = self.member_payload(int(mention["id"]), with_user=False)
        return data

    def _create_thread(
        self,
        parent_id: int,
        name: str,
        *,
        owner: FakeUser,
        content: str | None = None,
        applied_tags: Sequence[int] = (),
        message_id: int | None = None,
        auto_archive_duration: int = 1440,
        thread_type: int = ChannelType.PUBLIC_THREAD,
        message_fields: Mapping[str, Any] | None = None,
        rate_limit_per_user: int = 0,
    ) -> ThreadCreation:
        parent = self._channel(parent_id)
        if not 1 <= len(name) <= MAX_THREAD_NAME:
            raise _invalid_form(
                "name",
                "BASE_TYPE_BAD_LENGTH",
                f"Must be between 1 and {MAX_THREAD_NAME} in length.",
            )
        is_forum = parent["type"] == ChannelType.GUILD_FORUM
        tag_ids = [str(t) for t in applied_tags]
        if tag_ids:
            if not is_forum:
                raise _invalid_form(
                    "applied_tags", "BASE_TYPE_INVALID", "Only forum threads can have tags."
                )
            self._check_tags(parent, tag_ids)
        elif is_forum and parent.get("flags", 0) & (1 << 4):
            raise APIError(400, 40067, "A tag is required to create a forum post in this channel")
        if message_id is not None:
            starter = self._message(parent_id, message_id)
            if starter.get("thread"):
                raise APIError(400, 160004)
            thread_id = int(message_id)
        else:
            thread_id = self.new_id()
        now = _now_iso()
        thread: JSONDict = {
            "id": str(thread_id),
            "type": thread_type,
            "guild_id": str(self.guild_id),
            "parent_id": str(parent_id),
            "owner_id": str(owner.id),
            "name": name,
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": rate_limit_per_user,
            "flags": 0,
            "total_message_sent": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": auto_archive_duration,
                "archive_timestamp": now,
                "locked": False,
                "create_timestamp": now,
            },
        }
        if thread_type == ChannelType.PRIVATE_THREAD:
            thread["thread_metadata"]["invitable"] = True
        if is_forum:
            thread["applied_tags"] = tag_ids
        self.channels[thread_id] = thread
        self.messages.setdefault(thread_id, {})
        self.thread_members[thread_id] = {owner.id: now}
        starter_message: JSONDict | None = None
        if is_forum:
            fields = dict(message_fields or {})
            fields.setdefault("content", content or "")
            text = fields.pop("content")
            starter_message = self._build_message(
                thread_id, owner, text, message_id=thread_id, **fields
            )
            self._store_message(starter_message)
            thread["last_message_id"] = starter_message["id"]
        elif message_id is not None:
            starter = self._message(parent_id, message_id)
            starter["thread"] = thread
            starter_message = starter
        return ThreadCreation(thread, starter_message)

    def _check_tags(self, forum: JSONDict, tag_ids: Sequence[str]) -> None:
        known = {t["id"] for t in forum.get("available_tags", [])}
        if len(tag_ids) > 5:
            raise _invalid_form(
                "applied_tags", "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length."
            )
        for tag in tag_ids:
            if tag not in known:
                raise _invalid_form(
                    "applied_tags", "BASE_TYPE_CHOICES", f"Value {tag} is not a valid tag."
                )

    def _thread_member(self, thread_id: int, user_id: int) -> JSONDict:
        return {
            "id": str(thread_id),
            "user_id": str(user_id),
            "join_timestamp": self.thread_members.get(thread_id, {}).get(user_id, _now_iso()),
            "flags": 0,
        }

    def _find_command(self, name: str, command_type: int) -> JSONDict:
        for command in [*self.guild_commands.get(self.guild_id, []), *self.global_commands]:
            if command["name"] == name and int(command.get("type", 1)) == command_type:
                return command
        raise LookupError(
            f"no registered command {name!r} of type {command_type}; did the bot sync its tree? "
            f"registered: {[c['name'] for c in [*self.guild_commands.get(self.guild_id, []), *self.global_commands]]}"
        )

    def _build_options(
        self,
        command: JSONDict,
        values: dict[str, Any],
        subcommand: str | None,
        group: str | None,
        resolved: JSONDict,
        *,
        focused: str | None,
    ) -> list[JSONDict]:
        definitions: list[JSONDict] = list(command.get("options") or [])
        path: list[tuple[str, int]] = []
        if group is not None:
            path.append((group, 2))
        if subcommand is not None:
            path.append((subcommand, 1))
        for part, part_type in path:
            match = next(
                (o for o in definitions if o["name"] == part and o["type"] == part_type), None
            )
            if match is None:
                raise LookupError(
                    f"command {command['name']!r} has no {'group' if part_type == 2 else 'subcommand'} {part!r}"
                )
            definitions = list(match.get("options") or [])
        leaf: list[JSONDict] = []
        for name, value in values.items():
            definition = next((o for o in definitions if o["name"] == name), None)
            if definition is None:
                raise LookupError(f"command {command['name']!r} has no option {name!r}")
            leaf.append(self._option_value(definition, value, resolved, focused == name))
        options = leaf
        for part, part_type in reversed(path):
            options = [{"name": part, "type": part_type, "options": options}]
        return options

    def _option_value(
        self, definition: JSONDict, value: Any, resolved: JSONDict, focused: bool
    ) -> JSONDict:
        option_type = int(definition["type"])
        option: JSONDict = {"name": definition["name"], "type": option_type}
        if focused:
            option["value"] = str(value)
            option["focused"] = True
            return option
        if option_type in (6, 7, 8, 9):  # user, channel, role, mentionable
            entity_id = _id_of(value)
            self._resolve_entity(entity_id, resolved)
            option["value"] = str(entity_id)
        elif option_type == 4:
            option["value"] = int(value)
        elif option_type == 10:
            option["value"] = float(value)
        elif option_type == 5:
            option["value"] = bool(value)
        else:
            option["value"] = value
        return option

    def _resolve_entity(self, entity_id: int, resolved: JSONDict) -> None:
        if entity_id in self.users:
            resolved.setdefault("users", {})[str(entity_id)] = self.users[entity_id].payload()
            if entity_id in self.members:
                resolved.setdefault("members", {})[str(entity_id)] = {
                    **self.member_payload(entity_id, with_user=False),
                    "permissions": str(self.permissions_of(entity_id)),
                }
        elif entity_id in self.roles:
            resolved.setdefault("roles", {})[str(entity_id)] = self.roles[entity_id]
        elif entity_id in self.channels:
            channel = self.channels[entity_id]
            resolved.setdefault("channels", {})[str(entity_id)] = {
                **self._partial_channel(channel),
                "permissions": str(self.permissions_of(self.bot_user)),
            }
        else:
            raise LookupError(f"unknown user/role/channel id {entity_id}")

    def _partial_channel(self, channel: JSONDict) -> JSONDict:
        keys = (
            "id",
            "type",
            "guild_id",
            "name",
            "parent_id",
            "last_message_id",
            "nsfw",
            "flags",
            "rate_limit_per_user",
            "topic",
            "position",
            "thread_metadata",
            "owner_id",
            "applied_tags",
            "member_count",
            "message_count",
            "total_message_sent",
            "available_tags",
        )
        return {k: copy.deepcopy(channel[k]) for k in keys if k in channel}

    def _interaction(
        self,
        interaction_type: int,
        user: FakeUser | int,
        channel_id: int,
        data: JSONDict,
        *,
        message: JSONDict | None = None,
        locale: str = "en-US",
    ) -> JSONDict:
        invoker = self._user(user)
        channel = self._channel(channel_id)
        interaction_id = self.new_id()
        payload: JSONDict = {
            "id": str(interaction_id),
            "application_id": str(self.application_id),
            "type": interaction_type,
            "data": data,
            "guild": {"id": str(self.guild_id), "locale": self.guild_locale, "features": []},
            "guild_id": str(self.guild_id),
            "channel": {
                **self._partial_channel(channel),
                "permissions": str(self.channel_permissions_of(invoker, channel_id)),
            },
            "channel_id": str(channel_id),
            "member": {
                **self.member_payload(invoker),
                "permissions": str(self.channel_permissions_of(invoker, channel_id)),
            },
            "token": f"aW50ZXJhY3Rpb246{secrets.token_urlsafe(48)}",
            "version": 1,
            "app_permissions": str(self.permissions_of(self.bot_user)),
            "locale": locale,
            "guild_locale": self.guild_locale,
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(self.guild_id)},
            "context": 0,
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
        }
        if message is not None:
            payload["message"] = copy.deepcopy(message)
        self.interactions[interaction_id] = InteractionRecord(payload)
        return payload

    def _find_modal(self, custom_id: str) -> JSONDict | None:
        for record in reversed(list(self.interactions.values())):
            callback = record.callback or {}
            if (
                callback.get("type") == 9
                and (callback.get("data") or {}).get("custom_id") == custom_id
            ):
                return callback["data"]
        return None

    def _modal_components(
        self, modal: JSONDict | None, values: Mapping[str, str | Sequence[str]]
    ) -> list[JSONDict]:
        def submitted(component: JSONDict, auto_id: int) -> JSONDict:
            ctype = int(component["type"])
            out: JSONDict = {"type": ctype, "id": component.get("id", auto_id)}
            if "custom_id" in component:
                out["custom_id"] = component["custom_id"]
                value = values.get(component["custom_id"], "" if ctype == 4 else [])
                if ctype == 4:
                    out["value"] = value if isinstance(value, str) else " ".join(value)
                else:
                    out["values"] = [value] if isinstance(value, str) else list(value)
            return out

        if modal is None:
            return [
                {
                    "type": 1,
                    "id": 2 * i + 1,
                    "components": [submitted({"type": 4, "custom_id": cid}, 2 * i + 2)],
                }
                for i, cid in enumerate(values)
            ]
        result: list[JSONDict] = []
        counter = 0
        for top in modal.get("components", []):
            counter += 1
            top_id = top.get("id", counter)
            if top["type"] == 1:
                children = []
                for child in top.get("components", []):
                    counter += 1
                    children.append(submitted(child, counter))
                result.append({"type": 1, "id": top_id, "components": children})
            elif top["type"] == 18:  # label wrapping one component
                counter += 1
                result.append(
                    {"type": 18, "id": top_id, "component": submitted(top["component"], counter)}
                )
            else:
                result.append({"type": top["type"], "id": top_id})
        return result

    # ---------------------------------------------------------------- internals: gateway

    def _fire_and_forget(self, event: str, build: Callable[[], JSONDict]) -> None:
        """Setup helpers called while a bot is connected also tell it, as Discord would."""
        if self._session is None or not self.connected:
            return
        with contextlib.suppress(RuntimeError):
            task = asyncio.get_running_loop().create_task(self._emit(self._session, event, build()))
            self._background.add(task)
            task.add_done_callback(self._background.discard)

    async def _emit(self, session: _Session, event: str, data: JSONDict) -> bool:
        required = EVENT_INTENTS.get(event, 0)
        if required and not session.intents & required:
            self.suppressed_events.append((event, data))
            return False
        if event in ("MESSAGE_CREATE", "MESSAGE_UPDATE"):
            data = self._apply_content_intent(session, data)
        async with session.lock:
            session.seq += 1
            frame = {"op": 0, "t": event, "s": session.seq, "d": data}
            session.log.append(frame)
            conn = session.conn
            if conn is not None and conn.ready and not conn.closed:
                with contextlib.suppress(ConnectionError, RuntimeError):
                    await conn.send(frame)
        self._notify()
        return True

    def _apply_content_intent(self, session: _Session, data: JSONDict) -> JSONDict:
        if session.intents & Intents.MESSAGE_CONTENT:
            return data
        bot_id = str(self.bot_user.id)
        author_id = (data.get("author") or {}).get("id")
        mentioned = any(m.get("id") == bot_id for m in data.get("mentions", []))
        if author_id == bot_id or mentioned:
            return data
        stripped = dict(data)
        for key, empty in (
            ("content", ""),
            ("embeds", []),
            ("attachments", []),
            ("components", []),
        ):
            if key in stripped:
                stripped[key] = copy.deepcopy(empty)
        stripped.pop("poll", None)
        return stripped

    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        compress = request.query.get("compress")
        self.gateway_connections.append({"path": request.path, **request.query})
        conn = _Connection(
            ws, compress if compress in ("zlib-stream", "zstd-stream") else None, request.path
        )
        self._connections.add(conn)
        try:
            if request.query.get("v", str(API_VERSION)) != str(API_VERSION):
                await conn.close(4012, "Invalid API version")
                return ws
            if request.query.get("encoding", "json") != "json":
                await conn.close(4002, "Decode error")  # the fake speaks JSON only
                return ws
            await self._gateway_open.wait()
            await conn.send(
                {
                    "op": 10,
                    "d": {"heartbeat_interval": int(self.heartbeat_interval * 1000)},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    break
                try:
                    raw = msg.data if isinstance(msg.data, str) else msg.data.decode("utf-8")
                    frame = json.loads(raw)
                    op = frame["op"]
                except (ValueError, KeyError, TypeError):
                    await conn.close(4002, "Decode error")
                    break
                await self._on_op(conn, int(op), frame.get("d"))
        finally:
            self._connections.discard(conn)
            if conn.session is not None and conn.session.conn is conn:
                conn.session.conn = None
            self._notify()
        return ws

    async def _on_op(self, conn: _Connection, op: int, d: Any) -> None:
        if op == 1:
            self.heartbeat_count += 1
            await conn.send({"op": 11, "d": None, "s": None, "t": None})
        elif op == 2:
            await self._identify(conn, d or {})
        elif op == 6:
            await self._resume(conn, d or {})
        elif conn.session is None:
            await conn.close(4003, "Not authenticated")
        elif op == 3:
            self.presence_updates.append(d or {})
        elif op == 4:
            pass  # voice is not emulated
        elif op == 8:
            await self._request_members(conn.session, d or {})
        else:
            await conn.close(4001, "Unknown opcode")

    async def _identify(self, conn: _Connection, d: JSONDict) -> None:
        if conn.session is not None:
            await conn.close(4005, "Already authenticated")
            return
        if d.get("token") != self.token:
            await conn.close(4004, "Authentication failed")
            return
        intents = d.get("intents")
        if not isinstance(intents, int) or intents < 0 or intents >= (1 << 26):
            await conn.close(4013, "Invalid intent(s)")
            return
        if intents & Intents.PRIVILEGED & ~self.privileged_intents:
            await conn.close(4014, "Disallowed intent(s)")
            return
        self.identify_count += 1
        self.identify_payload = copy.deepcopy(d)
        session = _Session(
            id=uuid.uuid4().hex, token=d["token"], intents=intents, identify=self.identify_payload
        )
        if (
            self._session is not None
            and self._session.conn is not None
            and self._session.conn is not conn
        ):
            await self._session.conn.close(4000, "Session replaced")
        self._sessions[session.id] = session
        self._session = session
        conn.session = session
        session.conn = conn
        conn.ready = True
        ready: JSONDict = {
            "v": API_VERSION,
            "user": {
                **self.bot_user.payload(),
                "verified": True,
                "mfa_enabled": False,
                "email": None,
                "flags": 0,
                "bot": True,
            },
            "guilds": [{"id": str(self.guild_id), "unavailable": True}],
            "session_id": session.id,
            "resume_gateway_url": self.resume_gateway_url,
            "application": {"id": str(self.application_id), "flags": self._application_flags()},
        }
        if "shard" in d:
            ready["shard"] = d["shard"]
        await self._emit(session, "READY", ready)
        await self._emit(session, "GUILD_CREATE", self._guild_create(session))

    def _guild_create(self, session: _Session) -> JSONDict:
        everyone_visible = (
            session.intents & Intents.GUILD_PRESENCES and session.intents & Intents.GUILD_MEMBERS
        )
        member_ids = list(self.members) if everyone_visible else [self.bot_user.id]
        channels = []
        for channel in self.channels.values():
            if channel["type"] not in THREAD_TYPES:
                channels.append(
                    {k: copy.deepcopy(v) for k, v in channel.items() if k != "guild_id"}
                )
        threads = [
            copy.deepcopy(c)
            for c in self.channels.values()
            if c["type"] in THREAD_TYPES
            and not c["thread_metadata"]["archived"]
            and int(c["id"]) not in self.unannounced_threads
        ]
        return {
            **self.guild_payload(),
            "joined_at": self.members[self.bot_user.id]["joined_at"],
            "large": len(self.members) > int(session.identify.get("large_threshold", 50)),
            "unavailable": False,
            "member_count": len(self.members),
            "voice_states": [],
            "members": [self.member_payload(uid) for uid in member_ids],
            "channels": channels,
            "threads": threads,
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
        }

    async def _resume(self, conn: _Connection, d: JSONDict) -> None:
        session = self._sessions.get(str(d.get("session_id")))
        if session is None or session.invalidated or d.get("token") != session.token:
            self.invalid_session_count += 1
            await conn.send({"op": 9, "d": False, "s": None, "t": None})
            return
        if session.conn is not None and session.conn is not conn:
            await session.conn.close(4000, "Session resumed elsewhere")
        client_seq = int(d.get("seq") or 0)
        async with session.lock:
            conn.session = session
            session.conn = conn
            self.resume_count += 1
            for frame in session.log:
                if frame["s"] > client_seq:
                    await conn.send(frame)
            conn.ready = True
            session.seq += 1
            frame = {"op": 0, "t": "RESUMED", "s": session.seq, "d": {}}
            session.log.append(frame)
            await conn.send(frame)
        self._session = session
        self._notify()

    async def _request_members(self, session: _Session, d: JSONDict) -> None:
        user_ids = d.get("user_ids")
        members: list[JSONDict]
        not_found: list[str] = []
        if user_ids is not None:
            ids = [int(u) for u in (user_ids if isinstance(user_ids, list) else [user_ids])]
            members = [self.member_payload(u) for u in ids if u in self.members]
            not_found = [str(u) for u in ids if u not in self.members]
        else:
            query = str(d.get("query") or "").lower()
            limit = int(d.get("limit") or 0)
            members = [
                self.member_payload(uid)
                for uid, user in self.users.items()
                if uid in self.members and user.username.lower().startswith(query)
            ]
            if limit:
                members = members[:limit]
        chunk: JSONDict = {
            "guild_id": str(d.get("guild_id", self.guild_id)),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if user_ids is not None:
            chunk["not_found"] = not_found
        if d.get("presences"):
            chunk["presences"] = []
        if d.get("nonce") is not None:
            chunk["nonce"] = d["nonce"]
        await self._emit(session, "GUILD_MEMBERS_CHUNK", chunk)

    async def _bot_event(self, event: str, data: JSONDict) -> None:
        """Echo a REST side effect to the bot if one is identified (buffered when offline)."""
        if self._session is not None:
            await self._emit(self._session, event, data)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self, check: Callable[[], Any], timeout: float, what: str) -> Any:  # noqa: ASYNC109
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            result = check()
            if result:
                return result
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise TimeoutError(f"timed out waiting for {what}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.05))

    # ---------------------------------------------------------------- internals: HTTP

    def _add_routes(self, app: web.Application) -> None:
        p = API_PREFIX
        routes: list[
            tuple[str, str, Callable[[web.Request, RecordedCall], Awaitable[web.StreamResponse]]]
        ] = [
            ("GET", "/users/@me", self._get_me),
            ("GET", "/oauth2/applications/@me", self._get_application),
            ("GET", "/applications/@me", self._get_application),
            ("GET", "/gateway", self._get_gateway),
            ("GET", "/gateway/bot", self._get_gateway_bot),
            ("GET", "/guilds/{guild_id}", self._get_guild),
            ("GET", "/guilds/{guild_id}/channels", self._get_guild_channels),
            ("GET", "/guilds/{guild_id}/roles", self._get_roles),
            ("GET", "/guilds/{guild_id}/members", self._list_members),
            ("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member),
            ("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", self._add_member_role),
            (
                "DELETE",
                "/guilds/{guild_id}/members/{user_id}/roles/{role_id}",
                self._remove_member_role,
            ),
            ("GET", "/guilds/{guild_id}/threads/active", self._active_threads),
            ("GET", "/channels/{channel_id}", self._get_channel),
            ("PATCH", "/channels/{channel_id}", self._edit_channel),
            ("DELETE", "/channels/{channel_id}", self._delete_channel),
            ("GET", "/channels/{channel_id}/messages", self._list_messages),
            ("POST", "/channels/{channel_id}/messages", self._create_message),
            ("GET", "/channels/{channel_id}/messages/{message_id}", self._get_message),
            ("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_message),
            ("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_message),
            (
                "POST",
                "/channels/{channel_id}/messages/{message_id}/threads",
                self._thread_from_message,
            ),
            ("POST", "/channels/{channel_id}/threads", self._thread_without_message),
            ("GET", "/channels/{channel_id}/threads/archived/public", self._archived_threads),
            (
                "PUT",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self._add_reaction,
            ),
            (
                "DELETE",
                "/channels/{channel_id}/messages/{message_id}/reactions/{emoji}/@me",
                self._remove_reaction,
            ),
            ("PUT", "/channels/{channel_id}/thread-members/@me", self._join_thread),
            ("DELETE", "/channels/{channel_id}/thread-members/@me", self._leave_thread),
            ("POST", "/interactions/{interaction_id}/{token}/callback", self._interaction_callback),
            ("POST", "/webhooks/{application_id}/{token}", self._create_followup),
            (
                "GET",
                "/webhooks/{application_id}/{token}/messages/{message_id}",
                self._get_webhook_message,
            ),
            (
                "PATCH",
                "/webhooks/{application_id}/{token}/messages/{message_id}",
                self._edit_webhook_message,
            ),
            (
                "DELETE",
                "/webhooks/{application_id}/{token}/messages/{message_id}",
                self._delete_webhook_message,
            ),
            ("GET", "/applications/{application_id}/commands", self._get_commands),
            ("PUT", "/applications/{application_id}/commands", self._put_commands),
            ("POST", "/applications/{application_id}/commands", self._post_command),
            (
                "GET",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self._get_commands,
            ),
            (
                "PUT",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self._put_commands,
            ),
            (
                "POST",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                self._post_command,
            ),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, p + path, self._wrap(handler))
        app.router.add_get(
            "/attachments/{channel_id}/{attachment_id}/{filename}", self._get_attachment
        )
        app.router.add_get("/", self._gateway)
        app.router.add_get("/resume", self._gateway)

    def _wrap(
        self, handler: Callable[[web.Request, RecordedCall], Awaitable[web.StreamResponse]]
    ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            return await handler(request, request[_CALL_KEY])

        return wrapped

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        resource = request.match_info.route.resource
        template = (
            resource.canonical.removeprefix(API_PREFIX)
            if resource is not None
            else request.path.removeprefix(API_PREFIX)
        )
        body, files = await self._read_body(request)
        call = RecordedCall(
            method=request.method,
            path=unquote(request.path.removeprefix(API_PREFIX)),
            route=template,
            json=body,
            files=files,
            query=dict(request.query),
            headers=dict(request.headers),
        )
        self.calls.append(call)
        request[_CALL_KEY] = call
        bucket_key = self._bucket_key(request.method, template, call.params)
        response: web.StreamResponse
        failure = self._take_failure(call)
        if resource is None:
            response = self._error_response(APIError(404, 0, "404: Not Found"))
        elif failure is not None:
            response = self._failure_response(failure, bucket_key)
        elif not self._authorised(call):
            response = self._error_response(APIError(401, 0))
        elif (limited := self._consume_bucket(bucket_key)) is not None:
            response = self._failure_response(
                _Failure(call.method, template, 429, 0, None, limited, False, 1), bucket_key
            )
        else:
            try:
                response = await handler(request)
            except APIError as exc:
                response = self._error_response(exc)
            self._add_ratelimit_headers(response, bucket_key)
        response.headers["Via"] = "1.1 google"
        call.status = response.status
        if isinstance(response, web.Response) and response.body:
            with contextlib.suppress(ValueError, TypeError):
                call.response = json.loads(bytes(response.body))  # type: ignore[arg-type]
        self._notify()
        return response

    def _authorised(self, call: RecordedCall) -> bool:
        # Interaction callbacks and webhook-token routes authenticate with the token in the path.
        if call.route.startswith(("/interactions/", "/webhooks/")):
            return True
        return call.headers.get("Authorization") == f"Bot {self.token}"

    async def _read_body(self, request: web.Request) -> tuple[Any, list[RecordedFile]]:
        if not request.can_read_body:
            return None, []
        if request.content_type == "multipart/form-data":
            payload: Any = None
            files: list[RecordedFile] = []
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                name = part.name or ""  # type: ignore[union-attr]
                data = await part.read(decode=False)  # type: ignore[union-attr]
                if name == "payload_json":
                    payload = json.loads(bytes(data).decode("utf-8"))
                else:
                    filename = part.filename or name  # type: ignore[union-attr]
                    ctype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
                    files.append(RecordedFile(name, filename, ctype, bytes(data)))
            return payload, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return json.loads(raw), []
        except ValueError:
            return raw.decode("utf-8", "replace"), []

    # rate limiting ---------------------------------------------------------------------------

    @staticmethod
    def _bucket_key(method: str, template: str, params: Mapping[str, str]) -> tuple[str, str]:
        major = ":".join(
            params.get(k, "")
            for k in ("channel_id", "guild_id", "application_id", "token", "interaction_id")
        )
        return f"{method} {template}", major

    def _consume_bucket(self, key: tuple[str, str]) -> float | None:
        now = time.monotonic()
        bucket = self._buckets.get(key)
        if bucket is None or now >= bucket.window_end:
            bucket = self._buckets[key] = _Bucket(now + self.rate_limit_window)
        if bucket.used >= self.rate_limit:
            return max(bucket.window_end - now, 0.001)
        bucket.used += 1
        return None

    def _add_ratelimit_headers(self, response: web.StreamResponse, key: tuple[str, str]) -> None:
        bucket = self._buckets.get(key)
        now = time.monotonic()
        if bucket is None or now >= bucket.window_end:
            bucket = self._buckets[key] = _Bucket(now + self.rate_limit_window)
        reset_after = max(bucket.window_end - now, 0.001)
        response.headers.update(
            {
                "X-RateLimit-Limit": str(self.rate_limit),
                "X-RateLimit-Remaining": str(max(self.rate_limit - bucket.used, 0)),
                "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
                "X-RateLimit-Reset-After": f"{reset_after:.3f}",
                "X-RateLimit-Bucket": hashlib.sha1(key[0].encode()).hexdigest()[:32],
            }
        )

    def _take_failure(self, call: RecordedCall) -> _Failure | None:
        for failure in self._failures:
            if _method_matches(failure.method, call.method) and _route_matches(
                failure.route, call.route, call.path
            ):
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
                return failure
        return None

    def _failure_response(self, failure: _Failure, key: tuple[str, str]) -> web.Response:
        if failure.status != 429:
            response = self._error_response(APIError(failure.status, failure.code, failure.message))
            self._add_ratelimit_headers(response, key)
            return response
        body: JSONDict = {
            "message": failure.message or "You are being rate limited.",
            "retry_after": failure.retry_after,
            "global": failure.is_global,
        }
        if failure.code:
            body["code"] = failure.code
        response = self._json(body, 429)
        response.headers.update(
            {
                "Retry-After": str(max(1, math.ceil(failure.retry_after))),
                "X-RateLimit-Scope": "global" if failure.is_global else "user",
            }
        )
        if failure.is_global:
            response.headers["X-RateLimit-Global"] = "true"
        else:
            response.headers.update(
                {
                    "X-RateLimit-Limit": str(self.rate_limit),
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + failure.retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{failure.retry_after:.3f}",
                    "X-RateLimit-Bucket": hashlib.sha1(key[0].encode()).hexdigest()[:32],
                }
            )
        return response

    @staticmethod
    def _json(data: Any, status: int = 200) -> web.Response:
        # discord.py compares Content-Type to exactly "application/json" (no charset).
        return web.Response(
            body=json.dumps(data).encode("utf-8"),
            status=status,
            headers={"Content-Type": "application/json"},
        )

    def _error_response(self, error: APIError) -> web.Response:
        return self._json(error.body(), error.status)

    @staticmethod
    def _no_content() -> web.Response:
        return web.Response(status=204)

    def _check_guild(self, guild_id: str) -> None:
        if str(guild_id) != str(self.guild_id):
            raise APIError(404, 10004)

    def _body(self, call: RecordedCall) -> JSONDict:
        return call.json if isinstance(call.json, dict) else {}

    # simple GETs -----------------------------------------------------------------------------

    async def _get_me(self, request: web.Request, call: RecordedCall) -> web.Response:
        return self._json(
            {
                **self.bot_user.payload(),
                "bot": True,
                "verified": True,
                "mfa_enabled": False,
                "email": None,
                "flags": 0,
                "banner": None,
                "accent_color": None,
                "locale": "en-US",
            }
        )

    async def _get_application(self, request: web.Request, call: RecordedCall) -> web.Response:
        return self._json(self.application_payload())

    async def _get_gateway(self, request: web.Request, call: RecordedCall) -> web.Response:
        return self._json({"url": self.ws_url})

    async def _get_gateway_bot(self, request: web.Request, call: RecordedCall) -> web.Response:
        return self._json(
            {
                "url": self.ws_url,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            }
        )

    async def _get_guild(self, request: web.Request, call: RecordedCall) -> web.Response:
        self._check_guild(request.match_info["guild_id"])
        return self._json(self.guild_payload())

    async def _get_guild_channels(self, request: web.Request, call: RecordedCall) -> web.Response:
        self._check_guild(request.match_info["guild_id"])
        return self._json([c for c in self.channels.values() if c["type"] not in THREAD_TYPES])

    async def _get_roles(self, request: web.Request, call: RecordedCall) -> web.Response:
        self._check_guild(request.match_info["guild_id"])
        return self._json(list(self.roles.values()))

    async def _list_members(self, request: web.Request, call: RecordedCall) -> web.Response:
        self._check_guild(request.match_info["guild_id"])
        limit = int(request.query.get("limit", "1"))
        after = int(request.query.get("after", "0"))
        ids = sorted(uid for uid in self.members if uid > after)[:limit]
        return self._json([self.member_payload(uid) for uid in ids])

    async def _get_member(self, request: web.Request, call: RecordedCall) -> web.Response:
        self._check_guild(request.match_info["guild_id"])
        user_id = int(request.match_info["user_id"])
        if user_id not in self.members:
            raise APIError(404, 10007)
        return self._json(self.member_payload(user_id))

    async def _change_member_role(self, request: web.Request, add: bool) -> web.Response:
        self._check_guild(request.match_info["guild_id"])
        user_id = int(request.match_info["user_id"])
        role_id = int(request.match_info["role_id"])
        if user_id not in self.members:
            raise APIError(404, 10007)
        if role_id not in self.roles or role_id == self.guild_id:
            raise APIError(404, 10011)
        roles: list[int] = self.members[user_id]["roles"]
        changed = (role_id not in roles) if add else (role_id in roles)
        if changed:
            roles.append(role_id) if add else roles.remove(role_id)
            await self._bot_event(
                "GUILD_MEMBER_UPDATE",
                {
                    **self.member_payload(user_id),
                    "guild_id": str(self.guild_id),
                    "avatar_decoration_data": None,
                },
            )
        return self._no_content()

    async def _add_member_role(self, request: web.Request, call: RecordedCall) -> web.Response:
        return await self._change_member_role(request, add=True)

    async def _remove_member_role(self, request: web.Request, call: RecordedCall) -> web.Response:
        return await self._change_member_role(request, add=False)

    async def _active_threads(self, request: web.Request, call: RecordedCall) -> web.Response:
        self._check_guild(request.match_info["guild_id"])
        threads = [
            c
            for c in self.channels.values()
            if c["type"] in THREAD_TYPES and not c["thread_metadata"]["archived"]
        ]
        members = [
            self._thread_member(int(t["id"]), self.bot_user.id)
            for t in threads
            if self.bot_user.id in self.thread_members.get(int(t["id"]), {})
        ]
        return self._json({"threads": threads, "members": members})

    async def _archived_threads(self, request: web.Request, call: RecordedCall) -> web.Response:
        parent_id = int(request.match_info["channel_id"])
        self._channel(parent_id)
        limit = int(request.query.get("limit", "50"))
        before = request.query.get("before")
        threads = [
            t
            for t in self.threads_in(parent_id)
            if t["type"] == ChannelType.PUBLIC_THREAD and t["thread_metadata"]["archived"]
        ]
        threads.sort(key=lambda t: t["thread_metadata"]["archive_timestamp"], reverse=True)
        if before:
            threads = [t for t in threads if t["thread_metadata"]["archive_timestamp"] < before]
        page = threads[:limit]
        members = [
            self._thread_member(int(t["id"]), self.bot_user.id)
            for t in page
            if self.bot_user.id in self.thread_members.get(int(t["id"]), {})
        ]
        return self._json({"threads": page, "members": members, "has_more": len(threads) > limit})

    async def _get_attachment(self, request: web.Request) -> web.Response:
        data = self.attachments.get(int(request.match_info["attachment_id"]))
        if data is None:
            raise web.HTTPNotFound()
        ctype = (
            mimetypes.guess_type(request.match_info["filename"])[0] or "application/octet-stream"
        )
        return web.Response(body=data, content_type=ctype)

    # channels --------------------------------------------------------------------------------

    async def _get_channel(self, request: web.Request, call: RecordedCall) -> web.Response:
        channel = self._channel(request.match_info["channel_id"])
        data = copy.deepcopy(channel)
        if channel["type"] in THREAD_TYPES and self.bot_user.id in self.thread_members.get(
            int(channel["id"]), {}
        ):
            data["member"] = self._thread_member(int(channel["id"]), self.bot_user.id)
        return self._json(data)

    async def _edit_channel(self, request: web.Request, call: RecordedCall) -> web.Response:
        channel = self._channel(request.match_info["channel_id"])
        body = self._body(call)
        is_thread = channel["type"] in THREAD_TYPES
        if "name" in body:
            limit = MAX_THREAD_NAME
            if not 1 <= len(str(body["name"])) <= limit:
                raise _invalid_form(
                    "name", "BASE_TYPE_BAD_LENGTH", f"Must be between 1 and {limit} in length."
                )
        updated = copy.deepcopy(channel)
        for key in (
            "name",
            "topic",
            "nsfw",
            "rate_limit_per_user",
            "position",
            "default_auto_archive_duration",
            "default_thread_rate_limit_per_user",
            "default_reaction_emoji",
            "default_sort_order",
            "default_forum_layout",
            "flags",
            "parent_id",
        ):
            if key in body and (key in channel or not is_thread):
                updated[key] = body[key]
        if is_thread:
            meta = updated["thread_metadata"]
            for key in ("archived", "locked", "auto_archive_duration", "invitable"):
                if key in body:
                    meta[key] = body[key]
            if "archived" in body:
                meta["archive_timestamp"] = _now_iso()
            if "applied_tags" in body:
                parent = self._channel(channel["parent_id"])
                if parent["type"] != ChannelType.GUILD_FORUM:
                    raise _invalid_form(
                        "applied_tags", "BASE_TYPE_INVALID", "Only forum threads can have tags."
                    )
                tags = [str(t) for t in body["applied_tags"]]
                self._check_tags(parent, tags)
                updated["applied_tags"] = tags
        elif "available_tags" in body:
            if channel["type"] != ChannelType.GUILD_FORUM:
                raise _invalid_form(
                    "available_tags", "BASE_TYPE_INVALID", "Only forum channels have tags."
                )
            if len(body["available_tags"]) > 20:
                raise _invalid_form(
                    "available_tags", "BASE_TYPE_MAX_LENGTH", "Must be 20 or fewer in length."
                )
            updated["available_tags"] = [self._tag_payload(t) for t in body["available_tags"]]
        channel.clear()
        channel.update(updated)
        await self._bot_event(
            "THREAD_UPDATE" if is_thread else "CHANNEL_UPDATE", copy.deepcopy(channel)
        )
        return self._json(channel)

    async def _delete_channel(self, request: web.Request, call: RecordedCall) -> web.Response:
        channel = self._channel(request.match_info["channel_id"])
        channel_id = int(channel["id"])
        del self.channels[channel_id]
        self.messages.pop(channel_id, None)
        if channel["type"] in THREAD_TYPES:
            await self._bot_event(
                "THREAD_DELETE",
                {
                    "id": channel["id"],
                    "guild_id": channel["guild_id"],
                    "parent_id": channel["parent_id"],
                    "type": channel["type"],
                },
            )
        else:
            await self._bot_event("CHANNEL_DELETE", channel)
        return self._json(channel)

    # messages --------------------------------------------------------------------------------

    async def _list_messages(self, request: web.Request, call: RecordedCall) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        self._channel(channel_id)
        limit = max(1, min(int(request.query.get("limit", "50")), 100))
        ordered = sorted(
            self.messages.get(channel_id, {}).values(), key=lambda m: int(m["id"]), reverse=True
        )
        if "before" in request.query:
            ordered = [m for m in ordered if int(m["id"]) < int(request.query["before"])]
        if "after" in request.query:
            ordered = [m for m in ordered if int(m["id"]) > int(request.query["after"])]
            ordered = sorted(ordered, key=lambda m: int(m["id"]))[:limit]
            ordered.reverse()
        if "around" in request.query:
            around = int(request.query["around"])
            older = [m for m in ordered if int(m["id"]) <= around][: (limit + 1) // 2]
            newer = (
                [m for m in ordered if int(m["id"]) > around][-(limit // 2) :] if limit > 1 else []
            )
            ordered = newer + older
        return self._json(ordered[:limit])

    def _validate_message_body(
        self, body: JSONDict, files: Sequence[RecordedFile], *, creating: bool
    ) -> None:
        content = body.get("content")
        if content is not None and len(str(content)) > MAX_CONTENT:
            raise _invalid_form(
                "content", "BASE_TYPE_MAX_LENGTH", f"Must be {MAX_CONTENT} or fewer in length."
            )
        if len(body.get("embeds") or []) > 10:
            raise _invalid_form("embeds", "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
        nonce = body.get("nonce")
        if nonce is not None and len(str(nonce)) > NONCE_MAX:
            raise _invalid_form(
                "nonce", "BASE_TYPE_MAX_LENGTH", f"Must be {NONCE_MAX} or fewer in length."
            )
        if creating and not (
            content
            or body.get("embeds")
            or body.get("components")
            or files
            or body.get("sticker_ids")
            or body.get("poll")
        ):
            raise APIError(400, 50006)

    def _attachments_from(
        self,
        channel_id: int,
        body: JSONDict,
        files: Sequence[RecordedFile],
        existing: Sequence[JSONDict] = (),
    ) -> list[JSONDict]:
        by_index = {}
        for f in files:
            match = re.fullmatch(r"files\[(\d+)\]", f.field)
            by_index[int(match.group(1)) if match else len(by_index)] = f
        result: list[JSONDict] = []
        kept = {str(a["id"]): a for a in existing}
        declared = body.get("attachments")
        if declared is None:
            declared = (
                [{"id": i} for i in sorted(by_index)]
                if files
                else [{"id": a["id"]} for a in existing]
            )
        for att in declared:
            if str(att.get("id")) in kept:
                result.append(kept[str(att["id"])])
                continue
            upload = (
                by_index.get(int(att.get("id", -1))) if str(att.get("id", "")).isdigit() else None
            )
            if upload is None:
                continue
            attachment_id = self.new_id()
            filename = att.get("filename") or upload.filename
            self.attachments[attachment_id] = upload.data
            url = f"{self.url}/attachments/{channel_id}/{attachment_id}/{filename}"
            item: JSONDict = {
                "id": str(attachment_id),
                "filename": filename,
                "size": len(upload.data),
                "url": url,
                "proxy_url": url,
                "content_type": upload.content_type,
            }
            if att.get("description"):
                item["description"] = att["description"]
            result.append(item)
        return result

    def _bot_message_from_body(
        self,
        channel_id: int,
        body: JSONDict,
        files: Sequence[RecordedFile],
        *,
        message_id: int | None = None,
        **extra: Any,
    ) -> JSONDict:
        return self._build_message(
            channel_id,
            self.bot_user,
            str(body.get("content") or ""),
            embeds=body.get("embeds") or [],
            components=body.get("components") or [],
            attachments=self._attachments_from(channel_id, body, files),
            flags=int(body.get("flags") or 0),
            allowed_mentions=body.get("allowed_mentions"),
            message_reference=body.get("message_reference"),
            tts=bool(body.get("tts", False)),
            nonce=body.get("nonce"),
            message_id=message_id,
            **extra,
        )

    def _nonce_seen(self, body: JSONDict) -> tuple[tuple[int, str] | None, tuple[int, int] | None]:
        """enforce_nonce: the same author and nonce within a few minutes returns the message
        created the first time, and creates nothing. The key to record the new message under
        (None without enforce_nonce), and the (channel id, message id) already created."""

        if not body.get("enforce_nonce") or body.get("nonce") is None:
            return None, None
        key = (self.bot_user.id, str(body["nonce"]))
        seen = self.nonces.get(key)
        if seen is None or time.monotonic() - seen[0] >= NONCE_WINDOW_SECONDS:
            return key, None
        return key, (seen[1], seen[2])

    async def _create_message(self, request: web.Request, call: RecordedCall) -> web.Response:
        channel_id = int(request.match_info["channel_id"])
        channel = self._channel(channel_id)
        if channel["type"] == ChannelType.GUILD_FORUM:
            raise APIError(400, 50008, "Cannot send messages in a non-text channel")
        body = self._body(call)
        self._validate_message_body(body, call.files, creating=True)
        nonce_key, seen = self._nonce_seen(body)
        if seen is not None:
            existing = self.messages.get(seen[0], {}).get(seen[1])
            if existing is not None:
                return self._json(existing)
        ref = body.get("message_reference")
        if ref and ref.get("message_id") and self.find_message(int(ref["message_id"])) is None:
            if ref.get("fail_if_not_exists", True):
                raise _invalid_form(
                    "message_reference", "MESSAGE_REFERENCE_UNKNOWN_MESSAGE", "Unknown message"
                )
            body = {k: v for k, v in body.items() if k != "message_reference"}
        if channel["type"] in THREAD_TYPES and channel["thread_metadata"]["archived"]:
            if channel["thread_metadata"]["locked"]:
                raise APIError(400, 50083)
            channel["thread_metadata"]["archived"] = False
            await self._bot_event("THREAD_UPDATE", copy.deepcopy(channel))
        message = self._bot_message_from_body(channel_id, body, call.files)
        self._store_message(message)
        if nonce_key is not None:
            self.nonces[nonce_key] = (time.monotonic(), channel_id, int(message["id"]))
        await self._bot_event("MESSAGE_CREATE", self._gateway_message(message))
        return self._json(message)

    async def _get_message(self, request: web.Request, call: RecordedCall) -> web.Response:
        return self._json(
            self._message(request.match_info["channel_id"], request.match_info["message_id"])
        )

    async def _edit_message(self, request: web.Request, call: RecordedCall) -> web.Response:
        message = self._message(request.match_info["channel_id"], request.match_info["message_id"])
        channel = self._channel(request.match_info["channel_id"])
        if channel["type"] in THREAD_TYPES and channel["thread_metadata"]["archived"]:
            # "Archived threads are generally immutable": unlike a new message, an edit does
            # not unarchive the thread.
            raise APIError(400, 50083)
        body = self._body(call)
        if int(message["author"]["id"]) != self.bot_user.id:
            if set(body) - {"flags"}:
                raise APIError(403, 50005)
        self._validate_message_body(body, call.files, creating=False)
        self._apply_edit(message, body, call.files)
        await self._bot_event("MESSAGE_UPDATE", self._gateway_message(message))
        return self._json(message)

    def _apply_edit(self, message: JSONDict, body: JSONDict, files: Sequence[RecordedFile]) -> None:
        for key in ("content", "embeds", "components"):
            if key in body and body[key] is not None:
                message[key] = body[key]
        if "flags" in body and body["flags"] is not None:
            keep = int(message["flags"]) & MESSAGE_FLAG_EPHEMERAL
            message["flags"] = keep | (int(body["flags"]) & ~MESSAGE_FLAG_LOADING)
        if "attachments" in body or files:
            message["attachments"] = self._attachments_from(
                int(message["channel_id"]), body, files, message["attachments"]
            )
        message["flags"] = int(message["flags"]) & ~MESSAGE_FLAG_LOADING
        message["edited_timestamp"] = _now_iso()

    async def _delete_message(self, request: web.Request, call: RecordedCall) -> web.Response:
        payload = self.message_delete(
            request.match_info["channel_id"], request.match_info["message_id"]
        )
        await self._bot_event("MESSAGE_DELETE", payload)
        return self._no_content()

    # threads ---------------------------------------------------------------------------------

    def _thread_response(self, thread: JSONDict) -> JSONDict:
        data = copy.deepcopy(thread)
        data["member"] = self._thread_member(int(thread["id"]), self.bot_user.id)
        return data

    async def _thread_from_message(self, request: web.Request, call: RecordedCall) -> web.Response:
        body = self._body(call)
        parent_id = int(request.match_info["channel_id"])
        if self._channel(parent_id)["type"] == ChannelType.GUILD_FORUM:
            raise APIError(400, 50024, "Cannot execute action on this channel type")
        creation = self._create_thread(
            parent_id,
            str(body.get("name", "")),
            owner=self.bot_user,
            message_id=int(request.match_info["message_id"]),
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
            rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
        )
        await self._bot_event(
            "THREAD_CREATE", {**copy.deepcopy(creation.thread), "newly_created": True}
        )
        return self._json(self._thread_response(creation.thread), 201)

    async def _thread_without_message(
        self, request: web.Request, call: RecordedCall
    ) -> web.Response:
        body = self._body(call)
        parent_id = int(request.match_info["channel_id"])
        parent = self._channel(parent_id)
        is_forum = parent["type"] == ChannelType.GUILD_FORUM
        message_body: JSONDict = body.get("message") or {}
        if is_forum:
            if not body.get("message"):
                raise _invalid_form("message", "BASE_TYPE_REQUIRED", "This field is required")
            self._validate_message_body(message_body, call.files, creating=True)
            fields = {
                "content": str(message_body.get("content") or ""),
                "embeds": message_body.get("embeds") or [],
                "components": message_body.get("components") or [],
                "flags": int(message_body.get("flags") or 0),
                "allowed_mentions": message_body.get("allowed_mentions"),
            }
        else:
            fields = {}
        thread_type = (
            int(body.get("type") or ChannelType.PRIVATE_THREAD)
            if not is_forum
            else ChannelType.PUBLIC_THREAD
        )
        creation = self._create_thread(
            parent_id,
            str(body.get("name", "")),
            owner=self.bot_user,
            applied_tags=[int(t) for t in body.get("applied_tags") or []],
            auto_archive_duration=int(body.get("auto_archive_duration") or 1440),
            thread_type=thread_type,
            message_fields=fields,
            rate_limit_per_user=int(body.get("rate_limit_per_user") or 0),
        )
        if is_forum and creation.message is not None and call.files:
            creation.message["attachments"] = self._attachments_from(
                creation.id, message_body, call.files
            )
        await self._bot_event(
            "THREAD_CREATE", {**copy.deepcopy(creation.thread), "newly_created": True}
        )
        response = self._thread_response(creation.thread)
        if is_forum and creation.message is not None:
            await self._bot_event("MESSAGE_CREATE", self._gateway_message(creation.message))
            response["message"] = copy.deepcopy(creation.message)
        elif not is_forum:
            notice = self._build_message(
                parent_id, self.bot_user, str(body.get("name", "")), message_type=18
            )
            notice["message_reference"] = {
                "type": 0,
                "channel_id": str(creation.id),
                "guild_id": str(self.guild_id),
            }
            self._store_message(notice)
            await self._bot_event("MESSAGE_CREATE", self._gateway_message(notice))
        return self._json(response, 201)

    async def _join_thread(self, request: web.Request, call: RecordedCall) -> web.Response:
        thread = self._channel(request.match_info["channel_id"])
        if thread["type"] not in THREAD_TYPES:
            raise APIError(400, 50024, "Cannot execute action on this channel type")
        members = self.thread_members.setdefault(int(thread["id"]), {})
        if self.bot_user.id not in members:
            members[self.bot_user.id] = _now_iso()
            thread["member_count"] = len(members)
            await self._bot_event(
                "THREAD_MEMBERS_UPDATE",
                {
                    "id": thread["id"],
                    "guild_id": str(self.guild_id),
                    "member_count": len(members),
                    "added_members": [self._thread_member(int(thread["id"]), self.bot_user.id)],
                },
            )
        return self._no_content()

    async def _leave_thread(self, request: web.Request, call: RecordedCall) -> web.Response:
        thread = self._channel(request.match_info["channel_id"])
        members = self.thread_members.setdefault(int(thread["id"]), {})
        if members.pop(self.bot_user.id, None) is not None:
            thread["member_count"] = len(members)
            await self._bot_event(
                "THREAD_MEMBERS_UPDATE",
                {
                    "id": thread["id"],
                    "guild_id": str(self.guild_id),
                    "member_count": len(members),
                    "removed_member_ids": [str(self.bot_user.id)],
                },
            )
        return self._no_content()

    # reactions -------------------------------------------------------------------------------

    async def _add_reaction(self, request: web.Request, call: RecordedCall) -> web.Response:
        channel_id, message_id = request.match_info["channel_id"], request.match_info["message_id"]
        message = self._message(channel_id, message_id)
        emoji_obj, key = self._emoji(unquote(request.match_info["emoji"]))
        users = self.reactions.setdefault((int(channel_id), int(message_id)), {}).setdefault(
            key, set()
        )
        if self.bot_user.id not in users:
            users.add(self.bot_user.id)
            await self._bot_event(
                "MESSAGE_REACTION_ADD",
                {
                    "user_id": str(self.bot_user.id),
                    "channel_id": str(channel_id),
                    "message_id": str(message_id),
                    "guild_id": str(self.guild_id),
                    "member": self.member_payload(self.bot_user),
                    "emoji": emoji_obj,
                    "message_author_id": message["author"]["id"],
                    "burst": False,
                    "burst_colors": [],
                    "type": 0,
                },
            )
        return self._no_content()

    async def _remove_reaction(self, request: web.Request, call: RecordedCall) -> web.Response:
        channel_id, message_id = request.match_info["channel_id"], request.match_info["message_id"]
        self._message(channel_id, message_id)
        emoji_obj, key = self._emoji(unquote(request.match_info["emoji"]))
        users = self.reactions.get((int(channel_id), int(message_id)), {}).get(key, set())
        if self.bot_user.id in users:
            users.discard(self.bot_user.id)
            await self._bot_event(
                "MESSAGE_REACTION_REMOVE",
                {
                    "user_id": str(self.bot_user.id),
                    "channel_id": str(channel_id),
                    "message_id": str(message_id),
                    "guild_id": str(self.guild_id),
                    "emoji": emoji_obj,
                    "burst": False,
                    "type": 0,
                },
            )
        return self._no_content()

    # interactions ----------------------------------------------------------------------------

    _CALLBACKS_FOR: Mapping[int, frozenset[int]] = {
        1: frozenset(),
        4: frozenset({2, 3, 5}),
        5: frozenset({2, 3, 5}),
        6: frozenset({3, 5}),
        7: frozenset({3, 5}),
        8: frozenset({4}),
        9: frozenset({2, 3}),
    }

    def _interaction_message(
        self,
        record: InteractionRecord,
        data: JSONDict,
        files: Sequence[RecordedFile],
        *,
        loading: bool = False,
        followup: bool = False,
    ) -> JSONDict:
        payload = record.payload
        channel_id = int(payload["channel_id"])
        itype = int(payload["type"])
        command_type = int((payload.get("data") or {}).get("type", 1))
        if followup:
            message_type = 0
        elif itype == 2:
            message_type = 20 if command_type == 1 else 23
        else:
            message_type = 19 if payload.get("message") else 0
        metadata: JSONDict = {
            "id": payload["id"],
            "type": itype,
            "user": payload["member"]["user"],
            "authorizing_integration_owners": payload["authorizing_integration_owners"],
        }
        if itype == 2 and command_type == 1:
            metadata["name"] = payload["data"]["name"]
        if itype == 2 and command_type == 2:
            metadata["target_user"] = self.users[int(payload["data"]["target_id"])].payload()
        if itype == 2 and command_type == 3:
            metadata["target_message_id"] = payload["data"]["target_id"]
        if itype == 3 and payload.get("message"):
            metadata["interacted_message_id"] = payload["message"]["id"]
        flags = int(data.get("flags") or 0) & (
            MESSAGE_FLAG_EPHEMERAL | (1 << 2) | (1 << 12) | (1 << 15)
        )
        if loading:
            flags |= MESSAGE_FLAG_LOADING
        message = self._build_message(
            channel_id,
            self.bot_user,
            "" if loading else str(data.get("content") or ""),
            embeds=[] if loading else data.get("embeds") or [],
            components=[] if loading else data.get("components") or [],
            attachments=[] if loading else self._attachments_from(channel_id, data, files),
            flags=flags,
            message_type=message_type,
            webhook_id=self.application_id,
            interaction_metadata=metadata,
            allowed_mentions=data.get("allowed_mentions"),
        )
        if message_type == 19 and payload.get("message"):
            message["message_reference"] = {
                "type": 0,
                "message_id": payload["message"]["id"],
                "channel_id": str(channel_id),
                "guild_id": str(self.guild_id),
            }
            message["referenced_message"] = copy.deepcopy(payload["message"])
        return message

    @staticmethod
    def _is_ephemeral(message: JSONDict) -> bool:
        return bool(int(message.get("flags", 0)) & MESSAGE_FLAG_EPHEMERAL)

    async def _publish(self, message: JSONDict, *, created: bool) -> None:
        if self._is_ephemeral(message):
            return  # ephemeral messages are never stored in the channel nor dispatched
        if created:
            self._store_message(message)
        await self._bot_event(
            "MESSAGE_CREATE" if created else "MESSAGE_UPDATE", self._gateway_message(message)
        )

    async def _interaction_callback(self, request: web.Request, call: RecordedCall) -> web.Response:
        record = self.interactions.get(int(request.match_info["interaction_id"]))
        if record is None or record.token != request.match_info["token"]:
            raise APIError(404, 10062)
        if record.callback is not None:
            raise APIError(400, 40060)
        body = self._body(call)
        callback_type = int(body.get("type", 0))
        itype = int(record.payload["type"])
        if itype not in self._CALLBACKS_FOR.get(callback_type, frozenset()):
            raise _invalid_form(
                "type", "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid interaction response type"
            )
        if callback_type in (6, 7) and itype == 5 and not record.payload.get("message"):
            raise _invalid_form(
                "type", "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid interaction response type"
            )
        data: JSONDict = body.get("data") or {}
        if callback_type in (4, 7):
            self._validate_message_body(data, call.files, creating=callback_type == 4)
        if callback_type == 8 and len(data.get("choices") or []) > 25:
            raise _invalid_form(
                "data.choices", "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
            )
        if callback_type == 9:
            if len(str(data.get("title", ""))) > 45:
                raise _invalid_form(
                    "data.title", "BASE_TYPE_MAX_LENGTH", "Must be 45 or fewer in length."
                )
            if not 1 <= len(data.get("components") or []) <= 5:
                raise _invalid_form(
                    "data.components", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."
                )

        interaction_info: JSONDict = {"id": str(record.id), "type": itype}
        resource: JSONDict | None = None
        if callback_type in (4, 5):
            message = self._interaction_message(
                record, data, call.files, loading=callback_type == 5
            )
            record.original = message
            await self._publish(message, created=True)
            interaction_info["response_message_id"] = message["id"]
            interaction_info["response_message_loading"] = callback_type == 5
            interaction_info["response_message_ephemeral"] = self._is_ephemeral(message)
            if callback_type == 4:
                resource = {"type": 4, "message": copy.deepcopy(message)}
        elif callback_type in (6, 7):
            target = record.payload.get("message")
            stored = self.find_message(int(target["id"])) if target else None
            record.original = stored
            if callback_type == 7 and stored is not None:
                self._apply_edit(stored, data, call.files)
                await self._publish(stored, created=False)
                resource = {"type": 7, "message": copy.deepcopy(stored)}
            if stored is not None:
                interaction_info["response_message_id"] = stored["id"]
                interaction_info["response_message_loading"] = False
                interaction_info["response_message_ephemeral"] = self._is_ephemeral(stored)

        record.callback = body
        record.callback_files = list(call.files)
        record.responded.set()
        self._notify()
        if request.query.get("with_response") in ("1", "true", "True"):
            response: JSONDict = {"interaction": interaction_info}
            if resource is not None:
                response["resource"] = resource
            return self._json(response)
        return self._no_content()

    def _record_for_webhook(self, request: web.Request) -> InteractionRecord:
        if request.match_info["application_id"] != str(self.application_id):
            raise APIError(404, 10015)
        token = request.match_info["token"]
        for record in self.interactions.values():
            if record.token == token:
                if record.callback is None:
                    raise APIError(404, 10015)  # the webhook exists once the interaction is acked
                return record
        raise APIError(404, 10015)

    def _webhook_message(self, record: InteractionRecord, message_id: str) -> JSONDict:
        if message_id == "@original":
            if record.original is None:
                raise APIError(404, 10008)
            return record.original
        for message in [record.original, *record.followups]:
            if message is not None and message["id"] == message_id:
                return message
        raise APIError(404, 10008)

    async def _create_followup(self, request: web.Request, call: RecordedCall) -> web.Response:
        record = self._record_for_webhook(request)
        body = self._body(call)
        self._validate_message_body(body, call.files, creating=True)
        original = record.original
        if (
            record.callback is not None
            and int(record.callback.get("type", 0)) == 5
            and original is not None
            and int(original["flags"]) & MESSAGE_FLAG_LOADING
        ):
            # The first follow-up after a deferred response replaces the loading message.
            self._apply_edit(original, {k: v for k, v in body.items() if k != "flags"}, call.files)
            await self._publish(original, created=False)
            message = original
        else:
            message = self._interaction_message(record, body, call.files, followup=True)
            record.followups.append(message)
            await self._publish(message, created=True)
        if request.query.get("wait") in ("true", "1", "True"):
            return self._json(message)
        return self._no_content()

    async def _get_webhook_message(self, request: web.Request, call: RecordedCall) -> web.Response:
        record = self._record_for_webhook(request)
        return self._json(self._webhook_message(record, request.match_info["message_id"]))

    async def _edit_webhook_message(self, request: web.Request, call: RecordedCall) -> web.Response:
        record = self._record_for_webhook(request)
        message = self._webhook_message(record, request.match_info["message_id"])
        body = self._body(call)
        self._validate_message_body(body, call.files, creating=False)
        self._apply_edit(message, body, call.files)
        await self._publish(message, created=False)
        return self._json(message)

    async def _delete_webhook_message(
        self, request: web.Request, call: RecordedCall
    ) -> web.Response:
        record = self._record_for_webhook(request)
        message = self._webhook_message(record, request.match_info["message_id"])
        if message is record.original:
            record.original = None
        else:
            record.followups.remove(message)
        if not self._is_ephemeral(message):
            self.messages.get(int(message["channel_id"]), {}).pop(int(message["id"]), None)
            await self._bot_event(
                "MESSAGE_DELETE",
                {
                    "id": message["id"],
                    "channel_id": message["channel_id"],
                    "guild_id": str(self.guild_id),
                },
            )
        return self._no_content()

    # application commands --------------------------------------------------------------------

    def _command_list(self, request: web.Request) -> list[JSONDict]:
        if request.match_info["application_id"] != str(self.application_id):
            raise APIError(403, 50001)
        guild_id = request.match_info.get("guild_id")
        if guild_id is None:
            return self.global_commands
        self._check_guild(guild_id)
        return self.guild_commands.setdefault(int(guild_id), [])

    def _command_payload(
        self, data: JSONDict, guild_id: str | None, existing: Sequence[JSONDict]
    ) -> JSONDict:
        command_type = int(data.get("type", 1))
        name = str(data.get("name", ""))
        description = str(data.get("description", ""))
        if command_type == 1:
            if not re.fullmatch(r"[-_'\w]{1,32}", name) or name != name.lower():
                raise _invalid_form(
                    "name", "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid"
                )
            if not 1 <= len(description) <= 100:
                raise _invalid_form(
                    "description", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length."
                )
        elif not 1 <= len(name) <= 32:
            raise _invalid_form(
                "name", "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 32 in length."
            )
        previous = next(
            (c for c in existing if c["name"] == name and int(c.get("type", 1)) == command_type),
            None,
        )
        command: JSONDict = {
            "id": previous["id"] if previous else str(self.new_id()),
            "application_id": str(self.application_id),
            "version": str(self.new_id()),
            "default_member_permissions": data.get("default_member_permissions"),
            "type": command_type,
            "nsfw": bool(data.get("nsfw", False)),
            "name": name,
            "name_localizations": data.get("name_localizations"),
            "description": description if command_type == 1 else "",
            "description_localizations": data.get("description_localizations"),
            "contexts": data.get("contexts"),
            "integration_types": data.get("integration_types") or [0],
        }
        if guild_id is not None:
            command["guild_id"] = guild_id
        else:
            command["dm_permission"] = data.get("dm_permission", True)
        if data.get("options"):
            command["options"] = copy.deepcopy(data["options"])
        return command

    async def _get_commands(self, request: web.Request, call: RecordedCall) -> web.Response:
        return self._json(self._command_list(request))

    async def _put_commands(self, request: web.Request, call: RecordedCall) -> web.Response:
        commands = self._command_list(request)
        body = call.json if isinstance(call.json, list) else []
        guild_id = request.match_info.get("guild_id")
        new = [self._command_payload(item, guild_id, commands) for item in body]
        commands[:] = new
        return self._json(new)

    async def _post_command(self, request: web.Request, call: RecordedCall) -> web.Response:
        commands = self._command_list(request)
        command = self._command_payload(
            self._body(call), request.match_info.get("guild_id"), commands
        )
        replaced = [c for c in commands if c["id"] == command["id"]]
        for old in replaced:
            commands.remove(old)
        commands.append(command)
        return self._json(command, 200 if replaced else 201)


_CALL_KEY: Any = (
    web.RequestKey("fake_call", RecordedCall) if hasattr(web, "RequestKey") else "fake_call"
)


@pytest_asyncio.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    """A started ``FakeDiscord`` with discord.py patched to use it (import into a conftest)."""
    async with FakeDiscord() as fake:
        with fake.patch_discord():
            yield fake
