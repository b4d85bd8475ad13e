"""The box itself under /api/v1/system: slots, queue depth, versions.

Any signed-in user may read these: they say how busy the appliance is and what
it runs, nothing about anyone's videos.
"""

from __future__ import annotations

import functools
import platform
from datetime import UTC, datetime
from importlib import metadata

from quart import Blueprint
from quart_schema import validate_response
from sqlalchemy import func, select, text

from appliance import __version__
from appliance.states import VideoStatus
from scheduler.queue import ACTIVE_VIDEO_STATUSES
from storage.migrate import head_revision
from storage.models import Video
from web.api_resources import API_PREFIX
from web.api_schemas import problems
from web.auth import current_user
from web.context import services
from web.system_schemas import DatabaseVersion, QueueDepth, Slots, Version

blueprint = Blueprint("api_system", __name__, url_prefix=f"{API_PREFIX}/system")

LIBRARIES = (
    "quart",
    "quart-schema",
    "hypercorn",
    "pydantic",
    "sqlalchemy",
    "aiosqlite",
    "alembic",
    "apscheduler",
    "av",
    "numpy",
    "pillow",
    "piper-tts",
)

# Each unfinished video's first stage not yet succeeded, by name and status.
_CURRENT_STAGES = text(
    """
    SELECT s.name, s.status, COUNT(*)
    FROM stages s JOIN videos v ON v.id = s.video_id
    WHERE v.status IN ('queued', 'running', 'waiting')
      AND s.status != 'succeeded'
      AND NOT EXISTS (
          SELECT 1 FROM stages p
          WHERE p.video_id = s.video_id AND p.position < s.position AND p.status != 'succeeded')
    GROUP BY s.name, s.status
    """
)


@blueprint.get("/slots")
@validate_response(Slots)
@problems(401, 403)
async def system_slots() -> Slots:
    """Slot pools, what runs where, and the telemetry admission uses."""
    await current_user()
    scheduler = services().scheduler
    if scheduler is None:
        return Slots(
            slots={},
            admitting=False,
            shedding=False,
            waiting_because="no scheduler",
            running=[],
            telemetry={},
        )
    return Slots(**scheduler.snapshot())


@blueprint.get("/queue")
@validate_response(QueueDepth)
@problems(401, 403)
async def system_queue() -> QueueDepth:
    """How much work waits: videos by status, where unfinished ones are, the oldest wait."""
    await current_user()
    async with services().db.read() as session:
        by_status = dict.fromkeys((str(status) for status in VideoStatus), 0)
        for status, count in await session.execute(
            select(Video.status, func.count()).group_by(Video.status)
        ):
            by_status[status] = count
        stages: dict[str, dict[str, int]] = {}
        for name, status, count in await session.execute(_CURRENT_STAGES):
            stages.setdefault(name, {})[status] = count
        oldest = (
            await session.execute(
                select(Video.id, Video.created_at)
                .where(Video.status == VideoStatus.QUEUED)
                .order_by(Video.created_at, Video.id)
                .limit(1)
            )
        ).first()
    age = (datetime.now(UTC) - oldest[1]).total_seconds() if oldest else None
    return QueueDepth(
        videos=by_status,
        stages=stages,
        active=sum(by_status.get(str(status), 0) for status in ACTIVE_VIDEO_STATUSES),
        oldest_queued_video_id=oldest[0] if oldest else None,
        oldest_queued_age_s=round(max(age, 0.0), 3) if age is not None else None,
    )


@blueprint.get("/version")
@validate_response(Version)
@problems(401, 403)
async def system_version() -> Version:
    """The appliance's version, Python's, the key libraries' and the database migration."""
    await current_user()
    async with services().db.read() as session:
        revision = await session.scalar(text("SELECT version_num FROM alembic_version LIMIT 1"))
    head = _head()
    return Version(
        version=__version__,
        python=platform.python_version(),
        libraries={name: _installed(name) for name in LIBRARIES},
        database=DatabaseVersion(revision=revision, head=head, up_to_date=revision == head),
    )


@functools.cache
def _head() -> str:
    return head_revision()


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
