"""Removing a ✅ takes back the solution mark that member's ✅ made, end to end through the real
discord.py client and the fake gateway: the points go back (and a reward role with them), the
thread stops looking solved when no accepted answer is left, and one quiet line says so. A ✅
that marked nothing, another emoji, a channel that is no help thread and a DM change nothing
and say nothing; a ✅ added again marks the answer again."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from typing import Any

import pytest

from bot import commands as c
from bot.errors import NotAccepted
from tests.adapters.discord.conftest import (
    Harness,
    commands_reaching_the_core,
)
from tests.adapters.discord.test_solving import assert_reopened, is_marked, public_lines, solved
from tests.helpers import eventually

CHECK = "✅"


REACTIONS = (c.AcceptAnswer, c.UnacceptAnswer)


def reactions_reaching_the_core(
    h: Harness, fail: bool = False
) -> AbstractContextManager[list[tuple[Any, Any]]]:
    """The AcceptAnswer / UnacceptAnswer commands the adapter hands the (real) core while
    inside, with their results or errors. With `fail`, an UnacceptAnswer fails once as a
    broken database would."""

    failing = [fail]

    def fails(command: Any) -> bool:
        if isinstance(command, c.UnacceptAnswer) and failing[0]:
            failing[0] = False
            return True
        return False

    return commands_reaching_the_core(h, REACTIONS, fails)


async def accepted_by_check(h: Harness, kind: str) -> tuple[int, int]:
    """Alice's question, Bob's answer, Alice's ✅ on it: marked, 15 points and a role."""

    thread_id = await h.ask(kind, h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    await h.fake.react(thread_id, answer, h.w.alice, CHECK)
    await eventually(lambda: h.w.reward_role in h.fake.member_roles(h.w.bob))
    await eventually(lambda: is_marked(h, kind, thread_id))
    await eventually(lambda: public_lines(h, thread_id))
    return thread_id, answer


async def test_the_asker_removing_their_check_reopens_the_question(h: Harness, kind: str) -> None:
    thread_id, answer = await accepted_by_check(h, kind)
    lines = len(public_lines(h, thread_id))

    await h.fake.unreact(thread_id, answer, h.w.alice, CHECK)
    await eventually(lambda: len(public_lines(h, thread_id)) == lines + 1)
    await assert_reopened(h, kind, thread_id)
    line = public_lines(h, thread_id)[-1]
    assert "Took back the solution mark" in line and "open again" in line
    public = h.fake.last_call("POST", f"/channels/{thread_id}/messages")
    assert public.json["allowed_mentions"]["parse"] == []  # nobody pinged


async def test_removing_one_of_two_checks_leaves_the_question_solved(h: Harness, kind: str) -> None:
    thread_id, answer = await accepted_by_check(h, kind)
    other = await h.answer(thread_id, h.w.carol, "or orjson.loads")
    await h.fake.react(thread_id, other, h.w.alice, CHECK)
    await eventually(lambda: h.w.reward_role in h.fake.member_roles(h.w.carol))
    lines = len(public_lines(h, thread_id))

    await h.fake.unreact(thread_id, answer, h.w.alice, CHECK)
    await eventually(lambda: len(public_lines(h, thread_id)) == lines + 1)
    assert "stays solved" in public_lines(h, thread_id)[-1]
    assert await solved(h, thread_id)
    assert await h.points(h.w.bob) == 0 and await h.points(h.w.carol) == 15
    await eventually(lambda: h.w.reward_role not in h.fake.member_roles(h.w.bob))
    assert h.w.reward_role in h.fake.member_roles(h.w.carol)
    assert is_marked(h, kind, thread_id)
    assert not [
        call.json
        for call in h.fake.calls_to("PATCH", f"/channels/{thread_id}")
        if "name" in call.json or "applied_tags" in call.json
    ][1:]  # only the edit that marked it solved, none unmarking it


async def test_a_removed_check_that_marked_nothing_changes_nothing(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """The asker accepted; a moderator's later ✅ accepted nothing, so removing it (or the
    ✅ of someone who may not accept at all) takes nothing back and says nothing."""

    thread_id, answer = await accepted_by_check(h, "text")
    lines = public_lines(h, thread_id)
    with caplog.at_level(logging.WARNING), reactions_reaching_the_core(h) as seen:
        await h.fake.react(thread_id, answer, h.w.mod, CHECK)
        await h.fake.react(thread_id, answer, h.w.carol, CHECK)
        await h.fake.unreact(thread_id, answer, h.w.mod, CHECK)
        await h.fake.unreact(thread_id, answer, h.w.carol, CHECK)
        await eventually(lambda: len(seen) == 4)
    removals = [(cmd, res) for cmd, res in seen if isinstance(cmd, c.UnacceptAnswer)]
    assert [cmd.actor.ref.id for cmd, _ in removals] == [str(h.w.mod.id), str(h.w.carol.id)]
    assert all(cmd.reaction for cmd, _ in removals)
    assert isinstance(removals[0][1], NotAccepted)
    assert await solved(h, thread_id) and await h.points(h.w.bob) == 15
    assert public_lines(h, thread_id) == lines
    assert is_marked(h, "text", thread_id)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


async def test_other_emoji_other_channels_and_dms_reach_no_core(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    thread_id, answer = await accepted_by_check(h, "text")
    await h.fake.react(thread_id, answer, h.w.alice, "👍")
    chat = int((await h.fake.post_message(h.w.other, h.w.bob, "json.loads"))["id"])
    await h.fake.react(h.w.other, chat, h.w.alice, CHECK)
    side = (await h.fake.open_thread(h.w.other, h.w.alice, "JSON chat")).id
    said = int((await h.fake.post_message(side, h.w.bob, "json.loads"))["id"])
    await h.fake.react(side, said, h.w.alice, CHECK)
    robot = h.fake.add_user("robot", bot=True)
    gone = h.fake.add_user("gone")
    for user in (robot, gone):
        await h.fake.react(thread_id, answer, user, CHECK)
    del h.fake.members[gone.id]  # she left the server; her ✅ stays
    lines = public_lines(h, thread_id)
    with caplog.at_level(logging.WARNING), reactions_reaching_the_core(h) as seen:
        await h.fake.unreact(thread_id, answer, robot, CHECK)
        await h.fake.unreact(thread_id, answer, gone, CHECK)
        await h.fake.unreact(thread_id, answer, h.w.alice, "👍")
        await h.fake.unreact(thread_id, answer, h.w.alice, (CHECK, h.fake.new_id()))  # custom
        await h.fake.unreact(h.w.other, chat, h.w.alice, CHECK)
        await h.fake.unreact(side, said, h.w.alice, CHECK)
        dm = h.fake.reaction_remove(h.fake.new_id(), answer, h.w.alice, CHECK)
        del dm["guild_id"]
        await h.fake.dispatch("MESSAGE_REACTION_REMOVE", dm)
        elsewhere = h.fake.reaction_remove(thread_id, answer, h.w.alice, CHECK)
        await h.fake.dispatch(
            "MESSAGE_REACTION_REMOVE", {**elsewhere, "guild_id": str(h.fake.new_id())}
        )
        await h.fake.unreact(thread_id, answer, h.w.alice, CHECK)  # the one that counts
        await eventually(lambda: len(public_lines(h, thread_id)) == len(lines) + 1)
    removals = [cmd for cmd, _ in seen if isinstance(cmd, c.UnacceptAnswer)]
    assert [(cmd.actor.ref.id, cmd.message_id) for cmd in removals] == [
        (str(h.w.alice.id), str(answer))
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


async def test_a_server_no_community_names_reaches_no_core(
    unset: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    fake, w = unset.fake, unset.w
    thread = await fake.open_thread(w.text, w.alice, "How do I parse JSON?")
    said = int((await fake.post_message(thread.id, w.bob, "json.loads"))["id"])
    await eventually(lambda: unset.client.get_channel(thread.id))
    # Noted as the core is called, not when it is done (`caught_up` says the events arrived).
    called: list[Any] = []
    with (
        caplog.at_level(logging.WARNING),
        commands_reaching_the_core(unset, REACTIONS, fails=lambda cmd: bool(called.append(cmd))),
    ):
        await fake.react(thread.id, said, w.alice, CHECK)
        await fake.unreact(thread.id, said, w.alice, CHECK)
        await unset.caught_up()
    assert called == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_add_remove_add_marks_the_answer_again(h: Harness, kind: str) -> None:
    thread_id, answer = await accepted_by_check(h, kind)
    await h.fake.unreact(thread_id, answer, h.w.alice, CHECK)
    await eventually(lambda: not is_marked(h, kind, thread_id))
    await eventually(lambda: h.w.reward_role not in h.fake.member_roles(h.w.bob))

    await h.fake.react(thread_id, answer, h.w.alice, CHECK)
    await eventually(lambda: solved(h, thread_id))
    await eventually(lambda: is_marked(h, kind, thread_id))
    await eventually(lambda: h.w.reward_role in h.fake.member_roles(h.w.bob))
    assert await h.points(h.w.bob) == 15
    # ... and taken back once more
    await h.fake.unreact(thread_id, answer, h.w.alice, CHECK)
    await eventually(lambda: not is_marked(h, kind, thread_id))
    assert await h.points(h.w.bob) == 0


@pytest.mark.parametrize("cached", [False, True])
async def test_the_member_comes_from_the_cache_or_one_fetch(h: Harness, cached: bool) -> None:
    """The removal carries no member and, without the members intent, discord.py caches
    almost none: a moderator who marked an answer with ✅ is fetched (one GET) unless cached,
    and her moderator role counts for taking it back."""

    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    await h.fake.react(thread_id, answer, h.w.mod, CHECK)
    await eventually(lambda: is_marked(h, "text", thread_id))
    guild = h.client.get_guild(h.fake.guild_id)
    assert guild is not None and guild.get_member(h.w.mod.id) is None
    if cached:
        guild._add_member(await guild.fetch_member(h.w.mod.id))  # noqa: SLF001 - discord.py's cache
    path = f"/guilds/{h.fake.guild_id}/members/{h.w.mod.id}"
    before = len(h.fake.calls_to("GET", path))

    await h.fake.unreact(thread_id, answer, h.w.mod, CHECK)
    await eventually(lambda: not is_marked(h, "text", thread_id))
    assert await h.points(h.w.bob) == 0
    assert len(h.fake.calls_to("GET", path)) == before + (0 if cached else 1)


async def test_a_failure_is_logged_and_the_listener_carries_on(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    thread_id, answer = await accepted_by_check(h, "text")
    lines = public_lines(h, thread_id)
    with caplog.at_level(logging.ERROR), reactions_reaching_the_core(h, fail=True) as seen:
        await h.fake.unreact(thread_id, answer, h.w.alice, CHECK)
        await eventually(lambda: seen)
        # logged by the listener itself (not left to discord.py's on_error)
        await eventually(
            lambda: any(
                r.name == "adapters.discord.replies"
                and r.getMessage() == "✅ reaction (UnacceptAnswer) failed"
                for r in caplog.records
            )
        )
        assert public_lines(h, thread_id) == lines and await solved(h, thread_id)
        # the ✅ is still off on Discord; she adds and removes it again: it works now
        await h.fake.react(thread_id, answer, h.w.alice, CHECK)
        await h.fake.unreact(thread_id, answer, h.w.alice, CHECK)
        await eventually(lambda: not is_marked(h, "text", thread_id))
    assert await h.points(h.w.bob) == 0


async def test_a_check_removed_keeps_a_mark_made_another_way(h: Harness) -> None:
    """The asker marks the answer with /solved, adds a ✅ (which marks nothing more) and
    removes it again: the ✅ made no mark, so it takes none back (/unsolve does)."""

    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    await h.done(await h.command("solved", h.w.alice, thread_id))
    assert await solved(h, thread_id) and await h.points(h.w.bob) == 15
    with reactions_reaching_the_core(h) as seen:
        await h.fake.react(thread_id, answer, h.w.alice, CHECK)
        await h.fake.unreact(thread_id, answer, h.w.alice, CHECK)
        await eventually(lambda: len(seen) == 2)
    assert [type(cmd) for cmd, _ in seen] == [c.AcceptAnswer, c.UnacceptAnswer]
    assert await solved(h, thread_id) and is_marked(h, "text", thread_id)
    assert await h.points(h.w.bob) == 15


async def test_a_bots_check_added_or_removed_reaches_no_core(h: Harness) -> None:
    """A bot's ✅ is dropped by the listener, before the core (which would refuse it too)."""

    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    robot = h.fake.add_user("robot", bot=True)
    with reactions_reaching_the_core(h) as seen:
        await h.fake.react(thread_id, answer, robot, CHECK)
        await h.fake.unreact(thread_id, answer, robot, CHECK)
        await h.fake.react(thread_id, answer, h.w.alice, CHECK)  # sent last, handled last
        await eventually(lambda: seen)
    assert [(type(cmd), cmd.actor.ref.id) for cmd, _ in seen] == [
        (c.AcceptAnswer, str(h.w.alice.id))
    ]
