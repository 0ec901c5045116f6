"""A report's post in the moderators' channel shows it is handled however the report was
resolved (Slack, end to end): by `/mod report` rather than its buttons, with another report
on the same message, or by the reported message being deleted on Slack. Its buttons go, so
no moderator acts on a report that is already closed."""

from __future__ import annotations

from typing import Any

from adapters.slack import ids
from tests.adapters.slack.conftest import GROUPIE, HELP, HELPER, MOD, OTHER, Slack
from tests.adapters.slack.test_moderation_e2e import MODS, click, mods, report
from tests.fakes import slack_payloads as sp

__all__ = ["mods"]  # (the fixture, used by name)


def current(slack: Slack, post: dict[str, Any]) -> dict[str, Any]:
    found = slack.fake.find_message(MODS, post["ts"])
    assert found is not None
    return found


def has_buttons(message: dict[str, Any]) -> bool:
    return any(b["type"] == "actions" for b in message.get("blocks") or ())


async def test_a_report_resolved_by_command_loses_its_buttons(mods: Slack) -> None:
    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")
    post = await report(mods, root, reply)
    assert has_buttons(current(mods, post))

    await mods.command("/mod", "report 1 dismiss not spam", user=MOD)

    handled = current(mods, post)
    assert not has_buttons(handled)
    assert f"Report #1 dismissed. (by <@{MOD}>)" in handled["text"]


async def test_both_reports_on_a_deleted_message_lose_their_buttons(mods: Slack) -> None:
    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")
    first = await report(mods, root, reply)
    second = await report(mods, root, reply, reporter=GROUPIE)
    assert first["ts"] != second["ts"]

    await click(mods, first, ids.REPORT_DELETE)  # its button marks it; the core, the other

    for post, number in ((first, 1), (second, 2)):
        handled = current(mods, post)
        assert not has_buttons(handled)
        assert handled["text"].count(f"Report #{number}: message deleted.") == 1, handled["text"]


async def test_a_reported_message_deleted_on_slack_closes_its_report_post(mods: Slack) -> None:
    root = await mods.ask()
    reply = await mods.answer(root, HELPER, "Buy cheap pills")
    post = await report(mods, root, reply, reporter=OTHER)

    mods.fake.delete_message(HELP, reply)
    await mods.event(sp.message_deleted_event(channel=HELP, deleted_ts=reply))

    handled = current(mods, post)
    assert not has_buttons(handled)
    assert "Report #1 closed: the reported message was deleted." in handled["text"]
