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


def test_both_sqlite_forms_refuse_a_missing_folder_alike(tmp_path: Path) -> None:
    """A mistyped path must not become a new, empty database in folders made up for it; the
    standard-library form used to make them, silently."""

    env = newcomer_env()
    missing = tmp_path / "no" / "such"
    for scheme in ("sqlite", "sqlite+aiosqlite"):
        url = f"{scheme}:///{missing}/x.db"
        for argv in (["db", "upgrade"], ["run"], ["kb", "search", "x"]):
            out = run(*argv, "--database", url, stdin="/quit\n", cwd=tmp_path, env=env)
            assert out.returncode == 1, (argv, out.stderr)
            assert f"the folder '{missing}' does not exist" in out.stderr
            assert "its folder exists and may be written to" in out.stderr
            assert "Traceback" not in out.stderr
        assert not (tmp_path / "no").exists()
