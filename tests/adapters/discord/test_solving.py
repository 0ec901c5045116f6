"""Marking solved three ways (context menu, /solved, ✅), undoing it, closing, and the quiet
Discord side: one public line without pings, the Solved tag or ✅ prefix, archiving, roles."""

from __future__ import annotations

from bot.model import QuestionStatus
from tests.adapters.discord.conftest import Harness
from tests.helpers import eventually

SOLVED_TAG = "Solved"


def public_lines(h: Harness, thread_id: int) -> list[str]:
    return [m["content"] for m in h.bot_messages(thread_id)[1:]]


def is_marked(h: Harness, kind: str, thread_id: int) -> bool:
    thread = h.fake.channels[thread_id]
    if kind == "text":
        return thread["name"].startswith("✅ ")
    tags = {t["id"]: t["name"] for t in h.fake.channels[h.w.forum]["available_tags"]}
    return any(tags.get(t) == SOLVED_TAG for t in thread.get("applied_tags", []))


async def solved(h: Harness, thread_id: int) -> bool:
    question = await h.question(thread_id)
    return question is not None and question.status is QuestionStatus.SOLVED


async def assert_reopened(h: Harness, kind: str, thread_id: int) -> None:
    """Alice's question open again: Bob's 15 points and reward role gone, the mark (Solved
    tag or ✅ prefix) taken off."""

    question = await h.question(thread_id)
    assert question is not None and question.status is QuestionStatus.OPEN
    assert await h.points(h.w.bob) == 0
    await eventually(lambda: h.w.reward_role not in h.fake.member_roles(h.w.bob))
    await eventually(lambda: not is_marked(h, kind, thread_id))
    if kind == "text":
        assert h.fake.channels[thread_id]["name"] == "How do I parse JSON?"


async def test_mark_as_solution_menu(h: Harness, kind: str) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    handle = await h.fake.interact(
        h.fake.message_command("Mark as solution", user=h.w.alice, message_id=answer)
    )
    callback = await handle.wait_response()
    assert callback["type"] == 5 and callback["data"]["flags"] & 64  # deferred, ephemeral
    text = await h.done(handle)
    assert "Marked" in text and "+15" in text
    assert await solved(h, thread_id)
    await eventually(lambda: is_marked(h, kind, thread_id))
    lines = public_lines(h, thread_id)
    assert len(lines) == 1 and "solved" in lines[0] and f"<@{h.w.bob.id}>" in lines[0]
    public = h.fake.last_call("POST", f"/channels/{thread_id}/messages")
    assert public.json["allowed_mentions"]["parse"] == []
    assert await h.points(h.w.bob) == 15
    await eventually(lambda: h.w.reward_role in h.fake.member_roles(h.w.bob))


async def test_solved_command_with_one_helper(h: Harness, kind: str) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    await h.answer(thread_id, h.w.bob)
    handle = await h.command("solved", h.w.alice, thread_id)
    assert "Marked" in await h.done(handle)
    assert await solved(h, thread_id)
    await eventually(lambda: is_marked(h, kind, thread_id))


async def test_solved_with_several_helpers_shows_a_picker(h: Harness, kind: str) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    await h.answer(thread_id, h.w.bob)
    await h.answer(thread_id, h.w.carol, "or use orjson")
    handle = await h.command("solved", h.w.alice, thread_id)
    await h.done(handle)
    original = handle.record.original
    assert original is not None and original["flags"] & 64
    select = original["components"][0]["components"][0]
    assert select["type"] == 3 and select["custom_id"] == f"cb:pick:{thread_id}"
    assert {o["value"] for o in select["options"]} == {str(h.w.bob.id), str(h.w.carol.id)}
    assert not await solved(h, thread_id)

    pick = await h.fake.interact(
        h.component(handle, select["custom_id"], h.w.alice, values=[str(h.w.carol.id)])
    )
    assert "Marked" in await h.done(pick)
    assert await solved(h, thread_id)
    assert await h.points(h.w.carol) == 15 and await h.points(h.w.bob) == 0


async def test_solved_member_option(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    # Someone the bot has never seen is named back by mention, not by a bare id.
    unseen = await h.command("solved", h.w.alice, thread_id, options={"member": h.w.mod})
    assert f"<@{h.w.mod.id}> hasn't taken part here yet" in await h.done(unseen)
    await h.answer(thread_id, h.w.carol)
    handle = await h.command("solved", h.w.alice, thread_id, options={"member": h.w.bob})
    assert "Marked" in await h.done(handle)
    assert await h.points(h.w.bob) == 15


async def test_solved_without_helpers(h: Harness, kind: str) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    handle = await h.command("solved", h.w.alice, thread_id)
    assert "no points" in await h.done(handle)
    assert await solved(h, thread_id)


async def test_check_reaction_by_the_asker(h: Harness, kind: str) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    await h.fake.react(thread_id, answer, h.w.alice, "✅")
    await eventually(lambda: solved(h, thread_id))
    await eventually(lambda: public_lines(h, thread_id))
    assert await h.points(h.w.bob) == 15


async def test_check_reaction_on_an_answer_sent_while_the_bot_was_away(
    h: Harness, kind: str
) -> None:
    """The ✅ records the missed answer first, as "Mark as solution" does."""

    thread_id = await h.ask(kind, h.w.alice)
    missed = h.fake.add_message(thread_id, h.w.bob, "Use json.loads (sent while I was down)")
    await h.fake.react(thread_id, int(missed["id"]), h.w.alice, "✅")
    await eventually(lambda: solved(h, thread_id))
    question = await h.question(thread_id)
    assert question is not None and missed["id"] in await h.answers(question.id)
    assert await h.points(h.w.bob) == 15


async def test_unsolve_reverses_points_roles_and_marks(h: Harness, kind: str) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    await h.fake.react(thread_id, answer, h.w.alice, "✅")
    await eventually(lambda: h.w.reward_role in h.fake.member_roles(h.w.bob))
    await eventually(lambda: is_marked(h, kind, thread_id))

    handle = await h.command("unsolve", h.w.alice, thread_id)
    assert "open again" in await h.done(handle)
    await assert_reopened(h, kind, thread_id)


async def test_close_archives_the_thread(h: Harness, kind: str) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    handle = await h.command("close", h.w.alice, thread_id, options={"reason": "found it"})
    assert "closed" in await h.done(handle)
    question = await h.question(thread_id)
    assert question is not None and question.is_closed
    await eventually(lambda: h.fake.channels[thread_id]["thread_metadata"]["archived"])


async def test_solved_threads_are_archived_by_the_scheduler(h: Harness, kind: str) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    await h.answer(thread_id, h.w.bob)
    await h.done(await h.command("solved", h.w.alice, thread_id))
    await eventually(lambda: is_marked(h, kind, thread_id))
    assert not h.fake.channels[thread_id]["thread_metadata"]["archived"]
    await h.tick(hours=23)
    assert not h.fake.channels[thread_id]["thread_metadata"]["archived"]
    await h.tick(hours=1.5)  # close_solved_after_hours = 24 by default
    assert h.fake.channels[thread_id]["thread_metadata"]["archived"]
    assert is_marked(h, kind, thread_id)  # still tagged / prefixed after archiving
    assert "is solved and now closed" in public_lines(h, thread_id)[-1]


async def test_forum_solved_tag_is_reused_when_present(h: Harness) -> None:
    forum = h.fake.channels[h.w.forum]
    forum["available_tags"].append(h.fake._tag_payload("solved"))  # noqa: SLF001
    await h.fake.dispatch("CHANNEL_UPDATE", forum)
    await eventually(lambda: len(h.client.get_channel(h.w.forum).available_tags) == 2)  # type: ignore[union-attr]
    before = len(forum["available_tags"])
    thread_id = await h.ask_forum(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    await h.done(await h.command("solved", h.w.alice, thread_id))
    tag_id = h.fake.forum_tag_id(h.w.forum, "solved")
    await eventually(lambda: str(tag_id) in h.fake.channels[thread_id]["applied_tags"])
    assert len(h.fake.channels[h.w.forum]["available_tags"]) == before


async def test_a_question_starting_with_a_check_mark_does_not_look_solved(h: Harness) -> None:
    """The thread's ✅ prefix says "solved": a question that starts with ✅ itself gets a
    name without it, so it looks open while open and /unsolve gives back the same name."""

    thread_id = await h.ask_text(h.w.alice, "✅ emoji renders as a box in my terminal")
    name = h.fake.channels[thread_id]["name"]
    assert name == "emoji renders as a box in my terminal"
    await h.answer(thread_id, h.w.bob)
    await h.done(await h.command("solved", h.w.alice, thread_id))
    await eventually(lambda: h.fake.channels[thread_id]["name"] == f"✅ {name}")
    await h.done(await h.command("unsolve", h.w.alice, thread_id))
    await eventually(lambda: h.fake.channels[thread_id]["name"] == name)
    question = await h.question(thread_id)
    assert question is not None and question.title.startswith("✅ emoji")  # their words


async def test_a_forum_post_with_five_tags_keeps_them_all_and_gets_the_prefix(
    h: Harness,
) -> None:
    """Discord allows 5 tags on a post: with all 5 the member's, none is dropped for Solved
    (it could not come back on /unsolve); the ✅ name prefix marks it instead."""

    names = ["python", "js", "rust", "go", "windows"]
    forum = h.fake.channels[h.w.forum]
    forum["available_tags"] = [h.fake._tag_payload(n) for n in [*names, SOLVED_TAG]]  # noqa: SLF001
    await h.fake.dispatch("CHANNEL_UPDATE", forum)
    await eventually(lambda: len(h.client.get_channel(h.w.forum).available_tags) == 6)  # type: ignore[union-attr]
    mine = [str(h.fake.forum_tag_id(h.w.forum, n)) for n in names]
    creation = await h.fake.open_thread(
        h.w.forum, h.w.alice, "Build fails", content="on windows", applied_tags=mine
    )
    thread_id = creation.id
    await eventually(lambda: h.welcome(thread_id))
    await h.answer(thread_id, h.w.bob)
    await h.done(await h.command("solved", h.w.alice, thread_id))
    await eventually(lambda: h.fake.channels[thread_id]["name"] == "✅ Build fails")
    assert h.fake.channels[thread_id]["applied_tags"] == mine
    await h.done(await h.command("unsolve", h.w.alice, thread_id))
    await eventually(lambda: h.fake.channels[thread_id]["name"] == "Build fails")
    assert h.fake.channels[thread_id]["applied_tags"] == mine
    question = await h.question(thread_id)
    assert question is not None and question.title == "Build fails"


async def test_marking_an_archived_thread_keeps_it_archived_and_quiet(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    await h.fake.dispatch(
        "THREAD_UPDATE",
        {
            **h.fake.channels[thread_id],
            "thread_metadata": {**h.fake.channels[thread_id]["thread_metadata"], "archived": True},
        },
    )
    h.fake.channels[thread_id]["thread_metadata"]["archived"] = True
    guild = h.client.get_guild(h.fake.guild_id)
    assert guild is not None
    await eventually(lambda: guild.get_thread(thread_id) is None)  # archived: out of the cache
    handle = await h.fake.interact(
        h.fake.message_command("Mark as solution", user=h.w.alice, message_id=answer)
    )
    assert "Marked" in await h.done(handle)
    await eventually(lambda: h.fake.channels[thread_id]["name"].startswith("✅ "))
    # Discord edits an archived thread only in a request that unarchives it, so the rename
    # is followed by a second request that archives it again: wait for that one.
    await eventually(lambda: h.fake.channels[thread_id]["thread_metadata"]["archived"] is True)
    assert public_lines(h, thread_id) == []  # no public line in an old thread


async def test_this_solved_it_button_marks_solved_by_suggestion(h: Harness) -> None:
    first = await h.ask_text(h.w.alice, "How do I parse JSON in Python?")
    await h.answer(first, h.w.bob)
    await h.done(await h.command("solved", h.w.alice, first))
    second = await h.ask_text(h.w.carol, "How do I parse JSON in Python fast?")
    welcome = h.welcome(second)
    assert welcome is not None
    question = await h.question(second)
    assert question is not None
    click = await h.fake.interact(
        h.fake.component(int(welcome["id"]), f"cb:sugg-yes:{question.id}", user=h.w.carol)
    )
    assert "solved by a suggested answer" in await h.done(click)
    solved = await h.question(second)
    assert solved is not None and solved.status is QuestionStatus.SOLVED
    await eventually(lambda: h.fake.channels[second]["name"].startswith("✅ "))
    await eventually(lambda: not (h.fake.find_message(int(welcome["id"])) or {}).get("components"))


async def test_not_what_i_need_button(h: Harness) -> None:
    first = await h.ask_text(h.w.alice, "How do I parse JSON in Python?")
    await h.answer(first, h.w.bob)
    await h.done(await h.command("solved", h.w.alice, first))
    second = await h.ask_text(h.w.carol, "How do I parse JSON in Python fast?")
    welcome = h.welcome(second)
    question = await h.question(second)
    assert welcome is not None and question is not None
    # Someone else's click answers privately but leaves the buttons for the asker.
    other = await h.fake.interact(
        h.fake.component(int(welcome["id"]), f"cb:sugg-no:{question.id}", user=h.w.bob)
    )
    assert "a helper will be along" in await h.done(other)
    assert h.fake.find_message(int(welcome["id"]))["components"]  # type: ignore[index]
    mine = await h.fake.interact(
        h.fake.component(int(welcome["id"]), f"cb:sugg-no:{question.id}", user=h.w.carol)
    )
    await h.done(mine)
    await eventually(lambda: not h.fake.find_message(int(welcome["id"]))["components"])  # type: ignore[index]
    still = await h.question(second)
    assert still is not None and still.status is QuestionStatus.OPEN
