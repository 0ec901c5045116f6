"""Running the hot-path statements straight on the sqlite3 cursor.

SQLAlchemy's execution path (execution context, parameter processing, result set-up)
costs about 50-70 us per statement on this machine, several times what SQLite itself needs
for the small indexed statements a chat event runs. For the statements the repositories
build once (`storage.repositories.prepared`), this module compiles each one once per set of
parameter names into a `Plan`: the SQL text, where each positional parameter comes from,
SQLAlchemy's own bind and result processors (so dates and booleans convert exactly as on
the normal path), and a result metadata that maps both names and Column objects. Running a
plan is a tuple build, one `cursor.execute` and, for rows, an `IteratorResult`.

Anything a plan cannot reproduce faithfully (expanding IN parameters, callable or
Python-side defaults, statement echo) returns None from `plan_for` and the statement takes
SQLAlchemy's normal path. The whole test suite runs on both paths: the inline SQLite mode
uses this one, `sqlite+aiosqlite://` and PostgreSQL the normal one.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine.result import IteratorResult, SimpleResultMetaData
from sqlalchemy.exc import DBAPIError, ResourceClosedError
from sqlalchemy.sql.dml import Insert, Update
from sqlalchemy.sql.selectable import Select

log = logging.getLogger(__name__)

# Parameter sources: a value from the caller's parameters, or a constant fixed at compile.
_FROM_PARAMS = 0
_CONSTANT = 1


class DirectResult(IteratorResult):  # type: ignore[type-arg]
    """An IteratorResult that also knows how many rows the statement changed."""

    def __init__(self, metadata: Any, rows: list[Any], rowcount: int) -> None:
        super().__init__(metadata, iter(rows))
        self.rowcount = rowcount


class RowlessResult(DirectResult):
    """The result of an INSERT, UPDATE or DELETE without RETURNING: a row count, and, as
    SQLAlchemy's own result, `ResourceClosedError` from any attempt to read rows."""

    def __init__(self, rowcount: int) -> None:
        super().__init__(_NO_COLUMNS, [], rowcount)

    @property
    def returns_rows(self) -> bool:
        return False

    def _no_rows(self, *args: Any, **kwargs: Any) -> Any:
        raise ResourceClosedError(
            "This result object does not return rows. It has been closed automatically."
        )

    _fetchone_impl = _fetchall_impl = _fetchmany_impl = _fetchiter_impl = __iter__ = _no_rows


class Plan:
    __slots__ = ("sql", "sources", "metadata")

    def __init__(
        self,
        sql: str,
        sources: list[tuple[int, Any, Callable[[Any], Any] | None]],
        metadata: SimpleResultMetaData | None,
    ) -> None:
        self.sql = sql
        self.sources = sources
        self.metadata = metadata

    def parameters(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        out = []
        for kind, item, process in self.sources:
            if kind == _FROM_PARAMS:
                value = params[item]
                out.append(process(value) if process is not None else value)
            else:
                out.append(item)
        return tuple(out)

    def run(self, cursor: sqlite3.Cursor, params: Mapping[str, Any]) -> DirectResult:
        args = self.parameters(params)
        try:
            cursor.execute(self.sql, args)
            rows = cursor.fetchall() if self.metadata is not None else []
        except sqlite3.Error as exc:
            # The same exception classes SQLAlchemy would raise (IntegrityError, ...), so
            # callers and the transient-error retry see no difference.
            raise DBAPIError.instance(self.sql, args, exc, sqlite3.Error) from exc
        if self.metadata is None:
            return RowlessResult(cursor.rowcount)
        return DirectResult(self.metadata, rows, len(rows))


_NO_COLUMNS = SimpleResultMetaData([])


def plan_for(statement: Any, keys: frozenset[str], dialect: Any) -> Plan | None:
    """A plan for `statement` executed with parameters named `keys`, or None when only
    SQLAlchemy's normal path can run it faithfully."""

    try:
        return _plan(statement, keys, dialect)
    except AttributeError:
        # The compiler attributes read here are SQLAlchemy internals (stable through 2.0
        # and 2.1, which pyproject allows); if a release changes them, fall back.
        log.warning("direct SQLite execution unavailable with this SQLAlchemy", exc_info=True)
        return None


def _plan(statement: Any, keys: frozenset[str], dialect: Any) -> Plan | None:
    column_keys = sorted(keys) if isinstance(statement, Insert | Update) else None
    compiled = statement.compile(dialect=dialect, column_keys=column_keys)
    if compiled.positiontup is None or compiled.literal_execute_params:
        return None
    if compiled.post_compile_params:
        return None
    if any(b.expanding or b.callable is not None for b in compiled.binds.values()):
        return None
    defaults: dict[str, Any] = {}
    for column in (*compiled.insert_prefetch, *compiled.update_prefetch):
        default = column.default if column in compiled.insert_prefetch else column.onupdate
        if default is None or not default.is_scalar:
            return None  # a callable default: SQLAlchemy computes it per execution
        defaults[column.key] = default.arg
    processors = compiled._bind_processors
    sources: list[tuple[int, Any, Callable[[Any], Any] | None]] = []
    for name in compiled.positiontup:
        process = processors.get(name)
        if name in keys:
            sources.append((_FROM_PARAMS, name, process))
            continue
        if name in defaults:
            value = defaults[name]
        else:
            bind = compiled.binds.get(name)
            if bind is None or bind.required:
                return None  # let SQLAlchemy raise its own clear error
            value = bind.effective_value
        sources.append((_CONSTANT, process(value) if process is not None else value, None))
    metadata = None
    columns = compiled._result_columns
    if columns:
        metadata = SimpleResultMetaData(
            [c.keyname for c in columns],
            extra=[c.objects for c in columns],
            _processors=[c.type._cached_result_processor(dialect, None) for c in columns],
        )
    elif isinstance(statement, Select) or getattr(compiled, "effective_returning", None):
        return None  # rows without result columns: not a shape this module knows
    return Plan(compiled.string, sources, metadata)
