"""`community-bot`: run the bot, manage the database and the knowledge base.

Part of the composition root: it loads the config, builds the app with `bot.bootstrap`
and starts the enabled adapters (the console when no platform is enabled).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

from bot.config import (
    DEFAULT_CONFIG_PATH,
    Config,
    ConfigError,
    Secrets,
    check_secrets,
    load_config,
    mask_password,
)

log = logging.getLogger("community_bot")

DESCRIPTION = """\
A community-support bot for Discord and Slack: members ask in help channels, others answer,
the asker marks what solved it, helpers earn reputation, and solved questions are found again.

With no config.toml and no tokens, `community-bot run` starts a console chat on a local
SQLite database (community.db) so you can try everything in a terminal.

Environment variables (secrets never go in config.toml):
  DISCORD_TOKEN          bot token, when [discord] enabled = true
  SLACK_BOT_TOKEN        xoxb- token, when [slack] enabled = true
  SLACK_SIGNING_SECRET   for [slack] mode = "http"
  SLACK_APP_TOKEN        xapp- token, for [slack] mode = "socket"
  COMMUNITY_BOT_DATABASE_URL  overrides [database] url (as does --database)
"""


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="path to config.toml (default: ./config.toml if it exists, else built-in defaults)",
    )
    parser.add_argument(
        "--database",
        default=None,
        metavar="URL",
        help="database URL, e.g. sqlite:///community.db or "
        "postgresql+asyncpg://user@host/db (overrides the config)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="community-bot",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser("run", help="start the bot (all enabled adapters, or the console)")
    _common(run)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    upgrade = db_sub.add_parser("upgrade", help="apply schema migrations (Alembic)")
    _common(upgrade)
    current = db_sub.add_parser("current", help="print the schema revision")
    _common(current)

    check = sub.add_parser("check-config", help="validate config.toml and the environment")
    _common(check)

    from bot import kb_cli

    kb_cli.add_parser(sub, _common)
    return parser


def _setup_logging(config: Config | None) -> None:
    level = config.log_level if config else "INFO"
    logging.basicConfig(
        level=getattr(logging, level),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)


async def _run(config: Config, secrets: Secrets) -> int:
    from bot.bootstrap import bootstrap
    from bot.clock import DemoClock, SystemClock
    from bot.errors import CannotStart

    # Only a console-only run may move its clock (the `/tick <hours>` demo command).
    demo = not (config.discord.enabled or config.slack.enabled)
    with database_used(config):  # start-up connects, migrates and loads the knowledge base
        app = await bootstrap(config, clock=DemoClock() if demo else SystemClock())
    tasks: list[asyncio.Task[None]] = []
    try:
        if config.discord.enabled:
            from adapters.discord.runner import run_discord

            tasks.append(asyncio.create_task(run_discord(app, config, secrets), name="discord"))
        if config.slack.enabled:
            from adapters.slack.runner import run_slack

            tasks.append(asyncio.create_task(run_slack(app, config, secrets), name="slack"))
        if config.console_should_run():
            from adapters.console.adapter import (
                ConsoleAdapter,
                stdin_lines,
                tolerate_terminal_encoding,
            )

            tolerate_terminal_encoding()
            console = ConsoleAdapter(app.bot)
            tasks.append(asyncio.create_task(console.run(stdin_lines(console)), name="console"))
        if not tasks:
            log.error("nothing to run: enable [discord], [slack] or [console] in config.toml")
            return 2
        if config.scheduler.enabled:
            from bot.scheduler import run_scheduler

            tasks.append(asyncio.create_task(run_scheduler(app.bot), name="scheduler"))
        sync = getattr(app.knowledge, "sync_forever", None)
        if sync is not None and config.knowledge.sync_seconds > 0:
            # Other bot processes on this database, or `kb import`, change the knowledge base.
            interval = config.knowledge.sync_seconds
            tasks.append(asyncio.create_task(sync(interval), name="knowledge-sync"))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            if task is stopper or (exc := task.exception()) is None:
                continue
            if isinstance(exc, CannotStart):
                log.error("%s cannot start: %s", task.get_name(), exc)
            else:
                log.error("%s stopped", task.get_name(), exc_info=exc)
            return 1
        return 0
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await app.close()


async def _db(args: argparse.Namespace, config: Config) -> int:
    from bot.clock import SystemClock
    from storage.database import Database

    database = Database(config.database.url, clock=SystemClock())
    try:
        if args.db_command == "upgrade":
            await database.upgrade()
            print(f"database is up to date: {mask_password(config.database.url)}")
        elif args.db_command == "current":
            from storage.migrate import schema_status

            async with database.connect() as conn:
                print(await conn.run_sync(schema_status))
        return 0
    finally:
        await database.dispose()


class DatabaseUnusable(Exception):
    """The database could not be reached or opened; the message says what to check."""


@contextlib.contextmanager
def database_used(config: Config) -> Iterator[None]:
    """Turn a failure to reach or open the database into one clear message (no traceback):
    the usual first-run mistakes are a wrong URL, a server not running, a missing database
    or a folder the bot may not write to."""

    from sqlalchemy.exc import DBAPIError

    from bot.errors import StorageUnavailable

    try:
        yield
    except (OSError, DBAPIError, StorageUnavailable) as exc:
        log.debug("database error", exc_info=exc)
        reason = getattr(exc, "orig", None) or exc
        raise DatabaseUnusable(
            f"cannot use the database {mask_password(config.database.url)}: "
            f"{str(reason).strip() or type(reason).__name__}\n"
            "Check [database] url in config.toml (or --database, COMMUNITY_BOT_DATABASE_URL) "
            + (
                "and that its folder exists and may be written to."
                if config.database.url.startswith("sqlite")
                else "and that the database server is running."
            )
        ) from exc


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "db" and not getattr(args, "db_command", None):
        parser.parse_args(["db", "--help"])
    try:
        config = load_config(args.config, database_url=args.database)
        secrets = Secrets.from_env()
        if args.command in ("run", "check-config"):
            if problem := config.nothing_to_run():  # (what `run` would say, said before it)
                raise ConfigError(f"{args.config or DEFAULT_CONFIG_PATH}: {problem}")
            check_secrets(config, secrets)
    except ConfigError as exc:
        print(f"configuration error:\n{exc}", file=sys.stderr)
        return 2
    _setup_logging(config)
    if args.command in ("run", "check-config"):
        for warning in config.warnings():
            log.warning("%s: %s", args.config or DEFAULT_CONFIG_PATH, warning)
    try:
        if args.command == "run":
            return asyncio.run(_run(config, secrets))
        if args.command == "db":
            with database_used(config):
                return asyncio.run(_db(args, config))
        if args.command == "check-config":
            print("configuration is valid")
            return 0
        if args.command == "kb":
            from bot import kb_cli

            return asyncio.run(kb_cli.run(args, config))  # (opens the database with database_used)
    except KeyboardInterrupt:
        return 130
    except DatabaseUnusable as exc:
        print(exc, file=sys.stderr)
        return 1
    parser.print_help()
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
