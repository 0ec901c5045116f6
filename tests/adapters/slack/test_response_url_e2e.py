"""Private replies through an interaction's response_url, when Slack does not take them.

Bolt's `respond` (slack_sdk's webhook client) returns Slack's answer instead of raising, so
a response_url past its 30 minutes (404 `expired_url`), used up (Slack takes five messages
on one) or in Slack's own trouble (5xx) looked like a member told. Each case here drives
the real Bolt app over signed HTTP against the fake Slack, and checks that the member gets
the text another way (here a direct message).
"""

from __future__ import annotations

import logging
import time

import pytest

from adapters.slack.long_text import units
from tests.adapters.slack.conftest import ASKER, HELP, HELPER, OTHER, Slack
from tests.adapters.slack.test_commands_e2e import GIVEN_BACK, NOT_NOW
from tests.fakes import slack_payloads as sp

CONTINUED = "Slack stopped showing my reply in the channel, so here is the rest of it:"


def direct_messages(slack: Slack, user: str = ASKER) -> list[str]:
    return [
        str(c.params.get("text"))
        for c in slack.fake.calls_to("chat.postMessage")
        if c.params.get("channel") == user and c.ok
    ]


def shown_by_response_url(slack: Slack) -> list[str]:
    return [str(c.body.get("text")) for c in slack.fake.response_url_calls if c.status == 200]


def about_response_urls(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno >= logging.WARNING and "response_url" in r.getMessage()
    ]


def assert_no_url_logged(slack: Slack, caplog: pytest.LogCaptureFixture) -> None:
    """A response_url is a bearer token: no log line names one."""

    ids = {c.url_id for c in slack.fake.response_url_calls}
    logged = [r.getMessage() + str(r.exc_info or "") for r in caplog.records]
    assert not [line for line in logged for url_id in ids if url_id in line]


@pytest.mark.parametrize(
    ("error", "status"), [("expired_url", 404), ("internal_error", 503)], ids=["404", "5xx"]
)
@pytest.mark.parametrize(
    ("command", "text"), [("/rep", ""), ("/close", "#99")], ids=["reply", "error reply"]
)
async def test_a_command_reply_the_response_url_does_not_take_comes_by_direct_message(
    slack: Slack, caplog: pytest.LogCaptureFixture, command: str, text: str, error: str, status: int
) -> None:
    """/rep's answer (`run.reply`) and /close's refusal of a question that is not there
    (the guard's reply) went to a response_url that answered an error, and were counted as
    told: the member saw nothing. Now the member gets the same text by direct message, and
    the refusal is one warning line."""

    slack.fake.fail_response_urls(error, status=status)

    await slack.command(command, text)

    (refused,) = slack.fake.response_url_calls
    assert refused.status == status
    assert direct_messages(slack) == [refused.body["text"]]
    assert about_response_urls(caplog) == [
        f"Slack: a response_url took no more messages: it answered {status} {error!r}"
    ]
    assert_no_url_logged(slack, caplog)


async def test_a_question_given_back_when_the_response_url_is_expired_comes_by_direct_message(
    slack: Slack,
) -> None:
    """The /ask give-back is the member's only copy of what they typed."""

    question = "Why does *make* fail on <@U0HELPER|helper>'s branch?"
    slack.fake.fail_next("chat.postMessage", "internal_error", status=500)
    slack.fake.fail_response_urls("expired_url", status=404)

    await slack.command("/ask", question)

    assert [c.status for c in slack.fake.response_url_calls] == [404]
    assert direct_messages(slack) == [f"{NOT_NOW}\n{GIVEN_BACK}\n{question}"]
    assert slack.count("questions") == 0


async def test_the_parts_after_the_response_url_fails_come_by_direct_message(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """A give-back in three parts, the response_url failing on the second: the second and
    third come by direct message, and the response_url is not tried again for the third.
    The member saw the first part where they ran /ask and then nothing: the direct messages
    start by saying they are the rest of that reply, once."""

    question = "\n".join(f"Line {n} of the logs." for n in range(5_000))
    slack.fake.fail_next("chat.postMessage", "internal_error", status=500)
    slack.fake.fail_response_urls("internal_error", status=500, after=1)

    await slack.command("/ask", question)

    assert [c.status for c in slack.fake.response_url_calls] == [200, 500]
    (first,) = shown_by_response_url(slack)
    note, *rest = direct_messages(slack)
    assert note == CONTINUED
    assert len(rest) == 2 and all(units(part) <= 40_000 for part in rest)
    assert first + "".join(rest) == f"{NOT_NOW}\n{GIVEN_BACK}\n{question}"
    assert len(about_response_urls(caplog)) == 1
    assert_no_url_logged(slack, caplog)


async def test_a_reply_in_more_parts_than_a_response_url_takes_is_not_lost(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack takes five messages on one response_url and refuses the sixth (404
    `used_url`): a give-back in seven parts lost its last two. Now the sixth and seventh
    come by direct message, without asking Slack for a sixth use it refuses."""

    question = "\n".join(f"Line {n} of the logs." for n in range(12_000))
    slack.fake.fail_next("chat.postMessage", "internal_error", status=500)

    await slack.command("/ask", question)

    assert [c.status for c in slack.fake.response_url_calls] == [200] * 5
    shown, (note, *rest) = shown_by_response_url(slack), direct_messages(slack)
    assert note == CONTINUED
    assert (len(shown), len(rest)) == (5, 2)
    assert "".join(shown + rest) == f"{NOT_NOW}\n{GIVEN_BACK}\n{question}"
    assert about_response_urls(caplog) == [
        "Slack: a response_url took no more messages: it was used 5 times, Slack's limit"
    ]


async def test_an_interaction_reply_the_channel_and_the_expired_response_url_refuse_is_a_dm(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """A shortcut's refusal goes first as an ephemeral message in its thread, then through
    its response_url: with the channel refusing (`channel_not_found`) and the response_url
    past its 30 minutes, the member is told by direct message."""

    root = await slack.ask()
    reply = await slack.answer(root, HELPER)
    message = sp.shortcut_message(user=HELPER, text="Try the reset link.", ts=reply, thread_ts=root)
    payload = sp.message_shortcut(
        callback_id="mark_solution", user_id=OTHER, channel_id=HELP, channel_name="help",
        message=message, response_url=slack.fake.new_response_url(channel=HELP),
    )  # fmt: skip
    slack.fake.clock = lambda: time.time() + 31 * 60
    slack.fake.fail_next("chat.postEphemeral", "channel_not_found")

    await slack.interaction(payload)

    assert [c.status for c in slack.fake.response_url_calls] == [404]
    assert direct_messages(slack, OTHER) == [
        "Only the person who asked (or a moderator) can do that."
    ]
    assert about_response_urls(caplog) == [
        "Slack: a response_url took no more messages: it answered 404 'expired_url'"
    ]
    assert_no_url_logged(slack, caplog)
