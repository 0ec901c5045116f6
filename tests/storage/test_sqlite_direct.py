"""The inline SQLite mode runs prepared statements straight on the sqlite3 cursor
(storage.sqlite_direct). These tests hold it to SQLAlchemy's own path: the same script of
commands gives the same results and leaves the same rows with and without it, errors keep
their SQLAlchemy classes, and statements it cannot reproduce fall back, as does SQLAlchemy's
executemany form (a list of parameter sets)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
from sqlalchemy import bindparam, select, text

from bot import commands as c
from bot import errors
from bot.bootstrap import bootstrap
from bot.clock import FakeClock
from bot.jobs import Job, JobKind
from bot.model import Actor, MemberRef, Period, ThreadRef
from storage.database import Database
from storage.jobs_repository import jobs_t
from storage.repositories import members_t, prepared
from storage.sqlite_direct import Plan, plan_for
from tests.conftest import make_config


def _who(name: str, *, mod: bool = False) -> Actor:
    return Actor(MemberRef("console", "default", name), name.title(), is_moderator=mod)


alice, bob, carol, mod = _who("alice"), _who("bob"), _who("carol"), _who("mod", mod=True)


def _script() -> list[Any]:
    t1, t2 = ThreadRef("console", "t1"), ThreadRef("console", "t2")
    return [
        c.AskQuestion(alice, "help", "q1", "How do I reset my password?\nIt fails.", "e1", "t1"),
        c.PostMessage(bob, t1, "m1", "Use the reset link.", "e2"),
        c.PostMessage(carol, t1, "m2", "Or ask an admin 🙂", "e3"),
        c.PostMessage(alice, t1, "m3", "Thanks @bob, that worked!", "e4", (bob.ref,)),
        c.AcceptAnswer(alice, "m1", "e5"),
        c.AcceptAnswer(alice, "m1", "e6"),  # already accepted: a domain error
        c.AcceptAnswer(bob, "m2", "e7"),  # not the asker: refused
        c.ShowReputation(bob),
        c.ShowReputation(alice, bob.ref),
        c.ShowLeaderboard(alice, Period.ALL),
        c.ShowLeaderboard(alice, Period.WEEK),
        c.Unsolve(alice, t1, "e8"),
        c.MarkSolved(alice, t1, (carol.ref,), "e9"),
        c.AskQuestion(bob, "help", "q2", "Second question about exports", "e10", "t2"),
        c.PostMessage(carol, t2, "m4", "Export from settings.", "e11"),
        c.ThankMember(bob, carol, t2, "e12"),
        c.CloseQuestion(bob, t2, "answered elsewhere", "e13"),
        c.AdjustReputation(mod, carol, 5, "good help", "e14"),
        c.ShowQuestion(alice, 1),
        c.ListMyQuestions(alice),
        c.ShowReputation(carol),
        c.PostMessage(bob, t1, "m5", "x" * 5000, "e15"),  # long text, cut to an excerpt
        c.PostMessage(bob, t1, "m1", "Use the reset link (edited).", "e16"),  # same message id
    ]


@pytest.fixture
def plan_runs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of every statement that ran on the direct path."""

    ran: list[str] = []
    run = Plan.run

    def counting(plan: Plan, cursor: Any, params: Any) -> Any:
        ran.append(plan.sql)
        return run(plan, cursor, params)

    monkeypatch.setattr(Plan, "run", counting)
    return ran


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/t.db", clock=FakeClock())
    await database.upgrade()
    try:
        yield database
    finally:
        await database.dispose()


async def _run(url: str, *, direct: bool) -> tuple[list[str], dict[str, list[tuple[Any, ...]]]]:
    clock = FakeClock()
    app = await bootstrap(make_config(url), clock=clock, database_options={"direct": direct})
    outcomes: list[str] = []
    try:
        for command in _script():
            clock.advance(minutes=1)
            try:
                outcomes.append(repr(await app.bot.handle(command)))
            except errors.DomainError as exc:
                outcomes.append(f"{type(exc).__name__}: {exc.params}")
        async with app.database.connect() as conn:
            names = await conn.execute(
                text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            )
            tables = {}
            for (name,) in names.all():
                rows = await conn.execute(text(f'SELECT * FROM "{name}" ORDER BY rowid'))
                tables[name] = [tuple(r) for r in rows.all()]
    finally:
        await app.close()
    return outcomes, tables


async def _on_both_paths(script: Any, tmp_path: Path, plan_runs: list[str]) -> Any:
    """What `script(url, direct=...)` returns, the same with and without the direct path
    (`plan_runs` then holds the direct run's plans)."""

    normal = await script(f"sqlite:///{tmp_path}/normal.db", direct=False)
    assert plan_runs == []
    direct = await script(f"sqlite:///{tmp_path}/direct.db", direct=True)
    assert direct == normal
    return normal


def _with_database(script: Callable[[Database], Awaitable[Any]]) -> Any:
    """`script(database)` as a `_on_both_paths` script: run on a fresh, upgraded database
    at `url`, with the direct path on or off."""

    async def run(url: str, *, direct: bool) -> Any:
        database = Database(url, clock=FakeClock(), direct=direct)
        await database.upgrade()
        try:
            return await script(database)
        finally:
            await database.dispose()

    return run


async def test_same_results_and_rows_with_and_without_direct_execution(
    tmp_path: Path, plan_runs: list[str]
) -> None:
    _, tables = await _on_both_paths(_run, tmp_path, plan_runs)
    # The comparison means something only if the hot path really ran direct: each
    # transaction's writes (inserts and updates) and its reads.
    assert any(sql.startswith("INSERT") for sql in plan_runs)
    assert any(sql.startswith("UPDATE") for sql in plan_runs)
    assert any(sql.startswith("SELECT") for sql in plan_runs)
    assert sum(len(rows) for rows in tables.values()) > 30  # the script really wrote


async def test_rows_map_names_and_columns_with_converted_types(
    database: Database, plan_runs: list[str]
) -> None:
    async with database.uow() as uow:
        member = await uow.members.upsert(_who("dana", mod=True))
        await uow.commit()
    async with database.uow(write=False) as uow:
        conn = uow.connection
        stmt = prepared(
            conn,
            "test.members.by_id",
            lambda: select(members_t).where(members_t.c.id == bindparam("mid")),
        )
        plan_runs.clear()
        row = (await conn.execute(stmt, {"mid": member.id})).one()
        assert len(plan_runs) == 1  # the row below came from the direct path
        assert row._mapping[members_t.c.platform_user_id] == "dana"
        assert row.display_name == "Dana"
        assert row.is_moderator is True  # SQLite's 1, converted as SQLAlchemy would
        assert row.created_at == database.clock.now() and row.created_at.tzinfo is not None
        assert (await conn.execute(stmt, {"mid": -1})).first() is None


async def test_errors_keep_sqlalchemy_classes_and_fallbacks_still_run(
    database: Database, plan_runs: list[str]
) -> None:
    async with database.uow() as uow:
        member = await uow.members.upsert(_who("erin"))
        conn = uow.connection
        plain_insert = prepared(conn, "test.members.insert", lambda: members_t.insert())
        row = {
            "id": member.id,
            "community": "default",
            "platform": "console",
            "platform_user_id": "erin-2",
            "display_name": "Erin",
            "is_bot": False,
            "is_moderator": False,
            "created_at": database.clock.now(),
        }
        plan_runs.clear()
        with pytest.raises(sqlalchemy.exc.IntegrityError):
            await conn.execute(plain_insert, row)  # duplicate primary key
        assert len(plan_runs) == 1  # raised by the direct path, not by SQLAlchemy's
        # An expanding IN cannot be planned; it runs through SQLAlchemy instead.
        by_uids = prepared(
            conn,
            "test.members.by_uids",
            lambda: select(members_t.c.id).where(
                members_t.c.platform_user_id.in_(bindparam("uids", expanding=True))
            ),
        )
        assert plan_for(by_uids, frozenset({"uids"}), conn.dialect) is None
        rows = await conn.execute(by_uids, {"uids": ["erin", "nobody"]})
        assert rows.scalars().all() == [member.id]


def _member_rows(now: Any, *uids: str) -> list[dict[str, Any]]:
    return [
        {
            "community": "default",
            "platform": "console",
            "platform_user_id": uid,
            "display_name": uid.title(),
            "is_moderator": uid.startswith("mod"),
            "created_at": now,
        }
        for uid in uids
    ]


def _rename(conn: Any) -> Any:
    """UPDATE members SET display_name = :name WHERE platform_user_id = :uid, prepared."""
    return prepared(
        conn,
        "test.members.rename",
        lambda: (
            members_t.update()
            .where(members_t.c.platform_user_id == bindparam("uid"))
            .values(display_name=bindparam("name"))
        ),
    )


@_with_database
async def _executemany_script(database: Database) -> list[Any]:
    """Prepared statements run with lists of parameter sets: what each call returned, then
    every member row."""

    out: list[Any] = []
    async with database.uow() as uow:
        conn = uow.connection
        now = database.clock.now()
        insert = prepared(conn, "test.members.insert_many", lambda: members_t.insert())
        result = await conn.execute(insert, _member_rows(now, "ann", "mod-ben", "cy"))
        out.append(result.rowcount)
        rename = _rename(conn)
        result = await conn.execute(
            rename,
            [
                {"uid": "ann", "name": "Ann B."},
                {"uid": "nobody", "name": "-"},  # matches nothing: not counted
                {"uid": "cy", "name": "Cy D."},
            ],
        )
        out.append(result.rowcount)
        # One parameter set in a list, rows and all.
        by_uid = prepared(
            conn,
            "test.members.name_by_uid",
            lambda: select(members_t.c.display_name).where(
                members_t.c.platform_user_id == bindparam("uid")
            ),
        )
        out.append((await conn.execute(by_uid, [{"uid": "cy"}])).all())
        # RETURNING with several sets (SQLAlchemy batches it: insertmanyvalues).
        returning = prepared(
            conn,
            "test.members.insert_returning",
            lambda: members_t.insert().returning(members_t.c.id, members_t.c.is_bot),
        )
        out.append((await conn.execute(returning, _member_rows(now, "dee", "eve"))).all())
        await uow.commit()
    async with database.connect() as conn:
        rows = await conn.execute(select(members_t).order_by(members_t.c.id))
        out.append([tuple(r) for r in rows.all()])
    return out


async def test_executemany_takes_sqlalchemy_path_with_the_same_results(
    tmp_path: Path, plan_runs: list[str]
) -> None:
    normal = await _on_both_paths(_executemany_script, tmp_path, plan_runs)
    assert plan_runs == []  # a list of parameter sets is never run as a plan
    assert normal[:3] == [3, 2, [("Cy D.",)]]
    assert [row[4] for row in normal[-1]] == ["Ann B.", "Mod-Ben", "Cy D.", "Dee", "Eve"]


@_with_database
async def _settle_script(database: Database) -> list[Any]:
    """A job's outcome writes and lease renewals from runners that hold its claim and from
    runners that lost it: what each write returned, then the job's row."""

    now = database.clock.now()
    later = now + timedelta(minutes=1)
    out: list[Any] = []

    async def claim(uow: Any, token: str) -> Job:
        (job,) = await uow.jobs.claim(
            now, limit=1, lease_until=now, token=token, platforms=["console"]
        )
        return job

    async with database.uow() as uow:
        await uow.jobs.schedule(
            community="default",
            platform="console",
            kind=JobKind.DELIVER,
            due_at=now,
            now=now,
            payload="{}",
        )
        stale = await claim(uow, "stale")
        held = await claim(uow, "held")  # stale's lease ran out: taken over
        out.append(await uow.jobs.renew(stale, later, now))
        out.append(await uow.jobs.retry(stale, later, now, "late", give_up=False))
        out.append(await uow.jobs.finish(stale, now, "sent"))
        out.append(await uow.jobs.postpone(stale, later, now, "waiting"))
        out.append(await uow.jobs.postpone(held, now, now, "waiting"))
        third = await claim(uow, "third")
        out.append(await uow.jobs.finish(held, now, "sent"))  # put back, then re-claimed
        out.append(await uow.jobs.retry(third, now, now, "failed", give_up=False))
        fourth = await claim(uow, "fourth")
        out.append(await uow.jobs.renew(fourth, later, now))
        out.append(await uow.jobs.finish(fourth, later, "sent"))
        out.append(await uow.jobs.retry(fourth, later, later, "late", give_up=True))
        await uow.commit()
    async with database.connect() as conn:
        rows = (await conn.execute(select(jobs_t))).all()
        out.append([tuple(r) for r in rows])
        out.append([(r.state, r.outcome, r.claim_token, r.last_error) for r in rows])
    return out


async def test_job_outcomes_are_written_only_under_the_claim_on_both_paths(
    tmp_path: Path, plan_runs: list[str]
) -> None:
    normal = await _on_both_paths(_settle_script, tmp_path, plan_runs)
    # Every outcome write ran as a plan, and its rowcount told a lost claim apart.
    assert sum(sql.startswith("UPDATE scheduled_jobs") for sql in plan_runs) == 10
    assert normal[:-2] == [False, False, False, False, True, False, True, True, True, False]
    # The last holder's "sent" stands; the error is the one its predecessor recorded.
    assert normal[-1] == [("done", "sent", "fourth", "failed")]


@_with_database
async def _rowless_script(database: Database) -> list[Any]:
    """An UPDATE without RETURNING, read every way a caller might: its row count, whether
    it returns rows, and what each row accessor raises."""

    out: list[Any] = []
    async with database.uow() as uow:
        conn = uow.connection
        await conn.execute(members_t.insert(), _member_rows(database.clock.now(), "ann"))
        rename = _rename(conn)
        for read in ("all", "first", "one", "scalar", "fetchall", "__iter__"):
            result = await conn.execute(rename, {"uid": "ann", "name": read})
            out.append((result.rowcount, result.returns_rows))
            with pytest.raises(sqlalchemy.exc.ResourceClosedError) as raised:
                getattr(result, read)()
            out.append(str(raised.value))
        await uow.commit()
    return out


async def test_a_rowless_statement_refuses_row_reads_on_both_paths(
    tmp_path: Path, plan_runs: list[str]
) -> None:
    # SQLAlchemy raises ResourceClosedError when rows are read from an UPDATE; the direct
    # path used to return an empty list, so a caller written against it would break on
    # PostgreSQL (or with the direct path off).
    normal = await _on_both_paths(_rowless_script, tmp_path, plan_runs)
    assert sum(sql.startswith("UPDATE") for sql in plan_runs) == 6
    assert normal[0] == (1, False)
