"""Whether a Slack payload has the shape Bolt and our listeners read it in.

Slack signs what it sends, so a payload that gets here is trusted, but a signature says
nothing about its shape: an `actions` that is a string, a `view` that is no object, a `user`
object where Bolt wants an id. Bolt's own matchers read `actions[0]["action_id"]` and
`view["callback_id"]`, and our listeners read the fields below as the types named here, so a
payload with any of them of another type crashed in Bolt or in a listener: a traceback, a 500
and no acknowledgement for a button or a form, or a question recorded from half-read data.

`problem` is asked once, by the runner, before Bolt sees a payload (over HTTP and over Socket
Mode alike; the runner only parses the HTTP body); one that has a problem is refused with one
log line naming the field and reaches no listener. Only the fields the bot reads are checked,
and only as strictly as it reads them: Slack adds fields freely, and a field the bot ignores
may be anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any, str], str | None]

INTERACTIONS = frozenset(
    {"block_actions", "message_action", "shortcut", "view_submission", "view_closed"}
)


def _text(value: Any, where: str) -> str | None:
    return None if value is None or isinstance(value, str) else f"{where} is not a string"


def _id(value: Any, where: str) -> str | None:
    return None if isinstance(value, str) and value else f"{where} is not an id"


def _fields(obj: Mapping[str, Any], where: str, checks: Mapping[str, Check]) -> str | None:
    for key, check in checks.items():
        if key in obj:
            found = check(obj[key], f"{where}.{key}" if where else key)
            if found:
                return found
    return None


def _object(checks: Mapping[str, Check] | None = None, *, every: Check | None = None) -> Check:
    """An object (or null) whose listed fields, when present, pass their checks; with
    `every`, an object all of whose values pass it, whatever their keys (Slack's
    `state.values`: block id -> action id -> element)."""

    def check(value: Any, where: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            return f"{where} is not an object"
        return _fields(value, where, dict.fromkeys(value, every) if every else checks or {})

    return check


def _objects(item: Check) -> Check:
    """A list (or null) of objects, each passing `item`."""

    def check(value: Any, where: str) -> str | None:
        if value is None:
            return None
        if not isinstance(value, list):
            return f"{where} is not a list"
        for n, each in enumerate(value):
            if not isinstance(each, dict):
                return f"{where}[{n}] is not an object"
            found = item(each, f"{where}[{n}]")
            if found:
                return found
        return None

    return check


def _our_metadata(value: Any, where: str) -> str | None:
    """What our modals write: nothing, or a JSON object of strings (a value cut at Slack's
    limit is no JSON at all, and the listeners treat it as empty)."""

    if value is None:
        return None
    if not isinstance(value, str):
        return f"{where} is not a string"
    try:
        meta = json.loads(value or "{}")
    except ValueError:
        return None
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        return f"{where} is not what the bot wrote"
    return None


_OPTION = _object({"value": _text})
# One input's state in a form, or one clicked element.
_ELEMENT: dict[str, Check] = {
    "value": _text,
    "selected_option": _OPTION,
    "selected_options": _objects(_object({"value": _text})),
}
_VIEW = _object(
    {
        "id": _text,
        "hash": _text,
        "callback_id": _text,
        "private_metadata": _our_metadata,
        "blocks": _objects(_object({"block_id": _text})),
        "state": _object({"values": _object(every=_object(every=_object(_ELEMENT)))}),
    }
)
_ACTION = _object({"action_id": _id, "action_ts": _text, **_ELEMENT})
_MESSAGE = _object({"ts": _text, "thread_ts": _text, "user": _text, "text": _text})
_INTERACTION: dict[str, Check] = {
    "team": _object({"id": _text}),
    "channel": _object({"id": _text}),
    "container": _object({"channel_id": _text}),
    "message": _MESSAGE,
    "message_ts": _text,
    "callback_id": _text,
    "trigger_id": _text,
    "response_url": _text,
    "view": _VIEW,
}
_REACTION: dict[str, Check] = {
    "user": _text,
    "reaction": _text,
    "item": _object({"type": _text, "channel": _text, "ts": _text}),
}
_EVENTS: dict[str, dict[str, Check]] = {
    "message": {
        "user": _text,
        "channel": _text,
        "ts": _text,
        "thread_ts": _text,
        "subtype": _text,
        "text": _text,
        "channel_type": _text,
        "files": _objects(_object({"name": _text, "title": _text})),
    },
    "reaction_added": _REACTION,
    "reaction_removed": _REACTION,
    "app_home_opened": {"user": _text, "tab": _text, "channel": _text},
    "channel_deleted": {"channel": _text},
    "group_deleted": {"channel": _text},
}
_COMMAND: dict[str, Check] = {"command": _id, "user_id": _id, "channel_id": _id}


def problem(data: object) -> str | None:
    """What in `data` (a parsed Events API body, interaction payload or slash command's
    fields) the bot cannot read, or None when it can read all of it. It must be a JSON object
    first: Bolt and slack_sdk raise on anything else."""

    if not isinstance(data, dict):
        return "not a JSON object"
    kind = data.get("type")
    if "command" in data and kind is None:
        for key, check in _COMMAND.items():
            found = check(data.get(key), key)
            if found:
                return found
        return _fields(data, "", {"text": _text, "team_id": _text, "trigger_id": _text})
    if kind == "event_callback":
        event = data.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event is not an object with a type"
        return _fields(data, "", {"team_id": _text, "event_id": _text}) or _fields(
            event, "event", _EVENTS.get(event["type"], {})
        )
    if kind in INTERACTIONS:
        user = data.get("user")
        if not isinstance(user, dict) or _id(user.get("id"), "user.id"):
            return "user is not an object with an id"
        if kind == "block_actions":
            actions = data.get("actions")
            if not isinstance(actions, list) or not actions:
                return "actions is not a list of actions"
            found = _objects(_ACTION)(actions, "actions")
            if found:
                return found
        if kind in ("view_submission", "view_closed") and not isinstance(data.get("view"), dict):
            return "view is not an object"
        return _fields(data, "", _INTERACTION)
    if kind is not None and not isinstance(kind, str):
        return "type is not a string"
    return None
