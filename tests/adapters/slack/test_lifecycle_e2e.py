"""The question lifecycle on Slack, end to end: the scheduler (driven on the fake clock) posts
reminders with a button, closes dormant questions, escalates to a user group and a staff
channel; members get a private welcome, /guidelines, /questions; anonymous asks never show
the asker; moderators (only) can reveal who asked; the asker's reply reopens a closed question.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from adapters.slack import ids
from adapters.slack.outbound import NAME_TTL, SlackOut
from adapters.slack.sender import SlackSender
from bot.model import MemberRef, ThreadRef
from bot.outbound import ChannelPost, DirectMessage, ThreadState, UnsupportedOutbound
from tests.adapters.slack.conftest import (
    ASKER,
    GROUPIE,
    HELP,
    HELPER,
    MOD,
    OTHER,
    Slack,
    make_slack,
)
from tests.fakes import slack_payloads as sp
from tests.fakes.slack_server import FakeSlack

STAFF = "C0STAFF"
HELPERS = "S0HELPERS"
ASKER_NAME = "Ada Asker"
GUIDELINES = "Say what you tried & what happened."
LIFECYCLE: dict[str, Any] = {
    "anonymous_questions": True,
    "escalation": {"helper_role_ids": {"slack": [HELPERS]}, "staff_channel_ids": {"slack": STAFF}},
    "onboarding": {"guidelines": GUIDELINES},
}


@pytest_asyncio.fixture
async def life(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[Slack]:
    fake_slack.add_user(ASKER, name="ada", real_name=ASKER_NAME)
    fake_slack.add_channel(STAFF, "staff")
    fake_slack.add_usergroup(HELPERS, "helpers", [HELPER])
    harness, _ = await make_slack(fake_slack, tmp_path, lifecycle=LIFECYCLE)
    try:
        yield harness
    finally:
        await harness.runner.cleanup()
        await harness.core.close()


def texts(posts: list[dict[str, Any]]) -> list[str]:
    return [str(m.get("text", "")) for m in posts]


def jobs(slack: Slack, kind: str) -> list[tuple[str, str | None, int]]:
    return [
        (str(state), outcome, int(attempts))
        for state, outcome, attempts in slack.rows(
            "SELECT state, outcome, attempts FROM scheduled_jobs WHERE kind = ? ORDER BY id", kind
        )
    ]


def button_of(message: dict[str, Any], action_id: str) -> dict[str, Any]:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                return dict(element)
    raise AssertionError(f"no {action_id} button in {message.get('blocks')}")


async def click(
    slack: Slack, message: dict[str, Any], button: dict[str, Any], user: str
) -> sp.Delivery:
    action = sp.button(button["action_id"], button["value"])
    return await slack.interaction(
        sp.block_actions(
            user_id=user,
            actions=[action],
            channel_id=HELP,
            message=message,
            response_url=slack.fake.new_response_url(channel=HELP),
        )
    )


# -- the scheduler's messages ------------------------------------------------------------------


async def test_reminder_in_the_thread_with_a_mark_solved_button(life: Slack) -> None:
    root = await life.ask("How do I reset my password?")
    await life.answer(root)

    await life.tick(hours=25)

    reminder = life.thread_posts(root)[-1]
    assert reminder["text"].startswith(f"<@{ASKER}> Did one of the answers solve this?")
    button = button_of(reminder, ids.MARK_SOLVED_BUTTON)
    assert button["value"] == "1"
    assert button["text"]["text"] == "Mark solved"
    assert jobs(life, "remind") == [("done", "sent", 1)]

    life.fake.clear_calls()
    await click(life, reminder, button, OTHER)
    assert life.fake.calls_to("views.open") == []
    assert any("Only the person who asked" in t for t in life.ephemeral_to(OTHER))

    await click(life, reminder, button, ASKER)
    view = life.fake.views[life.fake.last_call("views.open").response["view"]["id"]]
    assert view["callback_id"] == ids.SOLVED_MODAL
    assert view["blocks"][0]["element"]["initial_option"]["value"] == "1"
    helpers = view["blocks"][1]["element"]["options"]
    assert [o["value"] for o in helpers] == [HELPER]

    await life.tick(hours=25)  # reminded once only
    assert len([t for t in texts(life.thread_posts(root)) if "Did one of" in t]) == 1


async def test_a_stale_mark_solved_button_says_the_question_is_solved(life: Slack) -> None:
    """The reminder's button, clicked after the question was solved, opened a form saying
    "Nobody else has answered yet, so no points will be given" (its answerer was credited
    already). It says the question is solved, and opens nothing."""

    root = await life.ask("How do I reset my password?")
    reply = await life.answer(root)
    await life.tick(hours=25)
    reminder = life.thread_posts(root)[-1]
    await life.mark_solution(root, reply)

    life.fake.clear_calls()
    await click(life, reminder, button_of(reminder, ids.MARK_SOLVED_BUTTON), ASKER)

    assert life.fake.calls_to("views.open") == []
    assert life.ephemeral_to(ASKER)[-1] == "This question is already marked solved."


def solved_form(slack: Slack, user: str, helper: str) -> dict[str, Any]:
    """The /solved form Slack opened last, submitted by `user` with question 1 and `helper`
    ticked."""

    call = slack.fake.last_call("views.open")
    assert call.ok, call.response
    view = slack.fake.views[call.response["view"]["id"]]
    values = {
        ids.SOLVED_QUESTION_BLOCK: {ids.SOLVED_QUESTION_ACTION: sp.static_select_value("1", "#1")},
        ids.helpers_block(1): {
            ids.SOLVED_HELPERS_ACTION: {
                "type": "checkboxes",
                "selected_options": [{"text": {"type": "plain_text", "text": helper}, "value": helper}],
            }
        },
    }  # fmt: skip
    return sp.view_submission(user_id=user, view=view, values=values)


@pytest.mark.parametrize(
    ("user", "slow", "solves"),
    [
        (ASKER, "users.info", True),
        (OTHER, "users.info", False),  # a member Slack has not named yet
        (GROUPIE, "usergroups.users.list", True),  # a moderator by user group, not yet known
    ],
    ids=["asker", "member", "group moderator"],
)
async def test_the_mark_solved_form_opens_in_time_when_slack_is_slow_to_say_who_clicked(
    life: Slack, user: str, slow: str, solves: bool
) -> None:
    """The reminder's button asked Slack who clicked (`users.info`, then the moderator
    groups) before it opened the form, and the click's trigger id lasts 3 seconds: with
    either call rate-limited (Retry-After 3) the form opened too late (`expired_trigger_id`)
    and the asker got an apology, and a moderator was refused or got one. Now the form
    opens within a second with what is known; whether the member may mark the question
    solved is decided when they submit it, on Slack's answer: the asker and a moderator
    can, anyone else is told why not and nothing changes."""

    root = await life.ask("How do I reset my password?")
    await life.answer(root)
    await life.tick(hours=25)
    reminder = life.thread_posts(root)[-1]
    life.ticker.now += 301  # what Slack said about the asker is stale: asked again
    life.fake.fail_next(slow, retry_after=3)
    told = len(life.ephemeral_to(user))

    await life.interaction(
        sp.block_actions(
            user_id=user, channel_id=HELP, message=reminder,
            actions=[sp.button(ids.MARK_SOLVED_BUTTON, "1")],
            response_url=life.fake.new_response_url(channel=HELP),
            trigger_id=life.fake.new_trigger_id(),
        )
    )  # fmt: skip

    form = solved_form(life, user, HELPER)
    assert life.ephemeral_to(user)[told:] == []
    await life.interaction(form)
    if solves:
        assert life.question_status() == "solved" and life.points(HELPER) == 15
        assert life.ephemeral_to(user)[told:][0].startswith(f"Marked <@{HELPER}>'s answer")
    else:
        assert life.question_status() == "open" and life.count("ledger") == 0
        assert life.ephemeral_to(user)[told:] == [
            "Only the person who asked (or a moderator) can do that."
        ]


async def test_dormant_close_then_the_askers_reply_reopens_it(life: Slack) -> None:
    root = await life.ask("My build fails")
    await life.answer(root)

    await life.tick(hours=73)

    assert life.question_status() == "closed"
    assert any(
        "#1 was closed after 72 hours without activity (reason: no activity)" in t
        for t in texts(life.thread_posts(root))
    )
    assert life.root_reactions(root) == [ids.CLOSED_REACTION]

    # Someone else's reply does not reopen it.
    await life.answer(root, OTHER, "Same here")
    assert life.question_status() == "closed"

    await life.answer(root, ASKER, "It is still broken!")

    assert life.question_status() == "open"
    assert texts(life.thread_posts(root))[-1] == "#1 is open again: the asker wrote a new message."
    assert life.root_reactions(root) == []
    await life.tick(hours=73)  # the reopen scheduled a new close
    assert life.question_status() == "closed"
    assert life.root_reactions(root) == [ids.CLOSED_REACTION]


async def test_solved_question_closes_with_a_lock_next_to_the_check(life: Slack) -> None:
    root = await life.ask()
    reply = await life.answer(root)
    await life.mark_solution(root, reply)

    await life.tick(hours=25)

    assert any("is solved and now closed" in t for t in texts(life.thread_posts(root)))
    assert sorted(life.root_reactions(root)) == sorted([ids.CHECK_REACTION, ids.CLOSED_REACTION])


async def test_escalation_pings_the_user_group_and_links_from_the_staff_channel(
    life: Slack,
) -> None:
    root = await life.ask("Nobody knows this one")

    await life.tick(minutes=61)

    ping = life.thread_posts(root)[-1]["text"]
    assert ping.startswith(f"<!subteam^{HELPERS}> #1 has had no answer for 1 hour 1 minute.")
    staff = [m for m in life.fake.messages_in(STAFF) if m.get("bot_id")]
    assert len(staff) == 1
    link = life.fake.last_call("chat.getPermalink").response["permalink"]
    assert f"/archives/{HELP}/p{root.replace('.', '')}" in link
    assert "No answer yet for #1 after 1 hour 1 minute: Nobody knows this one" in staff[0]["text"]
    assert f"<{link}|Open the question>" in staff[0]["text"]

    await life.tick(hours=2)  # at most once per question
    assert len([m for m in life.fake.messages_in(STAFF) if m.get("bot_id")]) == 1
    assert len([t for t in texts(life.thread_posts(root)) if "subteam" in t]) == 1


async def test_an_answer_in_time_cancels_the_escalation(life: Slack) -> None:
    root = await life.ask()
    await life.answer(root)

    await life.tick(minutes=61)

    assert not any("subteam" in t for t in texts(life.thread_posts(root)))
    assert life.fake.messages_in(STAFF) == []


# -- delivery failures -------------------------------------------------------------------------


async def test_a_refused_delivery_is_retried_not_lost(
    life: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    root = await life.ask()
    await life.answer(root)
    life.fake.fail_next("chat.postMessage", "channel_not_found")

    with caplog.at_level(logging.WARNING, "bot.scheduler"):
        await life.tick(hours=25)

    assert not any("Did one of" in t for t in texts(life.thread_posts(root)))
    assert jobs(life, "deliver") == [("pending", None, 1)]
    assert "will retry" in caplog.text

    await life.tick(minutes=2)  # after the backoff

    assert any("Did one of" in t for t in texts(life.thread_posts(root)))
    assert jobs(life, "deliver") == [("done", "sent", 2)]


async def test_rate_limits_beyond_slack_sdks_retries_wait_for_the_next_attempt(
    life: Slack,
) -> None:
    root = await life.ask()
    await life.answer(root)
    # slack_sdk retries a 429 twice itself; the third refusal reaches the scheduler.
    life.fake.fail_next("chat.postMessage", "ratelimited", retry_after=0, times=3)

    await life.tick(hours=25)

    assert len([c for c in life.fake.calls_to("chat.postMessage") if c.status == 429]) == 3
    assert jobs(life, "deliver") == [("pending", None, 1)]
    await life.tick(minutes=2)
    assert any("Did one of" in t for t in texts(life.thread_posts(root)))
    assert jobs(life, "deliver") == [("done", "sent", 2)]


async def test_not_in_channel_joins_and_delivers(life: Slack) -> None:
    root = await life.ask()
    await life.answer(root)
    life.fake.require_membership = True
    life.fake.set_bot_membership(HELP, False)

    await life.tick(hours=25)

    assert life.fake.calls_to("conversations.join")
    assert any("Did one of" in t for t in texts(life.thread_posts(root)))
    assert jobs(life, "deliver") == [("done", "sent", 1)]


async def test_sender_contract_for_direct_messages_states_and_unknown_types(life: Slack) -> None:
    sender = life.core.bot.outbox
    ghost = MemberRef("slack", "main", "U0GHOST")
    # A member Slack does not know can never get it: dropped (logged), not retried forever.
    await sender.send(DirectMessage("main", ghost, "lifecycle.remind_dm", {"id": 1, "title": "x"}))
    await sender.send(DirectMessage("main", MemberRef("slack", "main", HELPER), "moderation.warn_notice", {"reason": "spam", "count": 1}))  # fmt: skip
    dm = life.fake.last_call("chat.postMessage")
    assert dm.params["channel"].startswith("D") and "spam" in dm.params["text"]

    # States never raise for a supported shape, even on a root that is gone.
    gone = ThreadRef("slack", f"{HELP}:1.000001")
    await sender.send(ThreadState("main", gone, archived=True, locked=True))
    await sender.send(ThreadState("main", gone))

    with pytest.raises(UnsupportedOutbound):
        await SlackSender(life.core.bot, SlackOut(life.bolt.client)).send(object())  # type: ignore[arg-type]

    # A staff post whose reference is not a Slack message still goes out, without a link.
    await sender.send(ChannelPost("main", "slack", STAFF, "lifecycle.escalated_staff", {"id": 9, "minutes": 5, "title": "a <b> & c"}, reference_id="9"))  # fmt: skip
    staff = life.fake.messages_in(STAFF)[-1]["text"]
    assert staff == "No answer yet for #9 after 5 minutes: a &lt;b&gt; &amp; c"


# -- onboarding --------------------------------------------------------------------------------


async def test_welcome_is_private_and_only_on_the_first_message(life: Slack) -> None:
    root = await life.ask("First question")

    welcome = [e for e in life.fake.ephemeral if e["user"] == ASKER]
    assert len(welcome) == 1
    assert welcome[0]["channel"] == HELP and welcome[0]["thread_ts"] == root
    assert welcome[0]["text"].startswith(f"Welcome to #help, <@{ASKER}>!")
    assert GUIDELINES in welcome[0]["text"]
    assert not any("Welcome" in t for t in texts(life.fake.messages_in(HELP)))

    await life.answer(root)  # the helper's first message in the channel
    assert any(t.startswith(f"Welcome to #help, <@{HELPER}>") for t in life.ephemeral_to(HELPER))

    await life.ask("Second question")
    await life.answer(root)
    assert len([t for t in life.ephemeral_to(ASKER) if "Welcome" in t]) == 1
    assert len([t for t in life.ephemeral_to(HELPER) if "Welcome" in t]) == 1


async def test_guidelines_command(life: Slack) -> None:
    await life.command("/guidelines", channel="C0GENERAL")

    shown = life.responses()[-1]
    assert shown.startswith("Guidelines for #help:")
    assert GUIDELINES in shown
    assert life.fake.calls_to("chat.postMessage") == []


async def test_a_renamed_help_channel_is_welcomed_and_guided_by_its_new_name(
    life: Slack,
) -> None:
    """Channel names were kept until the bot restarted: after #help became #support the
    welcome and /guidelines still said #help. A name is now asked again after
    `outbound.NAME_TTL` seconds; when Slack can't say, the last name it gave is used."""

    await life.ask("First question")
    assert life.ephemeral_to(ASKER)[-1].startswith("Welcome to #help,")
    life.fake.channels[HELP].update(name="support", name_normalized="support")

    life.ticker.now += NAME_TTL + 1
    await life.ask("My question", user=OTHER)
    await life.command("/guidelines", user=HELPER, channel="C0GENERAL")

    assert life.ephemeral_to(OTHER)[-1].startswith(f"Welcome to #support, <@{OTHER}>!")
    assert life.responses()[-1].startswith("Guidelines for #support:")

    life.ticker.now += NAME_TTL + 1
    life.fake.fail_next("conversations.info", "internal_error", status=500, times=5)
    await life.command("/guidelines", user=HELPER)
    assert life.responses()[-1].startswith("Guidelines for #support:")


async def test_a_rename_slack_tells_of_shows_at_once(life: Slack) -> None:
    """Where the app is subscribed to `channel_rename` / `group_rename`, the new name shows
    at once, not only once the old one is `NAME_TTL` seconds old."""

    await life.ask("First question")
    life.fake.channels[HELP].update(name="support", name_normalized="support")

    await life.event(sp.channel_rename_event(channel=HELP, name="support"))
    await life.ask("My question", user=OTHER)

    assert life.ephemeral_to(OTHER)[-1].startswith(f"Welcome to #support, <@{OTHER}>!")


# -- /questions and App Home -------------------------------------------------------------------


async def test_questions_command_and_home_link_to_the_threads(life: Slack) -> None:
    first = await life.ask("First &lt;question&gt; here")
    await life.ask("Second question", user=OTHER)

    await life.command("/questions")

    listed = life.responses()[-1]
    link = f"https://{life.fake.team_domain}.slack.com/archives/{HELP}/p{first.replace('.', '')}"
    assert listed.splitlines() == [
        "Your open questions:",
        f"  #1 First &lt;question&gt; here (open): <{link}>",
    ]

    await life.event(sp.app_home_opened_event(user=ASKER))
    home = life.fake.views[life.fake.home_views[ASKER]]
    assert f"<{link}|#1 First &lt;question&gt; here> in <#{HELP}>" in json.dumps(home["blocks"])


# -- anonymous asks ----------------------------------------------------------------------------


def public_payloads(slack: Slack, private_to: str) -> list[str]:
    """Everything the bot sent that someone other than `private_to` can see."""

    dm = slack.fake._open_im(private_to)["id"]
    shown: list[str] = []
    for call in slack.fake.calls:
        p = call.params
        if call.method in ("chat.postMessage", "chat.update") and p.get("channel") != dm:
            shown.append(json.dumps(p))
        elif call.method == "chat.postEphemeral" and p.get("user") != private_to:
            shown.append(json.dumps(p))
        elif call.method == "views.publish" and p.get("user_id") != private_to:
            shown.append(json.dumps(p))
    return shown


async def test_anonymous_ask_from_the_form_never_shows_the_asker(life: Slack) -> None:
    await life.command("/ask")
    form = life.fake.views[life.fake.last_call("views.open").response["view"]["id"]]
    assert form["callback_id"] == ids.ASK_MODAL
    assert [b["block_id"] for b in form["blocks"]] == [ids.ASK_TEXT_BLOCK, ids.ASK_ANONYMOUS_BLOCK]

    ticked = form["blocks"][1]["element"]["options"]
    await life.interaction(
        sp.view_submission(
            user_id=ASKER,
            view=form,
            values={
                ids.ASK_TEXT_BLOCK: {ids.ASK_TEXT_ACTION: sp.plain_text_value("Is my <config> leaking?")},
                ids.ASK_ANONYMOUS_BLOCK: {
                    ids.ASK_ANONYMOUS_ACTION: {"type": "checkboxes", "selected_options": ticked}
                },
            },
        )
    )  # fmt: skip

    assert life.rows("SELECT anonymous FROM questions") == [(1,)]
    root = life.fake.calls_to("chat.postMessage")[0]
    assert root.params["text"] == "*Anonymous* asked:\nIs my &lt;config&gt; leaking?"
    root_ts = root.response["ts"]
    assert any("Your question #1 is posted" in t for t in life.ephemeral_to(ASKER))

    await life.tick(minutes=61)  # escalated
    await life.answer(root_ts)
    await life.tick(hours=25)  # reminded: in public without a mention, privately by DM
    await life.event(sp.app_home_opened_event(user=HELPER))

    posts = texts(life.thread_posts(root_ts))
    assert any("subteam" in t for t in posts)
    assert any("The asker can mark the one that helped" in t for t in posts)
    opened = life.fake.last_call("conversations.open")
    assert opened.params["users"] == ASKER
    im = opened.response["channel"]["id"]
    dm = [c for c in life.fake.calls_to("chat.postMessage") if c.params["channel"] == im]
    assert len(dm) == 1 and dm[0].params["text"].startswith(
        "Your question #1 (Is my &lt;config&gt; leaking?)"
    )

    shown = public_payloads(life, ASKER)
    assert len(shown) >= 5
    for payload in shown:
        # (the handle "ada" as a word: a reply's "metadata" holds it as letters)
        assert ASKER not in payload and ASKER_NAME not in payload
        assert not re.search(r"\bada\b", payload)


async def test_anonymous_ask_with_the_flag_and_the_askers_reply_stays_anonymous(
    life: Slack,
) -> None:
    await life.command("/ask", "--anonymous Can I see the salaries?")

    root = life.fake.calls_to("chat.postMessage")[0]
    assert root.params["text"] == "*Anonymous* asked:\nCan I see the salaries?"
    opened = life.thread_posts(root.response["ts"])[0]["text"]
    assert "the asker" in opened
    # No ✅ reaction offered: everyone sees who reacted.
    assert "Mark as solution" in opened and "white_check_mark" not in opened
    for payload in public_payloads(life, ASKER):
        assert ASKER not in payload and ASKER_NAME not in payload


async def test_ask_never_pings_a_channel_or_group_nor_hides_a_link(life: Slack) -> None:
    # With should_escape, Slack sends `@channel` typed in a command as `<!channel>`, a group
    # as `<!subteam^ID|@handle>` and a link with its own words as `<url|words>`. Posted as
    # they came, the bot's post would ping everyone (past the workspace's @channel rules,
    # even anonymously) and hide where the link leads.
    await life.command(
        "/ask",
        f"<!channel> <!here> <!subteam^S0MODS|@mods> ask <@{HELPER}|helper>: the VPN is down, "
        "see <https://evil.example/x|the intranet> or <https://vpn.example.org|vpn.example.org>",
    )
    await life.command(
        "/ask", "--anonymous <!everyone> salaries at <https://evil.example|the hr page>"
    )

    roots = [c.params["text"] for c in life.fake.calls_to("chat.postMessage")
             if c.params.get("channel") == HELP and not c.params.get("thread_ts")]  # fmt: skip
    assert roots == [
        f"<@{ASKER}> asked:\n@channel @here @mods ask <@{HELPER}|helper>: the VPN is down, see "
        "the intranet (<https://evil.example/x>) or <https://vpn.example.org|vpn.example.org>",
        "*Anonymous* asked:\n@everyone salaries at the hr page (<https://evil.example>)",
    ]
    title, body = life.question_text(1)
    assert "the intranet (https://evil.example/x)" in body


async def test_anonymous_asks_are_refused_when_the_community_has_them_off(
    slack: Slack,
) -> None:
    await slack.command("/ask", "--anonymous Secret?")

    assert slack.count("questions") == 0
    assert slack.fake.calls_to("chat.postMessage") == []
    # (with the question back, as for any question that is not opened)
    (told,) = slack.responses()
    assert told.startswith("Anonymous questions are turned off")
    assert told.endswith(
        "\nHere is your question as you wrote it, to post again once that is sorted:\nSecret?"
    )

    await slack.command("/ask", "--anonymous")  # no form that would post under their name
    assert slack.fake.calls_to("views.open") == []
    assert slack.responses()[-1].startswith("Anonymous questions are turned off")

    await slack.command("/ask")  # the form has no checkbox
    form = slack.fake.views[slack.fake.last_call("views.open").response["view"]["id"]]
    assert [b["block_id"] for b in form["blocks"]] == [ids.ASK_TEXT_BLOCK]


async def test_ask_form_needs_text(life: Slack) -> None:
    await life.command("/ask")
    form = life.fake.views[life.fake.last_call("views.open").response["view"]["id"]]
    delivery = await life.interaction(
        sp.view_submission(
            user_id=ASKER,
            view=form,
            values={ids.ASK_TEXT_BLOCK: {ids.ASK_TEXT_ACTION: sp.plain_text_value("  ")}},
        )
    )
    assert json.loads(delivery.text)["response_action"] == "errors"
    assert life.count("questions") == 0


async def test_only_moderators_can_reveal_and_every_lookup_is_audited(life: Slack) -> None:
    await life.command("/ask", "--anonymous Who broke prod?")

    await life.command("/mod", "reveal 1", user=OTHER)
    refused = life.responses()[-1]
    assert refused == "Only moderators can do that."
    assert ASKER not in json.dumps([c.body for c in life.fake.response_url_calls])

    await life.command("/mod", "reveal #1 spam check", user=MOD)
    assert life.responses()[-1] == (
        f"#1 was asked by <@{ASKER}>. This lookup was recorded in the audit log."
    )
    assert life.rows("SELECT action, outcome, reason FROM audit_log ORDER BY id") == [
        ("reveal_asker", "refused", "not a moderator"),  # the refusal is on record too
        ("reveal_anonymous_asker", "done", "spam check"),
    ]

    await life.command("/mod", "help", user=MOD)
    assert "reveal &lt;question&gt;" in life.responses()[-1]
