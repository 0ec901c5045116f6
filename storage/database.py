"""Engines, the unit of work, and schema migrations.

SQLite (the embedded default) runs in WAL mode with two engines: one writer connection that
opens every transaction with BEGIN IMMEDIATE (so concurrent writers queue instead of failing
with "database is locked" half-way), and a small pool of readers that never block it.
PostgreSQL uses one pooled engine and row locks (SELECT ... FOR UPDATE) in the repositories.
Both run the same statements and the same Alembic migrations.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from bot.config import DATABASE_URL_FORMS, mask_password
from bot.errors import TransientStorageError
from bot.ports import Clock
from storage.jobs_repository import SqlJobRepository, SqlLifecycleRepository, WelcomedCache
from storage.knowledge_repository import SqlKnowledgeRepository
from storage.moderation_repository import SqlModerationRepository
from storage.repositories import (
    PREPARED_IDS,
    MemberCache,
    SqlEventLog,
    SqlLedgerRepository,
    SqlMemberRepository,
    SqlQuestionRepository,
)
from storage.sqlite_direct import Plan, plan_for

log = logging.getLogger(__name__)

_NO_PLAN_YET: Any = object()

MIGRATIONS_DIR = Path(__file__).with_name("migrations")

# Errors that mean "the database is briefly unavailable": the unit of work is retried whole.
_TRANSIENT = (InterfaceError, ConnectionError, OSError, asyncio.TimeoutError)
# SQLite reports both "locked" and "no such table" as OperationalError; only the first kind
# goes away by itself.
_TRANSIENT_WORDS = ("locked", "busy", "unable to open", "connect", "closed", "timeout", "terminat")


# PostgreSQL SQLSTATEs that mean "run the whole transaction again": deadlock detected and
# serialization failure. The unit of work was rolled back, so a retry is safe.
_RETRY_SQLSTATES = {"40P01", "40001"}


def _is_transient(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, DBAPIError) and getattr(exc.orig, "sqlstate", None) in _RETRY_SQLSTATES:
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


def _sqlite_pragmas(dbapi_connection: Any, busy_timeout_ms: int) -> None:
    """Every SQLite connection, inline or through aiosqlite, runs with these."""

    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_setup(engine: AsyncEngine, begin: str, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so BEGIN is ours to issue.
        dbapi_connection.isolation_level = None
        _sqlite_pragmas(dbapi_connection, busy_timeout_ms)

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql(begin)


class InlineConnection:
    """A synchronous SQLite connection with the slice of AsyncConnection's interface the
    repositories use (`await execute`, `run_sync`, explicit transactions).

    SQLite statements take microseconds, while handing each one to aiosqlite's thread costs
    about four thread hops (~0.5 ms through SQLAlchemy, measured in bench/core.py's notes).
    Running them inline on the event loop is faster by an order of magnitude and still never
    blocks it for long: BEGIN IMMEDIATE is retried with `asyncio.sleep` when another process
    holds the write lock, instead of waiting inside SQLite.
    """

    def __init__(
        self,
        conn: Connection,
        begin_sql: str,
        busy_timeout: float,
        release: Any,
        plans: dict[tuple[int, frozenset[str]], Plan | None] | None,
    ) -> None:
        self._conn = conn
        self._begin_sql = begin_sql
        self._busy_timeout = busy_timeout
        self._release = release
        self._in_tx = False
        self.dialect = conn.dialect
        self._plans = plans
        self._cursor: Any = None

    async def execute(self, statement: Any, *args: Any) -> Any:
        # Prepared hot-path statements skip SQLAlchemy's execution machinery (see
        # storage.sqlite_direct); everything else, and anything a plan cannot reproduce,
        # goes the normal way. So does a list of parameter sets (SQLAlchemy's executemany
        # form), which no hot-path statement uses.
        plans = self._plans
        if plans is not None and len(args) == 1 and id(statement) in PREPARED_IDS:
            params = args[0]
            if isinstance(params, dict):
                key = (id(statement), frozenset(params))
                plan = plans.get(key, _NO_PLAN_YET)
                if plan is _NO_PLAN_YET:
                    plan = plans[key] = plan_for(statement, key[1], self.dialect)
                if plan is not None:
                    return plan.run(self._raw_cursor(), params)
        return self._conn.execute(statement, *args)

    def _raw_cursor(self) -> Any:
        if self._cursor is None:
            self._cursor = self._conn.connection.dbapi_connection.cursor()
        return self._cursor

    def _control(self, sql: str) -> None:
        """BEGIN / COMMIT / ROLLBACK. The connection is in autocommit mode, so SQLAlchemy
        keeps no transaction state of its own and these can go straight to the cursor."""

        if self._plans is None:
            self._conn.exec_driver_sql(sql)
            return
        try:
            self._raw_cursor().execute(sql)
        except sqlite3.Error as exc:
            raise DBAPIError.instance(sql, (), exc, sqlite3.Error) from exc

    async def run_sync(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return fn(self._conn, *args, **kwargs)

    async def begin(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._busy_timeout
        delay = 0.001
        while True:
            try:
                self._control(self._begin_sql)
                self._in_tx = True
                return
            except OperationalError as exc:
                if not _is_transient(exc) or loop.time() >= deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)

    def in_transaction(self) -> bool:
        return self._in_tx

    async def commit(self) -> None:
        self._control("COMMIT")
        self._in_tx = False

    async def rollback(self) -> None:
        if self._in_tx:
            self._in_tx = False
            self._control("ROLLBACK")

    async def close(self) -> None:
        # The connection stays open for the next unit of work; only the lock is released.
        try:
            if self._in_tx:
                await self.rollback()
        finally:
            self._release()


class _InlineSource:
    """One SQLite connection, kept open, used by one unit of work at a time (an asyncio lock)."""

    def __init__(
        self, url: Any, *, echo: bool, begin_sql: str, busy_timeout_ms: int, direct: bool = True
    ) -> None:
        self.engine = create_engine(url, echo=echo, pool_size=1, max_overflow=0)
        self._lock = asyncio.Lock()
        self._begin_sql = begin_sql
        self._busy_timeout = busy_timeout_ms / 1000
        self._conn: Connection | None = None
        # Direct execution plans (None when echoing: the log must show every statement).
        direct = direct and not echo
        self._plans: dict[tuple[int, frozenset[str]], Plan | None] | None = {} if direct else None

        @event.listens_for(self.engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            _sqlite_pragmas(dbapi_connection, 0)  # waits happen in asyncio, not in SQLite

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._conn

    async def connect(self) -> InlineConnection:
        await self._lock.acquire()
        try:
            conn = self._connection()
        except BaseException:
            self._lock.release()
            raise
        return InlineConnection(
            conn, self._begin_sql, self._busy_timeout, self._lock.release, self._plans
        )

    async def dispose(self) -> None:
        async with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
            self.engine.dispose()


class _AsyncSource:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def connect(self) -> AsyncConnection:
        return await self.engine.connect()

    async def dispose(self) -> None:
        await self.engine.dispose()


Source = _InlineSource | _AsyncSource


class Database:
    """The database behind the unit of work.

    - `sqlite:///FILE` (default): SQLite through the standard library driver, run inline
      on the event loop (see InlineConnection), one writer and one reader connection.
    - `sqlite+aiosqlite:///FILE`: the same schema through aiosqlite's worker thread; slower
      per statement, but a pathological query can never stall the event loop.
    - `postgresql+asyncpg://...`: pooled asyncpg connections and row locks.
    """

    def __init__(
        self,
        url: str,
        *,
        clock: Clock,
        echo: bool = False,
        schema: str | None = None,
        busy_timeout_ms: int = 5000,
        direct: bool = True,
    ) -> None:
        """`schema` (PostgreSQL only) puts every table in that schema, so test runs or
        deployments can share one database. `direct=False` (inline SQLite only) sends every
        statement through SQLAlchemy's execution path (see storage.sqlite_direct)."""

        self.url = url
        self.clock = clock
        self.member_cache = MemberCache()
        self.welcomed_cache = WelcomedCache()
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        self.writer: Source
        self.reader: Source
        if self.dialect == "sqlite":
            if parsed.database in (None, "", ":memory:"):
                raise ValueError(
                    "an in-memory SQLite database cannot be shared between connections; "
                    "use a file, e.g. sqlite:///community.db"
                )
            folder = Path(parsed.database).parent
            if not folder.is_dir():
                # Both SQLite forms alike: a mistyped path must not become a new, empty
                # database in folders made up for it.
                raise FileNotFoundError(
                    f"the folder {str(folder)!r} does not exist (create it first: the bot makes "
                    "the database file, not its folder)"
                )
            if parsed.get_driver_name() == "aiosqlite":
                writer = create_async_engine(url, echo=echo, pool_size=1, max_overflow=0)
                _sqlite_setup(writer, "BEGIN IMMEDIATE", busy_timeout_ms)
                reader = create_async_engine(url, echo=echo, pool_size=4, max_overflow=4)
                _sqlite_setup(reader, "BEGIN", busy_timeout_ms)
                self.writer, self.reader = _AsyncSource(writer), _AsyncSource(reader)
            else:
                sync_url = parsed.set(drivername="sqlite+pysqlite")
                self.writer = _InlineSource(
                    sync_url,
                    echo=echo,
                    begin_sql="BEGIN IMMEDIATE",
                    busy_timeout_ms=busy_timeout_ms,
                    direct=direct,
                )
                self.reader = _InlineSource(
                    sync_url,
                    echo=echo,
                    begin_sql="BEGIN",
                    busy_timeout_ms=busy_timeout_ms,
                    direct=direct,
                )
        elif self.dialect == "postgresql":
            connect_args = {"server_settings": {"search_path": schema}} if schema else {}
            engine = create_async_engine(
                url,
                echo=echo,
                pool_size=10,
                max_overflow=10,
                pool_pre_ping=True,
                connect_args=connect_args,
            )
            self.writer = self.reader = _AsyncSource(engine)
        else:
            raise ValueError(
                f"unsupported database {mask_password(url)!r}: use {DATABASE_URL_FORMS}"
            )

    def uow(self, *, write: bool = True) -> SqlUnitOfWork:
        return SqlUnitOfWork(
            self.writer if write else self.reader,
            self.clock,
            self.member_cache,
            self.welcomed_cache,
        )

    @contextlib.asynccontextmanager
    async def connect(self, *, write: bool = False) -> AsyncIterator[Any]:
        """A connection outside any unit of work (start-up queries, maintenance)."""

        conn = await (self.writer if write else self.reader).connect()
        try:
            yield conn
        finally:
            await conn.close()

    async def upgrade(self) -> None:
        """Bring the schema to the newest migration (creates it on an empty database)."""

        from storage.migrate import upgrade_connection

        if isinstance(self.writer, _InlineSource):
            await self.writer.dispose()  # migrations use their own transactional connection
            with self.writer.engine.begin() as conn:
                upgrade_connection(conn)
            return
        async with self.writer.engine.begin() as conn:
            await conn.run_sync(upgrade_connection)

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
    moderation: SqlModerationRepository
    jobs: SqlJobRepository
    lifecycle: SqlLifecycleRepository
    knowledge: SqlKnowledgeRepository

    def __init__(
        self,
        source: Source,
        clock: Clock,
        member_cache: MemberCache | None = None,
        welcomed_cache: WelcomedCache | None = None,
    ) -> None:
        self._source = source
        self._clock = clock
        self._member_cache = member_cache
        self._welcomed_cache = welcomed_cache
        self._conn: Any = None

    @property
    def connection(self) -> Any:
        assert self._conn is not None, "unit of work used outside its 'async with' block"
        return self._conn

    async def __aenter__(self) -> Self:
        try:
            self._conn = await self._source.connect()
            await self._conn.begin()
        except BaseException as exc:
            if self._conn is not None:
                await self._conn.close()
            if _is_transient(exc):
                raise TransientStorageError(str(exc)) from exc
            raise
        conn = self._conn
        self.members = SqlMemberRepository(conn, self._clock, self._member_cache)
        self.questions = SqlQuestionRepository(conn)
        self.ledger = SqlLedgerRepository(conn)
        self.events = SqlEventLog(conn)
        self.moderation = SqlModerationRepository(conn)
        self.jobs = SqlJobRepository(conn)
        self.lifecycle = SqlLifecycleRepository(conn, self._welcomed_cache)
        self.knowledge = SqlKnowledgeRepository(conn)
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
        if self._member_cache is not None and self.members.pending:
            self._member_cache.add(self.members.pending)
            self.members.pending = {}

    async def rollback(self) -> None:
        await self.connection.rollback()
