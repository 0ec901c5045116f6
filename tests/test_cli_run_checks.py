"""`check-config` says what `run` would find wrong with the configuration."""

from pathlib import Path

from tests.test_cli import newcomer_env, run


def test_check_config_says_when_run_would_start_nothing(tmp_path: Path) -> None:
    env = newcomer_env()
    cfg = tmp_path / "c.toml"
    cfg.write_text("[console]\nenabled = false\n")
    db = f"sqlite:///{tmp_path}/c.db"
    for command in ("check-config", "run"):
        out = run(command, "--config", str(cfg), "--database", db, cwd=tmp_path, env=env)
        assert out.returncode == 2, out.stderr
        assert f"{cfg}: console.enabled: false" in out.stderr and "nothing to run" in out.stderr
        assert "configuration is valid" not in out.stdout


def test_check_config_warns_of_a_community_nothing_reaches(tmp_path: Path) -> None:
    env = newcomer_env()
    cfg = tmp_path / "c.toml"
    cfg.write_text(
        '[communities.a]\nslack_team_id = "T1"\n[communities.b]\n'
        '[console]\ncommunity = "a"\nenabled = true\n'
    )
    out = run("check-config", "--config", str(cfg), cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr
    assert "configuration is valid" in out.stdout
    assert "WARNING" in out.stderr and "communities.b: neither discord_guild_id" in out.stderr
