"""The question lifecycle on Discord, end to end: the core's scheduler (moved with the fake
clock) delivering reminders with a button, dormant closes, escalations and solved closes
through the adapter's Outbox sender; the onboarding welcome; /guidelines and /questions;
anonymous asks that leak nothing; the audited moderator reveal; the asker reopening."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from adapters.discord.sender import DiscordSender
from bot.jobs import Job, JobKind, JobState
from bot.model import CloseReason, Question, QuestionStatus, ThreadRef
from bot.outbound import ThreadState, UnsupportedOutbound
from storage.jobs_repository import SqlJobRepository
from tests.adapters.discord.conftest import (
    FakeDiscordWithDMs,
    FakeUser,
    Harness,
    custom_ids,
    eventually,
)

EPHEMERAL = 1 << 6
GUIDELINES = "Say what you tried, and paste the exact error."


@pytest.fixture
def ids(discord_fake: FakeDiscordWithDMs) -> dict[str, int]:
    """A helper role to ping and a staff channel for escalations."""

    return {
        "helpers": discord_fake.add_role("Helpers"),
        "staff": discord_fake.add_text_channel("staff"),
    }


@pytest.fixture
def community_settings(ids: dict[str, int]) -> dict[str, Any]:
    helpers, staff = ids["helpers"], ids["staff"]
    return {
        "lifecycle": {
            "anonymous_questions": True,
            "escalation": {
                "helper_role_ids": {"discord": [str(helpers)]},
                "staff_channel_ids": {"discord": str(staff)},
            },
            "onboarding": {"guidelines": GUIDELINES},
        }
    }


def last_bot_message(h: Harness, channel_id: int) -> dict[str, Any]:
    messages = h.bot_messages(channel_id)
    assert messages, f"the bot posted nothing in {channel_id}"
    return messages[-1]


def mentions_sent(h: Harness, channel_id: int) -> list[dict[str, Any]]:
    """allowed_mentions of the bot's posts in a channel (ids as text; replies ignored)."""

    return [
        {
            key: [str(i) for i in value] if isinstance(value, list) else value
            for key, value in c.json["allowed_mentions"].items()
            if key != "replied_user"
        }
        for c in h.fake.calls_to("POST", "/channels/{channel_id}/messages")
        if c.params["channel_id"] == str(channel_id) and c.json
    ]


def edits(h: Harness, thread_id: int) -> list[Any]:
    return h.fake.calls_to("PATCH", f"/channels/{thread_id}")


async def answered_question(h: Harness, kind: str) -> int:
    thread_id = await h.ask(kind, h.w.alice)
    await h.answer(thread_id, h.w.bob)
    return thread_id


# -- reminders ----------------------------------------------------------------------------


async def test_reminder_with_a_mark_solved_button(h: Harness, kind: str) -> None:
    thread_id = await answered_question(h, kind)
    question = await h.question(thread_id)
    assert question is not None
    await h.tick(hours=23)
    assert "Did one of the answers" not in last_bot_message(h, thread_id)["content"]
    await h.tick(hours=1.5)
    reminder = last_bot_message(h, thread_id)
    assert reminder["content"].startswith(f"<@{h.w.alice.id}> Did one of the answers solve")
    allowed = mentions_sent(h, thread_id)[-1]
    assert allowed == {"parse": [], "users": [str(h.w.alice.id)]}
    assert custom_ids(reminder) == [f"cb:solve:{question.id}"]
    await h.tick(hours=30)  # reminded once, not again
    assert sum("Did one of the answers" in m["content"] for m in h.bot_messages(thread_id)) == 1

    click = await h.fake.interact(
        h.fake.component(int(reminder["id"]), f"cb:solve:{question.id}", user=h.w.alice)
    )
    assert "Marked" in await h.done(click)
    solved = await h.question(thread_id)
    assert solved is not None and solved.status is QuestionStatus.SOLVED
    assert await h.points(h.w.bob) == 15


async def test_mark_solved_button_refuses_others(h: Harness) -> None:
    thread_id = await answered_question(h, "text")
    await h.tick(hours=25)
    reminder = last_bot_message(h, thread_id)
    click = await h.fake.interact(
        h.fake.component(int(reminder["id"]), custom_ids(reminder)[0], user=h.w.carol)
    )
    assert "Only the person who asked" in await h.done(click)
    question = await h.question(thread_id)
    assert question is not None and question.status is QuestionStatus.OPEN


# -- dormant close and reopen -------------------------------------------------------------


async def test_dormant_close_archives_and_the_asker_reopens(h: Harness, kind: str) -> None:
    thread_id = await answered_question(h, kind)
    await h.tick(hours=73)
    thread = h.fake.channels[thread_id]
    assert thread["thread_metadata"]["archived"] is True
    assert "closed after 72 hours without activity" in last_bot_message(h, thread_id)["content"]
    question = await h.question(thread_id)
    assert question is not None and question.is_closed

    # Discord unarchives a thread when a member writes in it, then delivers the message.
    thread["thread_metadata"]["archived"] = False
    await h.fake.dispatch("THREAD_UPDATE", thread)
    await h.fake.post_message(thread_id, h.w.alice, "Still broken, sorry")
    await eventually(lambda: "is open again" in last_bot_message(h, thread_id)["content"])
    reopened = await h.question(thread_id)
    assert reopened is not None and reopened.status is QuestionStatus.OPEN
    assert not reopened.is_closed
    assert h.fake.channels[thread_id]["thread_metadata"]["archived"] is False


async def test_the_anonymous_asker_reopens_without_being_pointed_at(h: Harness, kind: str) -> None:
    """'#1 is open again: the asker wrote a new message' right under the anonymous asker's
    message would tell everyone who asked: the question reopens and its thread opens, and
    the bot says nothing."""

    thread_id = await anonymous_ask(h, h.w.text if kind == "text" else h.w.forum)
    await h.answer(thread_id, h.w.bob)
    await h.tick(hours=73)
    assert h.fake.channels[thread_id]["thread_metadata"]["archived"] is True
    said = len(h.bot_messages(thread_id))

    await h.fake.post_message(thread_id, h.w.alice, "Still broken, sorry")

    async def reopened() -> bool:
        question = await h.question(thread_id)
        return question is not None and question.status is QuestionStatus.OPEN

    await eventually(reopened)
    await eventually(lambda: [c.json.get("archived") for c in edits(h, thread_id)][-1:] == [False])
    await h.settled()
    assert h.fake.channels[thread_id]["thread_metadata"]["archived"] is False
    assert [m["content"] for m in h.bot_messages(thread_id)[said:]] == []
    assert leaks(h, h.w.alice) == []


# -- Close Post -----------------------------------------------------------------------------


async def test_the_asker_closing_their_forum_post_closes_the_question(h: Harness) -> None:
    """Discord's Close Post (the post archived by its owner) is the asker's /close: the
    question is closed and no reminder opens the post again a day later."""

    thread_id = await answered_question(h, "forum")
    await h.fake.archive_thread(thread_id)

    async def closed() -> Question | None:
        question = await h.question(thread_id)
        return question if question is not None and question.is_closed else None

    question = await eventually(closed)
    assert question.close_reason == CloseReason.ASKER
    assert question.status is QuestionStatus.CLOSED
    await h.tick(hours=25)
    await h.settled()
    assert h.fake.channels[thread_id]["thread_metadata"]["archived"] is True
    assert not any("Did one of the answers" in m["content"] for m in h.bot_messages(thread_id))


async def test_discords_idle_archive_and_the_bots_own_close_nothing(h: Harness) -> None:
    thread_id = await answered_question(h, "forum")
    await h.fake.archive_thread(thread_id, idle=True)  # a day without a word
    await h.settled()
    question = await h.question(thread_id)
    assert question is not None and not question.is_closed
    # Marking the archived post solved, the bot opens it to tag it and archives it again.
    await h.done(await h.command("solved", h.w.alice, thread_id))
    await eventually(lambda: [c.json.get("archived") for c in edits(h, thread_id)] == [False, True])
    await h.settled()
    question = await h.question(thread_id)
    assert question is not None and question.status is QuestionStatus.SOLVED
    assert not question.is_closed


# -- escalation ---------------------------------------------------------------------------


async def test_escalation_pings_the_helper_role_and_links_staff(
    h: Harness, ids: dict[str, int]
) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.tick(minutes=59)
    assert len(h.bot_messages(thread_id)) == 1  # only the bot's first message
    await h.tick(minutes=2)
    ping = last_bot_message(h, thread_id)
    helpers = ids["helpers"]
    assert ping["content"].startswith(f"<@&{helpers}> #")
    assert "no answer for 1 hour 1 minute" in ping["content"]
    assert ping["mention_roles"] == [str(helpers)]
    assert mentions_sent(h, thread_id)[-1] == {"parse": [], "roles": [str(helpers)]}
    staff = last_bot_message(h, ids["staff"])
    assert "No answer yet for #" in staff["content"]
    assert f"https://discord.com/channels/{h.fake.guild_id}/{thread_id}" in staff["content"]
    assert mentions_sent(h, ids["staff"])[-1]["parse"] == []
    await h.tick(hours=2)  # at most once per question
    assert sum(f"<@&{helpers}>" in m["content"] for m in h.bot_messages(thread_id)) == 1
    assert len(h.bot_messages(ids["staff"])) == 1


async def test_an_answer_cancels_the_escalation(h: Harness, ids: dict[str, int]) -> None:
    thread_id = await answered_question(h, "forum")
    await h.tick(minutes=90)
    assert not any(f"<@&{ids['helpers']}>" in m["content"] for m in h.bot_messages(thread_id))
    assert h.bot_messages(ids["staff"]) == []


# -- solved close -------------------------------------------------------------------------


async def test_solved_question_closes_and_archives_a_day_later(h: Harness, kind: str) -> None:
    thread_id = await answered_question(h, kind)
    await h.done(await h.command("solved", h.w.alice, thread_id))
    await h.tick(hours=24.5)
    assert h.fake.channels[thread_id]["thread_metadata"]["archived"] is True
    question = await h.question(thread_id)
    assert question is not None and question.close_reason == "solved"


# -- onboarding ---------------------------------------------------------------------------


async def test_welcome_by_dm_once_per_channel(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await eventually(lambda: h.fake.dm_texts(h.w.alice))
    (welcome,) = h.fake.dm_texts(h.w.alice)
    # the channel's mention, shown as "#help" and a link to it (one "#", not "##help")
    assert welcome.startswith(f"Welcome to <#{h.w.text}>, <@{h.w.alice.id}>!")
    assert GUIDELINES in welcome
    await h.answer(thread_id, h.w.bob)
    await eventually(lambda: h.fake.dm_texts(h.w.bob))
    await h.ask_text(h.w.alice, "Another question")
    await h.answer(thread_id, h.w.bob, "one more thing")
    assert len(h.fake.dm_texts(h.w.alice)) == 1 and len(h.fake.dm_texts(h.w.bob)) == 1
    assert all(GUIDELINES not in m["content"] for m in h.bot_messages(thread_id))


OWN_WELCOME = "Hi {member}, welcome to #{channel}! **Read** the pins in {channel}."


@pytest.mark.parametrize(
    "community_settings",
    [{"lifecycle": {"onboarding": {"guidelines": GUIDELINES, "welcome_message": OWN_WELCOME}}}],
)
async def test_a_communitys_own_welcome_names_the_channel_by_its_mention(
    h: Harness, kind: str
) -> None:
    """A community's greeting got the channel's bare name ('#forum-help', not escaped, so a
    name like '__help__' showed styled); Discord members expect the channel's mention. The
    greeting's own markdown stays, and its '#{channel}' (as the config example writes it)
    is one '#', not '#' before the mention's own."""

    await h.ask(kind, h.w.alice)
    await eventually(lambda: h.fake.dm_texts(h.w.alice))
    (welcome,) = h.fake.dm_texts(h.w.alice)
    channel = h.w.text if kind == "text" else h.w.forum
    mention = f"<#{channel}>"
    assert welcome.startswith(
        f"Hi <@{h.w.alice.id}>, welcome to {mention}! **Read** the pins in {mention}."
    ), welcome
    assert GUIDELINES in welcome


async def test_welcome_falls_back_to_the_thread_when_dms_are_closed(h: Harness) -> None:
    h.fake.closed_dms.add(h.w.bob.id)
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    line = await eventually(
        lambda: next(
            (m for m in h.bot_messages(thread_id) if "DMs are closed" in m["content"]), None
        )
    )
    assert f"<@{h.w.bob.id}>" in line["content"] and "/guidelines" in line["content"]
    assert GUIDELINES not in line["content"]
    assert [u["id"] for u in line["mentions"]] == [str(h.w.bob.id)]
    assert h.fake.dm_texts(h.w.bob) == []


async def test_an_asker_with_dms_closed_is_welcomed_in_the_thread_not_the_channel(
    h: Harness, kind: str
) -> None:
    h.fake.closed_dms.add(h.w.alice.id)
    thread_id = await h.ask(kind, h.w.alice)
    line = await eventually(
        lambda: next(
            (m for m in h.bot_messages(thread_id) if "DMs are closed" in m["content"]), None
        )
    )
    assert f"<@{h.w.alice.id}>" in line["content"]
    assert not [m for m in h.bot_messages(h.w.text) if "DMs are closed" in m["content"]]


async def test_ask_command_welcome_is_ephemeral(h: Harness) -> None:
    handle = await h.command("ask", h.w.carol, h.w.other, options={"question": "Why is CI red?"})
    await h.done(handle)
    welcome = await eventually(lambda: handle.record.followups)
    assert welcome[-1]["flags"] & EPHEMERAL and GUIDELINES in welcome[-1]["content"]
    assert h.fake.dm_texts(h.w.carol) == []


async def test_guidelines_command(h: Harness) -> None:
    thread_id = await h.ask_forum(h.w.alice)
    handle = await h.command("guidelines", h.w.bob, thread_id)
    text = await h.done(handle)
    assert text.startswith(f"Guidelines for <#{h.w.forum}>:") and GUIDELINES in text
    assert handle.record.callback is not None
    assert handle.record.callback["data"]["flags"] & EPHEMERAL


# -- /questions ---------------------------------------------------------------------------


async def test_questions_lists_my_open_questions_with_links(h: Harness) -> None:
    first = await h.ask_text(h.w.alice, "How do I parse JSON?")
    second = await h.ask_forum(h.w.alice, "Pip cannot find my package")
    await h.ask_text(h.w.bob, "Bob's own question")
    text = await h.done(await h.command("questions", h.w.alice, h.w.other))
    assert "Your open questions:" in text
    guild = h.fake.guild_id
    assert f"How do I parse JSON? (open): https://discord.com/channels/{guild}/{first}" in text
    assert f"https://discord.com/channels/{guild}/{second}" in text
    assert "Bob's own question" not in text


# -- anonymous questions ------------------------------------------------------------------


def leaks(h: Harness, user: FakeUser) -> list[str]:
    """Everything the bot made public that names `user`: channel and thread writes (not the
    DMs to the member), non-ephemeral interaction answers, and channel names."""

    needles = {str(user.id), user.username.lower(), (user.global_name or user.username).lower()}
    found: list[str] = []
    for call in h.fake.calls:
        if call.method not in ("POST", "PATCH", "PUT") or call.json is None:
            continue
        channel = call.params.get("channel_id")
        if channel and int(channel) in h.fake.dm_channels:
            continue
        if call.route.startswith(("/interactions/", "/webhooks/")):
            data = call.json.get("data", call.json) if isinstance(call.json, dict) else {}
            if int((data or {}).get("flags") or 0) & EPHEMERAL:
                continue
        elif not call.route.startswith("/channels/"):
            continue
        body = json.dumps(call.json).lower()
        found += [f"{call.method} {call.path}: {n}" for n in needles if n in body]
    for channel in h.fake.channels.values():
        name = str(channel.get("name", "")).lower()
        found += [f"channel name {name!r}" for n in needles if n in name]
    return found


async def anonymous_ask(h: Harness, where: int) -> int:
    before = {int(t["id"]) for t in h.fake.threads_in(where)}
    options = {"question": "Is my config leaking secrets?", "anonymous": True}
    handle = await h.command("ask", h.w.alice, where, options=options)
    assert "open in" in await h.done(handle)
    (thread_id,) = {int(t["id"]) for t in h.fake.threads_in(where)} - before
    await eventually(lambda: len(h.bot_messages(thread_id)) >= (1 if where == h.w.text else 2))
    return thread_id


async def test_anonymous_ask_leaks_nothing(h: Harness, kind: str) -> None:
    where = h.w.text if kind == "text" else h.w.forum
    thread_id = await anonymous_ask(h, where)
    question = await h.question(thread_id)
    assert question is not None and question.anonymous
    assert question.asker.ref.id == str(h.w.alice.id)  # the core knows; nobody else sees
    public = [m["content"] for m in h.fake.messages_in(where)] + [
        m["content"] for m in h.fake.messages_in(thread_id)
    ]
    assert any("Anonymous asked:" in text for text in public)
    how = next(text for text in public if "the asker or a moderator can mark it" in text)
    # No ✅: everyone sees who reacted, so it would name the asker.
    assert "Mark as solution" in how and "✅" not in how
    assert leaks(h, h.w.alice) == []

    # The lifecycle stays anonymous too: the reminder names nobody, the asker hears it by DM.
    await h.answer(thread_id, h.w.bob)
    await h.tick(hours=25)
    reminder = last_bot_message(h, thread_id)
    assert "The asker can mark" in reminder["content"] and "<@" not in reminder["content"]
    assert any("has answers but none is marked" in m for m in h.fake.dm_texts(h.w.alice))
    assert leaks(h, h.w.alice) == []

    # ...and the asker can still accept.
    text = await h.done(await h.command("solved", h.w.alice, thread_id))
    assert "Marked" in text
    assert leaks(h, h.w.alice) == []


# -- reveal -------------------------------------------------------------------------------


async def test_reveal_is_for_moderators_only_and_audited(h: Harness) -> None:
    thread_id = await anonymous_ask(h, h.w.text)
    question = await h.question(thread_id)
    assert question is not None
    refused = await h.command(
        "mod", h.w.bob, thread_id, subcommand="reveal", options={"question": question.id}
    )
    text = await h.done(refused)
    assert "Only moderators" in text and str(h.w.alice.id) not in text
    shown = await h.command(
        "mod",
        h.w.mod,
        thread_id,
        subcommand="reveal",
        options={"question": question.id, "reason": "spam check"},
    )
    text = await h.done(shown)
    assert f"#{question.id} was asked by <@{h.w.alice.id}>" in text and "audit log" in text
    assert shown.record.callback is not None
    assert shown.record.callback["data"]["flags"] & EPHEMERAL
    async with h.app.bot.uow_factory(write=False) as uow:
        entries = await uow.moderation.audit_entries(
            question.community, member_id=None, question_id=None, limit=10
        )
    reveals = {(e.actor.display_name if e.actor else "?", e.outcome.value) for e in entries}
    assert ("Mod", "done") in reveals and ("Bob", "refused") in reveals
    assert leaks(h, h.w.alice) == []


# -- the sender's edges -------------------------------------------------------------------


async def test_closed_dms_do_not_fail_the_delivery(h: Harness, caplog: Any) -> None:
    h.fake.closed_dms.add(h.w.alice.id)
    thread_id = await anonymous_ask(h, h.w.text)
    await h.answer(thread_id, h.w.bob)
    with caplog.at_level(logging.INFO, logger="adapters.discord.sender"):
        await h.tick(hours=25)
    assert "does not accept DMs" in caplog.text
    question = await h.question(thread_id)
    assert question is not None
    async with h.app.bot.uow_factory(write=False) as uow:
        jobs = await uow.jobs.for_question(question.id)
    deliveries = [j for j in jobs if j.kind is JobKind.DELIVER]
    assert deliveries and all(j.state is JobState.DONE for j in deliveries)


async def test_thread_state_locks_and_unsupported_types_raise(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    sender = DiscordSender(h.client)
    assert h.app.bot.outbox.has("discord")
    await sender.send(ThreadState("main", ThreadRef("discord", str(thread_id)), locked=True))
    assert h.fake.channels[thread_id]["thread_metadata"]["locked"] is True
    with pytest.raises(UnsupportedOutbound):
        await sender.send("not a message")  # type: ignore[arg-type]


def test_the_old_archive_delay_is_accepted_but_deprecated(
    tmp_path: Any, discord_fake: FakeDiscordWithDMs, caplog: Any
) -> None:
    from adapters.discord.client import build_client
    from bot.service import CommunityBot
    from tests.adapters.discord.conftest import make_config, seed

    world = seed(discord_fake)
    old = make_config(tmp_path, world, discord_fake, solved_archive_after_minutes=30)
    core = CommunityBot(config=old, uow_factory=None, clock=None)  # type: ignore[arg-type]
    with caplog.at_level(logging.WARNING, logger="adapters.discord.client"):
        build_client(core, old)
    assert "solved_archive_after_minutes is deprecated" in caplog.text
    assert "close_solved_after_hours" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="adapters.discord.client"):
        build_client(core, make_config(tmp_path, world, discord_fake))
    assert "deprecated" not in caplog.text


def crash_after_each_delivery(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process dies after Discord accepted a delivery but before its job was marked done,
    once per delivery job; the returned list gets their ids."""

    real_finish = SqlJobRepository.finish
    crashed: list[int] = []

    async def crash_once(self: SqlJobRepository, job: Job, now: Any, outcome: str) -> bool:
        if job.kind is JobKind.DELIVER and job.id not in crashed:
            crashed.append(job.id)
            raise ConnectionError("the process died here")
        return await real_finish(self, job, now, outcome)

    monkeypatch.setattr(SqlJobRepository, "finish", crash_once)
    return crashed


async def test_a_delivery_sent_again_after_a_crash_shows_once(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process dies after Discord accepted the reminder but before the job was marked
    done: the job runs again, with the same nonce, and Discord returns the first message."""

    thread_id = await answered_question(h, "text")
    crashed = crash_after_each_delivery(monkeypatch)
    await h.tick(hours=25)  # the reminder is posted; marking its delivery done fails
    assert crashed
    await h.tick(hours=2)  # the retry (after backoff) sends it again
    posts = [
        c.json
        for c in h.fake.calls_to("POST", "/channels/{channel_id}/messages")
        if c.params["channel_id"] == str(thread_id)
        and "Did one of" in (c.json or {}).get("content", "")
    ]
    assert len(posts) == 2 and posts[0]["nonce"] == posts[1]["nonce"]
    shown = [m for m in h.bot_messages(thread_id) if "Did one of the answers" in m["content"]]
    assert len(shown) == 1
    question = await h.question(thread_id)
    assert question is not None
    async with h.app.bot.uow_factory(write=False) as uow:
        jobs = await uow.jobs.for_question(question.id)
    assert [j.state for j in jobs if j.kind is JobKind.DELIVER] == [JobState.DONE]


async def test_a_direct_message_sent_again_after_a_crash_shows_once(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same for a DM (an anonymous asker's reminder): it carries the delivery's nonce too."""

    thread_id = await anonymous_ask(h, h.w.text)
    await h.answer(thread_id, h.w.bob)
    crashed = crash_after_each_delivery(monkeypatch)
    await h.tick(hours=25)
    assert crashed
    await h.tick(hours=2)  # the retry (after backoff) sends it again
    posts = [
        c.json
        for c in h.fake.calls_to("POST", "/channels/{channel_id}/messages")
        if int(c.params["channel_id"]) in h.fake.dm_channels
        and "has answers but none is marked" in (c.json or {}).get("content", "")
    ]
    assert len(posts) == 2 and posts[0]["nonce"] == posts[1]["nonce"]
    shown = [t for t in h.fake.dm_texts(h.w.alice) if "has answers but none is marked" in t]
    assert len(shown) == 1
