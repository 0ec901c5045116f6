"""Slash commands, the /solved modal, suggestion buttons and App Home, over signed HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.slack import ids
from adapters.slack.long_text import units
from tests.adapters.slack.conftest import (
    ADMIN,
    ASKER,
    GROUPIE,
    HELP,
    HELPER,
    HELPER2,
    MOD,
    OTHER,
    Slack,
    make_slack,
)
from tests.fakes import slack_payloads as sp
from tests.fakes.slack_server import FakeSlack


def opened_view(slack: Slack) -> dict[str, Any]:
    call = slack.fake.last_call("views.open")
    assert call.ok, call.response
    return slack.fake.views[call.response["view"]["id"]]


def submission(
    slack: Slack, view: dict[str, Any], question: int, helpers: list[str], user: str = ASKER
) -> dict[str, Any]:
    values: dict[str, Any] = {
        ids.SOLVED_QUESTION_BLOCK: {
            ids.SOLVED_QUESTION_ACTION: sp.static_select_value(str(question), f"#{question}")
        }
    }
    if helpers:
        values[ids.helpers_block(question)] = {
            ids.SOLVED_HELPERS_ACTION: {
                "type": "checkboxes",
                "selected_options": [
                    {"text": {"type": "plain_text", "text": h}, "value": h} for h in helpers
                ],
            }
        }
    return sp.view_submission(user_id=user, view=view, values=values)


async def test_solved_opens_a_modal_preselecting_the_latest_question(slack: Slack) -> None:
    await slack.ask("First question here")
    root = await slack.ask("Second question here")
    await slack.answer(root, HELPER)
    await slack.answer(root, HELPER2, "Or ask IT.")

    delivery = await slack.command("/solved")

    assert delivery.status == 200 and delivery.text == ""
    view = opened_view(slack)
    assert view["callback_id"] == ids.SOLVED_MODAL
    select = view["blocks"][0]["element"]
    assert select["initial_option"]["value"] == "2"
    assert [o["value"] for o in select["options"]] == ["2", "1"]
    helpers = view["blocks"][1]
    assert helpers["block_id"] == ids.helpers_block(2)
    assert [o["value"] for o in helpers["element"]["options"]] == [HELPER, HELPER2]


def permalink(slack: Slack, ts: str) -> str:
    """A help channel message's link as Slack sends it in a command ("Copy link")."""

    return f"<https://{slack.fake.team_domain}.slack.com/archives/{HELP}/p{ts.replace('.', '')}>"


async def test_a_moderator_s_solved_by_link_opens_the_form_as_by_number(slack: Slack) -> None:
    """A moderator's `/solved #1` opened the form but `/solved <link to #1>` said "I can't
    find that question": a link was only looked for among the caller's own questions."""

    root = await slack.ask()
    await slack.answer(root)

    await slack.command("/solved", permalink(slack, root), user=MOD)

    view = opened_view(slack)
    assert view["blocks"][0]["element"]["initial_option"]["value"] == "1"
    assert [o["value"] for o in view["blocks"][1]["element"]["options"]] == [HELPER]


@pytest.mark.parametrize("named", ["1", "#1", "link"])
async def test_solved_for_someone_else_s_question_is_refused_before_the_form(
    slack: Slack, named: str
) -> None:
    """A member's `/solved 1` for another member's question opened its form (with its
    helpers), to be refused only once submitted; the reminder's button refused at once."""

    root = await slack.ask()
    await slack.answer(root)

    await slack.command("/solved", permalink(slack, root) if named == "link" else named, user=OTHER)

    assert slack.fake.calls_to("views.open") == []
    assert slack.responses() == ["Only the person who asked (or a moderator) can do that."]


async def test_solved_for_a_question_solved_already_says_so_not_nobody_answered(
    slack: Slack,
) -> None:
    """`/solved 1` for a solved question whose answerer is credited opened a form saying
    "Nobody else has answered yet, so no points will be given", though someone had answered
    and was credited. It says the question is solved; with an answerer not yet credited the
    form still opens, to credit them too."""

    root = await slack.ask()
    reply = await slack.answer(root)
    await slack.mark_solution(root, reply)

    await slack.command("/solved", "1")
    await slack.command("/solved", permalink(slack, root), user=MOD)

    assert slack.fake.calls_to("views.open") == []
    assert slack.responses()[-2:] == ["This question is already marked solved."] * 2

    await slack.answer(root, HELPER2, "Or ask IT.")
    await slack.command("/solved", "1")
    view = opened_view(slack)
    assert [o["value"] for o in view["blocks"][1]["element"]["options"]] == [HELPER2]


@pytest.mark.parametrize("slow", ["users.info", "usergroups.users.list"])
async def test_the_solved_form_opens_in_time_when_slack_is_slow_to_say_who_asks(
    slack: Slack, slow: str
) -> None:
    """/solved asked Slack who the member is (`users.info`, then the moderator groups)
    before it opened the form, and the command's trigger id lasts 3 seconds: with either
    call rate-limited (Retry-After 3, which slack_sdk waits out) the form opened too late
    (`expired_trigger_id`) and the member got an apology instead. Now the form opens with
    what is known after a second; the submission asks Slack again, and is decided then."""

    root = await slack.ask()
    await slack.answer(root, HELPER)
    slack.ticker.now += 301  # what Slack said about the asker is stale: /solved asks again
    slack.fake.fail_next(slow, retry_after=3)

    await slack.command("/solved", trigger_id=slack.fake.new_trigger_id())

    view = opened_view(slack)
    assert view["blocks"][0]["element"]["initial_option"]["value"] == "1"
    assert [o["value"] for o in view["blocks"][1]["element"]["options"]] == [HELPER]
    assert slack.responses() == []
    await slack.interaction(submission(slack, view, 1, [HELPER]))
    assert slack.question_status() == "solved" and slack.points(HELPER) == 15


async def test_solved_modal_submit_credits_each_chosen_helper(slack: Slack) -> None:
    root = await slack.ask()
    await slack.answer(root, HELPER)
    await slack.answer(root, HELPER2, "Or ask IT.")
    await slack.command("/solved", channel="C0GENERAL")
    view = opened_view(slack)

    delivery = await slack.interaction(submission(slack, view, 1, [HELPER, HELPER2]))

    assert delivery.status == 200
    assert slack.question_status() == "solved"
    assert slack.points(HELPER) == 15 and slack.points(HELPER2) == 15
    public = [m["text"] for m in slack.thread_posts(root) if "#1 solved" in m["text"]]
    assert len(public) == 1 and HELPER in public[0] and HELPER2 in public[0]
    assert slack.root_reactions(root) == ["white_check_mark"]
    assert slack.ephemeral_to(ASKER)[-1] == (
        f"Marked <@{HELPER}>, <@{HELPER2}>'s answer as a solution to #1.\n"
        f"+15 <@{HELPER}>, +2 <@{ASKER}>, +15 <@{HELPER2}>"
    )
    # The same submission again (a double click) changes nothing.
    await slack.interaction(submission(slack, view, 1, [HELPER, HELPER2]))
    assert slack.count("ledger") == 3


async def test_solved_modal_a_refused_helper_does_not_cost_the_others(slack: Slack) -> None:
    root = await slack.ask()
    first = await slack.answer(root, HELPER)
    await slack.answer(root, HELPER2, "Or ask IT.")
    await slack.command("/solved", channel="C0GENERAL")
    view = opened_view(slack)
    await slack.mark_solution(root, first)  # meanwhile, from the answer's ⋮ menu
    told = len(slack.ephemeral_to(ASKER))

    await slack.interaction(submission(slack, view, 1, [HELPER, HELPER2]))

    assert slack.points(HELPER) == 15 and slack.points(HELPER2) == 15
    # One private reply: who was credited, and who was not and why.
    assert slack.ephemeral_to(ASKER)[told:] == [
        f"Marked <@{HELPER2}>'s answer as a solution to #1.\n+15 <@{HELPER2}>\n"
        f"Skipped <@{HELPER}>: That answer is already marked as a solution."
    ]
    public = [m["text"] for m in slack.thread_posts(root) if "#1 solved" in m["text"]]
    assert public == [f"✅ #1 solved: <@{HELPER}> helped.", f"✅ #1 solved: <@{HELPER2}> helped."]


async def test_solved_modal_nobody_creditable_says_why_and_changes_nothing(slack: Slack) -> None:
    root = await slack.ask()
    await slack.answer(root, HELPER)
    await slack.command("/solved")
    view = opened_view(slack)
    told = len(slack.ephemeral_to(ASKER))

    # Not what the modal offered (only HELPER): the asker themselves, and a stranger.
    await slack.interaction(submission(slack, view, 1, [ASKER, OTHER]))

    assert slack.question_status() == "open" and slack.count("ledger") == 0
    assert slack.ephemeral_to(ASKER)[told:] == [
        "Nobody you named could be credited for #1, so nothing changed.\n"
        f"Skipped <@{ASKER}>: You can't mark your own message as the solution. "
        "Pick an answer from someone else.\n"
        f"Skipped <@{OTHER}>: I don't know a member called <@{OTHER}>."
    ]
    assert [m for m in slack.thread_posts(root) if "#1 solved" in m["text"]] == []
    assert slack.root_reactions(root) == []


async def test_solved_modal_without_a_helper_ticked_is_refused_in_the_modal(slack: Slack) -> None:
    root = await slack.ask()
    await slack.answer(root, HELPER)
    await slack.command("/solved")
    view = opened_view(slack)

    delivery = await slack.interaction(submission(slack, view, 1, []))

    assert delivery.json()["response_action"] == "errors"
    assert ids.helpers_block(1) in delivery.json()["errors"]
    assert slack.question_status() == "open"


async def test_solved_without_open_questions_says_so(slack: Slack) -> None:
    await slack.command("/solved")

    assert slack.fake.calls_to("views.open") == []
    assert slack.responses() == ["You have no open questions."]


async def test_picking_another_question_reloads_helpers(slack: Slack) -> None:
    first = await slack.ask("First question here")
    await slack.answer(first, HELPER)
    await slack.ask("Second question here")
    await slack.command("/solved")
    view = opened_view(slack)
    picked = sp.static_select_value("1", "#1")
    action = {**picked, "action_id": ids.SOLVED_QUESTION_ACTION, "block_id": "solved_question"}
    action["action_ts"] = "1700000000.000100"

    await slack.interaction(sp.block_actions(user_id=ASKER, actions=[action], view=view))

    updated = slack.fake.last_call("views.update")
    assert updated.ok
    new_blocks = slack.fake.views[view["id"]]["blocks"]
    assert new_blocks[1]["block_id"] == ids.helpers_block(1)


async def test_a_picked_question_that_is_not_a_number_is_not_found_not_an_apology(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    """The picker's value is ours, but a payload without one (or with garbage) must still
    get a clear answer and leave the form as it was."""

    root = await slack.ask()
    await slack.answer(root, HELPER)
    await slack.command("/solved")
    view = opened_view(slack)
    for picked in ({"selected_option": None}, sp.static_select_value("abc"), {}):
        action = {**picked, "action_id": ids.SOLVED_QUESTION_ACTION, "type": "static_select"}
        action["block_id"] = ids.SOLVED_QUESTION_BLOCK
        await slack.interaction(sp.block_actions(user_id=ASKER, actions=[action], view=view))

    assert (
        slack.ephemeral_to(ASKER)[-3:]
        == ["I can't find that question. Check its number or link."] * 3
    )
    assert not slack.fake.calls_to("views.update")
    assert not [r for r in caplog.records if r.exc_info]


async def test_unsolve_reopens_and_reverses_points(slack: Slack) -> None:
    root = await slack.ask()
    reply = await slack.answer(root)
    await slack.mark_solution(root, reply)
    assert slack.points(HELPER) == 15

    await slack.command("/unsolve", "#1")

    assert slack.question_status() == "open"
    assert slack.points(HELPER) == 0 and slack.points(ASKER) == 0
    assert slack.root_reactions(root) == []
    assert any("open again" in m["text"] for m in slack.thread_posts(root))


async def test_unsolve_needs_a_question(slack: Slack) -> None:
    await slack.command("/unsolve")

    assert slack.responses() == ["Usage: /unsolve &lt;question number or message link&gt;"]


async def test_rep_for_self_and_a_mentioned_member(slack: Slack) -> None:
    root = await slack.ask()
    reply = await slack.answer(root)
    await slack.mark_solution(root, reply)

    await slack.command("/rep", f"<@{HELPER}|helper>", user=OTHER)
    await slack.command("/rep", user=ASKER)

    first, second = slack.responses()
    assert f"<@{HELPER}>: 15 points, rank 1" in first
    assert f"<@{ASKER}>: 2 points" in second


async def test_rep_for_a_member_the_bot_has_not_seen(slack: Slack) -> None:
    await slack.command("/rep", "<@U0NOBODY|nobody>")

    assert slack.responses() == ["<@U0NOBODY>: 0 points, not ranked yet, 0 accepted answers."]


async def test_leaderboard_periods(slack: Slack) -> None:
    root = await slack.ask()
    reply = await slack.answer(root)
    await slack.mark_solution(root, reply)

    await slack.command("/leaderboard", "week")
    await slack.command("/leaderboard", "decade")

    week, bad = slack.responses()
    assert "Top helpers this week" in week and f"1. <@{HELPER}>: 15" in week
    assert bad == "Usage: /leaderboard [week|month|all]"
    blocks = slack.fake.response_url_calls[0].body["blocks"]
    assert blocks[0]["type"] == "header"


async def test_mod_is_refused_to_members(slack: Slack) -> None:
    await slack.command("/mod", "help", user=OTHER)

    assert slack.responses() == ["Only moderators can do that."]


async def test_mod_help_for_configured_group_and_admin_moderators(slack: Slack) -> None:
    for user in (MOD, GROUPIE, ADMIN):
        await slack.command("/mod", "help", user=user)

    assert all("Moderator commands" in r for r in slack.responses())
    assert len(slack.responses()) == 3


async def test_mod_close_by_a_moderator(slack: Slack) -> None:
    root = await slack.ask()

    await slack.command("/mod", "close #1 duplicate of #0", user=MOD)

    assert slack.question_status() == "closed"
    assert any("closed by a moderator" in m["text"] for m in slack.thread_posts(root))


async def test_ask_posts_the_question_in_the_help_channel(slack: Slack) -> None:
    await slack.command("/ask", "Where is the VPN guide?", channel="C0GENERAL")

    roots = [m for m in slack.fake.messages_in(HELP) if m.get("thread_ts", m["ts"]) == m["ts"]]
    assert len(roots) == 1 and "Where is the VPN guide?" in roots[0]["text"]
    assert slack.count("questions") == 1
    assert slack.thread_posts(roots[0]["ts"])
    assert "Your question #1 is posted" in slack.responses()[0]


STAFF_HELP = "G0STAFFHELP"


@pytest.mark.parametrize("private_first", [True, False])
async def test_ask_from_elsewhere_posts_in_a_help_channel_the_member_can_read(
    fake_slack: FakeSlack, tmp_path: Path, private_first: bool
) -> None:
    """/ask run outside the help channels took the first one listed, even a private channel
    the member is not in: they were told their question was posted where they could not
    read it (nor its answers). Now it goes to the first help channel they can read: a
    public one, or a private one they are in."""

    fake_slack.add_channel(STAFF_HELP, "help-staff", is_private=True, members=[HELPER])
    order = [STAFF_HELP, HELP] if private_first else [HELP, STAFF_HELP]
    slack, _ = await make_slack(fake_slack, tmp_path, slack={"help_channel_ids": order})
    try:
        await slack.command("/ask", "How do I get VPN access?", user=OTHER, channel="C0GENERAL")
        await slack.command("/ask", "Where is the staff wiki?", user=HELPER, channel="C0GENERAL")

        roots = [(c.params["channel"], c.params["text"].split("\n")[-1])
                 for c in fake_slack.calls_to("chat.postMessage")
                 if not c.params.get("thread_ts")]  # fmt: skip
        assert roots == [
            (HELP, "How do I get VPN access?"),
            (order[0], "Where is the staff wiki?"),
        ]
        assert slack.responses()[0].startswith(f"Your question #1 is posted in <#{HELP}>")
    finally:
        await slack.runner.cleanup()
        await slack.core.close()


async def test_ask_from_elsewhere_with_no_help_channel_the_member_can_read_says_so(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.add_channel(STAFF_HELP, "help-staff", is_private=True, members=[HELPER])
    slack, _ = await make_slack(fake_slack, tmp_path, slack={"help_channel_ids": [STAFF_HELP]})
    try:
        await slack.command("/ask", "How do I get VPN access?", user=OTHER, channel="C0GENERAL")

        (told,) = slack.responses()
        assert told == (
            "You aren't in any help channel I can post in, so your question wasn't posted. "
            "Ask a moderator to add you to one, then ask there."
            f"\n{GIVEN_BACK}\nHow do I get VPN access?"
        )
        assert fake_slack.calls_to("chat.postMessage") == []
        assert "help-staff" not in told  # (a private channel's name is its members' business)

        # Slack can't say who is in it: not "you aren't in any", but try again later.
        fake_slack.fail_next("conversations.members", "internal_error", status=500, times=5)
        await slack.command("/ask", "Where is the staff wiki?", user=HELPER, channel="C0GENERAL")
        assert slack.responses()[-1].startswith(NOT_NOW + "\n")
        assert fake_slack.calls_to("chat.postMessage") == []
    finally:
        await slack.runner.cleanup()
        await slack.core.close()


FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # one grapheme, 8 UTF-16 units


def _text_sizes(call: Any) -> list[int]:
    """The message's text and each of its blocks' texts, in UTF-16 code units."""

    texts = [str(call.params.get("text") or "")]
    found = call.params.get("blocks") or []
    blocks_ = json.loads(found) if isinstance(found, str) else found
    for block in blocks_:
        texts += [str(block["text"]["text"])] if "text" in block else []
        texts += [str(e.get("text", "")) for e in block.get("elements", []) if "text" in e]
    return [units(t) for t in texts]


@pytest.mark.parametrize(
    ("straddler", "second_starts"),
    [
        (f"<@{HELPER}>", f"<@{HELPER}>"),
        ("<https://example.com/docs?a=1&amp;b=2>", "<https://example.com/docs"),
        (FAMILY, FAMILY),
        ("&amp;", "&amp;"),
        (" word" * 3, "word word word"),  # (the last space that fits)
    ],
    ids=["mention", "link", "emoji", "entity", "words"],
)
async def test_a_very_long_question_is_posted_whole_and_within_slack_s_limits(
    slack: Slack, straddler: str, second_starts: str
) -> None:
    """A slash command's question went out as one message, however long: past 40,000
    characters Slack cuts the text, and with it the end of the question. Now it goes on in
    the thread, in as many messages as it takes (before the bot's answer), each within
    Slack's limits, and never cut inside what lies across the limit (here with nowhere
    better to cut before it)."""

    asked = f"<@{ASKER}> asked:\n"
    question = "x" * (39_997 - len(asked)) + straddler + "y" * 3_000

    await slack.command("/ask", question)

    for call in slack.fake.calls_to("chat.postMessage"):
        text, *in_blocks = _text_sizes(call)
        assert text <= 40_000 and all(size <= 3_000 for size in in_blocks)
    (root,) = [m for m in slack.fake.messages_in(HELP) if m.get("thread_ts", m["ts"]) == m["ts"]]
    *rest, card = slack.thread_posts(root["ts"])
    assert "Question #1 opened" in card["text"]
    shown = [root["text"]] + [m["text"] for m in rest]
    assert "".join(shown) == asked + question
    assert len(shown) == 2 and shown[1].startswith(second_starts)
    assert slack.count("questions") == 1
    assert "Your question #1 is posted" in slack.responses()[-1]


async def test_a_code_block_across_the_limit_is_closed_and_reopened(slack: Slack) -> None:
    """A question whose code block ran across the 40,000th unit was posted with the block
    open at the end of the question's message and not reopened in the thread, so Slack
    showed the rest of the code there as mrkdwn, and its closing ``` opened a block that
    swallowed the words after it. Now the question's message closes the block and the next
    message reopens it, both within the limit."""

    fence = "```"
    question = "It fails:\n" + fence + "\n" + "print('hello world')\n" * 2_000 + fence + "\nWhy?"

    await slack.command("/ask", question)

    (root,) = [m for m in slack.fake.messages_in(HELP) if m.get("thread_ts", m["ts"]) == m["ts"]]
    *rest, card = slack.thread_posts(root["ts"])
    assert "Question #1 opened" in card["text"]
    shown = [root["text"]] + [m["text"] for m in rest]
    assert len(shown) == 2 and all(units(text) <= 40_000 for text in shown)
    assert [text.count(fence) for text in shown] == [2, 2]
    assert shown[0].endswith("print('hello world')\n" + fence)
    assert shown[1].startswith(fence + "print('hello world')\n")
    assert shown[1].endswith(fence + "\nWhy?")
    unclosed, reopened = shown[0][: -len(fence)], shown[1][len(fence) :]
    assert unclosed + reopened == f"<@{ASKER}> asked:\n" + question


async def test_a_part_of_a_long_question_that_is_only_blank_lines_is_not_posted(
    slack: Slack,
) -> None:
    """80,000 blank lines inside a question make a middle part of nothing but line breaks:
    it is not posted (Slack has no message to show for it), and the words on either side
    are."""

    question = "First line." + "\n" * 80_000 + "Last line."

    await slack.command("/ask", question)

    posted = [str(c.params.get("text", "")) for c in slack.fake.calls_to("chat.postMessage")]
    assert all(text.strip() for text in posted), [len(t) for t in posted if not t.strip()]
    (root,) = [m for m in slack.fake.messages_in(HELP) if m.get("thread_ts", m["ts"]) == m["ts"]]
    *rest, card = slack.thread_posts(root["ts"])
    assert "Question #1 opened" in card["text"]
    assert [m["text"].strip() for m in [root, *rest]] == [
        f"<@{ASKER}> asked:\nFirst line.",
        "Last line.",
    ]
    assert slack.count("questions") == 1


GIVEN_BACK = "Here is your question as you wrote it, to post again once that is sorted:"
NOWHERE = "I couldn't post in that channel. Ask a workspace admin to invite me."
NOT_NOW = "Slack didn't take your question just now. Please try again in a few minutes."
PARTLY = (
    "Only the start of your question got posted: Slack didn't take the rest. "
    "Please add it in the thread yourself; here is what is missing:"
)


def _roots(slack: Slack) -> list[dict[str, Any]]:
    return [m for m in slack.fake.messages_in(HELP) if m.get("thread_ts", m["ts"]) == m["ts"]]


def _private_channel_without_the_bot(slack: Slack) -> None:
    slack.fake.channels[HELP]["is_private"] = True
    slack.fake.set_bot_membership(HELP, False)


def _refuse_posts(error: str, **how: Any) -> Any:
    return lambda slack: slack.fake.fail_next("chat.postMessage", error, **how)


async def _helpban(slack: Slack) -> None:
    await slack.command("/mod", f"helpban <@{ASKER}|asker> 7d spamming", user=MOD)
    slack.fake.clear_calls()


@pytest.mark.parametrize(
    ("refuse", "error"),
    [
        (_private_channel_without_the_bot, NOWHERE),  # channel_not_found
        (_refuse_posts("not_in_channel", times=2), NOWHERE),  # and once more after the join
        (_refuse_posts("ratelimited", retry_after=0, times=3), NOT_NOW),  # past the retries
        (_refuse_posts("internal_error", status=500), NOT_NOW),
        (_helpban, "You can't open questions"),  # the core refuses: the post is taken down
    ],
    ids=["channel_not_found", "not_in_channel", "ratelimited", "5xx", "core refuses"],
)
async def test_a_question_that_is_not_opened_comes_back_with_the_error(
    slack: Slack, refuse: Any, error: str
) -> None:
    """What the member typed into /ask is gone from Slack's composer once sent. When Slack
    refused the question's message they were only told to have the bot invited (even for
    a rate limit or Slack's own 5xx), and when the core refused it only why: either way
    their question was lost. Now the private reply names what went wrong and gives the
    question back as they wrote it, and nothing of it stays in the channel."""

    question = "Why does *make* fail with `&lt;missing&gt;` on <@U0HELPER|helper>'s branch?"
    result = refuse(slack)
    if result is not None:
        await result

    await slack.command("/ask", question)

    (told,) = slack.responses()
    assert told.startswith(error)
    assert told.endswith(f"\n{GIVEN_BACK}\n{question}")
    assert slack.count("questions") == 0
    assert _roots(slack) == []


@pytest.mark.parametrize(
    ("error", "status", "told_it_stays"),
    [
        ("internal_error", 500, True),
        ("cant_delete_message", 200, True),
        ("message_not_found", 200, False),
    ],
)
async def test_a_refused_question_whose_copy_slack_keeps_says_where_it_stays(
    slack: Slack, caplog: pytest.LogCaptureFixture, error: str, status: int, told_it_stays: bool
) -> None:
    """When the core refuses a question after its first message is posted, the bot deletes
    its copy. Where Slack refused that too, the copy stayed in the channel (logged only)
    while the member was told what went wrong and to post their question again, as if
    nothing of it were there. Now they are also told a copy stays, and where; a copy Slack
    no longer has (`message_not_found`) is gone, and nothing more is said."""

    await _helpban(slack)
    slack.fake.fail_next("chat.delete", error, status=status)
    question = "Where is the VPN guide?"

    await slack.command("/ask", question)

    (told,) = slack.responses()
    refusal, *said = told.split("\n")
    assert refusal.startswith("You can't open questions")
    stays = [f"A copy of it stays in <#{HELP}>: Slack didn't let me take it down."]
    assert said == (stays if told_it_stays else []) + [GIVEN_BACK, question]
    assert slack.count("questions") == 0
    logged = [r.getMessage() for r in caplog.records if "chat.delete" in r.getMessage()]
    assert len(logged) == (1 if told_it_stays else 0)


ARCHIVED = (
    f"<#{HELP}> is archived, so your question wasn't posted. "
    "Ask a workspace admin to unarchive it, or a moderator where to ask instead."
)


@pytest.mark.parametrize("run_in", ["C0GENERAL", HELP])
async def test_ask_into_an_archived_help_channel_says_it_is_archived(
    slack: Slack, run_in: str
) -> None:
    """An archived help channel: the member was told "Ask a workspace admin to invite me",
    though the bot is in it. They are told it is archived, and what to do."""

    slack.fake.channels[HELP]["is_archived"] = True

    await slack.command("/ask", "Where is the VPN guide?", channel=run_in)

    assert slack.responses() == [f"{ARCHIVED}\n{GIVEN_BACK}\nWhere is the VPN guide?"]
    assert slack.count("questions") == 0 and _roots(slack) == []


async def test_ask_from_elsewhere_passes_an_archived_help_channel_by(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.add_channel("C0HELP2", "help-2")
    slack, _ = await make_slack(fake_slack, tmp_path, slack={"help_channel_ids": [HELP, "C0HELP2"]})
    try:
        fake_slack.channels[HELP]["is_archived"] = True
        await slack.command("/ask", "Where is the VPN guide?", channel="C0GENERAL")

        assert slack.responses()[0].startswith("Your question #1 is posted in <#C0HELP2>")
    finally:
        await slack.runner.cleanup()
        await slack.core.close()


async def test_a_long_question_comes_back_whole_in_parts_within_slack_s_limits(
    slack: Slack,
) -> None:
    """A question longer than one message comes back in as many private replies as it
    takes, each within 40,000 units, none of it lost."""

    question = "word " * 15_000 + "```\n" + "code line\n" * 4_000 + "```\nlast words"
    slack.fake.fail_next("chat.postMessage", "internal_error", status=500)

    await slack.command("/ask", question)

    told = slack.responses()
    assert len(told) == 3 and all(units(text) <= 40_000 for text in told)
    fence = "```"
    assert told[0].startswith(NOT_NOW + "\n" + GIVEN_BACK + "\nword word")
    # (a code block a cut falls in is closed and reopened, as for a posted question)
    assert told[1].endswith(fence) and told[2].startswith(fence)
    whole = told[0] + told[1][: -len(fence)] + told[2][len(fence) :]
    assert whole == f"{NOT_NOW}\n{GIVEN_BACK}\n{question}"


async def test_a_question_from_the_form_that_is_not_opened_comes_back(slack: Slack) -> None:
    """The /ask form is closed once submitted, so its text comes back the same way (here in
    the channel /ask was run in, privately)."""

    await slack.command("/ask")
    form = opened_view(slack)
    slack.fake.fail_next("chat.postMessage", "internal_error", status=500)

    await slack.interaction(
        sp.view_submission(
            user_id=ASKER, view=form,
            values={ids.ASK_TEXT_BLOCK: {ids.ASK_TEXT_ACTION: sp.plain_text_value("Is <this> it?")}},
        )
    )  # fmt: skip

    assert slack.ephemeral_to(ASKER) == [f"{NOT_NOW}\n{GIVEN_BACK}\nIs &lt;this&gt; it?"]
    assert slack.count("questions") == 0


async def test_a_long_question_slack_takes_only_the_start_of_says_what_is_missing(
    slack: Slack,
) -> None:
    """The parts of a long question after its first went into its thread one by one, and a
    part Slack refused was logged and the next one posted anyway: the thread read on past a
    gap as if it were whole, and the asker was only told the question was posted. Now the
    parts stop at the first refused one; the asker is told their question is open, that only
    its start got posted, and gets the missing parts as they would have been posted. It is
    not given back to post again: it is open."""

    question = "\n".join(f"Line {n} of the logs." for n in range(6_000))
    slack.fake.fail_next("chat.postMessage", "internal_error", status=500, after=1)

    await slack.command("/ask", question)

    (root,) = _roots(slack)
    (card,) = slack.thread_posts(root["ts"])  # no part of the question, then the answer
    assert "Question #1 opened" in card["text"]
    assert slack.count("questions") == 1
    done, *missing = slack.responses()
    assert done == (
        f"Your question #1 is posted in <#{HELP}>. Answers will appear in its thread.\n{PARTLY}"
    )
    assert len(missing) == 3 and all(units(text) <= 40_000 for text in missing)
    assert root["text"] + "".join(missing) == f"<@{ASKER}> asked:\n{question}"
    assert not any(GIVEN_BACK in text for text in slack.responses())


async def test_a_question_that_is_open_is_not_given_back_when_a_later_reply_fails(
    slack: Slack,
) -> None:
    """Once the question is open, Slack refusing the bot's answer in its thread is no
    reason to post it again: the member is told it is posted, nothing more."""

    slack.fake.fail_next("chat.postMessage", "internal_error", status=500, after=1)

    await slack.command("/ask", "Where is the VPN guide?")

    assert slack.count("questions") == 1
    assert slack.responses() == [
        f"Your question #1 is posted in <#{HELP}>. Answers will appear in its thread."
    ]


async def test_kb_search_uses_core_suggestions(slack: Slack) -> None:
    root = await slack.ask("How do I reset my password?")
    reply = await slack.answer(root)
    await slack.mark_solution(root, reply)

    await slack.command("/kb", "search reset password", user=OTHER)
    await slack.command("/kb", "show 1", user=OTHER)

    found, shown = slack.responses()
    assert "How do I reset my password?" in found
    assert "#1 How do I reset my password? (solved; answers: 1)" in shown


async def test_suggestion_buttons(slack: Slack) -> None:
    first = await slack.ask("How do I reset my password?")
    reply = await slack.answer(first)
    await slack.mark_solution(first, reply)
    second = await slack.ask("Reset my password please")
    post = slack.thread_posts(second)[0]
    buttons = [b["accessory"] for b in post["blocks"] if b.get("accessory")]
    assert buttons and buttons[0]["action_id"] == ids.SUGGESTION_SOLVED
    clicked = sp.button(ids.SUGGESTION_SOLVED, buttons[0]["value"])
    payload = sp.block_actions(
        user_id=ASKER,
        actions=[clicked],
        channel_id=HELP,
        message=post,
        response_url=slack.fake.new_response_url(channel=HELP),
    )

    await slack.interaction(payload)

    assert slack.question_status(2) == "solved"
    assert slack.points(ASKER) == 2  # only from accepting on question 1


async def test_not_what_i_need_keeps_the_question_open_and_answers_privately(
    slack: Slack,
) -> None:
    first = await slack.ask("How do I reset my password?")
    await slack.mark_solution(first, await slack.answer(first))
    second = await slack.ask("Reset my password please")
    post = slack.thread_posts(second)[0]
    actions = [e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [e["action_id"] for e in actions] == [ids.SUGGESTION_NOT_NEEDED]
    clicked = sp.button(ids.SUGGESTION_NOT_NEEDED, actions[0]["value"])
    payload = sp.block_actions(
        user_id=ASKER, actions=[clicked], channel_id=HELP, message=post,
        response_url=slack.fake.new_response_url(channel=HELP),
    )  # fmt: skip
    slack.fake.clear_calls()

    await slack.interaction(payload)

    assert slack.question_status(2) == "open"
    [note] = [e for e in slack.fake.ephemeral if e["user"] == ASKER and "stays open" in e["text"]]
    assert (note["channel"], note["thread_ts"]) == (HELP, second)
    assert slack.fake.calls_to("chat.postMessage") == []


async def test_app_home_is_published(slack: Slack) -> None:
    root = await slack.ask()
    await slack.answer(root)

    await slack.event(sp.app_home_opened_event(user=ASKER))

    home = slack.fake.views[slack.fake.home_views[ASKER]]
    assert home["type"] == "home"
    text = str(home["blocks"])
    assert "Your reputation" in text and "Top helpers" in text
    assert "#1 How do I reset my password?" in text
    assert any(b.get("block_id") == ids.HOME_KB_BLOCK for b in home["blocks"])


async def test_app_home_titles_each_part_once(slack: Slack) -> None:
    """The leaderboard on the Home tab is its header and its rows: the section under the
    header used to start with the board's own title ("Top helpers" over "Top helpers of all
    time")."""

    root = await slack.ask()
    await slack.mark_solution(root, await slack.answer(root))

    await slack.event(sp.app_home_opened_event(user=ASKER))

    shown = slack.fake.views[slack.fake.home_views[ASKER]]["blocks"]
    headers = [b["text"]["text"] for b in shown if b["type"] == "header"]
    assert headers == ["Your reputation", "Top helpers of all time", "Your open questions"]
    board = shown[shown.index(next(b for b in shown if "all time" in str(b))) + 1]
    assert board["text"]["text"].startswith(f"1. <@{HELPER}>: 15\n")
    assert "Top helpers" not in str([b for b in shown if b["type"] != "header"])


async def test_app_home_search(slack: Slack) -> None:
    await slack.event(sp.app_home_opened_event(user=OTHER))
    home = slack.fake.views[slack.fake.home_views[OTHER]]
    typed = {
        "type": "plain_text_input",
        "action_id": ids.HOME_KB_SEARCH,
        "block_id": ids.HOME_KB_BLOCK,
        "value": "vpn",
        "action_ts": "1700000000.000200",
    }

    await slack.interaction(sp.block_actions(user_id=OTHER, actions=[typed], view=home))

    assert len(slack.fake.calls_to("views.publish")) == 2
    assert "Nothing found for “vpn”" in str(slack.fake.views[home["id"]]["blocks"])
