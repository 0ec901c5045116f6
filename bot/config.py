"""One typed configuration, read from TOML and validated at start-up.

Unknown keys and wrong types stop start-up with a message that names the key and says what
was expected. Secrets never live in the file: they come from the environment only.
"""

from __future__ import annotations

import os
import re
import string
import tomllib
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

DEFAULT_DATABASE_URL = "sqlite:///community.db"
DEFAULT_CONFIG_PATH = Path("config.toml")


def _id_to_str(value: Any) -> Any:
    # Discord snowflakes are often written as bare TOML integers; store every id as text.
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


PlatformId = Annotated[str, BeforeValidator(_id_to_str), Field(min_length=1)]


def _snowflake(value: str) -> str:
    if not value.isascii() or not value.isdigit():
        raise ValueError("a Discord id is a number (a snowflake), e.g. 123456789012345678")
    return value


#: A Discord channel or role id: digits only (a bare TOML integer is fine).
DiscordId = Annotated[PlatformId, AfterValidator(_snowflake)]


def _strict_bool(value: Any) -> Any:
    # pydantic reads "yes", "on", 1 ... as true; in a TOML file they are typos.
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


Switch = Annotated[bool, BeforeValidator(_strict_bool)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReputationConfig(_Section):
    accepted_answer: int = Field(15, ge=0, le=10_000)
    accept_bonus: int = Field(2, ge=0, le=10_000)
    thanks: int = Field(2, ge=0, le=10_000)
    daily_cap: int = Field(200, ge=0)
    exclude_moderators_from_leaderboard: bool = False
    leaderboard_size: int = Field(10, ge=1, le=50)
    # Anti-gaming for thanks (rolling windows): how many point-earning thanks one member may
    # give per hour / per 24 hours, and how long after A thanked B a thanks from B back to A
    # earns nothing.
    thanks_per_giver_hourly: int = Field(5, ge=0)
    thanks_per_giver_daily: int = Field(20, ge=0)
    reciprocal_cooldown_minutes: int = Field(60, ge=0)
    # `/mod rep suspicious`: pairs where each member got at least this share of their
    # points (thanks and accepted answers) from the other, and together at least
    # `suspicious_min_points`, over the last `suspicious_days` days.
    suspicious_share: float = Field(0.5, gt=0, le=1)
    suspicious_min_points: int = Field(10, ge=1)
    suspicious_days: int = Field(30, ge=1, le=3650)


ModeratedPlatform = Literal["discord", "slack", "console"]


class ModerationConfig(_Section):
    # Where reports land, per platform: a Discord channel id, a Slack channel id, or the
    # console's channel name. Without one, reports are still recorded (see /mod reports).
    moderators_channel: dict[ModeratedPlatform, PlatformId] = {}
    reports_per_hour: int = Field(5, ge=1)
    reports_per_day: int = Field(20, ge=1)
    max_helpban_days: int = Field(365, ge=1)
    audit_rows: int = Field(15, ge=1, le=100)


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LifecyclePlatform = Literal["discord", "slack", "console"]


class SupportHours(_Section):
    """When escalations may ping people; outside these hours they wait for the next opening.
    `end` before `start` means the window runs past midnight (it belongs to its start day)."""

    timezone: str
    days: list[Weekday] = ["mon", "tue", "wed", "thu", "fri"]
    start: time = time(9, 0)
    end: time = time(17, 0)

    @model_validator(mode="after")
    def _check(self) -> SupportHours:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"timezone: unknown time zone {self.timezone!r} (use an IANA name like "
                "'Europe/Berlin'; on systems without a zoneinfo database install 'tzdata')"
            ) from None
        if self.start == self.end:
            raise ValueError("start and end are equal: the support window would be empty")
        if not self.days:
            raise ValueError("days: name at least one day, e.g. ['mon', 'tue']")
        return self


class EscalationConfig(_Section):
    # Per platform: who to ping in the thread (Discord role ids, Slack user group ids, console
    # names) and/or a staff channel that gets a link to the question.
    helper_role_ids: dict[LifecyclePlatform, list[PlatformId]] = {}
    staff_channel_ids: dict[LifecyclePlatform, PlatformId] = {}


def template_problem(template: str, allowed: tuple[str, ...]) -> str | None:
    """What is wrong with a config-supplied `template`, or None: it may hold only the plain
    placeholders `allowed` (like `{member}`), and `{{` / `}}` for literal braces. Attribute
    access (`{member.name}`), indexing (`{member[0]}`), positional (`{0}`) or unknown names,
    conversions (`!r`) and format specs (`:>10`) are refused: the text is the community's,
    and str.format would let it read the values' attributes."""

    names = ", ".join("{" + name + "}" for name in allowed)
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        return f"{exc} (write {{{{ and }}}} for literal braces; placeholders: {names})"
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        shown = "{" + field + ("!" + conversion if conversion else "")
        shown += (":" + spec if spec else "") + "}"
        if field not in allowed or spec or conversion:
            return f"{shown} is not a placeholder: use only {names} (or {{{{ and }}}} for braces)"
    return None


WELCOME_PLACEHOLDERS = ("member", "channel")


class OnboardingConfig(_Section):
    welcome: bool = True
    # Replaces the built-in greeting; may use {member} and {channel}.
    welcome_message: str | None = None
    # Shown by the welcome and /guidelines; None uses the built-in text.
    guidelines: str | None = None
    # Per help channel (platform channel id, or the console channel name).
    channel_guidelines: dict[PlatformId, str] = {}

    @field_validator("welcome_message")
    @classmethod
    def _placeholders(cls, message: str | None) -> str | None:
        if message is not None and (problem := template_problem(message, WELCOME_PLACEHOLDERS)):
            raise ValueError(problem)
        return message


class LifecycleConfig(_Section):
    """Reminders, dormant and solved closes, escalation, onboarding, anonymous asks.
    A duration of 0 turns that rule off."""

    remind_after_hours: float = Field(24, ge=0)
    close_after_hours: float = Field(72, ge=0)
    close_solved_after_hours: float = Field(24, ge=0)
    escalate_after_minutes: float = Field(60, ge=0)
    anonymous_questions: bool = False
    escalation: EscalationConfig = EscalationConfig()
    support_hours: SupportHours | None = None
    onboarding: OnboardingConfig = OnboardingConfig()


class SchedulerConfig(_Section):
    enabled: Switch = True
    interval_seconds: float = Field(30, gt=0)
    batch_size: int = Field(50, ge=1, le=1000)
    # Longer than one delivery may take (bot.scheduler.SEND_TIMEOUT_SECONDS, 60 s), with
    # room to spare: a runner renews a job's lease before sending when less than that is
    # left, and a shorter lease would run out mid-send and let a second runner send too.
    lease_seconds: float = Field(300, ge=120)
    max_attempts: int = Field(8, ge=1)


class RetentionConfig(_Section):
    """How long bookkeeping rows are kept; the scheduler deletes older ones."""

    # Platform event ids seen, for ignoring retries and replays. Slack retries within about
    # an hour and Discord replays within a session, so days are plenty.
    processed_events_days: float = Field(14, ge=1)
    # Jobs that are done, cancelled or given up (their outcome is in the log too). 0 keeps
    # them forever.
    finished_jobs_days: float = Field(30, ge=0)
    prune_interval_minutes: float = Field(60, gt=0)


class CommunityConfig(_Section):
    name: str = "Community"
    discord_guild_id: PlatformId | None = None
    slack_team_id: PlatformId | None = None
    locale: str = "en"
    reputation: ReputationConfig = ReputationConfig()
    moderation: ModerationConfig = ModerationConfig()
    lifecycle: LifecycleConfig = LifecycleConfig()

    @field_validator("locale")
    @classmethod
    def _catalog(cls, locale: str) -> str:
        available = catalog_locales()
        if locale not in available:
            raise ValueError(
                f"no message catalog for this locale: use one of {', '.join(available)} "
                "(bot/locales/<locale>.toml)"
            )
        return locale


def catalog_locales() -> list[str]:
    """The locales the bot has a message catalog for (bot/locales/*.toml)."""

    from bot.i18n import LOCALES_DIR

    return sorted(path.stem for path in LOCALES_DIR.glob("*.toml"))


#: The database URLs storage accepts. `postgres://` and `postgresql://`, what hosting
#: providers hand out, mean asyncpg: the only PostgreSQL driver installed.
DATABASE_SCHEMES = ("sqlite:///", "sqlite+aiosqlite:///", "postgresql+asyncpg://")
DATABASE_URL_FORMS = "sqlite:///FILE, sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB"
_POSTGRES_ALIASES = ("postgres://", "postgresql://")
_PASSWORD = re.compile(r"(://[^/:@]*:)[^/@]*@")


def mask_password(url: str) -> str:
    """`url` as it may be printed or logged: any password replaced by ***."""
    return _PASSWORD.sub(r"\1***@", url)


class DatabaseConfig(_Section):
    url: str = DEFAULT_DATABASE_URL
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _supported(cls, url: str) -> str:
        url = url.strip()
        if url.startswith(_POSTGRES_ALIASES):
            url = "postgresql+asyncpg://" + url.split("://", 1)[1]
        if not url.startswith(DATABASE_SCHEMES):
            raise ValueError(f"unsupported database URL: use {DATABASE_URL_FORMS}")
        if url.startswith("sqlite") and url.split(":///", 1)[1] in ("", ":memory:"):
            raise ValueError(
                "SQLite needs a file, e.g. sqlite:///community.db (an in-memory database "
                "would be lost, and cannot be shared between connections)"
            )
        return url


def _console_switch(value: Any) -> Any:
    if isinstance(value, bool) or value == "auto":
        return value
    raise ValueError('expected true, false or "auto"')


class ConsoleConfig(_Section):
    enabled: Annotated[bool | Literal["auto"], BeforeValidator(_console_switch)] = "auto"
    community: str = "default"
    help_channel: str = "help"
    moderators: list[str] = ["mod"]

    @field_validator("help_channel")
    @classmethod
    def _named(cls, name: str) -> str:
        if not name.strip() or name != name.strip() or name.startswith("#"):
            raise ValueError("expected a channel name like 'help' (no '#', no spaces around)")
        return name


class RewardRole(_Section):
    points: int = Field(ge=1)
    role_id: DiscordId


class DiscordConfig(_Section):
    enabled: Switch = False
    help_channel_ids: list[DiscordId] = []
    moderator_role_ids: list[DiscordId] = []
    # Roles every member holds (a verification role): a help channel they may view is public
    # even when it denies @everyone (see adapters.discord.cogs.help_channels._private).
    member_role_ids: list[DiscordId] = []
    reward_roles: list[RewardRole] = []
    solved_archive_after_minutes: int = Field(60, ge=0)
    sync_commands: bool = True
    shard_count: int | None = Field(None, ge=1)
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str | None = None
    message_content_intent: bool = True


class SlackCommandNames(_Section):
    ask: str = "/ask"
    solved: str = "/solved"
    unsolve: str = "/unsolve"
    close: str = "/close"
    rep: str = "/rep"
    leaderboard: str = "/leaderboard"
    kb: str = "/kb"
    mod: str = "/mod"
    guidelines: str = "/guidelines"
    questions: str = "/questions"
    thanks: str = "/thanks"

    @model_validator(mode="after")
    def _slashes(self) -> SlackCommandNames:
        seen: dict[str, str] = {}
        for name, value in self.model_dump().items():
            if not value.startswith("/") or " " in value:
                raise ValueError(f"commands.{name} must look like '/name', got {value!r}")
            if value.lower() in seen:
                raise ValueError(
                    f"commands.{name}: {value!r} is already the name of "
                    f"commands.{seen[value.lower()]}; give each command its own name"
                )
            seen[value.lower()] = name
        return self


class SlackConfig(_Section):
    enabled: Switch = False
    mode: Literal["socket", "http"] = "socket"
    http_host: str = "0.0.0.0"
    http_port: int = Field(3000, ge=1, le=65535)
    http_path: str = "/slack/events"
    help_channel_ids: list[PlatformId] = []
    moderator_user_ids: list[PlatformId] = []
    moderator_usergroup_ids: list[PlatformId] = []
    commands: SlackCommandNames = SlackCommandNames()
    api_base_url: str = "https://slack.com/api/"


class KnowledgeConfig(_Section):
    semantic: bool = False
    suggestions: int = Field(3, ge=0, le=10)
    min_score: float | None = Field(None, ge=0, le=1)
    # How often a running bot applies knowledge-base changes other processes (or
    # `community-bot kb import`) committed to the same database; 0 turns it off.
    sync_seconds: float = Field(1, ge=0)


class Config(_Section):
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    database: DatabaseConfig = DatabaseConfig()
    communities: dict[str, CommunityConfig] = {"default": CommunityConfig()}
    console: ConsoleConfig = ConsoleConfig()
    discord: DiscordConfig = DiscordConfig()
    slack: SlackConfig = SlackConfig()
    knowledge: KnowledgeConfig = KnowledgeConfig()
    scheduler: SchedulerConfig = SchedulerConfig()
    retention: RetentionConfig = RetentionConfig()

    @model_validator(mode="after")
    def _references(self) -> Config:
        if not self.communities:
            raise ValueError("communities: define at least one community, e.g. [communities.main]")
        if self.console.community not in self.communities:
            raise ValueError(
                f"console.community: {self.console.community!r} is not one of the configured "
                f"communities ({', '.join(sorted(self.communities))})"
            )
        seen: dict[tuple[str, str], str] = {}
        for key, community in self.communities.items():
            for platform, ident in (
                ("discord_guild_id", community.discord_guild_id),
                ("slack_team_id", community.slack_team_id),
            ):
                if ident is None:
                    continue
                if (platform, ident) in seen:
                    raise ValueError(
                        f"communities.{key}.{platform}: {ident} is already used by "
                        f"communities.{seen[platform, ident]}"
                    )
                seen[platform, ident] = key
        return self

    def warnings(self) -> list[str]:
        """Valid but probably not meant: each phrased like a ConfigError line."""

        found: list[str] = []
        if len(self.communities) > 1:
            # Only a single community serves a server/workspace it does not name; with
            # several, the adapter runs but tells every member there it is not set up.
            for platform, attr, enabled in (
                ("discord", "discord_guild_id", self.discord.enabled),
                ("slack", "slack_team_id", self.slack.enabled),
            ):
                if enabled and all(getattr(c, attr) is None for c in self.communities.values()):
                    found.append(
                        f"{platform}.enabled: with several communities, {platform.title()} "
                        f"serves only those with a {attr}, and none has one: every member "
                        f"there is told it is not set up (set communities.<key>.{attr})"
                    )
            for key, community in self.communities.items():
                if community.discord_guild_id is None and community.slack_team_id is None:
                    if key == self.console.community and self.console_should_run():
                        continue
                    found.append(
                        f"communities.{key}: neither discord_guild_id nor slack_team_id, so "
                        "no Discord server or Slack workspace reaches it (only the console, "
                        "with console.community)"
                    )
        return found

    def nothing_to_run(self) -> str | None:
        """Why `run` would start nothing, or None."""

        if self.discord.enabled or self.slack.enabled or self.console_should_run():
            return None
        return (
            "console.enabled: false, and neither discord.enabled nor slack.enabled is true: "
            "nothing to run (enable [discord], [slack] or [console])"
        )

    def community_for(self, platform: str, workspace_id: str) -> str | None:
        """The community key a Discord guild / Slack team belongs to, if configured."""

        attr = {"discord": "discord_guild_id", "slack": "slack_team_id"}.get(platform)
        for key, community in self.communities.items():
            if attr and getattr(community, attr) == workspace_id:
                return key
        if len(self.communities) == 1 and platform != "console":
            # A single-community install serves whatever workspace the bot is in.
            only = next(iter(self.communities))
            if attr and getattr(self.communities[only], attr) is None:
                return only
        return None

    def console_should_run(self) -> bool:
        if self.console.enabled == "auto":
            return not (self.discord.enabled or self.slack.enabled)
        return bool(self.console.enabled)


class Secrets(BaseModel):
    """Tokens from the environment; never from the config file."""

    model_config = ConfigDict(frozen=True)

    discord_token: str | None = None
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Secrets:
        env = os.environ if env is None else env
        return cls(
            discord_token=env.get("DISCORD_TOKEN") or None,
            slack_bot_token=env.get("SLACK_BOT_TOKEN") or None,
            slack_signing_secret=env.get("SLACK_SIGNING_SECRET") or None,
            slack_app_token=env.get("SLACK_APP_TOKEN") or None,
        )


class ConfigError(Exception):
    """A configuration problem, phrased for the person who edits config.toml."""


def _describe(error: Mapping[str, Any]) -> str:
    loc = ".".join(str(part) for part in error.get("loc", ()) if part != "__root__")
    msg = str(error.get("msg", "invalid value"))
    msg = msg.removeprefix("Value error, ")
    if error.get("type") == "extra_forbidden":
        return f"{loc}: unknown key (check its spelling and section; see config.example.toml)"
    if not loc:
        return msg
    got = error.get("input")
    if loc == "database.url" and isinstance(got, str):
        got = mask_password(got)
    shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
    return f"{loc}: {msg}{shown}"


def parse_config(
    data: Mapping[str, Any], source: str = "config.toml", *, url_source: str | None = None
) -> Config:
    """`url_source` names where database.url came from when not from `source` (the
    --database option or the environment variable), so its errors point there."""

    try:
        return Config.model_validate(dict(data))
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            if url_source and tuple(err.get("loc", ())) == ("database", "url"):
                problem = _describe(err).removeprefix("database.url: ")
                lines.append(f"{url_source} (database.url): {problem}")
            else:
                lines.append(f"{source}: {_describe(err)}")
        raise ConfigError("\n".join(lines)) from None


def load_config(path: Path | None = None, *, database_url: str | None = None) -> Config:
    """Read `path` (or ./config.toml when present, else built-in defaults)."""

    explicit = path is not None
    path = path or DEFAULT_CONFIG_PATH
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    elif explicit:
        raise ConfigError(f"{path}: file not found (copy config.example.toml to start one)")
    env_url = os.environ.get("COMMUNITY_BOT_DATABASE_URL")
    url_source = None
    if database_url or env_url:
        url_source = "--database" if database_url else "COMMUNITY_BOT_DATABASE_URL"
        data.setdefault("database", {})
        data["database"] = {**data["database"], "url": database_url or env_url}
    return parse_config(data, str(path), url_source=url_source)


def check_secrets(config: Config, secrets: Secrets) -> None:
    """Stop start-up when an enabled adapter lacks the token it needs."""

    missing: list[str] = []
    if config.discord.enabled and not secrets.discord_token:
        missing.append("DISCORD_TOKEN (discord.enabled = true)")
    if config.slack.enabled:
        if not secrets.slack_bot_token:
            missing.append("SLACK_BOT_TOKEN (slack.enabled = true)")
        if config.slack.mode == "socket" and not secrets.slack_app_token:
            missing.append('SLACK_APP_TOKEN (slack.mode = "socket")')
        if config.slack.mode == "http" and not secrets.slack_signing_secret:
            missing.append('SLACK_SIGNING_SECRET (slack.mode = "http")')
    if missing:
        raise ConfigError(
            "missing environment variables: " + "; ".join(missing) + ". Set them, or disable "
            "the adapter in config.toml."
        )
