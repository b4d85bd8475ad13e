"""Progressive load shedding: each level is entered as the queue grows and left as it
drains (with hysteresis), holds back the right videos, says why, and at level 3 new
renders take the plain style."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from appliance.domain import queue, videos
from render.compose import AudioPlan, KenBurns, render_video
from render.formats import video_format
from render.timeline import build_plan
from scheduler.engine import Scheduler
from scheduler.shedding import ShedDepths, holds_back
from scheduler.telemetry import StaticSystemSampler
from storage.models import Event
from tests.conftest import make_settings
from tests.test_compose_fixtures import speech_like, textured_image, write_image, write_wav
from tests.test_engine import GIB, box_with_a_channel, reading
from tests.test_timeline import media, script, timings


def test_levels_enter_as_the_queue_grows_and_leave_below_nine_tenths() -> None:
    depths = ShedDepths.from_settings(10, 0, 0)
    assert (depths.normal, depths.plain) == (20, 30)
    level = 0
    seen = []
    for depth in (5, 11, 21, 31, 29, 27, 26, 19, 17, 10, 9, 8):
        level = depths.level(depth, level)
        seen.append(level)
    assert seen == [0, 1, 2, 3, 3, 3, 2, 2, 1, 1, 1, 0]
    # A jump all the way down happens at once when the queue empties.
    assert depths.level(0, 3) == 0


def test_what_each_level_holds_back() -> None:
    assert not holds_back(0, -10, started=False)
    assert holds_back(1, -1, started=False) and not holds_back(1, 0, started=False)
    assert holds_back(2, 0, started=False) and holds_back(2, 0.5, started=False)
    assert not holds_back(2, 1.0, started=False)  # a priority-0 video that has aged a point
    assert holds_back(3, 0, started=False)
    # A started video always goes on: finishing it is what shortens the queue.
    assert not holds_back(3, -10, started=True)


async def test_the_scheduler_steps_through_the_levels_and_says_so(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data", YTEMPIRE_SCHEDULER_SHED_QUEUE_DEPTH="2")
    opened = await box_with_a_channel(settings)
    try:
        hot = settings.tier_root("hot")
        scheduler = Scheduler(opened, system=StaticSystemSampler(reading(hot, 50 * GIB)), gpus=None)
        await scheduler.start()
        made = []
        for n, priority in enumerate((5, 0, -5, 0, 0, 0, 0)):
            made.append(
                await videos.create_video(
                    opened.db,
                    owner_id=1,
                    channel_id=1,
                    topic=f"video {n}",
                    seconds=15,
                    video_format="720p",
                    priority=priority,
                )
            )
            await scheduler._update_shedding(len(made))
        assert scheduler.shed_level == 3  # 7 unfinished > 6 = 3 × 2
        snapshot = scheduler.snapshot()
        assert snapshot["shed_level"] == 3 and "plain style" in snapshot["shed_reason"]
        # Only the prioritised video starts; the reason is given.
        ready = await opened.db.query(queue.ready_stages, now=scheduler.clock())
        admitted = [
            r.video_id
            for r in ready
            if not holds_back(scheduler.shed_level, r.effective_priority, r.name != "script")
        ]
        assert admitted == [made[0].id]
        for video in made[1:]:
            await videos.cancel_video(opened.db, video.id)
        await scheduler._update_shedding(1)
        assert scheduler.shed_level == 0
        async with opened.db.read() as session:
            logged = (
                await session.execute(
                    select(Event.kind, Event.data).where(Event.kind.like("scheduler.shedding%"))
                )
            ).all()
        levels = [data["level"] for _, data in logged]
        assert levels[-1] == 0 and 3 in levels and logged[-1][0] == "scheduler.shedding_ended"
    finally:
        await opened.close()


def test_the_plain_style_has_no_motion_and_no_crossfades_and_renders(tmp_path: Path) -> None:
    count, starts = 3, [0.2, 1.0, 2.0]
    pieces = (script(count), timings(starts, 3.0), media(count), video_format("720p"))
    rich = build_plan(*pieces, job_dir=tmp_path, output=tmp_path / "a.mp4")
    plain = build_plan(*pieces, job_dir=tmp_path, output=tmp_path / "b.mp4", plain=True)
    assert all(isinstance(s.motion, KenBurns) for s in rich.segments) and rich.crossfade > 0
    assert all(s.motion is None for s in plain.segments) and plain.crossfade == 0
    # Back to back, no overlap: each cut is where the next picture starts.
    for before, after in zip(plain.segments, plain.segments[1:], strict=False):
        assert before.end == after.start
    # And the composer renders such a plan.
    (tmp_path / "media").mkdir()
    for n in range(count):
        write_image(tmp_path / f"media/s{n}.jpg", textured_image(640, 360, seed=n))
    voice = write_wav(tmp_path / "voice.wav", speech_like(3.0, 22_050, [(0.2, 2.6)]), 22_050)
    small = plain.model_copy(
        update={"width": 320, "height": 180, "audio": AudioPlan(voice=voice), "captions": []}
    )
    stats = render_video(small)
    assert stats.frames == round(small.duration * small.fps)
