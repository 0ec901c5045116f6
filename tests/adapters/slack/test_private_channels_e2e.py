"""A private help channel's questions stay in it (Slack, end to end): solved there, they are
not suggested in the public help channel, nor found by /kb search or /kb show by members
outside it; a public channel's are."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from tests.adapters.slack.conftest import ASKER, HELP, HELPER, OTHER, Slack, make_slack
from tests.fakes import slack_payloads as sp
from tests.fakes.slack_server import FakeSlack

PRIVATE = "G0STAFFHELP"
ELSEWHERE = "C0GENERAL"
SECRET = "Use the payroll master key from the vault"


@pytest_asyncio.fixture
async def slack(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Slack]:
    fake_slack.add_channel(PRIVATE, "staff-help", is_private=True, members=[ASKER, HELPER])
    harness, _ = await make_slack(fake_slack, tmp_path, slack={"help_channel_ids": [HELP, PRIVATE]})
    try:
        yield harness
    finally:
        await harness.runner.cleanup()
        await harness.core.close()


async def solve_in(slack: Slack, channel: str, question: str, answer: str) -> None:
    kind = "group" if channel.startswith("G") else "channel"
    root = slack.fake.add_message(channel, question, user=ASKER)
    await slack.event(
        sp.message_event(
            channel=channel, user=ASKER, text=question, ts=root["ts"], channel_type=kind
        )
    )
    reply = slack.fake.add_message(channel, answer, user=HELPER, thread_ts=root["ts"])
    await slack.event(
        sp.message_event(
            channel=channel, user=HELPER, text=answer, ts=reply["ts"], thread_ts=root["ts"],
            channel_type=kind,
        )
    )  # fmt: skip
    shortcut = sp.message_shortcut(
        callback_id="mark_solution", user_id=ASKER, channel_id=channel,
        message=sp.shortcut_message(user=HELPER, text=answer, ts=reply["ts"], thread_ts=root["ts"]),
        response_url=slack.fake.new_response_url(channel=channel),
    )  # fmt: skip
    await slack.interaction(shortcut)


async def test_a_private_channels_solution_is_not_shown_outside_it(slack: Slack) -> None:
    await solve_in(slack, PRIVATE, "How do I reset the payroll admin password?", SECRET)
    await solve_in(slack, HELP, "How do I reset my own password?", "Use the reset link.")
    assert slack.question_status(1) == "solved" and slack.question_status(2) == "solved"

    # A member outside the private channel asks the same thing in the public one.
    root = await slack.ask("How do I reset the payroll admin password?", user=OTHER)
    await slack.command("/kb", "search reset payroll admin password", user=OTHER, channel=ELSEWHERE)
    await slack.command("/kb", "show #1", user=OTHER, channel=ELSEWHERE)

    seen = [m["text"] for m in slack.thread_posts(root)] + slack.responses()
    assert not any("`q1`" in t or "master key" in t for t in seen), seen
    assert "I can't find that question" in slack.responses()[-1]
    # The public channel's solved question is still suggested.
    assert any("`q2`" in t for t in seen), seen

    # Nor by a link to its thread, shared with them (the staff post carries one).
    root = slack.rows("SELECT message_id FROM questions WHERE id = 1")[0][0].split(":")[1]
    link = f"https://fake-community.slack.com/archives/{PRIVATE}/p{root.replace('.', '')}"
    await slack.command("/kb", f"show {link}", user=OTHER, channel=ELSEWHERE)
    assert "I can't find that question" in slack.responses()[-1], slack.responses()[-1]
    await slack.command("/kb", f"show {link}", user=ASKER, channel=ELSEWHERE)
    assert "payroll admin password" in slack.responses()[-1]


async def test_ask_in_a_private_channel_is_private_elsewhere_public(slack: Slack) -> None:
    await slack.command("/ask", "How do I rotate the payroll key?", user=ASKER, channel=PRIVATE)
    await slack.command("/ask", "How do I rotate my own key?", user=ASKER, channel=HELP)

    assert slack.rows("SELECT channel_id, private FROM questions ORDER BY id") == [
        (PRIVATE, 1),
        (HELP, 0),
    ]
