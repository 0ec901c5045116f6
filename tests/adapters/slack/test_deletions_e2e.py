"""A message deleted on Slack reaches the core, over signed HTTP: the asker's question (Slack's
`message_deleted`, or for a question with replies the `message_changed` to a tombstone that
Slack leaves in its place) is deleted and its thread told so and closed; an answer is no
answer any more, and an accepted one takes its points back with it. A deletion outside the
help channels, in a workspace that is no community's, or of a message the bot never recorded
changes nothing and says nothing, without one Web API call; the same deletion twice changes
nothing the second time; a tombstone is never a question's new text."""

from __future__ import annotations

import time
from typing import Any

import pytest

from adapters.slack import ids
from bot import commands as c
from tests.adapters.slack.conftest import (
    ASKER,
    HELP,
    HELPER,
    MOD,
    OTHER,
    Slack,
    commands_reaching_the_core,
    slow_down,
)
from tests.fakes import slack_payloads as sp

QUESTION = "How do I parse JSON?\nIt fails on dates"
NOTICE = "#1's question was deleted, so this thread is closed"


def question_deleted(slack: Slack) -> bool:
    return bool(slack.rows("SELECT deleted_at IS NOT NULL FROM questions WHERE id = 1")[0][0])


def accepted(slack: Slack) -> int:
    return int(slack.rows("SELECT count(*) FROM acceptances WHERE revoked_at IS NULL")[0][0])


def messages_deleted(slack: Slack) -> list[bool]:
    return [bool(r[0]) for r in slack.rows("SELECT deleted_at IS NOT NULL FROM messages")]


def notices(slack: Slack, root: str) -> list[str]:
    """The bot's posts in the thread of `root` saying its question was deleted, by the calls
    that made them (the root may be gone from the fake)."""

    return [
        str(call.params.get("text"))
        for call in slack.fake.calls_to("chat.postMessage")
        if call.params.get("thread_ts") == root and NOTICE in str(call.params.get("text"))
    ]


async def test_the_askers_deleted_question_is_deleted_and_its_thread_told(slack: Slack) -> None:
    root = await slack.ask(QUESTION)
    slack.fake.clear_calls()
    previous = slack.fake.remove_message(HELP, root)

    with commands_reaching_the_core(slack, c.DeleteMessage) as seen:
        delivery = await slack.event(
            sp.message_deleted_event(channel=HELP, deleted_ts=root, previous_message=previous)
        )

    assert delivery.status == 200
    assert [(d.platform, d.community, d.message_id) for d in seen] == [
        ("slack", "main", f"{HELP}:{root}")
    ]
    assert question_deleted(slack)
    assert slack.question_text() == ("How do I parse JSON?", QUESTION)
    [notice] = notices(slack, root)
    assert "To ask again, post in the help channel." in notice
    assert slack.fake.last_call("chat.postMessage").params["channel"] == HELP
    # The only Web API calls are the notice, the thread's closing, and looking for the bot's
    # reply that quotes the question (`opened`): none to learn what was deleted.
    assert {call.method for call in slack.fake.calls} <= {
        "chat.postMessage", "reactions.add", "conversations.replies", "chat.update",
    }  # fmt: skip
    await slack.command("/kb", "search parse JSON dates", user=OTHER)
    assert "How do I parse JSON?" not in slack.responses()[-1]


async def test_a_question_with_replies_deleted_as_a_tombstone_is_deleted_not_edited(
    slack: Slack,
) -> None:
    root = await slack.ask(QUESTION)
    reply = await slack.answer(root, text="Try json.loads with a hook.")
    slack.fake.clear_calls()
    event = slack.deleted(root)
    assert event["subtype"] == "message_changed"
    assert event["message"]["subtype"] == "tombstone"

    delivery = await slack.event(event)

    assert delivery.status == 200
    assert question_deleted(slack)
    assert slack.question_text() == ("How do I parse JSON?", QUESTION)  # never the tombstone's
    assert len(notices(slack, root)) == 1
    tombstone = slack.fake.find_message(HELP, root) or {}
    assert tombstone.get("subtype") == "tombstone"
    assert {r["name"] for r in tombstone.get("reactions", [])} == {
        ids.CLOSED_REACTION,
        ids.LOCKED_REACTION,
    }
    # The thread is no question's any more: a later reply is not recorded, nobody is told.
    await slack.answer(root, OTHER, "Still there?")
    assert slack.count("messages") == 1 and slack.ephemeral_to(OTHER) == []
    # Its replies going, and then the tombstone, say nothing more.
    slack.fake.clear_calls()
    await slack.delete(reply)
    await slack.event(sp.message_deleted_event(channel=HELP, deleted_ts=root))
    assert notices(slack, root) == []


async def test_the_bots_post_of_an_ask_question_deleted_deletes_the_question(
    slack: Slack,
) -> None:
    await slack.command("/ask", "Where is the VPN guide?", channel="C0GENERAL")
    [root] = [m["ts"] for m in slack.fake.messages_in(HELP) if m.get("thread_ts") == m["ts"]]
    assert slack.fake.messages_in(HELP)[0]["bot_id"]  # the bot's post, with its thread
    slack.fake.clear_calls()

    await slack.delete(root)

    assert question_deleted(slack)
    assert len(notices(slack, root)) == 1


async def test_the_bots_post_of_an_ask_question_deleted_with_no_replies_left_deletes_it(
    slack: Slack,
) -> None:
    """With its thread emptied first (the bot's note deleted), the bot's post of an /ask
    question goes as `message_deleted` whose `previous_message` is the bot's own: Bolt's
    self-event filter would drop it, and the question would stay."""

    await slack.command("/ask", "Where is the VPN guide?", channel="C0GENERAL")
    [root] = [m["ts"] for m in slack.fake.messages_in(HELP) if m.get("thread_ts") == m["ts"]]
    for post in slack.thread_posts(root):
        await slack.delete(post["ts"])
    event = slack.deleted(root)
    assert event["subtype"] == "message_deleted"
    assert event["previous_message"]["user"] == sp.BOT_USER_ID

    await slack.event(event)

    assert question_deleted(slack)


async def test_a_deleted_accepted_answer_takes_its_points_back(slack: Slack) -> None:
    root = await slack.ask(QUESTION)
    reply = await slack.answer(root, text="Use json.loads with a hook.")
    other = await slack.answer(root, OTHER, "Or a custom decoder.")
    await slack.mark_solution(root, reply)
    assert slack.points(HELPER) == 15 and accepted(slack) == 1
    slack.fake.clear_calls()

    with commands_reaching_the_core(slack, c.DeleteMessage) as seen:
        delivery = await slack.delete(reply)

    assert delivery.status == 200
    assert [d.message_id for d in seen] == [f"{HELP}:{reply}"]
    assert slack.points(HELPER) == 0
    assert accepted(slack) == 0
    assert messages_deleted(slack) == [True, False]
    assert not question_deleted(slack)
    # Nothing solves the question any more: it is open again, and its thread says so and
    # loses its ✅.
    (post,) = slack.fake.calls_to("chat.postMessage")
    assert post.params["thread_ts"] == root
    assert post.params["text"] == (
        "The answer that solved #1 was deleted, so the question is open again."
    )
    assert "white_check_mark" not in slack.root_reactions(root)
    slack.fake.clear_calls()
    # An answer not accepted goes quietly, and is no answer any more.
    await slack.delete(other)
    assert messages_deleted(slack) == [True, True]
    assert slack.points(OTHER) == 0 and slack.bot_said() == []


async def test_the_same_deletion_twice_changes_nothing_the_second_time(slack: Slack) -> None:
    root = await slack.ask(QUESTION)
    reply = await slack.answer(root)
    await slack.mark_solution(root, reply)
    answer_deleted = slack.deleted(reply)
    await slack.event(answer_deleted)
    ledger = slack.count("ledger")
    assert slack.points(HELPER) == 0
    question_gone = slack.deleted(root)
    await slack.event(question_gone)
    assert len(notices(slack, root)) == 1
    slack.fake.clear_calls()

    for event in (answer_deleted, question_gone):
        await slack.event(event)  # Slack's retry has the same event, a new delivery
        await slack.event(event, event_id="Ev0SAMEONE")
    await slack.event(answer_deleted, event_id="Ev0SAMEONE")

    assert slack.count("ledger") == ledger and slack.points(HELPER) == 0
    assert slack.fake.calls == []


async def test_a_member_deleting_a_question_a_moderator_deleted_changes_nothing(
    slack: Slack,
) -> None:
    """The bot's own deletions (here `/mod delete`) are the core's already: when the
    message then goes on Slack, its event changes nothing and says nothing."""

    root = await slack.ask(QUESTION)
    await slack.command("/mod", "delete #1 spam", user=MOD)
    audited = slack.count("audit_log")
    slack.fake.clear_calls()

    with commands_reaching_the_core(slack, c.DeleteMessage) as seen:
        await slack.delete(root)

    assert len(seen) == 1
    assert slack.count("audit_log") == audited
    assert slack.fake.calls == []


async def test_deletions_elsewhere_change_nothing_and_call_nothing(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    root = await slack.ask(QUESTION)
    reply = await slack.answer(root)
    await slack.mark_solution(root, reply)
    before = (slack.count("questions"), slack.count("ledger"), slack.count("audit_log"))
    slack.fake.clear_calls()
    ephemeral = len(slack.fake.ephemeral)
    previous = slack.fake.find_message(HELP, root) or {}

    elsewhere = (
        sp.message_deleted_event(channel="C0GENERAL", deleted_ts=root),
        sp.message_deleted_event(channel="D0ASKER", deleted_ts=root, channel_type="im"),
        sp.message_deleted_event(channel=HELP, deleted_ts=root, channel_type="mpim"),
        sp.tombstone_event(channel="C0GENERAL", previous_message=previous),
    )
    with commands_reaching_the_core(slack, c.DeleteMessage) as seen:
        for event in elsewhere:
            assert (await slack.event(event)).status == 200
        for event in (sp.message_deleted_event(channel=HELP, deleted_ts=root),
                      sp.tombstone_event(channel=HELP, previous_message=previous)):  # fmt: skip
            body = sp.event_callback(event, event_id=sp.make_event_id(), team_id="T0STRANGER")
            assert (await slack.send(sp.signed_event(body, secret=slack.secret))).status == 200
    assert seen == []

    unrecorded = [
        # the bot's own "question opened" note, a message the bot never kept, one never seen
        next(m["ts"] for m in slack.thread_posts(root)),
        slack.fake.add_message(HELP, "hi all", user=OTHER)["ts"],
        "1600000000.000100",
    ]
    with commands_reaching_the_core(slack, c.DeleteMessage) as seen:
        for ts in unrecorded:
            event = sp.message_deleted_event(channel=HELP, deleted_ts=ts)
            assert (await slack.event(event)).status == 200
    assert len(seen) == 3

    assert (slack.count("questions"), slack.count("ledger"), slack.count("audit_log")) == before
    assert not question_deleted(slack) and accepted(slack) == 1
    assert slack.fake.calls == [] and len(slack.fake.ephemeral) == ephemeral
    assert not [r for r in caplog.records if r.exc_info]
    await slack.delete(reply)
    assert accepted(slack) == 0


async def test_a_failed_deletion_is_logged_and_the_next_one_still_runs(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    root = await slack.ask(QUESTION)
    reply = await slack.answer(root)
    core = slack.core.bot
    handle = core.handle

    async def failing(command: Any) -> Any:
        if isinstance(command, c.DeleteMessage):
            del core.handle
            raise RuntimeError("database went away")
        return await handle(command)

    core.handle = failing  # type: ignore[method-assign]
    slack.fake.clear_calls()
    delivery = await slack.delete(reply)

    assert delivery.status == 200
    assert [r for r in caplog.records if r.exc_info and "slack deletion" in r.getMessage()]
    assert messages_deleted(slack) == [False]
    assert slack.bot_said() == []  # nobody to apologise to: a deletion is silent
    await slack.delete(root)
    assert question_deleted(slack)


async def test_a_deletion_is_acked_before_the_work(slack: Slack) -> None:
    """Slack retries an event not acknowledged within 3 seconds: the ack never waits for
    the core."""

    root = await slack.ask(QUESTION)
    slow_down(slack, c.DeleteMessage, 0.5)
    body = sp.event_callback(slack.deleted(root))
    started = time.monotonic()
    delivery = await sp.deliver(slack.url, sp.signed_event(body, secret=slack.secret))
    acked = time.monotonic() - started
    await slack.settle()

    assert delivery.status == 200 and acked < 0.4
    assert question_deleted(slack)


async def test_a_deletion_arriving_while_its_question_is_recorded_deletes_it(
    slack: Slack,
) -> None:
    """Slack delivers events concurrently: a quick deletion must not beat its question (and
    find nothing to delete)."""

    slow_down(slack, c.AskQuestion)
    root = slack.fake.add_message(HELP, QUESTION, user=ASKER)
    asked = sp.message_event(channel=HELP, user=ASKER, text=QUESTION, ts=root["ts"])
    gone = sp.message_deleted_event(channel=HELP, deleted_ts=root["ts"], previous_message=root)
    for event in (asked, gone):
        await sp.deliver(slack.url, sp.signed_event(sp.event_callback(event), secret=slack.secret))
    await slack.settle()

    assert slack.count("questions") == 1 and question_deleted(slack)


SECRET = "My AWS key AKIAXXXXSECRET stopped working\nWhat now?"


def bots_words(slack: Slack) -> list[str]:
    """What the bot's messages in the help channel show now: texts and blocks."""

    return [
        f"{m.get('text')} {m.get('blocks')}"
        for m in slack.fake.messages_in(HELP)
        if m.get("bot_id")
    ]


@pytest.mark.parametrize("ask", ["message", "/ask"])
async def test_a_deleted_question_s_first_line_is_gone_from_the_bot_s_reply(
    slack: Slack, ask: str
) -> None:
    """A member deleting their question (say, to take back a secret they posted) left the
    bot's "Question #1 opened: <first line>" reply in the thread, quoting it. That reply
    now says only that the question was deleted, without its suggestions or buttons."""

    if ask == "/ask":
        await slack.command("/ask", "Which VPN client do we use?", channel="C0GENERAL")
        [root] = [m["ts"] for m in slack.fake.messages_in(HELP) if m.get("thread_ts") == m["ts"]]
        title = "Which VPN client do we use?"
    else:
        root, title = await slack.ask(SECRET), "AKIAXXXXSECRET"
    await slack.answer(root)

    await slack.delete(root)

    assert question_deleted(slack)
    opened = [m for m in slack.thread_posts(root) if "Question #1" in m["text"]]
    assert [(m["text"], m.get("blocks")) for m in opened] == [
        ("Question #1 was deleted.", [{"type": "section", "text": {
            "type": "mrkdwn", "text": "Question #1 was deleted."}}]),
    ]  # fmt: skip
    assert not any(title in words for words in bots_words(slack) if "asked:" not in words)


async def test_a_moderator_s_delete_takes_the_first_line_from_the_reply_and_restore_back(
    slack: Slack,
) -> None:
    root = await slack.ask(SECRET)

    await slack.command("/mod", "delete #1 leaked credentials", user=MOD)

    assert not any("AKIAXXXXSECRET" in words for words in bots_words(slack))
    assert slack.thread_posts(root)[0]["text"] == "Question #1 was deleted."

    await slack.command("/mod", "restore #1", user=MOD)

    assert slack.thread_posts(root)[0]["text"] == (
        "Question #1 opened: My AWS key AKIAXXXXSECRET stopped working"
    )


async def test_a_deleted_question_whose_reply_slack_can_t_find_still_deletes(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    root = await slack.ask(SECRET)
    await slack.answer(root)
    slack.fake.fail_next("conversations.replies", "internal_error", status=500, times=5)

    await slack.delete(root)

    assert question_deleted(slack) and len(notices(slack, root)) == 1
    assert "AKIAXXXXSECRET" in slack.thread_posts(root)[0]["text"]
    assert any("conversations.replies" in r.getMessage() for r in caplog.records)
