"""Live config: an edited config file or SIGHUP applies what can change live, names what
waits for a restart, and a bad edit is refused with the reason and changes nothing."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from appliance.config.live import needs_restart, taken_on
from appliance.config.loader import load_settings
from appliance.domain.box import Box, open_box
from appliance.server.config_reload import ConfigReloader
from appliance.server.periodic import apply_intervals, box_jobs
from scheduler.engine import Scheduler
from scheduler.telemetry import DiskReading, StaticSystemSampler, SystemReading
from storage.models import Event
from tests.serving import TokenAuth, base_env, start_serve

GOOD = """
[scheduler]
cpu_slots = 4
tick_s = 1.0

[prices]
cpu_slot_per_hour = 0.018

[storage]
migrate_every_minutes = 10
"""


def loader(config: Path, data_dir: Path):
    environ = {"YTEMPIRE_DATA_DIR": str(data_dir), "YTEMPIRE_STORAGE_MIN_FREE_MB": "1"}
    return lambda: load_settings(config, environ=environ, cwd=config.parent)


def edit(config: Path, text: str) -> None:
    config.write_text(text)


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "ytempire.toml"
    path.write_text(GOOD)
    return path


@pytest.fixture
async def box(config: Path, tmp_path: Path) -> AsyncIterator[Box]:
    opened = await open_box(loader(config, tmp_path / "data")())
    yield opened
    await opened.close()


def test_what_needs_a_restart_is_where_things_are_and_what_is_set_up_once() -> None:
    for name in ("server.port", "database.path", "storage.hot", "publish.export_dir",
                 "auth.login_window_s", "inbox.dir", "data_dir", "log.format"):  # fmt: skip
        assert needs_restart(name), name
    for name in ("scheduler.cpu_slots", "scheduler.cpu_percent", "prices.llm",
                 "budget.video_limit_usd", "youtube.schedule_check_s", "storage.warm_days",
                 "backup.every_hours", "review.loudness_target_lufs", "log.level"):  # fmt: skip
        assert not needs_restart(name), name


def test_restart_settings_keep_their_running_value(config: Path, tmp_path: Path) -> None:
    load = loader(config, tmp_path / "data")
    old = load()
    config.write_text(GOOD.replace("cpu_slots = 4", "cpu_slots = 2") + "\n[database]\n"
                      "busy_timeout_ms = 9000\n")  # fmt: skip
    merged, applied, later = taken_on(old, load())
    assert applied == ["scheduler.cpu_slots"] and later == ["database.busy_timeout_ms"]
    assert merged.scheduler.cpu_slots == 2
    assert merged.database.busy_timeout_ms == old.database.busy_timeout_ms == 5000
    assert merged.sources["database.busy_timeout_ms"] == "default; a new value waits for a restart"
    assert merged.sources["scheduler.cpu_slots"].startswith("file ")


async def test_an_edit_applies_live_and_a_bad_one_is_refused(box: Box, config: Path) -> None:
    hot = box.settings.tier_root("hot")
    reading = SystemReading(10.0, 30.0, 8 * 2**30, 0.5, (DiskReading(hot, 2**40, 2**39),))
    scheduler = Scheduler(box, system=StaticSystemSampler(reading), gpus=None)
    periodic = box_jobs(box)
    load = loader(config, box.settings.data_dir)

    def apply(settings) -> None:
        scheduler.settings_changed()
        apply_intervals(periodic, settings)

    reloader = ConfigReloader(box, load, [apply])
    await scheduler.tick()
    assert _pool(scheduler, "cpu") == 4
    assert periodic.jobs["tier-migration"].every_s == 600

    edit(
        config,
        GOOD.replace("cpu_slots = 4", "cpu_slots = 2")
        .replace("cpu_slot_per_hour = 0.018", "cpu_slot_per_hour = 0.05")
        .replace("migrate_every_minutes = 10", "migrate_every_minutes = 2")
        + "\n[backup]\nevery_hours = 0\n",
    )
    done = await reloader.reload("file")
    assert set(done.applied) == {
        "scheduler.cpu_slots",
        "storage.migrate_every_minutes",
        "backup.every_hours",
        "prices.cpu_slot_per_hour",
    }
    assert done.needs_restart == [] and done.refused == []
    assert box.settings.prices.cpu_slot_per_hour == 0.05
    await scheduler.tick()
    assert _pool(scheduler, "cpu") == 2
    assert periodic.jobs["tier-migration"].every_s == 120
    assert "backups" not in periodic.jobs  # turned off

    # A bad edit: refused with the setting named, and the running settings stay.
    running = box.settings
    edit(config, GOOD.replace("cpu_slots = 4", "cpu_slots = -1"))
    refused = await reloader.reload("SIGHUP")
    assert refused.applied == [] and "scheduler.cpu_slots" in refused.refused[0]
    edit(config, "[scheduler\ncpu_slots = 3")
    assert "not valid TOML" in (await reloader.reload("file")).refused[0]
    edit(config, GOOD + "\n[scheduler2]\nslots = 1\n")
    assert "unknown setting" in (await reloader.reload("file")).refused[0]
    assert box.settings is running
    await scheduler.tick()
    assert _pool(scheduler, "cpu") == 2
    async with box.db.read() as session:
        kinds = [e.kind for e in await session.scalars(select(Event).order_by(Event.id))]
    assert kinds[-4:] == ["config.reloaded", "config.refused", "config.refused", "config.refused"]
    periodic.stop()


async def test_the_file_is_watched(box: Box, config: Path) -> None:
    seen: list[int] = []
    reloader = ConfigReloader(
        box,
        loader(config, box.settings.data_dir),
        [lambda settings: seen.append(settings.scheduler.cpu_slots)],
    )
    watching = asyncio.create_task(reloader.watch(config))
    try:
        await asyncio.sleep(0.5)  # the watch is set up
        # Saved the way editors do: a new file renamed over the old one.
        replacement = config.with_name(".ytempire.toml.swp")
        replacement.write_text(GOOD.replace("cpu_slots = 4", "cpu_slots = 3"))
        replacement.replace(config)
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.05)
        assert seen == [3] and box.settings.scheduler.cpu_slots == 3
    finally:
        watching.cancel()


def _pool(scheduler: Scheduler, name: str) -> int:
    return sum(1 for slot in scheduler.slots.slots() if slot.pool == name and not slot.retiring)


def test_a_running_supervisor_reloads_on_an_edit_and_on_sighup(tmp_path: Path) -> None:
    config = tmp_path / "ytempire.toml"
    config.write_text(GOOD)
    served = start_serve(tmp_path, env=base_env(tmp_path / "data", YTEMPIRE_CONFIG=str(config)))
    try:
        url = served.wait_serving()
        printed = "\n".join(served.lines())
        auth = TokenAuth(printed.split("email:")[1].split()[0],
                         printed.split("password:")[1].split()[0])  # fmt: skip

        def cpu_slots() -> int:
            slots = httpx.get(f"{url}/api/v1/system/slots", auth=auth).json()
            return slots["slots"]["pools"]["cpu"]["size"]

        def logged(message: str) -> list[dict]:
            return [r for r in served.log_records() if r.get("msg", "").startswith(message)]

        assert cpu_slots() == 4
        config.write_text(GOOD.replace("cpu_slots = 4", "cpu_slots = 1")
                          + "\n[database]\nbusy_timeout_ms = 9000\n")  # fmt: skip
        _wait(lambda: cpu_slots() == 1)
        [record] = logged("config reloaded")
        assert record["needs_restart"] == ["database.busy_timeout_ms"]
        assert record["applied"] == ["scheduler.cpu_slots"] and record["trigger"] == "file"

        config.write_text(GOOD.replace("cpu_slots = 4", 'cpu_slots = "many"'))
        _wait(lambda: logged("config edit refused"))
        assert "scheduler.cpu_slots" in logged("config edit refused")[0]["problems"][0]
        assert cpu_slots() == 1 and served.process.poll() is None

        served.process.send_signal(signal.SIGHUP)  # the file is still the bad one
        _wait(lambda: len(logged("config edit refused")) == 2)
        assert logged("config edit refused")[1]["trigger"] == "SIGHUP"
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(15) == 0
    finally:
        served.stop()


def _wait(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")
