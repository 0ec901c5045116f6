"""A fake Slack platform the project owns: Web API, Socket Mode and response_url, in-process.

Why this exists: end-to-end tests must drive the *real* slack-bolt ``AsyncApp`` and
slack_sdk ``AsyncWebClient`` (HTTP mode and Socket Mode) without slack.com. ``FakeSlack`` is an
aiohttp server on ``127.0.0.1`` (random port) that answers the Web API methods the bot uses with
Slack's documented response shapes and errors, keeps a small amount of workspace state (users,
channels, usergroups, messages, reactions, views), records every call, can inject failures, and
serves a Socket Mode WebSocket so ``AsyncSocketModeHandler`` connects to it.

Point the libraries at it::

    fake = await FakeSlack().start()          # or the ``fake_slack`` fixture below
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    app = AsyncApp(client=client, signing_secret=fake.signing_secret)
    handler = AsyncSocketModeHandler(app, app_token=fake.app_token)   # Socket Mode

Inbound payload builders and request signing live in ``tests.fakes.slack_payloads``.

Deliberately NOT emulated (keep tests honest about it):

* OAuth / installation flows, token rotation, scopes (``missing_scope`` only via ``fail_next``).
* Real rate limiting: nothing is throttled unless ``fail_next(..., error="ratelimited")``.
* Events generated as a side effect of API calls (posting a message does not emit a
  ``message`` event back to the app); tests send events explicitly.
* Block Kit validation (``invalid_blocks``), mrkdwn rendering, files, unfurls, scheduled
  messages, Enterprise Grid, Slack Connect, pagination beyond a simple offset cursor.
* Socket Mode multi-connection fan-out: envelopes go to the newest live connection; no
  redelivery on missing acks (tests check acks with ``wait_for_ack``).
* ``users.info`` etc. for unknown ids return ``user_not_found`` -- seed what a test needs.

Auth: a missing token answers ``not_authed`` and an unknown one ``invalid_auth`` (as Slack
documents); a bot token on ``apps.connections.open`` or an app token elsewhere answers
``not_allowed_token_type``. Errors are HTTP 200 except injected ``ratelimited`` (429).

Time: ``clock`` (default ``time.time``) stamps ``ts`` values, recorded calls, trigger expiry
and response_url expiry, so a test can move time. The ``wait_for_*`` helpers take a plain ``timeout`` in seconds
(hence the ASYNC109 ``noqa``s): short call sites matter more here than structured timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pytest_asyncio
from aiohttp import WSMsgType, web

from tests.fakes import slack_payloads as payloads

JSONDict = dict[str, Any]
Handler = Callable[["_Call"], Awaitable[JSONDict]]

# Slack: "You can use a response_url up to five times within 30 minutes."
RESPONSE_URL_USES = 5
RESPONSE_URL_TTL = 30 * 60.0
# What ``fail_response_urls`` queues its failures under (no Web API method has this name).
RESPONSE_URL = "response_url"


class SlackError(Exception):
    """Raised inside a method implementation to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra


@dataclass
class RecordedCall:
    """One Web API call as the fake received it."""

    method: str
    params: JSONDict
    token: str | None
    time: float  # wall-clock (``time.time()``) when received
    http_method: str = "POST"
    content_type: str = ""
    status: int = 200
    response: JSONDict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))


@dataclass
class SocketAck:
    """An acknowledgement the app sent over Socket Mode."""

    envelope_id: str
    payload: Any | None
    raw: JSONDict
    sent_at: float | None  # monotonic time the envelope was sent (None: unknown envelope)
    received_at: float  # monotonic time the ack arrived

    @property
    def latency(self) -> float | None:
        """Seconds between sending the envelope and receiving its ack."""
        return None if self.sent_at is None else self.received_at - self.sent_at


@dataclass
class ResponseUrlCall:
    """A POST the app made to a ``response_url`` the fake issued."""

    url_id: str
    body: JSONDict
    time: float
    status: int = 200


@dataclass
class _Call:
    method: str
    params: JSONDict
    token: str | None
    token_info: JSONDict


@dataclass
class _Failure:
    error: str
    status: int
    retry_after: int | None
    times: int
    extra: JSONDict
    after: int = 0


@dataclass
class _SocketConnection:
    ws: web.WebSocketResponse
    ticket: str
    opened_at: float
    closed: bool = False


# Fields Slack accepts as JSON-encoded strings in form bodies (and as objects in JSON bodies).
_JSON_FIELDS = {"blocks", "attachments", "view", "metadata", "user_auth_blocks"}


class FakeSlack:
    """In-process fake of Slack's Web API, Socket Mode and response_url endpoints.

    Seed state with ``add_user`` / ``add_channel`` / ``add_usergroup`` / ``add_message``;
    inspect with ``calls``, ``calls_to``, ``messages_in``, ``ephemeral``, ``views``,
    ``response_url_calls`` and ``acks``; inject failures with ``fail_next`` (Web API) and
    ``fail_response_urls``. A response_url answers as Slack documents: 404 ``expired_url``
    once 30 minutes old (or never issued), 404 ``used_url`` after five uses.
    """

    def __init__(
        self,
        *,
        team_id: str = payloads.TEAM_ID,
        team_name: str = "Fake Community",
        team_domain: str = payloads.TEAM_DOMAIN,
        app_id: str = payloads.APP_ID,
        bot_user_id: str = payloads.BOT_USER_ID,
        bot_id: str = payloads.BOT_ID,
        bot_name: str = "communitybot",
        bot_token: str = "xoxb-0000000000-fake-bot-token",
        app_token: str = "xapp-1-A0FAKEAPP-0000-fake-app-token",
        signing_secret: str = payloads.SIGNING_SECRET,
        require_membership: bool = False,
        trigger_ttl: float = 3.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.app_id = app_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.bot_token = bot_token
        self.app_token = app_token
        self.signing_secret = signing_secret
        # When True, posting to / reading a public channel the bot hasn't joined answers
        # ``not_in_channel`` (as without the ``chat:write.public`` scope).
        self.require_membership = require_membership
        self.trigger_ttl = trigger_ttl
        self.clock = clock

        self.calls: list[RecordedCall] = []
        self.response_url_calls: list[ResponseUrlCall] = []
        self.acks: list[SocketAck] = []
        self.sent_envelopes: list[JSONDict] = []
        self.ephemeral: list[JSONDict] = []
        self.deleted: list[JSONDict] = []
        self.users: dict[str, JSONDict] = {}
        self.channels: dict[str, JSONDict] = {}
        self.usergroups: dict[str, JSONDict] = {}
        self.views: dict[str, JSONDict] = {}
        self.home_views: dict[str, str] = {}  # user id -> view id
        self.tokens: dict[str, JSONDict] = {
            bot_token: {"kind": "bot", "user_id": bot_user_id},
            app_token: {"kind": "app", "user_id": None},
        }
        self._messages: dict[str, list[JSONDict]] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._triggers: dict[str, float] = {}
        self._response_urls: dict[str, JSONDict] = {}
        self._tickets: set[str] = set()
        self._connections: list[_SocketConnection] = []
        self._connection_count = 0
        self._envelope_sent_at: dict[str, float] = {}
        self._ack_waiters: dict[str, list[asyncio.Future[SocketAck]]] = {}
        self._last_ts = 0.0
        self._seq = 0

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods: dict[str, Handler] = {
            "api.test": self._api_test,
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "views.open": self._views_open,
            "views.update": self._views_update,
            "views.push": self._views_push,
            "views.publish": self._views_publish,
            "users.info": self._users_info,
            "usergroups.users.list": self._usergroups_users_list,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.replies": self._conversations_replies,
            "conversations.history": self._conversations_history,
            "conversations.join": self._conversations_join,
            "conversations.open": self._conversations_open,
            "team.info": self._team_info,
            "apps.connections.open": self._apps_connections_open,
        }
        self.add_user(bot_user_id, name=bot_name, real_name="Community Bot", is_bot=True)

    # ----------------------------------------------------------------------------------------
    # lifecycle
    # ----------------------------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_get("/link/", self._handle_socket)
        app.router.add_post("/response_url/{url_id}", self._handle_response_url)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        for conn in list(self._connections):
            if not conn.ws.closed:
                await conn.ws.close()
        for waiters in self._ack_waiters.values():
            for fut in waiters:
                fut.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        if self._port is None:
            raise RuntimeError("FakeSlack.start() has not been awaited")
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """Value for ``AsyncWebClient(base_url=...)``."""
        return f"{self.url}/api/"

    # ----------------------------------------------------------------------------------------
    # seeding
    # ----------------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        display_name: str | None = None,
        is_admin: bool = False,
        is_owner: bool = False,
        is_primary_owner: bool = False,
        is_bot: bool = False,
        is_restricted: bool = False,
        deleted: bool = False,
        tz: str = "Europe/London",
        tz_offset: int = 0,
        email: str | None = None,
        locale: str = "en-US",
    ) -> JSONDict:
        """Seed a workspace member (``users.info`` shape). Returns the stored object."""
        name = name or user_id.lower()
        real = real_name or name.title()
        display = display_name if display_name is not None else name
        profile: JSONDict = {
            "real_name": real,
            "real_name_normalized": real,
            "display_name": display,
            "display_name_normalized": display,
            "first_name": real.split(" ")[0],
            "last_name": " ".join(real.split(" ")[1:]),
            "title": "",
            "status_text": "",
            "status_emoji": "",
            "avatar_hash": uuid.uuid5(uuid.NAMESPACE_OID, user_id).hex[:12],
            "image_48": f"https://avatars.slack-edge.com/fake/{user_id}_48.png",
            "image_72": f"https://avatars.slack-edge.com/fake/{user_id}_72.png",
            "team": self.team_id,
        }
        if email is not None:
            profile["email"] = email
        if is_bot:
            profile["bot_id"] = self.bot_id if user_id == self.bot_user_id else "B" + user_id[1:]
            profile["always_active"] = True
        user: JSONDict = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": real,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": tz_offset,
            "profile": profile,
            "is_admin": is_admin or is_owner,
            "is_owner": is_owner or is_primary_owner,
            "is_primary_owner": is_primary_owner,
            "is_restricted": is_restricted,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": int(self.clock()),
            "is_email_confirmed": not is_bot,
            "who_can_share_contact_card": "EVERYONE",
            "_locale": locale,
        }
        self.users[user_id] = user
        return user

    def add_token(self, token: str, *, user_id: str, kind: str = "user") -> None:
        """Accept an extra token (``kind``: ``bot``, ``user`` or ``app``)."""
        self.tokens[token] = {"kind": kind, "user_id": user_id}

    def add_channel(
        self,
        channel_id: str,
        name: str | None = None,
        *,
        is_private: bool = False,
        is_im: bool = False,
        im_user: str | None = None,
        bot_is_member: bool = True,
        members: list[str] | None = None,
        is_archived: bool = False,
        is_general: bool = False,
        topic: str = "",
        purpose: str = "",
    ) -> JSONDict:
        """Seed a conversation. ``members=None`` means "anyone"; a list enables
        ``user_not_in_channel`` checks for ``chat.postEphemeral``."""
        created = int(self.clock())
        if is_im:
            channel: JSONDict = {
                "id": channel_id,
                "created": created,
                "is_im": True,
                "is_org_shared": False,
                "user": im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        else:
            cname = name or channel_id.lower()
            channel = {
                "id": channel_id,
                "name": cname,
                "is_channel": not is_private,
                "is_group": is_private,
                "is_im": False,
                "is_mpim": False,
                "is_private": is_private,
                "created": created,
                "is_archived": is_archived,
                "is_general": is_general,
                "unlinked": 0,
                "name_normalized": cname,
                "is_shared": False,
                "is_org_shared": False,
                "is_ext_shared": False,
                "is_pending_ext_shared": False,
                "context_team_id": self.team_id,
                "creator": self.bot_user_id,
                "topic": {"value": topic, "creator": "", "last_set": 0},
                "purpose": {"value": purpose, "creator": "", "last_set": 0},
                "previous_names": [],
            }
        channel["is_member"] = bot_is_member
        channel["_members"] = None if members is None else list(members)
        self.channels[channel_id] = channel
        self._messages.setdefault(channel_id, [])
        return channel

    def set_bot_membership(self, channel_id: str, is_member: bool) -> None:
        self.channels[channel_id]["is_member"] = is_member

    def add_usergroup(
        self, usergroup_id: str, handle: str, members: list[str], *, name: str | None = None
    ) -> JSONDict:
        group: JSONDict = {
            "id": usergroup_id,
            "team_id": self.team_id,
            "is_usergroup": True,
            "name": name or handle,
            "handle": handle,
            "users": list(members),
            "user_count": len(members),
            "date_delete": 0,
        }
        self.usergroups[usergroup_id] = group
        return group

    def add_message(
        self,
        channel: str,
        text: str,
        *,
        user: str,
        ts: str | None = None,
        thread_ts: str | None = None,
        **extra: Any,
    ) -> JSONDict:
        """Seed a human's message (e.g. a question) so history/replies/reactions can see it."""
        msg: JSONDict = {
            "type": "message",
            "user": user,
            "text": text,
            "ts": ts or self._next_ts(),
            "team": self.team_id,
        }
        if thread_ts is not None:
            msg["thread_ts"] = thread_ts
        msg.update(extra)
        self._store_message(channel, msg)
        return msg

    def edit_message(self, channel: str, ts: str, text: str) -> tuple[JSONDict, JSONDict]:
        """Its author editing a stored message, as Slack keeps it: the new text and
        ``edited``. Returns (before, after), what the ``message_changed`` event carries as
        ``previous_message`` and ``message``."""
        msg = self._message_or_error(channel, ts)
        before = copy.deepcopy(msg)
        msg["text"] = text
        msg["edited"] = {"user": msg.get("user"), "ts": self._next_ts()}
        return before, copy.deepcopy(msg)

    def remove_message(self, channel: str, ts: str) -> JSONDict:
        """A member deleting their own message while the bot hears nothing of it (no event)."""
        msg = self._message_or_error(channel, ts)
        self._messages[channel].remove(msg)
        return msg

    def delete_message(self, channel: str, ts: str) -> tuple[JSONDict, JSONDict | None]:
        """A member deleting a stored message as Slack does it: gone, unless it is a
        thread's parent with replies, which a tombstone replaces (``tombstone_message``); a
        reply's parent counts one reply fewer. Returns (the message as it was, the tombstone
        or None): what ``message_deleted_event`` or ``tombstone_event`` then carries."""
        msg = self._message_or_error(channel, ts)
        before = copy.deepcopy(msg)
        thread_ts = msg.get("thread_ts")
        if thread_ts and thread_ts != ts:
            parent = self.find_message(channel, thread_ts)
            if parent is not None and parent.get("reply_count"):
                parent["reply_count"] -= 1
        if msg.get("reply_count"):
            tombstone = payloads.tombstone_message(msg)
            msg.clear()
            msg.update(tombstone)
            return before, copy.deepcopy(tombstone)
        self._messages[channel].remove(msg)
        return before, None

    def delete_channel(self, channel_id: str) -> JSONDict:
        """A workspace admin deleting a channel as Slack does it: the channel and every
        message in it gone (later calls about it fail with ``channel_not_found``). Returns
        its event, ``channel_deleted`` (``group_deleted`` for a private channel)."""
        channel = self.channels.pop(channel_id)
        self._messages.pop(channel_id, None)
        return payloads.channel_deleted_event(
            channel=channel_id, private=bool(channel.get("is_private"))
        )

    def new_trigger_id(self) -> str:
        """A trigger id the fake remembers, so ``views.open`` can expire it after
        ``trigger_ttl`` seconds (unknown trigger ids are accepted)."""
        trigger = payloads.make_trigger_id()
        self._triggers[trigger] = self.clock()
        return trigger

    def new_response_url(self, *, channel: str | None = None, message_ts: str | None = None) -> str:
        """A ``response_url`` served by the fake. Bind it to a message (``channel`` +
        ``message_ts``) to let ``replace_original`` / ``delete_original`` act on it."""
        url_id = uuid.uuid4().hex
        self._response_urls[url_id] = {
            "channel": channel,
            "message_ts": message_ts,
            "uses": 0,
            "issued": self.clock(),
        }
        return f"{self.url}/response_url/{url_id}"

    # ----------------------------------------------------------------------------------------
    # inspection
    # ----------------------------------------------------------------------------------------

    def clear_calls(self) -> None:
        """Forget recorded Web API calls, response_url calls and acks (state is kept)."""
        self.calls.clear()
        self.response_url_calls.clear()
        self.acks.clear()

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [c for c in self.calls if c.method == method]

    def last_call(self, method: str) -> RecordedCall:
        found = self.calls_to(method)
        if not found:
            raise AssertionError(f"no call to {method}; calls: {[c.method for c in self.calls]}")
        return found[-1]

    async def wait_for_call(
        self,
        method: str,
        *,
        count: int = 1,
        timeout: float = 2.0,  # noqa: ASYNC109
    ) -> list[RecordedCall]:
        """Wait until ``method`` was called ``count`` times (handlers run after the ack)."""
        deadline = time.monotonic() + timeout
        while len(self.calls_to(method)) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"expected {count} call(s) to {method} within {timeout}s; "
                    f"got {[c.method for c in self.calls]}"
                )
            await asyncio.sleep(0.005)
        return self.calls_to(method)

    async def wait_for_response_url_call(
        self,
        *,
        count: int = 1,
        timeout: float = 2.0,  # noqa: ASYNC109
    ) -> list[ResponseUrlCall]:
        deadline = time.monotonic() + timeout
        while len(self.response_url_calls) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"expected {count} response_url call(s) within {timeout}s")
            await asyncio.sleep(0.005)
        return self.response_url_calls

    def messages_in(self, channel: str) -> list[JSONDict]:
        """Stored messages in a channel (all, including thread replies), oldest first."""
        return list(self._messages.get(channel, []))

    def find_message(self, channel: str, ts: str) -> JSONDict | None:
        for msg in self._messages.get(channel, []):
            if msg["ts"] == ts:
                return msg
        return None

    # ----------------------------------------------------------------------------------------
    # error injection
    # ----------------------------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error: str = "ratelimited",
        status: int | None = None,
        retry_after: int | None = 1,
        times: int = 1,
        after: int = 0,
        **extra: Any,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail with ``error``; with ``after``,
        the ``times`` calls after the next ``after`` ones (a failure part-way through a run of
        calls, such as the second of several messages).

        ``ratelimited`` answers HTTP 429 with a ``Retry-After`` header, like Slack; any other
        error answers HTTP 200 (Slack's convention) unless ``status`` is given. ``extra`` is
        merged into the body (e.g. ``needed="chat:write"`` for ``missing_scope``).
        """
        if status is None:
            status = 429 if error == "ratelimited" else 200
        self._failures.setdefault(method, []).append(
            _Failure(
                error=error,
                status=status,
                retry_after=retry_after if status == 429 else None,
                times=times,
                extra=extra,
                after=after,
            )
        )

    def fail_response_urls(
        self, error: str = "expired_url", status: int = 404, *, times: int = 1, after: int = 0
    ) -> None:
        """Make the next ``times`` posts to a response_url (any, after the next ``after``)
        answer HTTP ``status`` with ``error`` as the body, as Slack answers one past its 30
        minutes (404 ``expired_url``; the fake also does so by ``clock``) or in its own
        trouble (5xx). Nothing is recorded as shown for them."""
        self.fail_next(RESPONSE_URL, error, status=status, times=times, after=after)

    # ----------------------------------------------------------------------------------------
    # Socket Mode controls
    # ----------------------------------------------------------------------------------------

    @property
    def connection_count(self) -> int:
        """How many Socket Mode connections were ever opened."""
        return self._connection_count

    def live_connections(self) -> int:
        return sum(1 for c in self._connections if not c.closed and not c.ws.closed)

    async def wait_for_connection(self, *, count: int = 1, timeout: float = 3.0) -> None:  # noqa: ASYNC109
        """Wait until ``count`` Socket Mode connections have been opened in total."""
        deadline = time.monotonic() + timeout
        while self._connection_count < count or self.live_connections() == 0:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no Socket Mode connection #{count} within {timeout}s")
            await asyncio.sleep(0.005)

    async def socket_send(self, envelope: Mapping[str, Any], *, timeout: float = 3.0) -> str:  # noqa: ASYNC109
        """Deliver an envelope (see ``slack_payloads.socket_envelope``) to the newest live
        connection, waiting up to ``timeout`` for one. Returns the envelope id."""
        await self.wait_for_connection(timeout=timeout)
        conn = self._newest_connection()
        envelope_id = str(envelope["envelope_id"])
        self._envelope_sent_at[envelope_id] = time.monotonic()
        self.sent_envelopes.append(dict(envelope))
        await conn.ws.send_str(json.dumps(envelope))
        return envelope_id

    async def socket_send_payload(
        self, payload: Mapping[str, Any], envelope_type: str | None = None, **kwargs: Any
    ) -> str:
        """Shorthand: wrap ``payload`` with ``socket_envelope`` and send it."""
        return await self.socket_send(payloads.socket_envelope(payload, envelope_type, **kwargs))

    async def wait_for_ack(self, envelope_id: str, timeout: float = 3.0) -> SocketAck:  # noqa: ASYNC109
        """The ack the app sent for ``envelope_id``; raises ``TimeoutError`` if none arrives
        (Bolt sends none when no listener matched)."""
        for ack in self.acks:
            if ack.envelope_id == envelope_id:
                return ack
        fut: asyncio.Future[SocketAck] = asyncio.get_running_loop().create_future()
        self._ack_waiters.setdefault(envelope_id, []).append(fut)
        try:
            return await asyncio.wait_for(fut, timeout)
        except TimeoutError:
            raise TimeoutError(f"no ack for envelope {envelope_id} within {timeout}s") from None

    async def socket_disconnect(self, reason: str = "refresh_requested") -> None:
        """Send Slack's ``disconnect`` message to live connections; slack_sdk then calls
        ``apps.connections.open`` again and reconnects (use ``wait_for_connection(count=2)``)."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}}
        for conn in self._connections:
            if not conn.closed and not conn.ws.closed:
                await conn.ws.send_str(json.dumps(message))

    async def socket_drop(self) -> None:
        """Close live connections abruptly from the server side (network-blip simulation)."""
        for conn in list(self._connections):
            if not conn.ws.closed:
                await conn.ws.close()
            conn.closed = True

    def _newest_connection(self) -> _SocketConnection:
        live = [c for c in self._connections if not c.closed and not c.ws.closed]
        if not live:
            raise RuntimeError("no live Socket Mode connection")
        return live[-1]

    # ----------------------------------------------------------------------------------------
    # HTTP plumbing
    # ----------------------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: JSONDict = dict(request.query)
        content_type = request.content_type
        raw = await request.read()
        if raw:
            if content_type == "application/json":
                try:
                    body = json.loads(raw)
                except ValueError:
                    return self._reply(
                        method, params, None, request, {"ok": False, "error": "invalid_json"}, 200
                    )
                if isinstance(body, dict):
                    params.update(body)
            elif content_type in ("application/x-www-form-urlencoded", ""):
                params.update(dict(parse_qsl(raw.decode(), keep_blank_values=True)))
            elif content_type.startswith("multipart/"):
                return self._reply(
                    method, params, None, request, {"ok": False, "error": "invalid_form_data"}, 200
                )
        for key in _JSON_FIELDS & params.keys():
            if isinstance(params[key], str) and params[key][:1] in ("[", "{"):
                try:
                    params[key] = json.loads(params[key])
                except ValueError:
                    pass

        token = params.pop("token", None)
        auth = request.headers.get("Authorization", "")
        token_in_header = auth.startswith("Bearer ")
        if token_in_header:
            token = auth[len("Bearer ") :]

        impl = self._methods.get(method)
        if impl is None:
            return self._reply(
                method,
                params,
                token,
                request,
                {"ok": False, "error": "unknown_method", "req_method": method},
                200,
            )

        failure = self._take_failure(method)
        if failure is not None:
            body = {"ok": False, "error": failure.error, **failure.extra}
            headers = (
                {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
            )
            return self._reply(method, params, token, request, body, failure.status, headers)

        auth_error = self._auth_error(method, token, token_in_header, request.method)
        if auth_error is not None:
            return self._reply(
                method, params, token, request, {"ok": False, "error": auth_error}, 200
            )
        info = self.tokens.get(token or "", {})
        try:
            result = await impl(_Call(method=method, params=params, token=token, token_info=info))
            body = {"ok": True, **result}
            status = 200
        except SlackError as exc:
            body = {"ok": False, "error": exc.error, **exc.extra}
            status = exc.status
        return self._reply(method, params, token, request, body, status)

    def _reply(
        self,
        method: str,
        params: JSONDict,
        token: str | None,
        request: web.Request,
        body: JSONDict,
        status: int,
        headers: Mapping[str, str] | None = None,
    ) -> web.Response:
        self.calls.append(
            RecordedCall(
                method=method,
                params=params,
                token=token,
                time=self.clock(),
                http_method=request.method,
                content_type=request.content_type,
                status=status,
                response=body,
            )
        )
        return web.json_response(body, status=status, headers=dict(headers or {}))

    def _auth_error(
        self, method: str, token: str | None, token_in_header: bool, http_method: str
    ) -> str | None:
        if method == "api.test":
            return None
        if not token:
            return "not_authed"
        info = self.tokens.get(token)
        if info is None:
            return "invalid_auth"
        if (info["kind"] == "app") != (method == "apps.connections.open"):
            return "not_allowed_token_type"
        if method == "apps.connections.open":
            # Documented: POST only, and the app-level token must be in the header.
            if http_method != "POST":
                return "insecure_request"
            if not token_in_header:
                return "not_authed"
        return None

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        if failure.after > 0:
            failure.after -= 1
            return None
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        url_id = request.match_info["url_id"]
        try:
            body = await request.json()
        except ValueError:
            body = {"text": await request.text()}
        record = ResponseUrlCall(url_id=url_id, body=body, time=self.clock())
        self.response_url_calls.append(record)
        binding = self._response_urls.get(url_id)
        if binding is None or self.clock() - binding["issued"] > RESPONSE_URL_TTL:
            record.status = 404
            return web.Response(status=404, text="expired_url")
        failure = self._take_failure(RESPONSE_URL)
        if failure is not None:
            record.status = failure.status
            return web.Response(status=failure.status, text=failure.error)
        binding["uses"] += 1
        if binding["uses"] > RESPONSE_URL_USES:
            record.status = 404
            return web.Response(status=404, text="used_url")
        channel, message_ts = binding["channel"], binding["message_ts"]
        original = self.find_message(channel, message_ts) if channel and message_ts else None
        if body.get("delete_original") and original is not None:
            self._messages[channel].remove(original)
            self.deleted.append(original)
        elif body.get("replace_original") and original is not None:
            for key in ("text", "blocks", "attachments"):
                if key in body:
                    original[key] = body[key]
        elif body.get("response_type") == "in_channel" and channel:
            msg = self._bot_message(body, channel)
            self._store_message(channel, msg)
        elif channel:
            self.ephemeral.append(
                {"channel": channel, "user": None, "message_ts": self._next_ts(), **body}
            )
        return web.json_response({"ok": True})

    async def _handle_socket(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=401, text="invalid ticket")
        self._tickets.discard(ticket)  # tickets are single-use, as with Slack
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        conn = _SocketConnection(ws=ws, ticket=ticket, opened_at=time.monotonic())
        self._connections.append(conn)
        self._connection_count += 1
        await ws.send_str(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": self.live_connections(),
                    "debug_info": {
                        "host": "applink-fake-1",
                        "build_number": 1,
                        "approximate_connection_time": 18060,
                    },
                    "connection_info": {"app_id": self.app_id},
                }
            )
        )
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._on_socket_text(msg.data)
        finally:
            conn.closed = True
        return ws

    def _on_socket_text(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            return
        envelope_id = message.get("envelope_id")
        if not envelope_id:
            return
        ack = SocketAck(
            envelope_id=envelope_id,
            payload=message.get("payload"),
            raw=message,
            sent_at=self._envelope_sent_at.get(envelope_id),
            received_at=time.monotonic(),
        )
        self.acks.append(ack)
        for fut in self._ack_waiters.pop(envelope_id, []):
            if not fut.done():
                fut.set_result(ack)

    # ----------------------------------------------------------------------------------------
    # state helpers
    # ----------------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        now = self.clock()
        if now <= self._last_ts:
            now = self._last_ts + 0.000001
        self._last_ts = now
        return f"{now:.6f}"

    def _channel(self, channel_id: Any, *, for_bot: bool = True) -> JSONDict:
        if not channel_id or not isinstance(channel_id, str):
            raise SlackError("channel_not_found")
        if channel_id.startswith("#"):
            for ch in self.channels.values():
                if ch.get("name") == channel_id[1:]:
                    channel_id = ch["id"]
                    break
        channel = self.channels.get(channel_id)
        if channel is None and channel_id in self.users:
            # Posting to a user id opens (or reuses) the app's DM with that user.
            channel = self._open_im(channel_id)
        if channel is None:
            raise SlackError("channel_not_found")
        # Private channels the bot isn't in are invisible to it.
        if for_bot and channel.get("is_private") and not channel.get("is_member"):
            raise SlackError("channel_not_found")
        return channel

    def _open_im(self, user_id: str) -> JSONDict:
        for ch in self.channels.values():
            if ch.get("is_im") and ch.get("user") == user_id:
                return ch
        return self.add_channel("D" + user_id[1:], is_im=True, im_user=user_id)

    def _require_membership(self, channel: JSONDict) -> None:
        if self.require_membership and not channel.get("is_im") and not channel.get("is_member"):
            raise SlackError("not_in_channel")

    def _store_message(self, channel: str, msg: JSONDict) -> None:
        self._messages.setdefault(channel, []).append(msg)
        self._messages[channel].sort(key=lambda m: float(m["ts"]))
        thread_ts = msg.get("thread_ts")
        if thread_ts and thread_ts != msg["ts"]:
            parent = self.find_message(channel, thread_ts)
            if parent is not None:
                parent["thread_ts"] = thread_ts
                parent["reply_count"] = parent.get("reply_count", 0) + 1
                parent["latest_reply"] = msg["ts"]
                who = msg.get("user")
                users = parent.setdefault("reply_users", [])
                if who and who not in users:
                    users.append(who)
                parent["reply_users_count"] = len(users)

    def _message_or_error(self, channel: str, ts: Any) -> JSONDict:
        msg = self.find_message(channel, str(ts)) if ts else None
        if msg is None:
            raise SlackError("message_not_found")
        return msg

    def _bot_message(
        self, params: Mapping[str, Any], channel: str, ts: str | None = None
    ) -> JSONDict:
        msg: JSONDict = {
            "type": "message",
            "subtype": "bot_message",
            "text": params.get("text", ""),
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "ts": ts or self._next_ts(),
            "team": self.team_id,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_name,
                "deleted": False,
                "team_id": self.team_id,
                "updated": int(self.clock()),
                "icons": {"image_48": "https://avatars.slack-edge.com/fake/bot_48.png"},
            },
        }
        for key in ("blocks", "attachments", "metadata"):
            if params.get(key):
                msg[key] = params[key]
        if params.get("thread_ts"):
            msg["thread_ts"] = str(params["thread_ts"])
            msg["parent_user_id"] = (
                self.find_message(channel, str(params["thread_ts"])) or {}
            ).get("user")
        # Slack only includes ``subtype: bot_message`` for legacy/customised bot posts.
        if not (params.get("username") or params.get("icon_url") or params.get("icon_emoji")):
            msg.pop("subtype")
        return msg

    @staticmethod
    def _require_content(params: Mapping[str, Any]) -> None:
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            raise SlackError("no_text")

    def _public_view(self, view: JSONDict) -> JSONDict:
        return {k: v for k, v in view.items() if not k.startswith("_")}

    # ----------------------------------------------------------------------------------------
    # Web API methods
    # ----------------------------------------------------------------------------------------

    async def _api_test(self, call: _Call) -> JSONDict:
        args = {k: v for k, v in call.params.items() if k != "error"}
        if call.params.get("error"):
            raise SlackError(str(call.params["error"]), args=args)
        return {"args": args} if args else {}

    async def _auth_test(self, call: _Call) -> JSONDict:
        user_id = call.token_info["user_id"]
        user = self.users.get(user_id, {})
        result: JSONDict = {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": user.get("name", user_id),
            "team_id": self.team_id,
            "user_id": user_id,
            "is_enterprise_install": False,
        }
        if call.token_info["kind"] == "bot":
            result["bot_id"] = self.bot_id
        return result

    async def _chat_post_message(self, call: _Call) -> JSONDict:
        p = call.params
        channel = self._channel(p.get("channel"))
        if channel.get("is_archived"):
            raise SlackError("is_archived")
        self._require_membership(channel)
        self._require_content(p)
        msg = self._bot_message(p, channel["id"])
        if p.get("reply_broadcast") in (True, "true", "1"):
            msg["subtype"] = "thread_broadcast"
        self._store_message(channel["id"], msg)
        return {"channel": channel["id"], "ts": msg["ts"], "message": msg}

    async def _chat_post_ephemeral(self, call: _Call) -> JSONDict:
        p = call.params
        channel = self._channel(p.get("channel"))
        user = p.get("user")
        if not user or user not in self.users:
            raise SlackError("user_not_in_channel")
        members = channel.get("_members")
        if members is not None and user not in members:
            raise SlackError("user_not_in_channel")
        self._require_membership(channel)
        self._require_content(p)
        message_ts = self._next_ts()
        self.ephemeral.append(
            {**p, "channel": channel["id"], "user": user, "message_ts": message_ts}
        )
        return {"message_ts": message_ts}

    async def _chat_update(self, call: _Call) -> JSONDict:
        p = call.params
        channel = self._channel(p.get("channel"))
        msg = self._message_or_error(channel["id"], p.get("ts"))
        if msg.get("bot_id") != self.bot_id:
            raise SlackError("cant_update_message")
        self._require_content(p)
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in p:
                msg[key] = p[key]
        msg["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        return {
            "channel": channel["id"],
            "ts": msg["ts"],
            "text": msg.get("text", ""),
            "message": msg,
        }

    async def _chat_delete(self, call: _Call) -> JSONDict:
        p = call.params
        channel = self._channel(p.get("channel"))
        msg = self._message_or_error(channel["id"], p.get("ts"))
        if msg.get("bot_id") != self.bot_id and call.token_info["kind"] == "bot":
            raise SlackError("cant_delete_message")
        self._messages[channel["id"]].remove(msg)
        self.deleted.append(msg)
        return {"channel": channel["id"], "ts": msg["ts"]}

    async def _chat_get_permalink(self, call: _Call) -> JSONDict:
        p = call.params
        channel = self._channel(p.get("channel"))
        msg = self._message_or_error(channel["id"], p.get("message_ts"))
        link = f"https://{self.team_domain}.slack.com/archives/{channel['id']}/p{msg['ts'].replace('.', '')}"
        if msg.get("thread_ts") and msg["thread_ts"] != msg["ts"]:
            link += f"?thread_ts={msg['thread_ts']}&cid={channel['id']}"
        return {"channel": channel["id"], "permalink": link}

    def _reaction_target(self, call: _Call) -> tuple[JSONDict, str, str]:
        p = call.params
        channel = self._channel(p.get("channel"))
        msg = self._message_or_error(channel["id"], p.get("timestamp"))
        name = str(p.get("name") or "").strip(":")
        if not name:
            raise SlackError("invalid_name")
        return msg, name, call.token_info["user_id"]

    async def _reactions_add(self, call: _Call) -> JSONDict:
        msg, name, user = self._reaction_target(call)
        reactions = msg.setdefault("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None:
            entry = {"name": name, "users": [], "count": 0}
            reactions.append(entry)
        if user in entry["users"]:
            raise SlackError("already_reacted")
        entry["users"].append(user)
        entry["count"] = len(entry["users"])
        return {}

    async def _reactions_remove(self, call: _Call) -> JSONDict:
        msg, name, user = self._reaction_target(call)
        reactions = msg.get("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None or user not in entry["users"]:
            raise SlackError("no_reaction")
        entry["users"].remove(user)
        entry["count"] = len(entry["users"])
        if not entry["users"]:
            reactions.remove(entry)
        if not reactions:
            msg.pop("reactions", None)
        return {}

    def _parse_view(self, raw: Any) -> JSONDict:
        if isinstance(raw, str):
            try:
                raw = json.loads(raw)
            except ValueError:
                raise SlackError("invalid_arguments") from None
        if not isinstance(raw, dict) or raw.get("type") not in ("modal", "home"):
            raise SlackError("invalid_arguments")
        return raw

    def _make_view(
        self,
        spec: JSONDict,
        *,
        view_id: str | None = None,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> JSONDict:
        vid = view_id or "V" + uuid.uuid4().hex[:10].upper()
        view: JSONDict = {
            "id": vid,
            "team_id": self.team_id,
            "type": spec["type"],
            "blocks": spec.get("blocks", []),
            "private_metadata": spec.get("private_metadata", ""),
            "callback_id": spec.get("callback_id", ""),
            "state": {"values": {}},
            "hash": f"{int(self.clock())}.{uuid.uuid4().hex[:8]}",
            "title": spec.get("title"),
            "clear_on_close": bool(spec.get("clear_on_close", False)),
            "notify_on_close": bool(spec.get("notify_on_close", False)),
            "close": spec.get("close"),
            "submit": spec.get("submit"),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id or vid,
            "app_id": self.app_id,
            "external_id": spec.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        self.views[vid] = view
        return view

    def _check_trigger(self, trigger_id: Any) -> None:
        if not trigger_id:
            raise SlackError(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] missing required field: trigger_id"]},
            )
        issued = self._triggers.get(str(trigger_id))
        if issued is not None and self.clock() - issued > self.trigger_ttl:
            raise SlackError("expired_trigger_id")

    async def _views_open(self, call: _Call) -> JSONDict:
        self._check_trigger(
            call.params.get("trigger_id") or call.params.get("interactivity_pointer")
        )
        spec = self._parse_view(call.params.get("view"))
        return {"view": self._public_view(self._make_view(spec))}

    async def _views_push(self, call: _Call) -> JSONDict:
        self._check_trigger(
            call.params.get("trigger_id") or call.params.get("interactivity_pointer")
        )
        spec = self._parse_view(call.params.get("view"))
        # Slack resolves the stack from the trigger; the fake stacks on the newest modal.
        root = next((v for v in reversed(list(self.views.values())) if v["type"] == "modal"), None)
        view = self._make_view(
            spec,
            root_view_id=root["root_view_id"] if root else None,
            previous_view_id=root["id"] if root else None,
        )
        return {"view": self._public_view(view)}

    async def _views_update(self, call: _Call) -> JSONDict:
        p = call.params
        spec = self._parse_view(p.get("view"))
        current: JSONDict | None = None
        if p.get("view_id"):
            current = self.views.get(str(p["view_id"]))
        elif p.get("external_id"):
            current = next(
                (v for v in self.views.values() if v.get("external_id") == p["external_id"]), None
            )
        else:
            raise SlackError("invalid_arguments")
        if current is None:
            raise SlackError("not_found")
        if p.get("hash") and p["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        view = self._make_view(
            spec,
            view_id=current["id"],
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
        )
        return {"view": self._public_view(view)}

    async def _views_publish(self, call: _Call) -> JSONDict:
        p = call.params
        user_id = p.get("user_id")
        if not user_id or user_id not in self.users:
            raise SlackError("invalid_arguments" if not user_id else "user_not_found")
        spec = self._parse_view(p.get("view"))
        if spec["type"] != "home":
            raise SlackError("invalid_arguments")
        existing = self.home_views.get(user_id)
        if existing and p.get("hash") and p["hash"] != self.views[existing]["hash"]:
            raise SlackError("hash_conflict")
        view = self._make_view(spec, view_id=existing)
        view["_user_id"] = user_id
        self.home_views[user_id] = view["id"]
        return {"view": self._public_view(view)}

    async def _users_info(self, call: _Call) -> JSONDict:
        user = self.users.get(str(call.params.get("user", "")))
        if user is None:
            raise SlackError("user_not_found")
        out = {k: v for k, v in user.items() if not k.startswith("_")}
        if str(call.params.get("include_locale", "")).lower() in ("true", "1"):
            out["locale"] = user["_locale"]
        return {"user": out}

    async def _usergroups_users_list(self, call: _Call) -> JSONDict:
        group = self.usergroups.get(str(call.params.get("usergroup", "")))
        if group is None:
            raise SlackError("no_such_subteam")
        return {"users": list(group["users"])}

    def _public_channel(self, channel: JSONDict, include_num_members: bool = False) -> JSONDict:
        out = {k: v for k, v in channel.items() if not k.startswith("_")}
        if include_num_members and not channel.get("is_im"):
            members = channel.get("_members")
            out["num_members"] = len(members) if members is not None else 0
        return out

    async def _conversations_info(self, call: _Call) -> JSONDict:
        channel = self._channel(call.params.get("channel"))
        include = str(call.params.get("include_num_members", "")).lower() in ("true", "1")
        return {"channel": self._public_channel(channel, include)}

    async def _conversations_members(self, call: _Call) -> JSONDict:
        """The ids of a conversation's members, a page at a time (``limit``, default 100;
        ``cursor``), as documented; a private channel the bot is not in is
        ``channel_not_found``. A channel seeded with ``members=None`` has every member of the
        workspace (its bots not), and the bot when it is in it."""
        channel = self._channel(call.params.get("channel"))
        listed = channel.get("_members")
        if channel.get("is_im"):
            members = [str(channel.get("user")), self.bot_user_id]
        elif listed is None:
            members = [uid for uid, user in self.users.items() if not user.get("is_bot")]
        else:
            members = list(listed)
        if channel.get("is_member") and self.bot_user_id not in members:
            members.append(self.bot_user_id)
        page, meta = self._page(members, call.params, 100)
        return {"members": page, "response_metadata": meta["response_metadata"]}

    @staticmethod
    def _page(
        items: list[Any], params: Mapping[str, Any], default_limit: int
    ) -> tuple[list[Any], JSONDict]:
        try:
            limit = int(params.get("limit") or default_limit)
            start = int(str(params.get("cursor") or "offset:0").removeprefix("offset:"))
        except ValueError:
            raise SlackError("invalid_cursor") from None
        page = items[start : start + limit]
        next_cursor = f"offset:{start + limit}" if start + limit < len(items) else ""
        return page, {
            "has_more": bool(next_cursor),
            "response_metadata": {"next_cursor": next_cursor},
        }

    async def _conversations_replies(self, call: _Call) -> JSONDict:
        """The thread, oldest first, within ``oldest``/``latest`` when given (``inclusive``
        keeps a message at either end), as documented. The root also comes first on the
        first page when the range leaves it out: developers report Slack answering so, and
        the docs do not say either way, so the fake takes the reading a client must survive
        (the root counts against ``limit``)."""
        p = call.params
        channel = self._channel(p.get("channel"))
        self._require_membership(channel)
        ts = str(p.get("ts", ""))
        parent = self.find_message(channel["id"], ts)
        if parent is None:
            raise SlackError("thread_not_found")
        root_ts = parent.get("thread_ts", parent["ts"])
        thread = [
            m
            for m in self._messages[channel["id"]]
            if m["ts"] == root_ts or m.get("thread_ts") == root_ts
        ]
        if p.get("oldest") or p.get("latest"):
            inclusive = str(p.get("inclusive", "")).lower() in ("true", "1")
            oldest = float(p.get("oldest") or 0)
            latest = float(p.get("latest") or "inf")

            def in_range(m: JSONDict) -> bool:
                at = float(m["ts"])
                return oldest <= at <= latest if inclusive else oldest < at < latest

            in_it = [m for m in thread if in_range(m)]
            root = [m for m in thread if m["ts"] == root_ts and m not in in_it]
            thread = root + in_it  # a later page's offset is past the root
        page, meta = self._page(thread, p, 1000)
        return {"messages": self._with_metadata(page, p), **meta}

    @staticmethod
    def _with_metadata(messages: list[JSONDict], params: Mapping[str, Any]) -> list[JSONDict]:
        """Messages as conversations.replies / .history give them: their ``metadata`` only
        with ``include_all_metadata``, as documented."""
        if str(params.get("include_all_metadata", "")).lower() in ("true", "1"):
            return messages
        return [{k: v for k, v in m.items() if k != "metadata"} for m in messages]

    async def _conversations_history(self, call: _Call) -> JSONDict:
        p = call.params
        channel = self._channel(p.get("channel"))
        self._require_membership(channel)
        inclusive = str(p.get("inclusive", "")).lower() in ("true", "1")
        oldest = float(p.get("oldest") or 0)
        latest = float(p.get("latest") or "inf")

        def in_range(ts: float) -> bool:
            if inclusive:
                return oldest <= ts <= latest
            return (
                oldest < ts < latest
                or (not p.get("oldest") and ts == oldest)
                or (not p.get("latest") and ts == latest)
            )

        top_level = [
            m
            for m in self._messages[channel["id"]]
            if (
                not m.get("thread_ts")
                or m["thread_ts"] == m["ts"]
                or m.get("subtype") == "thread_broadcast"
            )
            and in_range(float(m["ts"]))
        ]
        top_level.reverse()  # newest first, as Slack returns it
        page, meta = self._page(top_level, p, 100)
        return {
            "messages": self._with_metadata(page, p),
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            **meta,
        }

    async def _conversations_join(self, call: _Call) -> JSONDict:
        channel = self._channel(call.params.get("channel"), for_bot=False)
        if channel.get("is_private") or channel.get("is_im"):
            raise SlackError("method_not_supported_for_channel_type")
        if channel.get("is_archived"):
            raise SlackError("is_archived")
        result: JSONDict = {}
        if channel.get("is_member"):
            result = {
                "warning": "already_in_channel",
                "response_metadata": {"warnings": ["already_in_channel"]},
            }
        channel["is_member"] = True
        return {"channel": self._public_channel(channel), **result}

    async def _conversations_open(self, call: _Call) -> JSONDict:
        users = [u for u in str(call.params.get("users", "")).split(",") if u]
        if len(users) != 1:
            raise SlackError("not_enough_users" if not users else "too_many_users")
        if users[0] not in self.users:
            raise SlackError("user_not_found")
        channel = self._open_im(users[0])
        return {"channel": {"id": channel["id"]}}

    async def _team_info(self, call: _Call) -> JSONDict:
        return {
            "team": {
                "id": self.team_id,
                "name": self.team_name,
                "url": f"https://{self.team_domain}.slack.com/",
                "domain": self.team_domain,
                "email_domain": "",
                "icon": {
                    "image_default": True,
                    "image_68": "https://a.slack-edge.com/fake/team_68.png",
                },
                "avatar_base_url": "https://ca.slack-edge.com/",
                "is_verified": False,
            }
        }

    async def _apps_connections_open(self, call: _Call) -> JSONDict:
        ticket = uuid.uuid4().hex
        self._tickets.add(ticket)
        return {"url": f"ws://127.0.0.1:{self._port}/link/?ticket={ticket}&app_id={self.app_id}"}


@contextlib.asynccontextmanager
async def running_fake_slack(**kwargs: Any) -> AsyncIterator[FakeSlack]:
    """Start a ``FakeSlack`` seeded with a couple of members and a public channel.

    Seeded: ``U0ASKER`` (member), ``U0ADMIN`` (workspace admin), ``C0GENERAL`` (#general,
    bot is a member). ``kwargs`` go to ``FakeSlack(...)``.
    """
    fake = FakeSlack(**kwargs)
    fake.add_user("U0ASKER", name="asker", real_name="Ada Asker")
    fake.add_user("U0ADMIN", name="admin", real_name="Grace Admin", is_admin=True)
    fake.add_channel("C0GENERAL", "general", is_general=True)
    await fake.start()
    try:
        yield fake
    finally:
        await fake.close()


@pytest_asyncio.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """Fixture form of ``running_fake_slack()``; re-export it from a conftest with
    ``from tests.fakes.slack_server import fake_slack  # noqa: F401``."""
    async with running_fake_slack() as fake:
        yield fake
