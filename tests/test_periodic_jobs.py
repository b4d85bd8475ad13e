"""Periodic work: scheduled backups with their retention (on a made-up clock), a job that
raises and runs again, and the jobs as the API and a real supervisor show them."""

from __future__ import annotations

import asyncio
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from appliance.config.settings import Settings
from appliance.domain import backups
from appliance.domain.box import open_box
from appliance.server.periodic import PeriodicJobs
from storage.backup import BACKUP_FOLDER
from tests.api_support import Api
from tests.serving import TokenAuth, base_env, start_serve

# The same behaviour on the embedded database and on the shared one.
pytestmark = pytest.mark.usefixtures("database_backend")

START = datetime(2026, 9, 1, 3, 0, tzinfo=UTC)


def fake_backup(folder: Path, at: datetime, name: str | None = None) -> Path:
    path = folder / (name or f"ytempire-{at:%Y%m%dT%H%M%SZ}.db")
    path.write_bytes(b"backup")
    return path


def test_retention_keeps_the_newest_of_each_recent_day_and_week(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    # Every six hours for 60 days, plus a copy someone made and named themselves.
    for n in range(60 * 4):
        fake_backup(folder, START + timedelta(hours=6 * n))
    mine = fake_backup(folder, START, "before-the-upgrade.db")
    found = [
        backups.BackupFile(p, 6, backups._taken_at(p, p.stat().st_mtime), False)
        for p in folder.glob("*.db")
    ]
    let_go = {b.path for b in backups.beyond_retention(found, keep_daily=7, keep_weekly=4)}
    kept = sorted(b.taken_at for b in found if b.path not in let_go and b.scheduled)
    newest = START + timedelta(hours=6 * (60 * 4 - 1))
    # The newest of each of the last 7 days...
    daily = [newest - timedelta(days=d) for d in range(7)]
    assert set(daily) <= set(kept)
    # ... and the newest of each of the last 4 ISO weeks (some of them the same backups).
    weeks = {t.isocalendar()[:2] for t in kept}
    assert len(weeks) == 4
    for backup in kept:
        same_day = [b.taken_at for b in found if b.scheduled and b.taken_at.date() == backup.date()]
        assert backup == max(same_day)  # never an older one of a day
    assert len(kept) <= 7 + 4
    assert mine not in let_go  # not the schedule's: never removed


def test_the_backup_job_takes_one_when_due_and_applies_retention(
    settings: Settings, tmp_path: Path
) -> None:
    asyncio.run(_migrate(settings))
    folder = settings.tier_root("cold") / BACKUP_FOLDER
    suffix = ".dump" if settings.database.url else ".db"  # pg_dump's, or SQLite's file
    first = backups.scheduled_run(settings, START)
    assert "written" in first and "0 removed" in first
    assert len(list(folder.glob(f"ytempire-*{suffix}"))) == 1
    # An hour later nothing is due; a day later one is.
    assert "old" in backups.scheduled_run(settings, START + timedelta(hours=1))
    assert "written" in backups.scheduled_run(settings, START + timedelta(hours=24))
    # Ten days of daily runs: the set stays within the retention.
    for day in range(2, 12):
        backups.scheduled_run(settings, START + timedelta(days=day))
    names = sorted(p.name for p in folder.glob(f"ytempire-*{suffix}"))
    assert (
        len(names) <= 7 + 4
        and names[-1] == f"ytempire-{START + timedelta(days=11):%Y%m%dT%H%M%SZ}{suffix}"
    )
    # Each kept backup has the key beside it; none of a removed one is left behind.
    keys = sorted(p.name for p in folder.glob("*.secret.key"))
    assert keys == [f"{name}.secret.key" for name in names]


async def _migrate(settings: Settings) -> None:
    box = await open_box(settings)
    await box.close()


async def test_a_job_that_raises_is_recorded_and_runs_again(settings: Settings) -> None:
    box = await open_box(settings)
    try:
        jobs = PeriodicJobs(box)
        calls = []

        async def flaky() -> str:
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("the disk was away")
            return "done"

        jobs.add("flaky", 0.2, flaky)
        jobs.start()
        for _ in range(50):
            await asyncio.sleep(0.1)
            if len(calls) >= 2:
                break
        jobs.stop()
        (state,) = jobs.states()
        assert state.runs >= 2 and state.failures == 1
        assert state.last_outcome == "ok: done"
    finally:
        await box.close()


async def test_a_job_brought_forward_runs_at_once_but_not_twice_in_a_row(
    settings: Settings,
) -> None:
    box = await open_box(settings)
    try:
        jobs = PeriodicJobs(box)
        calls: list[float] = []

        async def hourly() -> str:
            calls.append(asyncio.get_running_loop().time())
            return "done"

        jobs.add("hourly", 3600, hourly)
        jobs.start()
        await _until(lambda: len(calls) == 1)  # the first run, a second after start
        assert jobs.run_soon("hourly") is True
        await _until(lambda: len(calls) == 2)  # at once, not an hour later
        # A second request right after the run is refused by the gap it asks for.
        assert jobs.run_soon("hourly", not_within_s=30) is False
        assert jobs.run_soon("no-such-job") is False
        jobs.stop()
    finally:
        await box.close()


async def _until(condition, within_s: float = 5.0) -> None:
    for _ in range(int(within_s / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_the_jobs_route_is_for_admins(api: Api) -> None:
    admin, operator = await api.caller("admin"), await api.caller("operator")
    status, body = await api.call(admin, "GET", "/api/v1/system/jobs")
    assert status == 200 and body == {"items": []}  # no supervisor in this app
    status, _ = await api.call(operator, "GET", "/api/v1/system/jobs")
    assert status == 403


def test_a_supervisor_backs_up_at_start_and_shows_its_jobs(tmp_path: Path) -> None:
    env = base_env(tmp_path / "data")
    served = start_serve(tmp_path, env=env)
    try:
        url = served.wait_serving()
        printed = "\n".join(served.lines())
        email = printed.split("email:")[1].split()[0]
        password = printed.split("password:")[1].split()[0]
        auth = TokenAuth(email, password)
        for _ in range(100):
            listed = httpx.get(f"{url}/api/v1/system/jobs", auth=auth).json()["items"]
            by_name = {job["name"]: job for job in listed}
            if by_name.get("backups", {}).get("last_outcome"):
                break
            asyncio.run(asyncio.sleep(0.1))
        assert set(by_name) == {
            "backlog-refill",
            "publishing-schedules",
            "youtube-stats",
            "tier-migration",
            "backups",
            "expired-keys",
        }
        assert by_name["backups"]["last_outcome"].startswith("ok: ytempire-")
        assert by_name["backups"]["next_run_at"] is not None
        assert list((tmp_path / "data" / "tiers" / "cold" / BACKUP_FOLDER).glob("ytempire-*.db"))
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(10) == 0
    finally:
        served.stop()
