"""Every permission refusal is private (or silent for reactions) and changes nothing."""

from __future__ import annotations

import asyncio

from bot.model import QuestionStatus
from tests.adapters.discord.conftest import Harness
from tests.helpers import eventually


async def assert_unchanged(h: Harness, thread_id: int) -> None:
    question = await h.question(thread_id)
    assert question is not None and question.status is QuestionStatus.OPEN
    assert await h.points(h.w.bob) == 0
    assert h.fake.member_roles(h.w.bob) == []


def ephemeral(h: Harness, handle) -> bool:  # noqa: ANN001
    original = handle.record.original or (handle.record.callback or {}).get("data") or {}
    return bool(int(original.get("flags", 0)) & 64)


async def test_non_asker_mark_as_solution(h: Harness, kind: str) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    handle = await h.fake.interact(
        h.fake.message_command("Mark as solution", user=h.w.carol, message_id=answer)
    )
    assert "Only the person who asked" in await h.done(handle)
    assert ephemeral(h, handle)
    await assert_unchanged(h, thread_id)
    assert len(h.bot_messages(thread_id)) == 1  # only the welcome


async def test_helper_cannot_accept_own_answer(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    handle = await h.fake.interact(
        h.fake.message_command("Mark as solution", user=h.w.bob, message_id=answer)
    )
    assert "your own message" in await h.done(handle)
    await assert_unchanged(h, thread_id)


async def test_non_asker_reaction_is_just_a_reaction(h: Harness, kind: str) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    await h.fake.react(thread_id, answer, h.w.carol, "✅")
    await h.fake.react(thread_id, answer, h.w.alice, "👍")  # not ✅
    await asyncio.sleep(0.2)
    await assert_unchanged(h, thread_id)
    assert len(h.bot_messages(thread_id)) == 1


async def test_non_asker_solved_command(h: Harness, kind: str) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    await h.answer(thread_id, h.w.bob)
    handle = await h.command("solved", h.w.carol, thread_id)
    assert "Only the person who asked" in await h.done(handle)
    assert ephemeral(h, handle)
    await assert_unchanged(h, thread_id)


async def test_non_asker_unsolve_and_close(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    for name in ("unsolve", "close"):
        handle = await h.command(name, h.w.carol, thread_id)
        assert "Only the person who asked" in await h.done(handle)
    await assert_unchanged(h, thread_id)


async def test_moderator_may_mark_solved(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    handle = await h.command("solved", h.w.mod, thread_id)
    assert "Marked" in await h.done(handle)


async def test_non_moderator_mod_commands(h: Harness, kind: str) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    for sub in ("close", "reopen"):
        handle = await h.command("mod", h.w.alice, thread_id, subcommand=sub)
        assert "Only moderators" in await h.done(handle)
        assert ephemeral(h, handle)
    await assert_unchanged(h, thread_id)


async def test_moderator_mod_close_and_reopen(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    await h.done(await h.command("solved", h.w.alice, thread_id))
    # A moderator undoes "solved" with /unsolve; /mod reopen is for closed questions.
    unsolve = await h.command("unsolve", h.w.mod, thread_id)
    assert "open again" in await h.done(unsolve)
    close = await h.command("mod", h.w.mod, thread_id, subcommand="close")
    assert "closed by a moderator" in await h.done(close)
    question = await h.question(thread_id)
    assert question is not None and question.is_closed
    await eventually(lambda: h.fake.channels[thread_id]["thread_metadata"]["archived"])
    reopen = await h.command("mod", h.w.mod, thread_id, subcommand="reopen")
    assert "open again" in await h.done(reopen)
    question = await h.question(thread_id)
    assert question is not None and not question.is_closed
    await eventually(lambda: not h.fake.channels[thread_id]["thread_metadata"]["archived"])


async def test_thread_commands_outside_a_question_thread(h: Harness) -> None:
    handle = await h.command("solved", h.w.alice, h.w.other)
    assert "not a question thread" in await h.done(handle)
    stray = h.fake.add_thread(h.w.other, "chat", owner=h.w.alice)
    await h.fake.dispatch("THREAD_CREATE", {**h.fake.channels[stray], "newly_created": True})
    handle = await h.command("unsolve", h.w.alice, stray)
    assert "not a question thread" in await h.done(handle)


async def test_manage_threads_permission_makes_a_moderator(h: Harness) -> None:
    from tests.fakes.discord_server import Permissions

    role = h.fake.add_role("Thread keepers", permissions=Permissions.MANAGE_THREADS)
    keeper = h.fake.add_user("keeper", roles=[role])
    thread_id = await h.ask_text(h.w.alice)
    handle = await h.command("mod", keeper, thread_id, subcommand="close")
    assert "closed by a moderator" in await h.done(handle)


async def test_anonymous_ask_refused_when_the_community_does_not_allow_it(
    h: Harness, kind: str
) -> None:
    where = h.w.text if kind == "text" else h.w.forum
    options = {"question": "Is my config leaking secrets?", "anonymous": True}
    handle = await h.command("ask", h.w.alice, where, options=options)
    assert "Anonymous questions are turned off" in await h.done(handle)
    assert ephemeral(h, handle)
    # The thread (and starter) made for it are taken away again; nothing was stored.
    assert h.fake.threads_in(where) == []
    assert [m for m in h.fake.messages_in(where) if m["content"]] == []
