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
    assert parse_config({"console": {"enabled": "auto"}}).console_should_run()
