"""Piper voice: a Script spoken into one WAV with sentence and word timings."""

from render.voice.engine import PiperSynthesizer
from render.voice.rate import DEFAULT_WORDS_PER_SECOND, speaking_rate
from render.voice.synthesize import Pauses, load_synthesizer, speak_script, synthesize

__all__ = [
    "DEFAULT_WORDS_PER_SECOND",
    "Pauses",
    "PiperSynthesizer",
    "load_synthesizer",
    "speak_script",
    "speaking_rate",
    "synthesize",
]
