"""A held video through the scheduler and the API: it waits with its reasons, approving
lets the upload go on, rejecting fails it, a retry reviews it again."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import update

from appliance.domain import review, videos
from appliance.domain.access import Owner
from appliance.domain.box import Box
from storage.models import Event, Stage, Video
from tests import youtube_support
from tests.api_support import Api
from tests.youtube_support import Clock, made_up_to_upload, rows, scheduler_for, settle

box = youtube_support.box
fake = youtube_support.fake
finished_files = youtube_support.finished_files


async def review_next(box: Box, finished_files: Path) -> int:
    """A video whose stages up to the thumbnail are done: the review runs next. Its
    picture is a 64×36 clip without sound, which no review lets through."""
    [video_id] = [
        (
            await videos.create_video(
                box.db, owner_id=1, channel_id=1, topic="rivers", seconds=15, video_format="720p"
            )
        ).id
    ]
    await made_up_to_upload(box, finished_files, [video_id])
    async with box.db.write() as session:
        await session.execute(update(Stage).where(Stage.name == "review").values(status="queued"))
    return video_id


async def test_a_held_video_waits_with_its_reasons_until_approved(box, fake, finished_files):
    video_id = await review_next(box, finished_files)
    scheduler = scheduler_for(box, Clock())
    await scheduler.start()
    await settle(scheduler)

    [video] = await rows(box, Video, Video.id == video_id)
    assert video.status == "waiting" and video.waiting_reason.startswith("held in review: ")
    assert "no sound track" in video.waiting_reason and "not 1280×720" in video.waiting_reason
    [stage] = await rows(box, Stage, Stage.video_id == video_id, Stage.name == "review")
    assert stage.status == "held" and stage.result["data"]["verdict"] == "hold"
    [upload] = await rows(box, Stage, Stage.video_id == video_id, Stage.name == "upload")
    assert upload.status == "queued"  # and not started: the review is not done
    assert [e.kind for e in await rows(box, Event, Event.kind == "video.held")] == ["video.held"]

    await review.approve(box.db, Owner(1), video_id)
    await settle(scheduler)
    [video] = await rows(box, Video, Video.id == video_id)
    assert video.status == "succeeded" and video.waiting_reason is None
    [stage] = await rows(box, Stage, Stage.video_id == video_id, Stage.name == "review")
    assert stage.status == "succeeded"


async def test_a_rejected_video_fails_and_a_retry_reviews_it_again(box, fake, finished_files):
    video_id = await review_next(box, finished_files)
    scheduler = scheduler_for(box, Clock())
    await scheduler.start()
    await settle(scheduler)
    await review.reject(box.db, Owner(1), video_id, "the picture is a test card")
    [video] = await rows(box, Video, Video.id == video_id)
    assert (
        video.status == "failed" and video.error == "rejected in review: the picture is a test card"
    )

    await videos.retry_video(box.db, video_id)
    await settle(scheduler)
    [video] = await rows(box, Video, Video.id == video_id)
    assert video.status == "waiting" and video.waiting_reason.startswith("held in review")


async def test_approve_and_reject_over_the_api(api: Api) -> None:
    operator, other = await api.caller(), await api.caller()
    channel = await api.channel(operator)
    video = await api.video(operator, channel["id"])
    path = f"/api/v1/videos/{video['id']}/review"
    status, problem = await api.call(operator, "POST", f"{path}/approve")
    assert status == 409 and "not held" in problem["detail"]
    async with api.services.db.write() as session:
        await session.execute(
            update(Video).values(status="waiting", waiting_reason="held in review: x")
        )
        await session.execute(
            update(Stage).where(Stage.name != "review").values(status="succeeded")
        )
        await session.execute(
            update(Stage)
            .where(Stage.name == "review")
            .values(
                status="held",
                result={"data": {"verdict": "hold", "holds": ["2.0 s black"], "checks": []}},
            )
        )
        await session.execute(update(Stage).where(Stage.name == "upload").values(status="queued"))
    status, _ = await api.call(other, "POST", f"{path}/approve")
    assert status == 404
    status, detail = await api.call(operator, "GET", f"/api/v1/videos/{video['id']}")
    assert detail["review"]["verdict"] == "hold" and detail["review"]["holds"] == ["2.0 s black"]
    status, problem = await api.call(operator, "POST", f"{path}/reject", json={"reason": "x" * 501})
    assert status == 400
    status, body = await api.call(operator, "POST", f"{path}/reject", json={})
    assert status == 200 and body["status"] == "failed"
    assert body["error"] == "rejected in review: 2.0 s black"


async def test_the_one_shot_mode_ends_when_only_a_held_video_is_left(box, fake, finished_files):
    video_id = await review_next(box, finished_files)
    scheduler = scheduler_for(box, Clock())
    await asyncio.wait_for(scheduler.run_until_idle(), 120)  # make-video's way: no hang
    [video] = await rows(box, Video, Video.id == video_id)
    assert video.status == "waiting" and video.waiting_reason.startswith("held in review")
