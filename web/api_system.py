"""The box itself under /api/v1/system: slots, queue depth, versions, and the boxes
sharing its database (docs/SCALE-OUT.md).

Any signed-in user may read these. What they say about videos is scoped like
everything else: a user sees their own videos' counts and running stages, an admin
sees the whole box. Pool sizes, telemetry and why work waits are the box's and
everyone's to see.
"""

from __future__ import annotations

import functools
import platform
from datetime import UTC, datetime
from importlib import metadata
from typing import Any

from quart import Blueprint

from appliance import __version__
from appliance.domain import boxes, queue
from appliance.domain.box import schema_revision
from storage.migrate import head_revision
from web.api_resources import API_PREFIX
from web.api_schemas import problems
from web.auth import CurrentUser, current_user, requires
from web.context import services
from web.openapi import no_content
from web.responses import json_response
from web.system_schemas import (
    Boxes,
    BoxOut,
    DatabaseVersion,
    Job,
    Jobs,
    QueueDepth,
    Slots,
    Version,
)

blueprint = Blueprint("api_system", __name__, url_prefix=f"{API_PREFIX}/system")

LIBRARIES = (
    "quart",
    "quart-schema",
    "hypercorn",
    "pydantic",
    "sqlalchemy",
    "aiosqlite",
    "psycopg",
    "alembic",
    "apscheduler",
    "av",
    "numpy",
    "pillow",
    "piper-tts",
)


@blueprint.get("/slots")
@json_response(Slots)
@problems(401, 403)
async def system_slots() -> Slots:
    """Slot pools, what runs where, and the telemetry admission uses.

    Stages of other users' videos show as busy slots without their ids.
    """
    return Slots(**await slots_for(await current_user()))


async def slots_for(user: CurrentUser) -> dict[str, Any]:
    """The scheduler's snapshot as ``user`` may see it."""
    scheduler = services().scheduler
    if scheduler is None:
        return {
            "slots": {},
            "admitting": False,
            "shedding": False,
            "waiting_because": "no scheduler",
            "running": [],
            "telemetry": {},
        }
    snapshot = scheduler.snapshot()
    if not user.is_admin:
        snapshot = await _only_own(user, snapshot)
    return snapshot


async def _only_own(user: CurrentUser, snapshot: dict[str, Any]) -> dict[str, Any]:
    slots = snapshot["slots"].get("slots", [])
    stage_ids = [s["stage_id"] for s in slots if s.get("stage_id") is not None]
    stage_ids += [r["stage_id"] for r in snapshot["running"]]
    owners = await services().db.query(queue.owners_of_stages, sorted(set(stage_ids)))

    def mine(stage_id: int | None) -> bool:
        return stage_id is not None and owners.get(stage_id) == user.id

    hidden_slots = [
        slot if mine(slot.get("stage_id")) else {**slot, "stage_id": None} for slot in slots
    ]
    return {
        **snapshot,
        "slots": {**snapshot["slots"], "slots": hidden_slots},
        "running": [entry for entry in snapshot["running"] if mine(entry["stage_id"])],
    }


@blueprint.get("/queue")
@json_response(QueueDepth)
@problems(401, 403)
async def system_queue() -> QueueDepth:
    """How much work waits: videos by status, where unfinished ones are, the oldest wait,
    why waiting ones wait. Your videos; an admin's answer counts every video."""
    summary = await queue_summary(await current_user())
    oldest_at = summary.oldest_queued_at
    age = (datetime.now(UTC) - oldest_at).total_seconds() if oldest_at else None
    return QueueDepth(
        videos=summary.videos,
        stages=summary.stages,
        active=summary.active,
        oldest_queued_video_id=summary.oldest_queued_video_id,
        oldest_queued_age_s=round(max(age, 0.0), 3) if age is not None else None,
        waiting=summary.waiting,
    )


async def queue_summary(user: CurrentUser) -> queue.QueueSummary:
    """Answered from the read cache until a video or stage changes state (progress alone
    does not count): dashboards poll this."""
    app = services()
    return await app.read_cache.get_or_compute(
        ("all" if user.is_admin else f"user:{user.id}",),
        tables=("videos", "stages"),
        compute=lambda: app.db.query(queue.summary, user),
        kind="queue",
    )


@blueprint.get("/jobs")
@requires("admin")
@json_response(Jobs)
@problems(401, 403)
async def system_jobs() -> Jobs:
    """The supervisor's periodic jobs (admins): each one's last run, its outcome and its
    next run. A job that failed says why and runs again at its next time."""
    await current_user("admin")
    return jobs_now()


def jobs_now() -> Jobs:
    periodic = services().periodic
    states = periodic.states() if periodic is not None else []
    return Jobs(
        items=[
            Job(
                name=s.name,
                every_s=s.every_s,
                last_run_at=s.last_run_at,
                last_outcome=s.last_outcome,
                last_duration_s=s.last_duration_s,
                runs=s.runs,
                failures=s.failures,
                next_run_at=s.next_run_at,
            )
            for s in states
        ]
    )


@blueprint.get("/boxes")
@requires("admin")
@json_response(Boxes)
@problems(401, 403)
async def system_boxes() -> Boxes:
    """The boxes sharing this database (admins; one on SQLite): where each is, when it was
    last seen, whether it is draining and how many unfinished videos it holds."""
    await current_user("admin")
    app = services()
    now, lease_s = datetime.now(UTC), app.settings.scheduler.lease_s
    found = await app.db.query(boxes.listing)
    return Boxes(
        items=[
            BoxOut(
                id=b.id,
                url=b.url,
                this_box=b.id == app.settings.box_id,
                alive=b.alive(now, lease_s),
                draining=b.draining,
                held_videos=b.held_videos,
                capacity=b.capacity,
                started_at=b.started_at,
                seen_at=b.seen_at,
            )
            for b in found
        ]
    )


@blueprint.post("/boxes/<box_id>/drain")
@requires("admin")
@no_content
@problems(401, 403, 404)
async def drain_box(box_id: str) -> tuple[str, int]:
    """Stop a box taking new videos (admins); it finishes those it holds. Stop it once it
    holds none; starting it again, or `resume`, undoes this."""
    await current_user("admin")
    await boxes.set_draining(services().db, box_id, True)
    return "", 204


@blueprint.post("/boxes/<box_id>/resume")
@requires("admin")
@no_content
@problems(401, 403, 404)
async def resume_box(box_id: str) -> tuple[str, int]:
    """Let a draining box take new videos again (admins)."""
    await current_user("admin")
    await boxes.set_draining(services().db, box_id, False)
    return "", 204


@blueprint.delete("/boxes/<box_id>")
@requires("admin")
@no_content
@problems(401, 403, 404, 409)
async def forget_box(box_id: str) -> tuple[str, int]:
    """Remove a box that is gone for good from the list (admins); refused while it is
    alive. Its unfinished videos are taken over by the others once their leases run out."""
    await current_user("admin")
    app = services()
    await boxes.forget(app.db, box_id, lease_s=app.settings.scheduler.lease_s)
    return "", 204


@blueprint.get("/version")
@json_response(Version)
@problems(401, 403)
async def system_version() -> Version:
    """The appliance's version, Python's, the key libraries' and the database migration."""
    await current_user()
    return await version_info()


async def version_info() -> Version:
    revision = await services().db.query(schema_revision)
    head = _head()
    return Version(
        version=__version__,
        python=platform.python_version(),
        libraries={name: _installed(name) for name in LIBRARIES},
        database=DatabaseVersion(
            engine=services().db.dialect,
            revision=revision,
            head=head,
            up_to_date=revision == head,
        ),
    )


@functools.cache
def _head() -> str:
    return head_revision()


@functools.cache  # what is installed does not change under a running process
def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
