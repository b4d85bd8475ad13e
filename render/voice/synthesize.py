"""The voice stage's work: a Script spoken into one WAV, with sentence and word timings."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from render.artifacts import Script, TimedSentence, TimedText, Timings
from render.voice.engine import PiperSynthesizer
from render.voice.sentences import split_sentences, words_of
from render.voices import VoiceInfo

# Timings are rounded to 0.1 ms; rounding never reorders, so ends stay before starts.
TIME_DECIMALS = 4


@dataclass(frozen=True)
class Pauses:
    """Silence inserted after each sentence, on top of Piper's own short tails."""

    sentence: float = 0.25
    section: float = 0.7


def synthesize(
    script: Script,
    voice: VoiceInfo,
    out_wav: Path,
    *,
    length_scale: float | None = None,
    pauses: Pauses = Pauses(),
    progress: Callable[[float], None] | None = None,
    threads: int | None = None,
) -> Timings:
    """Speak ``script`` with ``voice`` into ``out_wav``; return timings that match it.

    The voice is loaded once per process (see ``load_synthesizer``). Blocking and
    CPU-bound: run it in a worker, not on an event loop.
    """
    synthesizer = load_synthesizer(voice.model_path, voice.config_path, threads=threads)
    return speak_script(
        synthesizer,
        script,
        out_wav,
        voice_name=voice.name,
        length_scale=length_scale,
        pauses=pauses,
        progress=progress,
    )


def load_synthesizer(
    model_path: Path, config_path: Path, *, threads: int | None = None
) -> PiperSynthesizer:
    """The loaded voice for these files, loaded on first use and kept for the process."""
    model_path, config_path = Path(model_path), Path(config_path)
    stat = model_path.stat()
    # The file's size and mtime are part of the key: a replaced voice file is reloaded.
    return _cached_synthesizer(model_path, config_path, stat.st_size, stat.st_mtime_ns, threads)


@functools.lru_cache(maxsize=2)
def _cached_synthesizer(
    model_path: Path, config_path: Path, _size: int, _mtime_ns: int, threads: int | None
) -> PiperSynthesizer:
    return PiperSynthesizer(model_path, config_path, threads=threads)


def speak_script(
    synthesizer: PiperSynthesizer,
    script: Script,
    out_wav: Path,
    *,
    voice_name: str,
    length_scale: float | None = None,
    pauses: Pauses = Pauses(),
    progress: Callable[[float], None] | None = None,
) -> Timings:
    if length_scale is not None and not 0.25 <= length_scale <= 4.0:
        raise ValueError(f"length_scale must be between 0.25 and 4, not {length_scale}")
    from render.voice.wav import atomic_wav

    rate = synthesizer.sample_rate
    plan = [
        (index, sentence)
        for index, section in enumerate(script.sections)
        for sentence in split_sentences(section.narration)
    ]
    if not plan:
        raise ValueError("script has no narration to speak")

    sentences: list[TimedSentence] = []
    words: list[TimedText] = []
    all_engine_timed = True
    position = 0  # samples written so far
    with atomic_wav(out_wav, rate) as wav:
        for number, (section, text) in enumerate(plan):
            spoken = synthesizer.speak(text, length_scale)
            all_engine_timed &= spoken.engine_timed
            start = position
            wav.writeframes(spoken.audio.tobytes())
            position += len(spoken.audio)
            sentences.append(
                TimedSentence(
                    text=text, start=_s(start, rate), end=_s(position, rate), section=section
                )
            )
            for word, span in zip(words_of(text), spoken.words, strict=True):
                words.append(
                    TimedText(
                        text=word,
                        start=_s(start + span.start, rate),
                        end=_s(start + span.end, rate),
                    )
                )
            if number + 1 < len(plan):
                next_section = plan[number + 1][0]
                gap = pauses.section if next_section != section else pauses.sentence
                silence = np.zeros(round(gap * rate), dtype=np.int16)
                wav.writeframes(silence.tobytes())
                position += len(silence)
            if progress is not None:
                progress((number + 1) / len(plan))

    return Timings(
        sample_rate=rate,
        duration=_s(position, rate),
        sentences=sentences,
        words=words,
        word_timing="engine" if all_engine_timed else "estimated",
        voice=voice_name,
    )


def _s(samples: int, rate: int) -> float:
    return round(samples / rate, TIME_DECIMALS)
