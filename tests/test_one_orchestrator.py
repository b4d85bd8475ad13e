"""One orchestrator: ``make-video`` and a video queued through the API on a running
supervisor go through the same code, so the same topic and settings give the same export."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import httpx

from tests.serving import YTEMPIRE, base_env, start_serve
from tests.test_scheduler_e2e import AUTH, create_user, video, wait_until

TOPIC = "why the sea is salty"
# Fields of metadata.json that name one run rather than the video: where and when it was
# published, and which queue's video id it had.
PER_RUN = {"publish_id", "created", "video_id", "files"}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_make_video_and_the_api_make_the_same_export(tmp_path: Path) -> None:
    env = base_env(tmp_path / "data", YTEMPIRE_SCHEDULER_TICK_S="5")
    made = subprocess.run(
        [*YTEMPIRE, "make-video", TOPIC, "--seconds", "15", "--format", "720p"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert made.returncode == 0, made.stderr[-3000:]
    by_cli = Path(made.stdout.strip().splitlines()[-1]).parent
    assert "cost: $" in made.stderr

    create_user(tmp_path, env)
    served = start_serve(tmp_path, env=env)
    try:
        url = served.wait_serving()
        # The channel make-video uses: the same name and niche, the box's budget.
        channel = httpx.post(
            f"{url}/api/v1/channels",
            json={"name": "make-video", "niche": "general", "format": "720p"},
            auth=AUTH,
        ).json()
        queued = httpx.post(
            f"{url}/api/v1/videos",
            json={"channel_id": channel["id"], "topic": TOPIC, "seconds": 15},
            auth=AUTH,
        ).json()
        done = wait_until(
            lambda: (v := video(url, queued["id"]))["status"] in ("succeeded", "failed") and v,
            600,
            "the API's video",
            served,
        )
    finally:
        served.stop()
    assert done["status"] == "succeeded", done
    by_api = Path(done["output_path"]).parent
    assert by_api != by_cli and by_api.parent == by_cli.parent  # one export folder, two videos

    cli_meta = json.loads((by_cli / "metadata.json").read_text())
    api_meta = json.loads((by_api / "metadata.json").read_text())
    assert {k: v for k, v in cli_meta.items() if k not in PER_RUN} == {
        k: v for k, v in api_meta.items() if k not in PER_RUN
    }
    for name in ("video.mp4", "thumbnail.jpg", "captions.srt"):
        assert sha256(by_cli / name) == sha256(by_api / name), name
