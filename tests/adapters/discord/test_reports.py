""" "Report to moderators" end to end: the message menu opens a reason form, the report lands in
the moderators' channel without the reporter's name, and each button (dismiss, delete, warn)
does what it says, for moderators only, with Discord's 403 / 404 on delete handled."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.adapters.discord.conftest import Harness, World, custom_ids
from tests.adapters.discord.test_resilience import restart_without
from tests.helpers import eventually

EPHEMERAL = 1 << 6


@pytest.fixture
def community_settings() -> Any:
    def settings(world: World) -> dict[str, Any]:
        return {"moderation": {"moderators_channel": {"discord": str(world.mods)}}}

    return settings


async def report(h: Harness, reporter: Any, message_id: int, reason: str = "rude") -> str:
    menu = await h.fake.interact(
        h.fake.message_command("Report to moderators", user=reporter, message_id=message_id)
    )
    modal = await menu.wait_response()
    assert modal["type"] == 9, modal
    form = modal["data"]["custom_id"]
    message = h.fake.find_message(message_id)
    assert message is not None
    handle = await h.fake.interact(
        h.fake.modal_submit(
            form, user=reporter, channel_id=int(message["channel_id"]), values={"reason": reason}
        )
    )
    text = await h.done(handle)
    assert handle.record.original is not None and handle.record.original["flags"] & EPHEMERAL
    return text


def report_posts(h: Harness) -> list[dict[str, Any]]:
    return [m for m in h.bot_messages(h.w.mods) if m["content"].startswith("🚩")]


async def post_for(h: Harness, number: int) -> dict[str, Any]:
    def find() -> dict[str, Any] | None:
        return next((m for m in report_posts(h) if f"Report #{number} " in m["content"]), None)

    return await eventually(find)


async def click(h: Harness, post: dict[str, Any], action: str, user: Any) -> str:
    number = post["content"].split("#", 1)[1].split(" ", 1)[0]
    button = f"cb:report:{action}:{number}"  # the post may have lost its buttons already
    handle = await h.fake.interact(h.fake.component(int(post["id"]), button, user=user))
    return await h.done(handle)


async def test_report_lands_with_buttons_and_never_names_the_reporter(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob, "RTFM, idiot")
    text = await report(h, h.w.carol, answer, "insulting the asker")
    assert "report #1 went to the moderators" in text.lower()
    post = await post_for(h, 1)
    assert "Bob" in post["content"] and "RTFM, idiot" in post["content"]
    # The link opens the reported message in its thread, not just the thread.
    link = f"https://discord.com/channels/{h.fake.guild_id}/{thread_id}/{answer}"
    assert post["content"].endswith(f"\nOpen the message: {link}")
    assert "insulting the asker" in post["content"]
    assert "carol" not in post["content"].lower() and str(h.w.carol.id) not in post["content"]
    assert custom_ids(post) == ["cb:report:dismiss:1", "cb:report:delete:1", "cb:report:warn:1"]
    sent = h.fake.last_call("POST", f"/channels/{h.w.mods}/messages")
    assert sent.json["allowed_mentions"]["parse"] == []

    # Members cannot act on reports; the refusal is audited.
    refused = await click(h, post, "dismiss", h.w.alice)
    assert "Only moderators" in refused
    async with h.app.bot.uow_factory(write=False) as uow:
        entries = await uow.moderation.audit_entries(
            "main", member_id=None, question_id=None, limit=20
        )
    assert any(e.action == "report_resolve" and e.outcome.value == "refused" for e in entries)

    # Warn: bob is told privately, without the reporter; the post shows who handled it.
    warned = await click(h, post, "warn", h.w.mod)
    assert f"Report #1: <@{h.w.bob.id}> warned." in warned
    dm = await eventually(lambda: [t for t in h.fake.dm_texts(h.w.bob) if "warning" in t])
    assert "insulting the asker" in dm[0] and "carol" not in dm[0].lower()
    await eventually(
        lambda: custom_ids(h.fake.find_message(int(post["id"])) or {"components": [1]}) == []
    )
    edited = h.fake.find_message(int(post["id"]))
    assert edited is not None and f"(by <@{h.w.mod.id}>)" in edited["content"]
    again = await click(h, post, "dismiss", h.w.mod)
    assert "already handled" in again


async def test_delete_and_dismiss_buttons(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    spam = await h.answer(thread_id, h.w.bob, "buy cheap watches")
    fine = await h.answer(thread_id, h.w.bob, "use json.loads")
    await report(h, h.w.carol, spam, "spam")
    await report(h, h.w.carol, fine, "I don't like it")
    deleted = await click(h, await post_for(h, 1), "delete", h.w.mod)
    assert "Report #1: message deleted." in deleted
    await eventually(lambda: h.fake.find_message(spam) is None)
    dismissed = await click(h, await post_for(h, 2), "dismiss", h.w.mod)
    assert "Report #2 dismissed." in dismissed
    assert h.fake.find_message(fine) is not None
    listed = await h.command("mod", h.w.mod, h.w.other, subcommand="reports")
    assert "No open reports." in await h.done(listed)


async def test_deleting_a_reported_accepted_answer_takes_its_reward_role(h: Harness) -> None:
    """As when the answer is deleted on Discord: its points go, and the role they earned."""

    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob, "use json.loads, idiot")
    await h.fake.react(thread_id, answer, h.w.alice, "✅")
    await eventually(lambda: h.w.reward_role in h.fake.member_roles(h.w.bob))
    await report(h, h.w.carol, answer, "insult")
    assert "message deleted" in await click(h, await post_for(h, 1), "delete", h.w.mod)
    assert h.fake.find_message(answer) is None
    assert await h.points(h.w.bob) == 0
    await eventually(lambda: h.w.reward_role not in h.fake.member_roles(h.w.bob))


async def test_reporting_the_question_itself_deletes_the_question(h: Harness, kind: str) -> None:
    # The question's own message: the text channel's message its thread was started from,
    # or the forum post's starter message (same id as the thread in both cases).
    thread_id = await h.ask(kind, h.w.alice, "Free nitro here!!!")
    await report(h, h.w.bob, thread_id, "scam")
    await click(h, await post_for(h, 1), "delete", h.w.mod)
    await eventually(lambda: h.fake.find_message(thread_id) is None)
    question = await h.question(thread_id)
    assert question is not None and question.is_deleted
    await eventually(lambda: h.fake.channels[thread_id]["thread_metadata"]["locked"])


async def test_delete_of_a_message_already_gone_or_forbidden(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    first = await h.answer(thread_id, h.w.bob, "bad one")
    second = await h.answer(thread_id, h.w.bob, "bad two")
    await report(h, h.w.carol, first)
    await report(h, h.w.carol, second)
    del h.fake.messages[thread_id][first]  # the author deleted it meanwhile
    text = await click(h, await post_for(h, 1), "delete", h.w.mod)
    assert "message deleted" in text and "already gone" in text
    h.fake.fail_next("DELETE", "/channels/{channel_id}/messages/{message_id}", status=403)
    text = await click(h, await post_for(h, 2), "delete", h.w.mod)
    assert "couldn't delete the message" in text
    assert h.fake.find_message(second) is not None


async def test_report_refusals(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    own = await h.fake.interact(
        h.fake.message_command("Report to moderators", user=h.w.bob, message_id=answer)
    )
    assert "report your own message" in await h.done(own)  # at once, no form to fill in
    await report(h, h.w.carol, answer)
    assert "already reported" in await report(h, h.w.carol, answer)


@pytest.mark.parametrize("community_settings", [{}])
async def test_without_a_moderators_channel_reports_are_kept(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob)
    assert "/mod reports" in await report(h, h.w.carol, answer)
    assert report_posts(h) == []
    listed = await h.command("mod", h.w.mod, h.w.other, subcommand="reports")
    assert "#1 on <@" in await h.done(listed)


def shown(content: str) -> str:
    """What Discord displays for backslash escapes: the character after the backslash."""

    return re.sub(r"\\([^0-9A-Za-z\s])", r"\1", content)


async def test_report_post_shows_the_reported_words_as_typed(h: Harness) -> None:
    """A reported message's code fence, masked links, spoiler and heading reach the
    moderators as typed: the fence swallows nothing after it, and every link shows its real
    address. Mentions and custom emoji stay what they are (posted with pings off)."""

    thread_id = await h.ask_text(h.w.alice)
    words = (
        "[the docs](https://evil.example/a) and [more](https://evil.example/b)\n"
        "# FREE **nitro** ||here|| <:blob_cat:123> <@" + str(h.w.alice.id) + ">\n"
        "```py\nimport os"
    )
    answer = await h.answer(thread_id, h.w.bob, words)
    await report(h, h.w.carol, answer, "phishing ```, see [x](https://a.example)")
    content = (await post_for(h, 1))["content"]
    assert (
        r"\[the docs\](https://evil.example/a) and \[more\](https://evil.example/b)" "\n"
        r"\# FREE \*\*nitro\*\* \|\|here\|\| <:blob_cat:123> <@" + str(h.w.alice.id) + ">\n"
        r"\`\`\`py" "\nimport os"
    ) in content  # fmt: skip
    assert r"Reason: phishing \`\`\`, see \[x\](https://a.example)" "\nOpen the message" in content
    assert words in shown(content)
    assert "```" not in content
    sent = h.fake.last_call("POST", f"/channels/{h.w.mods}/messages")
    assert sent.json["allowed_mentions"]["parse"] == []


async def test_report_on_a_message_in_a_thread_discord_py_never_cached(
    h: Harness, kind: str
) -> None:
    """After a restart, a question thread left out of GUILD_CREATE is in no cache: the form
    fetches the thread and the message, so the report still names the author, quotes the
    message, counts as one on the question and links to the message in its thread."""

    thread_id = await h.ask(kind, h.w.alice)
    answer = await h.answer(thread_id, h.w.bob, "RTFM, idiot")
    await restart_without(h, thread_id)
    text = await report(h, h.w.carol, answer, "insulting the asker")
    assert "report #1 went to the moderators" in text.lower()
    content = (await post_for(h, 1))["content"]
    question = await h.question(thread_id)
    assert question is not None
    assert f'by Bob in #{question.id}: "RTFM, idiot" Reason: insulting the asker' in content
    assert content.endswith(
        f"Open the message: https://discord.com/channels/{h.fake.guild_id}/{thread_id}/{answer}"
    )
    # The thread came from REST, not from a cache.
    assert h.fake.calls_to("GET", f"/channels/{thread_id}")
    assert h.fake.calls_to("GET", f"/channels/{thread_id}/messages/{answer}")


async def test_report_outside_a_question_links_to_the_message(h: Harness) -> None:
    """A reported message in no question thread: the post links the message itself."""

    message = await h.fake.post_message(h.w.other, h.w.bob, "buy cheap watches")
    await report(h, h.w.carol, int(message["id"]), "spam")
    content = (await post_for(h, 1))["content"]
    assert 'on a message by Bob: "buy cheap watches" Reason: spam' in content
    link = f"https://discord.com/channels/{h.fake.guild_id}/{h.w.other}/{message['id']}"
    assert content.endswith(f"Open the message: {link}")


@pytest.mark.parametrize(
    "community_settings",
    [
        lambda world: {
            "lifecycle": {"anonymous_questions": True},
            "moderation": {"moderators_channel": {"discord": str(world.mods)}},
        }
    ],
)
async def test_a_moderator_resolving_a_report_in_their_anonymous_question_is_not_named(
    h: Harness,
) -> None:
    """A moderator who asked anonymously resolves a report on an answer in their question:
    the report's post said "(by @moderator)" beside a thread whose asker is hidden, and so
    told the other moderators who asked. It now says "a moderator"; a report in someone
    else's question still names who handled it."""

    options = {"question": "Who can see my salary?", "anonymous": True}
    asked = await h.command("ask", h.w.mod, h.w.text, options=options)
    assert "open in" in await h.done(asked)
    (thread_id,) = [int(t["id"]) for t in h.fake.threads_in(h.w.text)]
    await eventually(lambda: h.bot_messages(thread_id))
    spam = await h.answer(thread_id, h.w.bob, "Buy cheap pills")
    await report(h, h.w.carol, spam, "spam")
    post = await post_for(h, 1)
    assert "dismissed" in await click(h, post, "dismiss", h.w.mod)

    def handled(number: int) -> str | None:
        edited = h.fake.find_message(number) or {}
        return edited["content"] if "(by " in edited.get("content", "") else None

    content = await eventually(lambda: handled(int(post["id"])))
    assert content.endswith("Report #1 dismissed. (by a moderator)"), content
    assert str(h.w.mod.id) not in content

    other = await h.ask_text(h.w.alice)
    rude = await h.answer(other, h.w.bob, "RTFM")
    await report(h, h.w.carol, rude, "rude")
    post = await post_for(h, 2)
    await click(h, post, "dismiss", h.w.mod)
    content = await eventually(lambda: handled(int(post["id"])))
    assert content.endswith(f"Report #2 dismissed. (by <@{h.w.mod.id}>)"), content
