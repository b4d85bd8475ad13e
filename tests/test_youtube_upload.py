"""The upload stage's YouTube half against the loopback fake, through the official client:
resumable upload with the session saved before the first byte, resume after a crash,
failover on quota and revoked grants, the steps after the upload done once."""

from __future__ import annotations

import hashlib
import io
import json
import os
from pathlib import Path

import pytest

from render.protocol import Reporter, StageError
from render.stages.youtube_publisher import RECORD_FILE, Publisher
from render.youtube.plan import ConnectionChoice, UploadRecord, YouTubePlan
from tests.fakes.youtube_server import FakeYouTube

CHANNEL = "UC" + "a" * 22
CHUNK = 256 * 1024
METADATA = {"title": "How tides work", "description": "Chapters\n0:00 Intro", "tags": ["tides"]}


class Crash(Exception):
    """Stands for the process dying mid-upload."""


@pytest.fixture()
def fake():
    with FakeYouTube() as server:
        for name in ("a", "b", "c"):
            server.add_project(f"client-{name}", f"secret-{name}")
        yield server


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    video = tmp_path / "video.mp4"
    video.write_bytes(os.urandom(5 * CHUNK + 1234))
    thumbnail = tmp_path / "thumbnail.jpg"
    thumbnail.write_bytes(b"\xff\xd8\xff" + os.urandom(5000))
    captions = tmp_path / "captions.srt"
    captions.write_text("1\n00:00:00,000 --> 00:00:02,000\nHello\n")
    (tmp_path / "job").mkdir()
    return {"video": video, "thumbnail": thumbnail, "captions": captions, "job": tmp_path / "job"}


def secrets_for(fake: FakeYouTube, names: list[str]) -> dict[str, str]:
    found = {}
    for number, name in enumerate(names, start=1):
        found[f"youtube:{number}"] = json.dumps(
            {
                "type": "authorized_user",
                "client_id": f"client-{name}",
                "client_secret": f"secret-{name}",
                "refresh_token": fake.grant(f"client-{name}", CHANNEL),
                "token_uri": f"{fake.url}/token",
            }
        )
    return found


def plan_for(fake: FakeYouTube, names: list[str], **extra) -> YouTubePlan:
    return YouTubePlan(
        api_root=f"{fake.url}/",
        token_uri=f"{fake.url}/token",
        timeout_s=5,
        chunk_bytes=CHUNK,
        youtube_channel_id=CHANNEL,
        connections=[
            ConnectionChoice(connection_id=n, project_id=n, audited=n != 1)
            for n in range(1, len(names) + 1)
        ],
        retry_base_s=0,
        retry_cap_s=0,
        **extra,
    )


class Run:
    def __init__(self, fake, files, names, *, secrets=None, **extra):
        self.stream = io.StringIO()
        self.reporter = Reporter(self.stream, min_interval_s=0)
        self.secrets = secrets if secrets is not None else secrets_for(fake, names)
        self.plan = plan_for(fake, names, **extra)
        self.files = files

    def publisher(self) -> Publisher:
        return Publisher(self.plan, self.secrets.get, self.files["job"], self.reporter)

    def publish(self):
        return self.publisher().publish(
            self.files["video"], self.files["thumbnail"], self.files["captions"], METADATA
        )

    def lines(self, event: str | None = None) -> list[dict]:
        found = [json.loads(line) for line in self.stream.getvalue().splitlines()]
        found = [line for line in found if line["type"] == "youtube"]
        return [line for line in found if event is None or line["event"] == event]

    def calls(self) -> list[tuple[int, str]]:
        return [(line["project_id"], line["method"]) for line in self.lines("call")]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_upload_with_thumbnail_captions_and_playlist(fake, files):
    run = Run(fake, files, ["a"], playlist_id="PL123", privacy="public")
    record = run.publish()

    [video] = fake.completed_uploads()
    assert record.youtube_video_id == video.id
    assert video.sha256 == sha(files["video"])
    assert video.metadata["snippet"]["title"] == "How tides work"
    assert video.metadata["status"]["privacyStatus"] == "public"
    assert video.thumbnail == files["thumbnail"].read_bytes()
    assert video.captions[0]["body"] == files["captions"].read_bytes()
    assert video.playlists == ["PL123"]
    assert record.steps == {"thumbnail": True, "captions": True, "playlist": True}
    assert record.note and "audit" in record.note  # project 1 is not audited
    assert run.calls() == [
        (1, "videos.insert"),
        (1, "thumbnails.set"),
        (1, "captions.insert"),
        (1, "playlistItems.insert"),
    ]
    saved = json.loads((files["job"] / RECORD_FILE).read_text())
    assert saved["youtube_video_id"] == video.id and saved["session_url"]


def test_the_session_is_saved_before_the_first_byte(fake, files):
    run = Run(fake, files, ["a"])
    seen: list[int] = []
    original = fake._chunk

    def chunk(request):
        # When YouTube gets the first chunk, the record already names the session.
        if not seen:
            seen.append(1)
            assert json.loads((files["job"] / RECORD_FILE).read_text())["session_url"]
        return original(request)

    fake._chunk = chunk
    run.publish()
    assert seen


def test_dropped_connections_and_5xx_mid_upload_resume_the_same_session(fake, files):
    fake.chunk_faults(0.5)
    run = Run(fake, files, ["a"])
    run.publish()
    [video] = fake.completed_uploads()
    assert video.sha256 == sha(files["video"])
    assert fake.initiated_sessions() == 1
    failures = [line["kind"] for line in run.lines("failure")]
    assert failures and set(failures) == {"transient"}


def crash_mid_upload(run: Run) -> None:
    """Publish until some of the video is up, then die (as a killed process would)."""
    progress = run.reporter.progress

    def crash_after_some(fraction, message=""):
        progress(fraction, message)
        if 0.2 < fraction < 0.9:
            raise Crash()

    run.reporter.progress = crash_after_some
    with pytest.raises(Crash):
        run.publish()


def test_a_crash_mid_upload_resumes_the_saved_session(fake, files):
    first = Run(fake, files, ["a"])
    crash_mid_upload(first)
    assert fake.completed_uploads() == []

    again = Run(fake, files, ["a"], secrets=first.secrets)
    record = again.publish()
    [video] = fake.completed_uploads()
    assert fake.initiated_sessions() == 1
    assert record.youtube_video_id == video.id
    assert video.sha256 == sha(files["video"])
    assert "videos.insert" not in [method for _, method in again.calls()]


def test_a_repeat_after_success_changes_nothing(fake, files):
    run = Run(fake, files, ["a"])
    run.publish()
    again = Run(fake, files, ["a"], secrets=run.secrets)
    again.publish()
    assert len(fake.completed_uploads()) == 1 and fake.initiated_sessions() == 1
    assert again.calls() == []


def test_quota_exceeded_fails_over_to_the_next_project_in_the_same_attempt(fake, files):
    fake.projects["client-a"].buckets["uploads"] = 0
    run = Run(fake, files, ["a", "b"])
    run.publish()
    [video] = fake.completed_uploads()
    assert [(line["project_id"], line["kind"]) for line in run.lines("failure")] == [
        (1, "quota_exceeded")
    ]
    assert run.calls()[0] == (2, "videos.insert")
    assert video.sha256 == sha(files["video"])


def test_a_step_whose_project_runs_dry_fails_over_too(fake, files):
    fake.projects["client-a"].buckets["units"] = 60  # the thumbnail, not the captions
    run = Run(fake, files, ["a", "b"])
    record = run.publish()
    assert record.steps == {"thumbnail": True, "captions": True}
    assert (2, "captions.insert") in run.calls()


def test_every_project_spent_is_a_quota_stop_not_a_failure(fake, files):
    for name in ("a", "b"):
        fake.projects[f"client-{name}"].buckets["uploads"] = 0
    run = Run(fake, files, ["a", "b"])
    with pytest.raises(StageError) as raised:
        run.publish()
    assert raised.value.kind == "wait"
    assert fake.completed_uploads() == []


def test_the_channel_cap_is_a_quota_stop(fake, files):
    fake.upload_cap = 0
    run = Run(fake, files, ["a", "b"])
    with pytest.raises(StageError) as raised:
        run.publish()
    assert raised.value.kind == "wait"
    assert [line["kind"] for line in run.lines("failure")] == ["upload_limit"]


def test_invalid_grant_moves_on_and_is_reported(fake, files):
    run = Run(fake, files, ["a", "b"])
    secrets = dict(run.secrets)
    broken = json.loads(secrets["youtube:1"])
    broken["refresh_token"] = "1//revoked"
    secrets["youtube:1"] = json.dumps(broken)
    run.secrets = secrets
    run.publish()
    assert [(line["connection_id"], line["kind"]) for line in run.lines("failure")] == [
        (1, "invalid_grant")
    ]
    assert len(fake.completed_uploads()) == 1


def test_a_rejected_thumbnail_does_not_undo_the_upload(fake, files):
    files["thumbnail"].write_bytes(b"\xff\xd8" + os.urandom(3 * 1024 * 1024))
    run = Run(fake, files, ["a"])
    record = run.publish()
    assert record.youtube_video_id and record.steps["thumbnail"] is False
    assert record.steps["captions"] is True


def test_server_errors_past_the_tries_leave_a_retryable_error(fake, files):
    fake.fail_next(
        503, {"error": {"code": 503, "message": "x", "errors": []}}, times=20, match="/upload/"
    )
    run = Run(fake, files, ["a"])
    with pytest.raises(StageError) as raised:
        run.publish()
    assert raised.value.kind == "provider" and raised.value.retryable


def test_schedule_and_metadata_reach_youtube(fake, files):
    from datetime import UTC, datetime

    at = datetime(2026, 12, 8, 17, 0, tzinfo=UTC)
    run = Run(
        fake, files, ["a"], publish_at=at, privacy="public", made_for_kids=True, category_id="27"
    )
    run.publish()
    [video] = fake.completed_uploads()
    assert video.metadata["status"] == {
        "privacyStatus": "private",
        "publishAt": "2026-12-08T17:00:00Z",
        "selfDeclaredMadeForKids": True,
        "embeddable": True,
    }
    assert video.metadata["snippet"]["categoryId"] == "27"


def test_the_supervisors_copy_resumes_when_the_job_folder_lost_its_record(fake, files):
    first = Run(fake, files, ["a"])
    crash_mid_upload(first)
    [line] = [line for line in first.lines("record")][:1]
    (files["job"] / RECORD_FILE).unlink()
    # What the supervisor kept from the "record" line (it does not know the size).
    kept = UploadRecord.model_validate({**line["record"], "size": None})
    again = Run(fake, files, ["a"], secrets=first.secrets, resume=kept)
    again.publish()
    assert fake.initiated_sessions() == 1 and len(fake.completed_uploads()) == 1


def test_a_chunk_answered_after_the_timeout_is_asked_about_and_resumed(fake, files):
    run = Run(fake, files, ["a"])
    run.plan = run.plan.model_copy(update={"timeout_s": 0.5})
    fake.stall_next(1.5, match="/upload/youtube/v3/videos")  # the session's creation
    fake.stall_next(1.5, times=2, match="/upload/youtube/v3/videos")  # and a chunk
    run.publish()
    [video] = fake.completed_uploads()
    assert video.sha256 == sha(files["video"])
    assert "timeout" in " ".join(line["message"] for line in run.lines("failure")).lower()
    assert fake.initiated_sessions() <= 2  # a session whose answer was lost is never used
