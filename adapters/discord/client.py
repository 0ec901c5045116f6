"""The discord.py client: intents, the command tree, the feature cogs and command sync.

Composition, not globals: the client is built from the core (`CommunityBot`) and the typed
`[discord]` config, and every cog reaches the core through it. `AutoShardedBot` is used when
`shard_count` is configured; the rest of the adapter does not care which one runs.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord import translate
from adapters.discord.outcomes import Outcomes, quietly
from adapters.discord.replies import reply, report_error
from adapters.discord.sender import DiscordSender
from adapters.discord.texts import Texts
from bot.config import Config
from bot.model import Actor
from bot.service import CommunityBot

log = logging.getLogger(__name__)

COGS = (
    "adapters.discord.cogs.help_channels",
    "adapters.discord.cogs.deletions",
    "adapters.discord.cogs.lifecycle",
    "adapters.discord.cogs.solving",
    "adapters.discord.cogs.reputation",
    "adapters.discord.cogs.knowledge",
    "adapters.discord.cogs.moderation",
    "adapters.discord.cogs.thanks",
    "adapters.discord.cogs.reports",
)


def build_intents(message_content: bool) -> discord.Intents:
    """Guilds, messages and reactions; Message Content only when configured (privileged)."""

    intents = discord.Intents.default()
    intents.message_content = message_content
    intents.presences = False
    intents.members = False
    return intents


# What discord.py raises for an interaction that names a command or an option shape this bot
# no longer has: Discord clients cache the command list for a while after it changes.
class StaleOptionType(app_commands.AppCommandError):
    """An option arrived with another type than the command declares now."""


STALE_COMMAND_ERRORS = (
    StaleOptionType,
    app_commands.CommandNotFound,
    app_commands.CommandSignatureMismatch,
    app_commands.TransformerError,
)


class CommunityTree(app_commands.CommandTree):
    """Routes every slash command / context menu error to the adapter's one error reply."""

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        """Refuse, before any conversion, a slash command whose options were typed by an
        older version of it: discord.py only converts by the type declared now, so a string
        where a user or a number is expected would reach the command as it is."""

        if interaction.type is not discord.InteractionType.application_command:
            return True
        data: Any = interaction.data or {}
        command = interaction.command
        slash = discord.AppCommandType.chat_input.value
        if data.get("type", slash) != slash or not isinstance(command, app_commands.Command):
            return True
        expected = {p.display_name: p.type.value for p in command.parameters}
        wrong = translate.mistyped_options(data.get("options") or (), expected)
        if wrong:
            raise StaleOptionType(f"/{command.qualified_name}: {', '.join(wrong)} changed type")
        return True

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        client = interaction.client
        texts = (
            client.texts_for_guild(interaction.guild) if isinstance(client, _Community) else None
        )
        name = interaction.command.qualified_name if interaction.command else "interaction"
        if texts is None:
            log.error("%s failed", name, exc_info=original)
        elif isinstance(original, STALE_COMMAND_ERRORS):
            # The member's Discord still shows a command (or an option) as it was before a
            # deploy renamed or changed it: nothing to log, something they can fix.
            log.info("stale command from %s: %s", interaction.user.id, original)
            await reply(interaction, texts.t("discord.stale_command"))
        else:
            await report_error(interaction, original, texts, f"/{name}")


def serves_unnamed_servers(config: Config) -> bool:
    """Whether a Discord server that no `discord_guild_id` names may use the bot: the only
    community, naming no server, serves any server it is in; with several, one naming neither
    a server nor a Slack workspace is meant for Discord (its members are told it is not set
    up until it names one). A Slack-only community (a `slack_team_id`, no server) is not."""

    communities = list(config.communities.values())
    if len(communities) == 1:
        return communities[0].discord_guild_id is None
    return any(c.discord_guild_id is None and c.slack_team_id is None for c in communities)


class _Community:
    """What the cogs need from the client (the core, the config and identity helpers), mixed
    into discord.py's Bot or AutoShardedBot, which come next in the MRO."""

    core: CommunityBot
    config: Config
    outcomes: Outcomes

    def __init__(self, core: CommunityBot, config: Config, **kwargs: Any) -> None:
        self.core = core
        self.config = config
        self.settings = config.discord
        self.outcomes = Outcomes(config.discord)
        self.sender = DiscordSender(self)  # type: ignore[arg-type]
        kwargs.setdefault("intents", build_intents(config.discord.message_content_intent))
        super().__init__(  # type: ignore[call-arg]
            command_prefix=commands.when_mentioned,
            tree_cls=CommunityTree,
            help_command=None,
            **kwargs,
        )

    # -- identity ---------------------------------------------------------------------------
    def community_of(self, guild: discord.abc.Snowflake | None) -> str | None:
        if guild is None:
            return None
        return self.core.community_for(translate.PLATFORM, str(guild.id))

    def texts_for(self, community: str | None) -> Texts:
        locale = "en"
        if community and community in self.config.communities:
            locale = self.config.communities[community].locale
        return Texts(self.core.catalog, locale)

    def texts_for_guild(self, guild: discord.abc.Snowflake | None) -> Texts:
        return self.texts_for(self.community_of(guild))

    def actor_for(self, user: discord.abc.User, community: str) -> Actor:
        """`user` for the core. A moderator is one for the whole community, so only their
        server-wide permissions count (`guild_permissions`: roles, owner, administrator),
        never a channel's (`interaction.permissions`, `channel.permissions_for`): a Manage
        Threads overwrite on one channel makes no moderator."""

        roles = [r.id for r in getattr(user, "roles", ())]
        permissions = user.guild_permissions if isinstance(user, discord.Member) else None
        return translate.actor(
            community,
            user_id=user.id,
            display_name=user.display_name,
            role_ids=roles,
            permissions=permissions.value if permissions is not None else 0,
            is_bot=user.bot,
            moderator_role_ids=self.settings.moderator_role_ids,
        )

    def is_help_channel(self, channel: object) -> bool:
        return translate.is_help_channel(
            getattr(channel, "id", None), self.settings.help_channel_ids
        )

    def help_thread(self, channel: object) -> discord.Thread | None:
        """`channel` when it is a thread under a help channel (text or forum)."""

        if isinstance(channel, discord.Thread) and translate.is_help_channel(
            channel.parent_id, self.settings.help_channel_ids
        ):
            return channel
        return None

    async def channel_in(
        self, guild: discord.Guild, channel_id: int
    ) -> discord.abc.GuildChannel | discord.Thread | None:
        """The guild's channel or thread `channel_id`, from discord.py's cache or else fetched
        (archived threads, and threads left out of GUILD_CREATE since a restart, are not
        cached); None when Discord refuses or it is not a server channel."""

        found = guild.get_channel_or_thread(channel_id)
        if found is None:
            fetched = await quietly(guild.fetch_channel(channel_id), "fetch uncached channel")
            if isinstance(fetched, discord.abc.GuildChannel | discord.Thread):
                found = fetched
        return found

    async def setup_hook(self) -> None:  # type: ignore[override]
        for name in COGS:
            await self.load_extension(name)  # type: ignore[attr-defined]
        if self.settings.sync_commands:
            await self.sync_commands()

    async def sync_commands(self) -> None:
        """Register the commands per configured guild (instant), and globally only when a
        server no community names may reach one (`serves_unnamed_servers`): Discord lists a
        server's commands and the global ones side by side, so a server with both would
        show every command twice. Global commands an earlier start registered are removed
        then, for the same reason."""

        tree: app_commands.CommandTree = self.tree  # type: ignore[attr-defined]
        guild_ids = [
            c.discord_guild_id for c in self.config.communities.values() if c.discord_guild_id
        ]
        try:
            for guild_id in guild_ids:
                guild = discord.Object(int(guild_id))
                tree.copy_global_to(guild=guild)
                synced = await tree.sync(guild=guild)
                log.info("synced %d commands to guild %s", len(synced), guild_id)
            if serves_unnamed_servers(self.config):
                synced = await tree.sync()
                log.info("synced %d global commands", len(synced))
            elif await tree.fetch_commands():
                http: Any = self.http  # type: ignore[attr-defined]
                await http.bulk_upsert_global_commands(self.application_id, payload=[])  # type: ignore[attr-defined]
                log.info("removed the global commands: every community names its server")
        except discord.Forbidden:
            log.error(
                "could not register slash commands: invite the bot with the "
                "applications.commands scope (see docs/discord.md)"
            )
        except discord.HTTPException as exc:
            log.error("could not register slash commands: %s", exc)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """A button, select or form no listener knows would leave the member with Discord's
        bare "This interaction failed": say what it is instead."""

        if interaction.type not in (
            discord.InteractionType.component,
            discord.InteractionType.modal_submit,
        ):
            return
        raw = str((interaction.data or {}).get("custom_id", ""))
        parsed = translate.parse_custom_id(raw)
        known = {a for cog in self.cogs.values() for a in getattr(cog, "COMPONENTS", ())}  # type: ignore[attr-defined]
        if parsed is not None and parsed[0] in known:
            return
        log.info("unknown component %r from %s", raw[:100], interaction.user.id)
        texts = self.texts_for_guild(interaction.guild)
        await reply(interaction, texts.t("discord.stale_component"))

    async def on_ready(self) -> None:
        user = self.user  # type: ignore[attr-defined]
        log.info("Discord: logged in as %s (%s)", user, getattr(user, "id", "?"))
        # From now on the core's scheduler claims Discord jobs and delivers them through us.
        self.core.outbox.register(self.sender)

    def dispatch(self, event_name: str, /, *args: Any, **kwargs: Any) -> None:
        """Nothing is dispatched once the client is closing. discord.py dispatches "ready"
        from a task that waits `guild_ready_timeout` after a new session's last GUILD_CREATE,
        and its close() leaves that task running: closed meanwhile, "ready" came after all,
        and either on_ready registered the sender with the Outbox again or, once close() had
        dropped the loop, the task failed with an AttributeError and left an event coroutine
        never awaited."""

        if self.is_closed():  # type: ignore[attr-defined]
            log.debug("Discord: %s not dispatched, the client is closing", event_name)
            return
        super().dispatch(event_name, *args, **kwargs)  # type: ignore[misc]

    async def close(self) -> None:  # type: ignore[override]
        self.core.outbox.unregister(self.sender.platform)
        await super().close()  # type: ignore[misc]


class CommunityClient(_Community, commands.Bot):
    pass


class ShardedCommunityClient(_Community, commands.AutoShardedBot):
    def __init__(self, core: CommunityBot, config: Config, **kwargs: Any) -> None:
        kwargs.setdefault("shard_count", config.discord.shard_count)
        super().__init__(core, config, **kwargs)


def build_client(
    core: CommunityBot, config: Config, **kwargs: Any
) -> CommunityClient | ShardedCommunityClient:
    if "solved_archive_after_minutes" in config.discord.model_fields_set:
        log.warning(
            "Discord: [discord] solved_archive_after_minutes is deprecated and ignored. Solved "
            "threads are archived by the scheduler after [communities.<key>.lifecycle] "
            "close_solved_after_hours (default 24); remove the key from config.toml."
        )
    if not config.discord.message_content_intent:
        log.warning(
            "Discord: the Message Content intent is off. Slash commands, context menus and "
            "reactions work; text-channel questions and answer texts arrive empty (forum posts "
            "still use their titles). Enable it in the Developer Portal and config to fix."
        )
    if config.discord.shard_count:
        return ShardedCommunityClient(core, config, **kwargs)
    return CommunityClient(core, config, **kwargs)
