"""/metrics: the box's figures worth graphing (videos, queue by stage, cost by provider,
quota, slots, GPU, backups, jobs, stage durations), passing ``promtool check metrics``."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from appliance.domain import backups
from appliance.domain.ledger import record_channel_cost
from appliance.domain.youtube import projects
from storage.models import Channel
from tests.api_support import Api

MONITORING = Path(__file__).resolve().parent.parent / "monitoring"


@dataclass
class FakeJob:
    name: str
    every_s: float = 60.0
    last_run_at: Any = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    last_outcome: str | None = "ok: 1 slots filled"
    last_duration_s: float | None = 0.01
    runs: int = 3
    failures: int = 1
    next_run_at: Any = None


class FakePeriodic:
    def states(self) -> list[FakeJob]:
        return [FakeJob("publishing-schedules"), FakeJob("backups", runs=1, failures=0)]


class FakeScheduler:
    def snapshot(self) -> dict[str, Any]:
        return {
            "slots": {
                "pools": {
                    "cpu": {"size": 4, "busy": 1},
                    "gpu0": {"size": 3, "busy": 2},
                    "io": {"size": 2, "busy": 0},
                },
                "slots": [],
            },
            "admitting": True,
            "shedding": True,
            "shed_level": 2,
            "running": [],
            "telemetry": {
                "gpus": [
                    {
                        "index": 0,
                        "name": "H100",
                        "memory_percent": 41.5,
                        "utilization_percent": 88.0,
                        "temperature_c": 61,
                        "encoder_sessions": None,
                    }
                ]
            },
        }


async def test_metrics_show_the_box_and_pass_promtool(api: Api) -> None:
    caller = await api.caller()
    channel = await api.channel(caller)
    await api.video(caller, channel["id"])
    await api.video(caller, channel["id"], topic="black holes")
    app = api.services
    async with app.db.write() as session:
        row = await session.get(Channel, channel["id"])
        entry = {"provider": "openai:gpt-4o-mini", "units": 1234, "unit": "token",
                 "unit_price_micro_usd": 1.0}  # fmt: skip
        await record_channel_cost(session, row, "ideas", entry)
    backups.take(app.settings)
    await projects.create(
        app.db,
        app.credentials,
        app.settings,
        caller.id,
        name="Main project",
        client_id="client-1.apps.googleusercontent.com",
        client_secret="GOCSPX-fake-secret",
        audited=False,
        quota_buckets={},
    )
    app.scheduler = FakeScheduler()
    app.periodic = FakePeriodic()
    app.metrics.observe_stage("render", "succeeded", 12.5)

    response = await api.client.get("/metrics")
    text = await response.get_data(as_text=True)
    assert response.status_code == 200
    for line in (
        'ytempire_videos{status="queued"} 2.0',
        'ytempire_queue_stage_videos{stage="script",status="queued"} 2.0',
        'ytempire_cost_micro_usd_total{provider="openai:gpt-4o-mini"} 1234.0',
        'ytempire_slots{pool="gpu0"} 3.0',
        'ytempire_slots_busy{pool="gpu0"} 2.0',
        "ytempire_admission_shed_level 2.0",
        'ytempire_gpu_utilization_percent{gpu="0"} 88.0',
        "ytempire_backups 1.0",
        'ytempire_tier_videos{tier="warm"} 0.0',
        'ytempire_youtube_quota_size{bucket="uploads",project="Main project"} 100.0',
        'ytempire_youtube_quota_used{bucket="units",project="Main project"} 0.0',
        'ytempire_job_runs_total{job="publishing-schedules"} 3.0',
        'ytempire_job_failures_total{job="publishing-schedules"} 1.0',
        'ytempire_stage_duration_seconds_count{outcome="succeeded",stage="render"} 1.0',
    ):
        assert line in text, line
    assert 'ytempire_gpu_encoder_sessions{gpu="0"}' not in text  # not read: not shown
    assert "ytempire_backup_age_seconds" in text
    checked = await asyncio.to_thread(
        subprocess.run,
        ["promtool", "check", "metrics"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # The shipped Grafana dashboard graphs only what this scrape has.
    exported = {line.split("{")[0].split(" ")[0] for line in text.splitlines() if line[:1] != "#"}
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    exprs = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    graphed = {name for expr in exprs for name in re.findall(r"\b(ytempire_[a-z_]+)", expr)}
    assert len(dashboard["panels"]) >= 10 and graphed <= exported, graphed - exported
    assert "job_name: ytempire" in (MONITORING / "prometheus.yml").read_text()
