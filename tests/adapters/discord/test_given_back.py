"""What a member typed into a command or a form comes back to them, privately, after the
error when the command is refused or fails before the core keeps it: once sent, their Discord
no longer holds it. /ask has done so for questions (test_resilience); this is the same for
report reasons, article texts and moderators' and askers' reasons. A text the core kept is
not given back, whatever fails after."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from tests.adapters.discord.conftest import FakeDiscordWithDMs, Harness, World, not_set_up
from tests.fakes.discord_server import FakeUser, InteractionHandle
from tests.helpers import eventually

EPHEMERAL = 1 << 6
GIVEN_BACK = "Here is what you wrote, so you can use it again:"
BODY = (
    "## Resetting the router\n\n1. Hold **reset** for 10 s.\n2. Wait for the `PWR` light."
    "\n\n```sh\nping 192.168.1.1\n```"
)


@pytest.fixture
def community_settings() -> Any:
    def settings(world: World) -> dict[str, Any]:
        channel = {"discord": str(world.mods)}
        return {"moderation": {"moderators_channel": channel, "reports_per_hour": 1}}

    return settings


async def given_back(
    h: Harness, handle: InteractionHandle, count: int = 1
) -> tuple[str, list[str]]:
    """The error the member saw, and the `count` texts given back after it (the line that
    says what they are comes first, and each is private)."""

    error = await h.done(handle)
    await eventually(lambda: len(handle.record.followups) >= count + 1, what="the give-back")
    followups = handle.record.followups
    assert all(int(m["flags"]) & EPHEMERAL for m in followups), followups
    said = [m["content"] for m in followups]
    assert said[-count - 1] == GIVEN_BACK, said
    return error, said[-count:]


async def nothing_given_back(handle: InteractionHandle) -> None:
    await asyncio.sleep(0.3)  # (a give-back would follow the error reply at once)
    said = [handle.record.original, *handle.record.followups]
    assert not any(GIVEN_BACK in (m or {}).get("content", "") for m in said), said


async def report_form(h: Harness, reporter: FakeUser, message_id: int, reason: str):
    menu = await h.fake.interact(
        h.fake.message_command("Report to moderators", user=reporter, message_id=message_id)
    )
    form = (await menu.wait_response())["data"]["custom_id"]
    channel = int((h.fake.find_message(message_id) or {})["channel_id"])
    return await h.fake.interact(
        h.fake.modal_submit(form, user=reporter, channel_id=channel, values={"reason": reason})
    )


async def test_a_report_not_filed_gives_the_reporter_their_reason_back(h: Harness) -> None:
    """Over the hourly limit (one here), the form's reason was gone with the form."""

    thread_id = await h.ask_text(h.w.alice)
    first = await h.answer(thread_id, h.w.bob, "RTFM, idiot")
    second = await h.answer(thread_id, h.w.bob, "Still an idiot.")
    assert "went to the moderators" in await h.done(await report_form(h, h.w.carol, first, "rude"))
    reason = "Second insult in a row.\n\nSee also the *first* one, and `#3`."
    handle = await report_form(h, h.w.carol, second, reason)
    error, texts = await given_back(h, handle)
    assert "a lot of reports" in error and texts == [reason]


@pytest.mark.parametrize("way", ["option", "form"])
async def test_an_article_not_added_comes_back_to_its_writer(h: Harness, way: str) -> None:
    """A member's /kb add (the core refuses it): the text typed into the option or the form."""

    if way == "option":
        handle = await h.command(
            "kb", h.w.carol, h.w.other, subcommand="add",
            options={"title": "Routers", "body": BODY},
        )  # fmt: skip
    else:
        opened = await h.command(
            "kb", h.w.carol, h.w.other, subcommand="add", options={"title": "Routers"}
        )
        form = (await opened.wait_response())["data"]["custom_id"]
        handle = await h.fake.interact(
            h.fake.modal_submit(
                form, user=h.w.carol, channel_id=h.w.other,
                values={"title": "Routers", "body": BODY, "tags": "net"},
            )
        )  # fmt: skip
    error, texts = await given_back(h, handle)
    assert "Only moderators" in error and texts == [BODY]


async def test_a_long_article_comes_back_whole(h: Harness) -> None:
    """A body longer than one message comes back in as many as it takes, in order."""

    body = "\n\n".join(f"Step {i}: " + "check the cable " * 20 for i in range(10))
    assert len(body) > 3000
    handle = await h.command(
        "kb", h.w.carol, h.w.other, subcommand="add", options={"title": "Long", "body": body}
    )
    await h.done(handle)
    await eventually(lambda: len(handle.record.followups) >= 3)
    said = [m["content"] for m in handle.record.followups]
    assert said[0] == GIVEN_BACK and len(said) == 3, said
    assert "\n\n".join(said[1:]) == body


# (command, subcommand, group, options, what the refusal says); `member` names a member.
REASONS = [
    ("mod", "warn", None, {"member": "bob"}, "Only moderators"),
    ("mod", "close", None, {}, "Only moderators"),
    ("mod", "add", "rep", {"member": "bob", "points": 5}, "Only moderators"),
    ("mod", "revert", "rep", {"entry": 1}, "Only moderators"),
    ("mod", "helpban", None, {"member": "bob", "duration": "7d"}, "Only moderators"),
    ("mod", "reveal", None, {"question": 1}, "Only moderators"),
    ("kb", "remove", None, {"id": "a:anything"}, "Only moderators"),
    ("close", None, None, {}, "Only the person who asked"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "sub", "group", "options", "refusal"), REASONS)
async def test_a_reason_refused_comes_back(
    h: Harness, name: str, sub: str | None, group: str | None, options: dict[str, Any],
    refusal: str,
) -> None:  # fmt: skip
    thread_id = await h.ask_text(h.w.alice)
    reason = "Third warning this week:\n> you are **not** helping\nSee #12."
    options = {k: h.w.bob if k == "member" else v for k, v in options.items()}
    handle = await h.command(
        name, h.w.carol, thread_id, subcommand=sub, group=group,
        options={**options, "reason": reason},
    )  # fmt: skip
    error, texts = await given_back(h, handle)
    assert refusal in error and texts == [reason]


async def test_an_edit_refused_gives_back_its_text_and_its_reason(h: Harness) -> None:
    handle = await h.command(
        "kb", h.w.carol, h.w.other, subcommand="edit",
        options={"id": "a:anything", "body": BODY, "reason": "The old steps are wrong."},
    )  # fmt: skip
    _, texts = await given_back(h, handle, count=2)
    assert texts == [BODY, "The old steps are wrong."]


async def test_a_reason_typed_in_a_server_not_set_up_comes_back(
    discord_fake: FakeDiscordWithDMs, tmp_path: Path
) -> None:
    """Refused before anything else ('not set up'): a reason, like an /ask question."""

    async with not_set_up(discord_fake, tmp_path) as h:
        reason = "Spamming invites in #help,\nthree times today."
        handle = await h.command(
            "mod", h.w.mod, h.w.other, subcommand="warn",
            options={"member": h.w.bob, "reason": reason},
        )  # fmt: skip
        error, texts = await given_back(h, handle)
        assert "not set up" in error and texts == [reason]


async def test_a_blank_reason_is_not_given_back(h: Harness) -> None:
    handle = await h.command(
        "mod", h.w.mod, h.w.other, subcommand="warn",
        options={"member": h.w.bob, "reason": "\u200b \u200b"},
    )  # fmt: skip
    assert "reason" in await h.done(handle)
    await nothing_given_back(handle)
    assert not handle.record.followups


async def test_a_warning_given_is_not_given_back_when_its_reply_fails(h: Harness) -> None:
    """The core kept the warning (bob is told) and only the private reply is refused: the
    moderator must not be handed the reason to warn again."""

    reason = "Please stop posting invites."
    webhook = "/webhooks/{application_id}/{token}"
    h.fake.fail_next("POST", webhook, status=403)
    handle = await h.command(
        "mod", h.w.mod, h.w.other, subcommand="warn",
        options={"member": h.w.bob, "reason": reason},
    )  # fmt: skip
    await eventually(lambda: any(reason in t for t in h.fake.dm_texts(h.w.bob)))
    await eventually(lambda: len(h.fake.calls_to("POST", webhook)) >= 2)  # (and the error)
    await nothing_given_back(handle)


async def test_an_edit_form_not_kept_gives_back_its_text_and_its_reason(h: Harness) -> None:
    """The article is removed while the edit form is open: the form's text and reason come
    back with the error, as the command's do."""

    added = await h.command(
        "kb", h.w.mod, h.w.other, subcommand="add",
        options={"title": "Routers", "body": "Unplug it."},
    )  # fmt: skip
    assert "a:routers" in await h.done(added)
    reason = "The old steps are wrong."
    opened = await h.command(
        "kb", h.w.mod, h.w.other, subcommand="edit", options={"id": "a:routers", "reason": reason}
    )
    form = (await opened.wait_response())["data"]["custom_id"]
    removed = await h.command(
        "kb", h.w.mod, h.w.other, subcommand="remove", options={"id": "a:routers"}
    )
    assert "removed" in await h.done(removed)
    handle = await h.fake.interact(
        h.fake.modal_submit(
            form, user=h.w.mod, channel_id=h.w.other,
            values={"id": "a:routers", "body": BODY, "reason": reason},
        )
    )  # fmt: skip
    error, texts = await given_back(h, handle, count=2)
    assert "can't find" in error and texts == [BODY, reason]
