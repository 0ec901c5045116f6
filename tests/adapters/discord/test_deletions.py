"""Messages and threads deleted on Discord reach the core: a deleted question (the asker's
help-channel message, a forum post's starter message, or its whole thread) is deleted in the
core, and a thread still there is told so and archived and locked; a deleted answer is no
answer any more, and an accepted one takes its points and reward role with it. A purge hands
each message over on its own. A DM, a server no community names and a channel that cannot
hold a question reach no core; a deletion that comes twice changes nothing the second time."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager
from typing import Any

import pytest

from bot import commands as c
from bot import events as ev
from bot.model import Question, QuestionStatus, ThreadRef
from tests.adapters.discord.conftest import (
    Harness,
    World,
    commands_reaching_the_core,
)
from tests.adapters.discord.test_reports import click, post_for, report
from tests.fakes.discord_server import FakeUser
from tests.helpers import eventually

DELETIONS = (c.DeleteMessage, c.DeleteThread, c.DeleteChannel)
NOTICE = "question was deleted, so this thread is closed"


@pytest.fixture
def community_settings() -> Any:
    """Reports land in the moderators' channel, so a moderator can delete through one."""

    def settings(world: World) -> dict[str, Any]:
        return {"moderation": {"moderators_channel": {"discord": str(world.mods)}}}

    return settings


def deletions_reaching_the_core(
    h: Harness, fail_for: set[str] | None = None
) -> AbstractContextManager[list[tuple[Any, Any]]]:
    """The DeleteMessage / DeleteThread commands the adapter hands the (real) core while
    inside, each with its result once the core is done with it. A DeleteMessage of a message
    id in `fail_for` fails as a broken database would, once."""

    failing = set(fail_for or ())

    def fails(command: Any) -> bool:
        if isinstance(command, c.DeleteMessage) and command.message_id in failing:
            failing.discard(command.message_id)
            return True
        return False

    return commands_reaching_the_core(h, DELETIONS, fails)


async def deleted(h: Harness, thread_id: int) -> Question:
    async def gone() -> Question | None:
        question = await h.question(thread_id)
        return question if question is not None and question.is_deleted else None

    return await eventually(gone)


def notices(h: Harness, thread_id: int) -> list[str]:
    return [m["content"] for m in h.bot_messages(thread_id) if NOTICE in m["content"]]


def closing_edits(h: Harness, thread_id: int) -> list[dict[str, Any]]:
    """The bot's edits of the thread that archive and lock it."""

    return [
        call.json
        for call in h.fake.calls_to("PATCH", f"/channels/{thread_id}")
        if call.json.get("archived") is True and call.json.get("locked") is True
    ]


def gets_since(h: Harness, before: int) -> list[str]:
    return [call.path for call in h.fake.calls[before:] if call.method == "GET"]


async def solved_by(h: Harness, thread_id: int, helper: FakeUser, text: str = "Use json") -> int:
    answer = await h.answer(thread_id, helper, text)
    await h.done(await h.command("solved", h.w.alice, thread_id))
    await eventually(lambda: h.w.reward_role in h.fake.member_roles(helper))
    return answer


async def accepted(h: Harness, thread_id: int) -> list[str]:
    question = await h.question(thread_id)
    assert question is not None
    async with h.app.bot.uow_factory(write=False) as uow:
        return [a.answer.message_id for a in await uow.questions.active_acceptances(question.id)]


def forget_thread(h: Harness, thread_id: int) -> None:
    """discord.py loses the thread and every message (archived, or since a restart)."""

    guild = h.client.get_guild(h.fake.guild_id)
    assert guild is not None
    thread = guild.get_thread(thread_id)
    assert thread is not None
    guild._remove_thread(thread)  # noqa: SLF001 - discord.py's thread cache
    messages = h.client._connection._messages  # noqa: SLF001 - discord.py's message cache
    assert messages is not None
    messages.clear()


# -- questions ----------------------------------------------------------------------------------


async def test_the_asker_deleting_their_question_deletes_it_and_closes_its_thread(
    h: Harness,
) -> None:
    thread_id = await h.ask_text(h.w.alice, "How do I parse JSON?")
    await h.answer(thread_id, h.w.bob)
    before = len(h.fake.calls)
    await h.fake.delete_message(h.w.text, thread_id)
    question = await deleted(h, thread_id)
    assert question.body == "How do I parse JSON?"  # kept for the audit
    # The core's notice in the thread, then the thread archived and locked.
    assert await eventually(lambda: notices(h, thread_id)) == [
        f"#{question.id}'s {NOTICE} and the bot no longer tracks it. "
        "To ask again, post in the help channel."
    ]
    await eventually(lambda: closing_edits(h, thread_id))
    # Its name was the deleted message's first line: it goes too.
    await eventually(
        lambda: h.fake.channels[thread_id]["name"] == f"Deleted question #{question.id}"
    )
    await h.settled()
    thread = h.fake.channels[thread_id]["thread_metadata"]
    assert thread["archived"] is True and thread["locked"] is True
    # No lookup for the deletion itself: MESSAGE_DELETE names the channel, the core the rest.
    assert not [p for p in gets_since(h, before) if p != f"/channels/{thread_id}"]


async def test_deleting_a_forum_posts_starter_message_deletes_its_question(h: Harness) -> None:
    thread_id = await h.ask_forum(h.w.alice, "Parsing JSON fails", "Traceback...")
    await h.fake.delete_message(thread_id, thread_id)
    await deleted(h, thread_id)
    await eventually(lambda: notices(h, thread_id))
    await eventually(lambda: closing_edits(h, thread_id))


async def test_a_question_deleted_in_a_thread_discord_py_forgot_still_counts(
    h: Harness,
) -> None:
    thread_id = await h.ask_forum(h.w.alice, "Parsing JSON fails", "Traceback...")
    forget_thread(h, thread_id)
    await h.fake.delete_message(thread_id, thread_id)
    await deleted(h, thread_id)
    await eventually(lambda: closing_edits(h, thread_id))


async def test_a_thread_deleted_whole_deletes_its_question_without_a_post(
    h: Harness, kind: str
) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    await h.answer(thread_id, h.w.bob)
    # Asking and answering welcome both members by DM after the core recorded them: wait
    # for those, or they may land among the calls this test wants none of.
    await eventually(lambda: h.fake.dm_texts(h.w.alice) and h.fake.dm_texts(h.w.bob))
    with deletions_reaching_the_core(h) as seen:
        before = len(h.fake.calls)
        await h.fake.delete_thread(thread_id)
        await deleted(h, thread_id)
        await eventually(lambda: seen)
    assert [type(command) for command, _ in seen] == [c.DeleteThread]
    # Nothing is left to tell or close: no post, no edit, no lookup.
    assert not [(call.method, call.path) for call in h.fake.calls[before:]]


async def test_an_ask_question_deleted_by_a_moderator_is_deleted(h: Harness) -> None:
    """The bot's own post of an /ask question, deleted (by a moderator; Discord does not
    say): its question goes too."""

    handle = await h.command("ask", h.w.alice, h.w.other, options={"question": "Why YAML?"})
    await h.done(handle)
    thread_id = next(t for t in h.fake.channels if h.fake.channels[t].get("name") == "Why YAML?")
    question = await h.question(thread_id)
    assert question is not None and question.thread_id == str(thread_id)
    await h.fake.delete_message(h.w.text, int(question.message_id))
    await deleted(h, thread_id)
    await eventually(lambda: closing_edits(h, thread_id))


# -- answers ------------------------------------------------------------------------------------


async def test_a_deleted_accepted_answer_takes_its_points_and_reward_role(h: Harness) -> None:
    """In a thread discord.py no longer has cached: the raw event still counts, unlooked-up."""

    thread_id = await h.ask_text(h.w.alice)
    answer = await solved_by(h, thread_id, h.w.bob)
    earned = await h.points(h.w.bob)
    assert earned >= 10 and await accepted(h, thread_id) == [str(answer)]
    assert f"{earned} points" in await h.done(await h.command("rep", h.w.bob, h.w.other))
    forget_thread(h, thread_id)
    before = len(h.fake.calls)
    await h.fake.delete_message(thread_id, answer)

    async def taken_back() -> bool:
        return await h.points(h.w.bob) == 0

    await eventually(taken_back)
    await eventually(lambda: h.w.reward_role not in h.fake.member_roles(h.w.bob))
    assert await accepted(h, thread_id) == []
    assert str(answer) not in await h.answers((await h.question(thread_id)).id)  # type: ignore[union-attr]
    question = await h.question(thread_id)
    assert question is not None and not question.is_deleted
    assert question.status is QuestionStatus.OPEN  # nothing solves it any more
    assert not notices(h, thread_id)
    reopened = f"The answer that solved #{question.id} was deleted, so the question is open again."
    await eventually(lambda: reopened in [m["content"] for m in h.bot_messages(thread_id)])
    await eventually(lambda: not h.fake.channels[thread_id]["name"].startswith("✅"))
    # The helper, looked up for the reward role their total dropped below (not the asker,
    # whose bonus went back without crossing a threshold), and the thread, to tell it and
    # take its ✅ off; nothing else.
    members = f"/guilds/{h.fake.guild_id}/members/"
    assert sorted(set(gets_since(h, before))) == sorted(
        [f"{members}{h.w.bob.id}", f"/channels/{thread_id}"]
    )
    shown = await h.done(await h.command("rep", h.w.bob, h.w.other))
    assert f"{earned} points" not in shown and " 0 points" in shown


async def test_a_purge_of_an_answer_and_other_messages_hands_each_to_the_core(
    h: Harness,
) -> None:
    thread_id = await h.ask_text(h.w.alice)
    answer = await solved_by(h, thread_id, h.w.bob)
    kept = await h.answer(thread_id, h.w.carol, "Or json.load for files")
    welcome = h.welcome(thread_id)
    assert welcome is not None
    chatter = await h.fake.post_message(thread_id, h.w.alice, "ok")
    with deletions_reaching_the_core(h) as seen:
        await h.fake.delete_messages(thread_id, [answer, int(welcome["id"]), int(chatter["id"])])
        await eventually(lambda: len(seen) == 3)
    assert sorted(command.message_id for command, _ in seen) == sorted(
        [str(answer), welcome["id"], chatter["id"]]
    )
    withdrawn = [result.withdrawn for _, result in seen if result.withdrawn is not None]
    assert len(withdrawn) == 1 and withdrawn[0].accepted == ()
    assert await h.points(h.w.bob) == 0
    question = await h.question(thread_id)
    assert question is not None and not question.is_deleted
    assert await h.answers(question.id) == [str(kept)]


async def test_one_message_of_a_purge_failing_spares_the_others(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    one = await h.ask_text(h.w.alice, "Question one")
    two = await h.ask_text(h.w.bob, "Question two")
    with (
        caplog.at_level(logging.ERROR, logger="adapters.discord"),
        deletions_reaching_the_core(h, fail_for={str(one)}) as seen,
    ):
        await h.fake.delete_messages(h.w.text, [one, two])
        await deleted(h, two)
        await eventually(lambda: len(seen) == 2)
    assert f"deleted message {one} failed" in caplog.text
    question = await h.question(one)
    assert question is not None and not question.is_deleted
    # The listener is still there: the next deletion lands.
    three = await h.ask_text(h.w.carol, "Question three")
    await h.fake.delete_message(h.w.text, three)
    await deleted(h, three)


async def test_a_thread_deletion_failing_is_logged_and_the_next_one_lands(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    one = await h.ask_forum(h.w.alice, "Question one")
    two = await h.ask_forum(h.w.bob, "Question two")
    with (
        caplog.at_level(logging.ERROR, logger="adapters.discord"),
        commands_reaching_the_core(h, (c.DeleteThread,), lambda cmd: cmd.thread.id == str(one)),
    ):
        await h.fake.delete_thread(one)
        await eventually(lambda: "deleted thread failed" in caplog.text)
        await h.fake.delete_thread(two)
        await deleted(h, two)
    question = await h.question(one)
    assert question is not None and not question.is_deleted
    # Only the adapter logged it: discord.py's "Ignoring exception" never came.
    assert all(r.name.startswith("adapters.discord") for r in caplog.records)


# -- what changes nothing -----------------------------------------------------------------------


async def test_a_deletion_that_comes_twice_changes_nothing_the_second_time(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    answer = await solved_by(h, thread_id, h.w.bob)
    with deletions_reaching_the_core(h) as seen:
        deleted_answer = await h.fake.delete_message(thread_id, answer)
        await h.fake.dispatch("MESSAGE_DELETE", deleted_answer)
        deleted_question = await h.fake.delete_message(h.w.text, thread_id)
        await deleted(h, thread_id)
        await eventually(lambda: notices(h, thread_id))
        await eventually(lambda: closing_edits(h, thread_id))
        await h.fake.dispatch("MESSAGE_DELETE", deleted_question)
        await eventually(lambda: len(seen) == 4)
    first_answer, again_answer, first_question, again_question = (r for _, r in seen)
    assert first_answer.withdrawn is not None and again_answer == ev.DeletedOnPlatform()
    assert first_question.question is not None and again_question == ev.DeletedOnPlatform()
    assert await h.points(h.w.bob) == 0
    assert len(notices(h, thread_id)) == 1
    assert len(closing_edits(h, thread_id)) == 1


async def test_the_bots_own_deletion_through_a_report_changes_nothing_more(h: Harness) -> None:
    """A moderator deletes an accepted answer with a report's button: the core takes it back
    first, then the bot deletes it on Discord, whose MESSAGE_DELETE comes back."""

    thread_id = await h.ask_text(h.w.alice)
    answer = await solved_by(h, thread_id, h.w.bob)
    await report(h, h.w.carol, answer, "spam")
    with deletions_reaching_the_core(h) as seen:
        await click(h, await post_for(h, 1), "delete", h.w.mod)
        await eventually(lambda: seen)
    assert seen == [(c.DeleteMessage("discord", "main", str(answer)), ev.DeletedOnPlatform())]
    assert await h.points(h.w.bob) == 0
    assert await accepted(h, thread_id) == []


async def test_deletions_outside_the_help_channels_reach_no_core(h: Harness) -> None:
    chat = await h.fake.post_message(h.w.other, h.w.alice, "How do I parse JSON?")
    side = (await h.fake.open_thread(h.w.other, h.w.alice, "JSON chat")).id
    said = await h.fake.post_message(side, h.w.bob, "Use json.loads")
    purged = [int((await h.fake.post_message(h.w.other, h.w.bob, t))["id"]) for t in "ab"]
    first = await h.ask_text(h.w.carol, "How do I parse TOML?")
    last = await h.ask_forum(h.w.carol, "How do I parse INI?")
    with deletions_reaching_the_core(h) as seen:
        await h.fake.delete_message(h.w.other, int(chat["id"]))
        await h.fake.delete_message(side, int(said["id"]))  # a thread of another channel
        await h.fake.delete_messages(h.w.other, purged)
        await h.fake.delete_message(h.w.text, first)  # sent last, handled last
        await deleted(h, first)
        # Only now: a listener runs after discord.py already dropped a thread deleted since.
        await h.fake.delete_thread(side)
        await h.fake.delete_thread(last)
        await deleted(h, last)
        await eventually(lambda: len(seen) == 2)
    assert [command for command, _ in seen] == [
        c.DeleteMessage("discord", "main", str(first)),
        c.DeleteThread("main", ThreadRef("discord", str(last))),
    ]


async def test_deletions_in_a_dm_or_another_server_reach_no_core(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """A DM's MESSAGE_DELETE has no guild_id; another server's names one no community does.
    Both name a real question's message id here: the core must not be asked at all."""

    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    last = await h.ask_text(h.w.carol, "How do I parse TOML?")
    dm = h.fake.new_id()
    elsewhere = str(h.fake.new_id())
    with (
        caplog.at_level(logging.WARNING),
        deletions_reaching_the_core(h) as seen,
    ):
        await h.fake.dispatch("MESSAGE_DELETE", {"id": str(thread_id), "channel_id": str(dm)})
        await h.fake.dispatch("MESSAGE_DELETE_BULK", {"ids": [str(answer)], "channel_id": str(dm)})
        for event, data in (
            ("MESSAGE_DELETE", {"id": str(thread_id), "channel_id": str(h.w.text)}),
            ("MESSAGE_DELETE_BULK", {"ids": [str(answer)], "channel_id": str(thread_id)}),
        ):
            await h.fake.dispatch(event, {**data, "guild_id": elsewhere})
        await h.fake.delete_message(h.w.text, last)
        await deleted(h, last)
        await eventually(lambda: seen)
    assert [command.message_id for command, _ in seen] == [str(last)]
    question = await h.question(thread_id)
    assert question is not None and not question.is_deleted
    assert await h.answers(question.id) == [str(answer)]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


async def test_deletions_in_a_server_no_community_names_reach_no_core(
    unset: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    fake, w = unset.fake, unset.w
    message = await fake.post_message(w.text, w.alice, "How do I parse JSON?")
    post = await fake.open_thread(w.forum, w.alice, "Parsing JSON", content="Traceback")
    reply = await fake.post_message(post.id, w.bob, "Use json.loads")
    # Noted as the core is called, not when it is done: `caught_up` says the events arrived,
    # and a listener that passed its guards has called the core by then, not finished.
    called: list[Any] = []
    with (
        caplog.at_level(logging.WARNING),
        commands_reaching_the_core(unset, DELETIONS, fails=lambda cmd: bool(called.append(cmd))),
    ):
        await fake.delete_message(w.text, int(message["id"]))
        await fake.delete_messages(post.id, [int(reply["id"])])
        await fake.delete_thread(post.id)
        await eventually(lambda: unset.client.get_channel(post.id) is None)
        await unset.caught_up()
    assert called == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    # Not for want of listening: the deletion listeners are there, and ignored them.
    listening = {name for name, found in unset.client.extra_events.items() if found}
    assert set(LISTENERS) <= listening


LISTENERS = ("on_raw_message_delete", "on_raw_bulk_message_delete", "on_raw_thread_delete")


# -- a help channel deleted whole ---------------------------------------------------------------


def help_channel(h: Harness, kind: str) -> tuple[int, str]:
    return (h.w.text, "help") if kind == "text" else (h.w.forum, "forum-help")


async def test_a_help_channel_deleted_whole_deletes_its_questions(
    h: Harness, kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Its threads go with it. Discord sends no THREAD_DELETE for them; discord.py makes one
    up for each thread it has cached, not for one it has lost (archived: a solved question's
    thread after a day; or since a restart). Each question in it is deleted once, with
    nothing to post or edit; the other help channel's stay, and points earned stay. The log
    says the configuration still names a channel that is gone."""

    channel, name = help_channel(h, kind)
    first = await h.ask(kind, h.w.alice, "How do I parse JSON?")
    second = await h.ask(kind, h.w.carol, "How do I parse TOML?")
    other_kind = "forum" if kind == "text" else "text"
    elsewhere = await h.ask(other_kind, h.w.alice, "How do I parse INI?")
    answer = await solved_by(h, first, h.w.bob)
    points = await h.points(h.w.bob)
    await eventually(lambda: h.fake.dm_texts(h.w.alice) and h.fake.dm_texts(h.w.carol))
    forget_thread(h, first)
    with caplog.at_level(logging.WARNING), deletions_reaching_the_core(h) as seen:
        before = len(h.fake.calls)
        await h.fake.delete_channel(channel)
        await deleted(h, first)
        await deleted(h, second)
        await eventually(lambda: "was deleted on Discord" in caplog.text)
    assert {type(command) for command, _ in seen} <= {c.DeleteChannel, c.DeleteThread}
    for thread_id in (first, second):
        question = await h.question(thread_id)
        assert question is not None
        async with h.app.bot.uow_factory(write=False) as uow:
            rows = await uow.moderation.audit_entries(
                "main", member_id=None, question_id=question.id, limit=50
            )
        assert [r.action for r in rows].count("platform_question_delete") == 1
    question = await h.question(elsewhere)
    assert question is not None and not question.is_deleted
    assert await h.points(h.w.bob) == points
    assert h.w.reward_role in h.fake.member_roles(h.w.bob)
    assert await accepted(h, first) == [str(answer)]  # (kept, hidden, for the audit)
    assert not [(call.method, call.path) for call in h.fake.calls[before:]]
    (line,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert line == (
        f"help channel #{name} ({channel}) was deleted on Discord: its questions are deleted "
        "too; remove it from [discord] help_channel_ids"
    )


async def test_another_channel_deleted_reaches_no_core(h: Harness) -> None:
    await h.fake.post_message(h.w.other, h.w.alice, "How do I parse JSON?")
    last = await h.ask_text(h.w.carol, "How do I parse TOML?")
    forget_thread(h, last)
    with deletions_reaching_the_core(h) as seen:
        await h.fake.delete_channel(h.w.other)
        await h.fake.delete_channel(h.w.text)  # sent last, handled last
        await deleted(h, last)
    assert {command.channel_id for command, _ in seen} == {str(h.w.text)}


async def test_a_help_channel_s_deletion_failing_part_way_is_logged(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    first = await h.ask_text(h.w.alice, "How do I parse JSON?")
    second = await h.ask_text(h.w.carol, "How do I parse TOML?")
    for thread_id in (first, second):
        forget_thread(h, thread_id)
    calls: list[Any] = []

    def second_fails(command: Any) -> bool:
        calls.append(command)
        return len(calls) == 2

    with (
        caplog.at_level(logging.WARNING),
        commands_reaching_the_core(h, (c.DeleteChannel,), second_fails),
    ):
        await h.fake.delete_channel(h.w.text)
        await eventually(lambda: "stopped part-way" in caplog.text)
    assert (await deleted(h, first)).id
    question = await h.question(second)
    assert question is not None and not question.is_deleted
    (record,) = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert record.getMessage() == (
        f"deleting the questions of help channel #help ({h.w.text}), deleted on Discord, "
        "stopped part-way; some are still listed"
    )


async def test_a_help_channel_deleted_in_a_server_no_community_names_reaches_no_core(
    unset: Harness,
) -> None:
    fake, w = unset.fake, unset.w
    await fake.post_message(w.text, w.alice, "How do I parse JSON?")
    called: list[Any] = []
    with commands_reaching_the_core(
        unset, (c.DeleteChannel,), fails=lambda cmd: bool(called.append(cmd))
    ):
        await fake.delete_channel(w.text)
        await eventually(lambda: unset.client.get_channel(w.text) is None)
        await unset.caught_up()
    assert called == []
