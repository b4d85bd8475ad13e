"""Apply the alembic migration chain to the database, a SQLite file or PostgreSQL.

Migrations run synchronously (alembic's own API) on a plain connection before the
async engines open; the supervisor calls this in a thread at start, so an empty
database and an older one both reach head. On PostgreSQL several boxes may start at
once: an advisory lock held for the migration lets one migrate while the others wait.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

from storage.urls import Target, is_postgres, sync_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# pg_advisory_xact_lock key held while migrating (any constant unique to this use).
MIGRATION_LOCK = 0x59544D31


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


@contextmanager
def _connect(target: Target) -> Iterator[Connection]:
    engine = create_engine(sync_url(target), poolclass=NullPool)
    try:
        with engine.begin() as connection:
            if is_postgres(target):
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            yield connection
    finally:
        engine.dispose()


def upgrade(target: Target, revision: str = "head") -> None:
    if not is_postgres(target):
        db_path = Path(target)
        db_path.parent.mkdir(parents=True, exist_ok=True)
        _enable_wal(db_path)
    with _connect(target) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(target: Target, revision: str) -> None:
    with _connect(target) as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def current_revision(target: Target) -> str | None:
    if not is_postgres(target) and not Path(target).exists():
        return None
    with _connect(target) as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the migration chain is empty"
    return head


def revisions_oldest_first() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _enable_wal(db_path: Path) -> None:
    # journal_mode is stored in the file; set it once before alembic's first write.
    with sqlite3.connect(db_path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
