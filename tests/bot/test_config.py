from pathlib import Path

import pytest

from bot.config import ConfigError, Secrets, check_secrets, load_config, parse_config


def test_defaults_run_the_console_on_sqlite() -> None:
    config = parse_config({})
    assert config.database.url == "sqlite:///community.db"
    assert config.console_should_run()
    assert config.communities["default"].reputation.accepted_answer == 15


def test_unknown_key_is_named() -> None:
    with pytest.raises(ConfigError, match=r"discord\.help_chanels: unknown key"):
        parse_config({"discord": {"help_chanels": []}})


def test_wrong_type_is_named_with_the_value() -> None:
    with pytest.raises(
        ConfigError, match=r"communities\.main\.reputation\.daily_cap: .*got 'lots'"
    ):
        parse_config(
            {
                "communities": {"main": {"reputation": {"daily_cap": "lots"}}},
                "console": {"community": "main"},
            }
        )


def test_a_lease_shorter_than_a_delivery_is_refused() -> None:
    """A lease must outlast one send (60 s), or a second runner takes the job over mid-send."""
    from bot.scheduler import SEND_TIMEOUT_SECONDS

    with pytest.raises(ConfigError, match=r"scheduler\.lease_seconds: .*120"):
        parse_config({"scheduler": {"lease_seconds": 30}})
    assert parse_config({"scheduler": {"lease_seconds": 120}}).scheduler.lease_seconds > (
        SEND_TIMEOUT_SECONDS
    )


def test_ids_may_be_integers() -> None:
    config = parse_config({"discord": {"help_channel_ids": [123456789012345678]}})
    assert config.discord.help_channel_ids == ["123456789012345678"]


def test_a_guild_belongs_to_one_community() -> None:
    with pytest.raises(ConfigError, match="already used by"):
        parse_config(
            {
                "communities": {"a": {"discord_guild_id": "1"}, "b": {"discord_guild_id": "1"}},
                "console": {"community": "a"},
            }
        )


def test_community_for_platform_workspace() -> None:
    config = parse_config(
        {
            "communities": {
                "main": {"discord_guild_id": "G1", "slack_team_id": "T1"},
                "other": {"slack_team_id": "T2"},
            },
            "console": {"community": "main"},
        }
    )
    assert config.community_for("discord", "G1") == "main"
    assert config.community_for("slack", "T1") == "main"
    assert config.community_for("slack", "T2") == "other"
    assert config.community_for("slack", "T3") is None


def test_missing_tokens_stop_startup() -> None:
    config = parse_config(
        {"discord": {"enabled": True}, "slack": {"enabled": True, "mode": "http"}}
    )
    with pytest.raises(ConfigError) as err:
        check_secrets(config, Secrets.from_env({}))
    assert "DISCORD_TOKEN" in str(err.value) and "SLACK_SIGNING_SECRET" in str(err.value)
    check_secrets(
        config,
        Secrets.from_env(
            {"DISCORD_TOKEN": "x", "SLACK_BOT_TOKEN": "y", "SLACK_SIGNING_SECRET": "z"}
        ),
    )


def test_bad_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[discord\nenabled = true\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path)
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml")


def test_example_config_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    config = load_config(example)
    assert config.communities


def test_database_urls_are_checked_and_their_passwords_never_shown() -> None:
    def url(given: str) -> str:
        return parse_config({"database": {"url": given}}).database.url

    # what hosting providers hand out means asyncpg, the PostgreSQL driver installed
    assert url("postgres://bot:pw@db.example/community") == (
        "postgresql+asyncpg://bot:pw@db.example/community"
    )
    assert url("postgresql://db.example/c") == "postgresql+asyncpg://db.example/c"
    assert url(" sqlite:///data/community.db ") == "sqlite:///data/community.db"
    for bad, why in (
        ("mysql://bot:s3cret@db/c", "unsupported database URL: use sqlite:///FILE"),
        ("", "unsupported database URL"),
        ("community.db", "unsupported database URL"),
        ("sqlite:///:memory:", "SQLite needs a file"),
        ("sqlite:///", "SQLite needs a file"),
    ):
        with pytest.raises(ConfigError) as err:
            url(bad)
        assert f"database.url: {why}" in str(err.value)
        assert "s3cret" not in str(err.value)
    assert "mysql://bot:***@db/c" in str(
        pytest.raises(ConfigError, url, "mysql://bot:s3cret@db/c").value
    )
