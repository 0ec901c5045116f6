"""`/mod` on Discord: every subcommand by a moderator, every one refused (and audited) for
anyone else, thread locks, duplicates with the asker's "Not a duplicate" button, help bans,
warnings, and reward roles that follow reverted points."""

from __future__ import annotations

from typing import Any

import pytest

from bot import commands as c
from bot import events as ev
from bot.errors import NotTheAsker, ThreadLocked
from bot.knowledge_base import AddArticle
from bot.model import Actor, AuditEntry, LedgerReason, MemberRef, QuestionStatus
from tests.adapters.discord.conftest import (
    REWARD_POINTS,
    Harness,
    commands_reaching_the_core,
    custom_ids,
)
from tests.adapters.discord.test_reports import shown
from tests.helpers import eventually

EPHEMERAL = 1 << 6


def ephemeral(handle: Any) -> bool:
    record = handle.record
    data = (record.callback or {}).get("data") or {}
    original = record.original or {}
    return bool(
        int(data.get("flags") or 0) & EPHEMERAL or int(original.get("flags") or 0) & EPHEMERAL
    )


async def mod(
    h: Harness, user: Any, channel: int, sub: str, group: str | None = None, **options: Any
) -> str:
    handle = await h.command(
        "mod", user, channel, subcommand=sub, group=group, options=options or None
    )
    text = await h.done(handle)
    assert ephemeral(handle), f"/mod {sub} answered in public"
    return text


async def audit(h: Harness) -> list[AuditEntry]:
    async with h.app.bot.uow_factory(write=False) as uow:
        return list(
            await uow.moderation.audit_entries("main", member_id=None, question_id=None, limit=100)
        )


async def ledger(h: Harness, user: Any) -> list[Any]:
    actor = Actor(MemberRef("discord", "main", str(user.id)), user.username)
    result = await h.app.bot.handle(c.ShowReputation(actor))
    assert isinstance(result, ev.ReputationShown)
    return list(result.standing.recent)


def thread(h: Harness, thread_id: int) -> dict[str, Any]:
    return h.fake.channels[thread_id]["thread_metadata"]


# -- refusals -------------------------------------------------------------------------------

REFUSED = [
    ("lock", None, {}, "question_lock"),
    ("unlock", None, {}, "question_unlock"),
    ("reopen", None, {}, "question_reopen"),
    ("close", None, {"reason": "spam"}, "question_close"),
    ("duplicate", None, {"original": "#1"}, "question_duplicate"),
    ("delete", None, {}, "question_delete"),
    ("restore", None, {}, "question_restore"),
    ("add", "rep", {"member": "bob", "points": 5, "reason": "nice"}, "rep_add"),
    ("remove", "rep", {"member": "bob", "points": 5, "reason": "oops"}, "rep_remove"),
    ("revert", "rep", {"entry": 1}, "rep_revert"),
    ("revert-period", "rep", {"member": "bob", "direction": "both", "days": 7}, "rep_revert_period"),
    ("suspicious", "rep", {}, "rep_suspicious"),
    # An unreadable duration too: the refusal comes first, and is audited.
    ("helpban", None, {"member": "bob", "duration": "soon"}, "helpban"),
    ("warn", None, {"member": "bob", "reason": "be nice"}, "warn"),
    ("audit", None, {}, "audit"),
    ("reports", None, {}, "reports"),
]  # fmt: skip


async def test_every_mod_command_is_refused_and_audited_for_members(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    members = {"bob": h.w.bob}
    for sub, group, options, _ in REFUSED:
        opts = {k: members.get(v, v) if k == "member" else v for k, v in options.items()}
        text = await mod(h, h.w.carol, thread_id, sub, group, **opts)
        assert "Only moderators can do that." in text, sub
    question = await h.question(thread_id)
    assert question is not None and question.status is QuestionStatus.OPEN
    assert not question.is_locked and not question.is_deleted
    assert not thread(h, thread_id).get("locked") and await h.points(h.w.bob) == 0
    refused = {
        (e.action, e.actor.display_name if e.actor else "?")
        for e in await audit(h)
        if e.outcome.value == "refused"
    }
    for *_, action in REFUSED:
        assert (action, "Carol") in refused, action


async def test_manage_threads_without_the_role_is_a_moderator(h: Harness) -> None:
    from tests.fakes.discord_server import Permissions

    role = h.fake.add_role("Thread keepers", permissions=Permissions.MANAGE_THREADS)
    keeper = h.fake.add_user("keeper", roles=[role])
    thread_id = await h.ask_text(h.w.alice)
    assert "locked" in await mod(h, keeper, thread_id, "lock")
    assert "No open reports." in await mod(h, keeper, h.w.other, "reports")


async def test_manage_threads_in_one_channel_makes_no_moderator(h: Harness) -> None:
    """A Manage Threads overwrite on one channel (e.g. to tidy #general's threads) is that
    channel's: Discord sends it in the interaction's `permissions`, but moderators are
    moderators server-wide, so only roles and server permissions count."""

    from tests.fakes.discord_server import Permissions

    thread_id = await h.ask_text(h.w.alice)
    h.fake.allow_in_channel(h.w.other, h.w.carol, Permissions.MANAGE_THREADS)
    h.fake.allow_in_channel(h.w.text, h.w.carol, Permissions.MANAGE_THREADS)
    assert h.fake.channel_permissions_of(h.w.carol, thread_id) & Permissions.MANAGE_THREADS
    assert "Only moderators" in await mod(h, h.w.carol, h.w.other, "reports")
    assert "Only moderators" in await mod(h, h.w.carol, thread_id, "lock")
    assert not thread(h, thread_id).get("locked")
    # Nor does her ✅ on someone else's question count as a moderator's.
    answer = await h.answer(thread_id, h.w.bob)
    with commands_reaching_the_core(h, (c.AcceptAnswer,)) as seen:
        await h.fake.react(thread_id, answer, h.w.carol, "✅")
        await eventually(lambda: seen)
    ((command, outcome),) = seen
    assert not command.actor.is_moderator and isinstance(outcome, NotTheAsker)
    assert await h.points(h.w.bob) == 0


# -- questions ------------------------------------------------------------------------------


async def test_lock_and_unlock_lock_the_discord_thread(
    h: Harness, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread_id = await h.ask(kind, h.w.alice)
    text = await mod(h, h.w.mod, thread_id, "lock", reason="heated")
    assert "locked" in text and "heated" in text
    await eventually(lambda: thread(h, thread_id).get("locked") is True)
    await eventually(lambda: any("🔒" in m["content"] for m in h.bot_messages(thread_id)))
    # The core ignores messages from members in a locked thread (Discord blocks most anyway).
    refusals: list[Exception] = []
    handle = h.app.bot.handle

    async def spy(command: Any) -> Any:
        try:
            return await handle(command)
        except ThreadLocked as exc:
            refusals.append(exc)
            raise

    monkeypatch.setattr(h.app.bot, "handle", spy)
    late = await h.fake.post_message(thread_id, h.w.bob, "sneaky answer")
    await eventually(lambda: refusals)
    question = await h.question(thread_id)
    assert question is not None and question.is_locked
    assert late["id"] not in await h.answers(question.id)
    assert "unlocked" in await mod(h, h.w.mod, thread_id, "unlock")
    await eventually(lambda: thread(h, thread_id).get("locked") is False)


async def test_lock_unlock_and_reopen_by_number_leave_their_line_in_the_thread(
    h: Harness, kind: str
) -> None:
    """Used from another channel (`question:N`), as in the thread: one public line there."""

    thread_id = await h.ask(kind, h.w.alice)
    question = await h.question(thread_id)
    assert question is not None

    def lines() -> list[str]:
        return [m["content"] for m in h.bot_messages(thread_id)[1:]]

    locked = await mod(h, h.w.mod, h.w.mods, "lock", question=question.id, reason="heated")
    await eventually(lambda: lines() == [locked])
    unlocked = await mod(h, h.w.mod, h.w.mods, "unlock", question=question.id)
    await eventually(lambda: lines() == [locked, unlocked])
    await mod(h, h.w.mod, h.w.mods, "close", question=question.id, reason="off topic")
    await eventually(lambda: thread(h, thread_id)["archived"])
    reopened = await mod(h, h.w.mod, h.w.mods, "reopen", question=question.id)
    await eventually(lambda: lines()[-1:] == [reopened])
    assert lines().count(reopened) == 1 and not thread(h, thread_id)["archived"]
    assert not h.bot_messages(h.w.mods)


async def test_close_reopen_delete_and_restore(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    text = await mod(h, h.w.mod, thread_id, "close", reason="off topic")
    assert "closed by a moderator" in text and "off topic" in text
    await eventually(lambda: thread(h, thread_id)["archived"])
    question = await h.question(thread_id)
    assert question is not None and question.is_closed
    # By number, from another channel.
    assert "open again" in await mod(h, h.w.mod, h.w.other, "reopen", question=question.id)
    await eventually(lambda: not thread(h, thread_id)["archived"])
    assert "deleted" in await mod(h, h.w.mod, thread_id, "delete", reason="spam")
    await eventually(lambda: thread(h, thread_id)["archived"] and thread(h, thread_id)["locked"])
    question = await h.question(thread_id)
    assert question is not None and question.is_deleted
    listed = await h.command("questions", h.w.alice, h.w.other)
    assert f"#{question.id}" not in await h.done(listed)
    # A mistaken delete is undone from the archived thread itself: open and unlocked again.
    assert f"#{question.id} restored" in await mod(h, h.w.mod, thread_id, "restore")
    await eventually(
        lambda: not thread(h, thread_id)["archived"] and not thread(h, thread_id)["locked"]
    )
    listed = await h.command("questions", h.w.alice, h.w.other)
    assert f"#{question.id}" in await h.done(listed)
    again = await mod(h, h.w.mod, thread_id, "restore")
    assert again == f"#{question.id} is not deleted, so there is nothing to restore."


async def test_duplicate_and_the_askers_not_duplicate_button(h: Harness) -> None:
    first = await h.ask_text(h.w.alice, "How do I parse JSON?")
    second = await h.ask_text(h.w.carol, "Parsing JSON how?")
    original = await h.question(first)
    assert original is not None
    text = await mod(h, h.w.mod, second, "duplicate", original=f"#{original.id}")
    assert f"closed as a duplicate of #{original.id}" in text

    def notice() -> dict[str, Any] | None:
        return next((m for m in h.bot_messages(second) if "duplicate" in m["content"]), None)

    post = await eventually(notice)
    assert f"<@{h.w.carol.id}>" in post["content"]  # the asker is told, in the thread
    (button,) = custom_ids(post)
    assert button.startswith("cb:notdup:")
    question = await h.question(second)
    assert question is not None and question.is_closed

    refused = await h.fake.interact(h.fake.component(int(post["id"]), button, user=h.w.bob))
    assert "Only the person who asked" in await h.done(refused)
    accepted = await h.fake.interact(h.fake.component(int(post["id"]), button, user=h.w.carol))
    assert "not a duplicate" in await h.done(accepted)
    question = await h.question(second)
    assert question is not None and not question.is_closed
    await eventually(lambda: custom_ids(h.fake.find_message(int(post["id"])) or {}) == [])


async def test_duplicate_of_an_article_and_bad_targets(h: Harness) -> None:
    moderator = Actor(MemberRef("discord", "main", str(h.w.mod.id)), "mod", is_moderator=True)
    await h.app.bot.handle(AddArticle(moderator, "JSON basics", "...", article_id="json-basics"))
    thread_id = await h.ask_text(h.w.alice)
    missing = await mod(h, h.w.mod, thread_id, "duplicate", original="jsn-basics")
    assert "can't find the article “jsn-basics”" in missing
    text = await mod(h, h.w.mod, thread_id, "duplicate", original="json-basics")
    assert "duplicate of a:json-basics" in text
    other = await h.ask_text(h.w.bob, "Another one")
    text = await mod(h, h.w.mod, other, "duplicate", original="#999")
    assert "can't find that question" in text
    assert "not a question thread" in await mod(h, h.w.mod, h.w.other, "lock")


# -- reputation -----------------------------------------------------------------------------


async def test_rep_add_remove_revert_and_reward_roles(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    text = await mod(
        h, h.w.mod, h.w.other, "add", "rep", member=h.w.bob, points=12, reason="great guide"
    )
    assert f"+12 <@{h.w.bob.id}> (now 12)" in text
    await eventually(lambda: h.w.reward_role in h.fake.member_roles(h.w.bob))
    text = await mod(
        h, h.w.mod, h.w.other, "remove", "rep", member=h.w.bob, points=5, reason="double count"
    )
    assert f"-5 <@{h.w.bob.id}> (now 7)" in text
    await eventually(lambda: h.w.reward_role not in h.fake.member_roles(h.w.bob))
    entry = next(e for e in await ledger(h, h.w.bob) if e.delta == -5)
    text = await mod(h, h.w.mod, h.w.other, "revert", "rep", entry=entry.id, reason="my mistake")
    assert f"+5 <@{h.w.bob.id}> (now 12)" in text
    await eventually(lambda: h.w.reward_role in h.fake.member_roles(h.w.bob))
    again = await mod(h, h.w.mod, h.w.other, "revert", "rep", entry=entry.id)
    assert "already reverted" in again
    assert "Points must be" not in await mod(h, h.w.mod, h.w.other, "suspicious", "rep")
    own = await mod(h, h.w.mod, h.w.other, "add", "rep", member=h.w.mod, points=5, reason="me")
    assert "can't use that on themselves" in own
    # A member the bot has never seen (e.g. never posted in a help channel) can be acted on.
    stranger = h.fake.add_user("stranger")
    unknown = await mod(h, h.w.mod, h.w.other, "add", "rep", member=stranger, points=5, reason="x")
    assert f"+5 <@{stranger.id}> (now 5)" in unknown


async def test_reward_role_removed_after_reverting_an_accepted_answer(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    await h.done(await h.command("solved", h.w.alice, thread_id))
    await eventually(lambda: h.w.reward_role in h.fake.member_roles(h.w.bob))
    entry = next(e for e in await ledger(h, h.w.bob) if e.reason is LedgerReason.ACCEPTED_ANSWER)
    # Moderators read the ledger id off /rep; members do not see ids.
    shown = await h.done(await h.command("rep", h.w.mod, h.w.other, options={"member": h.w.bob}))
    assert f"· ledger #{entry.id}" in shown
    own = await h.done(await h.command("rep", h.w.bob, h.w.other))
    assert "· ledger #" not in own
    text = await mod(h, h.w.mod, h.w.other, "revert", "rep", entry=entry.id)
    assert f"-15 <@{h.w.bob.id}> (now 0)" in text
    await eventually(lambda: h.w.reward_role not in h.fake.member_roles(h.w.bob))
    assert await h.points(h.w.bob) == 0


async def test_a_reward_role_given_by_hand_survives_points_that_never_reached_it(
    h: Harness,
) -> None:
    """Staff given the Helper role by hand keep it: gaining points adds what a threshold
    gives and takes nothing; only a total dropping back below a threshold it had reached
    takes that role away."""

    h.fake.set_member_roles(h.w.carol, [h.w.reward_role])
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.carol)
    thanks = await h.command("thanks", h.w.alice, thread_id, options={"member": h.w.carol})
    await h.done(thanks)
    await h.settled()
    assert 0 < await h.points(h.w.carol) < REWARD_POINTS
    assert h.w.reward_role in h.fake.member_roles(h.w.carol)
    # A loss that crosses nothing she had reached leaves it too.
    await mod(h, h.w.mod, h.w.other, "remove", "rep", member=h.w.carol, points=1, reason="x")
    await h.settled()
    assert h.w.reward_role in h.fake.member_roles(h.w.carol)
    # Reaching the threshold and dropping back below it takes it (the reversal).
    await mod(h, h.w.mod, h.w.other, "add", "rep", member=h.w.carol, points=20, reason="x")
    await mod(h, h.w.mod, h.w.other, "remove", "rep", member=h.w.carol, points=20, reason="x")
    await eventually(lambda: h.w.reward_role not in h.fake.member_roles(h.w.carol))


async def test_revert_period_received_and_the_suspicious_pairs_report(h: Harness) -> None:
    # bob and carol thank each other across two questions.
    one = await h.ask_text(h.w.bob, "Question one")
    await h.answer(one, h.w.carol)
    await h.done(await h.command("solved", h.w.bob, one))
    two = await h.ask_text(h.w.carol, "Question two")
    await h.answer(two, h.w.bob)
    await h.done(await h.command("solved", h.w.carol, two))
    await eventually(lambda: h.w.reward_role in h.fake.member_roles(h.w.carol))
    text = await mod(h, h.w.mod, h.w.other, "suspicious", "rep")
    header, pair = text.splitlines()
    assert header.startswith("Pairs giving each other most of their points since")
    bob, carol = f"<@{h.w.bob.id}>", f"<@{h.w.carol.id}>"
    assert pair.strip().startswith((f"{bob} ↔ {carol}:", f"{carol} ↔ {bob}:"))
    assert "gave" in pair and pair.count("15 of 15") == 2
    text = await mod(
        h,
        h.w.mod,
        h.w.other,
        "revert-period",
        "rep",
        member=h.w.carol,
        direction="received",
        days=1,
    )
    assert f"<@{h.w.carol.id}> (now 0)" in text
    await eventually(lambda: h.w.reward_role not in h.fake.member_roles(h.w.carol))
    assert await h.points(h.w.bob) > 0  # what bob received is untouched
    nothing = await mod(
        h,
        h.w.mod,
        h.w.other,
        "revert-period",
        "rep",
        member=h.w.carol,
        direction="received",
        days=1,
    )
    assert "Nothing to change" in nothing


# -- members --------------------------------------------------------------------------------


async def test_helpban_refuses_questions_and_points(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.carol)  # the bot knows carol now
    text = await mod(
        h, h.w.mod, h.w.other, "helpban", member=h.w.carol, duration="1d", reason="spam"
    )
    assert f"<@{h.w.carol.id}> is help-banned until" in text
    await eventually(lambda: any("paused" in t for t in h.fake.dm_texts(h.w.carol)))
    # /ask: refused privately, and the thread made for it is taken away again.
    handle = await h.command("ask", h.w.carol, h.w.text, options={"question": "Can I still ask?"})
    assert "You can't open questions until" in await h.done(handle)
    assert ephemeral(handle)
    # A message in the help channel does not become a question either.
    before = len(h.fake.threads_in(h.w.text))
    message = await h.fake.post_message(h.w.text, h.w.carol, "Another question from me")
    await eventually(
        lambda: any(
            "can't open questions" in m["content"] for m in h.bot_messages(int(message["id"]))
        )
    )
    assert await h.question(int(message["id"])) is None
    assert len(h.fake.threads_in(h.w.text)) == before + 1
    # ...and earns no points while banned.
    await h.done(await h.command("solved", h.w.alice, thread_id))
    assert await h.points(h.w.carol) == 0
    bad = await mod(h, h.w.mod, h.w.other, "helpban", member=h.w.carol, duration="soon")
    assert "The duration must be more than zero and at most 365 days" in bad


async def test_warn_tells_the_member_privately_and_counts(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    text = await mod(h, h.w.mod, h.w.other, "warn", member=h.w.bob, reason="be kind")
    assert f"<@{h.w.bob.id}> was warned privately (1 warning in total)" in text
    text = await mod(h, h.w.mod, h.w.other, "warn", member=h.w.bob, reason="really, be kind")
    assert "(2 warnings in total)" in text
    dms = await eventually(lambda: [t for t in h.fake.dm_texts(h.w.bob) if "warning" in t][1:])
    assert "really, be kind (warning 2)" in dms[0]
    assert str(h.w.mod.id) not in " ".join(h.fake.dm_texts(h.w.bob))


async def test_audit_lists_actions_by_member_and_question(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    await h.answer(thread_id, h.w.bob)
    question = await h.question(thread_id)
    assert question is not None
    assert "No moderator actions" in await mod(h, h.w.mod, h.w.other, "audit")
    await mod(h, h.w.mod, thread_id, "lock")
    await mod(h, h.w.mod, h.w.other, "warn", member=h.w.bob, reason="tone")
    await mod(h, h.w.bob, thread_id, "unlock")  # refused
    # (what Discord displays: the core's action names go in escaped, like any word in a line)
    everything = shown(await mod(h, h.w.mod, h.w.other, "audit"))
    assert "question_lock" in everything and "warn" in everything
    assert "question_unlock: REFUSED" in everything
    about_bob = shown(await mod(h, h.w.mod, h.w.other, "audit", member=h.w.bob))
    assert "warn" in about_bob and "question_lock" not in about_bob
    about_question = shown(await mod(h, h.w.mod, h.w.other, "audit", question=question.id))
    assert "question_lock" in about_question and " warn " not in about_question
    # Someone the bot has never seen is named back by mention, not by a bare id.
    unseen = await mod(h, h.w.mod, h.w.other, "audit", member=h.w.carol)
    assert f"<@{h.w.carol.id}> hasn't taken part here yet" in unseen


async def test_outbound_messages_show_words_as_typed_and_keep_links(h: Harness) -> None:
    """The duplicate post in the thread keeps a web-link target clickable as it is; the
    warning DM shows the moderator's reason as typed, not as markdown."""

    thread_id = await h.ask_text(h.w.alice)
    target = "https://docs.example/json_basics_(v2)"
    await mod(h, h.w.mod, thread_id, "duplicate", original=target)

    def notice() -> dict[str, Any] | None:
        return next((m for m in h.bot_messages(thread_id) if "duplicate" in m["content"]), None)

    post = await eventually(notice)
    assert f"a duplicate of {target}. If it isn't" in post["content"]

    await mod(h, h.w.mod, h.w.other, "warn", member=h.w.bob, reason="**stop** `spamming` [x](y)")
    (dm,) = await eventually(lambda: [t for t in h.fake.dm_texts(h.w.bob) if "warning" in t])
    assert r"warning: \*\*stop\*\* \`spamming\` \[x\](y) (warning 1)" in dm
