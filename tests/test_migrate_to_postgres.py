"""``ytempire migrate-to-postgres``: a box's SQLite history of 10,000 videos copied into
PostgreSQL, with every table's count and the money totals equal, new ids past the
copied ones, and clear refusals (a running supervisor, a database already in use)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from appliance.cli.main import main
from bench.api_load import seed
from storage.lock import DataDirLock
from storage.models import Base, CostEntry, Video
from storage.urls import sync_url
from tests.databases import PostgresServer

VIDEOS = 10_000


def figures(target: Path | str) -> dict[str, int]:
    engine = create_engine(sync_url(target), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            found = {
                table.name: connection.scalar(select(func.count()).select_from(table))
                for table in Base.metadata.sorted_tables
            }
            found["ledger"] = connection.scalar(select(func.sum(CostEntry.amount_micro_usd)))
            found["video costs"] = connection.scalar(select(func.sum(Video.cost_micro_usd)))
            return found
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("sqlite-box") / "data"
    seed(data, VIDEOS)
    return data


def test_ten_thousand_videos_come_over_with_equal_counts_and_totals(
    history: Path,
    postgres: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = postgres.empty_database()
    monkeypatch.setenv("YTEMPIRE_DATA_DIR", str(history))
    monkeypatch.setenv("YTEMPIRE_CLUSTER_BOX_ID", "first-box")

    assert main(["migrate-to-postgres", url]) == 0
    said = capsys.readouterr().out
    assert f"videos                      {VIDEOS} rows, counts equal" in said

    before, after = figures(history / "ytempire.db"), figures(url)
    assert before["videos"] == VIDEOS and before["stages"] == 7 * VIDEOS
    assert before["ledger"] > 0 and after == before
    engine = create_engine(sync_url(url), poolclass=NullPool)
    with engine.begin() as connection:
        # Every video is the first box's now, and the next ids follow the copied ones.
        held = connection.execute(text("SELECT DISTINCT box_id FROM videos")).scalars().all()
        next_event = connection.scalar(
            text(
                "INSERT INTO events (kind, data, at) VALUES ('box.taking', '{}', now()) "
                "RETURNING id"
            )
        )
        last_copied = connection.scalar(
            text("SELECT max(id) FROM events WHERE kind != 'box.taking'")
        )
    engine.dispose()
    assert held == ["first-box"] and next_event == last_copied + 1

    # Into a database that already has rows: refused, one line, nothing changed.
    assert main(["migrate-to-postgres", url]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("ytempire: error: ") and "is not empty" in error
    assert "\n" not in error
    assert figures(url)["videos"] == VIDEOS


def test_it_refuses_while_a_supervisor_runs(
    history: Path,
    postgres: PostgresServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = postgres.empty_database()
    monkeypatch.setenv("YTEMPIRE_DATA_DIR", str(history))
    with DataDirLock(history):
        assert main(["migrate-to-postgres", url]) == 1
    assert "stop it first" in capsys.readouterr().err
    assert main(["migrate-to-postgres", "mysql://x@y/z"]) == 1
    assert "postgresql://" in capsys.readouterr().err
