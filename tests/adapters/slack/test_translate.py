"""Pure translation of Slack payloads (recorded examples in `payloads/`) into core values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.translate import (
    MessageDeletion,
    MessageEdit,
    NewQuestion,
    ThreadReply,
    after_words,
    bare_mentions,
    classify_deletion,
    classify_edit,
    classify_message,
    interaction_id,
    is_tombstone,
    message_id,
    parse_period,
    parse_question,
    parse_solved_submission,
    parse_user,
    plain_text,
    split_message_id,
    suggestion_button_value,
    team_id_of,
    thread_ref,
)
from bot.model import Period, ThreadRef
from tests.fakes import slack_payloads as sp

PAYLOADS = Path(__file__).with_name("payloads")


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def test_thread_reply_is_classified_with_channel_scoped_ids() -> None:
    body = load("thread_reply")

    found = classify_message(body["event"], {"C0HELP"})

    assert found == ThreadReply(
        "C0HELP", "1700000000.000100", "1700000100.000200", "U0HELPER", body["event"]["text"]
    )
    assert team_id_of(body) == "T123ABC456"
    assert thread_ref(found.channel, found.thread_ts) == ThreadRef(
        "slack", "C0HELP:1700000000.000100"
    )


def test_top_level_message_in_a_help_channel_is_a_question() -> None:
    event = {**load("thread_reply")["event"]}
    del event["thread_ts"], event["parent_user_id"]

    assert isinstance(classify_message(event, {"C0HELP"}), NewQuestion)
    assert classify_message(event, {"C0OTHER"}) is None
    assert classify_message(event, set()) is None  # no help channels: questions come from /ask


@pytest.mark.parametrize(
    "change",
    [
        {"subtype": "channel_join"},
        {"subtype": "message_changed"},
        {"subtype": "bot_message", "bot_id": "B1"},
        {"bot_id": "B1"},
        {"channel_type": "im"},
        {"user": None},
    ],
)
def test_messages_that_are_not_questions_or_answers(change: dict[str, Any]) -> None:
    event = {**load("thread_reply")["event"], **change}

    assert classify_message(event, {"C0HELP"}) is None


def test_thread_broadcast_counts_as_a_reply() -> None:
    event = {**load("thread_reply")["event"], "subtype": "thread_broadcast"}

    assert isinstance(classify_message(event, {"C0HELP"}), ThreadReply)


def test_plain_text_unwraps_slack_markup() -> None:
    text = load("thread_reply")["event"]["text"]

    assert plain_text(text) == "Try the reset page & ping @ada in #help"
    assert plain_text("<!here> <@U1> <https://x.org> 1 &lt; 2") == "@here @U1 https://x.org 1 < 2"
    assert plain_text("<!subteam^S1|@mods> help") == "@mods help"


def test_plain_text_with_urls_keeps_where_a_labelled_link_led() -> None:
    """For an article, read on every platform: a label keeps its address beside it, unless
    the label is the address as typed (Slack links `example.com` and e-mail addresses so)."""

    text = (
        "See <https://x.org/a?b=1&amp;c=2|the docs &amp; FAQ>, <http://example.com|example.com>, "
        "<mailto:ada@x.org|ada@x.org>, <https://x.org> and <#C1|help>"
    )
    assert plain_text(text, with_urls=True) == (
        "See the docs & FAQ (https://x.org/a?b=1&c=2), example.com, ada@x.org, https://x.org "
        "and #help"
    )
    assert plain_text(text) == "See the docs & FAQ, example.com, ada@x.org, https://x.org and #help"


def test_bare_mentions_are_named_from_names() -> None:
    text = "<@U1> or <@U2|bo>, <@W3> or <@U1>"
    assert bare_mentions(text) == ("U1", "W3")
    assert plain_text(text, {"U1": "ada", "U2": "x"}) == "@ada or @bo, @W3 or @ada"


def test_message_ids_round_trip() -> None:
    assert split_message_id(message_id("C1", "1.2")) == ("C1", "1.2")
    assert split_message_id("console-7") is None


@pytest.mark.parametrize(
    ("text", "user"),
    [
        ("<@U0ADA|ada>", "U0ADA"),
        ("<@W0ADA>", "W0ADA"),
        ("U0ADA", "U0ADA"),
        ("@ada", None),
        ("", None),
    ],
)
def test_parse_user(text: str, user: str | None) -> None:
    assert parse_user(text) == user


def test_parse_question_numbers_and_links() -> None:
    assert parse_question("#12") == 12
    assert parse_question("12") == 12
    link = "<https://fake.slack.com/archives/C0HELP/p1700000000000100>"
    assert parse_question(link) == ThreadRef("slack", "C0HELP:1700000000.000100")
    reply_link = (
        "https://fake.slack.com/archives/C0HELP/p1700000100000200"
        "?thread_ts=1700000000.000100&cid=C0HELP"
    )
    assert parse_question(reply_link) == ThreadRef("slack", "C0HELP:1700000000.000100")
    assert parse_question("the vpn one") is None


def test_parse_period() -> None:
    assert parse_period("") is Period.ALL
    assert parse_period(" Week ") is Period.WEEK
    assert parse_period("decade") is None


def test_solved_submission_from_a_recorded_view() -> None:
    body = load("solved_submission")

    form = parse_solved_submission(body["view"])

    assert form.question_id == 7
    assert form.helpers == ("U0HELPER",)
    assert form.helpers_offered
    assert form.channel == "C0GENERAL"
    assert team_id_of(body) == "T123ABC456"


def test_solved_submission_without_a_question() -> None:
    view = {**load("solved_submission")["view"], "state": {"values": {}}, "private_metadata": "x"}

    form = parse_solved_submission(view)

    assert form.question_id is None and form.helpers == () and form.channel is None


def test_shortcut_payload_names_the_message() -> None:
    body = load("message_action")

    assert team_id_of(body) == "T123ABC456"
    assert message_id(body["channel"]["id"], body["message"]["ts"]) == "C0HELP:1700000100.000200"


def test_reaction_payload_team() -> None:
    assert team_id_of(load("reaction_added")) == "T123ABC456"


def test_suggestion_button_value() -> None:
    assert suggestion_button_value("12|q7") == (12, "q7")
    assert suggestion_button_value("x|q7") is None


def test_interaction_id() -> None:
    assert interaction_id("shortcut", None, "1.2") == "shortcut:1.2"
    assert interaction_id("command", "") is None


def test_mentions_and_words_keep_slack_markup_whole() -> None:
    from adapters.slack.translate import mentioned_users, words

    text = "thanks <@U0B|bob> and <@W0C>, also <@U0B> again <#C1|help>"
    assert mentioned_users(text) == ("U0B", "W0C")
    assert words("warn <@U1|ada lovelace> be kind") == ["warn", "<@U1|ada lovelace>", "be", "kind"]


def test_an_article_suggestion_button_value_keeps_its_id() -> None:
    assert suggestion_button_value("12|a:reset-vpn") == (12, "a:reset-vpn")


def test_after_words_keeps_the_rest_as_typed() -> None:
    """The free text that ends a command, its lines and spaces kept; a mention whose label
    has a space is one word, as `words` has it."""

    typed = "warn <@U1|ada lovelace>  Stop *that*,\n  please.  "
    assert after_words(typed, 2) == "Stop *that*,\n  please."
    assert after_words(typed, 0) == typed.rstrip()
    assert after_words("lock #1", 2) == ""


def _edit(**changed: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "channel": "C0HELP", "user": "U1", "ts": "2.000001", "new_text": "new", "old_text": "old",
    }  # fmt: skip
    return sp.message_changed_event(**{**fields, **changed})


def test_an_edit_of_a_question_or_of_a_reply() -> None:
    assert classify_edit(_edit(), {"C0HELP"}) == MessageEdit(
        "C0HELP", "2.000001", "2.000001", "U1", "new"
    )
    # a question's message once it has replies carries its own ts as thread_ts
    assert classify_edit(_edit(thread_ts="2.000001"), {"C0HELP"}) == MessageEdit(
        "C0HELP", "2.000001", "2.000001", "U1", "new"
    )
    reply = classify_edit(_edit(thread_ts="1.000001"), {"C0HELP"})
    assert reply == MessageEdit("C0HELP", "1.000001", "2.000001", "U1", "new")
    # with no help channels configured, replies anywhere count (as on arrival), questions not
    assert classify_edit(_edit(thread_ts="1.000001", channel="C0ANY"), set()) is not None
    assert classify_edit(_edit(channel="C0ANY"), set()) is None
    files = [sp.file_object("a.png")]
    assert classify_edit(_edit(files=files), {"C0HELP"}) == MessageEdit(
        "C0HELP", "2.000001", "2.000001", "U1", "new\n[a.png]"
    )


@pytest.mark.parametrize(
    "event",
    [
        _edit(new_text="old", edited=False, attachments=[sp.unfurl_attachment("https://x.io")]),
        # a preview on a message with files: named on both sides, the text is as it was
        _edit(new_text="old", edited=False, files=[sp.file_object("a.png")]),
        _edit(bot_id="B1"),
        _edit(editor="U2"),
        _edit(channel="C0OTHER"),
        _edit(channel_type="im"),
        {**_edit(), "subtype": "message_deleted"},
        {**_edit(), "message": None},
    ],
)
def test_edits_that_mean_nothing(event: dict[str, Any]) -> None:
    assert classify_edit(event, {"C0HELP"}) is None


def test_a_deleted_message_and_a_tombstone_are_deletions() -> None:
    deleted, tombstone = load("message_deleted")["event"], load("tombstone")["event"]

    assert classify_deletion(deleted, {"C0HELP"}) == MessageDeletion("C0HELP", "1700000100.000200")
    assert is_tombstone(tombstone)
    assert classify_deletion(tombstone, {"C0HELP"}) == MessageDeletion(
        "C0HELP", "1700000000.000100"
    )
    # a tombstone is never an edit, whoever Slack says it is by
    assert classify_edit(tombstone, {"C0HELP"}) is None
    # with no help channels configured, anywhere a reply would count (as on arrival)
    assert classify_deletion({**deleted, "channel": "C0ANY"}, set()) is not None
    # (but no channel is no deletion anywhere)
    assert classify_deletion({**deleted, "channel": None}, set()) is None
    # the bot's own posts are deletions too (its post of an /ask question opened one)
    bots = {**deleted, "previous_message": {**deleted["previous_message"], "bot_id": "B1"}}
    assert classify_deletion(bots, {"C0HELP"}) is not None


@pytest.mark.parametrize(
    "event",
    [
        {**load("message_deleted")["event"], "channel": "C0OTHER"},
        {**load("message_deleted")["event"], "channel_type": "im"},
        {**load("message_deleted")["event"], "channel_type": "mpim"},
        {**load("message_deleted")["event"], "deleted_ts": None},
        {**load("message_deleted")["event"], "channel": None},
        {**load("tombstone")["event"], "channel": "C0OTHER"},
        {**load("tombstone")["event"], "message": {"subtype": "tombstone"}},
        # a new reply under a tombstone (Slack names its parent, as it is now, in `message`)
        {**load("tombstone")["event"], "subtype": "message_replied"},
        _edit(),
        sp.message_event(channel="C0HELP", user="U1", text="hi"),
    ],
)
def test_deletions_that_mean_nothing(event: dict[str, Any]) -> None:
    assert classify_deletion(event, {"C0HELP"}) is None
