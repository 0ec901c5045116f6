"""Migrations create the schema the models describe, on both databases, and re-run safely."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.clock import FakeClock
from storage.database import Database
from storage.migrate import current_revision
from storage.models import Base
from tests.conftest import DatabaseTarget


async def test_upgrade_creates_schema_matching_models(db_target: DatabaseTarget) -> None:
    db = Database(db_target.url, clock=FakeClock(), **db_target.options)
    try:
        await db.upgrade()
        await db.upgrade()  # a second run is a no-op
        async with db.connect() as conn:
            assert await conn.run_sync(current_revision) is not None

            def diff(sync_conn):  # noqa: ANN001, ANN202
                ctx = MigrationContext.configure(sync_conn, opts={"compare_type": False})
                return compare_metadata(ctx, Base.metadata)

            assert await conn.run_sync(diff) == []
    finally:
        await db.dispose()


def test_db_current_says_whether_every_migration_is_applied(tmp_path: Path) -> None:
    from sqlalchemy import create_engine

    from storage.migrate import schema_status, upgrade_connection

    engine = create_engine(f"sqlite:///{tmp_path}/m.db")
    try:
        with engine.begin() as conn:
            assert schema_status(conn).startswith("empty (no schema yet)")
            upgrade_connection(conn, "0001")
            behind = schema_status(conn)
            assert behind.startswith("0001; 13 migration(s) not applied yet (0002, 0003,")
            assert "community-bot db upgrade" in behind
            upgrade_connection(conn)
            done = schema_status(conn)
        assert done.endswith("(up to date: every migration applied; each is a branch of the tree)")
        assert "0014" in done
    finally:
        engine.dispose()
