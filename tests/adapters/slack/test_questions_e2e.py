"""Help-channel stories end to end: ask, answer, accept (shortcut, reaction), over signed HTTP."""

from __future__ import annotations

from adapters.slack.people import MAX_NAMED
from tests.adapters.slack.conftest import ASKER, HELP, HELPER, MOD, OTHER, Slack
from tests.fakes import slack_payloads as sp


async def test_question_gets_a_threaded_reply_with_how_to_mark(slack: Slack) -> None:
    root = await slack.ask("How do I reset my password?")

    assert slack.count("questions") == 1
    posts = slack.thread_posts(root)
    assert len(posts) == 1
    assert "Question #1 opened: How do I reset my password?" in posts[0]["text"]
    assert "Mark as solution" in posts[0]["text"]
    assert "/solved" in posts[0]["text"]
    assert posts[0]["blocks"][0]["type"] == "section"


async def test_half_an_emoji_still_opens_a_question(slack: Slack) -> None:
    # An event's JSON can carry a lone surrogate escape ("\\ud83d": half an emoji), which
    # no database stores; the question used to fail with "something went wrong".
    root = await slack.ask("Printer \ud83d offline")
    reply = await slack.answer(root, text="Restart the spooler \ude00")

    assert slack.count("questions") == 1 and slack.count("messages") == 1
    posts = slack.thread_posts(root)
    assert "Question #1 opened: Printer \ufffd offline" in posts[0]["text"]
    await slack.mark_solution(root, reply)
    assert slack.question_status() == "solved"


async def test_answer_then_accept_with_the_shortcut(slack: Slack) -> None:
    root = await slack.ask()
    reply = await slack.answer(root)
    assert slack.count("messages") == 1

    delivery = await slack.mark_solution(root, reply)

    assert delivery.status == 200
    assert slack.question_status() == "solved"
    assert slack.points(HELPER) == 15
    assert slack.points(ASKER) == 2
    public = [m["text"] for m in slack.thread_posts(root)]
    assert any("#1 solved" in t and f"<@{HELPER}>" in t for t in public)
    assert any("Marked" in t for t in slack.ephemeral_to(ASKER))
    assert slack.root_reactions(root) == ["white_check_mark"]


async def test_non_asker_cannot_accept_with_the_shortcut(slack: Slack) -> None:
    root = await slack.ask()
    reply = await slack.answer(root)
    slack.fake.clear_calls()

    await slack.mark_solution(root, reply, user=OTHER)

    assert slack.question_status() == "open"
    assert slack.count("ledger") == 0
    assert slack.fake.calls_to("chat.postMessage") == []
    assert slack.fake.calls_to("reactions.add") == []
    assert any("Only the person who asked" in t for t in slack.ephemeral_to(OTHER))


async def test_check_reaction_by_the_asker_accepts(slack: Slack) -> None:
    root = await slack.ask()
    reply = await slack.answer(root)

    await slack.event(
        sp.reaction_added_event(
            user=ASKER,
            reaction="white_check_mark",
            channel=HELP,
            message_ts=reply,
            item_user=HELPER,
        )
    )

    assert slack.question_status() == "solved"
    assert slack.points(HELPER) == 15
    assert slack.root_reactions(root) == ["white_check_mark"]


async def test_check_reaction_by_someone_else_is_silent(slack: Slack) -> None:
    root = await slack.ask()
    reply = await slack.answer(root)
    slack.fake.clear_calls()

    await slack.event(
        sp.reaction_added_event(
            user=OTHER,
            reaction="white_check_mark",
            channel=HELP,
            message_ts=reply,
            item_user=HELPER,
        )
    )

    assert slack.question_status() == "open"
    assert slack.count("ledger") == 0
    posting = {"chat.postMessage", "chat.postEphemeral", "reactions.add"}
    assert [c.method for c in slack.fake.calls if c.method in posting] == []


async def test_messages_outside_question_threads_are_ignored_quietly(slack: Slack) -> None:
    loose = slack.fake.add_message(HELP, "hello", user=OTHER)
    slack.fake.clear_calls()
    await slack.event(
        sp.message_event(channel=HELP, user=HELPER, text="hi", thread_ts=loose["ts"])
    )  # a thread the bot never opened as a question (e.g. before it was installed)
    await slack.event(sp.message_event(channel="C0GENERAL", user=ASKER, text="Lunch?"))
    await slack.event(sp.bot_message_event(channel=HELP, text="Deploy finished", bot_id="B0CI"))

    assert slack.count("questions") == 0 and slack.count("messages") == 0
    assert [c.method for c in slack.fake.calls if c.method.startswith("chat.")] == []


async def test_the_askers_own_reply_is_not_an_answer(slack: Slack) -> None:
    root = await slack.ask()
    mine = await slack.answer(root, ASKER, "More detail: it's the VPN password.")

    await slack.mark_solution(root, mine)

    assert slack.question_status() == "open"
    assert slack.count("ledger") == 0
    assert any("can't mark your own message" in t for t in slack.ephemeral_to(ASKER))


async def test_a_moderator_can_accept_for_the_asker(slack: Slack) -> None:
    root = await slack.ask()
    reply = await slack.answer(root)

    await slack.mark_solution(root, reply, user="U0ADMIN")

    assert slack.question_status() == "solved"
    assert slack.points(HELPER) == 15 and slack.points(ASKER) == 0


async def test_mentions_and_removed_checks_that_marked_nothing_change_nothing(
    slack: Slack,
) -> None:
    """(A member's edit is test_edits_e2e's, a deletion test_deletions_e2e's, a ✅ taken off
    by the member whose ✅ marked the answer test_unaccept_e2e's.)"""

    root = await slack.ask()
    reply = await slack.answer(root)
    await slack.mark_solution(root, reply)
    before = (slack.count("questions"), slack.count("messages"), slack.count("ledger"))
    slack.fake.clear_calls()

    for event in (
        sp.app_mention_event(channel=HELP, user=OTHER, text="<@U0BOT> help?"),
        sp.reaction_removed_event(
            user=OTHER, reaction="white_check_mark", channel=HELP, message_ts=reply
        ),
    ):
        delivery = await slack.event(event)
        assert delivery.status == 200, event

    assert (slack.count("questions"), slack.count("messages"), slack.count("ledger")) == before
    assert slack.question_status() == "solved"
    assert slack.bot_said() == []


async def test_a_file_with_no_caption_is_a_question_and_an_answer(slack: Slack) -> None:
    """As on Discord, an upload with no words is kept as its file names (`[a.png]`): a
    question in a help channel, an answer in a question's thread; never "empty"."""

    shot = slack.fake.add_message(HELP, "", user=ASKER)
    files = [sp.file_object("error.png", user=ASKER)]
    await slack.event(sp.file_share_event(channel=HELP, user=ASKER, files=files, ts=shot["ts"]))
    root = str(shot["ts"])

    assert slack.count("questions") == 1
    assert "Question #1 opened: [error.png]" in slack.thread_posts(root)[0]["text"]
    assert not [t for t in slack.ephemeral_to(ASKER) if "empty" in t]

    log = slack.fake.add_message(HELP, "", user=HELPER, thread_ts=root)
    files = [sp.file_object("fix.log", user=HELPER), sp.file_object("a&b.txt", user=HELPER)]
    await slack.event(
        sp.file_share_event(
            channel=HELP, user=HELPER, files=files, ts=log["ts"], thread_ts=root,
            parent_user_id=ASKER,
        )
    )  # fmt: skip

    assert slack.rows("SELECT excerpt FROM messages") == [("[fix.log, a&b.txt]",)]
    await slack.mark_solution(root, str(log["ts"]))
    assert slack.question_status() == "solved" and slack.points(HELPER) == 15


async def test_a_mention_in_a_message_is_kept_as_the_member_s_name(slack: Slack) -> None:
    """The Events API sends a message's mentions as bare ids (`<@U0HELPER>`); the core kept
    them as `@U0HELPER` in titles and excerpts, which Slack then shows as written: in the
    question's post, /questions, /kb show and promoted articles. They are named now; a
    member Slack cannot tell about stays an id."""

    root = await slack.ask(f"<@{HELPER}> how do I reset my password, <@U0NOBODY>?")
    await slack.answer(root, OTHER, f"Ask <@{MOD}> for the reset link &amp; wait")

    opened = slack.thread_posts(root)[0]["text"]
    assert "Question #1 opened: @helper how do I reset my password, @U0NOBODY?" in opened
    assert slack.rows("SELECT title FROM questions") == [
        ("@helper how do I reset my password, @U0NOBODY?",)
    ]
    assert slack.rows("SELECT excerpt FROM messages") == [("Ask @mod for the reset link & wait",)]
    await slack.command("/kb", "show #1", user=OTHER)
    assert "@mod for the reset link" in slack.responses()[-1]


async def test_naming_mentions_costs_at_most_max_named_lookups_per_message(slack: Slack) -> None:
    """Naming costs one cached `users.info` per mentioned member: a message with more
    mentions than `MAX_NAMED` asks about that many (the rest stay ids), and a name Slack
    gave is not asked for again."""

    for n in range(MAX_NAMED + 5):
        slack.fake.add_user(f"U0MANY{n:02}", display_name=f"many{n:02}")
    mentions = " ".join(f"<@U0MANY{n:02}>" for n in range(MAX_NAMED + 5))
    root = await slack.ask(f"who of {mentions}?")

    asked = [c.params.get("user") for c in slack.fake.calls_to("users.info")]
    assert sorted(u for u in asked if str(u).startswith("U0MANY")) == [
        f"U0MANY{n:02}" for n in range(MAX_NAMED)
    ]
    body = slack.rows("SELECT body FROM questions")[0][0]
    assert body.startswith("who of @many00 @many01") and f"@U0MANY{MAX_NAMED}" in body

    slack.fake.clear_calls()
    await slack.answer(root, OTHER, "<@U0MANY00> knows")
    assert "U0MANY00" not in [c.params.get("user") for c in slack.fake.calls_to("users.info")]


async def test_a_thank_you_or_an_ok_in_the_help_channel_is_no_question(slack: Slack) -> None:
    """Written at the top level instead of in a thread: no question, no thread reply, no
    reminders to come. A question after it opens as always."""

    for text in ("thanks <@UHELPER>!", "ok", "+1", ":pray:"):
        root = await slack.ask(text)
        assert slack.thread_posts(root) == []
    assert slack.count("questions") == 0
    root = await slack.ask("ok so why does the reset link expire?")
    assert slack.count("questions") == 1 and slack.thread_posts(root)
