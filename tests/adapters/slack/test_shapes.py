"""`shapes.problem` on its own: what Slack sends passes, and each field it checks is named
when it comes in another shape. (test_malformed_e2e shows the refusal end to end for the
fields that crashed Bolt or a listener; here every check is held to its field.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.slack import ids
from adapters.slack.shapes import problem
from tests.fakes import slack_payloads as sp

PAYLOADS = Path(__file__).with_name("payloads")
U, C, TS = "U0ASKER", "C0HELP", "1700000000.000100"


def _event(event: dict[str, Any]) -> dict[str, Any]:
    return sp.event_callback(event, event_id=sp.make_event_id())


def _message() -> dict[str, Any]:
    event = sp.message_event(channel=C, user=U, text="How?", ts=TS, thread_ts=TS)
    return _event({**event, "files": [sp.file_object()]})


def _reaction() -> dict[str, Any]:
    return _event(
        sp.reaction_added_event(user=U, reaction="white_check_mark", channel=C, message_ts=TS)
    )


def _click() -> dict[str, Any]:
    picked = {**sp.button(ids.SOLVED_QUESTION_ACTION), **sp.static_select_value("12")}
    return sp.block_actions(user_id=U, channel_id=C, actions=[picked], view=_view())


def _view() -> dict[str, Any]:
    values = {"b": {"a": {**sp.multi_users_select_value([U]), "selected_options": [{"value": U}]}}}
    return sp.view_object(
        callback_id=ids.SOLVED_MODAL,
        private_metadata=json.dumps({"channel": C}),
        values=values,
        blocks=[{"type": "section", "block_id": "b"}],
    )


def _shortcut() -> dict[str, Any]:
    return sp.message_shortcut(
        callback_id=ids.REPORT_SHORTCUT,
        user_id=U,
        channel_id=C,
        message=sp.shortcut_message(user=U, text="Q", ts=TS),
    )


WELL_FORMED = {
    "message": _message,
    "reaction": _reaction,
    "reaction removed": lambda: _event(
        sp.reaction_removed_event(user=U, reaction="white_check_mark", channel=C, message_ts=TS)
    ),
    "home": lambda: _event(sp.app_home_opened_event(user=U)),
    "other event": lambda: _event(sp.member_joined_channel_event(user=U, channel=C)),
    "edit": lambda: _event(
        sp.message_changed_event(channel=C, user=U, ts=TS, new_text="b", old_text="a")
    ),
    "command": lambda: sp.slash_command(command="/ask", text="How?", user_id=U, channel_id=C),
    "click": _click,
    "shortcut": _shortcut,
    "global shortcut": lambda: sp.global_shortcut(callback_id="x", user_id=U),
    "form": lambda: sp.view_submission(user_id=U, view=_view()),
    "form closed": lambda: sp.view_closed(user_id=U, view=_view()),
    "url check": sp.url_verification,
}


@pytest.mark.parametrize("make", WELL_FORMED.values(), ids=WELL_FORMED.keys())
def test_what_slack_sends_passes(make: Any) -> None:
    assert problem(make()) is None


@pytest.mark.parametrize("path", sorted(PAYLOADS.glob("*.json")), ids=lambda p: p.stem)
def test_recorded_payloads_pass(path: Path) -> None:
    assert problem(json.loads(path.read_text(encoding="utf-8"))) is None


# (a well-formed payload, the path to one field, a value in another shape, the reason)
WRONG: list[tuple[str, tuple[str | int, ...], object, str]] = [
    ("message", ("team_id",), 5, "team_id is not a string"),
    ("message", ("event_id",), 5, "event_id is not a string"),
    ("message", ("event", "type"), 5, "event is not an object with a type"),
    ("message", ("event", "channel"), ["C1"], "event.channel is not a string"),
    ("message", ("event", "ts"), 1.5, "event.ts is not a string"),
    ("message", ("event", "thread_ts"), 1.5, "event.thread_ts is not a string"),
    ("message", ("event", "subtype"), 5, "event.subtype is not a string"),
    ("message", ("event", "channel_type"), 5, "event.channel_type is not a string"),
    ("message", ("event", "files"), "a.txt", "event.files is not a list"),
    ("message", ("event", "files", 0, "name"), 5, "event.files[0].name is not a string"),
    ("reaction", ("event", "reaction"), 5, "event.reaction is not a string"),
    ("reaction", ("event", "item", "channel"), 5, "event.item.channel is not a string"),
    ("reaction", ("event", "item", "ts"), 5, "event.item.ts is not a string"),
    ("reaction removed", ("event", "item"), TS, "event.item is not an object"),
    ("reaction removed", ("event", "user"), {"id": U}, "event.user is not a string"),
    ("home", ("event", "tab"), 5, "event.tab is not a string"),
    ("command", ("command",), "", "command is not an id"),
    ("command", ("text",), 5, "text is not a string"),
    ("command", ("trigger_id",), 5, "trigger_id is not a string"),
    ("click", ("team",), "T1", "team is not an object"),
    ("click", ("team", "id"), 5, "team.id is not a string"),
    ("click", ("container",), "C1", "container is not an object"),
    ("click", ("response_url",), 5, "response_url is not a string"),
    ("click", ("actions", 0, "value"), 12, "actions[0].value is not a string"),
    ("click", ("actions", 0, "action_ts"), 1.5, "actions[0].action_ts is not a string"),
    (
        "click",
        ("actions", 0, "selected_option", "value"),
        12,
        "actions[0].selected_option.value is not a string",
    ),
    ("shortcut", ("message", "thread_ts"), 1.5, "message.thread_ts is not a string"),
    ("shortcut", ("message", "user"), {"id": U}, "message.user is not a string"),
    ("shortcut", ("message", "text"), 42, "message.text is not a string"),
    ("click", ("view", "id"), 5, "view.id is not a string"),
    ("click", ("view", "hash"), 5, "view.hash is not a string"),
    ("click", ("view", "blocks", 0), "b", "view.blocks[0] is not an object"),
    ("click", ("view", "blocks", 0, "block_id"), 5, "view.blocks[0].block_id is not a string"),
    ("shortcut", ("message_ts",), 1.5, "message_ts is not a string"),
    ("shortcut", ("callback_id",), 5, "callback_id is not a string"),
    ("shortcut", ("trigger_id",), 5, "trigger_id is not a string"),
    ("form", ("view", "callback_id"), 5, "view.callback_id is not a string"),
    (
        "form",
        ("view", "state", "values", "b", "a", "selected_options"),
        "U1",
        "view.state.values.b.a.selected_options is not a list",
    ),
    (
        "form",
        ("view", "state", "values", "b", "a", "selected_options", 0, "value"),
        5,
        "view.state.values.b.a.selected_options[0].value is not a string",
    ),
    ("form", ("view", "state", "values", "b"), "a", "view.state.values.b is not an object"),
    ("form closed", ("view",), None, "view is not an object"),
    ("url check", ("type",), 5, "type is not a string"),
]


def _with(payload: dict[str, Any], path: tuple[str | int, ...], value: object) -> dict[str, Any]:
    *inner, last = path
    at: Any = payload
    for key in inner:
        at = at[key]
    at[last] = value
    return payload


@pytest.mark.parametrize(("kind", "path", "value", "why"), WRONG, ids=[w[3] for w in WRONG])
def test_each_checked_field_is_named(
    kind: str, path: tuple[str | int, ...], value: object, why: str
) -> None:
    payload = WELL_FORMED[kind]()
    assert problem(payload) is None
    assert problem(_with(payload, path, value)) == why


def test_only_an_object_is_read() -> None:
    for data in ([1], "x", 5, None):
        assert problem(data) == "not a JSON object"
