"""`outbound.response_url_problem`: which response_urls the app posts to; `ResponseUrl`:
when a message sent to one counts as not taken."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from slack_sdk.webhook import WebhookResponse

from adapters.slack.outbound import ResponseUrl, ResponseUrlUnusable, response_url_problem

SLACK_API = "https://slack.com/api/"
FAKE_API = "http://127.0.0.1:8080/api/"


@pytest.mark.parametrize(
    ("url", "api"),
    [
        ("https://hooks.slack.com/commands/T0/1/abc", SLACK_API),
        ("https://hooks.slack.com/actions/T0/1/abc", FAKE_API),  # Slack's, whatever the API
        ("HTTPS://Hooks.Slack.COM/actions/T0/1/abc", SLACK_API),
        ("https://hooks.slack.com:443/actions/T0/1/abc", SLACK_API),
        ("https://hooks.slack.com./actions/T0/1/abc", SLACK_API),
        ("http://127.0.0.1:8080/response_url/abc", FAKE_API),  # the API's own host and port
        ("HTTP://127.0.0.1:8080/response_url/abc", FAKE_API),
    ],
)
def test_slack_s_response_urls_are_used(url: str, api: str) -> None:
    assert response_url_problem(url, api) is None


@pytest.mark.parametrize(
    ("url", "api", "why"),
    [
        ("https://evil.example/hooks.slack.com/x", SLACK_API, "https://evil.example:443 is"),
        ("https://hooks.slack.com.evil.example/x", SLACK_API, "hooks.slack.com.evil.example"),
        ("https://hooks.slack.com@evil.example/x", SLACK_API, "https://evil.example:443 is"),
        ("https://evil.example#@hooks.slack.com/x", SLACK_API, "https://evil.example:443 is"),
        ("http://hooks.slack.com/actions/x", SLACK_API, "http://hooks.slack.com:80 is"),
        ("https://hooks.slack.com:8443/actions/x", SLACK_API, "hooks.slack.com:8443 is"),
        ("http://127.0.0.1:8081/response_url/x", FAKE_API, "http://127.0.0.1:8081 is"),
        ("https://127.0.0.1:8080/response_url/x", FAKE_API, "https://127.0.0.1:8080 is"),
        ("ws://hooks.slack.com/x", SLACK_API, "not an http(s) address"),
        ("javascript:alert(1)", SLACK_API, "not an http(s) address"),
        ("/response_url/x", FAKE_API, "not an http(s) address"),
        ("https:///x", SLACK_API, "not an http(s) address"),
        ("https://hooks.slack.com:port/x", SLACK_API, "not an http(s) address"),
    ],
)
def test_other_addresses_are_refused_with_why(url: str, api: str, why: str) -> None:
    found = response_url_problem(url, api)
    assert found is not None and why in found


URL = "https://hooks.slack.com/commands/T0/1/secret-token"


def answering(*answers: Any) -> Any:
    """A stand-in for Bolt's `respond`: returns (or raises) `answers` in turn."""

    left = list(answers)

    async def send(**message: Any) -> Any:
        answer = left.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return send


def webhook(status: int, body: str) -> WebhookResponse:
    return WebhookResponse(url=URL, status_code=status, body=body, headers={})


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        (webhook(404, "expired_url"), "it answered 404 'expired_url'"),
        (webhook(502, ""), "it answered 502 ''"),
        (webhook(200, '{"ok": false, "error": "no_text"}'), 'it answered 200 \'{"ok": false'),
        (OSError(f"cannot reach {URL}"), "sending failed: OSError('cannot reach <response_url>')"),
    ],
    ids=["404", "5xx", "ok false", "error"],
)
async def test_a_message_not_taken_makes_the_response_url_unusable(
    answer: Any, why: str, caplog: pytest.LogCaptureFixture
) -> None:
    respond = ResponseUrl(answering(answer), URL)

    for _ in range(2):  # (the second time without sending: it would raise IndexError)
        with pytest.raises(ResponseUrlUnusable) as raised:
            await respond(text="hi")
        assert str(raised.value).startswith(why)

    (logged,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert logged.startswith("Slack: a response_url took no more messages: " + why)
    assert "secret-token" not in logged


async def test_a_response_url_takes_five_messages() -> None:
    respond = ResponseUrl(answering(*[webhook(200, "ok")] * 5), URL)

    for _ in range(5):
        await respond(text="hi")
    with pytest.raises(ResponseUrlUnusable, match="used 5 times"):
        await respond(text="hi")


async def test_a_response_url_moves_on_once_after_showing_the_start_of_a_reply() -> None:
    """What decides the "the rest is here" line before a direct message: the response_url
    took a message before it stopped, and only the first message after that says so."""

    respond = ResponseUrl(answering(webhook(200, "ok"), webhook(500, "")), URL)
    assert not respond.moves_on()  # usable still
    await respond(text="first part")
    with pytest.raises(ResponseUrlUnusable):
        await respond(text="second part")

    assert [respond.moves_on() for _ in range(3)] == [True, False, False]


async def test_a_response_url_that_took_nothing_does_not_move_on() -> None:
    """Unusable from its first message: the whole reply is elsewhere, nothing to point to."""

    respond = ResponseUrl(answering(webhook(404, "expired_url")), URL)
    with pytest.raises(ResponseUrlUnusable):
        await respond(text="hi")

    assert not respond.moves_on()
