"""A workspace that is no community's (a typo in `slack_team_id`, or a workspace the app was
added to later): a member who uses the app there is told it is not set up, and what the
person running the bot adds, instead of Slack showing nothing, as if the app were broken.
Nothing of theirs is recorded."""

from __future__ import annotations

from tests.adapters.slack.conftest import ASKER, HELP, HELPER, Slack
from tests.fakes import slack_payloads as sp

ELSEWHERE = "T0ELSEWHERE"
SET_UP = f'slack_team_id = "{ELSEWHERE}"'


async def test_a_slash_command_says_the_workspace_is_not_set_up(slack: Slack) -> None:
    fields = sp.slash_command(
        command="/rep", user_id=ASKER, channel_id=HELP, team_id=ELSEWHERE,
        response_url=slack.fake.new_response_url(channel=HELP),
    )  # fmt: skip
    delivery = await slack.send(sp.signed_command(fields, secret=slack.secret))

    assert delivery.status == 200
    [said] = slack.responses()
    assert "not set up" in said and SET_UP in said, said
    assert slack.count("members") == 0


async def test_a_message_shortcut_says_the_workspace_is_not_set_up(slack: Slack) -> None:
    payload = sp.message_shortcut(
        callback_id="mark_solution", user_id=ASKER, channel_id=HELP, team_id=ELSEWHERE,
        message=sp.shortcut_message(user=HELPER, text="Try the reset link."),
        response_url=slack.fake.new_response_url(channel=HELP),
    )  # fmt: skip
    await slack.interaction(payload)

    said = slack.ephemeral_to(ASKER) + slack.responses()
    assert len(said) == 1 and SET_UP in said[0], said
    assert slack.count("members") == 0


async def test_a_question_in_a_help_channel_is_answered_once_privately(slack: Slack) -> None:
    text = "How do I reset my password?"
    root = slack.fake.add_message(HELP, text, user=ASKER)
    event = sp.message_event(channel=HELP, user=ASKER, text=text, ts=root["ts"], team=ELSEWHERE)
    await slack.send(
        sp.signed_event(sp.event_callback(event, team_id=ELSEWHERE), secret=slack.secret)
    )
    reply = sp.message_event(
        channel=HELP, user=HELPER, text="Try the reset link.", thread_ts=root["ts"],
        parent_user_id=ASKER, team=ELSEWHERE,
    )  # fmt: skip
    await slack.send(
        sp.signed_event(sp.event_callback(reply, team_id=ELSEWHERE), secret=slack.secret)
    )

    [said] = slack.ephemeral_to(ASKER)
    assert "not set up" in said and SET_UP in said, said
    assert not slack.ephemeral_to(HELPER)  # a reply in the thread is not told again
    assert not slack.fake.calls_to("chat.postMessage")  # nothing in the channel
    assert slack.count("questions") == 0


async def test_the_home_tab_says_the_workspace_is_not_set_up(slack: Slack) -> None:
    event = sp.app_home_opened_event(user=ASKER)
    body = sp.event_callback(event, team_id=ELSEWHERE)
    await slack.send(sp.signed_event(body, secret=slack.secret))

    home = slack.fake.views[slack.fake.home_views[ASKER]]
    assert home["type"] == "home"
    assert "not set up" in str(home["blocks"]) and SET_UP in str(home["blocks"])
    assert slack.count("members") == 0
