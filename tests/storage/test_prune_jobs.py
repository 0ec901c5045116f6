"""Pruning finished jobs: the right rows go, sent reminders and escalations stay for good,
and a batch reads only prunable rows (the partial index ix_scheduled_jobs_prunable) however
many sent reminders have piled up, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import event, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex

from bot.clock import FakeClock
from bot.jobs import JobKind, JobState
from storage.database import Database, _InlineSource
from storage.jobs_repository import jobs_t
from storage.migrate import alembic_config, upgrade_connection
from storage.models import ScheduledJobRow
from tests.conftest import DatabaseTarget

INDEX = "ix_scheduled_jobs_prunable"
DAY = timedelta(days=1)


@pytest.fixture
async def db(db_target: DatabaseTarget, clock: FakeClock) -> AsyncIterator[Database]:
    database = Database(db_target.url, clock=clock, **db_target.options)
    await database.upgrade()
    try:
        yield database
    finally:
        await database.dispose()


def _row(
    kind: JobKind,
    state: JobState,
    outcome: str | None,
    finished: datetime,
    *,
    payload: str | None = None,
) -> dict[str, Any]:
    return {
        "community": "default",
        "platform": "console",
        "kind": kind.value,
        "question_id": None,
        "due_at": finished,
        "state": state.value,
        "attempts": 1,
        "payload": payload,
        "outcome": outcome,
        "created_at": finished,
        "updated_at": finished,
    }


async def _insert(db: Database, rows: list[dict[str, Any]]) -> None:
    async with db.uow() as uow:
        await uow.connection.execute(jobs_t.insert(), rows)
        await uow.commit()


async def _prune(db: Database, before: datetime, limit: int = 1000) -> int:
    async with db.uow() as uow:
        n = await uow.jobs.prune_finished(before, limit)
        await uow.commit()
    return n


async def _left(db: Database) -> list[str | None]:
    async with db.connect() as conn:
        return list((await conn.execute(select(jobs_t.c.payload).order_by(jobs_t.c.id))).scalars())


async def test_a_batch_deletes_at_most_its_limit_and_batches_finish_the_job(
    db: Database, clock: FakeClock
) -> None:
    old = clock.now() - 40 * DAY
    rows = [_row(JobKind.DELIVER, JobState.DONE, "sent", old, payload="goes") for _ in range(7)]
    rows += [_row(JobKind.REMIND, JobState.DONE, "sent", old, payload="stays") for _ in range(5)]
    await _insert(db, rows)
    before = clock.now() - 30 * DAY
    assert [await _prune(db, before, limit=3) for _ in range(4)] == [3, 3, 1, 0]
    assert await _left(db) == ["stays"] * 5


async def test_prune_deletes_exactly_the_finished_old_jobs_that_are_not_sent_reminders(
    db: Database, clock: FakeClock
) -> None:
    """Every state, kind and kind of outcome, old and recent, against the rule written with
    the enums: finished (done, failed, cancelled), finished before the cutoff, and not a
    sent reminder or escalation. The index and the query say finished as NOT IN ('pending',
    'running'), so a state added to JobState is pruned unless it is placed here (and there,
    by a migration): a new live state must not be deleted after 30 days."""

    now = clock.now()
    before = now - 30 * DAY
    finished = {JobState.DONE, JobState.FAILED, JobState.CANCELLED}
    kept_when_sent = {JobKind.REMIND, JobKind.ESCALATE}
    rows, expected_left = [], []
    for state in JobState:
        for kind in JobKind:
            for outcome in (None, "sent", "not_open"):
                for at in (before - DAY, before + DAY):
                    name = f"{state} {kind} {outcome} {at < before}"
                    rows.append(_row(kind, state, outcome, at, payload=name))
                    goes = (
                        state in finished
                        and at < before
                        and not (kind in kept_when_sent and outcome == "sent")
                    )
                    if not goes:
                        expected_left.append(name)
    await _insert(db, rows)

    assert await _prune(db, before) == len(rows) - len(expected_left)
    assert await _left(db) == expected_left


async def test_a_batch_takes_the_oldest_prunable_jobs_first(db: Database, clock: FakeClock) -> None:
    # Inserted newest first, so the table's (and the ids') order is the reverse of age.
    old = clock.now() - 40 * DAY
    rows = [
        _row(JobKind.DELIVER, JobState.DONE, "sent", old + i * timedelta(hours=1), payload=str(i))
        for i in reversed(range(60))
    ]
    rows += [_row(JobKind.REMIND, JobState.DONE, "sent", old, payload="kept") for _ in range(300)]
    await _insert(db, rows)
    assert await _prune(db, clock.now() - 30 * DAY, limit=50) == 50
    assert await _left(db) == [str(i) for i in reversed(range(50, 60))] + ["kept"] * 300


def _model_index_sql(dialect: Any) -> str:
    (index,) = [i for i in ScheduledJobRow.__table__.indexes if i.name == INDEX]
    return str(CreateIndex(index).compile(dialect=dialect))


async def test_the_migrated_index_is_the_one_the_models_describe(db: Database) -> None:
    """Alembic's comparison ignores a partial index's WHERE, so compare it here: the prune
    query only uses the index while both say the same thing."""

    async with db.connect(write=True) as conn:
        if db.dialect == "sqlite":
            stored = (
                await conn.execute(
                    text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": INDEX}
                )
            ).scalar_one()
            model = _model_index_sql(sqlite.dialect())
            assert " ".join(stored.split()) == " ".join(model.split())
            return
        # PostgreSQL stores its own rendering: build the models' index under another name
        # and compare the two as PostgreSQL writes them back.
        await conn.execute(text(_model_index_sql(postgresql.dialect()).replace(INDEX, "ix_model")))
        defs = dict(
            (
                await conn.execute(
                    text(
                        "SELECT indexname, indexdef FROM pg_indexes"
                        " WHERE indexname IN (:a, 'ix_model') AND schemaname = current_schema()"
                    ),
                    {"a": INDEX},
                )
            ).all()
        )
        assert "WHERE" in defs[INDEX]
        assert defs[INDEX] == defs["ix_model"].replace("ix_model", INDEX)
        await conn.rollback()


async def test_migration_0007_downgrades_and_upgrades_again(db: Database) -> None:
    def indexes(sync_conn: Any) -> set[str]:
        return {i["name"] for i in inspect(sync_conn).get_indexes("scheduled_jobs")}

    def down_and_up(sync_conn: Any) -> tuple[set[str], set[str]]:
        command.downgrade(alembic_config(sync_conn), "0007-1")
        without = indexes(sync_conn)
        upgrade_connection(sync_conn)
        return without, indexes(sync_conn)

    if isinstance(db.writer, _InlineSource):  # as Database.upgrade runs migrations
        await db.writer.dispose()
        with db.writer.engine.begin() as sync_conn:
            without, again = down_and_up(sync_conn)
    else:
        async with db.writer.engine.begin() as conn:  # type: ignore[attr-defined]
            without, again = await conn.run_sync(down_and_up)
    assert INDEX in again and without == again - {INDEX}


async def _captured_prune_sql(db: Database, before: datetime) -> tuple[str, Any]:
    """The DELETE that prune_finished sends, and its parameters, as the driver gets them."""

    engine = db.writer.engine  # type: ignore[attr-defined]
    engine = getattr(engine, "sync_engine", engine)
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE"):
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        async with db.uow() as uow:
            await uow.jobs.prune_finished(before, 2000)
            await uow.rollback()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(seen) == 1
    return seen[0]


def _pg_literal(value: Any) -> str:
    if isinstance(value, datetime):
        return f"'{value.isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(int(value))


async def test_the_prune_query_reads_the_partial_index_not_the_kept_sent_reminders(
    db: Database, clock: FakeClock
) -> None:
    """Without the index a batch walked every kept sent reminder (all finished rows), on
    every batch, for ever. The plan must search ix_scheduled_jobs_prunable: on SQLite
    without statistics (the bot never runs ANALYZE), and on PostgreSQL both with the
    parameters' values and as the generic plan a cached prepared statement ends up with,
    and there without scanning the table for the ids either."""

    now = clock.now()
    old = now - 40 * DAY
    rows = [_row(JobKind.REMIND, JobState.DONE, "sent", old) for _ in range(3000)]
    rows += [_row(JobKind.ESCALATE, JobState.DONE, "sent", old) for _ in range(500)]
    rows += [_row(JobKind.CLOSE_DORMANT, JobState.PENDING, None, now) for _ in range(500)]
    rows += [_row(JobKind.DELIVER, JobState.DONE, "sent", old) for _ in range(20)]
    await _insert(db, rows)
    before = now - 30 * DAY
    statement, params = await _captured_prune_sql(db, before)

    async with db.connect(write=True) as conn:
        if db.dialect == "sqlite":
            plan = await conn.run_sync(
                lambda c: c.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params).all()
            )
            detail = " | ".join(str(r[-1]) for r in plan)
            assert re.search(rf"SEARCH scheduled_jobs USING (COVERING )?INDEX {INDEX}", detail), (
                detail
            )
            return
        await conn.execute(text("ANALYZE scheduled_jobs"))
        custom = (await conn.exec_driver_sql(f"EXPLAIN {statement}", tuple(params))).all()
        await conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        await conn.exec_driver_sql(f"PREPARE prune_plan AS {statement}")
        args = ", ".join(_pg_literal(v) for v in params)
        generic = (await conn.exec_driver_sql(f"EXPLAIN EXECUTE prune_plan({args})")).all()
        await conn.exec_driver_sql("DEALLOCATE prune_plan")  # PREPARE outlives the rollback
        await conn.rollback()
    for plan in (custom, generic):
        detail = "\n".join(r[0] for r in plan)
        assert (
            f"Index Scan using {INDEX}" in detail or f"Index Only Scan using {INDEX}" in detail
        ), detail
        # Nor a scan of the whole table to find the chosen ids (a hash join on `id IN`).
        assert "Seq Scan" not in detail, detail
