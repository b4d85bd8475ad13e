"""``ytempire bench pipeline``'s arithmetic: times and gaps read from a run's database."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from appliance.cli.bench_pipeline import describe, timeline
from appliance.cli.main import main
from storage import migrate
from storage.db import Database
from storage.models import Channel, Stage, User, Video

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


async def test_times_and_gaps_come_from_the_stage_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "run.db"
    migrate.upgrade(path)
    db = Database(path)
    names = ("script", "voice", "media", "render", "thumbnail", "review", "upload")
    async with db.write() as session:
        session.add(User(id=1, email="a@b.c", password_hash="x", role="operator"))
        await session.flush()
        session.add(Channel(id=1, owner_id=1, name="c", options={}))
        await session.flush()
        session.add(
            Video(
                id=1,
                owner_id=1,
                channel_id=1,
                topic="t",
                status="succeeded",
                created_at=T0,
                finished_at=T0 + timedelta(seconds=30),
            )
        )
        await session.flush()
        at = T0 + timedelta(milliseconds=40)  # the first admission
        for position, name in enumerate(names):
            end = at + timedelta(seconds=4)
            session.add(
                Stage(
                    video_id=1,
                    name=name,
                    position=position,
                    status="succeeded",
                    resource_class="io",
                    started_at=at,
                    finished_at=end,
                )
            )
            at = end + timedelta(milliseconds=5 * (position + 1))
    await db.close()

    measured = timeline(path, 1)
    assert measured["seconds"] == 30.0
    assert measured["first_admission_ms"] == 40.0
    assert [round(g["ms"]) for g in measured["gaps"]] == [5, 10, 15, 20, 25, 30]
    assert measured["gaps"][0]["after"] == "script" and measured["gaps"][0]["before"] == "voice"

    run = {**measured, "process_s": 31.5}
    result = {
        "machine": "x86_64, 2 cores",
        "video": {"seconds": 45, "format": "720p", "topic": "t"},
        "cli_runs": [run],
        "api_runs": [measured],
        "cli_s": 30.0,
        "api_s": 30.0,
        "ratio": 1.0,
        "gap_ms": {"count": 10, "p50": 15.0, "p95": 25.0, "max": 25.0},
        "goals": {
            "ratio_at_most": 1.1,
            "ratio_met": True,
            "gap_p95_under_ms": 100.0,
            "gap_met": True,
        },
    }
    text = describe(result)
    assert "ratio API / make-video" in text and "met" in text and "script→voice 5" in text


def test_an_unfinished_video_is_not_timed(tmp_path: Path) -> None:
    path = tmp_path / "run.db"
    migrate.upgrade(path)
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO users (id, email, password_hash, role, is_active, created_at, "
            "updated_at) VALUES (1, 'a@b.c', 'x', 'operator', 1, '2026-12-06', '2026-12-06')"
        )
        connection.execute(
            "INSERT INTO channels (id, owner_id, name, niche, language, format, providers, "
            "budget_micro_usd, downgrade_micro_usd, privacy, options, created_at, updated_at) "
            "VALUES (1, 1, 'c', 'general', 'en', '720p', '{}', 1, 1, 'private', '{}', "
            "'2026-12-06', '2026-12-06')"
        )
        connection.execute(
            "INSERT INTO videos (id, owner_id, channel_id, topic, status, priority, format, "
            "target_seconds, progress, budget_micro_usd, downgrade_micro_usd, cost_micro_usd, "
            "created_at, updated_at) VALUES (1, 1, 1, 't', 'failed', 0, '720p', 45, 0, 1, 1, 0, "
            "'2026-12-06 12:00:00.000000', '2026-12-06 12:00:00.000000')"
        )
    connection.close()
    with pytest.raises(RuntimeError, match="failed, not succeeded"):
        timeline(path, 1)


def test_bad_options_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "pipeline", "--seconds", "5"]) == 2
    assert "--seconds must be 15 to 900" in capsys.readouterr().err
