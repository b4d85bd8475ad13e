"""Each video's way onto YouTube, as the upload stage reports it, and publishing by hand.

``apply_report`` takes one ``youtube`` line of the stage (a call made, a failure, a
success, the upload record) and changes the ledger, the connection and the upload row in
one transaction. ``mark_published`` records a video an operator uploaded themselves.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appliance.config.settings import Settings
from appliance.domain.access import Actor, owned
from appliance.domain.errors import Conflict, FieldError
from appliance.domain.events import record_event
from appliance.domain.states import VideoStatus
from appliance.domain.youtube import connections, quota
from render.youtube.plan import UploadRecord
from storage.db import Database
from storage.models import Video, YouTubeUpload, utcnow

WATCH_URL = "https://www.youtube.com/watch?v={}"
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_URL_FORMS = (
    re.compile(r"^https?://(?:www\.|m\.)?youtube\.com/watch\?(?:.*&)?v=([A-Za-z0-9_-]{11})"),
    re.compile(r"^https?://youtu\.be/([A-Za-z0-9_-]{11})"),
    re.compile(r"^https?://(?:www\.)?youtube\.com/(?:shorts|live)/([A-Za-z0-9_-]{11})"),
)


async def apply_report(
    db: Database,
    settings: Settings,
    video_id: int,
    data: dict[str, Any],
    now: datetime | None = None,
) -> None:
    now = now or utcnow()
    event = data.get("event")
    async with db.write() as session:
        if event == "call":
            await quota.record_call(
                session, settings, int(data["project_id"]), str(data["method"])[:64], now
            )
        elif event == "failure":
            await connections.record_failure(
                session,
                settings,
                connection_id=int(data["connection_id"]),
                project_id=int(data["project_id"]),
                kind=str(data.get("kind", "")),
                message=str(data.get("message", ""))[:500],
                video_id=video_id,
                now=now,
            )
        elif event == "success":
            await connections.record_success(session, int(data["connection_id"]), now)
        elif event == "record":
            await save_record(session, video_id, UploadRecord.model_validate(data["record"]))


async def save_record(session: AsyncSession, video_id: int, record: UploadRecord) -> None:
    row = await session.scalar(select(YouTubeUpload).where(YouTubeUpload.video_id == video_id))
    if row is None:
        if await session.get(Video, video_id) is None:
            return  # deleted meanwhile
        row = YouTubeUpload(video_id=video_id, steps={})
        session.add(row)
    first_id = row.youtube_video_id is None and record.youtube_video_id is not None
    row.connection_id = record.connection_id
    row.project_id = record.project_id
    row.session_url = record.session_url
    row.youtube_video_id = record.youtube_video_id
    row.steps = dict(record.steps)
    row.privacy = record.privacy
    row.note = record.note
    row.updated_at = utcnow()
    if first_id:
        video = await session.get(Video, video_id)
        if video is not None:
            video.youtube_video_id = record.youtube_video_id
            video.youtube_url = WATCH_URL.format(record.youtube_video_id)
            await record_event(
                session,
                "video.published",
                owner_id=video.owner_id,
                video_id=video.id,
                youtube_video_id=record.youtube_video_id,
                youtube_url=video.youtube_url,
                privacy=record.privacy,
                note=record.note,
            )


async def note_export_only(db: Database, video_id: int, reason: str) -> None:
    """The upload stage ends with the export alone: say why, on the video's upload row."""
    async with db.write() as session:
        video = await session.get(Video, video_id)
        if video is None:
            return
        row = await session.scalar(select(YouTubeUpload).where(YouTubeUpload.video_id == video_id))
        if row is None:
            row = YouTubeUpload(video_id=video_id, steps={})
            session.add(row)
        row.note = reason
        await record_event(
            session,
            "video.not_published",
            owner_id=video.owner_id,
            video_id=video_id,
            reason=reason,
        )


def youtube_id_of(url: str) -> str:
    text = url.strip()
    if _VIDEO_ID.fullmatch(text):
        return text
    for form in _URL_FORMS:
        match = form.match(text)
        if match:
            return match[1]
    raise FieldError(
        "youtube_url", "must be a YouTube video address (https://www.youtube.com/watch?v=...)"
    )


async def mark_published(db: Database, actor: Actor, video_id: int, url: str) -> Video:
    """A video uploaded by hand: keep its YouTube id and address."""
    youtube_id = youtube_id_of(url)
    async with db.write() as session:
        video = await session.run_sync(owned, actor, Video, video_id)
        if video.status != VideoStatus.SUCCEEDED:
            raise Conflict(
                f"video {video_id} is {video.status}: only a finished video is published"
            )
        video.youtube_video_id = youtube_id
        video.youtube_url = WATCH_URL.format(youtube_id)
        row = await session.scalar(select(YouTubeUpload).where(YouTubeUpload.video_id == video_id))
        if row is None:
            row = YouTubeUpload(video_id=video_id, steps={})
            session.add(row)
        row.youtube_video_id = youtube_id
        row.note = "published by hand"
        await record_event(
            session,
            "video.published",
            owner_id=video.owner_id,
            video_id=video.id,
            youtube_video_id=youtube_id,
            youtube_url=video.youtube_url,
            manual=True,
            by=actor.id,
        )
        return video
