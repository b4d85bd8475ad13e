"""The inbox: files of topics queued once (by content), reports that name each bad row,
files still being written waited for, and files left while the box was down read at
start."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from appliance.config.settings import Settings
from appliance.domain import channels, inbox
from appliance.domain.box import Box, open_box
from appliance.domain.channel_settings import ChannelSettings
from appliance.domain.users import create_user
from appliance.server.inbox_watch import InboxWatcher
from tests.conftest import make_settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", YTEMPIRE_INBOX_SETTLE_S="0.3")


@pytest.fixture
async def box(settings: Settings) -> AsyncIterator[Box]:
    opened = await open_box(settings)
    owner = await create_user(opened.db, settings.admin.email, "owner-password-1", role="admin")
    for name in ("Deep Facts", "Space Today"):
        await channels.create(opened.db, settings, owner.id, ChannelSettings(name=name))
    yield opened
    await opened.close()


async def video_topics(box: Box) -> list[tuple[str, int, int, str]]:
    def read(session):
        from sqlalchemy import select

        from storage.models import Video

        rows = session.execute(
            select(Video.topic, Video.channel_id, Video.target_seconds, Video.format).order_by(
                Video.id
            )
        )
        return [tuple(row) for row in rows]

    return await box.db.query(read)


def test_the_three_formats_read_the_same_fields() -> None:
    rows, defaults = inbox.parse("a.txt", b"# ideas\nfirst\n\n  second  \n")
    assert rows == [{"topic": "first"}, {"topic": "second"}] and defaults == {}
    rows, _ = inbox.parse(
        "b.csv",
        b"\xef\xbb\xbftopic,channel,seconds,format,priority\n"
        b"one,Deep Facts,30,shorts,\ntwo,,ninety,,-5\n",
    )
    assert rows == [
        {"topic": "one", "channel": "Deep Facts", "seconds": 30, "format": "shorts"},
        {"topic": "two", "seconds": "ninety", "priority": -5},
    ]
    rows, defaults = inbox.parse(
        "c.json", json.dumps({"channel": "Space Today", "items": ["x", {"topic": "y"}]}).encode()
    )
    assert rows == [{"topic": "x"}, {"topic": "y"}] and defaults == {"channel": "Space Today"}
    for name, data, says in (
        ("d.csv", b"name,channel\nx,y\n", "header row with a topic"),
        ("e.json", b"{not json", "does not parse"),
        ("f.txt", b"\xff\xfe\x00", "not UTF-8"),
        ("g.json", b'{"topic": "x"}', "must be a list"),
    ):
        with pytest.raises(inbox.Unreadable, match=says):
            inbox.parse(name, data)
    assert inbox.is_candidate("topics.csv") and not inbox.is_candidate("topics.csv.done.json")
    assert not inbox.is_candidate(".topics.csv.swp") and not inbox.is_candidate("notes.md")


async def test_a_file_is_queued_once_whatever_its_name(box: Box) -> None:
    data = b"topic,channel,seconds\nhow deep is the ocean,Deep Facts,30\nblack holes,Space Today,\n"
    first = await inbox.take(box.db, box.settings, "monday.csv", data)
    assert first.status == "queued" and len(first.video_ids) == 2
    assert await video_topics(box) == [
        ("how deep is the ocean", 1, 30, "1080p"),
        ("black holes", 2, 60, "1080p"),
    ]
    again = await inbox.take(box.db, box.settings, "monday (copy).csv", data)
    assert again.status == "duplicate" and again.first_seen_as == "monday.csv"
    assert again.video_ids == first.video_ids and len(await video_topics(box)) == 2


async def test_bad_rows_are_named_and_nothing_is_queued(box: Box) -> None:
    data = (
        b"topic,channel,seconds,format\n"
        b"fine,Deep Facts,,\n,Deep Facts,,\nx,Nowhere,,\ny,Deep Facts,5,8k\nbell\x07,Deep Facts,,\n"
    )
    report = await inbox.take(box.db, box.settings, "bad.csv", data)
    assert report.status == "refused" and not report.ok
    fields = sorted(p["field"] for p in report.problems)
    assert "items.1.topic" in fields and "items.2.channel" in fields
    assert "items.3.seconds" in fields and "items.3.format" in fields
    assert "items.4.topic" in fields  # a control character
    assert await video_topics(box) == []
    # Fixed (new content), it goes through.
    fixed = await inbox.take(box.db, box.settings, "bad.csv", b"topic\nfine\n")
    assert fixed.status == "refused"  # two channels and no inbox.channel: which one?
    assert fixed.problems[0]["field"] == "items.0.channel_id"
    named = await inbox.take(box.db, box.settings, "bad.csv", b"topic,channel\nfine,2\n")
    assert named.status == "queued" and await video_topics(box) == [("fine", 2, 60, "1080p")]


async def test_the_watcher_waits_for_a_growing_file_and_reads_what_was_left(
    box: Box, settings: Settings
) -> None:
    folder = settings.inbox_dir
    (folder / "left-while-down.txt").write_text("channel one\n")
    settings_one = make_settings(
        settings.data_dir, YTEMPIRE_INBOX_SETTLE_S="0.3", YTEMPIRE_INBOX_CHANNEL="Deep Facts"
    )
    box.settings = settings_one
    watcher = InboxWatcher(box)
    task = asyncio.create_task(watcher.run())
    try:
        growing = folder / "growing.txt"
        with growing.open("w") as handle:
            # Written over 0.6 s, each line well inside the 0.3 s settle time of the last:
            # read too early, it would be queued twice (once in part, once whole).
            for n in range(6):
                handle.write(f"topic {n}\n")
                handle.flush()
                await asyncio.sleep(0.1)
        (folder / "notes.md").write_text("not topics")
        done = folder / "growing.txt.done.json"
        for _ in range(100):
            if done.exists() and (folder / "left-while-down.txt.done.json").exists():
                break
            await asyncio.sleep(0.1)
        report = json.loads(done.read_text())
        assert report["status"] == "queued" and len(report["video_ids"]) == 6
        assert (
            json.loads((folder / "left-while-down.txt.done.json").read_text())["status"] == "queued"
        )
        assert not (folder / "notes.md.done.json").exists()
        # Saved again unchanged under another name: reported as a duplicate, nothing queued.
        (folder / "growing-copy.txt").write_bytes(growing.read_bytes())
        copy = folder / "growing-copy.txt.done.json"
        for _ in range(100):
            if copy.exists():
                break
            await asyncio.sleep(0.1)
        assert json.loads(copy.read_text())["status"] == "duplicate"
        topics = [t for t, *_ in await video_topics(box)]
        assert sorted(topics) == sorted(["channel one", *(f"topic {n}" for n in range(6))])
        # A refused file gets its error report.
        (folder / "broken.json").write_text("{nope")
        error = folder / "broken.json.error.json"
        for _ in range(100):
            if error.exists():
                break
            await asyncio.sleep(0.1)
        assert "does not parse" in json.loads(error.read_text())["problems"][0]["message"]
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
