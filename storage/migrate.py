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


def schema_status(connection: Connection) -> str:
    """`db current`'s answer: the applied revisions (several heads are feature branches of
    the migration tree, applied side by side) and whether any migration is still to run."""

    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    applied = set(MigrationContext.configure(connection).get_current_heads())
    if not applied:
        return "empty (no schema yet): run `community-bot db upgrade`"
    known = {rev.revision for rev in script.walk_revisions()}
    done = {rev.revision for head in applied for rev in script.iterate_revisions(head, "base")}
    missing = sorted(known - done)
    revisions = ", ".join(sorted(applied))
    if missing:
        return (
            f"{revisions}; {len(missing)} migration(s) not applied yet ({', '.join(missing)}):"
            " run `community-bot db upgrade` (or `run`, which applies them)"
        )
    return f"{revisions} (up to date: every migration applied; each is a branch of the tree)"
