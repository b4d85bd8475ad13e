"""Running tests on SQLite and on PostgreSQL: the ``database_backend`` fixture.

A test module that must hold on both databases says
``pytestmark = pytest.mark.usefixtures("database_backend")``: each of its tests then
runs twice, ``[sqlite]`` and ``[postgresql]``. For the PostgreSQL run the test gets a
database of its own, copied from a template migrated once per session (a copy takes
milliseconds, fourteen migrations do not), and ``make_settings`` points the box at it
(``database.url``). The server is the one ``.ci/run`` started
(``YTEMPIRE_TEST_POSTGRES_URL``), or one started here for this session.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from storage import migrate
from tests import postgres_server

# One template per pytest-xdist worker: the workers share the server, and each makes
# (drops and re-creates) its own.
TEMPLATE = f"ytempire_template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
_current: dict[str, str | None] = {"url": None}


def current_url() -> str | None:
    """The PostgreSQL database of the running test, when it runs on PostgreSQL."""
    return _current["url"]


def database_target(path: Path) -> Path | str:
    """Where a test that opens the database by hand should open it."""
    return current_url() or path


class PostgresServer:
    def __init__(self, url: str) -> None:
        self.url = url
        self._numbers = itertools.count()
        self._admin = create_engine(
            make_url(url).set(database="postgres"),
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
        )

    def prepare_template(self) -> None:
        with self._admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)"))
            connection.execute(text(f"CREATE DATABASE {TEMPLATE}"))
        migrate.upgrade(self.database_url(TEMPLATE))
        # Tests insert rows with ids of their choosing (User(id=1)); a sequence that
        # starts past those never hands the same id out again.
        engine = create_engine(make_url(self.database_url(TEMPLATE)), poolclass=NullPool)
        with engine.begin() as connection:
            for (sequence,) in connection.execute(
                text("SELECT sequence_name FROM information_schema.sequences")
            ):
                connection.execute(text(f"ALTER SEQUENCE {sequence} RESTART WITH 1000"))
        engine.dispose()

    def database_url(self, name: str) -> str:
        return make_url(self.url).set(database=name).render_as_string(hide_password=False)

    def fresh_database(self) -> str:
        name = f"test_{os.getpid()}_{next(self._numbers)}"
        with self._admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
        return self.database_url(name)

    def empty_database(self) -> str:
        name = f"empty_{os.getpid()}_{next(self._numbers)}"
        with self._admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
        return self.database_url(name)

    def drop(self, url: str) -> None:
        name = make_url(url).database
        with self._admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))

    def close(self) -> None:
        self._admin.dispose()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    given = os.environ.get(postgres_server.URL_ENV)
    folder: Path | None = None
    if given:
        url = given
    else:
        # Not under pytest's tmp folder: the server's user must be able to reach it.
        folder = Path(tempfile.mkdtemp(prefix="ytempire-pg-"))
        url = postgres_server.start(folder)
    server = PostgresServer(url)
    try:
        server.prepare_template()
        yield server
    finally:
        server.close()
        if folder is not None:
            postgres_server.stop(folder)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "sqlite":
        yield "sqlite"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    url = server.fresh_database()
    _current["url"] = url
    try:
        yield "postgresql"
    finally:
        _current["url"] = None
        server.drop(url)
