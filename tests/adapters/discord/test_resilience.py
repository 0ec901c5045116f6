"""Replays after RESUME change nothing; Discord errors (403, 404, 429) are survived with the
core's state intact; text over Discord's limits is cut safely."""

from __future__ import annotations

import asyncio
import gc
import logging
import re
import warnings
from pathlib import Path

import pytest

from bot.bootstrap import bootstrap
from bot.clock import FakeClock
from bot.model import QuestionStatus
from tests.adapters.discord.conftest import (
    FakeDiscordWithDMs,
    FastClient,
    Harness,
    make_config,
    not_set_up,
    seed,
)
from tests.helpers import eventually


async def standing(h: Harness, user) -> tuple[int, int]:  # noqa: ANN001
    from bot import commands as c
    from bot import events as ev
    from bot.model import Actor, MemberRef

    actor = Actor(MemberRef("discord", "main", str(user.id)), user.username)
    result = await h.app.bot.handle(c.ShowReputation(actor))
    assert isinstance(result, ev.ReputationShown)
    return result.standing.points, result.standing.accepted_count


async def test_replayed_events_after_resume_change_nothing(h: Harness) -> None:
    question_msg = await h.fake.post_message(h.w.text, h.w.alice, "How do I parse JSON?")
    thread_id = int(question_msg["id"])
    await eventually(lambda: h.welcome(thread_id))
    answer_msg = await h.fake.post_message(thread_id, h.w.bob, "json.loads")
    question = await h.question(thread_id)
    assert question is not None
    await eventually(lambda: h._recorded(question.id, answer_msg["id"]))
    reaction = await h.fake.react(thread_id, int(answer_msg["id"]), h.w.alice, "✅")
    await eventually(lambda: h.w.reward_role in h.fake.member_roles(h.w.bob))
    menu = h.fake.message_command(
        "Mark as solution", user=h.w.alice, message_id=int(answer_msg["id"])
    )
    handle = await h.fake.interact(menu)
    assert "already marked" in await h.done(handle)
    before = (await standing(h, h.w.bob), await standing(h, h.w.alice))
    bot_messages_before = len(h.bot_messages(thread_id))
    resumes = h.fake.resume_count

    async with h.fake.disconnected():
        for event, payload in (
            ("MESSAGE_CREATE", question_msg),
            ("MESSAGE_CREATE", answer_msg),
            ("MESSAGE_REACTION_ADD", reaction),
            ("INTERACTION_CREATE", menu),
        ):
            await h.fake.dispatch(event, payload)
    await h.fake.wait_for_resume(resumes + 1)
    await asyncio.sleep(0.3)

    assert (await standing(h, h.w.bob), await standing(h, h.w.alice)) == before
    assert len(h.fake.threads_in(h.w.text)) == 1
    assert len(h.bot_messages(thread_id)) == bot_messages_before
    assert len(await h.answers(question.id)) == 1
    # still alive and answering
    rep = await h.command("rep", h.w.bob, h.w.other)
    assert "15 points" in await h.done(rep)


async def test_events_buffered_during_a_disconnect_are_processed_once(h: Harness) -> None:
    resumes = h.fake.resume_count
    async with h.fake.disconnected():
        message = await h.fake.post_message(h.w.text, h.w.alice, "Asked while offline")
    await h.fake.wait_for_resume(resumes + 1)
    await eventually(lambda: h.welcome(int(message["id"])))
    assert len(h.fake.threads_in(h.w.text)) == 1


async def test_403_on_thread_creation_is_survived(h: Harness) -> None:
    h.fake.fail_next("POST", "/channels/{channel_id}/messages/{message_id}/threads", status=403)
    message = await h.fake.post_message(h.w.text, h.w.alice, "No thread for me")
    await h.fake.wait_for_call("POST", "/channels/{channel_id}/messages/{message_id}/threads")
    await asyncio.sleep(0.1)
    assert await h.question(int(message["id"])) is None
    thread_id = await h.ask_text(h.w.alice, "Second try")  # the bot carries on
    assert await h.question(thread_id) is not None


async def test_403_on_tag_creation_falls_back_to_the_name_prefix(h: Harness) -> None:
    thread_id = await h.ask_forum(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    h.fake.fail_next("PATCH", f"/channels/{h.w.forum}", status=403)
    handle = await h.command("solved", h.w.alice, thread_id)
    assert "Marked" in await h.done(handle)
    question = await h.question(thread_id)
    assert question is not None and question.status is QuestionStatus.SOLVED
    await eventually(lambda: h.fake.channels[thread_id]["name"].startswith("✅ "))


async def test_404_deleted_thread_keeps_the_core_state(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    for method, route in (
        ("POST", f"/channels/{thread_id}/messages"),
        ("PATCH", f"/channels/{thread_id}"),
    ):
        h.fake.fail_next(method, route, status=404, code=10003, times=3)
    handle = await h.fake.interact(
        h.fake.message_command("Mark as solution", user=h.w.alice, message_id=answer)
    )
    assert "Marked" in await h.done(handle)
    question = await h.question(thread_id)
    assert question is not None and question.status is QuestionStatus.SOLVED
    assert await h.points(h.w.bob) == 15


async def test_429_rate_limit_is_waited_out(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    h.fake.fail_next("POST", f"/channels/{thread_id}/messages", status=429, retry_after=0.05)
    handle = await h.command("solved", h.w.alice, thread_id)
    assert "Marked" in await h.done(handle)
    await eventually(lambda: len(h.bot_messages(thread_id)) == 2)
    assert [c.status for c in h.fake.calls_to("POST", f"/channels/{thread_id}/messages")][-2:] == [
        429,
        200,
    ]


async def test_403_on_reward_role_keeps_points(h: Harness) -> None:
    thread_id = await h.ask_forum(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    h.fake.fail_next("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}", status=403)
    await h.fake.react(thread_id, answer, h.w.alice, "✅")
    await h.fake.wait_for_call("PUT", "/guilds/{guild_id}/members/{user_id}/roles/{role_id}")
    assert await h.points(h.w.bob) == 15
    assert h.w.reward_role not in h.fake.member_roles(h.w.bob)


async def test_long_text_is_cut_to_discord_limits(h: Harness) -> None:
    long_question = "Why " + "does this fail " * 300  # about 4,500 characters
    handle = await h.command(
        "ask", h.w.alice, h.w.other, options={"question": long_question[:4000]}
    )
    await h.done(handle)
    starter = h.fake.messages_in(h.w.text)[0]
    # the rest follows in the thread (test_hostile_input: nothing of the question is lost)
    # (cut after a word: where depends on the room a part keeps, test_translate_render)
    assert len(starter["content"]) <= 2000 and starter["content"].endswith(" ")
    thread = h.fake.threads_in(h.w.text)[0]
    assert len(thread["name"]) <= 100

    message = await h.fake.post_message(h.w.text, h.w.bob, "😀" * 3 + "x" * 150)
    await eventually(lambda: h.welcome(int(message["id"])))
    name = h.fake.channels[int(message["id"])]["name"]
    assert len(name) <= 100 and name.startswith("😀😀😀") and name.endswith("…")


@pytest.mark.parametrize("status", [403, 503])
async def test_ask_stops_at_a_part_discord_refuses_and_gives_the_asker_the_rest(
    h: Harness, kind: str, status: int
) -> None:
    """A question of three messages whose second Discord refuses (403 missing permission,
    503; a 500 discord.py retries first): the third was posted anyway, so the thread read on
    past a gap as if the question were whole, and the asker was told it was open. Now
    nothing after the refused part is posted, and the asker is told privately what is
    missing, with the text, to add it in the thread. The core keeps the whole question."""

    paragraphs = [f"Part {i}: " + " ".join(f"p{i}w{j:03d}" for j in range(150)) for i in range(3)]
    question = "\n\n".join(paragraphs)  # 3,645 characters, cut at each blank line
    channel = h.w.text if kind == "text" else h.w.forum
    # the first message in any thread (a text channel's starter goes to the channel itself)
    in_a_thread = re.compile(rf"/channels/(?!{h.w.text}/)\d+/messages")
    h.fake.fail_next("POST", in_a_thread, status=status)
    handle = await h.command("ask", h.w.alice, channel, options={"question": question})
    said = await h.done(handle)
    (thread,) = h.fake.threads_in(channel)
    thread_id = int(thread["id"])
    starters = h.fake.messages_in(h.w.text) if kind == "text" else []
    posted = [m["content"] for m in [*starters, *h.bot_messages(thread_id)]]
    assert "Part 0:" in posted[0] and "p0w149" in posted[0]
    assert "Mark as solution" in posted[-1]  # the welcome: the question is open
    assert not any("Part 1:" in p or "Part 2:" in p for p in posted), [p[:30] for p in posted]
    assert f"open in <#{thread_id}>" in said and "Only the start of your question" in said
    await eventually(lambda: len(handle.record.followups) >= 2)
    missing = handle.record.followups[:2]  # (then the channel's greeting)
    assert [m["content"] for m in missing] == paragraphs[1:]
    assert all(int(m["flags"]) & 64 for m in missing)  # shown to the asker only
    stored = await h.question(thread_id)
    assert stored is not None and stored.body == question


@pytest.mark.parametrize("status", [403, 503])
async def test_an_ask_discord_refuses_gives_the_member_their_question_back(
    h: Harness, kind: str, status: int
) -> None:
    """The question's first message refused (403 missing permission, 503): the member got
    the apology only, and what they typed into the option was gone from their Discord. Now
    the question comes back to them, privately, to post again."""

    question = "My **router** drops Wi-Fi every hour.\n\nI tried `reset` already."
    channel = h.w.text if kind == "text" else h.w.forum
    first = rf"/channels/{channel}/(messages|threads)$"
    h.fake.fail_next("POST", re.compile(first), status=status)
    handle = await h.command("ask", h.w.alice, channel, options={"question": question})
    await eventually(lambda: len(handle.record.followups) >= 2)
    said = [await h.done(handle), *(m["content"] for m in handle.record.followups)]
    assert "went wrong" in said[0].lower() or "try again" in said[0].lower(), said
    assert "as you wrote it" in said[-2] and said[-1] == question
    assert all(int(m["flags"]) & 64 for m in handle.record.followups)  # the asker only
    assert not h.fake.threads_in(channel)  # (and the core was never asked)


async def test_an_ask_in_a_server_not_set_up_gives_the_member_their_question_back(
    discord_fake: FakeDiscordWithDMs, tmp_path: Path
) -> None:
    """Two communities, neither naming this server (the commands are global, as there is one
    with no server named): /ask said 'not set up' and what the member typed into the option
    was gone, unlike every other refused /ask. It now comes back with the error, privately."""

    question = "My **router** drops Wi-Fi every hour.\n\nI tried `reset` already."
    async with not_set_up(discord_fake, tmp_path) as h:
        handle = await h.command("ask", h.w.alice, h.w.text, options={"question": question})
        refused = await h.done(handle)
        # ... and what to add to the config, with this server's id
        assert (
            "not set up" in refused and f'discord_guild_id = "{discord_fake.guild_id}"' in refused
        )
        await eventually(lambda: len(handle.record.followups) >= 2)
        said = [m["content"] for m in handle.record.followups]
        assert "as you wrote it" in said[0] and said[1] == question, said
        assert all(int(m["flags"]) & 64 for m in handle.record.followups)
        assert not discord_fake.threads_in(h.w.text)


async def test_a_blank_ask_is_refused_without_giving_back_blank_text(h: Harness) -> None:
    """The core refuses a question of invisible characters: there is nothing to give back,
    so the member gets the refusal alone, not 'Here is your question' and a blank message."""

    handle = await h.command("ask", h.w.alice, h.w.text, options={"question": "\u200b \u200b"})
    assert "empty" in await h.done(handle)
    await asyncio.sleep(0.3)  # (a give-back would follow the error reply at once)
    assert not handle.record.followups, handle.record.followups


async def test_a_replayed_ask_is_not_given_back(h: Harness) -> None:
    """An /ask replayed after a RESUME is already answered (Discord says 40060): the member
    has their question open, so nothing is said, let alone 'post it again'."""

    question = "Why does my build cache miss every time?"
    payload = h.fake.slash_command("ask", user=h.w.alice, channel_id=h.w.text,
                                   options={"question": question})  # fmt: skip
    handle = await h.fake.interact(payload)
    assert "open in" in await h.done(handle)
    await asyncio.sleep(0.3)  # (the channel's greeting follows)
    callback = f"/interactions/{payload['id']}/{payload['token']}/callback"
    webhook = f"/webhooks/{payload['application_id']}/{payload['token']}"
    before = len(h.fake.calls_to("POST", callback)), len(h.fake.calls_to("POST", webhook))
    resumes = h.fake.resume_count
    async with h.fake.disconnected():
        await h.fake.dispatch("INTERACTION_CREATE", payload)
    await h.fake.wait_for_resume(resumes + 1)
    await eventually(lambda: len(h.fake.calls_to("POST", callback)) > before[0])  # (40060)
    await asyncio.sleep(0.3)
    after = h.fake.calls_to("POST", callback)[before[0] :], h.fake.calls_to("POST", webhook)
    assert [c.json.get("type") for c in after[0]] == [5], after[0]  # the defer alone
    assert len(after[1]) == before[1]
    assert len(h.fake.threads_in(h.w.text)) == 1


async def test_an_ask_whose_thread_discord_refuses_leaves_no_starter_behind(h: Harness) -> None:
    """The starter posted in a text channel, then its thread refused: the member gets the
    question back to post again, so the starter must not stay as a second, threadless copy
    (the bot ignores its own messages there: nobody could answer it)."""

    question = "Why does my build cache miss every time?"
    h.fake.fail_next("POST", re.compile(rf"/channels/{h.w.text}/messages/\d+/threads"))
    handle = await h.command("ask", h.w.alice, h.w.text, options={"question": question})
    await eventually(lambda: len(handle.record.followups) >= 2)
    assert handle.record.followups[-1]["content"] == question
    await eventually(lambda: not h.fake.messages_in(h.w.text))


async def test_an_ask_that_opened_is_not_given_back_when_its_reply_fails(
    h: Harness, kind: str
) -> None:
    """The question is posted and open, and only the private 'open in' reply is refused:
    the member must not be told to post it again (a second copy of an open question)."""

    question = "Why does my build cache miss every time?"
    channel = h.w.text if kind == "text" else h.w.forum
    h.fake.fail_next("POST", "/webhooks/{application_id}/{token}", status=403)
    handle = await h.command("ask", h.w.alice, channel, options={"question": question})
    await h.done(handle)
    (thread,) = h.fake.threads_in(channel)
    stored = await h.question(int(thread["id"]))
    assert stored is not None and stored.body == question
    await asyncio.sleep(0.2)  # (a give-back would follow the error reply at once)
    said = [handle.record.original, *handle.record.followups]
    assert not any("as you wrote it" in (m or {}).get("content", "") for m in said), said


async def test_refused_ask_removes_its_thread(h: Harness) -> None:
    handle = await h.command("ask", h.w.alice, h.w.other, options={"question": "\u200b"})
    assert "empty" in await h.done(handle)
    await eventually(lambda: not h.fake.threads_in(h.w.text))


async def restart_without(h: Harness, thread_id: int) -> None:
    """Reconnect with a fresh session whose GUILD_CREATE leaves `thread_id` out."""
    h.fake.unannounce_thread(thread_id)
    h.fake.invalidate_session()
    await h.fake.drop_connection()
    await h.fake.wait_for_identify(2)
    await h.fake.wait_until_connected()
    guild = await eventually(lambda: h.client.get_guild(h.fake.guild_id))
    assert guild.get_thread(thread_id) is None


async def test_answer_in_a_thread_discord_py_never_cached_is_recorded(
    h: Harness, kind: str
) -> None:
    """After a restart, a question thread left out of GUILD_CREATE's `threads` is in no
    cache: discord.py gives its messages a partial channel. The answer still counts."""

    thread_id = await h.ask(kind, h.w.alice)
    await h.answer(thread_id, h.w.bob)  # Bob's first words here: his welcome, while cached
    await restart_without(h, thread_id)
    await h.answer(thread_id, h.w.bob, "or json.load for a file")
    await h.fake.post_message(thread_id, h.w.alice, f"thanks <@{h.w.bob.id}>")
    await eventually(lambda: len(h.bot_messages(thread_id)) >= 2)
    # Only the thanks needs the thread (to post the offer in it): an answer fetches nothing.
    assert len(h.fake.calls_to("GET", f"/channels/{thread_id}")) == 1


async def test_check_reaction_in_a_thread_discord_py_never_cached_solves(
    h: Harness, kind: str
) -> None:
    """The asker's ✅ on an answer in a question thread missing from every cache (left out of
    GUILD_CREATE after a restart) still marks it as the solution."""

    thread_id = await h.ask(kind, h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    await restart_without(h, thread_id)
    await h.fake.react(thread_id, answer, h.w.alice, "✅")

    async def solved() -> bool:
        question = await h.question(thread_id)
        return question is not None and question.status is QuestionStatus.SOLVED

    await eventually(solved)
    assert await h.points(h.w.bob) == 15


async def test_closing_while_ready_is_pending_leaves_nothing_behind(
    discord_fake: FakeDiscordWithDMs, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """discord.py dispatches "ready" a while (guild_ready_timeout) after the last
    GUILD_CREATE of a new session. Closed in that while, the client dispatches nothing
    afterwards: no on_ready that would register the sender with the Outbox again, and no
    event task created on a client whose loop is gone (it was "coroutine
    'Client._run_event' was never awaited" and an AttributeError in a stray task)."""

    world = seed(discord_fake)
    config = make_config(tmp_path, world, discord_fake)
    app = await bootstrap(config, clock=FakeClock())
    client = FastClient(app.bot, config, guild_ready_timeout=0.3)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            async with discord_fake.run(client):
                discord_fake.invalidate_session()
                await discord_fake.drop_connection()
                await discord_fake.wait_for_identify(2)
                await eventually(lambda: client.get_guild(discord_fake.guild_id))
            assert not app.bot.outbox.has("discord")
            await asyncio.sleep(0.5)  # past the ready timeout of the second session
            gc.collect()
        assert not app.bot.outbox.has("discord")
        assert not [w for w in caught if "never awaited" in str(w.message)]
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    finally:
        await app.close()
