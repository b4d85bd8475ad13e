from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.exc import IntegrityError

from storage import migrate
from storage.db import Database, mark_progress_only
from storage.models import Channel, Event, User, Video
from storage.prepared import Prepared


@pytest.fixture
async def db(tmp_path: Path):
    path = tmp_path / "y.db"
    migrate.upgrade(path)
    database = Database(path)
    yield database
    await database.close()


def user(email: str) -> User:
    return User(email=email, password_hash="x", role="viewer", is_active=True)


async def test_connections_use_wal_foreign_keys_and_full_sync(db: Database) -> None:
    async with db.read() as session:
        assert (await session.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await session.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await session.execute(text("PRAGMA synchronous"))).scalar() == 2  # FULL


async def test_write_commits_and_rolls_back_on_error(db: Database) -> None:
    async with db.write() as session:
        session.add(user("one@x.io"))
    with pytest.raises(RuntimeError):
        async with db.write() as session:
            session.add(user("two@x.io"))
            await session.flush()
            raise RuntimeError("boom")
    async with db.read() as session:
        emails = (await session.scalars(select(User.email))).all()
    assert emails == ["one@x.io"]


async def test_concurrent_writers_are_serialized_and_all_land(db: Database) -> None:
    async def add(n: int) -> None:
        async with db.write() as session:
            count = await session.scalar(select(func.count()).select_from(User))
            await asyncio.sleep(0)  # give another writer the chance to interleave
            session.add(user(f"u{n}-{count}@x.io"))

    await asyncio.gather(*(add(n) for n in range(20)))
    async with db.read() as session:
        emails = (await session.scalars(select(User.email))).all()
    # Each writer saw the count left by the one before: no two read the same count.
    assert sorted(int(e.split("-")[1].split("@")[0]) for e in emails) == list(range(20))


async def test_write_transaction_takes_the_lock_up_front(db: Database) -> None:
    """BEGIN IMMEDIATE: while our write is open, another process cannot start one."""
    async with db.write() as session:
        await session.execute(select(1))
        other = sqlite3.connect(db.path, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


async def test_readers_see_committed_data_while_a_write_is_open(db: Database) -> None:
    async with db.write() as session:
        session.add(user("seen@x.io"))
    async with db.write() as session:
        session.add(user("unseen@x.io"))
        await session.flush()
        async with db.read() as reader:
            emails = (await reader.scalars(select(User.email))).all()
        assert emails == ["seen@x.io"]


async def test_foreign_keys_are_enforced(db: Database) -> None:
    with pytest.raises(IntegrityError):
        async with db.write() as session:
            session.add(Event(kind="x", owner_id=999, data={}))


async def test_event_ids_only_grow(db: Database) -> None:
    async with db.write() as session:
        first = Event(kind="a", data={})
        session.add(first)
        await session.flush()
        first_id = first.id
        await session.delete(first)
    async with db.write() as session:
        second = Event(kind="b", data={})
        session.add(second)
        await session.flush()
        assert second.id > first_id


async def test_commits_bump_the_generation_of_the_tables_they_touched(db: Database) -> None:
    users_before = db.changes.generation("users")
    events_before = db.changes.generation("events")
    async with db.write() as session:
        session.add(user("gen@x.io"))
    assert db.changes.generation("users") != users_before
    assert db.changes.generation("events") == events_before

    # Statements count too, and a rolled-back write changes nothing.
    users_before = db.changes.generation("users")
    async with db.write() as session:
        await session.execute(update(User).values(role="operator"))
    assert db.changes.generation("users") != users_before
    users_before = db.changes.generation("users")
    with pytest.raises(RuntimeError):
        async with db.write() as session:
            session.add(user("never@x.io"))
            raise RuntimeError
    assert db.changes.generation("users") == users_before


async def test_waiters_wake_on_the_next_commit(db: Database) -> None:
    waiting = asyncio.create_task(db.changes.wait(within=5))
    await asyncio.sleep(0)
    async with db.write() as session:
        session.add(Event(kind="test"))
    assert await waiting is True
    assert await db.changes.wait(within=0.01) is False


async def test_a_progress_only_write_counts_as_progress_not_as_its_tables(db: Database) -> None:
    async with db.write() as session:
        owner = user("p@x.io")
        session.add(owner)
        await session.flush()
        channel = Channel(owner_id=owner.id, name="c")
        session.add(channel)
        await session.flush()
        session.add(Video(owner_id=owner.id, channel_id=channel.id, topic="t", status="queued"))
    before = db.changes.generation("videos", "events", "progress")
    async with db.write() as session:
        mark_progress_only(session)
        await session.execute(update(Video).values(progress=0.5))
        session.add(Event(kind="stage.progress"))
    after = db.changes.generation("videos", "events", "progress")
    assert after[1] == before[1]  # videos: unchanged, as far as readers are told
    assert after[2] == before[2] + 1 and after[3] == before[3] + 1


async def test_prepared_reads_give_the_same_rows_on_any_driver(tmp_path: Path) -> None:
    path = tmp_path / "y.db"
    migrate.upgrade(path)
    db = Database(path)
    try:
        async with db.write() as session:
            session.add(User(id=3, email="p@q.r", password_hash="x", role="viewer"))
        prepared = Prepared(select(User.__table__).where(User.id == bindparam("user_id")))
        # The fast path: Python's sqlite3 straight from Database.query.
        fast = await db.query(lambda session: prepared.first(session, user_id=3))
        # Any other driver (here aiosqlite, under run_sync): SQLAlchemy's own path.
        async with db.read() as session:
            slow = await session.run_sync(lambda sync: prepared.first(sync, user_id=3))
        assert fast is not None and slow is not None
        assert (
            (fast.id, fast.email, fast.role)
            == (slow.id, slow.email, slow.role)
            == (
                3,
                "p@q.r",
                "viewer",
            )
        )
        assert fast.created_at == slow.created_at and fast.created_at.tzinfo is not None
        assert await db.query(lambda session: prepared.all(session, user_id=99)) == []
    finally:
        await db.close()
