"""Configuration checks found missing by a QA pass: each names the key (or the option the
value came from) and what was expected."""

from pathlib import Path

import pytest

from bot.config import ConfigError, load_config


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
