"""Configuration checks found missing by a QA pass: each names the key (or the option the
value came from) and what was expected."""

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config


def test_a_bad_database_option_is_blamed_on_the_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # (no config.toml here)
    monkeypatch.delenv("COMMUNITY_BOT_DATABASE_URL", raising=False)
    with pytest.raises(ConfigError) as caught:
        load_config(database_url="garbage")
    assert str(caught.value).startswith("--database (database.url): unsupported database URL")
    assert "config.toml" not in str(caught.value)

    monkeypatch.setenv("COMMUNITY_BOT_DATABASE_URL", "garbage")
    with pytest.raises(ConfigError, match=r"^COMMUNITY_BOT_DATABASE_URL \(database\.url\): "):
        load_config()

    monkeypatch.delenv("COMMUNITY_BOT_DATABASE_URL")
    cfg = tmp_path / "bot.toml"
    cfg.write_text('[database]\nurl = "garbage"\n')
    with pytest.raises(ConfigError, match=rf"^{cfg}: database\.url: unsupported"):
        load_config(cfg)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"console": {"enabled": "yes"}}, r'console\.enabled: expected true, false or "auto"'),
        ({"console": {"enabled": 1}}, r'console\.enabled: expected true, false or "auto"'),
        ({"discord": {"enabled": "yes"}}, r"discord\.enabled: expected true or false"),
        ({"slack": {"enabled": "on"}}, r"slack\.enabled: expected true or false"),
        ({"scheduler": {"enabled": "no"}}, r"scheduler\.enabled: expected true or false"),
        ({"console": {"help_channel": ""}}, r"console\.help_channel: expected a channel name"),
        ({"console": {"help_channel": "  "}}, r"console\.help_channel: expected a channel name"),
        (
            {"communities": {"default": {"locale": "xx-invalid"}}},
            r"communities\.default\.locale: no message catalog for this locale: use one of en",
        ),
        (
            {"discord": {"help_channel_ids": [123, "abc"]}},
            r"discord\.help_channel_ids\.1: a Discord id is a number .*got 'abc'",
        ),
        (
            {"discord": {"moderator_role_ids": ["mods"]}},
            r"discord\.moderator_role_ids\.0: a Discord id is a number",
        ),
        (
            {"discord": {"reward_roles": [{"points": 10, "role_id": "-1"}]}},
            r"discord\.reward_roles\.0\.role_id: a Discord id is a number",
        ),
        (
            {"slack": {"commands": {"rep": "/ask"}}},
            r"slack\.commands: commands\.rep: '/ask' is already the name of commands\.ask",
        ),
    ],
)
def test_values_the_bot_cannot_use_are_named(data: dict, expected: str) -> None:
    with pytest.raises(ConfigError, match=rf"^config\.toml: {expected}"):
        parse_config(data)


def test_values_close_to_the_refused_ones_are_valid() -> None:
    config = parse_config(
        {
            "console": {"enabled": False, "help_channel": "support", "community": "a"},
            "discord": {"enabled": True, "help_channel_ids": [123, "456"]},
            "slack": {"commands": {"rep": "/karma", "ask": "/question"}},
            "communities": {
                "a": {"discord_guild_id": "1", "locale": "en"},
                "b": {"slack_team_id": "T1"},
            },
        }
    )
    assert config.discord.help_channel_ids == ["123", "456"]
    assert config.nothing_to_run() is None and config.warnings() == []
    assert parse_config({"console": {"enabled": "auto"}}).console_should_run()


def test_nothing_to_run_is_said_by_the_config() -> None:
    config = parse_config({"console": {"enabled": False}})
    assert "nothing to run" in (config.nothing_to_run() or "")
    assert parse_config({"console": {"enabled": True}}).nothing_to_run() is None


def test_a_community_no_platform_reaches_is_a_warning() -> None:
    """Among several communities, one with neither id is reached by no server or workspace
    (Config.community_for); only the console may still speak for it."""

    data: dict = {
        "communities": {"a": {"slack_team_id": "T1"}, "b": {}},
        "console": {"community": "a", "enabled": True},
    }
    (warning,) = parse_config(data).warnings()
    assert warning.startswith("communities.b: neither discord_guild_id nor slack_team_id")
    data["console"]["community"] = "b"
    assert parse_config(data).warnings() == []  # (the console speaks for it)


def test_a_platform_no_community_names_is_a_warning() -> None:
    """With several communities a Discord server (Slack workspace) is served only by the one
    naming it; when none does, the adapter still runs and tells members there that it is not
    set up (the adapters' `not_set_up` tests), so this is a warning, not an error."""

    data: dict = {
        "communities": {"a": {}, "b": {}},
        "console": {"community": "a"},
        "discord": {"enabled": True},
    }
    assert parse_config(data).warnings()[0] == (
        "discord.enabled: with several communities, Discord serves only those with a "
        "discord_guild_id, and none has one: every member there is told it is not set up "
        "(set communities.<key>.discord_guild_id)"
    )
    data["discord"] = {"enabled": False}
    data["slack"] = {"enabled": True}
    data["communities"]["a"] = {"discord_guild_id": "1"}
    slack, community_b = parse_config(data).warnings()
    assert slack.startswith("slack.enabled: with several communities, Slack serves only")
    assert community_b.startswith("communities.b: neither discord_guild_id nor slack_team_id")
    data["communities"]["b"] = {"slack_team_id": "T1"}
    assert parse_config(data).warnings() == []
