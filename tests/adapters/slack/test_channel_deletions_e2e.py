"""A help channel deleted on Slack takes its questions with it, over signed HTTP: Slack's
`channel_deleted` (`group_deleted` for a private channel) is all it sends, no deletion of
the messages in it, so each question asked there is deleted (gone from `/questions` and
search, points already earned kept), nothing is posted, one INFO line counts them and a
WARNING says the config still names the channel. Any other channel's deletion, or one in a
workspace that is no community's, reaches no core and logs nothing; the other workspace's
community keeps its questions; the event again changes nothing; a failure is logged and the
next event still runs."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot import commands as c
from tests.adapters.slack.conftest import (
    ASKER,
    HELP,
    HELPER,
    OTHER,
    Slack,
    commands_reaching_the_core,
    make_slack,
)
from tests.fakes import slack_payloads as sp
from tests.fakes.slack_server import FakeSlack

PRIVATE = "G0PRIVHELP"
SECOND = "T0SECOND"
LISTENER = "adapters.slack.events"


@pytest_asyncio.fixture
async def slack(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Slack]:
    """Two help channels, a public one and a private one, and a second workspace's
    community."""

    fake_slack.add_channel(PRIVATE, "private-help", is_private=True)
    harness, _ = await make_slack(
        fake_slack,
        tmp_path,
        slack={"help_channel_ids": [HELP, PRIVATE]},
        communities={"second": {"slack_team_id": SECOND}},
    )
    try:
        yield harness
    finally:
        await harness.runner.cleanup()
        await harness.core.close()


def deleted(slack: Slack) -> dict[int, bool]:
    """Each question's id: whether it is deleted."""

    rows = slack.rows("SELECT id, deleted_at IS NOT NULL FROM questions ORDER BY id")
    return {int(i): bool(d) for i, d in rows}


async def ask_in(slack: Slack, channel: str, text: str, *, team: str | None = None) -> str:
    msg = slack.fake.add_message(channel, text, user=ASKER)
    event = sp.message_event(channel=channel, user=ASKER, text=text, ts=msg["ts"])
    await send(slack, event, team=team)
    return str(msg["ts"])


async def send(slack: Slack, event: dict[str, Any], *, team: str | None = None) -> None:
    body = sp.event_callback(event, **({"team_id": team} if team else {}))
    delivery = await slack.send(sp.signed_event(body, secret=slack.secret))
    assert delivery.status == 200


def lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == LISTENER and r.levelno == level]


async def my_questions(slack: Slack) -> str:
    await slack.command("/questions", user=ASKER)
    return slack.responses()[-1]


async def search(slack: Slack, words: str) -> str:
    await slack.command("/kb", f"search {words}", user=OTHER)
    return slack.responses()[-1]


async def test_a_deleted_help_channel_takes_its_questions_with_it(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LISTENER)
    await slack.ask("Printer broken on floor two")
    root = await slack.ask("Scanner jams on page two")
    reply = await slack.answer(root, text="Clean the rollers.")
    await slack.mark_solution(root, reply)
    await ask_in(slack, PRIVATE, "Fax line silent all day")
    assert slack.points(HELPER) == 15
    assert "Scanner jams" in await search(slack, "scanner jams page")
    assert "Printer broken" in await my_questions(slack)
    slack.fake.clear_calls()
    caplog.clear()

    with commands_reaching_the_core(slack, c.DeleteChannel) as seen:
        await send(slack, slack.fake.delete_channel(HELP))

    assert {(d.platform, d.community, d.channel_id) for d in seen} == {("slack", "main", HELP)}
    assert deleted(slack) == {1: True, 2: True, 3: False}
    assert slack.fake.calls == []  # nothing posted, nothing looked up: the channel is gone
    assert lines(caplog, logging.INFO) == [
        f"slack channel deletion: 2 question(s) of help channel {HELP} deleted"
    ]
    [warning] = lines(caplog, logging.WARNING)
    assert HELP in warning and "help_channel_ids" in warning
    assert not [r for r in caplog.records if r.exc_info]
    assert slack.points(HELPER) == 15  # points earned there stay
    listed = await my_questions(slack)
    assert "Printer broken" not in listed and "Fax line silent" in listed
    assert "Scanner jams" not in await search(slack, "scanner jams page")

    # A private help channel goes as `group_deleted`.
    event = slack.fake.delete_channel(PRIVATE)
    assert event["type"] == "group_deleted"
    caplog.clear()
    await send(slack, event)
    assert deleted(slack) == {1: True, 2: True, 3: True}
    assert lines(caplog, logging.INFO) == [
        f"slack channel deletion: 1 question(s) of help channel {PRIVATE} deleted"
    ]
    assert "Fax line silent" not in await my_questions(slack)


async def test_other_channels_and_unknown_workspaces_reach_no_core(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LISTENER)
    await slack.ask("Printer broken on floor two")
    await ask_in(slack, PRIVATE, "Fax line silent all day")
    slack.fake.add_channel("G0SECRET", "secret", is_private=True)
    slack.fake.clear_calls()
    caplog.clear()

    with commands_reaching_the_core(slack, object) as seen:
        await send(slack, slack.fake.delete_channel("C0GENERAL"))
        await send(slack, slack.fake.delete_channel("G0SECRET"))
        await send(slack, sp.channel_deleted_event(channel=HELP), team="T0STRANGER")
        await send(slack, sp.channel_deleted_event(channel=PRIVATE, private=True), team="T0NONE")
        await send(slack, {"type": "channel_deleted"})  # no channel at all

    assert seen == []
    assert deleted(slack) == {1: False, 2: False}
    assert slack.fake.calls == []
    assert lines(caplog, logging.INFO) == lines(caplog, logging.WARNING) == []
    # The help channel itself, in this workspace, is still heard.
    await send(slack, slack.fake.delete_channel(HELP))
    assert deleted(slack) == {1: True, 2: False}


async def test_another_workspaces_channel_takes_only_its_own_questions(slack: Slack) -> None:
    """Help channels are configured for every workspace: the same channel id deleted in
    another community's workspace deletes that community's questions only."""

    await slack.ask("Printer broken on floor two")
    await ask_in(slack, HELP, "Scanner jams on page two", team=SECOND)
    assert slack.rows("SELECT id, community FROM questions ORDER BY id") == [
        (1, "main"),
        (2, "second"),
    ]

    with commands_reaching_the_core(slack, c.DeleteChannel) as seen:
        await send(slack, sp.channel_deleted_event(channel=HELP), team=SECOND)

    assert {d.community for d in seen} == {"second"}
    assert deleted(slack) == {1: False, 2: True}


async def test_the_same_deletion_again_changes_nothing(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LISTENER)
    root = await slack.ask("Scanner jams on page two")
    reply = await slack.answer(root, text="Clean the rollers.")
    await slack.mark_solution(root, reply)
    event = slack.fake.delete_channel(HELP)
    await send(slack, event)
    assert deleted(slack) == {1: True}
    state = (slack.count("audit_log"), slack.count("ledger"), slack.points(HELPER))
    slack.fake.clear_calls()
    caplog.clear()

    body = sp.event_callback(event)
    await slack.send(sp.signed_event(body, secret=slack.secret))
    await slack.send(sp.signed_event(body, secret=slack.secret, retry_num=1))
    await send(slack, event)

    assert (slack.count("audit_log"), slack.count("ledger"), slack.points(HELPER)) == state
    assert slack.fake.calls == []
    assert (
        lines(caplog, logging.INFO)
        == [f"slack channel deletion: 0 question(s) of help channel {HELP} deleted"] * 3
    )


async def test_a_failed_channel_deletion_is_logged_and_the_next_event_deletes_the_rest(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    for n in range(3):
        await slack.ask(f"Question number {n} about printers")
    core = slack.core.bot
    handle = core.handle
    calls: list[c.DeleteChannel] = []

    async def failing_on_the_second(command: Any) -> Any:
        if isinstance(command, c.DeleteChannel):
            calls.append(command)
            if len(calls) == 2:
                del core.handle
                raise RuntimeError("database went away")
        return await handle(command)

    core.handle = failing_on_the_second  # type: ignore[method-assign]
    event = slack.fake.delete_channel(HELP)
    slack.fake.clear_calls()
    await send(slack, event)

    assert [r for r in caplog.records if r.exc_info and "slack channel deletion" in r.getMessage()]
    assert deleted(slack) == {1: True, 2: False, 3: False}  # what was deleted stays deleted
    assert slack.bot_said() == []  # nobody to apologise to
    await send(slack, event)
    assert deleted(slack) == {1: True, 2: True, 3: True}
