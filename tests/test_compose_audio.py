"""The soundtrack: resampling, ducking, loudness normalisation and true-peak limiting."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from render.compose import AudioPlan, RenderPlan, Segment, render_video
from render.compose.audio import ducking, loudness
from tests.test_compose_fixtures import (
    RATE,
    band_level_db,
    decoded_audio,
    ffmpeg_loudness,
    flat_image,
    speech_like,
    tone,
    write_image,
    write_wav,
)

SECONDS = 6.0
MUSIC_HZ = 5512.5  # where the voice's 8-tap moving average has a null: the music alone


def render_audio(folder: Path, audio: AudioPlan | None, seconds: float = SECONDS) -> np.ndarray:
    still = write_image(folder / "still.png", flat_image(128, 72, 90))
    plan = RenderPlan(
        width=128,
        height=72,
        duration=seconds,
        segments=[Segment(path=still, kind="image", start=0, end=seconds)],
        audio=audio,
        output=folder / "out.mp4",
    )
    render_video(plan)
    return decoded_audio(plan.output)


@pytest.mark.parametrize(
    ("rate", "stereo", "gain", "target"),
    [
        (22_050, False, 0.1, -14.0),  # a quiet TTS voice, brought up
        (44_100, True, 3.0, -14.0),  # a clipping-loud voice: the limiter works hard
        (16_000, False, 1.0, -20.0),  # another target
    ],
)
def test_loudness_lands_on_target_under_the_true_peak_ceiling(tmp_path, rate, stereo, gain, target):
    speech = speech_like(SECONDS, rate, [(0.3, 2.5), (3.0, 5.7)]) * gain
    samples = np.clip(np.stack([speech, speech * 0.8]) if stereo else speech, -1, 1)
    voice = write_wav(tmp_path / "voice.wav", samples, rate)

    audio = render_audio(tmp_path, AudioPlan(voice=voice, target_lufs=target))

    assert audio.shape[0] == 2
    assert audio.shape[1] == pytest.approx(SECONDS * RATE, abs=1024)
    integrated, true_peak = ffmpeg_loudness(audio)
    assert integrated == pytest.approx(target, abs=1.0)
    assert true_peak <= -0.5


def test_music_ducks_under_the_voice_and_loops(tmp_path):
    voice = write_wav(tmp_path / "voice.wav", speech_like(8.0, 22_050, [(2.0, 4.0)]), 22_050)
    music = write_wav(tmp_path / "music.wav", tone(1.3, 44_100, MUSIC_HZ), 44_100)
    plan = AudioPlan(voice=voice, music=music, music_gain_db=-18.0, duck_db=-12.0)

    mono = render_audio(tmp_path, plan, seconds=8.0).mean(axis=0)

    def music_level(start: float, end: float) -> float:
        return band_level_db(mono[int(start * RATE) : int(end * RATE)], RATE, MUSIC_HZ)

    before = music_level(0.5, 1.5)
    under_voice = music_level(2.6, 3.6)
    after = music_level(5.3, 6.3)  # the 1.3 s music file has looped several times by now
    faded = music_level(7.6, 8.0)  # the music fades out over the last 1.5 s
    assert under_voice - before == pytest.approx(-12.0, abs=2.0)
    assert after == pytest.approx(before, abs=1.5)
    assert faded < before - 10


def test_a_plan_without_audio_gets_a_silent_stereo_track(tmp_path):
    audio = render_audio(tmp_path, None, seconds=2.0)
    assert audio.shape[0] == 2
    assert audio.shape[1] == pytest.approx(2.0 * RATE, abs=1024)
    assert np.abs(audio).max() < 1e-4


def test_duck_envelope_moves_smoothly_between_levels():
    hop = ducking.CONTROL_HOP / RATE
    speaking = np.zeros(600, dtype=bool)
    speaking[100:300] = True
    speaking[310:320] = True  # a short word after a short pause: no pumping back up
    envelope = ducking.duck_envelope(speaking, -12.0)

    assert envelope[:80].max() > -0.1  # before the lookahead
    assert envelope[95] < -0.5  # ducking starts ahead of the speech
    assert envelope[150:300].max() < -11.5
    assert envelope[300:330].max() < -11.0  # held through the gap
    assert envelope[-1] > -0.5  # released afterwards
    steps = np.abs(np.diff(envelope))
    assert steps.max() < 12.0 * (1 - np.exp(-hop / 0.08)) + 1e-9  # attack-limited


def test_limiter_curve_meets_every_requirement_with_ramps():
    required = np.zeros(200)
    required[100] = -6.0
    required[150:152] = -3.0
    curve = loudness.limiter_curve(required, attack_db_per_hop=1.5, release_db_per_hop=0.4)

    assert curve.shape == (201,)
    assert np.all(curve[:-1] <= required + 1e-9) and np.all(curve[1:] <= required + 1e-9)
    assert curve.max() <= 0.0
    assert np.all(np.diff(curve[:101]) >= -1.5 - 1e-9)  # falls no faster than the attack
    assert np.all(np.diff(curve[101:150]) <= 0.4 + 1e-9)  # rises no faster than the release
    assert curve[98] < -2.0  # starts falling before the peak (edge 100)
    assert curve[0] == 0.0 and curve[-1] == 0.0


def test_gated_loudness_ignores_silence_below_the_gates():
    blocks = np.array([-23.0] * 50 + [-80.0] * 50 + [-40.0] * 5)
    assert loudness.gated_loudness(blocks) == pytest.approx(-23.0, abs=1e-6)
    assert loudness.gated_loudness(np.full(10, -np.inf)) == -np.inf
