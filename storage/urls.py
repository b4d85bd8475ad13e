"""Where the database is: a SQLite file (one box) or a PostgreSQL URL (several boxes).

Everything that opens the database takes a ``Target``, a path or a URL, and asks here
for the SQLAlchemy URL of the driver it needs. PostgreSQL goes through psycopg 3,
which has both a synchronous and an asyncio connection (one driver for the writer,
the readers and LISTEN/NOTIFY).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import URL, make_url

Target = Path | str


def is_postgres(target: Target) -> bool:
    return isinstance(target, str) and target.split(":", 1)[0].startswith("postgresql")


def sync_url(target: Target) -> URL:
    if is_postgres(target):
        return make_url(str(target)).set(drivername="postgresql+psycopg")
    return make_url(f"sqlite:///{target}")


def async_url(target: Target) -> URL:
    if is_postgres(target):
        return make_url(str(target)).set(drivername="postgresql+psycopg_async")
    return make_url(f"sqlite+aiosqlite:///{target}")


def shown(target: Target) -> str:
    """The target as it may be logged or shown: never a password."""
    if is_postgres(target):
        return make_url(str(target)).render_as_string(hide_password=True)
    return str(target)


def libpq_dsn(target: Target) -> str:
    """The URL as libpq takes it (psycopg's own connect, pg_dump)."""
    url = make_url(str(target)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)
