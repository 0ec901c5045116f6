"""The command line as a newcomer uses it."""

import os
import subprocess
import sys
from pathlib import Path

from alembic.script import ScriptDirectory

from storage.migrate import alembic_config

ROOT = Path(__file__).resolve().parents[1]


def run(
    *args: str, stdin: str = "", cwd: Path = ROOT, env: dict | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        env=env,
    )


def newcomer_env(**extra: str) -> dict[str, str]:
    """This environment without any platform token (as on a fresh machine), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


def test_help_documents_commands() -> None:
    out = run("--help")
    assert out.returncode == 0
    for word in ("run", "db", "kb", "DISCORD_TOKEN", "SLACK_SIGNING_SECRET"):
        assert word in out.stdout


def test_bad_config_names_the_key(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("[reputation]\naccepted_answer = 15\n")
    out = run("run", "--config", str(cfg))
    assert out.returncode == 2
    assert "reputation: unknown key" in out.stderr


def test_run_without_tokens_starts_the_console(tmp_path: Path) -> None:
    env = newcomer_env()
    out = run(
        "run", "--database", f"sqlite:///{tmp_path}/c.db",
        stdin="How do I start?\n/as bob\nLike this.\n/as alice\n/solved\n/quit\n", cwd=tmp_path, env=env,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "Question #1 opened: How do I start?" in out.stdout
    assert "Marked bob's answer as a solution to #1." in out.stdout


def test_the_console_survives_bytes_and_characters_the_terminal_cannot_handle(
    tmp_path: Path,
) -> None:
    env = newcomer_env()
    typed = "Why does \u00e9 fail?".encode("latin-1")  # a Latin-1 paste: not UTF-8
    for encoding, shown in (("utf-8", "Why does \ufffd fail?"), ("ascii", "Why does ? fail?")):
        env["PYTHONIOENCODING"] = f"{encoding}:strict"
        out = subprocess.run(
            [sys.executable, "-m", "bot", "run", "--database", f"sqlite:///{tmp_path}/{encoding}.db"],
            input=typed + b"\n/questions\n/quit\n", capture_output=True, cwd=tmp_path,
            env=env, timeout=60,
        )  # fmt: skip
        stdout = out.stdout.decode(encoding)
        assert out.returncode == 0, out.stderr.decode(errors="replace")
        assert f"Question #1 opened: {shown}" in stdout
        assert f"#1 {shown} (open)" in stdout and "Bye." in stdout


def test_a_database_it_cannot_use_is_one_clear_message(tmp_path: Path) -> None:
    env = newcomer_env()
    refused = "postgresql+asyncpg://bot:s3cret@127.0.0.1:1/community"  # nothing listens there
    unwritable = f"sqlite:///{tmp_path}/file/under/a/file.db"
    (tmp_path / "file").write_text("not a folder")
    for argv, hint in (
        (["run", "--database", refused], "the database server is running"),
        (["db", "upgrade", "--database", refused], "the database server is running"),
        (["kb", "search", "x", "--database", refused], "the database server is running"),
        (["run", "--database", unwritable], "its folder exists and may be written to"),
    ):
        out = run(*argv, stdin="/quit\n", cwd=tmp_path, env=env)
        assert out.returncode == 1, out.stderr
        assert "cannot use the database" in out.stderr and hint in out.stderr
        assert "Traceback" not in out.stderr and "s3cret" not in out.stderr
    out = run("kb", "export", "/proc/no/such/folder", "--database", f"sqlite:///{tmp_path}/k.db",
              cwd=tmp_path, env=env)  # fmt: skip
    assert out.returncode == 1 and "error: /proc/no" in out.stderr  # (the part it could not make)
    assert "Traceback" not in out.stderr


def test_db_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/u.db"
    assert run("db", "upgrade", "--database", url).returncode == 0
    out = run("db", "current", "--database", url)
    # Feature branches off 0001 are applied side by side: every head is listed.
    assert "(up to date: every migration applied" in out.stdout
    heads = out.stdout.strip().split(" (", 1)[0].split(", ")
    expected = ScriptDirectory.from_config(alembic_config()).get_heads()
    assert len(expected) > 1 and sorted(heads) == sorted(expected), out.stdout


def test_an_adapter_that_cannot_start_is_one_clear_message(tmp_path: Path) -> None:
    env = newcomer_env(DISCORD_TOKEN="fake.token")
    cfg = tmp_path / "config.toml"
    cfg.write_text(
        '[database]\nurl = "sqlite:///' + str(tmp_path / "a.db") + '"\n'
        '[communities.default]\ndiscord_guild_id = "1"\n'
        '[discord]\nenabled = true\napi_base_url = "http://127.0.0.1:1/api/v10"\n'
    )  # (nothing listens on port 1)
    out = run("run", "--config", str(cfg), cwd=tmp_path, env=env)
    assert out.returncode == 1, out.stderr
    assert "discord cannot start: cannot reach Discord at http://127.0.0.1:1/api/v10" in out.stderr
    assert "Traceback" not in out.stderr
