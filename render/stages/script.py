"""Script stage: the channel's providers in order (OpenAI or a local OpenAI-compatible
server), ending with the offline template writer."""

from __future__ import annotations

from render.artifacts import SCRIPT_FILE, Script, write_record
from render.protocol import Reporter, StageError, StageSpec
from render.providers import ProviderChoice
from render.script import write_script
from render.stages.chain import budget_left, first_that_delivers
from render.voice import speaking_rate

OFFLINE = ProviderChoice(name="template", kind="template")


def run(spec: StageSpec, reporter: Reporter) -> None:
    job = spec.job
    words_per_second = speaking_rate(job.voice)

    def attempt(choice: ProviderChoice) -> Script:
        reporter.progress(0.0, f"writing the script ({choice.name})")
        if choice.kind == "template":
            return _template_script(spec, words_per_second, reporter)
        from render.script.llm import write_script_llm

        return write_script_llm(
            choice,
            spec.secret(choice.credential),
            topic=job.topic,
            seconds=job.seconds,
            niche=job.niche,
            template=job.template,
            words_per_second=words_per_second,
            channel_name=job.channel_name,
            budget_left_micro_usd=budget_left(spec, reporter),
            on_charge=reporter.charge,
        )

    choice, script = first_that_delivers(spec, reporter, OFFLINE, attempt)
    write_record(spec.job_dir / SCRIPT_FILE, script)
    reporter.progress(1.0, "script written")
    words = sum(len(section.narration.split()) for section in script.sections)
    reporter.result(
        {"script": SCRIPT_FILE},
        {
            "title": script.title,
            "sections": len(script.sections),
            "words": words,
            "provider": choice.name,
        },
    )


def _template_script(spec: StageSpec, words_per_second: float, reporter: Reporter) -> Script:
    job = spec.job
    try:
        script = write_script(
            job.topic,
            job.seconds,
            niche=job.niche,
            template=job.template,
            seed=job.seed,
            words_per_second=words_per_second,
            channel_name=job.channel_name,
        )
    except ValueError as exc:
        raise StageError("bad_input", str(exc)) from None
    reporter.cost("template", 1, "script")
    return script
