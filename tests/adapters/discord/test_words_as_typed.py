"""Private replies (and the public lines that go with them) that quote a member's words show
them as typed, like the bot's own messages do: a search, a title, a reason, a reported
message or an id a member typed never turns into a code block, a masked link or bold text.
The catalog's own markdown (e.g. `/solved` in the welcome) is left as it is."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.adapters.discord.conftest import Harness, World
from tests.adapters.discord.test_reports import report, shown
from tests.helpers import eventually

# Typed by a member; a slash command option is one line.
WORDS = "``` [free nitro](https://evil.example/x) **now** ||here|| ~~old~~ _it_"
# What Discord would render from WORDS unescaped: a fence, a masked link, bold, a spoiler,
# strikethrough, italics.
MARKUP = re.compile(r"(?<!\\)(```|\[[^\]\\]*\]\(|\*\*|\|\||~~|(?<![\\\w])_\w)")


def as_typed(text: str) -> bool:
    """Discord shows `WORDS` in `text` as typed: no live markup, every character visible."""

    return not MARKUP.search(text) and WORDS in shown(text)


@pytest.fixture
def community_settings() -> Any:
    def settings(world: World) -> dict[str, Any]:
        return {"moderation": {"moderators_channel": {"discord": str(world.mods)}}}

    return settings


async def public_line(h: Harness, thread_id: int) -> str:
    """The one line the bot posts in the thread after its welcome (sent after the reply)."""

    lines = await eventually(lambda: [m["content"] for m in h.bot_messages(thread_id)[1:]])
    (line,) = lines
    return str(line)


async def private_text(h: Harness, name: str, user: Any, channel: int, **kw: Any) -> str:
    return await h.done(await h.command(name, user, channel, **kw))


async def test_kb_search_that_finds_nothing_quotes_the_search_as_typed(h: Harness) -> None:
    text = await private_text(
        h, "kb", h.w.carol, h.w.other, subcommand="search", options={"query": WORDS}
    )
    assert "Found nothing good" in text and as_typed(text), text


async def test_an_id_quoted_back_in_an_error_is_shown_as_typed(h: Harness) -> None:
    text = await private_text(
        h, "kb", h.w.carol, h.w.other, subcommand="show", options={"id": WORDS}
    )
    assert "can't find the article" in text and as_typed(text), text


async def test_questions_list_shows_titles_as_typed(h: Harness) -> None:
    await h.ask_text(h.w.alice, WORDS)
    text = await private_text(h, "questions", h.w.alice, h.w.other)
    assert "#1" in text and as_typed(text), text


async def test_close_reason_is_shown_as_typed_privately_and_in_the_thread(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    text = await private_text(h, "close", h.w.alice, thread_id, options={"reason": WORDS})
    assert as_typed(text), text
    line = await public_line(h, thread_id)
    assert as_typed(line), line


async def test_moderators_reason_is_shown_as_typed_privately_and_in_the_thread(
    h: Harness,
) -> None:
    thread_id = await h.ask_text(h.w.alice)
    handle = await h.command(
        "mod", h.w.mod, thread_id, subcommand="lock", options={"reason": WORDS}
    )
    text = await h.done(handle)
    assert "locked" in text and as_typed(text), text
    line = await public_line(h, thread_id)
    assert as_typed(line), line


async def test_open_reports_list_quotes_message_and_reason_as_typed(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob, WORDS)
    await report(h, h.w.carol, answer, "reason: " + WORDS)
    handle = await h.command("mod", h.w.mod, h.w.other, subcommand="reports")
    text = await h.done(handle)
    assert "#1" in text and as_typed(text), text
    assert shown(text).count(WORDS) == 2, text


async def test_catalog_markdown_in_a_reply_is_left_as_it_is(h: Harness) -> None:
    """The welcome's "how to mark it" (catalog text with **bold** and `/solved`) set into
    another catalog text is not escaped; the asker's mention stays a mention."""

    thread_id = await h.ask_text(h.w.alice)
    welcome = h.welcome(thread_id)
    assert welcome is not None
    assert "**Mark as solution**" in welcome["content"] and "`/solved`" in welcome["content"]
    assert f"<@{h.w.alice.id}> or a moderator" in welcome["content"]
