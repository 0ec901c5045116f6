"""A member's edit of their question or answer on Discord reaches the core: the question's
title and body, or the answer's excerpt, change, built with names as on arrival; a solved
question is found by its new words. An unfurl (embeds only), an edit outside the help
channels and an update naming someone other than the message's author change nothing."""

from __future__ import annotations

from bot import commands as c
from bot.model import Question
from tests.adapters.discord.conftest import Harness, commands_reaching_the_core
from tests.adapters.discord.test_stored_text import found_by, readable, solve, typed
from tests.helpers import eventually


async def question_becomes(
    h: Harness, thread_id: int, title: str, body: str | None = None
) -> Question:
    async def changed() -> Question | None:
        question = await h.question(thread_id)
        if question is None or question.title != title:
            return None
        return question if body is None or question.body == body else None

    return await eventually(changed)


async def excerpts(h: Harness, thread_id: int) -> dict[str, str]:
    question = await h.question(thread_id)
    assert question is not None
    async with h.app.bot.uow_factory(write=False) as uow:
        return {a.message_id: a.excerpt for a in await uow.questions.answers(question.id)}


async def test_the_askers_edit_of_a_solved_question_changes_it_and_its_search(
    h: Harness,
) -> None:
    thread_id = await h.ask_text(h.w.alice, "How do I parse JSON?\nIt fails")
    await solve(h, thread_id)
    assert await found_by(h, "JSON", thread_id)
    await h.fake.edit_message(h.w.text, thread_id, "How do I read YAML files?\nWith PyYAML")
    question = await question_becomes(h, thread_id, "How do I read YAML files?")
    assert question.body == "How do I read YAML files?\nWith PyYAML"
    assert await found_by(h, "YAML", thread_id)
    assert not await found_by(h, "JSON", thread_id)
    # The thread the bot opened on it follows the new first line, still marked solved.
    await eventually(lambda: h.fake.channels[thread_id]["name"] == "✅ How do I read YAML files?")


async def test_a_secret_edited_out_of_the_first_line_leaves_the_threads_name(
    h: Harness,
) -> None:
    thread_id = await h.ask_text(h.w.alice, "login fails with token sk-live-SECRET123\nwhy?")
    assert "SECRET123" in h.fake.channels[thread_id]["name"]
    await h.fake.edit_message(h.w.text, thread_id, "login fails with my API token\nwhy?")
    await question_becomes(h, thread_id, "login fails with my API token")
    await eventually(lambda: h.fake.channels[thread_id]["name"] == "login fails with my API token")
    # An edit below the first line keeps the title, and the name.
    renames = len(h.fake.calls_to("PATCH", f"/channels/{thread_id}"))
    await h.fake.edit_message(h.w.text, thread_id, "login fails with my API token\nhow come?")
    body = "login fails with my API token\nhow come?"
    await question_becomes(h, thread_id, "login fails with my API token", body)
    await h.settled()
    assert len(h.fake.calls_to("PATCH", f"/channels/{thread_id}")) == renames
    # A name a moderator gave the thread by hand outlives an edit that keeps the title.
    await h.fake.rename_thread(thread_id, "Login question (redacted)")
    await h.settled()
    await h.fake.edit_message(h.w.text, thread_id, "login fails with my API token\nany idea?")
    await question_becomes(
        h, thread_id, "login fails with my API token", "login fails with my API token\nany idea?"
    )
    await h.settled()
    assert h.fake.channels[thread_id]["name"] == "Login question (redacted)"


async def test_an_edit_putting_code_first_keeps_the_thread_named_by_the_title(
    h: Harness,
) -> None:
    """The renamed thread follows the question's new title, its first line outside code
    blocks: code pasted above the question changes neither, and the thread is no "```py"."""

    thread_id = await h.ask_text(h.w.alice, "Why does json.loads fail?")
    renames = len(h.fake.calls_to("PATCH", f"/channels/{thread_id}"))
    code_first = "```py\njson.loads(data)\n```\nWhy does json.loads fail?"
    await h.fake.edit_message(h.w.text, thread_id, code_first)
    await question_becomes(h, thread_id, "Why does json.loads fail?", code_first)
    await h.settled()
    assert h.fake.channels[thread_id]["name"] == "Why does json.loads fail?"
    assert len(h.fake.calls_to("PATCH", f"/channels/{thread_id}")) == renames
    # A new question under the code renames it to that.
    await h.fake.edit_message(h.w.text, thread_id, "```py\njson.loads(data)\n```\nWhy so slow?")
    await question_becomes(h, thread_id, "Why so slow?")
    await eventually(lambda: h.fake.channels[thread_id]["name"] == "Why so slow?")


async def test_an_edit_with_mentions_is_stored_with_names_like_on_arrival(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice, "How do I get approval?")
    before = len(h.fake.calls)
    await h.fake.edit_message(h.w.text, thread_id, typed(h))
    question = await question_becomes(h, thread_id, readable())
    assert question.body == readable()
    lookups = [c.path for c in h.fake.calls[before:] if c.method == "GET"]
    assert not lookups, lookups


async def test_a_forum_post_starters_edit_keeps_the_posts_title(h: Harness) -> None:
    thread_id = await h.ask_forum(h.w.alice, "Parsing JSON fails", "Traceback...")
    await solve(h, thread_id)
    await h.fake.edit_message(thread_id, thread_id, f"It was YAML, ask <@{h.w.carol.id}>")
    body = "Parsing JSON fails\nIt was YAML, ask @Carol"
    await question_becomes(h, thread_id, "Parsing JSON fails", body)
    assert await found_by(h, "YAML", thread_id)


async def test_a_starters_edit_in_a_forum_post_not_cached_keeps_the_posts_title(
    h: Harness,
) -> None:
    """A forum post discord.py no longer has (archived, or since a restart): its thread is
    looked up once, for the post's title, which is without the bot's solved prefix (a forum
    whose Solved tag could not be made has it in the thread's name)."""

    thread_id = await h.ask_forum(h.w.alice, "Parsing JSON fails", "Traceback...")
    h.fake.channels[thread_id]["name"] = "✅ Parsing JSON fails"
    guild = h.client.get_guild(h.fake.guild_id)
    assert guild is not None
    thread = guild.get_thread(thread_id)
    assert thread is not None
    guild._remove_thread(thread)  # noqa: SLF001 - discord.py's thread cache
    await h.fake.edit_message(thread_id, thread_id, "It was YAML")
    await question_becomes(h, thread_id, "Parsing JSON fails", "Parsing JSON fails\nIt was YAML")


async def test_a_helpers_edit_of_an_answer_changes_its_excerpt_also_uncached(
    h: Harness,
) -> None:
    """The raw event: an answer discord.py no longer has in its cache still counts."""

    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob, "Use json.loads")
    messages = h.client._connection._messages  # noqa: SLF001 - discord.py's message cache
    assert messages is not None
    messages.clear()
    await h.fake.edit_message(thread_id, answer, f"Use json.load, see <#{h.w.other}>")

    async def edited() -> bool:
        return (await excerpts(h, thread_id))[str(answer)] == "Use json.load, see #general"

    assert await eventually(edited)


async def test_removing_a_file_from_an_answer_with_the_same_words_changes_its_excerpt(
    h: Harness,
) -> None:
    """An edit that only removes a file, of a message discord.py has cached: its text as the
    core takes it (files named) changed, though its words did not."""

    thread_id = await h.ask_text(h.w.alice)
    log = h.fake.attachment("error.log")
    posted = await h.fake.post_message(thread_id, h.w.bob, "See the log", attachments=[log])
    answer = int(posted["id"])

    async def excerpt() -> str | None:
        return (await excerpts(h, thread_id)).get(str(answer))

    assert await eventually(excerpt) == "See the log\n[error.log]"
    assert h.client._connection._get_message(answer) is not None  # noqa: SLF001 - cached
    await h.fake.edit_message(thread_id, answer, "See the log", attachments=[])

    async def removed() -> bool:
        return await excerpt() == "See the log"

    assert await eventually(removed)


async def test_an_unfurl_changes_nothing_and_reaches_no_core(h: Harness) -> None:
    """Discord sends MESSAGE_UPDATE when it unfurls a link: not an edit. One of a message
    discord.py has cached is told by its unchanged text (even after an edit); one of a message
    never edited by its lack of an edit time, cached or not."""

    thread_id = await h.ask_text(h.w.alice, "Why does https://x.test fail?")
    answer = await h.answer(thread_id, h.w.bob, "See https://docs.test")
    link = [{"type": "link", "url": "https://docs.test"}]
    with commands_reaching_the_core(h, (c.EditMessage,)) as seen:
        await h.fake.edit_message(thread_id, answer, "See https://docs.test/json")
        await eventually(lambda: seen)
        # edited before, cached: the same text
        await h.fake.dispatch("MESSAGE_UPDATE", h.fake.embed_update(thread_id, answer, link))
        state = h.client._connection  # noqa: SLF001 - discord.py's message cache
        await eventually(lambda: state._get_message(answer).embeds)  # noqa: SLF001
        assert state._messages is not None  # noqa: SLF001
        state._messages.clear()  # noqa: SLF001
        # never edited, not cached
        await h.fake.dispatch("MESSAGE_UPDATE", h.fake.embed_update(h.w.text, thread_id, link))
        await h.fake.edit_message(thread_id, answer, "See https://docs.test/json#loads")
        await eventually(lambda: len(seen) == 2)
    assert [command.text for command, _ in seen] == [
        "See https://docs.test/json",
        "See https://docs.test/json#loads",
    ]
    assert (await excerpts(h, thread_id))[str(answer)] == "See https://docs.test/json#loads"


async def test_an_edit_outside_the_help_channels_reaches_no_core(h: Harness) -> None:
    chat = await h.fake.post_message(h.w.other, h.w.alice, "How do I parse JSON?")
    thread_id = await h.ask_text(h.w.alice, "How do I parse TOML?")
    welcome = h.welcome(thread_id)
    assert welcome is not None
    side = (await h.fake.open_thread(h.w.other, h.w.alice, "JSON chat")).thread["id"]
    said = await h.fake.post_message(int(side), h.w.alice, "How do I parse JSON?")
    with commands_reaching_the_core(h, (c.EditMessage,)) as seen:
        await h.fake.edit_message(h.w.other, int(chat["id"]), "How do I parse YAML?")
        # a thread outside the help channels
        await h.fake.edit_message(int(side), int(said["id"]), "How do I parse YAML?")
        # the bot's own message in a question thread
        await h.fake.edit_message(thread_id, int(welcome["id"]), "Welcome again")
        await h.fake.edit_message(h.w.text, thread_id, "How do I parse INI?")
        await question_becomes(h, thread_id, "How do I parse INI?")
    assert [command.message_id for command, _ in seen] == [str(thread_id)]


async def test_an_update_naming_someone_else_changes_nothing(h: Harness) -> None:
    """Only a message's author edits it on Discord; should an update ever name another
    member as its author, neither the question nor the answer changes."""

    thread_id = await h.ask_text(h.w.alice, "How do I parse JSON?")
    answer = await h.answer(thread_id, h.w.bob, "Use json.loads")
    with commands_reaching_the_core(h, (c.EditMessage,)) as seen:
        for channel, message in ((h.w.text, thread_id), (thread_id, answer)):
            forged = h.fake.user_edit(channel, message, "Buy cheap watches")
            forged["author"] = h.w.carol.payload()
            forged["member"] = h.fake.member_payload(h.w.carol, with_user=False)
            await h.fake.dispatch("MESSAGE_UPDATE", forged)
        await eventually(lambda: len(seen) == 2)
    assert all(result.question is None for _, result in seen)
    question = await h.question(thread_id)
    assert question is not None and question.body == "How do I parse JSON?"
    assert (await excerpts(h, thread_id))[str(answer)] == "Use json.loads"
    # The asker's real edit lands.
    await h.fake.edit_message(h.w.text, thread_id, "How do I parse JSON quickly?")
    await question_becomes(h, thread_id, "How do I parse JSON quickly?")


async def test_a_renamed_forum_post_retitles_its_question_and_its_search(h: Harness) -> None:
    thread_id = await h.ask_forum(h.w.alice, "Parsing JSON fails", "Traceback...")
    await solve(h, thread_id)
    assert await found_by(h, "JSON", thread_id)
    await h.fake.rename_thread(thread_id, "Reading YAML config fails")
    question = await question_becomes(h, thread_id, "Reading YAML config fails")
    assert question.body == "Reading YAML config fails\nTraceback..."
    assert await found_by(h, "YAML", thread_id)
    assert not await found_by(h, "JSON", thread_id)


async def test_renames_that_are_no_new_title_reach_no_core(h: Harness) -> None:
    """A text channel's thread (its name is made from the question, not the other way
    round), the bot's own solved prefix, and a name the prefix cut reach no core."""

    text_thread = await h.ask_text(h.w.alice, "How do I parse JSON?")
    forum_post = await h.ask_forum(h.w.alice, "Parsing JSON fails", "Traceback...")
    with commands_reaching_the_core(h, (c.RetitleQuestion,)) as seen:
        await h.fake.rename_thread(text_thread, "Something else entirely")
        await h.fake.rename_thread(forum_post, "✅ Parsing JSON fails")  # as the bot marks it
        await h.fake.rename_thread(forum_post, "Parsing JSON fails")  # ... and takes it off
        await h.fake.rename_thread(forum_post, "✅ " + "x" * 98)  # a name the prefix cut
        await h.fake.rename_thread(forum_post, "Parsing JSON fails, again")  # the real one
        await eventually(lambda: any(cmd.title.endswith("again") for cmd, _ in seen))
    # Only the real rename reached the core: the post's name is known from its creation, so
    # the prefix added and taken off again are told apart from a rename, as is the cut name.
    assert [cmd.title for cmd, _ in seen] == ["Parsing JSON fails, again"]
    assert seen[0][1].question is not None
    # An update that keeps the name (archiving, a tag) reaches no core.
    with commands_reaching_the_core(h, (c.RetitleQuestion,)) as later:
        await h.fake.rename_thread(forum_post, "Parsing JSON fails, again")
        await h.caught_up()
        await h.fake.rename_thread(forum_post, "Parsing JSON fails, at last")
        await eventually(lambda: later)
    assert [cmd.title for cmd, _ in later] == ["Parsing JSON fails, at last"]
    question = await question_becomes(h, forum_post, "Parsing JSON fails, at last")
    assert question.body == "Parsing JSON fails, at last\nTraceback..."
    text_question = await h.question(text_thread)
    assert text_question is not None and text_question.title == "How do I parse JSON?"
