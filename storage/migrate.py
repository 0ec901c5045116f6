"""Alembic, run programmatically on the application's own connection.

`community-bot db upgrade` and `community-bot run` both call this, so an empty database gets
the schema and an older one gets the newest migrations, on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

from storage.database import MIGRATIONS_DIR


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def upgrade_connection(connection: Connection, revision: str = "heads") -> None:
    # "heads": feature branches of the migration tree may be merged later; apply them all.
    command.upgrade(alembic_config(connection), revision)


def current_revision(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    # Feature branches off one base leave several heads applied side by side.
    heads = MigrationContext.configure(connection).get_current_heads()
    return ", ".join(sorted(heads)) or None
