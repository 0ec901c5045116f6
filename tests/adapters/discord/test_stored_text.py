"""What the core stores of a member's Discord message (a question, a forum post, an /ask
question, an answer) reads the same on every platform of the community: one knowledge base
serves Discord and Slack, and its search, suggestions and /kb search show stored text. So
mentions are names ("@Carol", "@Moderators", "#general"), custom emoji ":name:", a timestamp
its UTC date and time and a slash command "/name", not Discord's `<@id>` markup, which Slack
shows as a broken mention and nobody can search for. Discord itself keeps what the member
typed: the bot's /ask post still mentions the people in it."""

from __future__ import annotations

import logging

import pytest

from bot import knowledge_base as kb_core
from bot.model import Actor, MemberRef
from tests.adapters.discord.conftest import Harness
from tests.adapters.discord.test_knowledge import ANONYMOUS_ALLOWED, promoted, say, slash_ask
from tests.helpers import eventually

EMOJI = "<:blob_cat:912345678901234567>"
COMMAND = "</kb search:912345678901234568>"
STAMP = "<t:1700000000:R>"
WHEN = "2023-11-14 22:13 UTC"


def typed(h: Harness) -> str:
    """A question as a member types it on Discord, one line."""

    return (
        f"Why did <@{h.w.carol.id}> ask <@&{h.w.mod_role}> in <#{h.w.other}> {EMOJI} "
        f"about {STAMP}, see {COMMAND}"
    )


def readable(carol: str = "Carol") -> str:
    """`typed` as the core should store it."""

    return f"Why did @{carol} ask @Moderators in #general :blob_cat: about {WHEN}, see /kb search"


def searcher(h: Harness) -> Actor:
    return Actor(MemberRef("discord", "main", str(h.w.bob.id)), "bob")


async def solve(h: Harness, thread_id: int) -> None:
    await h.answer(thread_id, h.w.bob, "Ask the moderators")
    await h.done(await h.command("solved", h.w.alice, thread_id))


async def found_by(h: Harness, query: str, thread_id: int) -> bool:
    """Whether the core's search (what /kb search, suggestions and Slack show) finds the
    question of `thread_id` for `query`, and the title it shows for it."""

    question = await h.question(thread_id)
    assert question is not None
    result = await h.app.bot.handle(kb_core.SearchKnowledge(searcher(h), query))
    assert isinstance(result, kb_core.KnowledgeFound)
    return any(s.title == question.title for s in result.results if s.kind == "question")


async def test_a_help_channel_question_is_stored_with_names_and_found_by_them(
    h: Harness,
) -> None:
    """Names come from the message itself (Discord sends the mentioned members with it, nick
    and all) and the server's roles and channels: no API call for any of them."""

    h.fake.members[h.w.carol.id]["nick"] = "Caz"
    before = len(h.fake.calls)
    thread_id = await h.ask_text(h.w.alice, typed(h) + "\nIt says `<@1>` @everyone")
    question = await h.question(thread_id)
    assert question is not None
    assert question.title == readable("Caz")
    # the thread is named from the same text: Discord shows `<@id>` in a name as typed
    assert h.fake.channels[thread_id]["name"] == readable("Caz")[:100]
    # Code stays as typed, as Discord shows it; @everyone without a zero-width space.
    assert question.body == readable("Caz") + "\nIt says `<@1>` @everyone"
    lookups = [c.path for c in h.fake.calls[before:] if c.method == "GET" and "/members/" in c.path]
    assert not lookups
    await solve(h, thread_id)
    assert await found_by(h, "Caz", thread_id)
    assert await found_by(h, "Moderators general", thread_id)
    text, _ = await say(h, "search", h.w.carol, query="Caz")
    assert "@Caz" in text and "<@" not in text, text


async def test_an_unknown_mention_is_stored_as_discord_names_one_it_cannot_find(
    h: Harness,
) -> None:
    """A member or channel neither the message nor discord.py's cache knows is named as
    clean_content names it, without looking it up: every help-channel message comes here."""

    gone = 712345678901234567
    thread_id = await h.ask_text(h.w.alice, f"Why did <@{gone}> leave <#{gone}>?")
    await h.answer(thread_id, h.w.bob, f"<@{gone}> left, see <#{gone}>")
    question = await h.question(thread_id)
    assert question is not None and question.body == "Why did @deleted-user leave #deleted-channel?"
    assert not [c.path for c in h.fake.calls if str(gone) in c.path]


async def test_a_forum_post_is_stored_with_names(h: Harness) -> None:
    thread_id = await h.ask_forum(h.w.alice, "Approvals are slow", typed(h))
    question = await h.question(thread_id)
    assert question is not None
    assert question.title == "Approvals are slow"
    assert question.body == "Approvals are slow\n" + readable()
    await solve(h, thread_id)
    assert await found_by(h, "Carol", thread_id)


async def test_an_ask_question_is_stored_with_names_and_posted_as_typed(
    h: Harness, kind: str
) -> None:
    """The member named in an /ask question is not in discord.py's cache (no members
    intent) and the command carries no mentions: the bot looks them up."""

    where = h.w.text if kind == "text" else h.w.forum
    thread_id = await slash_ask(h, where, typed(h))
    question = await h.question(thread_id)
    assert question is not None and question.body == readable()
    # Discord shows the member's words as typed: the mention, the emoji, the timestamp.
    starter = h.fake.messages[where if kind == "text" else thread_id][thread_id]
    assert typed(h) in starter["content"]
    assert h.fake.channels[thread_id]["name"] == readable()[:100]
    await solve(h, thread_id)
    assert await found_by(h, "Carol", thread_id)


async def test_an_answer_is_stored_with_names(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice, "How do I get approval?")
    question = await h.question(thread_id)
    assert question is not None
    message_id = await h.answer(thread_id, h.w.bob, typed(h))
    async with h.app.bot.uow_factory(write=False) as uow:
        (answer,) = [a for a in await uow.questions.answers(question.id)]
    assert answer.message_id == str(message_id)
    assert answer.excerpt == readable()


async def test_an_answer_marked_after_the_bot_was_away_is_stored_with_names(
    h: Harness,
) -> None:
    """ "Mark as solution" on a message sent while the bot was away records it first, as it
    would have been recorded live."""

    thread_id = await h.ask_text(h.w.alice, "How do I get approval?")
    question = await h.question(thread_id)
    assert question is not None
    missed = h.fake.user_message(thread_id, h.w.bob, typed(h))  # stored, never dispatched
    handle = await h.fake.interact(
        h.fake.message_command("Mark as solution", user=h.w.alice, message_id=int(missed["id"]))
    )
    await h.done(handle)

    async def excerpts() -> list[str]:
        async with h.app.bot.uow_factory(write=False) as uow:
            return [a.excerpt for a in await uow.questions.answers(question.id)]

    assert await eventually(excerpts) == [readable()]


@ANONYMOUS_ALLOWED
@pytest.mark.parametrize("anonymous", [False, True], ids=["named", "anonymous"])
async def test_a_promoted_ask_question_is_read_back_not_taken_from_the_store(
    h: Harness, anonymous: bool, caplog: pytest.LogCaptureFixture
) -> None:
    """/kb promote reads an /ask question's words back from the bot's post and compares them
    with what the core stored: both with names, so they match, and the article has the
    words as Discord shows them now (@everyone unable to ping), not the stored text."""

    words = f"How do I get approval?\n{typed(h)} @everyone"
    thread_id = await slash_ask(h, h.w.text, words, anonymous=anonymous)
    question = await h.question(thread_id)
    stored = f"How do I get approval?\n{readable()} @everyone"
    assert question is not None and question.body == stored
    with caplog.at_level(logging.INFO, logger="adapters.discord.read_back"):
        body = await promoted(h, thread_id)
    head = f"How do I get approval?\n{readable()} @\u200beveryone"
    assert body.startswith(head + "\n\n**Bob:** Use json.loads"), body
    assert not [r for r in caplog.records if "stored text is used" in r.getMessage()]
