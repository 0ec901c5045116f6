"""`community-bot` config problems as a newcomer meets them on the command line."""

from pathlib import Path

from tests.test_cli import newcomer_env, run


def test_a_bad_database_option_is_blamed_on_the_option(tmp_path: Path) -> None:
    env = newcomer_env()
    env.pop("COMMUNITY_BOT_DATABASE_URL", None)
    out = run("check-config", "--database", "garbage", cwd=tmp_path, env=env)
    assert out.returncode == 2
    assert "--database (database.url): unsupported database URL" in out.stderr
    assert "config.toml" not in out.stderr
