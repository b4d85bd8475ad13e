"""Topic ideas: offline and from the LLM fake, never a near-duplicate of the channel's
topics, booked to the channel when the LLM is paid; the automatic refill keeps a
scheduled channel's backlog above its low mark over a fake week."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from appliance.config.settings import Settings
from appliance.domain import ideas, schedules
from appliance.domain.box import open_box
from storage.models import BacklogTopic, Channel, CostEntry, Event, User, Video
from tests.api_support import Api
from tests.conftest import make_settings
from tests.fakes.openai_server import FakeOpenAI

HISTORY = ["How volcanoes work", "The future of black holes", "Why tides matter"]


@pytest.fixture
def openai_fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(api_key="sk-ideas-test") as server:
        yield server


def llm_settings(tmp_path: Path, fake: FakeOpenAI) -> Settings:
    return make_settings(
        tmp_path / "data",
        YTEMPIRE_PROVIDERS_OPENAI_API_KEY="sk-ideas-test",
        YTEMPIRE_PROVIDERS_OPENAI_BASE_URL=f"{fake.url}/v1",
    )


async def channel_with_history(api: Api, providers: dict | None = None) -> tuple:
    operator = await api.caller()
    channel = await api.channel(operator, niche="science", providers=providers or {})
    for topic in HISTORY:
        await api.video(operator, channel["id"], topic=topic)
    return operator, channel


def assert_new(topics: list[str], history: list[str]) -> None:
    for index, topic in enumerate(topics):
        assert not any(ideas.near(topic, old) for old in history), topic
        assert not any(ideas.near(topic, other) for other in topics[:index]), topic


async def test_offline_ideas_are_new_to_the_channel(api: Api) -> None:
    operator, channel = await channel_with_history(api, providers={"script": ["template"]})
    path = f"/api/v1/channels/{channel['id']}/backlog"
    status, body = await api.call(operator, "POST", f"{path}/ideas", json={"count": 12})
    assert status == 201, body
    topics = [item["topic"] for item in body["items"]]
    assert len(topics) == 12 and body["provider"] == "template" and body["cost_micro_usd"] == 0
    assert_new(topics, HISTORY)
    status, again = await api.call(operator, "POST", f"{path}/ideas", json={"count": 12})
    more = [item["topic"] for item in again["items"]]
    assert len(more) == 12
    assert_new(more, HISTORY + topics)
    status, listed = await api.call(operator, "GET", path)
    assert [t["topic"] for t in listed["items"]] == topics + more
    status, problem = await api.call(operator, "POST", f"{path}/ideas", json={"count": 0})
    assert status == 400


@pytest.fixture
def settings(tmp_path: Path, openai_fake: FakeOpenAI) -> Settings:
    return llm_settings(tmp_path, openai_fake)


async def test_llm_ideas_leave_out_what_the_channel_has_and_are_billed(
    api: Api, openai_fake: FakeOpenAI
) -> None:
    operator, channel = await channel_with_history(
        api, providers={"script": ["openai:gpt-4o-mini", "template"]}
    )
    path = f"/api/v1/channels/{channel['id']}/backlog/ideas"
    status, body = await api.call(operator, "POST", path, json={"count": 5})
    assert status == 201, body
    topics = [item["topic"] for item in body["items"]]
    assert body["provider"] == "openai:gpt-4o-mini" and len(topics) == 5
    assert_new(topics, HISTORY)
    # The model brought one of the channel's topics back, reworded: left out.
    assert body["skipped"] == ["The real story of How volcanoes work"]
    [request] = openai_fake.completions
    assert "How volcanoes work" in request.body.decode()
    async with api.services.db.read() as session:
        entries = (await session.scalars(select(CostEntry))).all()
    assert {e.stage for e in entries} == {"ideas"} and all(e.video_id is None for e in entries)
    assert sum(e.amount_micro_usd for e in entries) == body["cost_micro_usd"] > 0
    assert {e.channel_id for e in entries} == {channel["id"]}


async def test_a_failing_llm_falls_back_to_the_offline_writer(
    api: Api, openai_fake: FakeOpenAI
) -> None:
    operator, channel = await channel_with_history(
        api, providers={"script": ["openai:gpt-4o-mini", "template"]}
    )
    openai_fake.server_error_next(503, times=5)  # past the client's own retries
    path = f"/api/v1/channels/{channel['id']}/backlog/ideas"
    status, body = await api.call(operator, "POST", path, json={"count": 4})
    assert status == 201 and body["provider"] == "template" and len(body["items"]) == 4


async def test_the_refill_keeps_a_scheduled_backlog_above_its_low_mark_for_a_week(
    tmp_path: Path,
) -> None:
    box = await open_box(make_settings(tmp_path / "data"))
    try:
        async with box.db.write() as session:
            session.add(User(id=1, email="a@b.c", password_hash="x", role="operator"))
            await session.flush()
            session.add(
                Channel(
                    id=1,
                    owner_id=1,
                    name="c",
                    niche="history",
                    options={},
                    schedule="0 9,17 * * *",
                    backlog_low_mark=3,
                    backlog_refill=4,
                )
            )
        now = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
        lowest = None
        for _ in range(7 * 24):  # a fake week, hour by hour, as the periodic jobs run
            await ideas.refill_all(box.db, box.vault, box.settings)
            async with box.db.read() as session:
                have = len((await session.scalars(select(BacklogTopic))).all())
            lowest = have if lowest is None else min(lowest, have)
            await schedules.fill_due_slots(box.db, box.settings, now)
            async with box.db.write() as session:  # made and published meanwhile
                await session.execute(update(Video).values(status="succeeded"))
            now += timedelta(hours=1)
        async with box.db.read() as session:
            made = [
                v.topic for v in (await session.scalars(select(Video).order_by(Video.id))).all()
            ]
            empty = (
                await session.scalars(select(Event).where(Event.kind == "channel.backlog_empty"))
            ).all()
        assert len(made) == 14 and empty == []
        assert lowest is not None and lowest >= 3
        assert_new(made, [])
    finally:
        await box.close()


async def test_near_duplicates_by_words() -> None:
    assert ideas.near("why the sea is salty", "Why is the sea salty?")
    assert ideas.near("How volcanoes work", "The real story of how volcanoes work")
    assert ideas.near("black holes", "The science of black holes")
    assert not ideas.near("How volcanoes work", "The future of volcanoes")
    assert not ideas.near("The Roman roads", "The printing press")
    kept, skipped = ideas.distinct(["Tides", "tides!", "Comets"], ["comet"], 5)
    assert kept == ["Tides"] and skipped == ["tides!", "Comets"]
