"""Script stage: the offline template writer."""

from __future__ import annotations

from render.artifacts import SCRIPT_FILE, write_record
from render.protocol import Reporter, StageError, StageSpec
from render.script import write_script
from render.voice import speaking_rate


def run(spec: StageSpec, reporter: Reporter) -> None:
    job = spec.job
    reporter.progress(0.0, "writing the script")
    try:
        script = write_script(
            job.topic,
            job.seconds,
            niche=job.niche,
            template=job.template,
            seed=job.seed,
            words_per_second=speaking_rate(job.voice),
            channel_name=job.channel_name,
        )
    except ValueError as exc:
        raise StageError("bad_input", str(exc)) from None
    write_record(spec.job_dir / SCRIPT_FILE, script)
    reporter.cost("template", 1, "script")
    reporter.progress(1.0, "script written")
    words = sum(len(section.narration.split()) for section in script.sections)
    reporter.result(
        {"script": SCRIPT_FILE},
        {"title": script.title, "sections": len(script.sections), "words": words},
    )
