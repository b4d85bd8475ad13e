"""Voice stage: Piper neural TTS on this box."""

from __future__ import annotations

from render.artifacts import SCRIPT_FILE, TIMINGS_FILE, VOICE_FILE, Script, write_record
from render.protocol import Reporter, StageError, StageSpec
from render.stages.inputs import require_record
from render.voice import synthesize
from render.voices import VoiceNotFound, find_voice


def run(spec: StageSpec, reporter: Reporter) -> None:
    script = require_record(spec.job_dir, SCRIPT_FILE, Script)
    try:
        voice = find_voice(spec.job.voice, spec.job.voices_dir)
    except VoiceNotFound as exc:
        raise StageError("bad_input", str(exc)) from None
    reporter.progress(0.0, f"speaking with {voice.name}")
    timings = synthesize(script, voice, spec.job_dir / VOICE_FILE)
    write_record(spec.job_dir / TIMINGS_FILE, timings)
    reporter.cost("piper", round(timings.duration, 3), "seconds")
    reporter.progress(1.0, f"{timings.duration:.1f} s of speech")
    reporter.result(
        {"voice": VOICE_FILE, "timings": TIMINGS_FILE},
        {"seconds": timings.duration, "voice": voice.name, "word_timing": timings.word_timing},
    )
