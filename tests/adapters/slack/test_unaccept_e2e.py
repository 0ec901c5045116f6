"""A ✅ taken off a reply takes its solution mark back, over signed HTTP (`reaction_removed`):
the points go back, and the question is open again (its root loses the bot's ✅) or stays
solved by its other marked answers; either way one line in the thread says so. Only the
member whose acceptance it was can take it back by a reaction; anything else (someone else's
acceptance, another emoji, a file, a workspace that is no community's, a repeated delivery)
changes nothing and says nothing."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from adapters.slack import ids
from bot import commands as c
from tests.adapters.slack.conftest import (
    ASKER,
    HELP,
    HELPER,
    HELPER2,
    MOD,
    OTHER,
    Slack,
    commands_reaching_the_core,
    slow_down,
)
from tests.fakes import slack_payloads as sp

OPEN_AGAIN = "is open again"
STAYS_SOLVED = "stays solved by the other marked answers"


def check(user: str, ts: str, *, removed: bool, **extra: Any) -> dict[str, Any]:
    """`user` adds (or removes) a ✅ on the help channel's message `ts`."""

    return sp.reaction_added_event(
        user=user, reaction=ids.CHECK_REACTION, channel=HELP, message_ts=ts, removed=removed,
        item_user=HELPER, **extra,
    )  # fmt: skip


async def accepted(slack: Slack, user: str = ASKER) -> tuple[str, str]:
    """A question with one answer, which `user`'s ✅ accepted: (its root, the answer)."""

    root = await slack.ask()
    reply = await slack.answer(root)
    await slack.event(check(user, reply, removed=False))
    assert slack.question_status() == "solved"
    return root, reply


def lines(slack: Slack, root: str, words: str) -> list[str]:
    return [m["text"] for m in slack.thread_posts(root) if words in m["text"]]


async def test_the_asker_takes_their_check_back_and_the_question_is_open_again(
    slack: Slack,
) -> None:
    root, reply = await accepted(slack)
    assert (slack.points(HELPER), slack.points(ASKER)) == (15, 2)
    assert slack.root_reactions(root) == [ids.CHECK_REACTION]
    told = len(slack.ephemeral_to(ASKER))

    delivery = await slack.event(check(ASKER, reply, removed=True))

    assert delivery.status == 200
    assert slack.question_status() == "open"
    assert (slack.points(HELPER), slack.points(ASKER)) == (0, 0)
    assert slack.root_reactions(root) == []
    said = lines(slack, root, "Took back the solution mark")
    assert said == [
        f"Took back the solution mark on <@{HELPER}>'s answer: #1 {OPEN_AGAIN}. 17 points reversed."
    ]
    await slack.command("/rep", f"<@{HELPER}>", user=HELPER)
    assert "0 points" in slack.responses()[-1]
    assert len(slack.ephemeral_to(ASKER)) == told  # (the thread's line is the whole answer)


async def test_one_of_two_marked_answers_taken_back_stays_solved(slack: Slack) -> None:
    root = await slack.ask()
    first = await slack.answer(root)
    second = await slack.answer(root, HELPER2, "Or ask IT.")
    await slack.event(check(ASKER, first, removed=False))
    await slack.event(check(ASKER, second, removed=False))
    assert (slack.points(HELPER), slack.points(HELPER2), slack.points(ASKER)) == (15, 15, 2)
    slack.fake.clear_calls()

    await slack.event(check(ASKER, second, removed=True))

    assert slack.question_status() == "solved"
    # (the asker's +2 for accepting stands: the question is still solved by their mark)
    assert (slack.points(HELPER), slack.points(HELPER2), slack.points(ASKER)) == (15, 0, 2)
    assert slack.root_reactions(root) == [ids.CHECK_REACTION]
    assert slack.fake.calls_to("reactions.remove") == []
    assert lines(slack, root, STAYS_SOLVED) == [
        f"Took back the solution mark on <@{HELPER2}>'s answer; #1 {STAYS_SOLVED}. "
        "15 points reversed."
    ]
    assert lines(slack, root, OPEN_AGAIN) == []

    await slack.event(check(ASKER, first, removed=True))  # the last one: open again

    assert slack.question_status() == "open"
    assert (slack.points(HELPER), slack.points(HELPER2), slack.points(ASKER)) == (0, 0, 0)
    assert slack.root_reactions(root) == []
    assert len(lines(slack, root, OPEN_AGAIN)) == 1


async def test_a_moderator_s_check_removed_takes_back_nothing_the_asker_marked(
    slack: Slack,
) -> None:
    root, reply = await accepted(slack)
    await slack.event(check(MOD, reply, removed=False))  # (already marked: nothing)
    ledger = slack.count("ledger")
    slack.fake.clear_calls()

    delivery = await slack.event(check(MOD, reply, removed=True))

    assert delivery.status == 200
    assert slack.question_status() == "solved"
    assert slack.count("ledger") == ledger and slack.points(HELPER) == 15
    assert slack.root_reactions(root) == [ids.CHECK_REACTION]
    assert slack.bot_said() == []

    await slack.event(check(ASKER, reply, removed=True))  # the asker's own ✅ does

    assert slack.question_status() == "open" and slack.points(HELPER) == 0


async def test_a_moderator_takes_back_their_own_check(slack: Slack) -> None:
    root, reply = await accepted(slack, MOD)

    await slack.event(check(MOD, reply, removed=True))

    assert slack.question_status() == "open"
    assert slack.points(HELPER) == 0
    assert slack.root_reactions(root) == []
    assert len(lines(slack, root, OPEN_AGAIN)) == 1


def without(event: dict[str, Any], *path: str) -> dict[str, Any]:
    """`event` without the field at `path` (a copy)."""

    copy = {**event, "item": dict(event["item"])}
    del (copy["item"] if path[0] == "item" else copy)[path[-1]]
    return copy


async def test_what_is_not_a_check_taken_off_an_answer_changes_nothing(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    root, reply = await accepted(slack)
    before = (slack.count("ledger"), slack.count("processed_events"))
    removal = check(ASKER, reply, removed=True)
    slack.fake.clear_calls()

    for event in (
        {**removal, "reaction": "thumbsup"},
        {**removal, "item": {"type": "file", "file": "F0LOG"}},
        {**removal, "item": {"type": "file_comment", "file_comment": "Fc0NOTE", "file": "F0LOG"}},
        # (whatever else it carries, an item that is no message is no answer)
        {**removal, "item": {"type": "file", "file": "F0LOG", "channel": HELP, "ts": reply}},
        without(removal, "user"),
        without(removal, "item", "channel"),
        without(removal, "item", "ts"),
    ):
        delivery = await slack.event(event)
        assert delivery.status == 200, event
    assert slack.fake.calls == []  # (not even who removed it: no lookup)

    for event in (
        check(ASKER, root, removed=True),  # the question itself: no answer
        check(sp.BOT_USER_ID, root, removed=True),  # the bot's own mark, as on /unsolve
    ):
        delivery = await slack.event(event)
        assert delivery.status == 200, event

    assert slack.question_status() == "solved"
    assert (slack.count("ledger"), slack.count("processed_events")) == before
    assert slack.points(HELPER) == 15
    assert slack.bot_said() == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []

    await slack.event(removal)  # (while the ✅ itself does)

    assert slack.question_status() == "open" and slack.root_reactions(root) == []


async def test_checks_that_can_accept_nothing_reach_no_core_and_ask_slack_nothing(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack sends every ✅ added or removed in any channel the bot is in, and its own ✅
    going on and off a question's root with every mark and reopen. Outside the help
    channels no message is an answer, and the bot accepts nothing: neither is looked up
    (`users.info`) nor handed to the core (the bot's own, Bolt drops as a self event)."""

    root, reply = await accepted(slack)
    chat = slack.fake.add_message("C0GENERAL", "json.loads works", user=HELPER)["ts"]
    slack.fake.clear_calls()
    general = {"user": OTHER, "reaction": ids.CHECK_REACTION, "channel": "C0GENERAL"}

    kinds: Any = (c.AcceptAnswer, c.UnacceptAnswer)
    with commands_reaching_the_core(slack, kinds) as seen:
        for removed in (True, False):
            for event in (
                check(sp.BOT_USER_ID, root, removed=removed),
                sp.reaction_added_event(**general, message_ts=chat, removed=removed),
            ):
                assert (await slack.event(event)).status == 200, event
    assert seen == []
    assert slack.fake.calls == []
    assert slack.question_status() == "solved" and slack.points(HELPER) == 15
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


async def test_a_check_removed_in_a_workspace_that_is_no_community_s_is_ignored(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    root, reply = await accepted(slack)
    slack.fake.clear_calls()

    body = sp.event_callback(check(ASKER, reply, removed=True), team_id="T0ELSEWHERE")
    delivery = await slack.send(sp.signed_event(body, secret=slack.secret))

    assert delivery.status == 200
    assert slack.question_status() == "solved" and slack.points(HELPER) == 15
    assert slack.fake.calls == []  # (not told either: a reaction is no request)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []

    await slack.event(check(ASKER, reply, removed=True))

    assert slack.question_status() == "open"  # (in the community's own workspace)


async def test_add_remove_add_marks_the_answer_again(slack: Slack) -> None:
    root, reply = await accepted(slack)
    await slack.event(check(ASKER, reply, removed=True))
    assert slack.question_status() == "open"

    await slack.event(check(ASKER, reply, removed=False))

    assert slack.question_status() == "solved"
    assert (slack.points(HELPER), slack.points(ASKER)) == (15, 2)
    assert slack.root_reactions(root) == [ids.CHECK_REACTION]
    assert len([m for m in slack.thread_posts(root) if "#1 solved" in m["text"]]) == 2

    await slack.event(check(ASKER, reply, removed=True))  # and back once more

    assert slack.question_status() == "open" and slack.points(HELPER) == 0
    assert len(lines(slack, root, OPEN_AGAIN)) == 2


async def test_the_same_removal_delivered_again_changes_nothing(slack: Slack) -> None:
    """Slack retries with the same event_id: a late retry of the first removal must not
    take back the acceptance the ✅ added again since made."""

    root, reply = await accepted(slack)
    removal = sp.event_callback(check(ASKER, reply, removed=True), event_id="Ev0UNCHECK01")
    await slack.send(sp.signed_event(removal, secret=slack.secret))
    assert slack.question_status() == "open"
    await slack.event(check(ASKER, reply, removed=False))
    assert slack.question_status() == "solved"
    ledger = slack.count("ledger")
    slack.fake.clear_calls()

    again = await slack.send(
        sp.signed_event(removal, secret=slack.secret, retry_num=1, retry_reason="http_timeout")
    )

    assert again.status == 200
    assert slack.question_status() == "solved"
    assert slack.count("ledger") == ledger and slack.points(HELPER) == 15
    assert slack.root_reactions(root) == [ids.CHECK_REACTION]
    assert slack.bot_said() == []


async def test_a_check_removed_while_its_acceptance_is_recorded_takes_it_back(
    slack: Slack,
) -> None:
    """Slack delivers events concurrently: a ✅ taken off at once must not beat its own
    acceptance (find nothing to take back, and leave the answer marked without its ✅)."""

    root = await slack.ask()
    reply = await slack.answer(root)
    slow_down(slack, c.AcceptAnswer)
    for removed in (False, True):
        body = sp.event_callback(check(ASKER, reply, removed=removed))
        await sp.deliver(slack.url, sp.signed_event(body, secret=slack.secret))
    await slack.settle()

    assert slack.question_status() == "open" and slack.points(HELPER) == 0
    assert slack.root_reactions(root) == []
    assert len(lines(slack, root, OPEN_AGAIN)) == 1
