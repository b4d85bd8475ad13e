"""How fast each voice speaks, so the script writer can plan a length in seconds.

Rates are words per second of the finished narration track, the pauses between
sentences and sections included, measured over realistic scripts with
``measure_speaking_rate``. An unknown voice gets the default, a typical narration pace.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from render.artifacts import Script
    from render.voices import VoiceInfo

DEFAULT_WORDS_PER_SECOND = 2.6

# Measured with measure_speaking_rate over eight 90-second scripts in all seven niches
# (1,799 words, 602 s of audio, default pauses). Redo it when a voice or the pauses change.
MEASURED_WORDS_PER_SECOND = {
    "en_US-joe-medium": 3.0,
}


def speaking_rate(voice_name: str) -> float:
    return MEASURED_WORDS_PER_SECOND.get(voice_name, DEFAULT_WORDS_PER_SECOND)


def measure_speaking_rate(voice: VoiceInfo, scripts: Sequence[Script]) -> float:
    """Words per second of ``voice`` speaking ``scripts``, pauses included (slow: it
    synthesizes every script)."""
    from render.voice.synthesize import synthesize

    words = seconds = 0.0
    with tempfile.TemporaryDirectory() as folder:
        for script in scripts:
            timings = synthesize(script, voice, Path(folder) / "measure.wav")
            words += sum(len(section.narration.split()) for section in script.sections)
            seconds += timings.duration
    if not seconds:
        raise ValueError("no scripts to measure")
    return words / seconds
