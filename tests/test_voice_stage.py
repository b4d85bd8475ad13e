"""The voice stage with the real bundled Piper voice: WAV, timings, atomic writes.

Speech is kept short (a few seconds per script) and the loaded voice is shared, so the
whole module runs in a few seconds.
"""

from __future__ import annotations

import os
import wave
from pathlib import Path

import numpy as np
import pytest

from render.artifacts import Script, Section, Timings
from render.script import write_script
from render.voice import (
    DEFAULT_WORDS_PER_SECOND,
    Pauses,
    PiperSynthesizer,
    load_synthesizer,
    speak_script,
    speaking_rate,
    synthesize,
)
from render.voice.sentences import split_sentences, words_of
from render.voices import BUNDLED_VOICE_NAME, VoiceInfo, find_voice

SILENCE = 1e-4  # RMS of inserted silence: digital zero
VOICED = 0.02  # RMS inside speech is far above this


def make_script(*narrations: str) -> Script:
    return Script(
        topic="test",
        title="Test",
        description="",
        niche="general",
        template="test",
        words_per_second=3.0,
        sections=[Section(heading=f"Part {i}", narration=n) for i, n in enumerate(narrations)],
    )


SHORT = make_script(
    "Black holes bend light. Nobody has seen one up close.",
    "Astronomers still argue, and that is in the nature of science.",
)


def read_wav(path: Path) -> tuple[np.ndarray, int, wave._wave_params]:
    with wave.open(str(path), "rb") as wav:
        params = wav.getparams()
        frames = wav.readframes(params.nframes)
    return np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32767, params.framerate, params


def rms(audio: np.ndarray, start: float, end: float, rate: int) -> float:
    piece = audio[round(start * rate) : round(end * rate)]
    return float(np.sqrt(np.mean(piece.astype(np.float64) ** 2))) if len(piece) else 0.0


@pytest.fixture(scope="module")
def voice() -> VoiceInfo:
    return find_voice(BUNDLED_VOICE_NAME, None)


@pytest.fixture(scope="module")
def spoken(voice, tmp_path_factory) -> tuple[Timings, Path]:
    out = tmp_path_factory.mktemp("job") / "voice.wav"
    return synthesize(SHORT, voice, out), out


def test_wav_is_mono_16_bit_at_the_voice_rate(spoken, voice):
    timings, path = spoken
    audio, rate, params = read_wav(path)
    assert (params.nchannels, params.sampwidth, rate) == (1, 2, voice.sample_rate)
    assert timings.sample_rate == rate == 22050
    assert timings.duration == round(params.nframes / rate, 4)
    assert timings.voice == BUNDLED_VOICE_NAME


def test_sentence_timings_follow_the_script(spoken):
    timings, _ = spoken
    expected = [
        (index, sentence)
        for index, section in enumerate(SHORT.sections)
        for sentence in split_sentences(section.narration)
    ]
    assert [(s.section, s.text) for s in timings.sentences] == expected
    previous_end = 0.0
    for sentence in timings.sentences:
        assert previous_end <= sentence.start < sentence.end <= timings.duration
        previous_end = sentence.end
    assert timings.sentences[-1].end == timings.duration


def test_silence_lies_exactly_between_sentences(spoken):
    timings, path = spoken
    audio, rate, _ = read_wav(path)
    pauses = Pauses()
    for before, after in zip(timings.sentences, timings.sentences[1:], strict=False):
        gap = after.start - before.end
        expected = pauses.section if after.section != before.section else pauses.sentence
        assert gap == pytest.approx(expected, abs=2e-4)  # timings are rounded to 0.1 ms
        assert rms(audio, before.end, after.start, rate) < SILENCE
    for sentence in timings.sentences:
        assert rms(audio, sentence.start, sentence.end, rate) > VOICED


def test_words_come_from_the_engine_and_sit_inside_their_sentences(spoken):
    timings, path = spoken
    audio, rate, _ = read_wav(path)
    assert timings.word_timing == "engine"
    expected = [w for s in timings.sentences for w in words_of(s.text)]
    assert [w.text for w in timings.words] == expected
    previous_end = 0.0
    words = iter(timings.words)
    for sentence in timings.sentences:
        for _ in words_of(sentence.text):
            word = next(words)
            assert sentence.start <= word.start < word.end <= sentence.end
            assert word.start >= previous_end
            previous_end = word.end
            assert rms(audio, word.start, word.end, rate) > VOICED / 4, word


def test_the_voice_is_loaded_once_per_process(voice):
    first = load_synthesizer(voice.model_path, voice.config_path)
    assert load_synthesizer(voice.model_path, voice.config_path) is first
    assert first.has_alignments  # the bundled model, patched in memory for durations


def test_estimated_word_timings_when_the_engine_gives_none(voice, tmp_path):
    plain = PiperSynthesizer(voice.model_path, voice.config_path, alignments=False)
    assert not plain.has_alignments
    script = make_script("In the end, it is one of the oldest questions there is.")
    timings = speak_script(plain, script, tmp_path / "voice.wav", voice_name=voice.name)
    assert timings.word_timing == "estimated"
    sentence = timings.sentences[0]
    assert len(timings.words) == len(words_of(sentence.text))
    ends = [sentence.start] + [w.end for w in timings.words]
    assert all(a <= w.start < w.end for a, w in zip(ends, timings.words, strict=False))
    assert timings.words[-1].end <= sentence.end


def test_fresh_loads_write_identical_files(voice, tmp_path):
    """A re-run stage (a new worker process, a freshly loaded voice) writes the same bytes."""
    script = make_script("Repeat after me. The same words, the same sound.")
    results = []
    for run in ("first", "second"):
        synthesizer = PiperSynthesizer(voice.model_path, voice.config_path)
        out = tmp_path / run / "voice.wav"
        timings = speak_script(synthesizer, script, out, voice_name=voice.name)
        results.append((out.read_bytes(), timings))
    assert results[0] == results[1]


def test_rerun_replaces_the_file_and_leaves_no_debris(spoken, voice, tmp_path):
    out = tmp_path / "voice.wav"
    script = make_script("One short sentence.")
    first = synthesize(script, voice, out)
    second = synthesize(script, voice, out)
    assert os.listdir(tmp_path) == ["voice.wav"]
    _, rate, params = read_wav(out)
    assert second.duration == round(params.nframes / rate, 4)
    assert first.sentences[0].text == second.sentences[0].text


def test_a_failure_midway_keeps_the_old_file_and_no_temp(voice, tmp_path):
    out = tmp_path / "voice.wav"
    out.write_bytes(b"previous take")

    def stop(fraction: float) -> None:
        raise RuntimeError("worker cancelled")

    with pytest.raises(RuntimeError, match="cancelled"):
        synthesize(SHORT, voice, out, progress=stop)
    assert out.read_bytes() == b"previous take"
    assert os.listdir(tmp_path) == ["voice.wav"]


def test_progress_reaches_one(voice, tmp_path):
    seen: list[float] = []
    synthesize(make_script("First. Second."), voice, tmp_path / "v.wav", progress=seen.append)
    assert seen == [0.5, 1.0]


def test_length_scale_slows_the_voice(voice, tmp_path):
    script = make_script("Slowly now, one word at a time.")
    normal = synthesize(script, voice, tmp_path / "a.wav")
    slow = synthesize(script, voice, tmp_path / "b.wav", length_scale=1.6)
    assert slow.duration > 1.3 * normal.duration
    with pytest.raises(ValueError, match="length_scale"):
        synthesize(script, voice, tmp_path / "c.wav", length_scale=0)


def test_a_script_for_n_seconds_speaks_for_about_n_seconds(voice, tmp_path):
    """The measured rate holds: the writer's plan and the voice agree."""
    assert speaking_rate(BUNDLED_VOICE_NAME) == 3.0
    assert speaking_rate("xx_XX-nobody-low") == DEFAULT_WORDS_PER_SECOND
    script = write_script("coral reefs", 20)
    timings = synthesize(script, voice, tmp_path / "voice.wav")
    assert 15.0 <= timings.duration <= 25.0
