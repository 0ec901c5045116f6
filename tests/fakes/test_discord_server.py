"""The fake Discord server, exercised by the real discord.py client (REST + gateway)."""

from __future__ import annotations

import asyncio
import io
import zlib
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
import pytest_asyncio
from discord import app_commands

from tests.fakes.discord_server import APIError, FakeDiscord, FakeUser, _Compressor, zstd_available
from tests.helpers import eventually

FAST = {"guild_ready_timeout": 0.05}  # discord.py waits this long after the last GUILD_CREATE


class World:
    """A seeded guild: #general, a #help forum with tags, a Helper role and two users."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.general = fake.add_text_channel("general", topic="chat")
        self.forum = fake.add_forum_channel("help", tags=["python", "solved"])
        self.helper_role = fake.add_role("Helper", permissions=0, mentionable=True)
        self.alice: FakeUser = fake.add_user("alice", global_name="Alice", roles=[self.helper_role])
        self.bob: FakeUser = fake.add_user("bob")


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(guild_name="Test Guild") as server:
        with server.patch_discord():
            yield server


@pytest.fixture
def world(fake: FakeDiscord) -> World:
    return World(fake)


class RecordingClient(discord.Client):
    """A plain client that keeps what it received, for assertions."""

    def __init__(self, *, intents: discord.Intents, **kwargs: Any) -> None:
        super().__init__(intents=intents, **FAST, **kwargs)
        self.messages: list[discord.Message] = []
        self.reactions: list[discord.RawReactionActionEvent] = []
        self.edits: list[discord.RawMessageUpdateEvent] = []
        self.resumed = 0

    async def on_message(self, message: discord.Message) -> None:
        self.messages.append(message)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        self.reactions.append(payload)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        self.reactions.append(payload)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        self.edits.append(payload)

    async def on_resumed(self) -> None:
        self.resumed += 1

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before a re-IDENTIFY (identify rate limit); tests need not."""


def all_intents() -> discord.Intents:
    intents = discord.Intents.default()
    intents.members = True
    intents.message_content = True
    return intents


# ------------------------------------------------------------------------------ connection


async def test_login_ready_and_guild_create_populate_the_cache(
    fake: FakeDiscord, world: World
) -> None:
    client = RecordingClient(intents=all_intents())
    async with fake.run(client):
        guild = client.get_guild(fake.guild_id)
        assert guild is not None and guild.name == "Test Guild"
        assert client.user is not None and client.user.id == fake.bot_user.id
        assert client.application_id == fake.application_id
        general = guild.get_channel(world.general)
        assert isinstance(general, discord.TextChannel) and general.topic == "chat"
        forum = guild.get_channel(world.forum)
        assert isinstance(forum, discord.ForumChannel)
        assert [t.name for t in forum.available_tags] == ["python", "solved"]
        assert guild.get_role(world.helper_role) is not None
        assert guild.me is not None and guild.me.id == fake.bot_user.id
        # members intent -> discord.py chunks the guild (op 8 -> GUILD_MEMBERS_CHUNK)
        alice = guild.get_member(world.alice.id)
        assert alice is not None and alice.global_name == "Alice"
        assert [r.id for r in alice.roles if not r.is_default()] == [world.helper_role]

    assert fake.identify_count == 1
    assert fake.identify_payload is not None
    assert fake.identify_payload["intents"] == all_intents().value
    assert fake.calls_to("GET", "/users/@me") and fake.calls_to("GET", "/oauth2/applications/@me")
    first = fake.gateway_connections[0]
    assert first["path"] == "/" and first["v"] == "10" and first["encoding"] == "json"
    assert first["compress"] in ("zlib-stream", "zstd-stream")
    assert fake.heartbeat_count >= 1


async def test_wrong_token_is_a_login_failure(fake: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default())
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()


def test_zlib_stream_uses_one_context_and_sync_flush() -> None:
    compressor = _Compressor("zlib-stream")
    inflater = zlib.decompressobj()
    for text in ('{"op":10}', '{"op":11}' * 50):
        chunk = compressor.encode(text)
        assert isinstance(chunk, bytes) and chunk.endswith(b"\x00\x00\xff\xff")
        assert inflater.decompress(chunk).decode() == text


@pytest.mark.skipif(not zstd_available(), reason="no zstd module installed")
def test_zstd_stream_messages_decode_one_by_one() -> None:  # pragma: no cover - optional
    import zstandard

    compressor = _Compressor("zstd-stream")
    decompressor = zstandard.ZstdDecompressor().decompressobj()
    for text in ('{"op":10}', '{"op":0}'):
        chunk = compressor.encode(text)
        assert isinstance(chunk, bytes)
        assert decompressor.decompress(chunk).decode() == text


# ------------------------------------------------------------------------------ inbound events


async def test_message_create_reaches_on_message_and_content_intent_is_honoured(
    fake: FakeDiscord, world: World
) -> None:
    intents = discord.Intents.default()  # no MESSAGE_CONTENT
    client = RecordingClient(intents=intents)
    async with fake.run(client):
        await fake.post_message(world.general, world.alice, "how do I loop?")
        await fake.post_message(world.general, world.bob, f"{fake.bot_user.mention} help")
        await eventually(lambda: len(client.messages) == 2)
        plain, mentioning = client.messages
        assert plain.author.id == world.alice.id and plain.content == ""
        assert isinstance(plain.author, discord.Member)
        assert mentioning.content.endswith("help")
        assert [u.id for u in mentioning.mentions] == [fake.bot_user.id]
        # REST sees the stored message with its content
        fetched = await client.get_channel(world.general).fetch_message(plain.id)  # type: ignore[union-attr]
        assert fetched.content == "how do I loop?"
        history = [m async for m in fetched.channel.history(limit=10)]
        assert [m.id for m in history] == [mentioning.id, plain.id]  # newest first


async def test_replies_and_reactions_are_dispatched(fake: FakeDiscord, world: World) -> None:
    client = RecordingClient(intents=all_intents())
    async with fake.run(client):
        question = await fake.post_message(world.general, world.alice, "question")
        await fake.post_message(
            world.general, world.bob, "answer", message_reference=int(question["id"])
        )
        await fake.react(
            world.general, int(question["id"]), world.bob, "\N{WHITE HEAVY CHECK MARK}"
        )
        await eventually(lambda: len(client.messages) == 2 and client.reactions)
        reply = client.messages[1]
        assert reply.type is discord.MessageType.reply
        assert reply.reference is not None and reply.reference.message_id == int(question["id"])
        reaction = client.reactions[0]
        assert (
            reaction.user_id == world.bob.id and reaction.emoji.name == "\N{WHITE HEAVY CHECK MARK}"
        )
        assert reaction.message_author_id == world.alice.id
        assert reaction.member is not None and reaction.member.id == world.bob.id


async def test_a_removed_reaction_names_its_owner_and_no_member(
    fake: FakeDiscord, world: World
) -> None:
    """MESSAGE_REACTION_REMOVE as Discord documents it: user, channel, message, guild, emoji,
    burst and type; no member, no message author."""

    client = RecordingClient(intents=all_intents())
    check = "\N{WHITE HEAVY CHECK MARK}"
    async with fake.run(client):
        question = await fake.post_message(world.general, world.alice, "question")
        await fake.react(world.general, int(question["id"]), world.bob, check)
        payload = await fake.unreact(world.general, int(question["id"]), world.bob, check)
        assert set(payload) == {
            "user_id", "channel_id", "message_id", "guild_id", "emoji", "burst", "type"
        }  # fmt: skip
        await eventually(lambda: len(client.reactions) == 2)
        removed = client.reactions[1]
        assert removed.event_type == "REACTION_REMOVE"
        assert removed.user_id == world.bob.id and removed.emoji.name == check
        assert removed.guild_id == fake.guild_id and removed.member is None
        assert fake.reactions_on(int(question["id"]))[check] == set()


async def test_a_members_edit_and_an_unfurl_are_message_updates(
    fake: FakeDiscord, world: World
) -> None:
    """MESSAGE_UPDATE carries the full message: an edit has the new content, its mentions
    and an edited timestamp; an unfurl adds embeds and leaves content and timestamp alone."""

    client = RecordingClient(intents=all_intents())
    async with fake.run(client):
        posted = await fake.post_message(world.general, world.alice, "see https://x.test")
        message_id = int(posted["id"])
        await eventually(lambda: client.messages)
        await fake.dispatch(
            "MESSAGE_UPDATE",
            fake.embed_update(
                world.general, message_id, [{"type": "link", "url": "https://x.test"}]
            ),
        )
        await fake.edit_message(world.general, message_id, f"ask {world.bob.mention}")
        await eventually(lambda: len(client.edits) == 2)
        unfurl, edit = client.edits
        assert unfurl.message.content == "see https://x.test" and unfurl.message.edited_at is None
        assert len(unfurl.message.embeds) == 1
        assert unfurl.cached_message is not None  # discord.py cached the MESSAGE_CREATE
        assert edit.message_id == message_id and edit.message.content == f"ask {world.bob.mention}"
        assert edit.message.edited_at is not None
        assert [u.id for u in edit.message.mentions] == [world.bob.id]
        assert isinstance(edit.message.author, discord.Member)
        stored = fake.find_message(message_id)
        assert stored is not None and stored["content"] == f"ask {world.bob.mention}"
        assert stored["edited_timestamp"] is not None


class DeletionsClient(RecordingClient):
    """Keeps the raw deletion events, as discord.py parses them."""

    def __init__(self, *, intents: discord.Intents, **kwargs: Any) -> None:
        super().__init__(intents=intents, **kwargs)
        self.deletions: list[Any] = []

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        self.deletions.append(payload)

    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        self.deletions.append(payload)

    async def on_raw_thread_delete(self, payload: discord.RawThreadDeleteEvent) -> None:
        self.deletions.append(payload)


async def test_deletions_are_message_delete_bulk_and_thread_delete(
    fake: FakeDiscord, world: World
) -> None:
    """Someone deletes a message, purges several, or deletes a forum post whole: Discord
    names only ids (the message's, its channel's and guild's; the thread's parent and type),
    and the fake forgets what was deleted."""

    client = DeletionsClient(intents=all_intents())
    async with fake.run(client):
        one, two, three = [
            int((await fake.post_message(world.general, world.alice, t))["id"]) for t in "abc"
        ]
        post = await fake.open_thread(world.forum, world.bob, "help", content="stuck")
        await eventually(lambda: len(client.messages) == 4)
        single = await fake.delete_message(world.general, one)
        assert single == {
            "id": str(one),
            "channel_id": str(world.general),
            "guild_id": str(fake.guild_id),
        }
        await fake.delete_messages(world.general, [two, three])
        await fake.delete_thread(post.id)
        await eventually(lambda: len(client.deletions) == 3)
        deleted, purged, thread = client.deletions
        assert isinstance(deleted, discord.RawMessageDeleteEvent)
        assert (deleted.message_id, deleted.channel_id) == (one, world.general)
        assert deleted.guild_id == fake.guild_id and deleted.cached_message is not None
        assert isinstance(purged, discord.RawBulkMessageDeleteEvent)
        assert purged.message_ids == {two, three} and purged.channel_id == world.general
        assert len(purged.cached_messages) == 2 and purged.guild_id == fake.guild_id
        assert isinstance(thread, discord.RawThreadDeleteEvent)
        assert (thread.thread_id, thread.parent_id) == (post.id, world.forum)
        assert thread.thread_type is discord.ChannelType.public_thread
        assert thread.thread is not None  # discord.py had it, and drops it now
        guild = client.get_guild(fake.guild_id)
        assert guild is not None and guild.get_thread(post.id) is None
    assert fake.messages_in(world.general) == []
    assert post.id not in fake.channels and fake.find_message(post.id) is None
    with pytest.raises(APIError, match="10008"):
        fake.message_delete(world.general, one)  # already gone: Unknown Message
    kept = fake.user_message(world.general, world.alice, "kept")
    with pytest.raises(APIError, match="10008"):
        fake.message_delete_bulk(world.general, [int(kept["id"]), one])
    assert fake.find_message(int(kept["id"])) is not None  # all or nothing
    with pytest.raises(ValueError, match="not a thread"):
        fake.thread_delete(world.general)
    assert world.general in fake.channels


# ------------------------------------------------------------------------------ bot -> REST


async def test_bot_sends_messages_and_manages_threads(fake: FakeDiscord, world: World) -> None:
    client = RecordingClient(intents=all_intents())
    async with fake.run(client):
        general = client.get_channel(world.general)
        assert isinstance(general, discord.TextChannel)
        sent = await general.send("hello from the bot")
        assert (
            fake.last_call("POST", "/channels/{id}/messages").json["content"]
            == "hello from the bot"
        )
        await eventually(lambda: any(m.id == sent.id for m in client.messages))  # echoed

        with_file = await general.send("log", file=discord.File(io.BytesIO(b"trace"), "log.txt"))
        upload = fake.last_call("POST", "/channels/{id}/messages")
        assert upload.json["content"] == "log" and upload.files[0].data == b"trace"
        assert with_file.attachments[0].filename == "log.txt"
        assert await with_file.attachments[0].read() == b"trace"

        thread = await sent.create_thread(name="Discussion")
        assert thread.id == sent.id and fake.channels[thread.id]["type"] == 11
        await eventually(lambda: client.get_channel(thread.id) is not None)  # THREAD_CREATE

        forum = client.get_channel(world.forum)
        assert isinstance(forum, discord.ForumChannel)
        python_tag = forum.get_tag(fake.forum_tag_id(world.forum, "python"))
        assert python_tag is not None
        post = await forum.create_thread(
            name="How to loop?", content="Body of the question", applied_tags=[python_tag]
        )
        assert post.message.id == post.thread.id and post.message.content == "Body of the question"
        assert [t.name for t in post.thread.applied_tags] == ["python"]
        assert fake.threads_in(world.forum)[0]["name"] == "How to loop?"
        await eventually(lambda: any(m.id == post.message.id for m in client.messages))

        solved = forum.get_tag(fake.forum_tag_id(world.forum, "solved"))
        assert solved is not None
        edited = await post.thread.edit(
            name="[Solved] How to loop?", archived=True, applied_tags=[solved]
        )
        assert edited.name == "[Solved] How to loop?" and edited.archived
        body = fake.last_call("PATCH", "/channels/{id}").json
        assert body["applied_tags"] == [str(solved.id)] and body["archived"] is True
        # THREAD_UPDATE with archived=True: discord.py drops the thread from its cache
        await eventually(lambda: client.get_channel(post.thread.id) is None)
        archived = [t async for t in forum.archived_threads()]
        assert [t.id for t in archived] == [post.thread.id]
        await thread.leave()
        await thread.join()
        assert fake.calls_to("PUT", "/channels/{id}/thread-members/@me")
        guild = client.get_guild(fake.guild_id)
        assert guild is not None
        assert [t.id for t in await guild.active_threads()] == [thread.id]

        new_forum = await forum.edit(
            available_tags=[*forum.available_tags, discord.ForumTag(name="urgent")]
        )
        assert [t.name for t in new_forum.available_tags] == ["python", "solved", "urgent"]
        assert all(t.id for t in new_forum.available_tags)

        with pytest.raises(discord.HTTPException) as too_long:
            await general.send("x" * 2001)
        assert too_long.value.status == 400 and too_long.value.code == 50035
        with pytest.raises(discord.HTTPException) as bad_name:
            await sent.channel.create_thread(name="n" * 101, type=discord.ChannelType.public_thread)
        assert bad_name.value.code == 50035


async def test_a_channel_overwrite_reaches_discord_py_and_the_interaction_only(
    fake: FakeDiscord, world: World
) -> None:
    from tests.fakes.discord_server import Permissions

    client = RecordingClient(intents=all_intents())
    async with fake.run(client):
        fake.allow_in_channel(world.general, world.bob, Permissions.MANAGE_THREADS)
        channel = client.get_channel(world.general)
        assert isinstance(channel, discord.TextChannel)
        await eventually(lambda: channel.overwrites)  # CHANNEL_UPDATE
        bob = channel.guild.get_member(world.bob.id)
        assert bob is not None
        assert channel.permissions_for(bob).manage_threads
        assert not bob.guild_permissions.manage_threads
    data = {"custom_id": "x", "component_type": 2}
    here = fake._interaction(3, world.bob, world.general, data)  # noqa: SLF001
    assert int(here["member"]["permissions"]) & Permissions.MANAGE_THREADS
    elsewhere = fake._interaction(3, world.bob, world.forum, data)  # noqa: SLF001
    assert not int(elsewhere["member"]["permissions"]) & Permissions.MANAGE_THREADS


async def test_a_private_channel_is_hidden_from_everyone_but_whom_it_lets_in(
    fake: FakeDiscord, world: World
) -> None:
    """A private channel denies VIEW_CHANNEL to @everyone (the role whose id is the guild's):
    discord.py computes that from its overwrites, and from its parent's for a thread."""

    from tests.fakes.discord_server import Permissions

    text = fake.add_text_channel("staff", private=True)
    forum = fake.add_forum_channel("staff-forum", private=True)
    fake.allow_in_channel(text, world.alice, Permissions.VIEW_CHANNEL)
    client = RecordingClient(intents=all_intents())
    async with fake.run(client):
        thread = await client.get_channel(text).send("q")  # type: ignore[union-attr]
        made = await thread.create_thread(name="q")
        guild = thread.guild
        await eventually(lambda: guild.get_thread(made.id))
        for channel_id in (text, forum, world.general, world.forum):
            channel = guild.get_channel(channel_id)
            assert isinstance(channel, discord.TextChannel | discord.ForumChannel)
            visible = channel.permissions_for(guild.default_role).view_channel
            assert visible is (channel_id in (world.general, world.forum)), channel.name
            assert channel.permissions_for(guild.me).view_channel
        alice, bob = guild.get_member(world.alice.id), guild.get_member(world.bob.id)
        assert alice is not None and bob is not None
        assert guild.get_channel(text).permissions_for(alice).view_channel  # type: ignore[union-attr]
        assert not guild.get_channel(text).permissions_for(bob).view_channel  # type: ignore[union-attr]
        parent = guild.get_thread(made.id).parent  # type: ignore[union-attr]
        assert parent is not None and not parent.permissions_for(guild.default_role).view_channel
    data = {"custom_id": "x", "component_type": 2}
    seen = fake._interaction(3, world.bob, text, data)  # noqa: SLF001
    assert not int(seen["member"]["permissions"]) & Permissions.VIEW_CHANNEL


async def test_roles_and_reactions_from_the_bot(fake: FakeDiscord, world: World) -> None:
    client = RecordingClient(intents=all_intents())
    async with fake.run(client):
        guild = client.get_guild(fake.guild_id)
        assert guild is not None
        bob = guild.get_member(world.bob.id)
        role = guild.get_role(world.helper_role)
        assert bob is not None and role is not None
        await bob.add_roles(role, reason="answered")
        assert fake.member_roles(world.bob) == [world.helper_role]
        await eventually(lambda: role in guild.get_member(world.bob.id).roles)  # type: ignore[union-attr]
        await bob.remove_roles(role)
        assert fake.member_roles(world.bob) == []

        message = fake.add_message(world.general, world.alice, "nice")
        partial = client.get_channel(world.general).get_partial_message(int(message["id"]))  # type: ignore[union-attr]
        await partial.add_reaction("\N{WHITE HEAVY CHECK MARK}")
        assert fake.reactions_on(int(message["id"])) == {
            "\N{WHITE HEAVY CHECK MARK}": {fake.bot_user.id}
        }
        await partial.remove_reaction("\N{WHITE HEAVY CHECK MARK}", guild.me)
        assert fake.reactions_on(int(message["id"]))["\N{WHITE HEAVY CHECK MARK}"] == set()


# ------------------------------------------------------------------------------ interactions


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    body: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="What happened?", custom_id="body"
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.body.value}", ephemeral=True)


class AcceptView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__()
        self.picked: list[int] = []

    @discord.ui.select(cls=discord.ui.UserSelect, custom_id="pick-helper")
    async def pick(
        self, interaction: discord.Interaction, select: discord.ui.UserSelect[Any]
    ) -> None:
        self.picked.extend(u.id for u in select.values)
        await interaction.response.defer()

    @discord.ui.button(label="Accept", custom_id="accept")
    async def accept(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await interaction.response.edit_message(content="accepted", view=None)
        await interaction.followup.send("recorded", ephemeral=True)


def build_tree(client: discord.Client, guild_id: int) -> app_commands.CommandTree[Any]:
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(client)
    guild = discord.Object(guild_id)

    @tree.command(name="ask", description="Ask a question", guild=guild)
    @app_commands.describe(question="Your question")
    async def ask(interaction: discord.Interaction, question: str) -> None:
        await interaction.response.send_message(f"noted: {question}", ephemeral=True)

    @ask.autocomplete("question")
    async def ask_autocomplete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=f"{current} loops", value=f"{current} loops")]

    @tree.command(name="slow", description="Defer then edit", guild=guild)
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.edit_original_response(content="done slowly")

    @tree.command(name="feedback", description="Open a modal", guild=guild)
    async def feedback(interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    rep = app_commands.Group(name="rep", description="Reputation")
    admin = app_commands.Group(name="admin", description="Admin tools", parent=rep)

    @admin.command(name="give", description="Give reputation")
    async def give(interaction: discord.Interaction, member: discord.Member, points: int) -> None:
        await interaction.response.send_message(f"{member.display_name} +{points}")

    tree.add_command(rep, guild=guild)

    @tree.context_menu(name="Mark as answer", guild=guild)
    async def mark(interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"marked {message.content}", ephemeral=True)

    @tree.context_menu(name="Show reputation", guild=guild)
    async def show(interaction: discord.Interaction, member: discord.Member) -> None:
        await interaction.response.send_message(f"rep of {member.name}", ephemeral=True)

    return tree


class CommandClient(RecordingClient):
    def __init__(self, fake: FakeDiscord) -> None:
        super().__init__(intents=discord.Intents.default())
        self.tree = build_tree(self, fake.guild_id)
        self.guild_id = fake.guild_id

    async def setup_hook(self) -> None:
        await self.tree.sync(guild=discord.Object(self.guild_id))


async def test_slash_commands_sync_and_respond(fake: FakeDiscord, world: World) -> None:
    client = CommandClient(fake)
    async with fake.run(client):
        synced = fake.last_call("PUT", "/applications/{app}/guilds/{guild}/commands")
        assert sorted(c["name"] for c in synced.json) == [
            "Mark as answer",
            "Show reputation",
            "ask",
            "feedback",
            "rep",
            "slow",
        ]
        assert all(c["id"] and c["guild_id"] == str(fake.guild_id) for c in synced.response)

        handle = await fake.interact(
            fake.slash_command(
                "ask", user=world.alice, channel_id=world.general, options={"question": "loops?"}
            )
        )
        response = await handle.wait_response()
        assert response["type"] == 4
        assert response["data"]["content"] == "noted: loops?"
        assert response["data"]["flags"] & 64  # ephemeral
        assert not any(m.content == "noted: loops?" for m in client.messages)  # not dispatched

        handle = await fake.interact(
            fake.slash_command(
                "rep",
                group="admin",
                subcommand="give",
                user=world.alice,
                channel_id=world.general,
                options={"member": world.bob, "points": 2},
            )
        )
        response = await handle.wait_response()
        assert response["data"]["content"] == "bob +2"
        assert not response["data"].get("flags")
        await eventually(lambda: any(m.content == "bob +2" for m in client.messages))
        public = next(m for m in client.messages if m.content == "bob +2")
        assert (
            public.interaction_metadata is not None
            and public.interaction_metadata.user.id == world.alice.id
        )

        handle = await fake.interact(
            fake.slash_command("slow", user=world.bob, channel_id=world.general)
        )
        assert (await handle.wait_response())["type"] == 5
        await fake.wait_for_call("PATCH", "/webhooks/{app}/{token}/messages/@original")
        assert (
            handle.record.original is not None
            and handle.record.original["content"] == "done slowly"
        )

        handle = await fake.interact(
            fake.autocomplete(
                "ask",
                user=world.bob,
                channel_id=world.general,
                focused="question",
                options={"question": "for"},
            )
        )
        response = await handle.wait_response()
        assert response == {
            "type": 8,
            "data": {"choices": [{"name": "for loops", "value": "for loops"}]},
        }

        handle = await fake.interact(
            fake.slash_command("feedback", user=world.bob, channel_id=world.general)
        )
        modal = await handle.wait_response()
        assert modal["type"] == 9 and modal["data"]["custom_id"]
        submitted = await fake.interact(
            fake.modal_submit(
                modal["data"]["custom_id"],
                user=world.bob,
                channel_id=world.general,
                values={"body": "it broke"},
            )
        )
        response = await submitted.wait_response()
        assert response["data"]["content"] == "thanks: it broke"


async def test_context_menus(fake: FakeDiscord, world: World) -> None:
    client = CommandClient(fake)
    async with fake.run(client):
        answer = fake.add_message(world.general, world.bob, "use a for loop")
        handle = await fake.interact(
            fake.message_command("Mark as answer", user=world.alice, message_id=int(answer["id"]))
        )
        response = await handle.wait_response()
        assert response["data"]["content"] == "marked use a for loop"
        assert (
            handle.payload["data"]["type"] == 3
            and handle.payload["data"]["target_id"] == answer["id"]
        )

        handle = await fake.interact(
            fake.user_command(
                "Show reputation", user=world.alice, target=world.bob, channel_id=world.general
            )
        )
        assert (await handle.wait_response())["data"]["content"] == "rep of bob"

        with pytest.raises(LookupError):
            fake.slash_command("not-registered", user=world.alice, channel_id=world.general)


async def test_button_component_updates_message_and_follows_up(
    fake: FakeDiscord, world: World
) -> None:
    client = RecordingClient(intents=discord.Intents.default())
    async with fake.run(client):
        channel = client.get_channel(world.general)
        assert isinstance(channel, discord.TextChannel)
        view = AcceptView()
        sent = await channel.send("Accept this answer?", view=view)
        stored = fake.find_message(sent.id)
        assert stored is not None
        custom_ids = [c["components"][0]["custom_id"] for c in stored["components"]]
        assert custom_ids == ["pick-helper", "accept"]

        handle = await fake.interact(
            fake.component(
                sent.id, "pick-helper", user=world.alice, component_type=5, values=[world.bob]
            )
        )
        assert (await handle.wait_response())["type"] == 6
        assert view.picked == [world.bob.id]

        handle = await fake.interact(fake.component(sent.id, "accept", user=world.alice))
        response = await handle.wait_response()
        assert response["type"] == 7 and response["data"]["content"] == "accepted"
        assert fake.find_message(sent.id)["content"] == "accepted"  # type: ignore[index]
        followup = await fake.wait_for_call("POST", "/webhooks/{app}/{token}")
        assert followup.json["flags"] & 64 and followup.query.get("wait") in ("1", "true")
        assert handle.record.followups[0]["content"] == "recorded"


# ------------------------------------------------------------------------------ gateway resilience


async def test_resume_replays_buffered_events_exactly_once(fake: FakeDiscord, world: World) -> None:
    client = RecordingClient(intents=all_intents())
    async with fake.run(client):
        await fake.post_message(world.general, world.alice, "before")
        await eventually(lambda: len(client.messages) == 1)

        async with fake.disconnected():
            await fake.post_message(world.general, world.alice, "while away 1")
            await fake.post_message(world.general, world.bob, "while away 2")
        await fake.wait_for_resume()
        await fake.post_message(world.general, world.alice, "after")
        await eventually(lambda: len(client.messages) == 4)
        await asyncio.sleep(0.1)  # no late duplicates

        assert [m.content for m in client.messages] == [
            "before",
            "while away 1",
            "while away 2",
            "after",
        ]
        assert fake.identify_count == 1 and fake.resume_count == 1 and client.resumed == 1
        assert fake.gateway_connections[-1]["path"] == "/resume"  # resume_gateway_url from READY


async def test_invalid_session_makes_the_client_identify_again(
    fake: FakeDiscord, world: World
) -> None:
    client = RecordingClient(intents=discord.Intents.default())
    async with fake.run(client):
        fake.invalidate_session()
        await fake.drop_connection()
        await fake.wait_for_identify(2)
        await fake.wait_until_connected()
        assert fake.invalid_session_count == 1
        await fake.post_message(world.general, world.alice, f"{fake.bot_user.mention} still there?")
        await eventually(lambda: client.messages)


async def test_message_in_an_unannounced_thread_has_a_partial_channel(
    fake: FakeDiscord, world: World
) -> None:
    thread_id = fake.add_thread(world.general, "old question", owner=world.alice)
    fake.unannounce_thread(thread_id)
    client = RecordingClient(intents=all_intents())
    async with fake.run(client):
        guild = client.get_guild(fake.guild_id)
        assert guild is not None and guild.get_thread(thread_id) is None
        await fake.post_message(thread_id, world.alice, "still stuck")
        await eventually(lambda: client.messages)
        channel = client.messages[0].channel
        assert isinstance(channel, discord.PartialMessageable)
        assert channel.id == thread_id and client.messages[0].guild is guild


# ------------------------------------------------------------------------------ errors


async def test_429_is_retried_by_discord_py(fake: FakeDiscord, world: World) -> None:
    client = RecordingClient(intents=discord.Intents.default())
    async with fake.run(client):
        fake.fail_next("POST", "/channels/{channel_id}/messages", status=429, retry_after=0.05)
        channel = client.get_channel(world.general)
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("eventually")
        calls = fake.calls_to("POST", f"/channels/{world.general}/messages")
        assert [c.status for c in calls] == [429, 200]
        assert fake.find_message(sent.id) is not None


async def test_403_surfaces_as_forbidden(fake: FakeDiscord, world: World) -> None:
    client = RecordingClient(intents=discord.Intents.default())
    async with fake.run(client):
        fake.fail_next("POST", "/channels/{id}/messages", status=403, code=50013)
        channel = client.get_channel(world.general)
        assert isinstance(channel, discord.TextChannel)
        with pytest.raises(discord.Forbidden) as excinfo:
            await channel.send("nope")
        assert excinfo.value.code == 50013 and excinfo.value.text == "Missing Permissions"
        await channel.send("works again")


async def test_rest_responses_carry_rate_limit_headers(fake: FakeDiscord) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.get(
            f"{fake.api_base}/users/@me", headers={"Authorization": f"Bot {fake.token}"}
        ) as resp:
            assert resp.status == 200 and resp.headers["Content-Type"] == "application/json"
            for header in ("Limit", "Remaining", "Reset", "Reset-After", "Bucket"):
                assert f"X-RateLimit-{header}" in resp.headers
        async with session.get(f"{fake.api_base}/users/@me") as resp:
            assert resp.status == 401 and (await resp.json())["code"] == 0
