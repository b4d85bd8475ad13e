"""Copying a box's SQLite database into an empty PostgreSQL one, checked.

Both are brought to the same migration first, so their tables are the same tables. Rows
go over table by table in the order their foreign keys need, a batch at a time, through
SQLAlchemy's types on both sides (UTC datetimes, JSON, booleans come out as they went
in), all in one PostgreSQL transaction: a failure half way leaves the target as empty
as it was. The id sequences are then set past the copied ids. Before the commit the
copy is checked: every table's row count, and the money and quota totals (the cost
ledger, each video's cost, the YouTube quota units), must equal the source's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Integer, Table, create_engine, func, select, text
from sqlalchemy.pool import NullPool

from storage import migrate
from storage.models import Base, CostEntry, Video, YouTubeQuota
from storage.urls import shown, sync_url

BATCH = 5000
# The figures that must come over exactly, beside the row counts.
TOTALS = {
    "cost ledger (micro-USD)": func.coalesce(func.sum(CostEntry.amount_micro_usd), 0),
    "video costs (micro-USD)": func.coalesce(func.sum(Video.cost_micro_usd), 0),
    "YouTube quota units": func.coalesce(func.sum(YouTubeQuota.units), 0),
}


class CopyError(Exception):
    """The copy cannot be made or does not check out; nothing was committed."""


@dataclass
class CopyReport:
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)


def copy_database(
    source: Path,
    target: str,
    *,
    box_id: str,
    progress: Callable[[str, int], None] = lambda table, rows: None,
) -> CopyReport:
    """Copy every row of ``source`` (SQLite) into ``target`` (an empty PostgreSQL
    database); videos no box held yet become ``box_id``'s, whose files they are."""
    if not source.is_file():
        raise CopyError(f"{source} does not exist")
    migrate.upgrade(source)
    migrate.upgrade(target)
    reader = create_engine(sync_url(source), poolclass=NullPool)
    writer = create_engine(sync_url(target), poolclass=NullPool)
    try:
        with reader.connect() as read, writer.begin() as write:
            occupied = [
                table.name
                for table in Base.metadata.sorted_tables
                if write.scalar(select(func.count()).select_from(table))
            ]
            if occupied:
                raise CopyError(
                    f"{shown(target)} is not empty (rows in {', '.join(occupied)}); "
                    "copy into a new database"
                )
            report = CopyReport()
            for table in Base.metadata.sorted_tables:
                report.counts[table.name] = _copy_table(read, write, table, progress)
            write.execute(
                Video.__table__.update()
                .where(Video.__table__.c.box_id.is_(None))
                .values(box_id=box_id)
            )
            for table in Base.metadata.sorted_tables:
                _advance_sequence(write, table)
            report.totals = {
                name: int(read.scalar(select(total)) or 0) for name, total in TOTALS.items()
            }
            _verify(write, report)
            return report
    finally:
        reader.dispose()
        writer.dispose()


def _copy_table(
    read: Connection, write: Connection, table: Table, progress: Callable[[str, int], None]
) -> int:
    copied = 0
    result = read.execution_options(yield_per=BATCH).execute(select(table))
    for batch in result.mappings().partitions(BATCH):
        write.execute(table.insert(), [dict(row) for row in batch])
        copied += len(batch)
        progress(table.name, copied)
    return copied


def _advance_sequence(write: Connection, table: Table) -> None:
    """Ids handed out next start past the copied ones (PostgreSQL's serial columns do not
    see rows inserted with their ids)."""
    primary = list(table.primary_key.columns)
    if len(primary) != 1 or not isinstance(primary[0].type, Integer):
        return
    column = primary[0].name
    sequence = write.scalar(
        text("SELECT pg_get_serial_sequence(:table, :column)"),
        {"table": table.name, "column": column},
    )
    if sequence is None:
        return
    write.execute(
        text(
            f"SELECT setval(:sequence, coalesce(max({column}), 1), max({column}) IS NOT NULL) "
            f"FROM {table.name}"
        ),
        {"sequence": sequence},
    )


def _verify(write: Connection, report: CopyReport) -> None:
    problems = []
    for table in Base.metadata.sorted_tables:
        there = write.scalar(select(func.count()).select_from(table))
        if there != report.counts[table.name]:
            problems.append(f"{table.name}: {report.counts[table.name]} rows, {there} copied")
    for name, total in TOTALS.items():
        there = int(write.scalar(select(total)) or 0)
        if there != report.totals[name]:
            problems.append(f"{name}: {report.totals[name]} in the source, {there} copied")
    if problems:
        raise CopyError("the copy does not match the source: " + "; ".join(problems))
