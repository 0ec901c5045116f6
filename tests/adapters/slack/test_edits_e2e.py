"""A member's edit of their question or answer on Slack reaches the core, over signed HTTP:
Slack's `message_changed` event changes the question's title and body (the asker's edit of
the help channel's top-level message) or the answer's excerpt (its author's edit of a thread
reply), the text built as on arrival (mentions as names, files named); a solved question is
then found by its new words. A link preview (text unchanged), a bot's or an app's edit, an
edit by someone other than the author, another member's message and a channel that is not a
help channel change nothing; the bot says nothing either way."""

from __future__ import annotations

import pytest

from bot import commands as c
from bot.model import ThreadRef
from tests.adapters.slack.conftest import (
    ASKER,
    HELP,
    HELPER,
    OTHER,
    Slack,
    commands_reaching_the_core,
    slow_down,
)
from tests.fakes import slack_payloads as sp

QUESTION = "How do I parse JSON?\nIt fails on dates"
EDITED = "How do I read YAML files?\nWith PyYAML"


def excerpts(slack: Slack) -> list[str]:
    return [str(row[0]) for row in slack.rows("SELECT excerpt FROM messages ORDER BY id")]


async def search(slack: Slack, words: str) -> str:
    await slack.command("/kb", f"search {words}", user=OTHER)
    return slack.responses()[-1]


async def test_the_askers_edit_of_a_solved_question_changes_it_and_its_search(
    slack: Slack,
) -> None:
    root = await slack.ask(QUESTION)
    reply = await slack.answer(root, text="Use json.loads with a hook.")
    await slack.mark_solution(root, reply)
    assert "How do I parse JSON?" in await search(slack, "parse JSON dates")
    slack.fake.clear_calls()

    delivery = await slack.edit(root, EDITED)

    assert delivery.status == 200
    assert slack.question_text() == ("How do I read YAML files?", EDITED)
    assert slack.question_status() == "solved"
    # An edit is silent: nothing posted; the bot's reply only follows the new first line.
    assert slack.bot_said() == ["chat.update"]
    found = await search(slack, "read YAML files PyYAML")
    assert "How do I read YAML files?" in found and "JSON" not in found
    assert "YAML" not in await search(slack, "parse JSON dates")


async def test_an_open_question_takes_its_askers_edit(slack: Slack) -> None:
    root = await slack.ask(QUESTION)

    with commands_reaching_the_core(slack, c.EditMessage) as seen:
        await slack.edit(root, EDITED)

    assert slack.question_text() == ("How do I read YAML files?", EDITED)
    assert slack.question_status() == "open"
    [edit] = seen
    assert (edit.actor.ref.id, edit.message_id) == (ASKER, f"{HELP}:{root}")
    assert edit.thread == ThreadRef("slack", f"{HELP}:{root}")


async def test_a_helpers_edit_of_their_answer_changes_its_excerpt(slack: Slack) -> None:
    root = await slack.ask(QUESTION)
    first = await slack.answer(root, text="Try json.loads.")
    second = await slack.answer(root, OTHER, "Maybe a custom decoder?")
    slack.fake.clear_calls()

    with commands_reaching_the_core(slack, c.EditMessage) as seen:
        await slack.edit(first, "Try json.loads with object_hook for the dates.")

    assert excerpts(slack) == [
        "Try json.loads with object_hook for the dates.",
        "Maybe a custom decoder?",
    ]
    assert slack.question_text() == ("How do I parse JSON?", QUESTION)
    assert slack.bot_said() == []
    [edit] = seen
    assert (edit.actor.ref.id, edit.message_id) == (HELPER, f"{HELP}:{first}")
    assert edit.thread == ThreadRef("slack", f"{HELP}:{root}")
    await slack.edit(second, "A custom decoder works too.")
    assert excerpts(slack)[1] == "A custom decoder works too."


async def test_an_edit_with_mentions_is_stored_with_names_like_on_arrival(slack: Slack) -> None:
    root = await slack.ask(QUESTION)
    reply = await slack.answer(root)

    await slack.edit(root, f"<@{HELPER}> how do I parse JSON, <@U0NOBODY>?\nIt fails")
    await slack.edit(reply, f"Ask <@{OTHER}> about the reset link &amp; wait")

    assert slack.question_text() == (
        "@helper how do I parse JSON, @U0NOBODY?",
        "@helper how do I parse JSON, @U0NOBODY?\nIt fails",
    )
    assert excerpts(slack) == ["Ask @other about the reset link & wait"]


async def test_an_edit_of_a_message_with_files_keeps_them_named(slack: Slack) -> None:
    files = [sp.file_object("error.png", user=ASKER)]
    shot = slack.fake.add_message(HELP, "It crashes", user=ASKER, files=files)
    root = str(shot["ts"])
    await slack.event(
        sp.file_share_event(channel=HELP, user=ASKER, files=files, text="It crashes", ts=root)
    )
    arrived = slack.question_text()
    assert "error.png" in arrived[1]

    await slack.edit(root, "It crashes on start", files=files)

    assert slack.question_text() == tuple(
        t.replace("It crashes", "It crashes on start") for t in arrived
    )


async def test_a_link_preview_changes_nothing(slack: Slack) -> None:
    """Slack sends `message_changed` when it adds a link's preview: the text as it was, no
    `edited`. Nothing changes even when the stored text differs (here: the asker's edit
    that Slack delivers after the preview's event), and the bot says nothing."""

    text = "How do I parse https://example.com/data.json?"
    root = await slack.ask(text)
    slack.fake.clear_calls()
    preview = [sp.unfurl_attachment("https://example.com/data.json")]
    edit = sp.message_changed_event(
        channel=HELP, user=ASKER, ts=root, new_text="How do I parse data.json?", old_text=text
    )
    with commands_reaching_the_core(slack, c.EditMessage) as seen:
        await slack.event(
            sp.message_changed_event(
                channel=HELP, user=ASKER, ts=root, new_text="How do I parse data.json?",
                old_text="How do I parse data.json?", edited=False, attachments=preview,
            )
        )  # fmt: skip

    assert seen == []
    assert slack.question_text() == (text, text)
    assert slack.bot_said() == []
    await slack.event(edit)
    assert slack.question_text()[0] == "How do I parse data.json?"


async def test_bots_apps_and_other_members_edits_change_nothing(slack: Slack) -> None:
    root = await slack.ask(QUESTION)
    reply = await slack.answer(root)
    slack.fake.clear_calls()

    ignored = (
        # an app posting as the asker (a user token) edits the question
        sp.message_changed_event(
            channel=HELP, user=ASKER, ts=root, new_text="Spam", old_text=QUESTION,
            bot_id="B0OTHERAPP",
        ),
        # someone who is not the author (a workspace owner's tool) edits it
        sp.message_changed_event(
            channel=HELP, user=ASKER, ts=root, new_text="Spam", old_text=QUESTION,
            editor=OTHER,
        ),
    )  # fmt: skip
    with commands_reaching_the_core(slack, c.EditMessage) as seen:
        for event in ignored:
            assert (await slack.event(event)).status == 200
    assert seen == []

    for event in (
        # another member claims the helper's answer, or the asker's question
        sp.message_changed_event(
            channel=HELP, user=OTHER, ts=reply, thread_ts=root, new_text="Spam",
            old_text="Try the reset link.",
        ),
        sp.message_changed_event(
            channel=HELP, user=HELPER, ts=root, new_text="Spam", old_text=QUESTION
        ),
        # the asker "edits" the helper's answer
        sp.message_changed_event(
            channel=HELP, user=ASKER, ts=reply, thread_ts=root, new_text="Spam",
            old_text="Try the reset link.",
        ),
    ):  # fmt: skip
        assert (await slack.event(event)).status == 200

    assert slack.question_text() == ("How do I parse JSON?", QUESTION)
    assert excerpts(slack) == ["Try the reset link."]
    assert slack.bot_said() == []
    await slack.edit(root, EDITED)
    await slack.edit(reply, "Try the new reset link.")
    assert slack.question_text() == ("How do I read YAML files?", EDITED)
    assert excerpts(slack) == ["Try the new reset link."]


async def test_an_edit_outside_the_help_channels_changes_nothing(slack: Slack) -> None:
    root = await slack.ask(QUESTION)
    reply = await slack.answer(root)
    slack.fake.clear_calls()

    with commands_reaching_the_core(slack, c.EditMessage) as seen:
        for channel in ("C0GENERAL", "D0ASKER"):
            await slack.event(
                sp.message_changed_event(
                    channel=channel, user=ASKER, ts=root, new_text="Elsewhere",
                    old_text=QUESTION, channel_type="im" if channel[0] == "D" else "channel",
                )
            )  # fmt: skip
        await slack.event(
            sp.message_changed_event(
                channel=HELP, user=ASKER, ts=root, new_text="Elsewhere", old_text=QUESTION,
                channel_type="im",
            )
        )  # fmt: skip

    assert seen == []
    assert slack.question_text() == ("How do I parse JSON?", QUESTION)
    assert slack.fake.calls == []
    await slack.edit(reply, "Try the new reset link.")
    assert excerpts(slack) == ["Try the new reset link."]


async def test_an_edit_in_a_workspace_that_is_no_communitys_changes_nothing(
    slack: Slack, caplog: pytest.LogCaptureFixture
) -> None:
    root = await slack.ask(QUESTION)
    slack.fake.clear_calls()
    event = sp.message_changed_event(
        channel=HELP, user=ASKER, ts=root, new_text=EDITED, old_text=QUESTION
    )

    body = sp.event_callback(event, event_id=sp.make_event_id(), team_id="T0STRANGER")
    with commands_reaching_the_core(slack, c.EditMessage) as seen:
        await slack.send(sp.signed_event(body, secret=slack.secret))

    assert seen == []
    assert slack.question_text() == ("How do I parse JSON?", QUESTION)
    assert slack.bot_said() == []
    assert not [r for r in caplog.records if r.exc_info]  # turned away, not failed
    await slack.event(event)
    assert slack.question_text() == ("How do I read YAML files?", EDITED)


async def test_an_edit_arriving_while_its_question_is_recorded_changes_it(slack: Slack) -> None:
    """Slack delivers events concurrently: a quick edit must not beat its question (and find
    nothing to edit)."""

    slow_down(slack, c.AskQuestion)
    root = slack.fake.add_message(HELP, QUESTION, user=ASKER)
    asked = sp.message_event(channel=HELP, user=ASKER, text=QUESTION, ts=root["ts"])
    edited = sp.message_changed_event(
        channel=HELP, user=ASKER, ts=root["ts"], new_text=EDITED, old_text=QUESTION
    )
    for event in (asked, edited):
        await sp.deliver(slack.url, sp.signed_event(sp.event_callback(event), secret=slack.secret))
    await slack.settle()

    assert slack.question_text() == ("How do I read YAML files?", EDITED)


async def test_an_edited_first_line_changes_the_bot_s_reply_too(slack: Slack) -> None:
    """The asker editing their question (say, to take a secret out of it) left the bot's
    "Question #1 opened: <first line>" reply quoting the old first line. The reply now
    shows the new one, its suggestions and buttons as they were; an edit that leaves the
    first line as it was does not touch it."""

    root = await slack.ask("My AWS key AKIAXXXXSECRET stopped working\nWhat now?")
    [before] = slack.thread_posts(root)

    await slack.edit(root, "My AWS key stopped working\nWhat now?")

    [after] = slack.thread_posts(root)
    assert after["text"].split("\n")[0] == "Question #1 opened: My AWS key stopped working"
    assert after["text"].split("\n")[1:] == before["text"].split("\n")[1:]
    assert after["blocks"][0]["text"]["text"] == after["text"].split("\n")[0]
    assert after["blocks"][1:] == before["blocks"][1:]
    assert "AKIAXXXXSECRET" not in str(after)

    slack.fake.clear_calls()
    await slack.edit(root, "My AWS key stopped working\nWhat now? Anyone?")
    assert slack.fake.calls_to("chat.update") == []
