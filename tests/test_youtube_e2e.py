"""The real supervisor publishes to the loopback YouTube: a channel connected through the
API (consent, callback), a video made end to end, a SIGKILL of the supervisor mid-upload,
and after the restart the same resumable session finishes: YouTube sees one video."""

from __future__ import annotations

import signal
from pathlib import Path

import httpx

from tests.fakes.youtube_server import FakeYouTube
from tests.serving import start_serve
from tests.test_scheduler_e2e import AUTH, create_user, scheduler_env, video, wait_until

CHANNEL = "UC" + "e" * 22
SECRET = "GOCSPX-e2e-secret"


def test_sigkill_mid_upload_resumes_the_same_session(tmp_path: Path) -> None:
    with FakeYouTube() as fake:
        fake.add_project("client-1", SECRET)
        fake.consent_as(CHANNEL, "Deep Facts")
        env = scheduler_env(
            tmp_path / "data",
            YTEMPIRE_YOUTUBE_API_ROOT=f"{fake.url}/",
            YTEMPIRE_YOUTUBE_OAUTH_AUTH_URI=f"{fake.url}/o/oauth2/auth",
            YTEMPIRE_YOUTUBE_OAUTH_TOKEN_URI=f"{fake.url}/token",
            YTEMPIRE_YOUTUBE_CHUNK_MULTIPLE="1",
            OAUTHLIB_INSECURE_TRANSPORT="1",  # the fake speaks http on loopback
        )
        create_user(tmp_path, env)
        first = start_serve(tmp_path, env=env)
        try:
            url = first.wait_serving()
            project = httpx.post(
                f"{url}/api/v1/youtube/projects",
                json={
                    "name": "main",
                    "client_id": "client-1",
                    "client_secret": SECRET,
                    "audited": True,
                },
                auth=AUTH,
            )
            assert project.status_code == 201, project.text
            started = httpx.post(
                f"{url}/api/v1/youtube/projects/{project.json()['id']}/connect", json={}, auth=AUTH
            ).json()
            landed = httpx.get(started["authorization_url"]).headers["location"]
            assert landed.startswith(url)
            connected = httpx.get(landed, timeout=30)  # the browser, back on the box
            assert connected.status_code == 200, connected.text
            channel = httpx.post(
                f"{url}/api/v1/channels",
                json={"name": "Deep Facts", "youtube_channel_id": CHANNEL, "privacy": "public"},
                auth=AUTH,
            )
            assert channel.status_code == 201, channel.text
            fake.chunk_delay_s = 0.5  # slow enough to be caught mid-upload
            made = httpx.post(
                f"{url}/api/v1/videos",
                json={
                    "channel_id": channel.json()["id"],
                    "topic": "tides",
                    "seconds": 15,
                    "format": "720p",
                },
                auth=AUTH,
            )
            assert made.status_code == 201, made.text
            video_id = made.json()["id"]

            def mid_upload() -> bool:
                return any(s.data and s.video_id is None for s in list(fake.sessions.values()))

            wait_until(mid_upload, 600, "the upload to be under way", first)
            first.process.send_signal(signal.SIGKILL)
            first.process.wait(10)
        finally:
            first.stop()
        assert fake.completed_uploads() == []

        second = start_serve(tmp_path, env=env)
        try:
            url = second.wait_serving()
            finished = wait_until(
                lambda: (v := video(url, video_id))["status"] == "succeeded" and v,
                300,
                "the upload to finish after the restart",
                second,
            )
            [uploaded] = fake.completed_uploads()
            assert fake.initiated_sessions() == 1  # resumed, never a second upload
            assert finished["youtube_video_id"] == uploaded.id
            assert finished["youtube_url"] == f"https://www.youtube.com/watch?v={uploaded.id}"
            assert uploaded.size == Path(finished["output_path"]).stat().st_size
            assert uploaded.thumbnail and uploaded.captions
            stages = {s["name"]: s for s in finished["stages"]}
            assert stages["upload"]["attempts"] == 2 and stages["render"]["attempts"] == 1
            detail = httpx.get(f"{url}/api/v1/videos/{video_id}", auth=AUTH).json()
            assert detail["publishing"]["steps"] == {"thumbnail": True, "captions": True}
            second.process.send_signal(signal.SIGTERM)
            assert second.process.wait(30) == 0
        finally:
            second.stop()
