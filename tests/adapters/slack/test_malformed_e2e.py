"""A payload signed correctly (or sent over Socket Mode) whose fields are not in the shape
Slack sends them: refused in one log line naming the field, never a 500 or a traceback,
reaching no listener, and acknowledged; the member whose command, button, shortcut or form it
was is told so where Slack lets the app answer; the next good request still works."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Literal

import pytest

from adapters.slack import ids
from adapters.slack.texts import UNREADABLE
from tests.adapters.slack.conftest import ASKER, HELP, MOD, Slack
from tests.adapters.slack.test_runner import socket_mode_refuses
from tests.fakes import slack_payloads as sp
from tests.fakes.slack_server import FakeSlack, running_fake_slack

TS = "1700000000.000100"

# What the member is told (`texts.UNREADABLE`): by chat.postEphemeral in the channel, through
# the payload's response_url, under the form's first input (`response_action: errors` in the
# acknowledgement), in the slash command's acknowledgement, or nothing (nothing to answer to).
Told = Literal["ephemeral", "response_url", "form", "command", "nothing"]


def _click(**fields: Any) -> dict[str, Any]:
    message = sp.shortcut_message(user=ASKER, text="How do I reset?", ts=TS)
    payload = sp.block_actions(
        user_id=ASKER, channel_id=HELP, message=message,
        actions=[sp.button(ids.MARK_SOLVED_BUTTON, "1")],
    )  # fmt: skip
    return {**payload, **fields}


def _input(block_id: str) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "label": {"type": "plain_text", "text": "Label"},
        "element": {"type": "plain_text_input", "action_id": "typed"},
    }


# The forms as the bot opens them, reduced to what decides where an error can show.
FORM_BLOCKS = {
    ids.ASK_MODAL: [_input(ids.ASK_TEXT_BLOCK)],
    ids.SOLVED_MODAL: [_input(ids.SOLVED_QUESTION_BLOCK)],
    # (an error can only show under an input: the first input, not the first block)
    ids.REPORT_MODAL: [
        {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "Hi"}},
        _input(ids.REPORT_REASON_BLOCK),
    ],
}


def _form(callback_id: str, **view: Any) -> dict[str, Any]:
    blocks = FORM_BLOCKS[callback_id]
    return sp.view_submission(
        user_id=ASKER, view={**sp.view_object(callback_id=callback_id, blocks=blocks), **view}
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


_IN_A_FORM = sp.view_object(callback_id=ids.SOLVED_MODAL, blocks=FORM_BLOCKS[ids.SOLVED_MODAL])

# (interaction payload, what the log line names, what the member is told)
INTERACTIONS: list[tuple[dict[str, Any], str, Told]] = [
    (_click(actions="mark_solved"), "actions is not a list of actions", "ephemeral"),
    (_click(actions=["mark_solved"]), "actions[0] is not an object", "ephemeral"),
    (_click(actions=[5]), "actions[0] is not an object", "ephemeral"),
    (_click(actions=[]), "actions is not a list of actions", "ephemeral"),
    (
        _click(actions=[{"action_id": 5, "value": "1"}]),
        "actions[0].action_id is not an id",
        "ephemeral",
    ),  # fmt: skip
    (_click(user=ASKER), "user is not an object with an id", "response_url"),
    (_click(user={"name": "asker"}), "user is not an object with an id", "response_url"),
    # (the channel is the container's then)
    (_click(channel=HELP), "channel is not an object", "ephemeral"),
    (_click(message="How do I reset?"), "message is not an object", "ephemeral"),
    (
        _shortcut(message={"ts": 1700000000, "text": "spam"}),
        "message.ts is not a string",
        "ephemeral",
    ),  # fmt: skip
    (_shortcut(user=ASKER), "user is not an object with an id", "response_url"),
    # A global shortcut has no channel and no response_url, a click in a form neither.
    (
        {**sp.global_shortcut(callback_id="ask", user_id=ASKER), "team": "T0FAKETEAM"},
        "team is not an object",
        "nothing",
    ),  # fmt: skip
    (
        {**sp.block_actions(user_id=ASKER, actions=[], view=_IN_A_FORM), "actions": [5]},
        "actions[0] is not an object",
        "nothing",
    ),  # fmt: skip
    ({**_form(ids.ASK_MODAL), "view": "modal"}, "view is not an object", "nothing"),
    (_form(ids.ASK_MODAL, state="filled"), "view.state is not an object", "form"),
    (
        _form(ids.ASK_MODAL, state={"values": "typed"}),
        "view.state.values is not an object",
        "form",
    ),  # fmt: skip
    (
        _picked("12"),
        f"view.state.values.{ids.SOLVED_QUESTION_BLOCK}."
        f"{ids.SOLVED_QUESTION_ACTION} is not an object",
        "form",
    ),  # fmt: skip
    (
        _picked({"selected_option": "12"}),
        f"view.state.values.{ids.SOLVED_QUESTION_BLOCK}."
        f"{ids.SOLVED_QUESTION_ACTION}.selected_option is not an object",
        "form",
    ),  # fmt: skip
    (
        _form(ids.SOLVED_MODAL, private_metadata=5),
        "view.private_metadata is not a string",
        "form",
    ),  # fmt: skip
    (
        _form(ids.REPORT_MODAL, private_metadata='{"channel": 5, "ts": []}'),
        "view.private_metadata is not what the bot wrote",
        "form",
    ),  # fmt: skip
    (
        _form(ids.REPORT_MODAL, private_metadata="[1]", blocks=[]),
        "view.private_metadata is not what the bot wrote",
        "nothing",
    ),  # fmt: skip
    (
        sp.view_closed(user_id=ASKER, view={**_IN_A_FORM, "private_metadata": 5}),
        "view.private_metadata is not a string",
        "nothing",
    ),  # fmt: skip
]


def _message(**fields: Any) -> dict[str, Any]:
    return {**sp.message_event(channel=HELP, user=ASKER, text="How?", ts=TS), **fields}


# (event, what the log line names)
EVENTS: list[tuple[dict[str, Any], str]] = [
    ({**sp.reaction_added_event(user=ASKER, reaction=ids.CHECK_REACTION, channel=HELP,
                                message_ts=TS), "item": TS}, "event.item is not an object"),
    ({**sp.reaction_removed_event(user=ASKER, reaction=ids.CHECK_REACTION, channel=HELP,
                                  message_ts=TS), "item": TS}, "event.item is not an object"),
    (_message(text=42), "event.text is not a string"),
    (_message(user={"id": ASKER}), "event.user is not a string"),
    (_message(files=["log.txt"]), "event.files[0] is not an object"),
    ({**sp.app_home_opened_event(user=ASKER), "user": {"id": ASKER}},
     "event.user is not a string"),
    ({**sp.channel_deleted_event(channel=HELP), "channel": {"id": HELP}},
     "event.channel is not a string"),
    ({**sp.channel_deleted_event(channel=HELP, private=True), "channel": [HELP]},
     "event.channel is not a string"),
]  # fmt: skip


def answerable(payload: dict[str, Any], fake: FakeSlack) -> dict[str, Any]:
    """`payload` with its response_url (if it has one) served by the fake, in the help
    channel."""

    if "response_url" not in payload:
        return payload
    return {**payload, "response_url": fake.new_response_url(channel=HELP)}


def _commands(fake: FakeSlack) -> list[tuple[dict[str, str], str]]:
    """Slash commands without a user_id or a channel_id (as form fields), and why."""

    found = []
    for missing in ("user_id", "channel_id"):
        fields = sp.slash_command(
            command="/rep", user_id=ASKER, channel_id=HELP,
            response_url=fake.new_response_url(channel=HELP),
        )  # fmt: skip
        del fields[missing]
        found.append((fields, f"{missing} is not an id"))
    return found


FORM_ERROR = {"response_action": "errors"}
COMMAND_ACK = {"response_type": "ephemeral", "text": UNREADABLE}


def expected_answer(payload: dict[str, Any], told: Told) -> tuple[Any, list[Any]]:
    """(the acknowledgement's body, [(user, text) of what was said privately])."""

    if told == "form":
        first_input = next(b for b in payload["view"]["blocks"] if b["type"] == "input")
        return {**FORM_ERROR, "errors": {first_input["block_id"]: UNREADABLE}}, []
    if told == "command":
        return COMMAND_ACK, []
    if told == "ephemeral":
        return None, [(ASKER, UNREADABLE)]
    if told == "response_url":  # (the fake's response_url tells whoever used it)
        return None, [(None, UNREADABLE)]
    return None, []


async def test_a_malformed_payload_over_http_is_acknowledged_in_one_line(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """Before, a button click or form with such a field was a 500 and a traceback (in Bolt's
    matcher or in the listener), and no acknowledgement; an event was a traceback, or was
    acted on with its fields read half-way (a question '42'); a slash command without
    user_id or channel_id ran with an empty id. Then all of them were answered 400, which
    Slack sends again for an event, and shows a member only as its own error ("This app
    responded with status code 400", '/rep failed with the error ...'). Now each is
    acknowledged 200, and the member is told, privately, that the request could not be read
    wherever Slack lets the app answer."""

    outcomes: list[tuple[int, Any, list[Any], list[str]]] = []
    expected: list[tuple[int, Any, list[Any], list[str]]] = []
    requests: list[tuple[sp.SignedRequest, str, str, tuple[Any, list[Any]]]] = []
    for payload, why, told in INTERACTIONS:
        payload = answerable(payload, slack.fake)
        request = sp.signed_interaction(payload, secret=slack.secret)
        requests.append((request, sp.FORM_CONTENT_TYPE, why, expected_answer(payload, told)))
    for event, why in EVENTS:
        body = sp.event_callback(event, event_id=sp.make_event_id())
        request = sp.signed_event(body, secret=slack.secret)
        requests.append((request, sp.JSON_CONTENT_TYPE, why, (None, [])))
    for fields, why in _commands(slack.fake):
        request = sp.signed_command(fields, secret=slack.secret)
        requests.append((request, sp.FORM_CONTENT_TYPE, why, (COMMAND_ACK, [])))

    for request, content_type, why, (answer, told_privately) in requests:
        caplog.clear()
        slack.fake.ephemeral.clear()
        delivery = await slack.send(request)
        logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        logged += [f"traceback: {r.getMessage()}" for r in caplog.records if r.exc_info]
        said = [(e["user"], e["text"]) for e in slack.fake.ephemeral]
        as_json = delivery.headers.get("Content-Type", "").startswith("application/json")
        ack = delivery.json() if as_json else delivery.text or None
        outcomes.append((delivery.status, ack, said, logged))
        line = f"Slack: unreadable {content_type} request to /slack/events refused: {why}"
        expected.append((200, answer, told_privately, [line]))
    assert outcomes == expected

    # Nothing but the notes: no direct message, nothing stored.
    assert {c.method for c in slack.fake.calls} == {"chat.postEphemeral"}
    assert {c.body.get("response_type") for c in slack.fake.response_url_calls} == {"ephemeral"}
    assert slack.count("members") == 0 and slack.count("questions") == 0
    await slack.ask()
    assert slack.count("questions") == 1


async def test_a_malformed_payload_over_socket_mode_is_acknowledged_in_one_line(
    fake_slack: FakeSlack, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Before, these raised inside Bolt or a listener: a traceback, and for a button or a
    form no acknowledgement (Slack resends it), or a question recorded from half-read
    fields. Then they were acknowledged with nothing said; now the member is told as over
    HTTP."""

    sent: list[tuple[dict[str, Any], str]] = []
    answers: list[tuple[Any, list[Any]]] = []
    for payload, why, told in INTERACTIONS:
        payload = answerable(payload, fake_slack)
        sent.append((sp.socket_envelope(payload), why))
        answers.append(expected_answer(payload, told))
    for event, why in EVENTS:
        sent.append((sp.socket_envelope(sp.event_callback(event, team_id=fake_slack.team_id)), why))
        answers.append((None, []))
    fields, why = _commands(fake_slack)[0]
    sent.append((sp.socket_envelope(fields), why))
    answers.append((COMMAND_ACK, []))
    await socket_mode_refuses(fake_slack, tmp_path, caplog, sent, answers=answers)


def _clicked(action_id: str, value: str, user: str = ASKER, **fields: Any) -> dict[str, Any]:
    message = sp.shortcut_message(user=ASKER, text="A reply", ts=TS, thread_ts=TS)
    payload = sp.block_actions(
        user_id=user, channel_id=HELP, message=message, actions=[sp.button(action_id, value)]
    )
    return {**payload, **fields}


@pytest.mark.parametrize(
    "payload",
    [
        _clicked(ids.SUGGESTION_SOLVED, "not-a-suggestion"),
        _clicked(ids.REPORT_DISMISS, "report seven", user=MOD),
        _clicked(ids.THANKS_OFFER_ACCEPT, ""),
        # (a button on no message: not the duplicate notice in a thread)
        {key: value for key, value in _clicked(ids.NOT_DUPLICATE, "1").items() if key != "message"},
    ],
    ids=["suggestion", "report", "thanks offer", "not duplicate"],
)
async def test_a_button_whose_payload_names_nothing_says_so(
    slack: Slack, payload: dict[str, Any]
) -> None:
    """A well-formed click whose value (or message) names nothing the button acts on was
    acknowledged and then dropped without a word: the member clicked and nothing happened.
    Now they are told, privately, that the request could not be read."""

    await slack.interaction(payload)

    user = payload["user"]["id"]
    assert slack.ephemeral_to(user) == [UNREADABLE]
    assert {c.method for c in slack.fake.calls} <= {"chat.postEphemeral", "auth.test"}
    assert slack.count("questions") == 0 and slack.count("reports") == 0


def _direct_messages(slack: Slack, user: str) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in slack.fake.calls_to("chat.postMessage")
        if c.params.get("channel") == user and c.ok
    ]


async def test_a_note_the_response_url_cannot_take_goes_by_direct_message(slack: Slack) -> None:
    """Where the channel refuses an ephemeral message (a private channel without the bot)
    and the response_url is expired or used up (Slack answers 404), the member is told in a
    direct message: `unreadable.respond_via` raises on Slack's refusal, so `out.private`
    goes on to the next way instead of counting the 404 as told."""

    payload = _click(actions="mark_solved")
    payload["response_url"] = f"{slack.fake.url}/response_url/expired"
    slack.fake.fail_next("chat.postEphemeral", "channel_not_found")

    delivery = await slack.interaction(payload)

    assert delivery.status == 200
    assert [c.status for c in slack.fake.response_url_calls] == [404]
    assert _direct_messages(slack, ASKER) == [UNREADABLE]


@pytest.mark.parametrize(
    "scheme", ["ws://", "file:///", "javascript:", ""], ids=["ws", "file", "javascript", "path"]
)
async def test_a_response_url_that_is_no_web_address_is_not_used(slack: Slack, scheme: str) -> None:
    """A refused payload's response_url is used only when it is an http(s) address: one
    that is not (aiohttp posts to ws:// as to http://) is neither posted to nor tried, and
    with no channel to answer in, nothing is said at all."""

    served = slack.fake.new_response_url(channel=HELP)
    url = served.replace("http://", scheme) if scheme else served.removeprefix(slack.fake.url)
    payload = _shortcut(message={"ts": 1700000000, "text": "spam"}, response_url=url)
    del payload["channel"]

    delivery = await slack.interaction(payload)

    assert delivery.status == 200
    assert slack.fake.response_url_calls == []
    assert {c.method for c in slack.fake.calls} <= {"auth.test"}


async def test_a_response_url_on_another_host_is_not_used(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """A refused payload's response_url was used whenever it began with `https://` or
    `http://`, whatever its host: the note went wherever the payload said. Now it must be
    Slack's (`hooks.slack.com`) or on the app's own Slack Web API address (here the fake's);
    one elsewhere is logged once, with why, and the member is told another way, as when
    there is none (here by direct message, the channel refusing an ephemeral one)."""

    async with running_fake_slack() as elsewhere:
        payload = _click(actions="mark_solved")
        payload["response_url"] = elsewhere.new_response_url(channel=HELP)
        slack.fake.fail_next("chat.postEphemeral", "channel_not_found")

        delivery = await slack.interaction(payload)

        assert delivery.status == 200
        assert elsewhere.response_url_calls == []
    assert _direct_messages(slack, ASKER) == [UNREADABLE]
    said = [r.getMessage() for r in caplog.records if "response_url" in r.getMessage()]
    port = payload["response_url"].split(":")[2].split("/")[0]
    assert said == [
        "Slack: not using the payload's response_url: "
        f"http://127.0.0.1:{port} is neither Slack's nor slack.api_base_url's"
    ]


async def test_a_response_url_s_scheme_is_read_without_case(slack: Slack) -> None:
    """`HTTP://...` is the same address as `http://...` (schemes and hosts have no case), and
    was refused: a shortcut with no channel then told the member nothing at all."""

    served = slack.fake.new_response_url(channel=HELP)
    payload = _shortcut(
        message={"ts": 1700000000, "text": "spam"}, response_url=served.replace("http", "HTTP", 1)
    )
    del payload["channel"]

    delivery = await slack.interaction(payload)

    assert delivery.status == 200
    assert [c.body.get("text") for c in slack.fake.response_url_calls] == [UNREADABLE]
