"""Engines, the unit of work, and schema migrations.

SQLite (the embedded default) runs in WAL mode with two engines: one writer connection that
opens every transaction with BEGIN IMMEDIATE (so concurrent writers queue instead of failing
with "database is locked" half-way), and a small pool of readers that never block it.
PostgreSQL uses one pooled engine and row locks (SELECT ... FOR UPDATE) in the repositories.
Both run the same statements and the same Alembic migrations.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.errors import TransientStorageError
from bot.ports import Clock
from storage.repositories import (
    SqlEventLog,
    SqlLedgerRepository,
    SqlMemberRepository,
    SqlQuestionRepository,
)

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# Errors that mean "the database is briefly unavailable": the unit of work is retried whole.
_TRANSIENT = (InterfaceError, ConnectionError, OSError, asyncio.TimeoutError)
# SQLite reports both "locked" and "no such table" as OperationalError; only the first kind
# goes away by itself.
_TRANSIENT_WORDS = ("locked", "busy", "unable to open", "connect", "closed", "timeout", "terminat")


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, _TRANSIENT):
        return True
    if isinstance(exc, OperationalError):
        message = str(exc.orig).lower()
        return any(word in message for word in _TRANSIENT_WORDS)
    name = type(exc).__name__
    # asyncpg's own connection errors, when they escape SQLAlchemy's wrapping.
    return name in {
        "ConnectionDoesNotExistError",
        "CannotConnectNowError",
        "TooManyConnectionsError",
    }


def _sqlite_setup(engine: AsyncEngine, begin: str, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so BEGIN is ours to issue.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)


class Database:
    def __init__(
        self,
        url: str,
        *,
        clock: Clock,
        echo: bool = False,
        schema: str | None = None,
        busy_timeout_ms: int = 5000,
    ) -> None:
        """`schema` (PostgreSQL only) puts every table in that schema, so several
        communities' test runs or deployments can share one database."""

        self.url = url
        self.clock = clock
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                raise ValueError(
                    "an in-memory SQLite database cannot be shared between connections; "
                    "use a file, e.g. sqlite+aiosqlite:///community.db"
                )
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.writer = create_async_engine(url, echo=echo, pool_size=1, max_overflow=0)
            _sqlite_setup(self.writer, "BEGIN IMMEDIATE", busy_timeout_ms)
            self.reader = create_async_engine(url, echo=echo, pool_size=4, max_overflow=4)
            _sqlite_setup(self.reader, "BEGIN", busy_timeout_ms)
        elif self.dialect == "postgresql":
            connect_args = {"server_settings": {"search_path": schema}} if schema else {}
            self.writer = create_async_engine(
                url,
                echo=echo,
                pool_size=10,
                max_overflow=10,
                pool_pre_ping=True,
                connect_args=connect_args,
            )
            self.reader = self.writer
        else:
            raise ValueError(
                f"unsupported database {url!r}: use sqlite+aiosqlite:///FILE or "
                "postgresql+asyncpg://USER@HOST/DB"
            )

    def uow(self, *, write: bool = True) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.writer if write else self.reader, self.clock)

    async def upgrade(self) -> None:
        """Bring the schema to the newest migration (creates it on an empty database)."""

        from storage.migrate import upgrade_connection

        async with self.writer.begin() as conn:
            await conn.run_sync(upgrade_connection)

    async def ping(self) -> None:
        async with self.reader.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.writer.dispose()
        if self.reader is not self.writer:
            await self.reader.dispose()


class SqlUnitOfWork:
    """One transaction. Repositories never commit; `commit()` does, and leaving the block
    without it (or with an exception) rolls everything back."""

    members: SqlMemberRepository
    questions: SqlQuestionRepository
    ledger: SqlLedgerRepository
    events: SqlEventLog

    def __init__(self, engine: AsyncEngine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._conn: AsyncConnection | None = None

    @property
    def connection(self) -> AsyncConnection:
        assert self._conn is not None, "unit of work used outside its 'async with' block"
        return self._conn

    async def __aenter__(self) -> Self:
        try:
            self._conn = await self._engine.connect()
            await self._conn.begin()
        except BaseException as exc:
            if self._conn is not None:
                await self._conn.close()
            if _is_transient(exc):
                raise TransientStorageError(str(exc)) from exc
            raise
        conn = self._conn
        self.members = SqlMemberRepository(conn, self._clock)
        self.questions = SqlQuestionRepository(conn)
        self.ledger = SqlLedgerRepository(conn)
        self.events = SqlEventLog(conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn = self._conn
        self._conn = None
        if conn is None:
            return
        try:
            if conn.in_transaction():
                await conn.rollback()
        except Exception:  # the connection may already be gone; closing discards it
            log.debug("rollback failed", exc_info=True)
        finally:
            await conn.close()
        if exc is not None and _is_transient(exc):
            raise TransientStorageError(str(exc)) from exc

    async def commit(self) -> None:
        await self.connection.commit()

    async def rollback(self) -> None:
        await self.connection.rollback()
