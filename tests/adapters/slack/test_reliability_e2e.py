"""Reliability: retries and duplicates change nothing, bad signatures touch nothing, Web API
errors never crash the app or lose the core's state, and acks come first (Socket Mode too)."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from tests.adapters.slack.conftest import ASKER, HELP, HELPER, Slack, make_slack
from tests.fakes import slack_payloads as sp
from tests.fakes.slack_server import running_fake_slack


def question_event(slack: Slack, text: str = "How do I reset my password?") -> dict:
    msg = slack.fake.add_message(HELP, text, user=ASKER)
    return sp.message_event(channel=HELP, user=ASKER, text=text, ts=msg["ts"])


async def test_slack_retry_of_an_event_changes_nothing(slack: Slack) -> None:
    event = question_event(slack)
    body = sp.event_callback(event, event_id="Ev0RETRY0001")

    first = await slack.send(sp.signed_event(body, secret=slack.secret))
    again = await slack.send(sp.signed_event(body, secret=slack.secret, retry_num=1))
    third = await slack.send(
        sp.signed_event(body, secret=slack.secret, retry_num=2, retry_reason="http_error")
    )

    assert (first.status, again.status, third.status) == (200, 200, 200)
    assert slack.count("questions") == 1
    assert slack.count("processed_events") == 1
    assert len(slack.fake.calls_to("chat.postMessage")) == 1


async def test_duplicate_reaction_event_awards_points_once(slack: Slack) -> None:
    root = await slack.ask()
    reply = await slack.answer(root)
    reaction = sp.reaction_added_event(
        user=ASKER, reaction="white_check_mark", channel=HELP, message_ts=reply
    )

    await slack.event(reaction, event_id="Ev0REACT0001")
    await slack.event(reaction, event_id="Ev0REACT0001")

    assert slack.points(HELPER) == 15
    assert slack.count("ledger") == 2
    assert len(slack.fake.calls_to("reactions.add")) == 1
    assert len([m for m in slack.thread_posts(root) if "#1 solved" in m["text"]]) == 1


async def test_forged_signature_is_401_and_touches_nothing(slack: Slack) -> None:
    body = sp.event_callback(question_event(slack))

    forged = await slack.send(sp.signed_event(body, secret="not-the-secret"))

    assert forged.status == 401
    assert slack.count("questions") == 0
    assert slack.fake.calls == []


async def test_stale_signature_is_401_and_touches_nothing(slack: Slack) -> None:
    fields = sp.slash_command(command="/rep", user_id=ASKER, channel_id=HELP)
    stale = sp.signed_command(fields, secret=slack.secret, timestamp=int(time.time()) - 600)

    delivery = await slack.send(stale)

    assert delivery.status == 401
    assert slack.fake.calls == [] and slack.fake.response_url_calls == []
    assert slack.count("members") == 0


async def test_tampered_body_is_401(slack: Slack) -> None:
    request = sp.signed_event(sp.event_callback(question_event(slack)), secret=slack.secret)
    tampered = sp.SignedRequest(request.body.replace(b"reset", b"RESET"), request.headers)

    assert (await slack.send(tampered)).status == 401
    assert slack.count("questions") == 0


async def test_ratelimited_post_is_retried(slack: Slack) -> None:
    slack.fake.fail_next("chat.postMessage", error="ratelimited", retry_after=0)

    root = await slack.ask()

    calls = slack.fake.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert len(slack.thread_posts(root)) == 1


async def test_channel_not_found_does_not_crash_or_lose_state(slack: Slack) -> None:
    slack.fake.fail_next("chat.postMessage", error="channel_not_found")

    root = await slack.ask()
    reply = await slack.answer(root)
    await slack.mark_solution(root, reply)

    assert slack.count("questions") == 1
    assert slack.question_status() == "solved"
    assert slack.points(HELPER) == 15


async def test_not_in_channel_joins_once_then_posts(slack: Slack) -> None:
    slack.fake.fail_next("chat.postMessage", error="not_in_channel")

    root = await slack.ask()

    assert len(slack.fake.calls_to("conversations.join")) == 1
    assert len(slack.thread_posts(root)) == 1


async def test_not_in_channel_and_join_refused_gives_up(slack: Slack) -> None:
    slack.fake.fail_next("chat.postMessage", error="not_in_channel")
    slack.fake.fail_next("conversations.join", error="method_not_supported_for_channel_type")

    root = await slack.ask()

    assert slack.count("questions") == 1
    assert slack.thread_posts(root) == []
    # The app keeps working.
    reply = await slack.answer(root)
    await slack.mark_solution(root, reply)
    assert slack.question_status() == "solved"


async def test_users_info_failure_degrades_to_the_user_id(slack: Slack) -> None:
    slack.fake.fail_next("users.info", error="fatal_error")

    await slack.ask()

    assert slack.rows("SELECT display_name FROM members") == [(ASKER,)]
    assert slack.count("questions") == 1


async def test_a_users_info_failure_keeps_what_slack_said_last(slack: Slack) -> None:
    """Once the cache's time was up, a failed lookup fell back to the bare id: the member's
    stored name became 'U0HELPER' (credited so in promoted articles, thanks messages and
    report posts), and a workspace admin stopped being a moderator. Slack's last answer is
    used until it answers again."""

    root = await slack.ask()
    await slack.answer(root, HELPER)
    await slack.command("/mod", "help", user="U0ADMIN")
    slack.ticker.now += 3600
    slack.fake.fail_next("users.info", error="fatal_error", times=2)

    await slack.answer(root, HELPER, "Or ask IT.")
    await slack.command("/mod", "help", user="U0ADMIN")

    assert len(slack.fake.calls_to("users.info")) == 5  # (the failed lookups were made)
    assert slack.rows("SELECT display_name FROM members WHERE platform_user_id = ?", HELPER) == [
        ("helper",)
    ]
    assert slack.responses()[-1].startswith("*Moderator commands*")


async def test_unknown_workspace_is_ignored(slack: Slack) -> None:
    body = sp.event_callback(question_event(slack), team_id="T0STRANGER")

    delivery = await slack.send(sp.signed_event(body, secret=slack.secret))

    assert delivery.status == 200
    assert slack.count("questions") == 0


async def test_url_verification_and_unsubscribed_events_are_acknowledged(slack: Slack) -> None:
    challenge = await slack.send(sp.signed_event(sp.url_verification("abc"), secret=slack.secret))
    other = await slack.event(sp.member_joined_channel_event(user=ASKER, channel=HELP))

    assert challenge.status == 200 and "abc" in challenge.text
    assert other.status == 200


async def test_commands_are_acked_before_the_work(slack: Slack) -> None:
    """The ack goes out even while the core is slow (the HTTP reply is not held by the work)."""

    slow = slack.core.bot.handle

    async def handle(command):  # noqa: ANN001, ANN202
        await asyncio.sleep(0.5)
        return await slow(command)

    slack.core.bot.handle = handle  # type: ignore[method-assign]
    started = time.monotonic()
    fields = sp.slash_command(
        command="/rep", user_id=ASKER, channel_id=HELP, response_url=slack.fake.new_response_url()
    )
    delivery = await sp.deliver(slack.url, sp.signed_command(fields, secret=slack.secret))
    acked = time.monotonic() - started
    await slack.settle()

    assert delivery.status == 200
    assert acked < 0.4
    assert len(slack.fake.response_url_calls) == 1


async def test_moderator_cache_expires(slack: Slack) -> None:
    await slack.command("/mod", "help", user="U0ADMIN")
    await slack.command("/mod", "help", user="U0ADMIN")
    assert len([c for c in slack.fake.calls_to("users.info") if c.params["user"] == "U0ADMIN"]) == 1

    slack.fake.users["U0ADMIN"]["is_admin"] = False
    slack.ticker.now += 3600
    await slack.command("/mod", "help", user="U0ADMIN")

    assert slack.responses()[-1] == "Only moderators can do that."


async def test_socket_mode_event_is_acked_and_processed(tmp_path: Path) -> None:
    async with running_fake_slack() as fake:
        harness, client = await make_slack(fake, tmp_path)
        handler = AsyncSocketModeHandler(harness.bolt, app_token=fake.app_token, web_client=client)
        await handler.connect_async()
        try:
            msg = fake.add_message(HELP, "How do I reset my password?", user=ASKER)
            event = sp.message_event(channel=HELP, user=ASKER, text=msg["text"], ts=msg["ts"])
            envelope_id = await fake.socket_send(sp.socket_envelope(sp.event_callback(event)))

            ack = await fake.wait_for_ack(envelope_id)
            await fake.wait_for_call("chat.postMessage")
            await harness.settle()

            assert ack.latency is not None and ack.latency < 3
            assert harness.count("questions") == 1
            command = sp.slash_command(
                command="/rep",
                user_id=ASKER,
                channel_id=HELP,
                response_url=fake.new_response_url(channel=HELP),
            )
            command_ack = await fake.wait_for_ack(
                await fake.socket_send(sp.socket_envelope(command))
            )
            assert command_ack.envelope_id
            await fake.wait_for_response_url_call()
        finally:
            await handler.close_async()
            await harness.runner.cleanup()
            await harness.core.close()


async def test_a_reply_arriving_while_its_question_is_recorded_is_kept(slack: Slack) -> None:
    """Slack delivers events concurrently; a quick reply must not beat its question."""

    slow = slack.core.bot.handle

    async def handle(command):  # noqa: ANN001, ANN202
        if type(command).__name__ == "AskQuestion":
            await asyncio.sleep(0.2)
        return await slow(command)

    slack.core.bot.handle = handle  # type: ignore[method-assign]
    root = slack.fake.add_message(HELP, "How do I reset my password?", user=ASKER)
    reply = slack.fake.add_message(HELP, "Use the link", user=HELPER, thread_ts=root["ts"])
    for event in (
        sp.message_event(channel=HELP, user=ASKER, text=root["text"], ts=root["ts"]),
        sp.message_event(
            channel=HELP, user=HELPER, text=reply["text"], ts=reply["ts"], thread_ts=root["ts"]
        ),
    ):
        body = sp.event_callback(event)
        await sp.deliver(slack.url, sp.signed_event(body, secret=slack.secret))
    await slack.settle()

    assert slack.count("questions") == 1
    assert slack.count("messages") == 1


UNREADABLE = [
    (b"not json at all", sp.JSON_CONTENT_TYPE),
    (b"[]", sp.JSON_CONTENT_TYPE),
    (b"null", sp.JSON_CONTENT_TYPE),
    (b"payload=not-json", sp.FORM_CONTENT_TYPE),
    (b"payload=%5B%5D", sp.FORM_CONTENT_TYPE),
]
# Not UTF-8: Slack signs text, and the verifier reads the body as text, so even a body signed
# with the secret is not Slack's (401).
NOT_TEXT = [(b"\xff\xfe\x00", sp.JSON_CONTENT_TYPE), (b"\xff\xfe\x00", sp.FORM_CONTENT_TYPE)]


async def test_an_unreadable_body_is_refused_without_a_traceback(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """A signed body that is not the JSON or form Slack sends is refused plainly: no 500, no
    traceback in the log, nothing touched; the next good request still works. It is
    acknowledged 200: Slack sends an event answered otherwise again, and a form that is no
    slash command or interaction has nobody to tell (see test_malformed_e2e). The same body
    forged or unsigned is 401 first, as any forged request is."""

    for body, content_type in UNREADABLE + NOT_TEXT:
        unsigned = sp.SignedRequest(body, {"Content-Type": content_type})
        signed = 401 if (body, content_type) in NOT_TEXT else 200
        for request, status in (
            (sp.signed_request(body, content_type, secret=slack.secret), signed),
            (sp.signed_request(body, content_type, secret="not-the-secret"), 401),
            (unsigned, 401),
        ):
            delivery = await slack.send(request)
            assert delivery.status == status, (body, request.headers, delivery.status)

    assert not [r for r in caplog.records if r.exc_info]
    assert slack.fake.calls == [] and slack.count("members") == 0
    await slack.ask()
    assert slack.count("questions") == 1


@pytest.mark.parametrize("timestamp", ["abc", "", "1e3", "\u0661\u0662", " 1"])
async def test_a_timestamp_that_is_no_number_is_401_without_a_traceback(
    slack: Slack, caplog: pytest.LogCaptureFixture, timestamp: str
) -> None:
    """slack_sdk's verifier reads the timestamp header with int(): anything else was a 500
    and an ERROR traceback for every such request, from anyone who could reach the port."""

    body = sp.json_body(sp.event_callback(question_event(slack)))
    headers = {"Content-Type": sp.JSON_CONTENT_TYPE, "X-Slack-Signature": "v0=00"}
    forged = sp.SignedRequest(body, {**headers, "X-Slack-Request-Timestamp": timestamp})

    delivery = await slack.send(forged)

    assert delivery.status == 401
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert slack.count("questions") == 0


async def test_a_signature_that_is_not_ascii_is_401_without_a_traceback(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """slack_sdk's verifier compares signatures as str, and hmac refuses non-ASCII ones
    with a TypeError: a 500 and a traceback for a forged header."""

    body = sp.json_body(sp.event_callback(question_event(slack)))
    timestamp = str(int(time.time()))
    forged = sp.SignedRequest(
        body,
        {
            "Content-Type": sp.JSON_CONTENT_TYPE,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": "v0=\u00e9t\u00e9",
        },
    )

    delivery = await slack.send(forged)

    assert delivery.status == 401
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert slack.count("questions") == 0


async def test_slack_s_ssl_check_is_still_answered_unsigned(slack: Slack) -> None:
    """Bolt answers Slack's SSL certificate check before any signature check; the runner's
    own checks leave it so."""

    body = sp.form_body({"ssl_check": "1", "token": "whatever"})
    check = sp.SignedRequest(body, {"Content-Type": sp.FORM_CONTENT_TYPE})

    assert (await slack.send(check)).status == 200
    assert slack.fake.calls == []


@pytest.mark.parametrize("event", ["message", 5, None, ["message"], True])
async def test_a_forged_or_unsigned_event_that_is_not_an_object_is_401(
    slack: Slack, caplog: pytest.LogCaptureFixture, event: object
) -> None:
    """The signature is checked before the body's shape: whoever cannot sign learns nothing
    about what the app would refuse, and is answered as any forged request is."""

    body = sp.event_callback({})
    body["event"] = event
    forged = sp.signed_event(body, secret="not-the-secret")
    stale = sp.signed_event(body, secret=slack.secret, timestamp=int(time.time()) - 600)
    unsigned = sp.SignedRequest(sp.json_body(body), {"Content-Type": sp.JSON_CONTENT_TYPE})

    statuses = [(await slack.send(r)).status for r in (forged, stale, unsigned)]

    assert statuses == [401, 401, 401]
    assert not [r for r in caplog.records if r.exc_info]
    assert not [r for r in caplog.records if "unreadable" in r.getMessage()]
    assert slack.fake.calls == []


@pytest.mark.parametrize("event", ["message", 5, None, ["message"], True, {}, {"type": 7}])
async def test_an_event_that_is_not_an_object_is_refused_in_one_line(
    slack: Slack, caplog: pytest.LogCaptureFixture, event: object
) -> None:
    """Signed correctly but `event` is not an object with a type: refused with one log
    line, no 500 and no traceback; the next good request still works. It is acknowledged
    200, with the first delivery and with Slack's retries alike: Slack sends an event again
    on any other answer (up to three times, with `X-Slack-Retry-Num`), and a retry of the
    same body cannot help."""

    body = sp.event_callback({})
    body["event"] = event

    delivery = await slack.send(sp.signed_event(body, secret=slack.secret))
    retried = await slack.send(sp.signed_event(body, secret=slack.secret, retry_num=1))

    assert (delivery.status, retried.status) == (200, 200)
    assert not [r for r in caplog.records if r.exc_info]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == [
        "Slack: unreadable application/json request to /slack/events refused: "
        "event is not an object with a type"
    ] * 2
    assert slack.fake.calls == []
    await slack.ask()
    assert slack.count("questions") == 1
