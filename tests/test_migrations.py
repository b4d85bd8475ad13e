from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from storage import migrate
from storage.models import Base


def tables(db_path: Path) -> set[str]:
    engine = create_engine(f"sqlite:///{db_path}")
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_from_empty_to_head_in_wal_mode(tmp_path: Path) -> None:
    db_path = tmp_path / "new" / "y.db"
    migrate.upgrade(db_path)
    assert migrate.current_revision(db_path) == migrate.head_revision()
    assert tables(db_path) == set(Base.metadata.tables)
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_upgrade_is_idempotent_and_keeps_data(tmp_path: Path) -> None:
    db_path = tmp_path / "y.db"
    migrate.upgrade(db_path)
    with sqlite3.connect(db_path) as connection:
        connection.execute(
            "INSERT INTO users (email, password_hash, role, is_active, created_at, updated_at)"
            " VALUES ('a@b.c', 'x', 'admin', 1, '2026-01-01', '2026-01-01')"
        )
    connection.close()
    migrate.upgrade(db_path)
    migrate.upgrade(db_path)
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT email FROM users").fetchall() == [("a@b.c",)]
    connection.close()


@pytest.mark.parametrize("start", migrate.revisions_oldest_first())
def test_from_each_earlier_revision_to_head(tmp_path: Path, start: str) -> None:
    db_path = tmp_path / "y.db"
    migrate.upgrade(db_path, start)
    assert migrate.current_revision(db_path) == start
    migrate.upgrade(db_path)
    assert migrate.current_revision(db_path) == migrate.head_revision()
    assert tables(db_path) == set(Base.metadata.tables)


def test_every_revision_downgrades_cleanly(tmp_path: Path) -> None:
    db_path = tmp_path / "y.db"
    migrate.upgrade(db_path)
    for revision in reversed(migrate.revisions_oldest_first()[:-1]):
        migrate.downgrade(db_path, revision)
        assert migrate.current_revision(db_path) == revision
    migrate.downgrade(db_path, "base")
    assert tables(db_path) == set()
    migrate.upgrade(db_path)
    assert tables(db_path) == set(Base.metadata.tables)


def test_models_match_the_migrated_schema(tmp_path: Path) -> None:
    db_path = tmp_path / "y.db"
    migrate.upgrade(db_path)
    engine = create_engine(f"sqlite:///{db_path}")
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


@pytest.mark.parametrize("revision", migrate.revisions_oldest_first())
def test_event_ids_stay_autoincrement_at_every_revision(tmp_path: Path, revision: str) -> None:
    db_path = tmp_path / "y.db"
    migrate.upgrade(db_path, revision)
    with sqlite3.connect(db_path) as connection:
        sql = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'events'").fetchone()[
            0
        ]
    connection.close()
    assert "AUTOINCREMENT" in sql


def test_videos_made_before_reviews_get_a_review_stage(tmp_path: Path) -> None:
    db_path = tmp_path / "y.db"
    migrate.upgrade(db_path, "0008")
    names = ("script", "voice", "media", "render", "thumbnail", "upload")
    with sqlite3.connect(db_path) as connection:
        connection.execute(
            "INSERT INTO users (id, email, password_hash, role, is_active, created_at, updated_at)"
            " VALUES (1, 'a@b.c', 'x', 'operator', 1, '2026-01-01', '2026-01-01')"
        )
        connection.execute(
            "INSERT INTO channels (id, owner_id, name, niche, language, format, providers,"
            " budget_micro_usd, privacy, options, created_at, updated_at)"
            " VALUES (1, 1, 'c', 'general', 'en', '1080p', '{}', 1, 'private', '{}', '2026-01-01',"
            " '2026-01-01')"
        )
        for video_id, upload in ((1, "succeeded"), (2, "queued")):
            connection.execute(
                "INSERT INTO videos (id, owner_id, channel_id, topic, status, priority, format,"
                " target_seconds, progress, budget_micro_usd, cost_micro_usd, created_at,"
                " updated_at) VALUES (?, 1, 1, 't', 'running', 0, '1080p', 60, 0, 1, 0,"
                " '2026-01-01', '2026-01-01')",
                (video_id,),
            )
            for position, name in enumerate(names):
                status = upload if name == "upload" else "succeeded"
                connection.execute(
                    "INSERT INTO stages (video_id, name, position, status, resource_class,"
                    " attempts, progress) VALUES (?, ?, ?, ?, 'io', 1, 0)",
                    (video_id, name, position, status),
                )
    connection.close()
    migrate.upgrade(db_path)
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute(
            "SELECT video_id, name, position, status FROM stages WHERE name IN ('review', 'upload')"
            " ORDER BY video_id, position"
        ).fetchall()
    connection.close()
    assert rows == [
        (1, "review", 5, "succeeded"),  # uploaded before reviews existed: not held back
        (1, "upload", 6, "succeeded"),
        (2, "review", 5, "queued"),  # still to be uploaded: reviewed first
        (2, "upload", 6, "queued"),
    ]
