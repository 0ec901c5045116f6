"""A private help channel's questions stay in it (Discord, end to end): a help channel
@everyone cannot see (a VIEW_CHANNEL deny overwrite on the role whose id is the server's)
opens private questions, whichever way they are asked. Solved there, they are not suggested
in the public help channel, nor shown by /kb show to members outside it; a public one is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.adapters.discord.conftest import (
    FakeDiscordWithDMs,
    Harness,
    make_config,
    running,
    seed,
)
from tests.fakes.discord_server import FakeUser, Permissions
from tests.helpers import eventually

PRIVATE = "How do I reset the payroll admin password?"
PUBLIC = "How do I reset my own account password?"
SECRET = "Use the payroll master key from the vault"


@dataclass
class Staff:
    """The running bot and its two private help channels (Alice, Bob and the moderator
    see them; Carol does not)."""

    h: Harness
    text: int
    forum: int

    def channel(self, kind: str) -> int:
        return self.text if kind == "text" else self.forum


@pytest.fixture
async def staff(discord_fake: FakeDiscordWithDMs, tmp_path: Path) -> AsyncIterator[Staff]:
    world = seed(discord_fake)
    text = discord_fake.add_text_channel("staff-help", private=True)
    forum = discord_fake.add_forum_channel("staff-forum", tags=["python"], private=True)
    for channel in (text, forum):
        for user in (world.alice, world.bob, world.mod):
            discord_fake.allow_in_channel(channel, user, Permissions.VIEW_CHANNEL)
    help_channels = [str(c) for c in (world.text, world.forum, text, forum)]
    config = make_config(tmp_path, world, discord_fake, help_channel_ids=help_channels)
    async with running(discord_fake, world, config) as harness:
        yield Staff(harness, text, forum)


async def ask_in(h: Harness, kind: str, channel: int, user: FakeUser, text: str) -> int:
    if kind == "text":
        thread_id = int((await h.fake.post_message(channel, user, text))["id"])
    else:
        thread_id = (await h.fake.open_thread(channel, user, text, content="details here")).id
    await eventually(lambda: h.welcome(thread_id))
    return thread_id


async def solve(h: Harness, thread_id: int, answer: str) -> int:
    await h.answer(thread_id, h.w.bob, answer)
    assert "Marked" in await h.done(await h.command("solved", h.w.alice, thread_id))
    question = await h.question(thread_id)
    assert question is not None and question.status.value == "solved"
    return question.id


async def kb_show(h: Harness, user: FakeUser, number: int) -> str:
    handle = await h.command("kb", user, h.w.other, subcommand="show", options={"id": f"#{number}"})
    return await h.done(handle)


async def test_a_private_channels_solution_is_not_shown_outside_it(staff: Staff, kind: str) -> None:
    h = staff.h
    hidden_thread = await ask_in(h, kind, staff.channel(kind), h.w.alice, PRIVATE)
    hidden = await solve(h, hidden_thread, SECRET)
    public = h.w.text if kind == "text" else h.w.forum
    shown = await solve(h, await ask_in(h, kind, public, h.w.alice, PUBLIC), "Use the link.")

    # Carol, outside the private channel, asks the same in the public help channel.
    asked = await h.ask_text(h.w.carol, PRIVATE)
    welcome = h.welcome(asked)
    assert welcome is not None
    suggested = " ".join(e.get("description") or "" for e in welcome["embeds"])
    assert PUBLIC in suggested  # the public channel's solution is suggested
    assert PRIVATE not in suggested and f"q{hidden}" not in suggested, suggested

    refused = await kb_show(h, h.w.carol, hidden)
    assert "can't find" in refused and SECRET not in refused
    assert SECRET in await kb_show(h, h.w.mod, hidden)  # moderators still look it up
    assert "Use the link." in await kb_show(h, h.w.carol, shown)


async def test_every_way_of_asking_in_a_private_channel_is_private(staff: Staff) -> None:
    h = staff.h
    # /ask in the private text channel, in a thread of the private forum, and from elsewhere
    # (which posts in the first help channel, a public one).
    for where, text in (
        (staff.text, "Where is the staff VPN config?"),
        (await ask_in(h, "forum", staff.forum, h.w.alice, "Staff wiki login?"), "Staff rota?"),
        (h.w.other, "Where are the public docs?"),
    ):
        await h.done(await h.command("ask", h.w.alice, where, options={"question": text}))
    # A thread a member made in the private text channel with Create Thread.
    made = (await h.fake.open_thread(staff.text, h.w.bob, "Staff printer")).id
    await h.fake.post_message(made, h.w.bob, "The staff printer is offline, who can fix it?")
    await eventually(lambda: h.welcome(made))

    async with h.app.bot.uow_factory(write=False) as uow:
        found = [await uow.questions.get(number) for number in range(1, 6)]
    asked = {q.title: q.private for q in found if q is not None}
    assert asked == {
        "Staff wiki login?": True,
        "Where is the staff VPN config?": True,
        "Staff rota?": True,
        "Where are the public docs?": False,
        "The staff printer is offline, who can fix it?": True,
    }


@pytest.fixture
async def verified_server(tmp_path: Path) -> AsyncIterator[Staff]:
    """A server where @everyone sees no channel and a "Verified" role grants View Channel
    server-wide (a common set-up): its help channels have no overwrites and are public; a
    staff channel denies Verified the view and is private."""

    everyone = Permissions.EVERYONE_DEFAULT & ~Permissions.VIEW_CHANNEL
    async with FakeDiscordWithDMs(everyone_permissions=everyone) as fake:
        with fake.patch_discord():
            world = seed(fake)
            verified = fake.add_role("Verified", permissions=Permissions.VIEW_CHANNEL)
            staff_only = fake.add_text_channel("staff-help")
            fake.channels[staff_only]["permission_overwrites"] = [
                {
                    "id": str(verified),
                    "type": 0,
                    "allow": "0",
                    "deny": str(Permissions.VIEW_CHANNEL),
                }
            ]
            help_channels = [str(c) for c in (world.text, world.forum, staff_only)]
            config = make_config(tmp_path, world, fake, help_channel_ids=help_channels)
            async with running(fake, world, config) as harness:
                yield Staff(harness, staff_only, world.forum)


async def test_a_verified_role_server_s_public_channel_is_public(verified_server: Staff) -> None:
    h = verified_server.h
    public = await ask_in(h, "text", h.w.text, h.w.alice, PUBLIC)
    hidden = await ask_in(h, "text", verified_server.text, h.w.alice, PRIVATE)

    asked = [await h.question(public), await h.question(hidden)]
    assert [(q.title, q.private) for q in asked if q is not None] == [
        (PUBLIC, False),
        (PRIVATE, True),
    ]


async def test_a_private_thread_in_a_public_channel_is_private(staff: Staff) -> None:
    """A member's private thread (type 12: only those invited see it) in the public help
    channel: its question stays in it."""

    h = staff.h
    made = h.fake.thread_create(h.w.text, h.w.alice, "Payroll VPN")
    thread_id = int(made.thread["id"])
    h.fake.channels[thread_id]["type"] = made.thread["type"] = 12
    await h.fake.dispatch("THREAD_CREATE", made.thread)
    await h.fake.post_message(thread_id, h.w.alice, "How do I rotate the payroll VPN certificate?")
    await eventually(lambda: h.welcome(thread_id))

    question = await h.question(thread_id)
    assert question is not None and question.private


@pytest.fixture
async def gated_server(tmp_path: Path) -> AsyncIterator[Staff]:
    """A verification gate: @everyone may view channels server-wide, but the help channels
    deny it and let a "Verified" role (every member's, `member_role_ids`) in; a staff help
    channel lets only a "Staff" role in."""

    async with FakeDiscordWithDMs() as fake:
        with fake.patch_discord():
            world = seed(fake)
            verified, staff_role = fake.add_role("Verified"), fake.add_role("Staff")
            view = str(Permissions.VIEW_CHANNEL)

            def gate(channel: int, allowed: int) -> None:
                fake.channels[channel]["permission_overwrites"] = [
                    {"id": str(fake.guild_id), "type": 0, "allow": "0", "deny": view},
                    {"id": str(allowed), "type": 0, "allow": view, "deny": "0"},
                ]

            gate(world.text, verified)
            staff_only = fake.add_text_channel("staff-help")
            gate(staff_only, staff_role)
            config = make_config(
                tmp_path, world, fake,
                help_channel_ids=[str(world.text), str(world.forum), str(staff_only)],
                member_role_ids=[str(verified)],
            )  # fmt: skip
            async with running(fake, world, config) as harness:
                yield Staff(harness, staff_only, world.forum)


async def test_a_channel_every_member_sees_through_a_member_role_is_public(
    gated_server: Staff,
) -> None:
    h = gated_server.h
    public = await ask_in(h, "text", h.w.text, h.w.alice, PUBLIC)
    hidden = await ask_in(h, "text", gated_server.text, h.w.alice, PRIVATE)

    asked = [await h.question(public), await h.question(hidden)]
    assert [(q.title, q.private) for q in asked if q is not None] == [
        (PUBLIC, False),
        (PRIVATE, True),
    ]
