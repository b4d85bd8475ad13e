"""A stage walks its providers: failures are reported (without credentials) and the next
one is tried; only when every one fails does the stage fail."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pydantic import SecretStr

from render.protocol import JobParams, Reporter, StageError, StageSpec
from render.providers import ProviderChoice, ProviderFailure
from render.stages.chain import first_that_delivers

KEY = "sk-live-abcdef0123456789"
OFFLINE = ProviderChoice(name="template", kind="template")
OPENAI = ProviderChoice(name="openai:gpt-4o", kind="openai", model="gpt-4o", credential="openai")


def spec(tmp_path: Path, *providers: ProviderChoice) -> StageSpec:
    return StageSpec(
        stage="script",
        job_dir=tmp_path,
        job=JobParams(topic="tides"),
        providers=list(providers),
        secrets={"openai": SecretStr(KEY)},
    )


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_failure_is_reported_without_the_key_and_the_next_provider_serves(tmp_path) -> None:
    stream = io.StringIO()

    def attempt(choice: ProviderChoice) -> str:
        if choice.kind == "openai":
            raise ProviderFailure(choice.name, "auth", f"Incorrect API key provided: {KEY}")
        return "written offline"

    chosen, result = first_that_delivers(
        spec(tmp_path, OPENAI, OFFLINE), Reporter(stream), OFFLINE, attempt
    )
    assert (chosen.name, result) == ("template", "written offline")
    [failed, log] = lines(stream)
    assert failed["type"] == "provider" and failed["kind"] == "auth" and failed["health"]
    assert KEY not in stream.getvalue() and "[redacted]" in failed["message"]
    assert log["type"] == "log" and log["level"] == "warning"


def test_a_real_provider_that_delivers_is_reported_healthy(tmp_path) -> None:
    stream = io.StringIO()
    chosen, _ = first_that_delivers(
        spec(tmp_path, OPENAI, OFFLINE), Reporter(stream), OFFLINE, lambda choice: "ok"
    )
    assert chosen is OPENAI
    assert lines(stream) == [{"type": "provider", "provider": "openai:gpt-4o", "ok": True}]


def test_without_providers_the_offline_one_runs_and_when_all_fail_the_stage_fails(
    tmp_path,
) -> None:
    chosen, _ = first_that_delivers(spec(tmp_path), Reporter(io.StringIO()), OFFLINE, str)
    assert chosen is OFFLINE

    def broken(choice: ProviderChoice) -> str:
        raise ProviderFailure(choice.name, "unavailable", "down")

    with pytest.raises(StageError, match="every provider failed") as failed:
        first_that_delivers(spec(tmp_path, OPENAI), Reporter(io.StringIO()), OFFLINE, broken)
    assert failed.value.retryable and failed.value.kind == "provider"


def test_a_spec_on_disk_or_in_a_log_never_holds_its_credentials(tmp_path) -> None:
    with_keys = spec(tmp_path, OPENAI, OFFLINE)
    assert with_keys.secret("openai") == KEY
    assert KEY not in with_keys.model_dump_json() and KEY not in repr(with_keys)
    reread = StageSpec.model_validate_json(with_keys.model_dump_json())
    assert reread.secrets == {} and reread.providers == with_keys.providers
