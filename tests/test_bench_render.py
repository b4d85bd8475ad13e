"""The render benchmark's workload and report (the timing itself is not a test)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from bench import render_bench as bench_script
from render.compose import benchmark as render_bench


def test_reference_plan_is_the_reference_workload(tmp_path):
    plan = render_bench.reference_plan(tmp_path, 1280, 720)

    assert (plan.width, plan.height, plan.fps, plan.duration) == (1280, 720, 30, 60.0)
    assert plan.frame_count == 1800
    assert len(plan.segments) == 6
    for before, after in zip(plan.segments, plan.segments[1:], strict=False):
        assert before.end - after.start == pytest.approx(0.5)
    for segment in plan.segments:
        assert {segment.motion.zoom_from, segment.motion.zoom_to} == {1.0, 1.2}
        with Image.open(segment.path) as image:
            assert image.size == (1920, 1080)
            grey = np.asarray(image.convert("L"))
        assert cv2.Laplacian(grey, cv2.CV_64F).std() > 1  # detail, not flat colour
        assert grey.std() > 15
    assert len(plan.captions) == 20
    assert all(caption.end - caption.start == pytest.approx(3.0) for caption in plan.captions)
    assert plan.audio is not None and plan.audio.voice.stat().st_size > 60 * 22_050 * 2


def test_bench_reports_render_and_floor(tmp_path, monkeypatch):
    monkeypatch.setattr(render_bench, "DURATION", 2.0)
    monkeypatch.setattr(render_bench, "CAPTION_EVERY", 0.5)
    monkeypatch.setattr(render_bench, "CROSSFADE", 0.1)
    monkeypatch.setattr(render_bench, "FLOOR_WINDOW", (10, 20))
    monkeypatch.setitem(render_bench.FORMATS, "tiny", (192, 108))

    result = render_bench.run_render_bench("tiny", workdir=tmp_path)

    assert result["frames"] == 60
    assert result["floor_seconds"] > 0 and result["render_seconds"] > 0
    assert result["ratio"] == pytest.approx(
        result["render_seconds"] / result["floor_seconds"],
        rel=0.1,  # rounded to ms
    )
    assert result["machine"]["cores"]
    json.dumps(result)
    assert "ratio render/floor" in render_bench.describe(result)
    assert list(Path(tmp_path).iterdir()) == []  # the work folder is cleaned up


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="format"):
        render_bench.run_render_bench("8k")


def test_the_script_runs_the_same_benchmark(monkeypatch, capsys):
    calls = []

    def fake(format, repeat=1):
        calls.append((format, repeat))
        return {"format": format, "ratio": 1.0}

    monkeypatch.setattr(bench_script, "run_render_bench", fake)
    assert bench_script.main(["--format", "shorts", "--repeat", "2", "--json"]) == 0
    assert calls == [("shorts", 2)]
    assert json.loads(capsys.readouterr().out) == {"format": "shorts", "ratio": 1.0}
