"""Online backup and restore of the database."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from storage import migrate
from storage.backup import BackupError, backup_database, check_backup, restore_database
from storage.lock import DataDirBusy, DataDirLock
from tests.serving import YTEMPIRE, base_env


def add_user(db_path: Path, email: str) -> None:
    with sqlite3.connect(db_path) as connection:
        connection.execute(
            "INSERT INTO users (email, password_hash, role, is_active, created_at, updated_at)"
            " VALUES (?, 'x', 'viewer', 1, '2026-01-01', '2026-01-01')",
            (email,),
        )
    connection.close()


def emails(db_path: Path) -> list[str]:
    with sqlite3.connect(db_path) as connection:
        rows = connection.execute("SELECT email FROM users ORDER BY id").fetchall()
    connection.close()
    return [row[0] for row in rows]


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "ytempire.db"
    migrate.upgrade(path)
    add_user(path, "kept@x.io")
    return path


def test_backup_is_a_consistent_single_file_while_a_writer_holds_the_wal(
    db_path: Path, tmp_path: Path
) -> None:
    writer = sqlite3.connect(db_path)
    writer.execute(
        "INSERT INTO users (email, password_hash, role, is_active, created_at, "
        "updated_at) VALUES ('wal@x.io', 'x', 'viewer', 1, '2026-01-01', '2026-01-01')"
    )
    writer.commit()  # committed into the WAL, not yet checkpointed into the main file
    try:
        backup = backup_database(db_path, tmp_path / "b" / "one.db")
    finally:
        writer.close()
    assert emails(backup) == ["kept@x.io", "wal@x.io"]
    assert not Path(f"{backup}-wal").exists()
    assert check_backup(backup) == migrate.head_revision()
    with pytest.raises(BackupError, match="exists"):
        backup_database(db_path, backup)


def test_restore_swaps_the_database_and_keeps_a_safety_copy(db_path: Path, tmp_path: Path) -> None:
    backup = backup_database(db_path, tmp_path / "b.db")
    add_user(db_path, "after-backup@x.io")
    safety = restore_database(backup, db_path, db_path.parent)
    assert emails(db_path) == ["kept@x.io"]
    assert safety is not None and emails(safety) == ["kept@x.io", "after-backup@x.io"]
    assert migrate.current_revision(db_path) == migrate.head_revision()


def test_restore_of_an_older_schema_is_migrated_forward(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    migrate.upgrade(old, migrate.revisions_oldest_first()[0])
    add_user(old, "old@x.io")
    db_path = tmp_path / "data" / "ytempire.db"
    restore_database(old, db_path, db_path.parent)
    assert emails(db_path) == ["old@x.io"]
    assert migrate.current_revision(db_path) == migrate.head_revision()


def test_restore_refuses_what_is_not_a_usable_backup(db_path: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"definitely not sqlite" * 100)
    with pytest.raises(BackupError, match="not a YTEmpire database"):
        restore_database(junk, db_path, db_path.parent)
    newer = backup_database(db_path, tmp_path / "newer.db")
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    connection.close()
    with pytest.raises(BackupError, match="schema 9999"):
        restore_database(newer, db_path, db_path.parent)
    assert emails(db_path) == ["kept@x.io"]  # untouched


def test_restore_refuses_while_a_supervisor_holds_the_data_folder(
    db_path: Path, tmp_path: Path
) -> None:
    backup = backup_database(db_path, tmp_path / "b.db")
    with DataDirLock(db_path.parent), pytest.raises(DataDirBusy):
        restore_database(backup, db_path, db_path.parent)


def test_backup_and_restore_commands(tmp_path: Path) -> None:
    env = base_env(tmp_path / "data")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*YTEMPIRE, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )

    assert run("init", "--config", "y.toml").returncode == 0
    key = tmp_path / "data" / "secret.key"
    key.write_text("ab" * 32 + "\n")
    made = run("backup")
    assert made.returncode == 0, made.stderr
    written = Path(made.stdout.strip().splitlines()[-1])
    assert written.parent == tmp_path / "data" / "tiers" / "cold" / "backups"
    assert check_backup(written)
    key_copy = written.with_name(written.name + ".secret.key")
    assert key_copy.read_text() == key.read_text()
    assert key_copy.stat().st_mode & 0o777 == 0o600

    key.write_text("cd" * 32 + "\n")
    restored = run("restore", str(written))
    assert restored.returncode == 0, restored.stderr
    assert "restored" in restored.stdout
    assert key.read_text() == "ab" * 32 + "\n"

    missing = run("restore", str(tmp_path / "nope.db"))
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        f"ytempire: error: {tmp_path / 'nope.db'} does not exist"
    ]


def test_a_second_supervisor_on_the_same_data_is_refused(tmp_path: Path) -> None:
    with DataDirLock(tmp_path / "data"):
        result = subprocess.run(
            [*YTEMPIRE, "serve", "--port", "0"],
            cwd=tmp_path,
            env=base_env(tmp_path / "data"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert "in use by a running supervisor" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
