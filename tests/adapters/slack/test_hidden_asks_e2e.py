"""`/mod delete` of a question asked with `/ask`: the bot's post of it (and the rest of a long
one, in its thread) is the bot's message, which the asker cannot delete or edit. It now says
only that a moderator hid the question, and `/mod restore` puts the words back as they were
posted. A member's own message is theirs, and the bot leaves it alone."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from tests.adapters.slack.conftest import ASKER, HELP, HELPER, MOD, Slack, make_slack
from tests.fakes.slack_server import FakeSlack

SECRET = "AKIAXXXXSECRET"
# A mention, a link and escaped characters: the core keeps these as plain words, so the
# post can't be made again from what the core keeps.
QUESTION = (
    f"My key {SECRET} stopped working\nAsked <@{HELPER}> already, see "
    "<https://docs.example/keys|the docs> &amp; &lt;nothing&gt;"
)
HIDDEN = "_A moderator hid this question._"


@pytest_asyncio.fixture
async def anonymous_ok(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Slack]:
    harness, _ = await make_slack(fake_slack, tmp_path, lifecycle={"anonymous_questions": True})
    try:
        yield harness
    finally:
        await harness.runner.cleanup()
        await harness.core.close()


def root_of(slack: Slack) -> dict[str, Any]:
    (root,) = [m for m in slack.fake.messages_in(HELP) if m.get("thread_ts", m["ts"]) == m["ts"]]
    return root


def posts(slack: Slack) -> list[dict[str, Any]]:
    """The bot's post of the question and the rest of it in the thread (not the bot's
    "Question #1 opened" reply, nor what came after it)."""

    root = root_of(slack)
    rest = []
    for m in slack.thread_posts(root["ts"]):
        if "Question #1" in m["text"]:
            break
        rest.append(m)
    return [root, *rest]


def shown(slack: Slack) -> list[str]:
    """What every bot message in the help channel shows: texts and blocks."""

    return [
        f"{m.get('text')} {m.get('blocks')}"
        for m in slack.fake.messages_in(HELP)
        if m.get("bot_id")
    ]


def texts(slack: Slack) -> list[str]:
    return [str(m["text"]) for m in posts(slack)]


async def test_a_hidden_asked_question_s_post_says_so_and_restore_puts_it_back(
    slack: Slack,
) -> None:
    """The bot's post of an /ask question kept showing it, word for word, after /mod delete:
    the asker could not take a pasted secret back. Now it says a moderator hid the question,
    and /mod restore puts back exactly what was posted."""

    await slack.command("/ask", QUESTION)
    before = texts(slack)
    assert before[0].startswith(f"<@{ASKER}> asked:\nMy key {SECRET}")

    await slack.command("/mod", "delete #1 a key in it", user=MOD)

    assert texts(slack) == [HIDDEN]
    assert not any(SECRET in words for words in shown(slack))
    assert "Question #1 was deleted." in str(slack.thread_posts(root_of(slack)["ts"]))

    await slack.command("/mod", "restore #1", user=MOD)

    assert texts(slack) == before
    # (what it took to put it back is not left on the message)
    assert SECRET not in str(root_of(slack).get("metadata"))
    assert "Question #1 opened: My key" in str(slack.thread_posts(root_of(slack)["ts"]))


async def test_a_hidden_anonymous_question_comes_back_anonymous(anonymous_ok: Slack) -> None:
    slack = anonymous_ok
    await slack.command("/ask", f"--anonymous {QUESTION}")
    before = texts(slack)
    assert before[0].startswith(f"*Anonymous* asked:\nMy key {SECRET}")

    await slack.command("/mod", "delete #1", user=MOD)

    assert texts(slack) == [HIDDEN]
    assert not any(SECRET in words for words in shown(slack))
    assert not any(ASKER in str(call.params) for call in slack.fake.calls_to("chat.update"))

    await slack.command("/mod", "restore #1", user=MOD)

    assert texts(slack) == before
    assert not any(ASKER in str(m) for m in slack.fake.messages_in(HELP) if m.get("bot_id"))


async def test_a_hidden_long_question_hides_and_restores_every_part(slack: Slack) -> None:
    """A question too long for one message goes on in the thread: every part is hidden,
    and every part comes back."""

    question = f"Start {SECRET}\n" + "word " * 9_000 + f"\nend {SECRET}"
    await slack.command("/ask", question)
    before = texts(slack)
    assert len(before) == 2 and SECRET in before[0] and SECRET in before[1]

    await slack.command("/mod", "delete #1", user=MOD)

    assert texts(slack) == [HIDDEN, HIDDEN]
    assert not any(SECRET in words for words in shown(slack))

    await slack.command("/mod", "restore #1", user=MOD)

    assert texts(slack) == before
    assert "".join(before) == f"<@{ASKER}> asked:\n{question}"


async def test_a_member_s_own_question_is_left_as_they_posted_it(slack: Slack) -> None:
    root = await slack.ask(QUESTION)

    await slack.command("/mod", "delete #1", user=MOD)
    await slack.command("/mod", "restore #1", user=MOD)

    assert (slack.fake.find_message(HELP, root) or {})["text"] == QUESTION
    updated = [c.params["ts"] for c in slack.fake.calls_to("chat.update")]
    assert updated and root not in updated  # (only the bot's "Question #1 opened" reply)


async def test_a_post_slack_won_t_keep_the_words_of_is_hidden_all_the_same(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """Where Slack refuses to keep the words with the post, hiding it matters more: it is
    hidden without them, and /mod restore leaves it so (and the log says why)."""

    await slack.command("/ask", QUESTION)
    slack.fake.fail_next("chat.update", "invalid_metadata_format")

    await slack.command("/mod", "delete #1", user=MOD)

    assert texts(slack) == [HIDDEN]
    assert not any(SECRET in words for words in shown(slack))
    assert not any(SECRET in str(m.get("metadata")) for m in slack.fake.messages_in(HELP))

    with caplog.at_level(logging.WARNING):
        await slack.command("/mod", "restore #1", user=MOD)

    assert texts(slack) == [HIDDEN]
    assert any("can't be put back" in r.getMessage() for r in caplog.records)
