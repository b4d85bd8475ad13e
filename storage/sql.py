"""The few SQL functions SQLite and PostgreSQL spell differently, spelled once each.

Queries use these instead of ``func.julianday`` and friends, so the same query runs on
either database (``julian_day(Video.created_at)`` renders ``julianday(...)`` on SQLite
and an epoch expression on PostgreSQL). Raw-SQL queries take the same text from
``julian_day_sql``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, String, Table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import Alias
from sqlalchemy.sql.visitors import InternalTraversal

# Days from the start of the Julian period to 1970-01-01, SQLite's julianday() origin.
_UNIX_EPOCH_JULIAN = 2440587.5


def julian_day_sql(dialect: str, expression: str) -> str:
    """SQL text for ``expression`` (a timestamp column or a bound parameter) in days."""
    if dialect == "postgresql":
        return (
            f"(EXTRACT(EPOCH FROM CAST({expression} AS TIMESTAMP)) / 86400.0"
            f" + {_UNIX_EPOCH_JULIAN})"
        )
    return f"julianday({expression})"


class julian_day(FunctionElement[float]):  # noqa: N801 - reads like the SQL function it is
    """A timestamp as a fractional day count (SQLite's julianday())."""

    type = Float()
    inherit_cache = True


@compiles(julian_day)
def _julian_day(element: julian_day, compiler: SQLCompiler, **kw: Any) -> str:
    inner = compiler.process(element.clauses, **kw)
    return julian_day_sql(compiler.dialect.name, inner)


class day_text(FunctionElement[str]):  # noqa: N801
    """A timestamp's date as 'YYYY-MM-DD' text."""

    type = String()
    inherit_cache = True


@compiles(day_text)
def _day_text_sqlite(element: day_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(day_text, "postgresql")
def _day_text_postgres(element: day_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


class joined_text(FunctionElement[str]):  # noqa: N801
    """The group's values as one comma-separated text (an aggregate)."""

    type = String()
    inherit_cache = True


@compiles(joined_text)
def _joined_text_sqlite(element: joined_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)})"


@compiles(joined_text, "postgresql")
def _joined_text_postgres(element: joined_text, compiler: SQLCompiler, **kw: Any) -> str:
    return f"string_agg(CAST({compiler.process(element.clauses, **kw)} AS TEXT), ',')"


class IndexedBy(Alias):
    """A table read through a named index on SQLite (``FROM t INDEXED BY ix``); the
    plain table elsewhere. For the few queries SQLite, which keeps no statistics here
    (the box never runs ANALYZE), would otherwise answer by scanning a deep queue."""

    inherit_cache = True
    _traverse_internals = [*Alias._traverse_internals, ("index", InternalTraversal.dp_string)]
    index: str = ""


@compiles(IndexedBy)
def _indexed_by(element: IndexedBy, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.visit_alias(element, **kw)


@compiles(IndexedBy, "sqlite")
def _indexed_by_sqlite(element: IndexedBy, compiler: SQLCompiler, **kw: Any) -> str:
    rendered = compiler.visit_alias(element, **kw)
    return f"{rendered} INDEXED BY {element.index}" if kw.get("asfrom") else rendered


def indexed_by(table: Table, index: str) -> IndexedBy:
    """``table`` under its own name, read through ``index`` on SQLite."""
    aliased = IndexedBy._construct(table, name=table.name)
    aliased.index = index
    return aliased
