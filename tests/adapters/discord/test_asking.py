"""Questions from text help channels, forum posts and /ask; answers recorded from threads."""

from __future__ import annotations

from tests.adapters.discord.conftest import Harness, custom_ids
from tests.helpers import eventually


async def test_text_channel_message_opens_a_thread_and_a_question(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice, "How do I parse JSON?\nI tried eval.")
    thread = h.fake.channels[thread_id]
    assert thread["name"] == "How do I parse JSON?"
    assert int(thread["parent_id"]) == h.w.text
    question = await h.question(thread_id)
    assert question is not None and question.asker.ref.id == str(h.w.alice.id)
    welcome = h.welcome(thread_id)
    assert welcome is not None and "Mark as solution" in welcome["content"]
    call = h.fake.last_call("POST", "/channels/{channel_id}/messages")
    assert call.json["allowed_mentions"]["parse"] == []


CODE_FIRST = "```python\nimport json\njson.loads(data)\n```\nWhy does this raise JSONDecodeError?"


async def test_a_question_starting_with_code_names_its_thread_like_its_title(h: Harness) -> None:
    """The thread's name is the question's title: its first line outside code blocks, not
    the "```python" that opens the block, whether asked in the channel or with /ask."""

    thread_id = await h.ask_text(h.w.alice, CODE_FIRST)
    question = await h.question(thread_id)
    assert question is not None and question.title == "Why does this raise JSONDecodeError?"
    assert h.fake.channels[thread_id]["name"] == question.title

    await h.done(await h.command("ask", h.w.bob, h.w.other, options={"question": CODE_FIRST}))
    (asked,) = [t for t in h.fake.threads_in(h.w.text) if int(t["id"]) != thread_id]
    assert asked["name"] == "Why does this raise JSONDecodeError?"


async def test_half_an_emoji_still_opens_a_question(h: Harness) -> None:
    # The gateway's JSON can carry a lone surrogate escape ("\\ud83d": half an emoji),
    # which no database stores; the question used to fail with "something went wrong".
    thread_id = await h.ask_text(h.w.alice, "Printer \ud83d offline\nIt says \udcff")
    question = await h.question(thread_id)
    assert question is not None and question.title == "Printer \ufffd offline"
    assert question.body == "Printer \ufffd offline\nIt says \ufffd"
    welcome = h.welcome(thread_id)
    assert welcome is not None and "Mark as solution" in welcome["content"]


async def test_a_thread_made_with_create_thread_opens_a_question_with_its_first_message(
    h: Harness,
) -> None:
    """Discord's Create Thread button in a text help channel: a thread with no message in
    the channel. Its first message (not a greeting) opens the question there."""

    thread_id = (await h.fake.open_thread(h.w.text, h.w.alice, "JSON parsing fails")).id
    hello = await h.fake.post_message(thread_id, h.w.alice, "hi")
    # Another member's reply before the maker asks is no question: the thread is alice's.
    await h.fake.post_message(thread_id, h.w.bob, "Hey, what error do you get exactly?")
    await h.settled()
    assert await h.question(thread_id) is None and not h.bot_messages(thread_id)
    asked = await h.fake.post_message(thread_id, h.w.alice, "json.loads raises on my file, why?")
    await eventually(lambda: h.welcome(thread_id))
    question = await h.question(thread_id)
    assert question is not None and question.asker.ref.id == str(h.w.alice.id)
    assert question.message_id == asked["id"] and question.title.startswith("json.loads")
    assert question.channel_id == str(h.w.text)
    assert h.fake.channels[thread_id]["name"] == "JSON parsing fails"  # the member's name
    answer = await h.answer(thread_id, h.w.bob, "Use json.loads(strict=False)")
    assert await h.answers(question.id) == [str(answer)]
    assert hello["id"] not in await h.answers(question.id)
    assert "Marked" in await h.done(await h.command("solved", h.w.alice, thread_id))


async def test_forum_post_is_a_question(h: Harness) -> None:
    thread_id = await h.ask_forum(h.w.alice, "Parsing JSON fails", "json.decoder error")
    question = await h.question(thread_id)
    assert question is not None
    assert question.title == "Parsing JSON fails" and "json.decoder" in question.body
    assert question.channel_id == str(h.w.forum)


async def test_answers_in_the_thread_are_recorded(h: Harness, kind: str) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    message_id = await h.answer(thread_id, h.w.bob, "Use json.loads")
    question = await h.question(thread_id)
    assert question is not None
    assert str(message_id) in await h.answers(question.id)


async def test_messages_elsewhere_are_ignored(h: Harness) -> None:
    await h.fake.post_message(h.w.other, h.w.alice, "hello")
    await h.fake.wait_for_call("GET", "/users/@me")  # the bot is up; give it a moment
    assert not h.fake.threads_in(h.w.other)


async def test_suggestions_get_buttons(h: Harness) -> None:
    first = await h.ask_text(h.w.alice, "How do I parse JSON in Python?")
    await h.answer(first, h.w.bob)
    await h.fake.react(first, (await _last_answer(h, first)), h.w.alice, "✅")
    await eventually(lambda: _solved(h, first))
    second = await h.ask_text(h.w.carol, "How do I parse JSON in Python quickly?")
    welcome = h.welcome(second)
    assert welcome is not None and welcome["embeds"]
    assert "How do I parse JSON in Python?" in welcome["embeds"][0]["description"]
    assert any(cid.startswith("cb:sugg-yes:") for cid in custom_ids(welcome))
    assert any(cid.startswith("cb:sugg-no:") for cid in custom_ids(welcome))


async def _last_answer(h: Harness, thread_id: int) -> int:
    question = await h.question(thread_id)
    assert question is not None
    return int((await h.answers(question.id))[-1])


async def _solved(h: Harness, thread_id: int) -> bool:
    question = await h.question(thread_id)
    return question is not None and question.status.value == "solved"


async def test_ask_command_opens_a_thread_in_the_help_channel(h: Harness) -> None:
    handle = await h.command(
        "ask", h.w.alice, h.w.other, options={"question": "Where are the docs?"}
    )
    text = await h.done(handle)
    threads = h.fake.threads_in(h.w.text)
    assert len(threads) == 1 and threads[0]["name"] == "Where are the docs?"
    assert f"<#{threads[0]['id']}>" in text
    question = await h.question(int(threads[0]["id"]))
    assert question is not None and question.asker.ref.id == str(h.w.alice.id)


async def test_ask_command_in_a_forum_thread_opens_a_forum_post(h: Harness) -> None:
    first = await h.ask_forum(h.w.alice)
    handle = await h.command("ask", h.w.bob, first, options={"question": "Another one?"})
    await h.done(handle)
    posts = [t for t in h.fake.threads_in(h.w.forum) if int(t["id"]) != first]
    assert len(posts) == 1 and posts[0]["name"] == "Another one?"
    starter = h.fake.messages_in(int(posts[0]["id"]))[0]
    assert f"<@{h.w.bob.id}>" in starter["content"]
    question = await h.question(int(posts[0]["id"]))
    assert question is not None and question.asker.ref.id == str(h.w.bob.id)
    await eventually(
        lambda: h.welcome(int(posts[0]["id"])) and len(h.bot_messages(int(posts[0]["id"]))) == 2
    )


async def test_a_thank_you_or_an_ok_in_a_text_help_channel_is_no_question(h: Harness) -> None:
    """Written at the top level instead of in a thread: no thread, no question. A forum post
    is a deliberate question, however short."""

    for text in (f"thanks <@{h.w.bob.id}>!", "ok", "+1", "🙏"):
        await h.fake.post_message(h.w.text, h.w.alice, text)
    last = await h.ask_text(h.w.carol, "ok so how do I parse TOML?")  # handled after those
    assert [t["id"] for t in h.fake.threads_in(h.w.text)] == [str(last)]
    assert (await h.question(last)) is not None
    post = await h.ask_forum(h.w.alice, "ok", "+1")
    assert (await h.question(post)) is not None
