"""Published videos' statistics (views, likes, comments), from ``videos.list``.

Up to 50 ids a call, through a connection of the videos' YouTube channel whose project
has units left above the reserve; a video's figures are not fetched again within the
hour (YouTube's answers are cached that long). Every call goes into the quota ledger.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain.credentials import CredentialVault
from appliance.domain.youtube import connections, quota
from render.youtube import client
from render.youtube.failures import classify
from storage.db import Database
from storage.models import Channel, Video, YouTubeConnection, YouTubeProject, YouTubeStats

BATCH = 50
FRESH_FOR = timedelta(hours=1)


@dataclass(frozen=True)
class Batch:
    project_id: int
    connection_id: int
    authorized_user: dict[str, str]
    youtube_ids: dict[str, int]  # YouTube id → video id


def due_batches(
    session: Session, vault: CredentialVault, settings: Settings, now: datetime
) -> list[Batch]:
    """Published videos whose figures are missing or older than an hour, in calls of 50,
    each through a usable connection of their owner's YouTube channel."""
    rows = session.execute(
        select(Video.id, Video.youtube_video_id, Video.owner_id, Channel.youtube_channel_id)
        .join(Channel, Channel.id == Video.channel_id)
        .outerjoin(YouTubeStats, YouTubeStats.video_id == Video.id)
        .where(
            Video.youtube_video_id.is_not(None),
            (YouTubeStats.fetched_at.is_(None)) | (YouTubeStats.fetched_at < now - FRESH_FOR),
        )
        .order_by(Video.id)
    ).all()
    groups: dict[tuple[int, str | None], dict[str, int]] = defaultdict(dict)
    for video_id, youtube_id, owner_id, channel in rows:
        groups[(owner_id, channel)][youtube_id] = video_id
    batches: list[Batch] = []
    day = quota.pacific_day(now)
    for (owner_id, channel), ids in groups.items():
        found = _connection(session, vault, settings, owner_id, channel, now, day)
        if found is None:
            continue
        project_id, connection_id, user = found
        items = list(ids.items())
        for start in range(0, len(items), BATCH):
            batches.append(
                Batch(project_id, connection_id, user, dict(items[start : start + BATCH]))
            )
    return batches


def _connection(
    session: Session,
    vault: CredentialVault,
    settings: Settings,
    owner_id: int,
    channel: str | None,
    now: datetime,
    day: str,
) -> tuple[int, int, dict[str, str]] | None:
    """The connection with the most quota left above the reserve, preferring the channel's."""
    statement = (
        select(YouTubeConnection, YouTubeProject)
        .join(YouTubeProject, YouTubeProject.id == YouTubeConnection.project_id)
        .where(YouTubeConnection.owner_id == owner_id, YouTubeConnection.status == "connected")
    )
    rows = session.execute(statement).all()
    spent = quota.used(session, [p.id for _, p in rows], day)
    need = quota.cost_of(settings, ["videos.list"])
    best: tuple[tuple[bool, float], tuple[int, int, dict[str, str]]] | None = None
    for connection, project in rows:
        if project.exhausted_until and project.exhausted_until > now:
            continue
        room = quota.room_after(settings, project, spent[project.id], need)
        if room is None:
            continue
        user = connections.authorized_user(vault, project, connection)
        if user is None:
            continue
        key = (connection.youtube_channel_id == channel, room)
        if best is None or key > best[0]:
            best = (key, (project.id, connection.id, user))
    return best[1] if best else None


def fetch(settings: Settings, batch: Batch) -> dict[str, dict[str, Any]]:
    """``videos.list`` for one batch (a network call: run it off the event loop)."""
    creds = client.credentials(batch.authorized_user, settings.youtube.oauth_token_uri)
    http = client.authorized_http(creds, settings.youtube.timeout_s)
    try:
        youtube = client.youtube(http, settings.youtube.api_root)
        answer = (
            youtube.videos()
            .list(part="statistics", id=",".join(batch.youtube_ids), maxResults=BATCH)
            .execute(num_retries=2)
        )
    finally:
        http.http.close()
    return {item["id"]: item.get("statistics", {}) for item in answer.get("items", [])}


async def refresh(db: Database, vault: CredentialVault, settings: Settings, now: datetime) -> int:
    """Fetch the figures that are due; the number of videos updated."""
    batches = await db.query(due_batches, vault, settings, now)
    updated = 0
    for batch in batches:
        try:
            figures = await asyncio.to_thread(fetch, settings, batch)
        except Exception as error:
            failure = classify(error)
            if failure is None:
                raise
            async with db.write() as session:
                if failure.kind != "quota_exceeded":
                    await quota.record_call(session, settings, batch.project_id, "videos.list", now)
                await connections.record_failure(
                    session,
                    settings,
                    connection_id=batch.connection_id,
                    project_id=batch.project_id,
                    kind=failure.kind,
                    message=failure.message,
                    video_id=None,
                    now=now,
                )
            continue
        async with db.write() as session:
            await quota.record_call(session, settings, batch.project_id, "videos.list", now)
            for youtube_id, video_id in batch.youtube_ids.items():
                numbers = figures.get(youtube_id)
                if numbers is None:
                    continue  # removed from YouTube, or not yet processed
                row = await session.get(YouTubeStats, video_id)
                if row is None:
                    row = YouTubeStats(video_id=video_id)
                    session.add(row)
                row.views = int(numbers.get("viewCount", 0))
                row.likes = int(numbers.get("likeCount", 0))
                row.comments = int(numbers.get("commentCount", 0))
                row.fetched_at = now
                updated += 1
    return updated
