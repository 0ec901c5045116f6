"""A member's /ask question is the bot's own post, which the member can neither edit nor
delete: `/mod delete` replaces its words (and the rest of a long question the bot posted in
the thread) with one line saying a moderator hid it, and `/mod restore` puts them back as
they were. A question asked with the member's own message is theirs, and left alone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.adapters.discord.conftest import Harness
from tests.helpers import eventually

HIDDEN = "A moderator hid this question."
SECRET = "password=hunter2-SECRET"
# Longer than one message (2,000 characters): the end, with the secret, goes on in the thread.
LONG = (
    "How do I connect to the staff database?\n"
    + "\n".join(
        f"Line {n}: I tried the connection string from the wiki and it times out."
        for n in range(40)
    )
    + f"\nMy config has {SECRET} in it."
)


@pytest.fixture
def community_settings() -> dict[str, Any]:
    return {"lifecycle": {"anonymous_questions": True}}


async def ask(h: Harness, where: int, text: str, *, anonymous: bool = False) -> int:
    before = {int(t["id"]) for t in h.fake.threads_in(where)}
    options = {"question": text, "anonymous": anonymous}
    assert "open in" in await h.done(await h.command("ask", h.w.alice, where, options=options))
    (thread_id,) = {int(t["id"]) for t in h.fake.threads_in(where)} - before
    await eventually(
        lambda: any(m["embeds"] or "mark" in m["content"] for m in posts(h, thread_id))
    )
    return thread_id


def posts(h: Harness, thread_id: int) -> list[dict[str, Any]]:
    """The bot's messages of a question: its starter message (in the help channel, or the
    forum post's first) and those in the thread."""

    starter = h.fake.find_message(thread_id)
    rest = [m for m in h.bot_messages(thread_id) if int(m["id"]) != thread_id]
    return ([starter] if starter is not None else []) + rest


def words(h: Harness, thread_id: int) -> list[str]:
    return [m["content"] for m in posts(h, thread_id)]


async def moderate(h: Harness, action: str, thread_id: int) -> str:
    question = await h.question(thread_id)
    assert question is not None
    options = {"question": question.id}
    return await h.done(
        await h.command("mod", h.w.mod, h.w.other, subcommand=action, options=options)
    )


async def test_mod_delete_hides_the_bots_post_of_an_ask_and_restore_puts_it_back(
    h: Harness, kind: str
) -> None:
    thread_id = await ask(h, h.w.text if kind == "text" else h.w.forum, LONG)
    asked = words(h, thread_id)
    starter, *more = asked
    assert starter.startswith(f"<@{h.w.alice.id}> asked:\nHow do I connect")
    assert SECRET in more[0]  # the rest of the question, posted in the thread

    assert "deleted" in await moderate(h, "delete", thread_id)
    hidden = await eventually(lambda: (w := words(h, thread_id))[:2] == [HIDDEN] * 2 and w)
    assert not any(SECRET in text or "staff database" in text for text in hidden), hidden
    assert hidden[2:] == asked[2:]  # the bot's first message and the rest: untouched

    # Opened to edit the rest, then archived and locked again, as the core's delete left it.
    def state() -> tuple[bool, bool]:
        meta = h.fake.channels[thread_id]["thread_metadata"]
        return meta["archived"], meta["locked"]

    await eventually(lambda: state() == (True, True))

    assert "restored" in await moderate(h, "restore", thread_id)
    await eventually(lambda: words(h, thread_id) == asked)
    await h.settled()
    assert state() == (False, False)  # as the restore left it


async def test_an_anonymous_ask_comes_back_anonymous(h: Harness) -> None:
    thread_id = await ask(h, h.w.text, f"Why does my script print {SECRET}?", anonymous=True)
    asked = words(h, thread_id)
    assert asked[0] == f"Anonymous asked:\nWhy does my script print {SECRET}?"

    await moderate(h, "delete", thread_id)
    await eventually(lambda: words(h, thread_id)[0] == HIDDEN)
    assert words(h, thread_id)[1:] == asked[1:]
    await moderate(h, "restore", thread_id)
    await eventually(lambda: words(h, thread_id) == asked)


async def test_a_question_asked_with_the_members_own_message_is_left_alone(
    h: Harness, kind: str
) -> None:
    thread_id = await h.ask(kind, h.w.alice, f"Why does my script print {SECRET}?")
    message = h.fake.find_message(thread_id)
    assert message is not None
    before = dict(message)
    await moderate(h, "delete", thread_id)
    await moderate(h, "restore", thread_id)
    await h.settled()
    assert h.fake.find_message(thread_id) == before
    assert not [c for c in h.fake.calls if c.method == "PATCH" and "/messages/" in c.path]


async def test_a_mention_comes_back_as_the_name_it_had(h: Harness) -> None:
    """What the bot stored has names for mentions (docs/discord.md says so): restored,
    the question reads the same, the mention as plain text."""

    thread_id = await ask(h, h.w.text, f"Is <@{h.w.bob.id}> the one to ask about {SECRET}?")
    asked = words(h, thread_id)
    await moderate(h, "delete", thread_id)
    await eventually(lambda: words(h, thread_id)[0] == HIDDEN)
    await moderate(h, "restore", thread_id)
    restored = asked[0].replace(f"<@{h.w.bob.id}>", "@Bob")
    await eventually(lambda: words(h, thread_id) == [restored, *asked[1:]])


async def test_a_thread_the_bot_named_after_the_question_is_renamed_while_hidden(
    h: Harness, kind: str
) -> None:
    """Its name is the question's first line, which may be what got it hidden: "Hidden
    question #N" until it is restored. A forum post a member made keeps their title."""

    first_line = f"Why does my script print {SECRET}?"
    thread_id = await h.ask(kind, h.w.alice, first_line)
    named = h.fake.channels[thread_id]["name"]
    question = await h.question(thread_id)
    assert question is not None

    await moderate(h, "delete", thread_id)
    await h.settled()
    if kind == "text":  # the bot made the thread
        await eventually(
            lambda: h.fake.channels[thread_id]["name"] == f"Hidden question #{question.id}"
        )
    else:  # the member's forum post: their name for it
        assert h.fake.channels[thread_id]["name"] == named

    await moderate(h, "restore", thread_id)
    await eventually(lambda: h.fake.channels[thread_id]["name"] == named)
