"""Shared fixtures: databases (SQLite always, PostgreSQL when configured), the core, a clock.

PostgreSQL runs when COMMUNITY_BOT_TEST_POSTGRES_URL is set (`.ci/run` sets it). Each test gets
its own schema there, so test runs never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import App, bootstrap
from bot.clock import FakeClock
from bot.config import Config, parse_config

POSTGRES_URL = os.environ.get("COMMUNITY_BOT_TEST_POSTGRES_URL")
SKIP_PG = "PostgreSQL tests need COMMUNITY_BOT_TEST_POSTGRES_URL (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)"


@dataclass
class DatabaseTarget:
    url: str
    options: dict[str, Any]
    kind: str


async def _pg_schema(action: str, schema: str) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(POSTGRES_URL)  # type: ignore[arg-type]
    try:
        async with engine.begin() as conn:
            if action == "create":
                await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            else:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", "aiosqlite", "postgres"])
async def db_target(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[DatabaseTarget]:
    """Run the test once per database: SQLite inline (the default), SQLite through
    aiosqlite's worker thread, and PostgreSQL when configured."""

    if request.param == "sqlite":
        yield DatabaseTarget(f"sqlite:///{tmp_path}/community.db", {}, "sqlite")
        return
    if request.param == "aiosqlite":
        yield DatabaseTarget(f"sqlite+aiosqlite:///{tmp_path}/community.db", {}, "aiosqlite")
        return
    if not POSTGRES_URL:
        pytest.skip(SKIP_PG)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    await _pg_schema("create", schema)
    try:
        yield DatabaseTarget(POSTGRES_URL, {"schema": schema}, "postgres")
    finally:
        await _pg_schema("drop", schema)


@pytest.fixture
def sqlite_target(tmp_path: Path) -> DatabaseTarget:
    return DatabaseTarget(f"sqlite:///{tmp_path}/community.db", {}, "sqlite")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_config(url: str, **overrides: Any) -> Config:
    data: dict[str, Any] = {"database": {"url": url}}
    for key, value in overrides.items():
        data[key] = value
    return parse_config(data)


@pytest.fixture
def config_overrides() -> dict[str, Any]:
    """Override in a test module to change the config used by `app`."""

    return {}


@pytest.fixture
async def app(
    db_target: DatabaseTarget, clock: FakeClock, config_overrides: dict[str, Any]
) -> AsyncIterator[App]:
    config = make_config(db_target.url, **config_overrides)
    application = await bootstrap(config, clock=clock, database_options=db_target.options)
    try:
        yield application
    finally:
        await application.close()


@pytest.fixture
async def sqlite_app(
    sqlite_target: DatabaseTarget, clock: FakeClock, config_overrides: dict[str, Any]
) -> AsyncIterator[App]:
    config = make_config(sqlite_target.url, **config_overrides)
    application = await bootstrap(config, clock=clock)
    try:
        yield application
    finally:
        await application.close()


@pytest.fixture
async def two_processes(db_target: DatabaseTarget) -> AsyncIterator[tuple[App, App]]:
    """Two apps on one database, standing in for two bot processes."""

    clock = FakeClock()
    config = make_config(db_target.url)
    first = await bootstrap(config, clock=clock, database_options=db_target.options)
    second = await bootstrap(config, clock=clock, database_options=db_target.options)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()
