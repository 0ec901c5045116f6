"""A payload signed correctly (or sent over Socket Mode) whose fields are not in the shape
Slack sends them: refused in one log line naming the field, never a 500 or a traceback,
reaching no listener; the next good request still works."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from adapters.slack import ids
from tests.adapters.slack.conftest import ASKER, HELP, Slack
from tests.adapters.slack.test_runner import socket_mode_refuses
from tests.fakes import slack_payloads as sp
from tests.fakes.slack_server import FakeSlack

TS = "1700000000.000100"


def _click(**fields: Any) -> dict[str, Any]:
    message = sp.shortcut_message(user=ASKER, text="How do I reset?", ts=TS)
    payload = sp.block_actions(
        user_id=ASKER, channel_id=HELP, message=message,
        actions=[sp.button(ids.MARK_SOLVED_BUTTON, "1")],
    )  # fmt: skip
    return {**payload, **fields}


def _form(callback_id: str, **view: Any) -> dict[str, Any]:
    return sp.view_submission(
        user_id=ASKER, view={**sp.view_object(callback_id=callback_id), **view}
    )


def _shortcut(**fields: Any) -> dict[str, Any]:
    message = sp.shortcut_message(user=ASKER, text="spam", ts=TS)
    payload = sp.message_shortcut(
        callback_id=ids.REPORT_SHORTCUT, user_id=ASKER, channel_id=HELP, message=message
    )
    return {**payload, **fields}


def _picked(selected: object) -> dict[str, Any]:
    values = {ids.SOLVED_QUESTION_BLOCK: {ids.SOLVED_QUESTION_ACTION: selected}}
    return _form(ids.SOLVED_MODAL, state={"values": values})


# (interaction payload, what the log line names)
INTERACTIONS: list[tuple[dict[str, Any], str]] = [
    (_click(actions="mark_solved"), "actions is not a list of actions"),
    (_click(actions=["mark_solved"]), "actions[0] is not an object"),
    (_click(actions=[5]), "actions[0] is not an object"),
    (_click(actions=[]), "actions is not a list of actions"),
    (_click(actions=[{"action_id": 5, "value": "1"}]), "actions[0].action_id is not an id"),
    (_click(user=ASKER), "user is not an object with an id"),
    (_click(user={"name": "asker"}), "user is not an object with an id"),
    (_click(channel=HELP), "channel is not an object"),
    (_click(message="How do I reset?"), "message is not an object"),
    (_shortcut(message={"ts": 1700000000, "text": "spam"}), "message.ts is not a string"),
    (_shortcut(user=ASKER), "user is not an object with an id"),
    ({**_form(ids.ASK_MODAL), "view": "modal"}, "view is not an object"),
    (_form(ids.ASK_MODAL, state="filled"), "view.state is not an object"),
    (_form(ids.ASK_MODAL, state={"values": "typed"}), "view.state.values is not an object"),
    (
        _picked("12"),
        f"view.state.values.{ids.SOLVED_QUESTION_BLOCK}."
        f"{ids.SOLVED_QUESTION_ACTION} is not an object",
    ),  # fmt: skip
    (
        _picked({"selected_option": "12"}),
        f"view.state.values.{ids.SOLVED_QUESTION_BLOCK}."
        f"{ids.SOLVED_QUESTION_ACTION}.selected_option is not an object",
    ),  # fmt: skip
    (_form(ids.SOLVED_MODAL, private_metadata=5), "view.private_metadata is not a string"),
    (
        _form(ids.REPORT_MODAL, private_metadata='{"channel": 5, "ts": []}'),
        "view.private_metadata is not what the bot wrote",
    ),  # fmt: skip
    (
        _form(ids.REPORT_MODAL, private_metadata="[1]"),
        "view.private_metadata is not what the bot wrote",
    ),  # fmt: skip
]


def _message(**fields: Any) -> dict[str, Any]:
    return {**sp.message_event(channel=HELP, user=ASKER, text="How?", ts=TS), **fields}


# (event, what the log line names)
EVENTS: list[tuple[dict[str, Any], str]] = [
    ({**sp.reaction_added_event(user=ASKER, reaction=ids.CHECK_REACTION, channel=HELP,
                                message_ts=TS), "item": TS}, "event.item is not an object"),
    (_message(text=42), "event.text is not a string"),
    (_message(user={"id": ASKER}), "event.user is not a string"),
    (_message(files=["log.txt"]), "event.files[0] is not an object"),
    ({**sp.app_home_opened_event(user=ASKER), "user": {"id": ASKER}},
     "event.user is not a string"),
]  # fmt: skip


async def test_a_malformed_payload_over_http_is_refused_in_one_line(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """Before, a button click or form with such a field was a 500 and a traceback (in Bolt's
    matcher or in the listener), and no acknowledgement; an event was a traceback, or was
    acted on with its fields read half-way (a question '42'); a slash command without
    user_id or channel_id ran with an empty id. An event is acknowledged 200 (Slack sends
    any other answer again, and the same body cannot become readable); a slash command or
    an interaction is answered 400."""

    outcomes: list[tuple[int, list[str]]] = []
    expected: list[tuple[int, list[str]]] = []
    requests: list[tuple[sp.SignedRequest, str, str]] = []
    for payload, why in INTERACTIONS:
        requests.append(
            (sp.signed_interaction(payload, secret=slack.secret), sp.FORM_CONTENT_TYPE, why)
        )
    for event, why in EVENTS:
        body = sp.event_callback(event, event_id=sp.make_event_id())
        requests.append((sp.signed_event(body, secret=slack.secret), sp.JSON_CONTENT_TYPE, why))
    for missing in ("user_id", "channel_id"):
        fields = sp.slash_command(
            command="/rep", user_id=ASKER, channel_id=HELP,
            response_url=slack.fake.new_response_url(channel=HELP),
        )  # fmt: skip
        del fields[missing]
        requests.append((sp.signed_command(fields, secret=slack.secret), sp.FORM_CONTENT_TYPE,
                         f"{missing} is not an id"))  # fmt: skip

    for request, content_type, why in requests:
        caplog.clear()
        delivery = await slack.send(request)
        logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        logged += [f"traceback: {r.getMessage()}" for r in caplog.records if r.exc_info]
        outcomes.append((delivery.status, logged))
        status = 200 if content_type == sp.JSON_CONTENT_TYPE else 400
        expected.append(
            (status, [f"Slack: unreadable {content_type} request to /slack/events refused: {why}"])
        )
    assert outcomes == expected

    assert slack.fake.calls == [] and slack.fake.response_url_calls == []
    assert slack.count("members") == 0 and slack.count("questions") == 0
    await slack.ask()
    assert slack.count("questions") == 1


async def test_a_malformed_payload_over_socket_mode_is_acknowledged_in_one_line(
    fake_slack: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Before, these raised inside Bolt or a listener: a traceback, and for a button or a
    form no acknowledgement (Slack resends it), or a question recorded from half-read
    fields."""

    command = sp.slash_command(command="/rep", user_id=ASKER, channel_id=HELP)
    del command["user_id"]
    sent: list[tuple[dict[str, Any], str]] = [
        (sp.socket_envelope(p), why) for p, why in INTERACTIONS
    ]
    sent += [
        (sp.socket_envelope(sp.event_callback(e, team_id=fake_slack.team_id)), why)
        for e, why in EVENTS
    ]
    sent.append((sp.socket_envelope(command), "user_id is not an id"))
    await socket_mode_refuses(fake_slack, tmp_path, caplog, sent)
