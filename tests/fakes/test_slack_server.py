"""Proves the fake Slack platform works with the real slack_sdk and slack-bolt libraries.

These tests are the contract other end-to-end tests rely on: if slack_sdk or slack-bolt change
how they talk to Slack, a failure here says "the fake drifted", not "the bot broke".
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from tests.fakes import slack_payloads as sp
from tests.fakes.slack_server import FakeSlack, SlackError, running_fake_slack


@pytest_asyncio.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    async with running_fake_slack() as fake:
        yield fake


def web_client(fake: FakeSlack, token: str | None = None, **kwargs: Any) -> AsyncWebClient:
    return AsyncWebClient(
        token=fake.bot_token if token is None else token, base_url=fake.api_url, **kwargs
    )


# --------------------------------------------------------------------------------------------
# Web API with slack_sdk
# --------------------------------------------------------------------------------------------


async def test_auth_test_and_calls_are_recorded(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)

    auth = await client.auth_test()

    assert auth["user_id"] == fake_slack.bot_user_id
    assert auth["team_id"] == fake_slack.team_id
    assert auth["bot_id"] == fake_slack.bot_id
    call = fake_slack.last_call("auth.test")
    assert call.token == fake_slack.bot_token
    assert call.ok and call.time > 0


async def test_post_message_json_body_thread_and_history(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    question = fake_slack.add_message("C0GENERAL", "How do I reset my password?", user="U0ASKER")

    resp = await client.chat_postMessage(
        channel="C0GENERAL",
        text="Here is how",
        thread_ts=question["ts"],
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "Here is how"}}],
    )

    assert resp["channel"] == "C0GENERAL"
    assert resp["message"]["thread_ts"] == question["ts"]
    assert resp["message"]["bot_id"] == fake_slack.bot_id
    assert resp["message"]["blocks"][0]["type"] == "section"
    call = fake_slack.last_call("chat.postMessage")
    assert call.content_type == "application/json"
    assert call.params["thread_ts"] == question["ts"]

    replies = await client.conversations_replies(channel="C0GENERAL", ts=question["ts"])
    assert [m["text"] for m in replies["messages"]] == [
        "How do I reset my password?",
        "Here is how",
    ]
    assert replies["messages"][0]["reply_count"] == 1
    history = await client.conversations_history(channel="C0GENERAL")
    assert [m["ts"] for m in history["messages"]] == [question["ts"]]  # replies stay in thread

    link = await client.chat_getPermalink(channel="C0GENERAL", message_ts=resp["ts"])
    assert link["permalink"].startswith(f"https://{fake_slack.team_domain}.slack.com/archives/")
    assert f"thread_ts={question['ts']}" in link["permalink"]


async def test_replies_within_a_time_range_keep_the_root_first(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    root = fake_slack.add_message("C0GENERAL", "root", user="U0ASKER")
    one, two, three = (
        fake_slack.add_message("C0GENERAL", text, user="U0HELPER", thread_ts=root["ts"])
        for text in ("one", "two", "three")
    )

    def texts(resp: Any) -> list[str]:
        return [m["text"] for m in resp["messages"]]

    ts = two["ts"]
    one_reply = await client.conversations_replies(
        channel="C0GENERAL", ts=root["ts"], oldest=ts, latest=ts, inclusive=True, limit=2
    )
    assert texts(one_reply) == ["root", "two"]
    cut_short = await client.conversations_replies(
        channel="C0GENERAL", ts=root["ts"], oldest=ts, latest=ts, inclusive=True, limit=1
    )
    assert texts(cut_short) == ["root"]  # the root counts against the limit
    exclusive = await client.conversations_replies(
        channel="C0GENERAL", ts=root["ts"], oldest=one["ts"], latest=three["ts"]
    )
    assert texts(exclusive) == ["root", "two"]

    fake_slack.remove_message("C0GENERAL", ts)
    gone = await client.conversations_replies(
        channel="C0GENERAL", ts=root["ts"], oldest=ts, latest=ts, inclusive=True, limit=2
    )
    assert texts(gone) == ["root"]


async def test_form_encoded_call_with_token_param_is_accepted(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(base_url=fake_slack.api_url)  # no token on the client

    resp = await client.api_call(
        "chat.postMessage",
        data={"token": fake_slack.bot_token, "channel": "C0GENERAL", "text": "form"},
    )

    assert resp["ok"]
    call = fake_slack.last_call("chat.postMessage")
    assert call.content_type == "application/x-www-form-urlencoded"
    assert call.token == fake_slack.bot_token


async def test_form_encoded_blocks_are_decoded_and_history_paginates(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]
    await client.api_call(
        "chat.postMessage", data={"channel": "C0GENERAL", "blocks": json.dumps(blocks)}
    )
    for i in range(4):
        await client.chat_postMessage(channel="C0GENERAL", text=f"m{i}")

    assert fake_slack.calls_to("chat.postMessage")[0].params["blocks"] == blocks
    first = await client.conversations_history(channel="C0GENERAL", limit=3)
    assert [m.get("text") for m in first["messages"]] == ["m3", "m2", "m1"]
    assert first["has_more"] is True
    rest = await client.conversations_history(
        channel="C0GENERAL", limit=3, cursor=first["response_metadata"]["next_cursor"]
    )
    assert [m.get("text") for m in rest["messages"]] == ["m0", ""]
    assert rest["has_more"] is False


async def test_missing_and_invalid_tokens(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as missing:
        await AsyncWebClient(base_url=fake_slack.api_url).auth_test()
    assert missing.value.response["error"] == "not_authed"
    with pytest.raises(SlackApiError) as invalid:
        await web_client(fake_slack, token="xoxb-wrong").auth_test()
    assert invalid.value.response["error"] == "invalid_auth"


async def test_channel_and_membership_errors(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    fake_slack.add_channel("C0OUTSIDE", "outside", bot_is_member=False)
    fake_slack.add_channel("G0SECRET", "secret", is_private=True, bot_is_member=False)

    with pytest.raises(SlackApiError) as nf:
        await client.chat_postMessage(channel="C0NOPE", text="hi")
    assert nf.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError) as priv:
        await client.conversations_info(channel="G0SECRET")
    assert priv.value.response["error"] == "channel_not_found"

    fake_slack.require_membership = True
    with pytest.raises(SlackApiError) as nic:
        await client.chat_postMessage(channel="C0OUTSIDE", text="hi")
    assert nic.value.response["error"] == "not_in_channel"
    joined = await client.conversations_join(channel="C0OUTSIDE")
    assert joined["channel"]["is_member"] is True
    again = await client.conversations_join(channel="C0OUTSIDE")
    assert again["warning"] == "already_in_channel"
    assert (await client.chat_postMessage(channel="C0OUTSIDE", text="hi"))["ok"]


async def test_conversations_members_pages_and_hides_private_channels_without_the_bot(
    fake_slack: FakeSlack,
) -> None:
    client = web_client(fake_slack)
    fake_slack.add_user("U0ANN", name="ann")
    fake_slack.add_channel("G0STAFF", "staff", is_private=True, members=["U0ANN", "U0BOB"])
    fake_slack.add_channel("G0SECRET", "secret", is_private=True, bot_is_member=False)

    first = await client.conversations_members(channel="G0STAFF", limit=2)
    assert first["members"] == ["U0ANN", "U0BOB"]
    cursor = first["response_metadata"]["next_cursor"]
    rest = await client.conversations_members(channel="G0STAFF", cursor=cursor)
    assert rest["members"] == [fake_slack.bot_user_id]
    assert rest["response_metadata"]["next_cursor"] == ""
    everyone = await client.conversations_members(channel="C0GENERAL")
    assert "U0ANN" in everyone["members"]
    with pytest.raises(SlackApiError) as hidden:
        await client.conversations_members(channel="G0SECRET")
    assert hidden.value.response["error"] == "channel_not_found"


async def test_message_metadata_comes_back_only_when_asked_for(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    root = await client.chat_postMessage(channel="C0GENERAL", text="root")
    marked = {"event_type": "thing_happened", "event_payload": {"id": 7}}
    await client.chat_postMessage(
        channel="C0GENERAL", text="reply", thread_ts=root["ts"], metadata=marked
    )

    plain = await client.conversations_replies(channel="C0GENERAL", ts=root["ts"])
    assert [m.get("metadata") for m in plain["messages"]] == [None, None]
    full = await client.conversations_replies(
        channel="C0GENERAL", ts=root["ts"], include_all_metadata=True
    )
    assert [m.get("metadata") for m in full["messages"]] == [None, marked]


async def test_chat_update_replaces_metadata_only_when_given(fake_slack: FakeSlack) -> None:
    """As documented for chat.update: without ``metadata`` a message keeps its own."""
    client = web_client(fake_slack)
    marked = {"event_type": "thing_happened", "event_payload": {"id": 7}}
    posted = await client.chat_postMessage(channel="C0GENERAL", text="one", metadata=marked)

    await client.chat_update(channel="C0GENERAL", ts=posted["ts"], text="two")
    kept = await client.conversations_history(channel="C0GENERAL", include_all_metadata=True)
    assert [(m["text"], m.get("metadata")) for m in kept["messages"]] == [("two", marked)]

    other = {"event_type": "thing_happened", "event_payload": {"id": 8}}
    await client.chat_update(channel="C0GENERAL", ts=posted["ts"], text="three", metadata=other)
    changed = await client.conversations_history(channel="C0GENERAL", include_all_metadata=True)
    assert [(m["text"], m.get("metadata")) for m in changed["messages"]] == [("three", other)]


async def test_ratelimited_is_retried_by_slack_sdk_handler(fake_slack: FakeSlack) -> None:
    client = web_client(
        fake_slack, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=1)]
    )
    fake_slack.fail_next("chat.postMessage", error="ratelimited", retry_after=0)

    resp = await client.chat_postMessage(channel="C0GENERAL", text="eventually")

    assert resp["ok"]
    attempts = fake_slack.calls_to("chat.postMessage")
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[0].response == {"ok": False, "error": "ratelimited"}


async def test_ratelimited_without_retry_raises_with_retry_after(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("users.info")  # defaults: ratelimited, 429, Retry-After: 1

    with pytest.raises(SlackApiError) as exc:
        await web_client(fake_slack).users_info(user="U0ASKER")

    assert exc.value.response.status_code == 429
    assert exc.value.response["error"] == "ratelimited"
    assert exc.value.response.headers["Retry-After"] == "1"


async def test_injected_errors_use_http_200(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    fake_slack.fail_next("chat.postMessage", error="not_in_channel", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as exc:
            await client.chat_postMessage(channel="C0GENERAL", text="x")
        assert exc.value.response.status_code == 200
        assert exc.value.response["error"] == "not_in_channel"
    assert (await client.chat_postMessage(channel="C0GENERAL", text="x"))["ok"]


async def test_an_injected_error_can_come_after_some_calls(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    fake_slack.fail_next("chat.postMessage", error="internal_error", status=500, after=2)

    for _ in range(2):
        assert (await client.chat_postMessage(channel="C0GENERAL", text="x"))["ok"]
    with pytest.raises(SlackApiError) as exc:
        await client.chat_postMessage(channel="C0GENERAL", text="x")
    assert exc.value.response.status_code == 500
    assert exc.value.response["error"] == "internal_error"
    assert (await client.chat_postMessage(channel="C0GENERAL", text="x"))["ok"]


async def test_unknown_method(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as exc:
        await web_client(fake_slack).api_call("chat.teleport")
    assert exc.value.response["error"] == "unknown_method"


async def test_reactions_update_delete_and_ephemeral(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    msg = fake_slack.add_message("C0GENERAL", "question", user="U0ASKER")

    await client.reactions_add(channel="C0GENERAL", timestamp=msg["ts"], name="white_check_mark")
    with pytest.raises(SlackApiError) as dup:
        await client.reactions_add(
            channel="C0GENERAL", timestamp=msg["ts"], name="white_check_mark"
        )
    assert dup.value.response["error"] == "already_reacted"
    assert msg["reactions"] == [{"name": "white_check_mark", "users": ["U0FAKEBOT"], "count": 1}]
    await client.reactions_remove(channel="C0GENERAL", timestamp=msg["ts"], name="white_check_mark")
    with pytest.raises(SlackApiError) as none:
        await client.reactions_remove(
            channel="C0GENERAL", timestamp=msg["ts"], name="white_check_mark"
        )
    assert none.value.response["error"] == "no_reaction"

    posted = await client.chat_postMessage(channel="C0GENERAL", text="v1")
    updated = await client.chat_update(channel="C0GENERAL", ts=posted["ts"], text="v2")
    assert (
        updated["text"] == "v2"
        and fake_slack.find_message("C0GENERAL", posted["ts"])["text"] == "v2"
    )
    with pytest.raises(SlackApiError) as cant:
        await client.chat_update(channel="C0GENERAL", ts=msg["ts"], text="not mine")
    assert cant.value.response["error"] == "cant_update_message"
    await client.chat_delete(channel="C0GENERAL", ts=posted["ts"])
    assert fake_slack.find_message("C0GENERAL", posted["ts"]) is None
    with pytest.raises(SlackApiError) as gone:
        await client.chat_delete(channel="C0GENERAL", ts=posted["ts"])
    assert gone.value.response["error"] == "message_not_found"

    eph = await client.chat_postEphemeral(channel="C0GENERAL", user="U0ASKER", text="only you")
    assert eph["message_ts"]
    assert fake_slack.ephemeral[-1]["user"] == "U0ASKER"


async def test_users_usergroups_team_and_conversations_info(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    fake_slack.add_usergroup("S0MODS", "moderators", ["U0ADMIN"])

    admin = (await client.users_info(user="U0ADMIN"))["user"]
    assert admin["is_admin"] is True and admin["is_owner"] is False
    assert admin["profile"]["real_name"] == "Grace Admin" and admin["tz"]
    bot = (await client.users_info(user=fake_slack.bot_user_id))["user"]
    assert bot["is_bot"] is True
    with pytest.raises(SlackApiError) as nf:
        await client.users_info(user="U0GHOST")
    assert nf.value.response["error"] == "user_not_found"
    assert fake_slack.last_call("users.info").http_method in ("GET", "POST")

    assert (await client.usergroups_users_list(usergroup="S0MODS"))["users"] == ["U0ADMIN"]
    assert (await client.team_info())["team"]["domain"] == fake_slack.team_domain
    info = (await client.conversations_info(channel="C0GENERAL"))["channel"]
    assert info["name"] == "general" and info["is_member"] is True


async def test_views_lifecycle(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    modal = {
        "type": "modal",
        "callback_id": "ask",
        "title": {"type": "plain_text", "text": "Ask"},
        "blocks": [],
    }

    with pytest.raises(SlackApiError) as missing:
        await client.views_open(trigger_id="", view=modal)
    assert missing.value.response["error"] == "invalid_arguments"

    opened = (await client.views_open(trigger_id=fake_slack.new_trigger_id(), view=modal))["view"]
    assert opened["id"].startswith("V") and opened["hash"] and opened["callback_id"] == "ask"
    assert opened["root_view_id"] == opened["id"] and opened["app_id"] == fake_slack.app_id

    updated = (await client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal))[
        "view"
    ]
    assert updated["id"] == opened["id"]
    with pytest.raises(SlackApiError) as conflict:
        await client.views_update(view_id=opened["id"], hash="stale", view=modal)
    assert conflict.value.response["error"] == "hash_conflict"

    pushed = (await client.views_push(trigger_id="1.2.abc", view=modal))["view"]
    assert pushed["previous_view_id"] == opened["id"]

    home = (await client.views_publish(user_id="U0ASKER", view={"type": "home", "blocks": []}))[
        "view"
    ]
    again = (await client.views_publish(user_id="U0ASKER", view={"type": "home", "blocks": []}))[
        "view"
    ]
    assert home["type"] == "home" and again["id"] == home["id"]


async def test_expired_trigger(fake_slack: FakeSlack) -> None:
    now = [1_700_000_000.0]
    fake_slack.clock = lambda: now[0]
    trigger = fake_slack.new_trigger_id()
    now[0] += 4
    with pytest.raises(SlackApiError) as exc:
        await web_client(fake_slack).views_open(
            trigger_id=trigger, view={"type": "modal", "blocks": []}
        )
    assert exc.value.response["error"] == "expired_trigger_id"


async def test_a_response_url_takes_five_messages_within_30_minutes(
    fake_slack: FakeSlack,
) -> None:
    """As Slack documents; slack_sdk's webhook client returns its answers, never raises."""

    now = [1_700_000_000.0]
    fake_slack.clock = lambda: now[0]
    used_up = AsyncWebhookClient(fake_slack.new_response_url(channel="C0GENERAL"))
    expiring = AsyncWebhookClient(fake_slack.new_response_url(channel="C0GENERAL"))
    failing = AsyncWebhookClient(fake_slack.new_response_url(channel="C0GENERAL"))

    answers = [await used_up.send(text=f"part {n}") for n in range(1, 7)]
    fake_slack.fail_response_urls("internal_error", status=503, after=1)
    answers += [await failing.send(text="fine"), await failing.send(text="not now")]
    now[0] += 30 * 60 + 1
    answers.append(await expiring.send(text="too late"))

    assert [(a.status_code, a.body) for a in answers] == [(200, '{"ok": true}')] * 5 + [
        (404, "used_url"), (200, '{"ok": true}'), (503, "internal_error"), (404, "expired_url"),
    ]  # fmt: skip
    assert [c.status for c in fake_slack.response_url_calls] == [a.status_code for a in answers]
    shown = [e["text"] for e in fake_slack.ephemeral]
    assert shown == ["part 1", "part 2", "part 3", "part 4", "part 5", "fine"]


# --------------------------------------------------------------------------------------------
# Payload builders and signing
# --------------------------------------------------------------------------------------------


async def test_a_members_edit_is_kept_and_read_back(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    root = fake_slack.add_message("C0GENERAL", "question", user="U0ASKER")
    reply = fake_slack.add_message("C0GENERAL", "answer", user="U0HELPER", thread_ts=root["ts"])

    before, after = fake_slack.edit_message("C0GENERAL", reply["ts"], "better answer")

    assert before["text"] == "answer" and "edited" not in before
    assert after["text"] == "better answer" and after["thread_ts"] == root["ts"]
    assert after["edited"]["user"] == "U0HELPER" and float(after["edited"]["ts"]) > 0
    replies = await client.conversations_replies(channel="C0GENERAL", ts=root["ts"])
    assert [m["text"] for m in replies["messages"]] == ["question", "better answer"]
    with pytest.raises(SlackError):
        fake_slack.edit_message("C0GENERAL", "1.000001", "nothing there")


async def test_a_deleted_parent_with_replies_leaves_a_tombstone(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    root = fake_slack.add_message("C0GENERAL", "question", user="U0ASKER")
    reply = fake_slack.add_message("C0GENERAL", "answer", user="U0HELPER", thread_ts=root["ts"])
    lone = fake_slack.add_message("C0GENERAL", "hello", user="U0OTHER")

    before, tombstone = fake_slack.delete_message("C0GENERAL", root["ts"])

    assert before["text"] == "question" and before["reply_count"] == 1
    assert tombstone is not None and tombstone["subtype"] == "tombstone"
    assert (tombstone["ts"], tombstone["user"], tombstone["text"]) == (
        root["ts"], sp.SLACKBOT, sp.TOMBSTONE_TEXT,
    )  # fmt: skip
    replies = await client.conversations_replies(channel="C0GENERAL", ts=root["ts"])
    assert [m["text"] for m in replies["messages"]] == [sp.TOMBSTONE_TEXT, "answer"]
    before, tombstone = fake_slack.delete_message("C0GENERAL", reply["ts"])
    assert (before["text"], tombstone) == ("answer", None)
    assert (fake_slack.find_message("C0GENERAL", root["ts"]) or {})["reply_count"] == 0
    fake_slack.delete_message("C0GENERAL", lone["ts"])
    assert fake_slack.find_message("C0GENERAL", lone["ts"]) is None
    with pytest.raises(SlackError):
        fake_slack.delete_message("C0GENERAL", lone["ts"])


async def test_a_deleted_channel_is_gone_with_its_messages(fake_slack: FakeSlack) -> None:
    client = web_client(fake_slack)
    fake_slack.add_channel("G0SECRET", "secret", is_private=True)
    fake_slack.add_message("C0GENERAL", "question", user="U0ASKER")

    assert fake_slack.delete_channel("C0GENERAL") == {
        "type": "channel_deleted", "channel": "C0GENERAL",
    }  # fmt: skip
    assert fake_slack.delete_channel("G0SECRET") == {
        "type": "group_deleted", "channel": "G0SECRET",
    }  # fmt: skip
    assert fake_slack.messages_in("C0GENERAL") == []
    with pytest.raises(SlackApiError) as raised:
        await client.chat_postMessage(channel="C0GENERAL", text="anyone?")
    assert raised.value.response["error"] == "channel_not_found"


def test_deletion_events_match_the_documented_payloads() -> None:
    previous = {"type": "message", "user": "U1", "text": "q", "ts": "1.000001"}
    deleted = sp.message_deleted_event(
        channel="C1", deleted_ts="1.000001", previous_message=previous
    )
    assert (deleted["type"], deleted["subtype"], deleted["hidden"]) == (
        "message", "message_deleted", True,
    )  # fmt: skip
    assert deleted["deleted_ts"] == "1.000001" and deleted["ts"] != "1.000001"
    tombstone = sp.tombstone_event(channel="C1", previous_message={**previous, "reply_count": 2})
    assert (tombstone["subtype"], tombstone["hidden"]) == ("message_changed", True)
    message = tombstone["message"]
    assert (message["subtype"], message["hidden"], message["text"]) == (
        "tombstone", True, "This message was deleted.",
    )  # fmt: skip
    assert message["ts"] == message["thread_ts"] == "1.000001" and message["reply_count"] == 2
    assert tombstone["previous_message"]["text"] == "q"


def test_message_changed_matches_the_documented_payload() -> None:
    edit = sp.message_changed_event(
        channel="C1", user="U1", ts="1.000001", thread_ts="0.000001", new_text="b", old_text="a"
    )
    assert (edit["type"], edit["subtype"], edit["hidden"]) == ("message", "message_changed", True)
    assert edit["message"]["edited"] == {"user": "U1", "ts": edit["ts"]}
    assert edit["message"]["thread_ts"] == edit["previous_message"]["thread_ts"] == "0.000001"
    assert (edit["message"]["text"], edit["previous_message"]["text"]) == ("b", "a")
    preview = sp.message_changed_event(
        channel="C1", user="U1", ts="1.000001", new_text="a", old_text="a", edited=False,
        attachments=[sp.unfurl_attachment("https://example.com/x")],
    )  # fmt: skip
    assert "edited" not in preview["message"] and preview["message"]["attachments"]


def test_sign_matches_slack_sdk_verifier() -> None:
    from slack_sdk.signature import SignatureVerifier

    body = sp.json_body(sp.event_callback(sp.message_event(channel="C1", user="U1", text="hi")))
    headers = sp.sign(body, "s3cret", timestamp=1_700_000_000)

    verifier = SignatureVerifier("s3cret", clock=_FixedClock(1_700_000_010))
    assert verifier.is_valid(
        body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert not verifier.is_valid(
        body + b" ", headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )


class _FixedClock:
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def test_builders_produce_documented_shapes() -> None:
    parent = sp.make_ts()
    reply = sp.message_event(
        channel="C1", user="U1", text="re", thread_ts=parent, parent_user_id="U2"
    )
    envelope = sp.event_callback(reply)
    assert envelope["type"] == "event_callback" and envelope["event_id"].startswith("Ev")
    assert envelope["authorizations"][0]["user_id"] == sp.BOT_USER_ID
    assert reply["thread_ts"] == parent and reply["channel_type"] == "channel"

    reaction = sp.reaction_added_event(
        user="U1", reaction="+1", channel="C1", message_ts=parent, item_user="U2"
    )
    assert reaction["item"] == {"type": "message", "channel": "C1", "ts": parent}

    cmd = sp.slash_command(command="/ask", text="how?", user_id="U1", channel_id="C1")
    assert cmd["is_enterprise_install"] == "false" and cmd["trigger_id"]

    sub = sp.view_submission(
        user_id="U1",
        callback_id="ask",
        private_metadata='{"thread": "1"}',
        values={
            "q": {"q_input": sp.plain_text_value("why?")},
            "who": {"u": sp.multi_users_select_value(["U2"])},
        },
    )
    assert sub["view"]["state"]["values"]["q"]["q_input"] == {
        "type": "plain_text_input",
        "value": "why?",
    }
    assert sub["view"]["state"]["values"]["who"]["u"]["selected_users"] == ["U2"]

    home_click = sp.block_actions(
        user_id="U1", actions=[sp.button("refresh")], view=sp.view_object(view_type="home")
    )
    assert home_click["container"]["type"] == "view" and "response_url" not in home_click

    assert sp.socket_envelope(envelope)["type"] == "events_api"
    assert sp.socket_envelope(cmd)["type"] == "slash_commands"
    assert sp.socket_envelope(sub)["accepts_response_payload"] is True


# --------------------------------------------------------------------------------------------
# slack-bolt over HTTP
# --------------------------------------------------------------------------------------------


def build_app(fake: FakeSlack) -> AsyncApp:
    app = AsyncApp(client=web_client(fake), signing_secret=fake.signing_secret)

    @app.event("message")
    async def on_message(event: dict[str, Any], say: Any) -> None:
        await say(text=f"echo: {event['text']}", thread_ts=event.get("thread_ts") or event["ts"])

    @app.event("reaction_added")
    async def on_reaction(event: dict[str, Any], client: AsyncWebClient) -> None:
        item = event["item"]
        await client.reactions_add(channel=item["channel"], timestamp=item["ts"], name="eyes")

    @app.event("app_home_opened")
    async def on_home(event: dict[str, Any], client: AsyncWebClient) -> None:
        await client.views_publish(user_id=event["user"], view={"type": "home", "blocks": []})

    @app.command("/ask")
    async def on_ask(
        ack: Any, command: dict[str, Any], respond: Any, client: AsyncWebClient
    ) -> None:
        await ack(text=f"Got it: {command['text']}")
        await client.chat_postMessage(
            channel=command["channel_id"], text=f"Question: {command['text']}"
        )
        await respond(text="posted", response_type="ephemeral")

    @app.action("accept")
    async def on_accept(ack: Any, respond: Any) -> None:
        await ack()
        await respond(text="Accepted", replace_original=True)

    @app.view("ask")
    async def on_submit(ack: Any, view: dict[str, Any]) -> None:
        value = view["state"]["values"]["q"]["q_input"]["value"]
        if not value:
            await ack(response_action="errors", errors={"q": "Please write a question"})
        else:
            await ack()

    return app


@pytest_asyncio.fixture
async def bolt_http(fake_slack: FakeSlack) -> AsyncIterator[str]:
    """The real Bolt app served by aiohttp on a random port; yields its /slack/events URL."""
    runner = web.AppRunner(build_app(fake_slack).web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        await runner.cleanup()


async def test_bolt_http_event_is_acked_and_handled(fake_slack: FakeSlack, bolt_http: str) -> None:
    event = sp.message_event(channel="C0GENERAL", user="U0ASKER", text="hello")
    started = time.monotonic()

    resp = await sp.deliver(
        bolt_http, sp.signed_event(sp.event_callback(event), secret=fake_slack.signing_secret)
    )

    assert resp.status == 200 and time.monotonic() - started < 3
    posted = await fake_slack.wait_for_call("chat.postMessage")
    assert posted[0].params["text"] == "echo: hello"
    assert posted[0].params["thread_ts"] == event["ts"]
    assert fake_slack.calls_to("auth.test")  # Bolt's authorization at first request


async def test_bolt_http_url_verification_and_retry_headers(
    fake_slack: FakeSlack, bolt_http: str
) -> None:
    verification = await sp.deliver(
        bolt_http, sp.signed_event(sp.url_verification("abc123"), secret=fake_slack.signing_secret)
    )
    assert verification.status == 200 and verification.json() == {"challenge": "abc123"}

    redelivery = sp.signed_event(
        sp.event_callback(sp.message_event(channel="C0GENERAL", user="U0ASKER", text="again")),
        secret=fake_slack.signing_secret,
        retry_num=1,
        retry_reason="http_timeout",
    )
    assert redelivery.headers["X-Slack-Retry-Num"] == "1"
    assert (await sp.deliver(bolt_http, redelivery)).status == 200


async def test_bolt_http_slash_command(fake_slack: FakeSlack, bolt_http: str) -> None:
    fields = sp.slash_command(
        command="/ask",
        text="why is the sky blue?",
        user_id="U0ASKER",
        channel_id="C0GENERAL",
        response_url=fake_slack.new_response_url(channel="C0GENERAL"),
    )

    resp = await sp.deliver(bolt_http, sp.signed_command(fields, secret=fake_slack.signing_secret))

    assert resp.status == 200
    assert resp.text == "Got it: why is the sky blue?"  # Bolt acks a bare text as text/plain
    posted = await fake_slack.wait_for_call("chat.postMessage")
    assert posted[0].params["text"] == "Question: why is the sky blue?"
    (respond_call,) = await fake_slack.wait_for_response_url_call()
    assert (
        respond_call.body["text"] == "posted" and respond_call.body["response_type"] == "ephemeral"
    )


async def test_bolt_http_rejects_forged_and_stale_signatures(
    fake_slack: FakeSlack, bolt_http: str
) -> None:
    payload = sp.event_callback(sp.message_event(channel="C0GENERAL", user="U0ASKER", text="x"))

    forged = await sp.deliver(bolt_http, sp.signed_event(payload, secret="not-the-secret"))
    stale = await sp.deliver(
        bolt_http,
        sp.signed_event(
            payload, secret=fake_slack.signing_secret, timestamp=int(time.time()) - 600
        ),
    )

    assert forged.status == 401
    assert stale.status == 401
    await asyncio.sleep(0.05)
    assert not fake_slack.calls_to("chat.postMessage")


async def test_bolt_http_block_action_respond_replaces_original(
    fake_slack: FakeSlack, bolt_http: str
) -> None:
    posted = await web_client(fake_slack).chat_postMessage(channel="C0GENERAL", text="Accept this?")
    payload = sp.block_actions(
        user_id="U0ASKER",
        actions=[sp.button("accept", "answer-1")],
        channel_id="C0GENERAL",
        message=posted["message"],
        response_url=fake_slack.new_response_url(channel="C0GENERAL", message_ts=posted["ts"]),
    )

    resp = await sp.deliver(
        bolt_http, sp.signed_interaction(payload, secret=fake_slack.signing_secret)
    )

    assert resp.status == 200
    await fake_slack.wait_for_response_url_call()
    assert fake_slack.find_message("C0GENERAL", posted["ts"])["text"] == "Accepted"


async def test_bolt_http_view_submission_errors_in_ack(
    fake_slack: FakeSlack, bolt_http: str
) -> None:
    payload = sp.view_submission(
        user_id="U0ASKER", callback_id="ask", values={"q": {"q_input": sp.plain_text_value("")}}
    )

    resp = await sp.deliver(
        bolt_http, sp.signed_interaction(payload, secret=fake_slack.signing_secret)
    )

    assert resp.status == 200
    assert resp.json() == {"response_action": "errors", "errors": {"q": "Please write a question"}}


# --------------------------------------------------------------------------------------------
# slack-bolt over Socket Mode
# --------------------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def socket_handler(fake_slack: FakeSlack) -> AsyncIterator[AsyncSocketModeHandler]:
    handler = AsyncSocketModeHandler(
        build_app(fake_slack), app_token=fake_slack.app_token, ping_interval=1
    )
    await handler.connect_async()
    try:
        yield handler
    finally:
        await handler.close_async()


async def test_socket_mode_event_envelope_is_acked_and_handled(
    fake_slack: FakeSlack, socket_handler: AsyncSocketModeHandler
) -> None:
    await fake_slack.wait_for_connection()
    assert fake_slack.last_call("apps.connections.open").token == fake_slack.app_token

    event = sp.message_event(channel="C0GENERAL", user="U0ASKER", text="over the socket")
    envelope_id = await fake_slack.socket_send(sp.socket_envelope(sp.event_callback(event)))
    ack = await fake_slack.wait_for_ack(envelope_id, timeout=2)

    assert ack.payload is None and ack.latency is not None and ack.latency < 3
    posted = await fake_slack.wait_for_call("chat.postMessage")
    assert posted[0].params["text"] == "echo: over the socket"


async def test_socket_mode_slash_command_ack_carries_payload(
    fake_slack: FakeSlack, socket_handler: AsyncSocketModeHandler
) -> None:
    fields = sp.slash_command(
        command="/ask",
        text="ping?",
        user_id="U0ASKER",
        channel_id="C0GENERAL",
        response_url=fake_slack.new_response_url(channel="C0GENERAL"),
    )

    envelope_id = await fake_slack.socket_send_payload(fields)
    ack = await fake_slack.wait_for_ack(envelope_id, timeout=2)

    assert ack.payload == {"text": "Got it: ping?"}
    await fake_slack.wait_for_call("chat.postMessage")


async def test_socket_mode_unhandled_envelope_gets_no_ack(
    fake_slack: FakeSlack, socket_handler: AsyncSocketModeHandler
) -> None:
    envelope_id = await fake_slack.socket_send_payload(
        sp.global_shortcut(callback_id="nobody-listens", user_id="U0ASKER")
    )
    with pytest.raises(TimeoutError):
        await fake_slack.wait_for_ack(envelope_id, timeout=0.3)


async def test_socket_mode_disconnect_triggers_reconnect(
    fake_slack: FakeSlack, socket_handler: AsyncSocketModeHandler
) -> None:
    await fake_slack.wait_for_connection()

    await fake_slack.socket_disconnect("refresh_requested")
    await fake_slack.wait_for_connection(count=2, timeout=3)

    assert len(fake_slack.calls_to("apps.connections.open")) == 2
    envelope_id = await fake_slack.socket_send_payload(
        sp.event_callback(sp.message_event(channel="C0GENERAL", user="U0ASKER", text="after"))
    )
    await fake_slack.wait_for_ack(envelope_id, timeout=2)


async def test_apps_connections_open_requires_app_token(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as exc:
        await web_client(fake_slack).apps_connections_open(app_token=fake_slack.bot_token)
    assert exc.value.response["error"] == "not_allowed_token_type"
    url = (await web_client(fake_slack).apps_connections_open(app_token=fake_slack.app_token))[
        "url"
    ]
    assert url.startswith("ws://127.0.0.1:")


async def test_socket_mode_reaction_and_app_home_events(
    fake_slack: FakeSlack, socket_handler: AsyncSocketModeHandler
) -> None:
    question = fake_slack.add_message("C0GENERAL", "q?", user="U0ASKER")
    reaction = sp.reaction_added_event(
        user="U0ADMIN",
        reaction="white_check_mark",
        channel="C0GENERAL",
        message_ts=question["ts"],
        item_user="U0ASKER",
    )
    home = sp.app_home_opened_event(user="U0ASKER")

    for event in (reaction, home):
        envelope_id = await fake_slack.socket_send_payload(sp.event_callback(event))
        await fake_slack.wait_for_ack(envelope_id, timeout=2)

    await fake_slack.wait_for_call("reactions.add")
    await fake_slack.wait_for_call("views.publish")
    assert question["reactions"][0]["name"] == "eyes"
    assert "U0ASKER" in fake_slack.home_views
