"""The supervisor's database handle: one serialized write path, concurrent reads.

SQLite in WAL mode lets readers run beside one writer. Every write goes through
``Database.write()``: an asyncio lock in front of a single connection that opens
its transactions with ``BEGIN IMMEDIATE``, so a write transaction takes the
database write lock up front instead of failing with SQLITE_BUSY halfway.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


class Database:
    def __init__(
        self,
        path: Path,
        *,
        synchronous: str = "FULL",
        busy_timeout_ms: int = 5000,
        readers: int = 4,
    ):
        self.path = path
        url = f"sqlite+aiosqlite:///{path}"
        self._write_engine = create_async_engine(url, pool_size=1, max_overflow=0)
        self._read_engine = create_async_engine(url, pool_size=readers, max_overflow=0)
        pragmas = {"synchronous": synchronous, "busy_timeout_ms": busy_timeout_ms}
        _configure(self._write_engine, begin="BEGIN IMMEDIATE", **pragmas)
        _configure(self._read_engine, begin="BEGIN", **pragmas)
        self._write_lock = asyncio.Lock()
        self._writer = async_sessionmaker(self._write_engine, expire_on_commit=False)
        self._reader = async_sessionmaker(self._read_engine, expire_on_commit=False)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        """A write transaction: commits on success, rolls back on any exception."""
        async with self._write_lock, self._writer() as session, session.begin():
            yield session

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._reader() as session:
            yield session

    async def ping(self) -> None:
        """Raise if the database cannot be read."""
        async with self.read() as session:
            await session.execute(text("SELECT 1 FROM sqlite_master LIMIT 1"))

    async def close(self) -> None:
        await self._write_engine.dispose()
        await self._read_engine.dispose()


def _configure(engine: AsyncEngine, *, begin: str, synchronous: str, busy_timeout_ms: int) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so the "begin"
        # hook below decides how transactions start (the documented aiosqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin)
