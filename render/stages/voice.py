"""Voice stage: Google Cloud Text-to-Speech when the channel names it, Piper on this box
otherwise and as the fallback."""

from __future__ import annotations

from render.artifacts import SCRIPT_FILE, TIMINGS_FILE, VOICE_FILE, Script, Timings, write_record
from render.protocol import Reporter, StageError, StageSpec
from render.providers import ProviderChoice
from render.stages.chain import budget_left, first_that_delivers
from render.stages.inputs import require_record
from render.voice import synthesize
from render.voices import VoiceNotFound, find_voice

OFFLINE = ProviderChoice(name="piper", kind="piper")


def run(spec: StageSpec, reporter: Reporter) -> None:
    script = require_record(spec.job_dir, SCRIPT_FILE, Script)
    out_wav = spec.job_dir / VOICE_FILE

    def attempt(choice: ProviderChoice) -> Timings:
        if choice.kind == "piper":
            return _piper(spec, choice, script, reporter)
        from render.voice.google_tts import speak_script_google

        reporter.progress(0.0, f"speaking with {choice.model}")
        return speak_script_google(
            choice,
            spec.secret(choice.credential),
            script,
            out_wav,
            budget_left_micro_usd=budget_left(spec, reporter),
            on_charge=reporter.charge,
            progress=lambda fraction: reporter.progress(fraction, "speaking"),
        )

    choice, timings = first_that_delivers(spec, reporter, OFFLINE, attempt)
    write_record(spec.job_dir / TIMINGS_FILE, timings)
    reporter.progress(1.0, f"{timings.duration:.1f} s of speech")
    reporter.result(
        {"voice": VOICE_FILE, "timings": TIMINGS_FILE},
        {
            "seconds": timings.duration,
            "voice": timings.voice,
            "word_timing": timings.word_timing,
            "provider": choice.name if choice.kind != "piper" else f"piper:{timings.voice}",
        },
    )


def _piper(spec: StageSpec, choice: ProviderChoice, script: Script, reporter: Reporter) -> Timings:
    try:
        voice = find_voice(choice.model or spec.job.voice, spec.job.voices_dir)
    except VoiceNotFound as exc:
        raise StageError("bad_input", str(exc)) from None
    reporter.progress(0.0, f"speaking with {voice.name}")
    timings = synthesize(
        script,
        voice,
        spec.job_dir / VOICE_FILE,
        progress=lambda fraction: reporter.progress(fraction, "speaking"),
        threads=spec.job.threads,
    )
    reporter.cost("piper", round(timings.duration, 3), "seconds")
    return timings
