"""The supervisor's database handle: one serialized write path, concurrent reads.

SQLite in WAL mode lets readers run beside one writer. Every write goes through
``Database.write()``: an asyncio lock in front of a single connection that opens
its transactions with ``BEGIN IMMEDIATE``, so a write transaction takes the
database write lock up front instead of failing with SQLITE_BUSY halfway.

Reads come three ways. ``Database.query(fn, ...)`` runs a whole read,
``fn(session, ...)`` on a plain synchronous session, right away on the caller's
thread: for the short, indexed reads that serve requests (a video, a page of them,
a user), which take well under a millisecond from SQLite's page cache. Handing
those to another thread costs more than running them: under load every hand-off
waits for the GIL, measured at a third of a detail route's throughput.
``Database.query_in_thread(fn, ...)`` runs the same kind of function on a reader
thread, for reads that scan (analytics over a month, the whole queue), so the event
loop goes on meanwhile. ``Database.read()`` is an async session over aiosqlite,
where every statement is a hand-off: for tests and one-off tools. The domain's
read functions are written for the first two.

Every committed write also bumps a generation number for each table it touched
(``Database.changes``), so in-process caches know when a read may be stale and
followers of the event log know when to look again, without polling.

On PostgreSQL (several boxes on one database) the same three paths run over psycopg,
with two additions that keep every box's view and every invariant as on one SQLite
file. A write transaction first takes one cluster-wide advisory lock, the
counterpart of SQLite's ``BEGIN IMMEDIATE``: writes from all boxes run one at a time,
so a read-then-write (the budget guard, quota rotation, idempotency keys) is as exact
across boxes as it is on one, and events commit in the order of their ids. Only
claiming unheld videos and renewing leases, which are built for concurrency
(``FOR UPDATE SKIP LOCKED``, conditional updates) and record no events, skip it
(``write(exclusive=False)``). And each write says which tables it changed with a
``NOTIFY``; every box LISTENs and bumps its own ``changes``, so caches, admission and
event followers on one box wake for a commit made on another. ``query`` runs on a
reader thread there, since every statement is a round trip.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import secrets
import zlib
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.ext.asyncio import (
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session

from storage.urls import Target, async_url, is_postgres, libpq_dsn, shown, sync_url

P = ParamSpec("P")
T = TypeVar("T")

# Where a read session keeps (dialect, driver connection) for storage.prepared.
DRIVER_KEY = "prepared.driver"
# How much of the database file readers map into memory (SQLite's mmap_size).
MMAP_BYTES = 1 << 30
# Marks a write whose tables could not be told (raw SQL): every table counts as changed.
ALL_TABLES = "*"
# What a progress-only write counts as changing, instead of "videos" and "stages": a
# running stage reports progress every second, and readers that show no progress
# (analytics) should not lose their cached answers to it.
PROGRESS = "progress"
# PostgreSQL: the advisory lock every exclusive write takes (any constant unique to it),
# and the channel commits are announced on.
WRITE_LOCK = 0x59545752
CHANGES_CHANNEL = "ytempire_changes"
# The first key of the advisory locks that make one box the only one to play a role.
ROLE_LOCK_CLASS = 0x5954

log = logging.getLogger(__name__)


def mark_progress_only(session: AsyncSession) -> None:
    """Declare that this write transaction changes progress columns and events only."""
    session.info["progress_only"] = True


class _TrackingSession(Session):
    """The writer's session: notes the name of every table a transaction changes."""


@event.listens_for(_TrackingSession, "before_flush")
def _note_flushed(session: Session, _context: Any, _instances: Any) -> None:
    touched = session.info.setdefault("tables", set())
    for row in (*session.new, *session.dirty, *session.deleted):
        touched.add(row.__table__.name)


@event.listens_for(_TrackingSession, "do_orm_execute")
def _note_statement(state: ORMExecuteState) -> None:
    if state.is_select:
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    state.session.info.setdefault("tables", set()).add(name or ALL_TABLES)


class Changes:
    """Per-table generation numbers, bumped after each commit, and a way to wait for one."""

    def __init__(self) -> None:
        self._generations: defaultdict[str, int] = defaultdict(int)
        self._everything = 0
        # Each waiter with the tables it waits for (None: any table).
        self._waiters: dict[asyncio.Future[None], frozenset[str] | None] = {}

    def generation(self, *tables: str) -> tuple[int, ...]:
        """A value that changes whenever any of ``tables`` is written."""
        return (self._everything, *(self._generations[t] for t in tables))

    def bump(self, tables: set[str]) -> None:
        if not tables:
            return
        if ALL_TABLES in tables:
            self._everything += 1
        for table in tables - {ALL_TABLES}:
            self._generations[table] += 1
        for waiter, wanted in list(self._waiters.items()):
            if wanted is None or ALL_TABLES in tables or wanted & tables:
                if not waiter.done():
                    waiter.set_result(None)
                del self._waiters[waiter]

    async def wait(self, within: float | None = None, *, tables: Iterable[str] = ()) -> bool:
        """Until the next commit that changed something (one of ``tables``, if given);
        False on timeout."""
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters[waiter] = frozenset(tables) or None
        try:
            await asyncio.wait_for(waiter, within)
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters.pop(waiter, None)


class Database:
    def __init__(
        self,
        target: Target,
        *,
        synchronous: str = "FULL",
        busy_timeout_ms: int = 5000,
        readers: int = 4,
    ):
        self.target = target
        self.postgres = is_postgres(target)
        # The SQLite file (None on PostgreSQL).
        self.path: Path | None = None if self.postgres else Path(target)
        self.dialect = "postgresql" if self.postgres else "sqlite"
        # Tells this process's own NOTIFYs from other boxes'.
        self.origin = secrets.token_hex(8)
        # A server may restart under a running box: check a pooled connection before use.
        server = {"pool_pre_ping": True} if self.postgres else {}
        self._write_engine = create_async_engine(
            async_url(target), pool_size=1, max_overflow=0, **server
        )
        self._read_engine = create_async_engine(
            async_url(target), pool_size=readers, max_overflow=0, **server
        )
        # Connections are used by one reader thread at a time, but not always the same one.
        self._query_engine = create_engine(
            sync_url(target),
            pool_size=readers,
            max_overflow=0,
            # The most recently used connection first: its page cache is the warm one.
            pool_use_lifo=True,
            **(server if self.postgres else {"connect_args": {"check_same_thread": False}}),
        )
        if not self.postgres:
            pragmas = {"synchronous": synchronous, "busy_timeout_ms": busy_timeout_ms}
            _configure(self._write_engine.sync_engine, begin="BEGIN IMMEDIATE", **pragmas)
            _configure(self._read_engine.sync_engine, begin="BEGIN", **pragmas)
            _configure(self._query_engine, begin="BEGIN", **pragmas)
        self._query_threads = ThreadPoolExecutor(readers, thread_name_prefix="db-read")
        self._write_lock = asyncio.Lock()
        self._writer = async_sessionmaker(
            self._write_engine, expire_on_commit=False, sync_session_class=_TrackingSession
        )
        self.changes = Changes()
        self._reader = async_sessionmaker(self._read_engine, expire_on_commit=False)
        self._listener: asyncio.Task[None] | None = None
        self._listening = asyncio.Event()

    def __repr__(self) -> str:
        return f"Database({shown(self.target)})"

    async def start(self) -> None:
        """On PostgreSQL, start following other boxes' commits (a no-op on SQLite)."""
        if self.postgres and self._listener is None:
            self._listener = asyncio.create_task(self._follow_other_boxes(), name="db-listen")
            await self._listening.wait()

    async def _follow_other_boxes(self) -> None:
        import psycopg

        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    libpq_dsn(self.target), autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {CHANGES_CHANNEL}")
                    # Commits made while this box was not listening are unknown: treat
                    # everything as changed once, so no cache keeps a stale answer.
                    self.changes.bump({ALL_TABLES})
                    self._listening.set()
                    delay = 0.5
                    async for notice in connection.notifies():
                        self._take_notice(notice.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the server went away: listen again when it is back
                log.warning("lost the database's change notifications: %s", exc)
                self._listening.set()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    def _take_notice(self, payload: str) -> None:
        try:
            notice = json.loads(payload)
        except ValueError:
            self.changes.bump({ALL_TABLES})
            return
        if notice.get("o") != self.origin:
            self.changes.bump(set(notice.get("t") or [ALL_TABLES]))

    @asynccontextmanager
    async def write(self, *, exclusive: bool = True) -> AsyncIterator[AsyncSession]:
        """A write transaction: commits on success, rolls back on any exception.

        ``exclusive=False`` (PostgreSQL only; SQLite writes are always one at a time):
        the transaction runs beside other boxes' writes, for statements that are safe
        so (row locks, ``SKIP LOCKED``, conditional updates).
        """
        async with self._write_lock:
            async with self._writer() as session:
                async with session.begin():
                    if self.postgres and exclusive:
                        await session.execute(
                            text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK}
                        )
                    yield session
                    if self.postgres:
                        await session.flush()
                        await self._announce(session, _changed_tables(session))
                # Only reached once the transaction has committed.
                self.changes.bump(_changed_tables(session, pop=True))

    @asynccontextmanager
    async def leadership(self, role: str) -> AsyncIterator[Callable[[], Awaitable[None]]]:
        """Wait until this box is the only one playing ``role`` (the webhook deliverer),
        and hold it for the block. On PostgreSQL: a session advisory lock on a connection
        of its own, which the server lets go when the holder dies, so a standby box takes
        over. The block gets a check to call now and then, which raises once the lock's
        connection is lost (another box may hold the role then). On SQLite there is one
        box: it always holds every role."""
        if not self.postgres:

            async def always() -> None:
                return None

            yield always
            return
        import psycopg

        key = zlib.crc32(role.encode()) - 2**31  # the lock's second key is an int4
        async with await psycopg.AsyncConnection.connect(
            libpq_dsn(self.target), autocommit=True
        ) as connection:
            await connection.execute("SELECT pg_advisory_lock(%s, %s)", (ROLE_LOCK_CLASS, key))

            async def still_held() -> None:
                await connection.execute("SELECT 1")

            yield still_held

    async def _announce(self, session: AsyncSession, tables: set[str]) -> None:
        # Delivered to the listeners when (and only if) the transaction commits.
        if tables:
            payload = json.dumps({"o": self.origin, "t": sorted(tables)})
            await session.execute(
                text("SELECT pg_notify(:channel, :payload)"),
                {"channel": CHANGES_CHANNEL, "payload": payload},
            )

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._reader() as session:
            yield session

    async def query(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``fn(session, *args, **kwargs)`` in one read transaction, now, on this thread.

        For short, indexed reads (a page, a row and its children). One consistent
        snapshot for however many queries ``fn`` makes. ``fn`` must only read, and
        should return plain values: the session is closed when it returns, so lazy
        loads on returned rows would fail.
        """
        if self.postgres:
            # A round trip per statement: never on the event loop's thread.
            return await self.query_in_thread(fn, *args, **kwargs)
        return self._run_query(fn, *args, **kwargs)

    async def query_in_thread(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``query`` on a reader thread, for reads that scan many rows: the event loop
        serves other requests meanwhile."""
        call = functools.partial(self._run_query, fn, *args, **kwargs)
        return await asyncio.get_running_loop().run_in_executor(self._query_threads, call)

    def _run_query(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        # A session bound to a connection already in its transaction: half the cost of a
        # session that begins its own, which is most of a short read.
        with self._query_engine.connect() as connection, connection.begin():
            with Session(bind=connection, expire_on_commit=False) as session:
                # Prepared reads go straight to the driver: hand it over now, instead of
                # each read asking the session for its connection.
                session.info[DRIVER_KEY] = (
                    connection.dialect,
                    # This engine's is sqlite3's; prepared reads use SQLAlchemy on others.
                    None if self.postgres else connection.connection.driver_connection,
                )
                return fn(session, *args, **kwargs)

    async def ping(self) -> None:
        """Raise if the database cannot be read."""
        async with self.read() as session:
            await session.execute(text("SELECT 1"))

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
            self._listener = None
        await self._write_engine.dispose()
        await self._read_engine.dispose()
        self._query_threads.shutdown(wait=True)
        self._query_engine.dispose()


def _changed_tables(session: AsyncSession, *, pop: bool = False) -> set[str]:
    tables: set[str] = (session.info.pop if pop else session.info.get)("tables", set())
    progress_only = (session.info.pop if pop else session.info.get)("progress_only", False)
    if progress_only:
        tables = (tables - {"videos", "stages"}) | {PROGRESS}
    return tables


def _configure(engine: Engine, *, begin: str, synchronous: str, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so the "begin"
        # hook below decides how transactions start (the documented aiosqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        # Reads through a memory map of the file instead of a read() per page: a video's
        # detail touches pages all over a large events table.
        cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # On the DBAPI cursor: SQLAlchemy's execution path would cost more than the
        # short reads this starts.
        cursor = connection.connection.cursor()
        try:
            cursor.execute(begin)
        finally:
            cursor.close()
