"""The supervisor in-process: a dying side task stops it with a failure exit."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from appliance.server.sidetasks import SideTasks
from appliance.server.supervisor import EXIT_SIDE_TASK_DIED, Supervisor
from tests.conftest import make_settings


async def wait_for(predicate, limit_s: float = 20) -> None:
    deadline = asyncio.get_running_loop().time() + limit_s
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.02)


async def test_a_dead_side_task_stops_the_supervisor(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", YTEMPIRE_SERVER_PORT="0")
    supervisor = Supervisor(settings, console=io.StringIO())
    run = asyncio.create_task(supervisor.run())
    await wait_for(lambda: supervisor.side_tasks.running("http"))

    async def broken() -> None:
        await asyncio.sleep(0.05)
        raise RuntimeError("telemetry sampler crashed")

    supervisor.side_tasks.start("telemetry", broken())
    assert await asyncio.wait_for(run, 20) == EXIT_SIDE_TASK_DIED
    assert supervisor.side_tasks.dead == ["telemetry"]
    assert not supervisor.side_tasks.running("http")


async def test_request_stop_gives_a_clean_exit(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", YTEMPIRE_SERVER_PORT="0")
    supervisor = Supervisor(settings, console=io.StringIO())
    run = asyncio.create_task(supervisor.run())
    await wait_for(lambda: supervisor.side_tasks.running("http"))
    supervisor.request_stop()
    assert await asyncio.wait_for(run, 20) == 0
    assert supervisor.side_tasks.dead == []


async def test_side_tasks_stop_cancels_without_reporting_deaths() -> None:
    tasks = SideTasks()
    tasks.start("forever", asyncio.sleep(3600))
    tasks.start("returns", asyncio.sleep(0))
    await wait_for(lambda: tasks.died.is_set())
    assert tasks.dead == ["returns"]  # a side task that returns has also stopped working
    await tasks.stop(within_s=5)
    assert not tasks.running("forever")
    assert tasks.dead == ["returns"]
