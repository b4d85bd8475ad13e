"""Upgrading keeps a way back: ``ytempire init`` (which install.sh runs over an existing
box) backs the database up before it migrates it, and a rollback, by restoring that
backup or by migrating down, keeps every row."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from storage import migrate
from storage.backup import BACKUP_FOLDER
from tests.serving import YTEMPIRE, base_env

PREVIOUS = "0009"  # the schema of the release before the console


def old_box(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    data = tmp_path / "data"
    data.mkdir()
    db = data / "ytempire.db"
    migrate.upgrade(db, PREVIOUS)
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO users (email, password_hash, role, is_active, created_at, updated_at) "
            "VALUES ('ops@example.com', 'x', 'operator', 1, '2026-12-01 00:00:00', "
            "'2026-12-01 00:00:00')"
        )
        connection.execute(
            "INSERT INTO channels (owner_id, name, niche, language, format, options, providers, "
            "budget_micro_usd, downgrade_micro_usd, privacy, created_at, updated_at) "
            "VALUES (1, 'Deep Facts', 'general', 'en', '720p', '{}', '{}', 3000000, 2500000, "
            "'private', '2026-12-01 00:00:00', '2026-12-01 00:00:00')"
        )
    connection.close()
    return db, base_env(data)


def init(tmp_path: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [*YTEMPIRE, "init", "--config", str(tmp_path / "ytempire.toml")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def rows(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as connection:
        found = connection.execute(
            "SELECT u.email, c.name FROM channels c JOIN users u ON u.id = c.owner_id"
        ).fetchall()
    connection.close()
    return found


def test_an_upgrade_backs_up_first_and_a_rollback_keeps_every_row(tmp_path: Path) -> None:
    db, env = old_box(tmp_path)
    printed = init(tmp_path, env)
    assert "backed up the database before migrating it" in printed
    (kept,) = (tmp_path / "data" / "tiers" / "cold" / BACKUP_FOLDER).glob("before-upgrade-*.db")
    assert kept.name.startswith(f"before-upgrade-{PREVIOUS}-to-{migrate.head_revision()}-")
    assert migrate.current_revision(kept) == PREVIOUS
    assert migrate.current_revision(db) == migrate.head_revision()
    assert rows(db) == [("ops@example.com", "Deep Facts")] == rows(kept)
    # At head already: nothing to back up.
    assert "backed up" not in init(tmp_path, env)

    # Rolling back the schema in place (the previous release's code then runs on it).
    migrate.downgrade(db, PREVIOUS)
    assert migrate.current_revision(db) == PREVIOUS and rows(db) == [
        ("ops@example.com", "Deep Facts")
    ]
    # Or restoring the backup taken before the upgrade.
    restored = subprocess.run(
        [*YTEMPIRE, "restore", "--config", str(tmp_path / "ytempire.toml"), str(kept)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restored.returncode == 0, restored.stderr
    assert rows(db) == [("ops@example.com", "Deep Facts")]
