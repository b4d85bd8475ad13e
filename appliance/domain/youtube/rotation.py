"""Rotation: which connections an upload goes through, in which order, or why it waits.

Among the video's channel's connections (its YouTube channel, its owner's projects), a
connection is a candidate when it is connected, its YouTube channel is not capped, its
project is not exhausted, and the project has quota for every call the upload will still
make (insert, thumbnail, captions, playlist) above the reserve, counting what uploads
already under way will take. Healthy connections (score at least ``youtube.health_floor``)
come first; among them the project with the most quota left. With no candidate the video
waits until quota returns; past ``youtube.max_wait_hours`` it ends exported only.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain.credentials import CredentialVault
from appliance.domain.youtube import connections, quota
from render.youtube.plan import ConnectionChoice, UploadRecord, YouTubePlan
from storage.models import (
    Channel,
    Stage,
    Video,
    YouTubeConnection,
    YouTubeProject,
    YouTubeUpload,
)

CHUNK_UNIT = 256 * 1024
# A video waiting for quota looks again at least this often (a project added, a reconnect).
RECHECK = timedelta(minutes=10)
# YouTube refuses a publishAt that is not in the future; a slot this near is missed.
SCHEDULE_SLACK = timedelta(minutes=2)


@dataclass(frozen=True)
class Upload:
    """Go: the plan for the worker, the connections' secrets, what it will take per project."""

    plan: YouTubePlan
    secrets: dict[str, SecretStr] = field(repr=False)
    needs: dict[str, int]  # bucket → units this upload takes from the project it uses


@dataclass(frozen=True)
class Wait:
    reason: str
    until: datetime


@dataclass(frozen=True)
class ExportOnly:
    """Not published: the export is the result (connect the channel, or upload by hand)."""

    reason: str


Decision = Upload | Wait | ExportOnly | None  # None: the channel does not publish to YouTube


def plan_upload(
    session: Session,
    vault: CredentialVault,
    settings: Settings,
    video_id: int,
    now: datetime,
    pending: dict[int, dict[str, int]] | None = None,
) -> Decision:
    video = session.get(Video, video_id)
    channel = session.get(Channel, video.channel_id) if video else None
    if video is None or channel is None or not channel.youtube_channel_id:
        return None
    target = channel.youtube_channel_id
    rows = session.execute(
        select(YouTubeConnection, YouTubeProject)
        .join(YouTubeProject, YouTubeProject.id == YouTubeConnection.project_id)
        .where(
            YouTubeConnection.owner_id == video.owner_id,
            YouTubeConnection.youtube_channel_id == target,
        )
        .order_by(YouTubeConnection.id)
    ).all()
    if not rows:
        return ExportOnly(
            f"no connection to YouTube channel {target}: connect one, or upload by hand"
        )
    earlier = session.scalar(select(YouTubeUpload).where(YouTubeUpload.video_id == video_id))
    record = _record(earlier)
    needs = quota.cost_of(settings, _methods_left(record, channel))
    secrets: dict[str, SecretStr] = {}
    choices: list[tuple[tuple[float, ...], ConnectionChoice]] = []
    spent = quota.used(session, sorted({p.id for _, p in rows}), quota.pacific_day(now))
    why: set[str] = set()
    until = quota.next_reset(now)
    capped = [c.capped_until for c, _ in rows if c.capped_until and c.capped_until > now]
    resume: list[ConnectionChoice] = []
    for connection, project in rows:
        choice = ConnectionChoice(
            connection_id=connection.id, project_id=project.id, audited=project.audited
        )
        user = connections.authorized_user(vault, project, connection)
        if user is None:
            why.add("a connection's token does not open with this box's key (reconnect it)")
            continue
        if record and record.session_url and record.connection_id == connection.id:
            resume.append(choice)
            secrets[choice.secret_name] = SecretStr(json.dumps(user))
        if connection.status != "connected":
            why.add("connections need reconnecting")
            continue
        if capped:
            continue
        if project.exhausted_until and project.exhausted_until > now:
            why.add("projects' quota is spent for today")
            until = min(until, project.exhausted_until)
            continue
        room = quota.room_after(
            settings, project, spent.get(project.id, {}), needs, (pending or {}).get(project.id)
        )
        if room is None:
            why.add("no project has quota left above the reserve")
            continue
        healthy = connection.health >= settings.youtube.health_floor
        choices.append(((1.0 if healthy else 0.0, room, -project.id), choice))
        secrets[choice.secret_name] = SecretStr(json.dumps(user))
    if capped:
        why = {"the YouTube channel reached its 24-hour upload cap"}
        until = min(capped)
    if not choices:
        waited = _waiting_since(session, video_id)
        if waited is not None and now - waited > timedelta(hours=settings.youtube.max_wait_hours):
            hours = f"{settings.youtube.max_wait_hours:g} h"
            return ExportOnly(
                f"not uploaded after {hours} ({'; '.join(sorted(why))}): the export is "
                "ready to download and can be marked published by hand"
            )
        reason = "waiting for YouTube: " + "; ".join(sorted(why) or ["no usable connection"])
        return Wait(
            f"{reason}; quota returns {until:%Y-%m-%d %H:%M} UTC", min(until, now + RECHECK)
        )
    choices.sort(key=lambda pair: pair[0], reverse=True)
    youtube = settings.youtube
    plan = YouTubePlan(
        api_root=youtube.api_root,
        token_uri=youtube.oauth_token_uri,
        timeout_s=youtube.timeout_s,
        chunk_bytes=youtube.chunk_multiple * CHUNK_UNIT,
        youtube_channel_id=target,
        connections=[choice for _, choice in choices],
        resume_connections=resume,
        resume=record,
        privacy=channel.privacy,  # type: ignore[arg-type]
        publish_at=_still_ahead(earlier.publish_at if earlier else None, now),
        category_id=channel.youtube_category_id,
        made_for_kids=channel.made_for_kids,
        language=channel.language,
        playlist_id=channel.youtube_playlist_id,
    )
    return Upload(plan, secrets, needs)


def _still_ahead(publish_at: datetime | None, now: datetime) -> datetime | None:
    """A scheduled time YouTube can still keep; a slot already (nearly) past publishes now."""
    if publish_at is None or publish_at <= now + SCHEDULE_SLACK:
        return None
    return publish_at


def _methods_left(record: UploadRecord | None, channel: Channel) -> list[str]:
    methods = []
    if record is None or not record.session_url:
        methods.append("videos.insert")
    done = record.steps if record else {}
    if "thumbnail" not in done:
        methods.append("thumbnails.set")
    if "captions" not in done:
        methods.append("captions.insert")
    if channel.youtube_playlist_id and "playlist" not in done:
        methods.append("playlistItems.insert")
    return methods


def _record(row: YouTubeUpload | None) -> UploadRecord | None:
    """What the box knows of an earlier attempt. A session or a YouTube id outlives the
    connection it went through (0: gone), so it is never uploaded again."""
    if row is None or (row.session_url is None and row.youtube_video_id is None):
        return None
    return UploadRecord(
        connection_id=row.connection_id or 0,
        project_id=row.project_id or 0,
        session_url=row.session_url,
        youtube_video_id=row.youtube_video_id,
        steps=dict(row.steps or {}),
        privacy=row.privacy,  # type: ignore[arg-type]
        note=row.note,
    )


def _waiting_since(session: Session, video_id: int) -> datetime | None:
    """When the video became ready to upload: the end of the stage before upload."""
    return session.scalar(
        select(Stage.finished_at).where(Stage.video_id == video_id, Stage.name == "review")
    )
