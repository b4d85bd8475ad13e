"""Data export: each dataset as CSV and JSON Lines over a date range, streamed a chunk at
a time, scoped to the caller (an admin sees the box)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest

from appliance.domain import data_export
from storage.models import CostEntry, Video, YouTubeProject, YouTubeQuota, utcnow
from tests.api_support import Api


async def download(api: Api, caller, path: str) -> tuple[int, str, dict]:
    response = await api.client.get(path, headers=caller.headers)
    return response.status_code, await response.get_data(as_text=True), response.headers


@pytest.fixture
async def world(api: Api, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(data_export, "CHUNK", 3)  # many chunks from a few rows
    alice, bob, admin = await api.caller(), await api.caller(), await api.caller("admin")
    channel = await api.channel(alice)
    bobs = await api.channel(bob)
    for n in range(7):
        await api.video(alice, channel["id"], topic=f"topic {n}")
    await api.video(bob, bobs["id"], topic="bob's")
    now = utcnow()
    async with api.services.db.write() as session:
        old = await session.get(Video, 1)
        old.created_at = now - timedelta(days=40)  # outside the default 30 days
        for n in range(5):
            session.add(
                CostEntry(owner_id=alice.id, channel_id=channel["id"], video_id=2, stage="script",
                          attempt=1, provider="openai:gpt-4o-mini", units=1000 + n, unit="token",
                          unit_price_micro_usd=0.15, amount_micro_usd=150 + n, at=now)
            )  # fmt: skip
        project = YouTubeProject(owner_id=alice.id, name="Main", client_id="c-1",
                                 client_secret_cipher=b"x", client_secret_fingerprint="f",
                                 audited=False, quota_buckets={})  # fmt: skip
        session.add(project)
        await session.flush()
        day = now.date().isoformat()
        session.add(YouTubeQuota(project_id=project.id, day=day, method="videos.insert",
                                 bucket="uploads", calls=2, units=2))  # fmt: skip
    return {"alice": alice, "bob": bob, "admin": admin, "channel": channel}


async def test_videos_as_csv_are_the_callers_in_the_range(api: Api, world) -> None:
    status, text, headers = await download(api, world["alice"], "/api/v1/export/videos")
    assert status == 200 and headers["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="ytempire-videos-' in headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["topic"] for r in rows] == [f"topic {n}" for n in range(1, 7)]  # not the old one
    assert tuple(rows[0]) == data_export.VIDEO_COLUMNS
    assert rows[0]["status"] == "queued" and rows[0]["files_tier"] == "hot"
    since = (utcnow() - timedelta(days=45)).date()
    status, text, _ = await download(api, world["alice"], f"/api/v1/export/videos?since={since}")
    assert len(list(csv.DictReader(io.StringIO(text)))) == 7
    # The admin's export is the box's.
    status, text, _ = await download(api, world["admin"], "/api/v1/export/videos?format=jsonl")
    topics = [json.loads(line)["topic"] for line in text.splitlines()]
    assert "bob's" in topics and len(topics) == 7


async def test_costs_quota_and_analytics(api: Api, world) -> None:
    alice, bob = world["alice"], world["bob"]
    status, text, headers = await download(api, alice, "/api/v1/export/costs?format=jsonl")
    assert headers["Content-Type"] == "application/jsonl"
    entries = [json.loads(line) for line in text.splitlines()]
    assert [e["amount_micro_usd"] for e in entries] == [150, 151, 152, 153, 154]
    assert entries[0]["unit_price_micro_usd"] == 0.15 and entries[0]["at"].endswith("+00:00")
    status, text, _ = await download(api, bob, "/api/v1/export/costs?format=jsonl")
    assert text == ""  # none of alice's
    status, text, _ = await download(api, alice, "/api/v1/export/quota")
    [quota] = list(csv.DictReader(io.StringIO(text)))
    assert (
        quota["project"] == "Main" and quota["method"] == "videos.insert" and quota["calls"] == "2"
    )
    status, text, _ = await download(api, bob, "/api/v1/export/quota")
    assert text.splitlines() == [",".join(data_export.QUOTA_COLUMNS)]
    status, text, _ = await download(api, alice, "/api/v1/export/analytics?format=jsonl")
    days = [json.loads(line) for line in text.splitlines()]
    assert len(days) == 30 and days[-1]["day"] == utcnow().date().isoformat()
    assert days[-1]["created"] == 6


async def test_bad_ranges_and_datasets_are_refused(api: Api, world) -> None:
    alice = world["alice"]
    for path, field in (
        ("/api/v1/export/videos?since=2026-12-01&until=2026-11-01", "since"),
        ("/api/v1/export/videos?since=2024-01-01&until=2026-01-01", "366 days"),
        ("/api/v1/export/videos?format=xml", "format"),
        ("/api/v1/export/videos?since=yesterday", "since"),
    ):
        status, text, headers = await download(api, alice, path)
        assert status == 400 and headers["Content-Type"] == "application/problem+json", path
        assert field in text, path
    status, _, _ = await download(api, alice, "/api/v1/export/users")
    assert status == 404
