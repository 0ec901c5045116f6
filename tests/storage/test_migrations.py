"""Migrations create the schema the models describe, on both databases, and re-run safely."""

from __future__ import annotations

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
