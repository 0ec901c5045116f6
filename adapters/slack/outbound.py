"""Everything the bot sends to Slack, with Slack's failures handled in one place.

By the time the adapter posts, the core has already committed; a Slack error must therefore
never propagate and never undo anything. The exception is the scheduler's deliveries
(`sender.py`): they use the `*_or_raise` calls, whose errors propagate so the delivery job is
retried later instead of lost. Rate limits are retried by slack_sdk's
`AsyncRateLimitErrorRetryHandler` (installed on the client by `app.build_app`); here,
`not_in_channel` gets one `conversations.join` (public channels only) and one retry, and any
other error (`channel_not_found`, `is_archived`, exhausted rate limits, network trouble) is one
log line and a `None` result. An interaction's response_url that does not take a message
(`ResponseUrl`) is one log line too, and the member is told another way: by direct message,
which says first where the rest of a reply went when the response_url had taken its start.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn
from urllib.parse import urlsplit

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

log = logging.getLogger(__name__)

Respond = Callable[..., Awaitable[Any]]


def describe_error(exc: Exception) -> str:
    """For a log line: Slack's `error` string for a refusal, else the exception itself."""

    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or exc)
    return repr(exc)


def error_code(exc: BaseException) -> str | None:
    """Slack's `error` string for a refused Web API call (None for anything else)."""

    if isinstance(exc, SlackApiError):
        return str(exc.response.get("error") or "") or None
    return None


# Slack's errors that pass by themselves, unlike an admin's business (`not_in_channel`, ...).
_PASSING = frozenset(
    {"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout"}
)


def passes(exc: BaseException) -> bool:
    """Whether a failed Web API call may work if made again later: a rate limit, Slack's own
    trouble (5xx), the network; not a refusal that is an admin's business (a missing scope,
    a channel the bot is not in, a revoked token)."""

    if isinstance(exc, SlackApiError):
        return error_code(exc) in _PASSING or exc.response.status_code >= 500
    return True  # the network, or no answer in time


# Where Slack's response_urls are (`https://hooks.slack.com/commands/...`, `.../actions/...`).
SLACK_HOOKS = ("https", "hooks.slack.com", 443)
_PORTS = {"https": 443, "http": 80}


def _origin(url: str) -> tuple[str, str, int] | None:
    """An http(s) address's scheme, host and port, lower-cased as URLs compare them; None
    for anything else."""

    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # (a port that is no number, a broken IPv6 host)
        return None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").rstrip(".")
    if scheme not in _PORTS or not host:
        return None
    return scheme, host, port or _PORTS[scheme]


def response_url_problem(url: str, api_base_url: str) -> str | None:
    """Why the app does not post to `url` as a response_url, or None when it does: it must
    be Slack's (https on `hooks.slack.com`) or on the Web API base URL's own scheme, host
    and port (`slack.api_base_url`: a proxy in front of Slack, a fake Slack in tests), the
    one place the app is told where Slack is. For a log line: names no more than the host."""

    origin = _origin(url)
    if origin is None:
        return "not an http(s) address"
    if origin in (SLACK_HOOKS, _origin(api_base_url)):
        return None
    return f"{origin[0]}://{origin[1]}:{origin[2]} is neither Slack's nor slack.api_base_url's"


# Slack: "You can use a response_url up to five times within 30 minutes."
RESPONSE_URL_USES = 5


class ResponseUrlUnusable(Exception):
    """A response_url took no more messages (already logged): tell the member another way."""


class ResponseUrl:
    """An interaction's `respond`, posting to its response_url, that raises
    `ResponseUrlUnusable` whenever the message was not taken.

    Bolt's `respond` (slack_sdk's `AsyncWebhookClient.send_dict`) returns Slack's answer
    instead of raising: a response_url past its 30 minutes (404 `expired_url`), one Slack
    refuses for any other reason, or Slack's own trouble (5xx) looked like a message shown.
    Here anything but a 2xx answer (or a JSON body with `"ok": false`), and an error in
    sending it, makes the response_url unusable; so does a sixth use, without asking Slack
    (it takes five). Unusable, it is not tried again: one warning line, naming the answer
    but never the URL (a bearer token). `app.register` wraps every listener's `respond` in
    one, so `SlackOut.private`, the one place that sends through it, falls back for all."""

    def __init__(self, send: Respond, url: str) -> None:
        self._send = send
        self._url = url
        self.uses = 0
        self.taken = 0  # messages Slack showed
        self.unusable: str | None = None  # why, once it is
        self._moved_on = False

    async def __call__(self, **message: Any) -> None:
        if self.unusable is None and self.uses >= RESPONSE_URL_USES:
            self._give_up(f"it was used {RESPONSE_URL_USES} times, Slack's limit")
        if self.unusable is not None:
            raise ResponseUrlUnusable(self.unusable)
        self.uses += 1
        try:
            answer = await self._send(**message)
        except Exception as exc:
            self._give_up(f"sending failed: {describe_error(exc)}", exc)
        refused = _refusal(answer)
        if refused:
            self._give_up(refused)
        self.taken += 1

    def moves_on(self) -> bool:
        """Whether a message sent another way now carries on a reply this response_url showed
        the start of: True once, for the first message after it became unusable, when it had
        taken one or more."""

        if self.unusable is None or self.taken == 0 or self._moved_on:
            return False
        self._moved_on = True
        return True

    def _give_up(self, why: str, cause: Exception | None = None) -> NoReturn:
        self.unusable = why.replace(self._url, "<response_url>")
        log.warning("Slack: a response_url took no more messages: %s", self.unusable)
        raise ResponseUrlUnusable(self.unusable) from cause


def _refusal(answer: object) -> str | None:
    """What is wrong with a response_url's answer (a `WebhookResponse`), or None when it
    took the message; an answer of another kind (a test's stand-in) is taken as taken."""

    status, body = getattr(answer, "status_code", None), getattr(answer, "body", None)
    body = body if isinstance(body, str) else ""
    failed = isinstance(status, int) and not 200 <= status < 300
    if not failed and body.startswith("{"):
        try:
            failed = json.loads(body).get("ok") is False
        except ValueError:
            pass
    return f"it answered {status} {body[:100]!r}" if failed else None


# Seconds a channel's name is kept before Slack is asked again (a channel may be renamed).
NAME_TTL = 60.0

# conversations.members: ids per page (Slack: "no larger than 1000"), and pages at most.
MEMBER_PAGE = 1000
MEMBER_PAGES = 20


class SlackOut:
    def __init__(
        self, client: AsyncWebClient, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.client = client
        self.clock = clock
        # A message's link never changes; a channel's name may (kept `NAME_TTL` seconds,
        # stamped). Both cost a call each.
        self._permalinks: dict[tuple[str, str], str] = {}
        self._channel_names: dict[str, tuple[float, str]] = {}

    async def _call(
        self, method: str, channel: str | None, **kwargs: Any
    ) -> AsyncSlackResponse | None:
        """`call_or_raise`, with a refusal logged and answered `None`."""

        try:
            return await self.call_or_raise(method, channel, **kwargs)
        except Exception as exc:
            log.warning("slack %s in %s failed: %s", method, channel, describe_error(exc))
            return None

    async def call_or_raise(
        self, method: str, channel: str | None, **kwargs: Any
    ) -> AsyncSlackResponse:
        """Call a Web API method; a refusal propagates (after one join-and-retry on
        `not_in_channel`); rate limits are already retried inside slack_sdk."""

        call = getattr(self.client, method.replace(".", "_"))
        args = {"channel": channel, **kwargs} if channel is not None else kwargs
        try:
            return await call(**args)  # type: ignore[no-any-return]
        except SlackApiError as exc:
            if error_code(exc) == "not_in_channel" and channel and await self.join(channel):
                return await call(**args)  # type: ignore[no-any-return]
            raise

    async def post_or_raise(
        self,
        channel: str,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str:
        kwargs: dict[str, Any] = {"text": text, "unfurl_links": False}
        if blocks:
            kwargs["blocks"] = blocks
        if metadata:
            kwargs["metadata"] = metadata
        if thread_ts:
            kwargs["thread_ts"] = thread_ts
        response = await self.call_or_raise("chat.postMessage", channel, **kwargs)
        return str(response["ts"])

    async def dm_or_raise(self, user: str, text: str) -> str:
        """A direct message from the app: `conversations.open`, then `chat.postMessage`."""

        opened = await self.client.conversations_open(users=user)
        channel = str((opened.get("channel") or {}).get("id") or "")
        if not channel:
            raise RuntimeError(f"conversations.open for {user} returned no channel")
        return await self.post_or_raise(channel, text)

    async def reaction_or_raise(self, channel: str, ts: str, name: str, *, on: bool) -> None:
        """Add or remove the bot's reaction; already so is fine, a vanished message too."""

        method = "reactions.add" if on else "reactions.remove"
        try:
            await self.call_or_raise(method, channel, timestamp=ts, name=name)
        except SlackApiError as exc:
            code = error_code(exc)
            if code in ("already_reacted", "no_reaction"):
                return
            if code == "message_not_found":
                log.warning("%s on %s:%s: the message is gone", method, channel, ts)
                return
            raise

    async def permalink(self, channel: str, ts: str) -> str | None:
        """A link to a message (`chat.getPermalink`, cached); None when Slack can't say."""

        key = (channel, ts)
        if key not in self._permalinks:
            response = await self._call("chat.getPermalink", channel, message_ts=ts)
            link = response.get("permalink") if response is not None else None
            if not isinstance(link, str) or not link:
                return None
            self._permalinks[key] = link
        return self._permalinks[key]

    async def channel_name(self, channel: str) -> str | None:
        """A channel's name (`conversations.info`), kept `NAME_TTL` seconds, so a renamed
        channel is soon called by its new one; when Slack can't say, the name it gave last,
        or None (a DM has none)."""

        cached = self._channel_names.get(channel)
        if cached and self.clock() - cached[0] < NAME_TTL:
            return cached[1]
        response = await self._call("conversations.info", channel)
        name = (response.get("channel") or {}).get("name") if response is not None else None
        if not isinstance(name, str) or not name:
            return cached[1] if cached else None
        self._channel_names[channel] = (self.clock(), name)
        return name

    def renamed(self, channel: str, name: str) -> None:
        """Slack said a channel is now called `name` (`channel_rename`, `group_rename`)."""

        self._channel_names[channel] = (self.clock(), name)

    async def channel_info(self, channel: str) -> dict[str, Any] | None:
        """A channel as `conversations.info` has it now (not cached: whether it is archived
        or private may change); None when Slack can't say (a private channel without the
        bot is `channel_not_found`)."""

        response = await self._call("conversations.info", channel)
        found = response.get("channel") if response is not None else None
        return dict(found) if isinstance(found, dict) else None

    async def has_member(self, channel: str, user: str) -> bool | None:
        """Whether `user` is in `channel` (`conversations.members`, page by page), or None
        when Slack can't say."""

        cursor = ""
        for _ in range(MEMBER_PAGES):
            kwargs: dict[str, Any] = {"limit": MEMBER_PAGE}
            if cursor:
                kwargs["cursor"] = cursor
            response = await self._call("conversations.members", channel, **kwargs)
            if response is None:
                return None
            if user in (response.get("members") or ()):
                return True
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return False
        log.warning("conversations.members of %s: more than %d pages", channel, MEMBER_PAGES)
        return None

    async def join(self, channel: str) -> bool:
        """Join a public channel once so the bot can post there; private ones need an invite."""

        try:
            await self.client.conversations_join(channel=channel)
        except Exception as exc:
            log.warning(
                "cannot join %s (%s): invite the bot to the channel", channel, describe_error(exc)
            )
            return False
        log.info("joined %s to post there", channel)
        return True

    async def post(
        self,
        channel: str,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> str | None:
        """Post a message (`metadata`: Slack message metadata); returns its ts, or None when
        Slack refused."""

        try:
            return await self.post_or_raise(
                channel, text, blocks=blocks, thread_ts=thread_ts, metadata=metadata
            )
        except Exception as exc:
            log.warning("slack chat.postMessage in %s failed: %s", channel, describe_error(exc))
            return None

    async def delete(self, channel: str, ts: str) -> bool:
        """Delete one of the bot's messages; whether it is gone (also when it already was:
        `message_not_found`). A refusal is one log line."""

        try:
            await self.call_or_raise("chat.delete", channel, ts=ts)
        except Exception as exc:
            if error_code(exc) == "message_not_found":
                return True
            log.warning(
                "slack chat.delete of %s in %s failed: %s", ts, channel, describe_error(exc)
            )
            return False
        return True

    async def update(
        self,
        channel: str,
        ts: str,
        text: str,
        *,
        blocks: list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> bool:
        """Edit one of the bot's messages (`metadata` replaces its Slack message metadata;
        without it, Slack leaves the metadata as it was); False when Slack refused."""

        kwargs: dict[str, Any] = {"ts": ts, "text": text}
        if blocks is not None:
            kwargs["blocks"] = blocks
        if metadata is not None:
            kwargs["metadata"] = metadata
        return await self._call("chat.update", channel, **kwargs) is not None

    async def private(
        self,
        user: str,
        text: str,
        *,
        channel: str | None = None,
        thread_ts: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
        respond: Respond | None = None,
        continued: str | None = None,
    ) -> bool:
        """Tell one member something only they see.

        Tries, in order: an ephemeral message in `channel` (in the thread when given), the
        interaction's `respond` (response_url; see `ResponseUrl` for when it is taken as
        refused), a direct message. Returns whether one worked.

        `continued` is the line a direct message is preceded by when the response_url showed
        the first parts of this reply and then stopped taking them: the member sees the start
        where they used the app, and would not know the rest is in their DMs. It is a message
        of its own, since a part may already be as long as Slack takes.
        """

        extra: dict[str, Any] = {"blocks": blocks} if blocks else {}
        if channel:
            kwargs: dict[str, Any] = {"user": user, "text": text, **extra}
            if thread_ts:
                kwargs["thread_ts"] = thread_ts
            if await self._call("chat.postEphemeral", channel, **kwargs) is not None:
                return True
        if respond is not None:
            try:
                await respond(text=text, response_type="ephemeral", replace_original=False, **extra)
                return True
            except ResponseUrlUnusable:
                pass  # (logged once, where it was found so)
            except Exception as exc:
                log.warning("response_url reply failed: %s", describe_error(exc))
            if continued and isinstance(respond, ResponseUrl) and respond.moves_on():
                await self.post(user, continued)
        return await self.post(user, text, blocks=blocks) is not None

    async def reaction(self, channel: str, ts: str, name: str, *, on: bool) -> None:
        """`reaction_or_raise`, with a refusal logged."""

        try:
            await self.reaction_or_raise(channel, ts, name, on=on)
        except Exception as exc:
            log.warning("reaction %s on %s:%s failed: %s", name, channel, ts, describe_error(exc))

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> bool:
        try:
            await self.client.views_open(trigger_id=trigger_id, view=view)
            return True
        except Exception as exc:
            log.warning("views.open failed: %s", describe_error(exc))
            return False

    async def update_view(self, view_id: str, view: dict[str, Any], hash_: str | None) -> None:
        try:
            if hash_:
                await self.client.views_update(view_id=view_id, view=view, hash=hash_)
            else:
                await self.client.views_update(view_id=view_id, view=view)
        except Exception as exc:
            log.warning("views.update failed: %s", describe_error(exc))

    async def publish_home(self, user: str, view: dict[str, Any]) -> None:
        try:
            await self.client.views_publish(user_id=user, view=view)
        except Exception as exc:
            log.warning("views.publish for %s failed: %s", user, describe_error(exc))
