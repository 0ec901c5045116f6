"""A report's post in the moderators' channel shows it is handled however the report was
resolved (Discord, end to end): with another report on the same message through its own
Delete button, or by the reported message being deleted on Discord. Its buttons go, so no
moderator acts on a report that is already closed."""

from __future__ import annotations

from typing import Any

from tests.adapters.discord.conftest import Harness, custom_ids
from tests.adapters.discord.test_reports import click, community_settings, post_for, report
from tests.helpers import eventually

__all__ = ["community_settings"]  # (the fixture, used by name)


def current(h: Harness, post: dict[str, Any]) -> dict[str, Any]:
    found = h.fake.find_message(int(post["id"]))
    assert found is not None
    return found


async def handled(h: Harness, post: dict[str, Any]) -> dict[str, Any]:
    await eventually(lambda: custom_ids(current(h, post)) == [])
    return current(h, post)


async def test_both_reports_on_a_deleted_message_lose_their_buttons(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob, "RTFM, idiot")
    await report(h, h.w.carol, answer, "insulting")
    await report(h, h.w.alice, answer, "rude")
    first, second = await post_for(h, 1), await post_for(h, 2)
    assert custom_ids(second) == ["cb:report:dismiss:2", "cb:report:delete:2", "cb:report:warn:2"]

    await click(h, first, "delete", h.w.mod)

    for post, number in ((first, 1), (second, 2)):
        content = (await handled(h, post))["content"]
        assert content.count(f"Report #{number}: message deleted.") == 1, content
        assert f"(by <@{h.w.mod.id}>)" in content


async def test_a_reported_message_deleted_on_discord_closes_its_report_post(h: Harness) -> None:
    thread_id = await h.ask_text(h.w.alice)
    answer = await h.answer(thread_id, h.w.bob, "RTFM, idiot")
    await report(h, h.w.carol, answer, "insulting")
    post = await post_for(h, 1)

    await h.fake.delete_message(thread_id, answer)

    content = (await handled(h, post))["content"]
    assert content.endswith("Report #1 closed: the reported message was deleted."), content
    again = await click(h, post, "warn", h.w.mod)
    assert "already handled" in again
