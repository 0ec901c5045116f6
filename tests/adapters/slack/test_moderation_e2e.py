"""Moderation, thanks and reports over signed HTTP: every `/mod` sub-command, refusals on the
audit log, thanks in replies and by `/thanks` with the solution offer, and "Report to
moderators" from the shortcut to each moderator button."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from adapters.slack import ids
from tests.adapters.slack.conftest import (
    ASKER,
    HELP,
    HELPER,
    HELPER2,
    MOD,
    OTHER,
    MarkedCatalog,
    Slack,
    make_slack,
)
from tests.fakes import slack_payloads as sp
from tests.fakes.slack_server import FakeSlack

MODS = "C0MODS"


@pytest_asyncio.fixture
async def mods(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Slack]:
    """The standard harness plus a moderators' channel for reports."""

    async with with_mods(fake_slack, tmp_path) as harness:
        yield harness


@pytest_asyncio.fixture
async def anonymous_mods(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Slack]:
    """`mods` in a community that allows anonymous questions."""

    async with with_mods(fake_slack, tmp_path, lifecycle={"anonymous_questions": True}) as h:
        yield h


@asynccontextmanager
async def with_mods(fake_slack: FakeSlack, tmp_path: Path, **settings: Any) -> AsyncIterator[Slack]:
    fake_slack.add_channel(MODS, "moderators")
    harness, _ = await make_slack(
        fake_slack, tmp_path, moderation={"moderators_channel": {"slack": MODS}}, **settings
    )
    try:
        yield harness
    finally:
        await harness.runner.cleanup()
        await harness.core.close()


def audit(slack: Slack) -> list[tuple[str, str]]:
    return [(a, o) for a, o in slack.rows("SELECT action, outcome FROM audit_log ORDER BY id")]


def dms_to(slack: Slack, user: str) -> list[str]:
    channels = {
        str(c.response.get("channel", {}).get("id"))
        for c in slack.fake.calls_to("conversations.open")
        if c.params.get("users") == user
    }
    return [
        str(c.params.get("text", ""))
        for c in slack.fake.calls_to("chat.postMessage")
        if c.params.get("channel") in channels or c.params.get("channel") == user
    ]


async def reply_in_thread(slack: Slack, root: str, user: str, text: str) -> str:
    return await slack.answer(root, user, text)


# -- /mod -----------------------------------------------------------------------------------------


async def test_mod_help_lists_every_subcommand(slack: Slack) -> None:
    await slack.command("/mod", "help", user=MOD)

    text = slack.responses()[-1]
    for sub in (
        "help", "lock", "unlock", "close", "reopen", "duplicate", "delete", "restore", "rep add|remove",
        "rep revert &lt;ledger id&gt;", "rep revert @member", "rep suspicious", "helpban", "warn",
        "audit", "reports", "report &lt;id&gt;", "reveal",
    ):  # fmt: skip
        assert f"/mod {sub}" in text, sub


async def test_a_member_is_refused_and_the_refusal_is_audited(slack: Slack) -> None:
    await slack.ask()

    await slack.command("/mod", "lock #1", user=OTHER)
    await slack.command("/mod", f"warn <@{HELPER}|helper> spam", user=OTHER)
    # The list of moderator commands too, whether asked for or offered after a typo.
    await slack.command("/mod", "help", user=OTHER)
    await slack.command("/mod", "lokc #1", user=OTHER)

    refused = "Only moderators can do that."
    given_back = f"{refused}\nHere is what you wrote, so you can use it again:\nspam"
    assert slack.responses() == [refused, given_back, refused, refused]
    assert audit(slack) == [
        ("question_lock", "refused"), ("warn", "refused"),
        ("mod_help", "refused"), ("mod_help", "refused"),
    ]  # fmt: skip


async def test_an_unknown_mod_command_shows_a_moderator_the_list(slack: Slack) -> None:
    await slack.command("/mod", "lokc #1", user=MOD)

    text = slack.responses()[-1]
    assert text.startswith("Unknown moderator command “lokc”. Try /mod help.")
    assert "/mod lock" in text
    assert audit(slack) == []


async def test_an_unknown_mod_command_is_quoted_short(slack: Slack) -> None:
    """The unknown word was quoted whole: a 40,000-character one made a reply over Slack's
    40,000-character limit, so the list after it was cut off. It is quoted up to 40
    characters, its escaped characters whole."""

    await slack.command("/mod", "&lt;" * 10 + "x" * 40_000 + " #1", user=MOD)

    text = slack.responses()[-1]
    quoted = "&lt;" * 10 + "x" * 29 + "…"
    assert text.startswith(f"Unknown moderator command “{quoted}”. Try /mod help.\n")
    assert "/mod reveal" in text and len(text) < 3000


async def test_lock_refuses_replies_privately_and_unlock_allows_them(slack: Slack) -> None:
    root = await slack.ask()

    await slack.command("/mod", "lock #1 heated", user=MOD)
    assert "#1 locked" in slack.responses()[-1]
    assert ids.LOCKED_REACTION in slack.root_reactions(root)
    await slack.answer(root, HELPER, "Me too!")
    assert any("locked" in t for t in slack.ephemeral_to(HELPER))
    assert slack.count("messages") == 0

    await slack.command("/mod", "unlock 1", user=MOD)
    await slack.answer(root, HELPER, "Try the reset link.")
    assert slack.count("messages") == 1
    assert ids.LOCKED_REACTION not in slack.root_reactions(root)
    assert [a for a, _ in audit(slack)] == ["question_lock", "question_unlock"]


async def test_close_reopen_delete_and_restore(slack: Slack) -> None:
    root = await slack.ask()

    await slack.command("/mod", "close #1 off topic", user=MOD)
    assert slack.question_status() == "closed"
    assert any("closed by a moderator" in m["text"] for m in slack.thread_posts(root))
    await slack.command("/mod", "reopen #1", user=MOD)
    assert slack.question_status() == "open"
    await slack.command("/mod", "delete #1 spam", user=MOD)
    assert slack.rows("SELECT deleted_at IS NOT NULL FROM questions")[0][0] == 1
    # A reply in the deleted question's thread is not recorded, and nobody is told anything.
    await slack.answer(root, HELPER, "Still there?")
    assert slack.count("messages") == 0 and slack.ephemeral_to(HELPER) == []
    assert {ids.CLOSED_REACTION, ids.LOCKED_REACTION} <= set(slack.root_reactions(root))

    await slack.command("/mod", "restore #1 deleted the wrong one", user=MOD)
    assert "#1 restored" in slack.responses()[-1]
    assert slack.rows("SELECT deleted_at IS NULL FROM questions")[0][0] == 1
    assert not {ids.CLOSED_REACTION, ids.LOCKED_REACTION} & set(slack.root_reactions(root))
    await slack.answer(root, HELPER, "Back again?")
    assert slack.count("messages") == 1
    assert [a for a, _ in audit(slack)] == [
        "question_close",
        "question_reopen",
        "question_delete",
        "question_restore",
    ]


async def test_duplicate_and_the_askers_not_a_duplicate_button(slack: Slack) -> None:
    await slack.ask("How do I reset my password?")
    root = await slack.ask("Password reset, how?")

    await slack.command("/mod", "duplicate #2 #1", user=MOD)

    assert slack.question_status(2) == "closed"
    notice = next(m for m in slack.thread_posts(root) if "duplicate of" in m["text"])
    button = notice["blocks"][-1]["elements"][0]
    assert button["action_id"] == ids.NOT_DUPLICATE
    clicked = sp.button(ids.NOT_DUPLICATE, button["value"])
    await slack.interaction(
        sp.block_actions(user_id=ASKER, actions=[clicked], channel_id=HELP, message=notice)
    )
    assert slack.question_status(2) == "open"
    assert any("not a duplicate" in m["text"] for m in slack.thread_posts(root))


async def test_rep_add_remove_revert_and_suspicious(slack: Slack) -> None:
    root = await slack.ask()
    await slack.answer(root, HELPER)
    member = f"<@{HELPER}|helper>"

    await slack.command("/mod", f"rep add {member} 10 great help", user=MOD)
    await slack.command("/mod", f"rep remove {member} 3 too generous", user=MOD)
    assert slack.points(HELPER) == 7
    assert f"+10 <@{HELPER}> (now 10)" in slack.responses()[0]
    first = slack.rows("SELECT id FROM ledger ORDER BY id")[0][0]
    await slack.command("/mod", f"rep revert {first} mistake", user=MOD)
    assert slack.points(HELPER) == -3
    await slack.command("/mod", f"rep revert {member} received 1d", user=MOD)
    assert slack.points(HELPER) == 0
    await slack.command("/mod", "rep suspicious", user=MOD)
    assert "No suspicious pairs" in slack.responses()[-1]
    await slack.command("/mod", "rep add nobody", user=MOD)
    assert slack.responses()[-1].startswith("Usage: /mod rep add|remove")
    assert [a for a, _ in audit(slack)] == [
        "rep_add", "rep_remove", "rep_revert", "rep_revert_period",
    ]  # fmt: skip


async def test_moderators_read_ledger_ids_off_rep_and_members_do_not(slack: Slack) -> None:
    root = await slack.ask()
    await slack.mark_solution(root, await slack.answer(root, HELPER))
    [(accepted,)] = slack.rows(
        "SELECT l.id FROM ledger l JOIN members m ON m.id = l.member_id "
        "WHERE m.platform_user_id = ?",
        HELPER,
    )

    await slack.command("/rep", f"<@{HELPER}|helper>", user=MOD)
    await slack.command("/rep", f"<@{HELPER}|helper>", user=OTHER)

    shown, member_view = slack.responses()
    assert "+15 accepted answer" in shown and f"· ledger #{accepted}" in shown
    assert "+15 accepted answer" in member_view and "· ledger #" not in member_view
    await slack.command("/mod", f"rep revert #{accepted} mistake", user=MOD)
    assert slack.points(HELPER) == 0


async def test_helpban_refuses_new_questions(slack: Slack) -> None:
    root = await slack.ask()
    await slack.answer(root, HELPER)

    await slack.command("/mod", f"helpban <@{HELPER}|helper> 7d spamming", user=MOD)
    assert "help-banned" in slack.responses()[-1]
    await slack.ask("Can I ask now?", user=HELPER)

    assert slack.count("questions") == 1
    assert any("can't open questions" in t for t in slack.ephemeral_to(HELPER))


async def test_helpban_duration_is_judged_by_the_core(slack: Slack) -> None:
    await slack.ask()

    await slack.command("/mod", f"helpban <@{HELPER}|helper> soon", user=OTHER)
    await slack.command("/mod", f"helpban <@{HELPER}|helper> soon", user=MOD)

    refused, bad = slack.responses()
    assert refused == "Only moderators can do that."  # before the duration is even read
    assert bad.startswith("The duration must be more than zero and at most 365 days")
    assert audit(slack) == [("helpban", "refused")]


async def test_warn_tells_the_member_privately_and_audit_lists_it(slack: Slack) -> None:
    root = await slack.ask()
    await slack.answer(root, HELPER)

    await slack.command("/mod", f"warn <@{HELPER}|helper> be kind", user=MOD)

    assert "warned privately" in slack.responses()[-1]
    assert any("be kind" in t for t in dms_to(slack, HELPER))
    await slack.command("/mod", f"audit <@{HELPER}|helper>", user=MOD)
    assert "warn" in slack.responses()[-1] and "be kind" in slack.responses()[-1]
    await slack.command("/mod", "audit", user=MOD)
    assert "Recent moderator actions" in slack.responses()[-1]
    await slack.command("/mod", "reports", user=MOD)
    assert slack.responses()[-1] == "No open reports."


async def test_a_member_never_seen_can_be_warned(slack: Slack) -> None:
    await slack.command("/mod", f"warn <@{HELPER2}|helper2> hi", user=MOD)

    assert f"<@{HELPER2}>" in slack.responses()[-1]


# -- thanks ---------------------------------------------------------------------------------------


async def test_thanks_with_a_mention_credits_and_offers_the_solution(slack: Slack) -> None:
    root = await slack.ask()
    await slack.answer(root, HELPER)
    await slack.answer(root, HELPER2, "Or ask IT.")

    await reply_in_thread(slack, root, ASKER, f"thanks <@{HELPER}>, that worked!")

    assert slack.points(HELPER) == 2 and slack.points(HELPER2) == 0
    assert any("thanked you" in t for t in dms_to(slack, HELPER))
    offer = next(e for e in slack.fake.ephemeral if e.get("user") == ASKER and e.get("blocks"))
    button = offer["blocks"][-1]["elements"][0]
    assert button["action_id"] == ids.THANKS_OFFER_ACCEPT

    clicked = sp.button(ids.THANKS_OFFER_ACCEPT, button["value"])
    message = sp.shortcut_message(user=ASKER, text="thanks", thread_ts=root)
    await slack.interaction(
        sp.block_actions(user_id=ASKER, actions=[clicked], channel_id=HELP, message=message)
    )
    assert slack.question_status() == "solved"
    assert slack.points(HELPER) == 17


async def test_thanks_without_a_mention_credits_the_only_other_participant(slack: Slack) -> None:
    root = await slack.ask()
    await slack.answer(root, HELPER)

    await reply_in_thread(slack, root, ASKER, "thx!")

    assert slack.points(HELPER) == 2


async def test_sarcastic_thanks_earns_nothing(slack: Slack) -> None:
    root = await slack.ask()
    await slack.answer(root, HELPER)

    await reply_in_thread(slack, root, ASKER, "thanks for nothing")

    assert slack.points(HELPER) == 0


async def test_slash_thanks(slack: Slack) -> None:
    root = await slack.ask()
    await slack.answer(root, HELPER)

    await slack.command("/thanks", f"<@{HELPER}|helper> #1")

    assert slack.points(HELPER) == 2
    assert f"<@{HELPER}> was thanked (+2)" in slack.responses()[-1]
    await slack.command("/thanks", "")
    assert slack.responses()[-1] == "Usage: /thanks @member [question]"


async def test_slash_thanks_naming_a_link_that_is_no_question_is_refused_like_a_bad_number(
    slack: Slack,
) -> None:
    """`/thanks @x #99` says the question is not found; a link to a message that is no
    question must too, rather than thank (and pay) as if no question had been named."""

    root = await slack.ask()
    await slack.answer(root, HELPER)
    link = f"<https://fake.slack.com/archives/{HELP}/p1600000000000100>"

    await slack.command("/thanks", f"<@{HELPER}|helper> #99")
    await slack.command("/thanks", f"<@{HELPER}|helper> {link}")

    assert slack.points(HELPER) == 0
    [by_number, by_link] = slack.responses()
    assert by_link == by_number == "I can't find that question. Check its number or link."
    question_link = f"<https://fake.slack.com/archives/{HELP}/p{root.replace('.', '')}>"
    await slack.command("/thanks", f"<@{HELPER}|helper> {question_link}")
    assert slack.points(HELPER) == 2


# -- reports --------------------------------------------------------------------------------------


async def report(
    slack: Slack,
    root: str,
    reply: str,
    reporter: str = OTHER,
    text: str = "Buy cheap pills",
    author: str = HELPER,
    reason: str = "spam",
    **fields: Any,
) -> dict[str, Any]:
    """Run the shortcut on `author`'s reply (with its other message `fields`) and submit
    `reason`; returns the moderators' latest post."""

    message = sp.shortcut_message(user=author, text=text, ts=reply, thread_ts=root, **fields)
    await slack.interaction(
        sp.message_shortcut(
            callback_id=ids.REPORT_SHORTCUT, user_id=reporter, channel_id=HELP, message=message
        )
    )
    call = slack.fake.last_call("views.open")
    assert call.ok, call.response
    view = slack.fake.views[call.response["view"]["id"]]
    assert view["callback_id"] == ids.REPORT_MODAL
    values = {ids.REPORT_REASON_BLOCK: {ids.REPORT_REASON_ACTION: sp.plain_text_value(reason)}}
    await slack.interaction(sp.view_submission(user_id=reporter, view=view, values=values))
    posts = [m for m in slack.fake.messages_in(MODS) if m.get("bot_id")]
    assert posts, "no report in the moderators' channel"
    return posts[-1]


# A message in the thread the bot never recorded (sent before it joined, say), so the report's
# excerpt is the one the shortcut gives: for a message it has, the core falls back to its own
# excerpt when the shortcut gives none.
UNRECORDED = "1600000000.000100"


async def test_a_reported_message_s_mentions_are_named(mods: Slack) -> None:
    """The shortcut's message text has bare mentions (`<@U0MOD>`): the report showed
    `@U0MOD` in its excerpt; now the member's name."""

    root = await mods.ask()
    text = f"Pay <@{MOD}> for cheap pills"

    post = await report(mods, root, UNRECORDED, text=text)

    assert '"Pay @mod for cheap pills"' in post["text"]


async def test_the_report_form_opens_in_time_when_slack_is_slow_to_name_mentions(
    mods: Slack,
) -> None:
    """The shortcut names the message's mentions before it opens the form, and the click's
    trigger id lasts 3 seconds: a rate-limited `users.info` (Retry-After 3) made the form
    open too late (`expired_trigger_id`), so the member could not report at all. Past a
    second the form opens with the unnamed mention as an id, and a name Slack gave before
    (the moderator's, read when the answer was recorded) is still used."""

    root = await mods.ask()
    await report(mods, root, await mods.answer(root, HELPER, "first"))  # reporter known
    text = f"Pay <@U0STRANGER> or <@{MOD}> for cheap pills"
    reply = await mods.answer(root, HELPER, text)
    mods.fake.fail_next("users.info", retry_after=3)
    message = sp.shortcut_message(user=HELPER, text=text, ts=reply, thread_ts=root)
    await mods.interaction(
        sp.message_shortcut(
            callback_id=ids.REPORT_SHORTCUT, user_id=OTHER, channel_id=HELP, message=message,
            trigger_id=mods.fake.new_trigger_id(),
        )
    )  # fmt: skip

    call = mods.fake.last_call("views.open")
    assert call.ok, call.response
    meta = json.loads(mods.fake.views[call.response["view"]["id"]]["private_metadata"])
    assert meta["text"] == "Pay @U0STRANGER or @mod for cheap pills"


def _links(count: int) -> str:
    """`count` links with 200-character addresses and short labels (`doc 0`, ...)."""

    return " ".join(f"<https://example.com/{'a' * 200}/{n}|doc {n}>" for n in range(count))


FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one grapheme of five code points


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        # Long in markup, short in words: the whole of it, named and unescaped.
        (
            f"Read {_links(8)} from <@{MOD}> &amp; thanks",
            f"Read {' '.join(f'doc {n}' for n in range(8))} from @mod &amp; thanks",
        ),
        # 400 characters of words: cut to the core's 300, and the cut marked.
        ("&amp;" * 400, "&amp;" * 299 + "…"),
        ("x" * 298 + FAMILY + "y" * 2_000, "x" * 298 + "…"),
        # Outside the BMP: as JSON's ASCII escapes, 300 came to more than the form holds.
        ("\U0001f600" * 400, "\U0001f600" * 299 + "…"),
    ],
    ids=["links", "entities", "emoji", "astral"],
)
async def test_a_reported_message_is_cut_as_words_and_the_cut_is_marked(
    mods: Slack, text: str, shown: str
) -> None:
    """The shortcut cut the message's markup at 1,500 characters before it was turned into
    words: a cut inside a link left `<https://example.com/aaa…` in the excerpt, and 400
    `&amp;` became 300 `&` the core did not cut again, so the excerpt ended without a mark.
    Now the words are cut, on a grapheme, with `…` (the excerpt is mrkdwn: `&` is
    `&amp;`)."""

    root = await mods.ask()

    post = await report(mods, root, UNRECORDED, text=text)

    assert f'"{shown}"' in post["text"]


def _file(name: str | None, title: str | None = None) -> dict[str, Any]:
    """A file in a message as Slack sends it: the fields the shortcut reads, and some."""

    found: dict[str, Any] = {"id": "F0FILE", "mimetype": "text/plain", "size": 1024}
    return found | ({"name": name} if name else {}) | ({"title": title} if title else {})


@pytest.mark.parametrize(
    ("text", "files", "words", "listed"),
    [
        ("", [_file("report.pdf", "Q3 report")], "", "[report.pdf]"),
        (
            "See <@U0MOD> &amp; these",
            [_file("report.pdf"), _file(None, "Screenshot"), _file(None)],
            "See @mod & these",
            "[report.pdf, Screenshot, file]",
        ),
        # Long words: cut, with the names kept after them.
        ("word " * 100, [_file("report.pdf")], "word word word", "[report.pdf]"),
        # Many names: at most half the excerpt, the words the rest.
        ("x" * 400, [_file(f"{n}" * 20 + ".log") for n in range(9)], "x" * 148 + "…", "[000"),
    ],
    ids=["only a file", "words and files", "long words", "many files"],
)
async def test_a_reported_message_s_files_are_named_in_its_excerpt(
    mods: Slack, text: str, files: list[dict[str, Any]], words: str, listed: str
) -> None:
    """The shortcut took only the message's text: a message that is only a file was
    reported with no excerpt at all, and one with words and files without the files. Now
    the files' names follow the words, as a question or an answer names its own, within
    the core's 300 characters (the words cut to leave them room, and the names to half)."""

    root = await mods.ask()

    post = await report(mods, root, UNRECORDED, text=text, files=files)

    ((excerpt,),) = mods.rows("SELECT excerpt FROM reports")
    assert len(excerpt) <= 300
    if words:
        said, names = excerpt.split("\n")
        assert said.startswith(words) and names.startswith(listed)
        if len(text) > 300:  # (both cut and marked, and together the whole 300)
            assert said.endswith("…") and len(excerpt) >= 298
            assert names.endswith("]" if len(files) == 1 else "…") and len(names) <= 150
        else:
            assert said == words and names == listed
    else:
        assert excerpt == listed
    assert excerpt.split("\n")[-1] in post["text"]  # (the names, shown to the moderators)


async def click(slack: Slack, post: dict[str, Any], action_id: str, user: str = MOD) -> None:
    button = next(
        e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]
        if e["action_id"] == action_id
    )  # fmt: skip
    clicked = sp.button(action_id, button["value"])
    await slack.interaction(
        sp.block_actions(user_id=user, actions=[clicked], channel_id=MODS, message=post)
    )


def report_status(slack: Slack) -> str:
    return str(slack.rows("SELECT status FROM reports")[0][0])


async def test_report_reaches_moderators_without_the_reporter(mods: Slack) -> None:
    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")

    post = await report(mods, root, reply)

    assert "Report #1" in post["text"] and "spam" in post["text"]
    assert OTHER not in str(post)
    # It links the reported message, so moderators see it in place.
    link = f"https://fake-community.slack.com/archives/{HELP}/p{reply.replace('.', '')}"
    (context,) = [b for b in post["blocks"] if b["type"] == "context"]
    label = context["elements"][0]["text"]
    assert label.startswith(f"<{link}?thread_ts=") and label.endswith("|Open the message>")
    buttons = [e["action_id"] for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]  # fmt: skip
    assert buttons == list(ids.REPORT_BUTTONS)
    assert any("Your report #1" in t for t in mods.ephemeral_to(OTHER))


async def test_a_report_not_filed_gives_the_reporter_their_reason_back(mods: Slack) -> None:
    """The form is closed once submitted (only an empty reason keeps it open): a reason the
    core refused was lost. Now it comes back after the refusal, as it was typed."""

    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")
    await report(mods, root, reply)

    await report(mods, root, reply, reason="Selling <pills> & more,\nagain.")

    refusal, intro, *back = mods.ephemeral_to(OTHER)[-1].split("\n")
    assert "already reported" in refusal
    assert intro == "Here is what you wrote, so you can use it again:"
    assert back == ["Selling &lt;pills&gt; &amp; more,", "again."]
    assert mods.count("reports") == 1


async def test_report_dismiss_removes_the_buttons(mods: Slack) -> None:
    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")
    post = await report(mods, root, reply)

    await click(mods, post, ids.REPORT_DISMISS)

    assert report_status(mods) == "dismissed"
    updated = mods.fake.find_message(MODS, post["ts"]) or {}
    assert all(b["type"] != "actions" for b in updated["blocks"])
    assert f"<@{MOD}>" in updated["text"]


async def test_report_delete_when_slack_refuses_asks_for_a_manual_delete(mods: Slack) -> None:
    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")
    post = await report(mods, root, reply)

    await click(mods, post, ids.REPORT_DELETE)

    assert report_status(mods) == "deleted"
    assert mods.fake.last_call("chat.delete").response.get("error") == "cant_delete_message"
    assert any("remove it by hand" in t for t in mods.ephemeral_to(MOD))


async def test_a_reported_question_deleted_is_quoted_no_more_by_the_bot_s_reply(
    mods: Slack,
) -> None:
    """A reported question deleted through its report: the bot's "Question #1 opened: <first
    line>" reply still quoted it (and the member's message, once removed by hand, changed
    nothing more: the core had deleted the question already)."""

    root = await mods.ask("Free crypto at scam.example, DM me\nReally")
    post = await report(mods, root, root, text="Free crypto at scam.example, DM me", author=ASKER)

    await click(mods, post, ids.REPORT_DELETE)

    assert report_status(mods) == "deleted"
    assert mods.thread_posts(root)[0]["text"] == "Question #1 was deleted."


async def test_report_delete_of_a_gone_message(mods: Slack) -> None:
    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")
    post = await report(mods, root, reply)
    mods.fake.fail_next("chat.delete", "message_not_found")

    await click(mods, post, ids.REPORT_DELETE)

    assert any("already gone" in t for t in mods.ephemeral_to(MOD))


async def test_report_warn_never_names_the_reporter_to_the_author(mods: Slack) -> None:
    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")
    post = await report(mods, root, reply)

    await click(mods, post, ids.REPORT_WARN)

    assert report_status(mods) == "warned"
    seen = dms_to(mods, HELPER) + mods.ephemeral_to(HELPER)
    seen += [m["text"] for m in mods.fake.messages_in(HELP)]
    assert any("warning" in t for t in seen)
    assert not any(OTHER in t for t in seen)


async def test_a_member_cannot_resolve_a_report(mods: Slack) -> None:
    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")
    post = await report(mods, root, reply)

    await click(mods, post, ids.REPORT_DISMISS, user=HELPER2)

    assert report_status(mods) == "open"
    assert ("report_resolve", "refused") in audit(mods)
    # Beside the report post, not in a thread opened under it.
    [refusal] = [e for e in mods.fake.ephemeral if e["user"] == HELPER2]
    assert "Only moderators" in refusal["text"]
    assert refusal["channel"] == MODS and not refusal.get("thread_ts")


# -- odd numbers ----------------------------------------------------------------------------------


async def test_odd_numbers_in_mod_commands_get_usage_not_an_apology(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """`²` passes str.isdigit() but not int(), and int() refuses more than 4300 digits: both
    are typos a moderator can make, answered with the usage, never "Something went wrong"."""

    root = await slack.ask()
    await slack.answer(root, HELPER)
    huge = "9" * 5000
    typed = [
        "report ² dismiss", f"report {huge} dismiss", "rep revert ²", f"rep revert #{huge}",
    ]  # fmt: skip
    for text in typed:
        await slack.command("/mod", text, user=MOD)

    answers = slack.responses()
    assert len(answers) == len(typed)
    assert answers[:2] == ["Usage: /mod report &lt;id&gt; dismiss|delete|warn [reason]"] * 2
    assert all(a.startswith("Usage: /mod rep add|remove") for a in answers[2:]), answers
    assert not [r for r in caplog.records if r.exc_info]


async def test_rep_add_with_a_negative_number_is_refused_not_flipped(slack: Slack) -> None:
    member = f"<@{HELPER}|helper>"

    await slack.command("/mod", f"rep add {member} -5 meant to remove", user=MOD)
    await slack.command("/mod", f"rep remove {member} -5 meant to add", user=MOD)

    assert slack.points(HELPER) == 0
    assert all(a.startswith("Usage: /mod rep add|remove") for a in slack.responses())
    assert len(slack.responses()) == 2


async def test_report_outcome_is_read_in_any_case_like_the_sub_command(mods: Slack) -> None:
    """`/MOD REPORT 1 DISMISS`: the sub-command is case-blind, so the outcome is too."""

    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")
    await report(mods, root, reply)

    await mods.command("/mod", "REPORT #1 Dismiss not spam", user=MOD)

    assert report_status(mods) == "dismissed"
    assert not any(r.startswith("Usage") for r in mods.responses())


async def test_member_text_in_moderator_lists_is_shown_as_text_not_markup(mods: Slack) -> None:
    """A reporter's reason (typed in a form: Slack escapes nothing there) and an audited
    reason are words, not links or @channel pings; the members in the list stay mentions."""

    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")
    message = sp.shortcut_message(user=HELPER, text="Buy cheap pills", ts=reply, thread_ts=root)
    await mods.interaction(
        sp.message_shortcut(
            callback_id=ids.REPORT_SHORTCUT, user_id=OTHER, channel_id=HELP, message=message
        )
    )
    view = mods.fake.views[mods.fake.last_call("views.open").response["view"]["id"]]
    hostile = "<https://evil.example|Open the report> <!channel>"
    values = {ids.REPORT_REASON_BLOCK: {ids.REPORT_REASON_ACTION: sp.plain_text_value(hostile)}}
    await mods.interaction(sp.view_submission(user_id=OTHER, view=view, values=values))
    await mods.command(
        "/mod", "close 1 &lt;!everyone&gt; see &lt;https://x.example|here&gt;", user=MOD
    )

    await mods.command("/mod", "reports", user=MOD)
    await mods.command("/mod", "audit #1", user=MOD)

    reports, audited = mods.responses()[-2:]
    assert "&lt;https://evil.example|Open the report&gt; &lt;!channel&gt;" in reports
    assert f"<@{HELPER}>" in reports
    assert "&lt;!everyone&gt;" in audited and "&lt;https://x.example|here&gt;" in audited
    assert f"<@{MOD}>" in audited


async def test_a_shortcut_or_report_form_naming_no_message_is_answered_privately(
    mods: Slack,
) -> None:
    """A payload whose message has no `ts` (forged, or a message Slack no longer has) gets a
    clear private answer, not "Something went wrong", and changes nothing. The answer says
    what to do, and does not claim the message was deleted (that is the moderators' reply
    when Slack says so)."""

    gone = "I couldn't tell which message that was. Try again from the message's ⋮ menu."
    root = await mods.ask()
    reply = await reply_in_thread(mods, root, HELPER, "Try the reset link.")
    message = sp.shortcut_message(user=HELPER, text="Buy cheap pills", ts=reply, thread_ts=root)
    del message["ts"]
    for callback_id in ("mark_solution", ids.REPORT_SHORTCUT):
        shortcut = sp.message_shortcut(
            callback_id=callback_id, user_id=ASKER, channel_id=HELP, message={**message, "ts": ""},
            response_url=mods.fake.new_response_url(channel=HELP),
        )  # fmt: skip
        del shortcut["message_ts"]
        delivery = await mods.interaction(shortcut)
        assert delivery.status == 200
    metadata = json.dumps({"channel": HELP, "thread_ts": root, "author": HELPER, "text": "x"})
    values = {ids.REPORT_REASON_BLOCK: {ids.REPORT_REASON_ACTION: sp.plain_text_value("spam")}}
    await mods.interaction(
        sp.view_submission(
            user_id=OTHER, callback_id=ids.REPORT_MODAL, private_metadata=metadata, values=values
        )
    )

    private = mods.responses() + mods.ephemeral_to(ASKER) + mods.ephemeral_to(OTHER)
    assert [t for t in private if not t.startswith("Welcome")] == [gone] * 3
    assert mods.fake.calls_to("views.open") == []
    assert mods.question_status() == "open" and mods.count("reports") == 0


async def test_moderator_replies_escape_the_catalog_words_once(mods: Slack) -> None:
    """A moderation text with `&` in it (a translation may have one) shows it as written in
    every /mod reply: escaped once, as mrkdwn asks, never `&amp;amp;` (shown as `&amp;`)."""

    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")
    await report(mods, root, reply)
    mods.core.bot.catalog = MarkedCatalog("Q&A: ", "moderation.", "report.")
    for typed in (
        "reports", f"rep add <@{HELPER}|helper> 5 kind", f"warn <@{HELPER}|h> rude",
        "close 1 stale &amp; old", "audit #1", f"helpban <@{HELPER}|h> 7d spam", "report 1 dismiss",
    ):  # fmt: skip
        await mods.command("/mod", typed, user=MOD)

    answers = mods.responses()[-7:]
    assert [a for a in answers if "&amp;amp;" in a or "Q&amp;A" not in a] == []
    # (Slack sends what was typed escaped: the reason is "stale & old".)
    assert f"<@{HELPER}>" in answers[0] and "— stale &amp; old" in answers[4]


# -- who is named where -----------------------------------------------------------------------


def _in_post(message: dict[str, Any]) -> str:
    """All a moderators' post shows: its text and its blocks."""

    return message["text"] + json.dumps(message.get("blocks") or [], ensure_ascii=False)


async def test_a_report_names_its_author_by_name_where_a_mention_would_ping_them(
    mods: Slack,
) -> None:
    """The report's post names the author by display name: Slack has no mention that does
    not notify whoever can read the channel, and a reported member (or a reported moderator)
    may read it. The outcome line a moderator's button adds to that post named the author
    by mention (`<@U0HELPER> warned`), notifying them there; it now names them as the post
    does. The moderator's own private note keeps the mention (ephemeral: nobody notified).
    A name that looks like markup stays words."""

    mods.fake.users[HELPER]["profile"]["display_name"] = "Hal <@U0ADMIN> & co"
    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")
    post = await report(mods, root, reply)
    shown = "Hal &lt;@U0ADMIN&gt; &amp; co"
    assert f"by {shown} in #1" in post["text"] and f"<@{HELPER}>" not in _in_post(post)

    await click(mods, post, ids.REPORT_WARN)

    updated = mods.fake.find_message(MODS, post["ts"]) or {}
    assert f"Report #1: {shown} warned. (by <@{MOD}>)" in updated["text"]
    assert f"<@{HELPER}>" not in _in_post(updated) and "<@U0ADMIN>" not in _in_post(updated)
    assert f"Report #1: <@{HELPER}> warned." in mods.ephemeral_to(MOD)


@pytest.mark.parametrize("anonymous", [True, False])
async def test_a_report_on_an_ask_question_names_neither_the_bot_nor_an_anonymous_asker(
    anonymous_mods: Slack, anonymous: bool
) -> None:
    """An /ask question's root is the bot's message: the report named the bot as its author
    ('on a message by communitybot'), and Warn the author would have warned the bot. The bot
    is now no author; the core names the question's asker (it knows who asked), and for an
    anonymous question the post, its outcome line and the moderator's notes say "an unknown
    member", never who asked, by name or by mention."""

    flag = "--anonymous " if anonymous else ""
    await anonymous_mods.command("/ask", f"{flag}Can I see the salaries?")
    root = anonymous_mods.fake.calls_to("chat.postMessage")[0].response["message"]
    message = sp.shortcut_message(
        user=root["user"], text=root["text"], ts=root["ts"], bot_id=root["bot_id"]
    )
    await anonymous_mods.interaction(
        sp.message_shortcut(
            callback_id=ids.REPORT_SHORTCUT, user_id=OTHER, channel_id=HELP, message=message
        )
    )
    view = anonymous_mods.fake.views[
        anonymous_mods.fake.last_call("views.open").response["view"]["id"]
    ]
    reason = {ids.REPORT_REASON_BLOCK: {ids.REPORT_REASON_ACTION: sp.plain_text_value("x")}}
    await anonymous_mods.interaction(sp.view_submission(user_id=OTHER, view=view, values=reason))
    (post,) = [m for m in anonymous_mods.fake.messages_in(MODS) if m.get("bot_id")]
    if not anonymous:  # the core knows who wrote the question: its asker
        assert "on a message by asker in #1" in post["text"]
        await click(anonymous_mods, post, ids.REPORT_WARN)
        assert report_status(anonymous_mods) == "warned"
        updated = anonymous_mods.fake.find_message(MODS, post["ts"]) or {}
        assert "Report #1: asker warned." in updated["text"]
        assert "communitybot" not in _in_post(updated) + "".join(anonymous_mods.ephemeral_to(MOD))
        return
    assert "on a message by an unknown member in #1" in post["text"]
    await click(anonymous_mods, post, ids.REPORT_WARN)
    assert report_status(anonymous_mods) == "open"  # (no one to warn)
    await click(anonymous_mods, post, ids.REPORT_DISMISS)

    updated = anonymous_mods.fake.find_message(MODS, post["ts"]) or {}
    assert "Report #1 dismissed." in updated["text"]
    notes = anonymous_mods.ephemeral_to(MOD)
    assert any("no one to warn" in n for n in notes)
    assert "communitybot" not in _in_post(updated) + "".join(notes)
    for shown in [_in_post(updated), *notes]:
        assert ASKER not in shown and "asker" not in shown.lower().replace("asked", "")


async def test_a_moderator_resolving_a_report_in_their_anonymous_question_is_not_named(
    anonymous_mods: Slack,
) -> None:
    """A moderator who asked anonymously resolves a report on an answer in their question:
    the report's post said "(by @moderator)" beside a thread whose asker is hidden, and so
    told the other moderators who asked. It now says "a moderator"."""

    await anonymous_mods.command("/ask", "--anonymous Who can see my salary?", user=MOD)
    root = anonymous_mods.fake.calls_to("chat.postMessage")[0].response["message"]["ts"]
    reply = await anonymous_mods.answer(root, HELPER, "Buy cheap pills")
    post = await report(anonymous_mods, root, reply)
    await click(anonymous_mods, post, ids.REPORT_DISMISS)

    updated = anonymous_mods.fake.find_message(MODS, post["ts"]) or {}
    assert "Report #1 dismissed. (by a moderator)" in updated["text"]
    assert MOD not in _in_post(updated)


async def test_a_report_on_another_bot_post_names_no_author(mods: Slack) -> None:
    """Any post of the bot's, not only an /ask question's root (which the core names by its
    asker, see the test above), is reported without an author: the shortcut's message names
    the bot's user, and the report said 'by communitybot' and Warn warned the bot. Here the
    question's card in its thread: an unknown member, and no one to warn."""

    root = await mods.ask()
    card = mods.thread_posts(root)[0]
    assert card["user"] == mods.fake.bot_user_id

    post = await report(
        mods, root, card["ts"], text=card["text"], author=card["user"], bot_id=card["bot_id"]
    )
    assert "on a message by an unknown member in #1" in post["text"]
    await click(mods, post, ids.REPORT_WARN)

    assert report_status(mods) == "open"
    assert any("no one to warn" in note for note in mods.ephemeral_to(MOD))
    shown = _in_post(mods.fake.find_message(MODS, post["ts"]) or {})
    assert "communitybot" not in shown + "".join(mods.ephemeral_to(MOD))
    assert mods.fake.bot_user_id not in shown


async def test_members_broadcasts_stay_words_wherever_the_bot_shows_their_text(
    mods: Slack,
) -> None:
    """A member's `@channel`, group mention or link with its own words, in a question or an
    answer, is shown by the bot (suggestions, /questions, App Home, /kb search, a report in
    the moderators' channel, /mod reports) as words, never markup that would ping."""

    loud = "<!channel> <!subteam^S0MODS|@mods> VPN down, see <https://evil.example|the docs>"
    root = await mods.ask(f"{loud} how do I fix the VPN?")
    reply = await mods.answer(root, HELPER, f"{loud} reinstall the VPN client")
    await mods.mark_solution(root, reply)
    await mods.ask(f"{loud} the VPN is down again, how do I fix the VPN?", user=OTHER)
    await mods.command("/questions", user=OTHER)
    await mods.event(sp.app_home_opened_event(user=OTHER))
    await mods.command("/kb", "search VPN", user=OTHER)
    await report(mods, root, reply, text=f"{loud} reinstall the VPN client")
    await mods.command("/mod", "reports", user=MOD)

    shown = [json.dumps(c.params) for c in mods.fake.calls
             if c.method.startswith(("chat.", "views."))]  # fmt: skip
    shown += [json.dumps(c.body) for c in mods.fake.response_url_calls]
    assert any("VPN" in s for s in shown) and len(shown) > 8
    for payload in shown:
        assert "<!" not in payload and "<https://evil.example|" not in payload, payload
