"""Builders for the payloads Slack sends to an app, plus Slack's v0 request signing.

Why this exists: end-to-end tests drive the real slack-bolt ``AsyncApp`` and need inbound
requests that look like Slack's -- same field names, nesting, encodings and headers -- so that
the adapter is exercised the way production traffic exercises it. Everything here is a pure
function returning plain ``dict``/``bytes``; the fake Web API server lives in
``tests.fakes.slack_server``.

Shapes follow Slack's public documentation (Events API ``event_callback`` envelopes, slash
command form fields, interactivity ``payload`` JSON, Socket Mode envelopes). Builders fill
realistic defaults (ids, timestamps) and take keyword overrides; ``**extra`` on most builders
is merged last so a test can add or replace any field.

Deliberately not modelled: Enterprise Grid fields beyond ``enterprise_id``/``is_enterprise_install``
set to "not an enterprise install", Slack Connect (``is_ext_shared_channel`` is always false
unless overridden), files/attachments in events, workflow steps, ``block_suggestion`` options
requests, and legacy ``interactive_message`` (attachment buttons).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp

# Defaults shared with ``FakeSlack`` so builders and the fake agree on the workspace by default.
TEAM_ID = "T0FAKETEAM"
TEAM_DOMAIN = "fake-community"
APP_ID = "A0FAKEAPP"
BOT_USER_ID = "U0FAKEBOT"
BOT_ID = "B0FAKEBOT"
VERIFICATION_TOKEN = "fake-verification-token"  # legacy field Slack still sends in bodies
SIGNING_SECRET = "fake-signing-secret"

JSON_CONTENT_TYPE = "application/json"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"

_counter = itertools.count(1)


# --------------------------------------------------------------------------------------------
# ids and timestamps
# --------------------------------------------------------------------------------------------


def make_ts(at: float | None = None) -> str:
    """A Slack message timestamp (``"1700000000.000123"``), unique within this process."""
    seconds = int(time.time() if at is None else at)
    return f"{seconds}.{next(_counter) % 1_000_000:06d}"


def make_event_id() -> str:
    """An Events API ``event_id`` (``Ev`` + 9-10 upper-case alphanumerics in practice)."""
    return "Ev" + uuid.uuid4().hex[:10].upper()


def make_trigger_id() -> str:
    """A trigger id shaped like Slack's (``"<digits>.<digits>.<hex>"``)."""
    return f"{int(time.time() * 1000)}.{next(_counter)}.{uuid.uuid4().hex}"


def make_envelope_id() -> str:
    """A Socket Mode envelope id (Slack uses UUIDs)."""
    return str(uuid.uuid4())


def _action_ts() -> str:
    return f"{time.time():.6f}"


# --------------------------------------------------------------------------------------------
# signing and encodings
# --------------------------------------------------------------------------------------------


def compute_signature(body: bytes, secret: str, timestamp: int | str) -> str:
    """``"v0=" + hex(HMAC-SHA256(secret, "v0:{timestamp}:{body}"))``."""
    basestring = b"v0:" + str(timestamp).encode() + b":" + body
    digest = hmac.new(secret.encode(), basestring, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def sign(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Headers Slack adds to every HTTP request it sends an app (v0 request signing).

    ``timestamp`` defaults to now; pass an old one (e.g. ``int(time.time()) - 600``) to test
    replay protection (Bolt rejects anything more than 5 minutes off).
    """
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return {
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": compute_signature(body, secret, ts),
    }


def retry_headers(retry_num: int, reason: str = "http_timeout") -> dict[str, str]:
    """Headers Slack adds when it redelivers an Events API request over HTTP.

    Documented reasons: ``http_timeout``, ``too_many_redirects``, ``ssl_error``, ``http_error``,
    ``connection_failed``, ``unknown_error``.
    """
    return {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": reason}


def json_body(payload: Mapping[str, Any]) -> bytes:
    """Body for Events API requests (``Content-Type: application/json``)."""
    return json.dumps(payload).encode()


def form_body(fields: Mapping[str, Any]) -> bytes:
    """Body for slash commands (``application/x-www-form-urlencoded``)."""
    return urlencode({k: _form_value(v) for k, v in fields.items() if v is not None}).encode()


def interactive_body(payload: Mapping[str, Any]) -> bytes:
    """Body for interactivity: a single form field ``payload`` holding JSON."""
    return urlencode({"payload": json.dumps(payload)}).encode()


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass(frozen=True)
class SignedRequest:
    """A ready-to-send HTTP request as Slack would deliver it to an app."""

    body: bytes
    headers: dict[str, str]

    @property
    def content_type(self) -> str:
        return self.headers["Content-Type"]


def signed_request(
    body: bytes,
    content_type: str,
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> SignedRequest:
    """Body plus Content-Type, signature and (optional) retry headers."""
    headers = {"Content-Type": content_type, **sign(body, secret, timestamp)}
    if retry_num is not None:
        headers.update(retry_headers(retry_num, retry_reason))
    return SignedRequest(body=body, headers=headers)


def signed_event(payload: Mapping[str, Any], **kwargs: Any) -> SignedRequest:
    """An Events API / url_verification payload, JSON-encoded and signed."""
    return signed_request(json_body(payload), JSON_CONTENT_TYPE, **kwargs)


def signed_command(fields: Mapping[str, Any], **kwargs: Any) -> SignedRequest:
    """A slash command, form-encoded and signed."""
    return signed_request(form_body(fields), FORM_CONTENT_TYPE, **kwargs)


def signed_interaction(payload: Mapping[str, Any], **kwargs: Any) -> SignedRequest:
    """An interactivity payload (``payload=<json>``), form-encoded and signed."""
    return signed_request(interactive_body(payload), FORM_CONTENT_TYPE, **kwargs)


@dataclass(frozen=True)
class Delivery:
    """What the app answered to a delivered request."""

    status: int
    headers: Mapping[str, str]
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


async def deliver(
    url: str,
    request: SignedRequest,
    *,
    session: aiohttp.ClientSession | None = None,
    timeout: float = 5.0,  # noqa: ASYNC109
) -> Delivery:
    """POST a signed request to an app endpoint, the way Slack's HTTP delivery does.

    Slack gives an app 3 seconds to answer; ``timeout`` is kept separate so a test can
    measure the ack time itself rather than have delivery fail.
    """
    owned = session is None
    client = session or aiohttp.ClientSession()
    try:
        async with client.post(
            url,
            data=request.body,
            headers=request.headers,
            timeout=aiohttp.ClientTimeout(total=timeout),
        ) as resp:
            return Delivery(status=resp.status, headers=dict(resp.headers), text=await resp.text())
    finally:
        if owned:
            await client.close()


# --------------------------------------------------------------------------------------------
# Events API
# --------------------------------------------------------------------------------------------


def event_callback(
    event: Mapping[str, Any],
    *,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    bot_user_id: str = BOT_USER_ID,
    event_id: str | None = None,
    event_time: int | None = None,
    token: str = VERIFICATION_TOKEN,
    is_ext_shared_channel: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """The outer ``event_callback`` envelope Slack wraps every Events API event in."""
    body: dict[str, Any] = {
        "token": token,
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": dict(event),
        "type": "event_callback",
        "event_id": event_id or make_event_id(),
        "event_time": int(time.time()) if event_time is None else event_time,
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": is_ext_shared_channel,
        "event_context": "4-" + uuid.uuid4().hex,
    }
    body.update(extra)
    return body


def url_verification(
    challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    *,
    token: str = VERIFICATION_TOKEN,
) -> dict[str, Any]:
    """The handshake Slack sends when a Request URL is saved; the app echoes ``challenge``."""
    return {"token": token, "challenge": challenge, "type": "url_verification"}


def message_event(
    *,
    channel: str,
    user: str,
    text: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    parent_user_id: str | None = None,
    channel_type: str = "channel",
    team: str = TEAM_ID,
    subtype: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A ``message`` event: top-level when ``thread_ts`` is None, otherwise a thread reply.

    ``channel_type`` is ``channel`` (public), ``group`` (private), ``im`` or ``mpim``.
    """
    ts = ts or make_ts()
    event: dict[str, Any] = {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "channel_type": channel_type,
        "team": team,
        "client_msg_id": str(uuid.uuid4()),
        "blocks": [_rich_text_block(text)],
    }
    if subtype is not None:
        event["subtype"] = subtype
    _in_thread(event, thread_ts, parent_user_id)
    event.update(extra)
    return event


def _in_thread(message: dict[str, Any], thread_ts: str | None, parent_user_id: str | None) -> None:
    """A reply's fields: its thread's root ``ts`` and, when given, the root's author."""
    if thread_ts is not None:
        message["thread_ts"] = thread_ts
        if parent_user_id is not None:
            message["parent_user_id"] = parent_user_id


def file_object(name: str = "screenshot.png", *, user: str = "U0ASKER") -> dict[str, Any]:
    """A file as a ``file_share`` message carries it (the usual fields of a ``files`` item)."""
    file_id = "F" + uuid.uuid4().hex[:10].upper()
    return {
        "id": file_id,
        "created": int(time.time()),
        "timestamp": int(time.time()),
        "name": name,
        "title": name,
        "mimetype": "image/png",
        "filetype": "png",
        "pretty_type": "PNG",
        "user": user,
        "user_team": TEAM_ID,
        "editable": False,
        "size": 12345,
        "mode": "hosted",
        "is_external": False,
        "external_type": "",
        "is_public": True,
        "public_url_shared": False,
        "display_as_bot": False,
        "username": "",
        "url_private": f"https://files.slack.com/files-pri/{TEAM_ID}-{file_id}/{name}",
        "permalink": f"https://fake.slack.com/files/{user}/{file_id}/{name}",
    }


def file_share_event(
    *,
    channel: str,
    user: str,
    files: list[dict[str, Any]],
    text: str = "",
    ts: str | None = None,
    thread_ts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A ``message`` event with ``subtype: file_share``: a member uploaded files, with a caption
    in ``text`` or none (``""``); ``upload`` and ``display_as_bot`` as Slack sends them, and no
    rich-text blocks when there is no caption."""
    event = message_event(
        channel=channel, user=user, text=text, ts=ts, thread_ts=thread_ts,
        subtype="file_share", files=files, upload=True, display_as_bot=False, **extra,
    )  # fmt: skip
    if not text:
        del event["blocks"]
    return event


def _rich_text_block(text: str) -> dict[str, Any]:
    return {
        "type": "rich_text",
        "block_id": uuid.uuid4().hex[:5],
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }


def bot_message_event(
    *,
    channel: str,
    text: str,
    bot_id: str = BOT_ID,
    username: str = "communitybot",
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: str = "channel",
    **extra: Any,
) -> dict[str, Any]:
    """A ``message`` event with ``subtype: bot_message`` (e.g. from an integration)."""
    ts = ts or make_ts()
    event: dict[str, Any] = {
        "type": "message",
        "subtype": "bot_message",
        "text": text,
        "ts": ts,
        "event_ts": ts,
        "bot_id": bot_id,
        "username": username,
        "channel": channel,
        "channel_type": channel_type,
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def message_changed_event(
    *,
    channel: str,
    user: str,
    ts: str,
    new_text: str,
    old_text: str,
    thread_ts: str | None = None,
    parent_user_id: str | None = None,
    channel_type: str = "channel",
    edited_at: str | None = None,
    edited: bool = True,
    editor: str | None = None,
    files: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    bot_id: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """``subtype: message_changed`` (https://api.slack.com/events/message/message_changed):
    the message as it is now under ``message``, as it was under ``previous_message``, and
    ``hidden: true``. ``edited`` (``{user, ts}``, ``editor`` default the author) is there
    when a person changed the text; Slack also sends this event when it adds link previews
    (``attachments``, the text unchanged), then without ``edited``. ``files`` stay on both
    messages; ``bot_id`` marks a bot's message."""
    event_ts = edited_at or make_ts()
    message: dict[str, Any] = {
        "type": "message",
        "user": user,
        "text": new_text,
        "ts": ts,
        "team": TEAM_ID,
        "client_msg_id": str(uuid.uuid4()),
        "blocks": [_rich_text_block(new_text)],
    }
    if edited:
        message["edited"] = {"user": editor or user, "ts": event_ts}
    previous: dict[str, Any] = {
        "type": "message",
        "user": user,
        "text": old_text,
        "ts": ts,
        "team": TEAM_ID,
        "client_msg_id": message["client_msg_id"],
        "blocks": [_rich_text_block(old_text)],
    }
    for msg in (message, previous):
        _in_thread(msg, thread_ts, parent_user_id)
        if files is not None:
            msg["files"] = files
            msg["upload"] = False
        if bot_id is not None:
            msg["bot_id"] = bot_id
    if attachments is not None:
        message["attachments"] = attachments
    return _message_changed(message, previous, channel, channel_type, event_ts, extra)


def _message_changed(
    message: dict[str, Any],
    previous: dict[str, Any],
    channel: str,
    channel_type: str,
    event_ts: str,
    extra: Mapping[str, Any],
) -> dict[str, Any]:
    """The hidden ``message_changed`` envelope around a message as it is and as it was."""
    event: dict[str, Any] = {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "message": message,
        "previous_message": previous,
        "channel": channel,
        "ts": event_ts,
        "event_ts": event_ts,
        "channel_type": channel_type,
    }
    event.update(extra)
    return event


def unfurl_attachment(url: str, title: str = "A linked page") -> dict[str, Any]:
    """A link preview as Slack adds it to a message (``attachments`` item)."""
    return {
        "id": 1,
        "from_url": url,
        "original_url": url,
        "title": title,
        "title_link": url,
        "text": f"What {url} is about.",
        "fallback": title,
        "service_name": url.split("/")[2] if "://" in url else url,
    }


def message_deleted_event(
    *,
    channel: str,
    deleted_ts: str,
    previous_message: Mapping[str, Any] | None = None,
    channel_type: str = "channel",
    **extra: Any,
) -> dict[str, Any]:
    """``subtype: message_deleted``
    (https://docs.slack.dev/reference/events/message/message_deleted): ``deleted_ts`` is the
    deleted message's ``ts``, ``hidden: true``; ``previous_message`` is the message as it was
    (Slack leaves it out of its own example; in practice it is there). Slack does not say who
    deleted it. A thread's parent that still has replies is not deleted this way: see
    ``tombstone_event``."""
    event_ts = make_ts()
    event: dict[str, Any] = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": channel,
        "ts": event_ts,
        "deleted_ts": deleted_ts,
        "event_ts": event_ts,
        "channel_type": channel_type,
    }
    if previous_message is not None:
        event["previous_message"] = dict(previous_message)
    event.update(extra)
    return event


TOMBSTONE_TEXT = "This message was deleted."
SLACKBOT = "USLACKBOT"


def tombstone_message(deleted: Mapping[str, Any]) -> dict[str, Any]:
    """What stands in for ``deleted``, a thread parent that still has replies: a hidden
    ``subtype: tombstone`` message by Slackbot, its ``ts`` and thread fields kept."""
    ts = str(deleted["ts"])
    users = list(deleted.get("reply_users") or ())
    return {
        "type": "message",
        "subtype": "tombstone",
        "text": TOMBSTONE_TEXT,
        "user": SLACKBOT,
        "hidden": True,
        "ts": ts,
        "thread_ts": ts,
        "parent_user_id": SLACKBOT,
        "reply_count": int(deleted.get("reply_count") or 1),
        "reply_users_count": len(users),
        "latest_reply": str(deleted.get("latest_reply") or ts),
        "reply_users": users,
        "is_locked": False,
        "subscribed": False,
    }


def tombstone_event(
    *,
    channel: str,
    previous_message: Mapping[str, Any],
    channel_type: str = "channel",
    **extra: Any,
) -> dict[str, Any]:
    """How Slack tells of a deleted thread parent that has replies: not ``message_deleted``
    but ``message_changed``, whose ``message`` is the tombstone left in its place
    (``tombstone_message``) and ``previous_message`` the message as it was. (When its last
    reply goes, Slack sends ``message_deleted`` for the tombstone itself.)"""
    previous = dict(previous_message)
    message = tombstone_message(previous)
    return _message_changed(message, previous, channel, channel_type, make_ts(), extra)


def app_mention_event(
    *,
    channel: str,
    user: str,
    text: str,
    ts: str | None = None,
    thread_ts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """An ``app_mention`` event (text normally contains ``<@BOT_USER_ID>``)."""
    ts = ts or make_ts()
    event: dict[str, Any] = {
        "type": "app_mention",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        "team": TEAM_ID,
        "client_msg_id": str(uuid.uuid4()),
    }
    if thread_ts is not None:
        event["thread_ts"] = thread_ts
    event.update(extra)
    return event


def reaction_added_event(
    *,
    user: str,
    reaction: str,
    channel: str,
    message_ts: str,
    item_user: str | None = None,
    event_ts: str | None = None,
    removed: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """``reaction_added`` (or ``reaction_removed`` with ``removed=True``) on a message."""
    event: dict[str, Any] = {
        "type": "reaction_removed" if removed else "reaction_added",
        "user": user,
        "reaction": reaction,
        "item": {"type": "message", "channel": channel, "ts": message_ts},
        "event_ts": event_ts or make_ts(),
    }
    if item_user is not None:
        event["item_user"] = item_user
    event.update(extra)
    return event


def reaction_removed_event(**kwargs: Any) -> dict[str, Any]:
    """``reaction_removed``; same arguments as :func:`reaction_added_event`."""
    return reaction_added_event(removed=True, **kwargs)


def app_home_opened_event(
    *,
    user: str,
    channel: str = "D0FAKEHOME",
    tab: str = "home",
    view: Mapping[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """``app_home_opened``; ``view`` is present only once the app has published a Home view."""
    event: dict[str, Any] = {
        "type": "app_home_opened",
        "user": user,
        "channel": channel,
        "tab": tab,
        "event_ts": make_ts(),
    }
    if view is not None:
        event["view"] = dict(view)
    event.update(extra)
    return event


def member_joined_channel_event(
    *,
    user: str,
    channel: str,
    channel_type: str = "C",
    inviter: str | None = None,
    team: str = TEAM_ID,
    **extra: Any,
) -> dict[str, Any]:
    """``member_joined_channel``; ``channel_type`` is ``C`` (public) or ``G`` (private)."""
    event: dict[str, Any] = {
        "type": "member_joined_channel",
        "user": user,
        "channel": channel,
        "channel_type": channel_type,
        "team": team,
        "event_ts": make_ts(),
    }
    if inviter is not None:
        event["inviter"] = inviter
    event.update(extra)
    return event


def channel_deleted_event(*, channel: str, private: bool = False) -> dict[str, Any]:
    """``channel_deleted`` (``group_deleted`` with ``private=True``: a private channel):
    no more than the channel's id."""
    return {"type": "group_deleted" if private else "channel_deleted", "channel": channel}


def channel_rename_event(
    *, channel: str, name: str, private: bool = False, created: int = 1_700_000_000
) -> dict[str, Any]:
    """``channel_rename`` (``group_rename`` with ``private=True``): the channel's id, its new
    name and when it was made, as documented."""
    return {
        "type": "group_rename" if private else "channel_rename",
        "channel": {"id": channel, "name": name, "created": created},
    }


# --------------------------------------------------------------------------------------------
# Slash commands
# --------------------------------------------------------------------------------------------


def slash_command(
    *,
    command: str,
    text: str = "",
    user_id: str,
    user_name: str | None = None,
    channel_id: str,
    channel_name: str = "general",
    response_url: str = "https://hooks.slack.com/commands/T0FAKETEAM/1/fake",
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    team_domain: str = TEAM_DOMAIN,
    api_app_id: str = APP_ID,
    token: str = VERIFICATION_TOKEN,
    **extra: Any,
) -> dict[str, str]:
    """The form fields of a slash command invocation (encode with :func:`form_body`).

    In Socket Mode Slack sends the same fields as a JSON object in the envelope payload.
    """
    fields: dict[str, str] = {
        "token": token,
        "team_id": team_id,
        "team_domain": team_domain,
        "channel_id": channel_id,
        "channel_name": channel_name,
        "user_id": user_id,
        "user_name": user_name or user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": api_app_id,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": trigger_id or make_trigger_id(),
    }
    fields.update({k: _form_value(v) for k, v in extra.items()})
    return fields


# --------------------------------------------------------------------------------------------
# Interactivity
# --------------------------------------------------------------------------------------------


def _user(user_id: str, team_id: str, username: str | None = None) -> dict[str, str]:
    name = username or user_id.lower()
    return {"id": user_id, "username": name, "name": name, "team_id": team_id}


def _team(team_id: str) -> dict[str, str]:
    return {"id": team_id, "domain": TEAM_DOMAIN}


def message_shortcut(
    *,
    callback_id: str,
    user_id: str,
    channel_id: str,
    message: Mapping[str, Any],
    channel_name: str = "general",
    response_url: str = "https://hooks.slack.com/app/T0FAKETEAM/1/fake",
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    **extra: Any,
) -> dict[str, Any]:
    """A message shortcut (``type: message_action``) on ``message`` (see :func:`shortcut_message`)."""
    payload: dict[str, Any] = {
        "type": "message_action",
        "token": VERIFICATION_TOKEN,
        "action_ts": _action_ts(),
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "channel": {"id": channel_id, "name": channel_name},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or make_trigger_id(),
        "response_url": response_url,
        "message_ts": message["ts"],
        "message": dict(message),
    }
    payload.update(extra)
    return payload


message_action = message_shortcut


def shortcut_message(
    *, user: str, text: str, ts: str | None = None, thread_ts: str | None = None, **extra: Any
) -> dict[str, Any]:
    """The ``message`` object embedded in shortcut / block_actions payloads."""
    msg: dict[str, Any] = {
        "type": "message",
        "user": user,
        "ts": ts or make_ts(),
        "text": text,
        "team": TEAM_ID,
        "client_msg_id": str(uuid.uuid4()),
    }
    if thread_ts is not None:
        msg["thread_ts"] = thread_ts
    msg.update(extra)
    return msg


def global_shortcut(
    *,
    callback_id: str,
    user_id: str,
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    **extra: Any,
) -> dict[str, Any]:
    """A global shortcut (``type: shortcut``); note: no channel and no response_url."""
    payload: dict[str, Any] = {
        "type": "shortcut",
        "token": VERIFICATION_TOKEN,
        "action_ts": _action_ts(),
        "team": _team(team_id),
        "user": {"id": user_id, "username": user_id.lower(), "team_id": team_id},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": callback_id,
        "trigger_id": trigger_id or make_trigger_id(),
    }
    payload.update(extra)
    return payload


def button(
    action_id: str, value: str = "", *, block_id: str | None = None, text: str = "Button"
) -> dict[str, Any]:
    """One entry of ``actions`` for a clicked button."""
    return {
        "action_id": action_id,
        "block_id": block_id or uuid.uuid4().hex[:5],
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "value": value,
        "type": "button",
        "action_ts": _action_ts(),
    }


def block_actions(
    *,
    user_id: str,
    actions: Iterable[Mapping[str, Any]],
    channel_id: str | None = None,
    message: Mapping[str, Any] | None = None,
    view: Mapping[str, Any] | None = None,
    channel_name: str = "general",
    response_url: str = "https://hooks.slack.com/actions/T0FAKETEAM/1/fake",
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    is_ephemeral: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """``block_actions`` from a message (pass ``channel_id`` + ``message``) or a view
    (pass ``view``, e.g. App Home or a modal; such payloads carry no ``response_url``)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": _user(user_id, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or make_trigger_id(),
        "team": _team(team_id),
        "enterprise": None,
        "is_enterprise_install": False,
        "actions": [dict(a) for a in actions],
    }
    if view is not None:
        payload["container"] = {"type": "view", "view_id": view.get("id", "V0FAKEVIEW")}
        payload["view"] = dict(view)
        payload["state"] = view.get("state", {"values": {}})
    else:
        if channel_id is None or message is None:
            raise ValueError("block_actions needs channel_id and message, or view")
        payload["container"] = {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel_id,
            "is_ephemeral": is_ephemeral,
        }
        payload["channel"] = {"id": channel_id, "name": channel_name}
        payload["message"] = dict(message)
        payload["state"] = {"values": {}}
        payload["response_url"] = response_url
    payload.update(extra)
    return payload


# state.values entries for view_submission / block_actions -------------------------------------


def plain_text_value(value: str | None) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value}


def static_select_value(value: str, text: str | None = None) -> dict[str, Any]:
    return {
        "type": "static_select",
        "selected_option": {
            "text": {"type": "plain_text", "text": text or value, "emoji": True},
            "value": value,
        },
    }


def users_select_value(user: str | None) -> dict[str, Any]:
    return {"type": "users_select", "selected_user": user}


def multi_users_select_value(users: Iterable[str]) -> dict[str, Any]:
    return {"type": "multi_users_select", "selected_users": list(users)}


def conversations_select_value(conversation: str | None) -> dict[str, Any]:
    return {"type": "conversations_select", "selected_conversation": conversation}


def view_object(
    *,
    callback_id: str = "",
    private_metadata: str = "",
    values: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    view_id: str | None = None,
    view_type: str = "modal",
    blocks: Iterable[Mapping[str, Any]] = (),
    title: str = "Modal",
    team_id: str = TEAM_ID,
    app_id: str = APP_ID,
    bot_id: str = BOT_ID,
    **extra: Any,
) -> dict[str, Any]:
    """A view as Slack echoes it back in interaction payloads."""
    vid = view_id or "V" + uuid.uuid4().hex[:10].upper()
    view: dict[str, Any] = {
        "id": vid,
        "team_id": team_id,
        "type": view_type,
        "blocks": [dict(b) for b in blocks],
        "private_metadata": private_metadata,
        "callback_id": callback_id,
        "state": {
            "values": {
                b: {a: dict(v) for a, v in acts.items()} for b, acts in (values or {}).items()
            }
        },
        "hash": f"{int(time.time())}.{uuid.uuid4().hex[:8]}",
        "clear_on_close": False,
        "notify_on_close": False,
        "root_view_id": vid,
        "previous_view_id": None,
        "app_id": app_id,
        "external_id": "",
        "app_installed_team_id": team_id,
        "bot_id": bot_id,
    }
    if view_type == "modal":
        view["title"] = {"type": "plain_text", "text": title, "emoji": True}
        view["close"] = {"type": "plain_text", "text": "Cancel", "emoji": True}
        view["submit"] = {"type": "plain_text", "text": "Submit", "emoji": True}
    view.update(extra)
    return view


def view_submission(
    *,
    user_id: str,
    view: Mapping[str, Any] | None = None,
    callback_id: str = "",
    private_metadata: str = "",
    values: Mapping[str, Mapping[str, Mapping[str, Any]]] | None = None,
    trigger_id: str | None = None,
    team_id: str = TEAM_ID,
    api_app_id: str = APP_ID,
    response_urls: Iterable[Mapping[str, Any]] = (),
    **extra: Any,
) -> dict[str, Any]:
    """``view_submission``: pass a full ``view`` (e.g. the one ``views.open`` returned from the
    fake) or let one be built from ``callback_id`` / ``private_metadata`` / ``values``.

    ``values`` is ``{block_id: {action_id: <plain_text_value(...) etc.>}}``.
    """
    if view is None:
        view = view_object(
            callback_id=callback_id, private_metadata=private_metadata, values=values
        )
    elif values is not None:
        view = {**view, "state": {"values": {b: dict(a) for b, a in values.items()}}}
    payload: dict[str, Any] = {
        "type": "view_submission",
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "api_app_id": api_app_id,
        "token": VERIFICATION_TOKEN,
        "trigger_id": trigger_id or make_trigger_id(),
        "view": dict(view),
        "response_urls": [dict(r) for r in response_urls],
        "is_enterprise_install": False,
        "enterprise": None,
    }
    payload.update(extra)
    return payload


def view_closed(
    *, user_id: str, view: Mapping[str, Any], team_id: str = TEAM_ID, **extra: Any
) -> dict[str, Any]:
    """``view_closed`` (only sent when the view had ``notify_on_close: true``)."""
    payload: dict[str, Any] = {
        "type": "view_closed",
        "team": _team(team_id),
        "user": _user(user_id, team_id),
        "api_app_id": APP_ID,
        "token": VERIFICATION_TOKEN,
        "view": dict(view),
        "is_cleared": False,
        "is_enterprise_install": False,
        "enterprise": None,
    }
    payload.update(extra)
    return payload


# --------------------------------------------------------------------------------------------
# Socket Mode
# --------------------------------------------------------------------------------------------

_ENVELOPE_TYPES = {"events_api", "slash_commands", "interactive"}


def socket_envelope(
    payload: Mapping[str, Any],
    envelope_type: str | None = None,
    *,
    envelope_id: str | None = None,
    retry_attempt: int = 0,
    retry_reason: str = "",
    accepts_response_payload: bool | None = None,
) -> dict[str, Any]:
    """Wrap a payload the way Slack does over Socket Mode.

    ``envelope_type`` is inferred when omitted: ``event_callback`` -> ``events_api``, a dict
    with ``command`` -> ``slash_commands``, anything else -> ``interactive``. Slack sets
    ``accepts_response_payload`` false for events and true for commands and interactions
    (the ack may then carry a response body, e.g. ``response_action: errors``).
    Events carry ``retry_attempt``/``retry_reason``; commands and interactions don't.
    """
    if envelope_type is None:
        if payload.get("type") == "event_callback":
            envelope_type = "events_api"
        elif "command" in payload:
            envelope_type = "slash_commands"
        else:
            envelope_type = "interactive"
    if envelope_type not in _ENVELOPE_TYPES:
        raise ValueError(f"unknown envelope type {envelope_type!r}")
    envelope: dict[str, Any] = {
        "envelope_id": envelope_id or make_envelope_id(),
        "type": envelope_type,
        "payload": dict(payload),
        "accepts_response_payload": (
            envelope_type != "events_api"
            if accepts_response_payload is None
            else accepts_response_payload
        ),
    }
    if envelope_type == "events_api":
        envelope["retry_attempt"] = retry_attempt
        envelope["retry_reason"] = retry_reason
    return envelope
