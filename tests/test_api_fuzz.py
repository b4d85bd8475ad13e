"""Schemathesis drives the real server from its own OpenAPI document.

Random, edge-case and malformed input on every documented operation must never
produce a 5xx, and every answer must match the schema the document declares.
The number of examples is bounded so the run fits in CI.
"""

from __future__ import annotations

import subprocess

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks
from schemathesis.core.failures import FailureGroup

from tests.serving import YTEMPIRE, base_env, start_serve

EMAIL, PASSWORD = "fuzz@example.com", "fuzz-password-1"
MAX_EXAMPLES = 30
# Tested on their own (tests/test_api_auth.py, test_api_users.py): fuzzing them
# with the one session the fuzzer holds would end that session.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]
SESSION_ENDING = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/me/password")}


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("fuzz")
    # No slots: videos the fuzzer queues stay queued instead of rendering.
    env = base_env(
        root / "data",
        YTEMPIRE_SCHEDULER_CPU_SLOTS="0",
        YTEMPIRE_SCHEDULER_IO_SLOTS="0",
        YTEMPIRE_SCHEDULER_GPU_SLOTS="0",
    )
    made = subprocess.run(
        [*YTEMPIRE, "user", "create", "--email", EMAIL, "--password", PASSWORD, "--role", "admin"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    served = start_serve(root, env=env)
    try:
        url = served.wait_serving()
        token = httpx.post(
            f"{url}/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}
        ).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        # Something for the id-taking routes to find.
        channel = httpx.post(f"{url}/api/v1/channels", json={"name": "Fuzz"}, headers=headers)
        assert channel.status_code == 201, channel.text
        video = httpx.post(
            f"{url}/api/v1/videos",
            json={"channel_id": channel.json()["id"], "topic": "fuzzing"},
            headers=headers,
        )
        assert video.status_code == 201, video.text
        yield url, headers, served
    finally:
        served.stop()


def test_no_server_errors_and_answers_match_the_schema(fuzz_server) -> None:
    url, headers, served = fuzz_server
    schema = schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json")
    failures: list[str] = []
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SESSION_ENDING:
            continue

        @given(
            case=st.one_of(
                operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
            )
        )
        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case) -> None:
            case.call_and_validate(base_url=url, headers=headers, checks=CHECKS)

        try:
            fuzz()
        except (Exception, FailureGroup) as exc:  # every operation's, not just the first
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:2000])
        checked += 1
        assert served.process.poll() is None, served.output()[-3000:]
    assert checked >= 25
    assert not failures, "\n\n".join(failures)


def test_the_document_is_valid_openapi(fuzz_server) -> None:
    url, _, _ = fuzz_server
    document = httpx.get(f"{url}/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    # Loading validates the document against the OpenAPI 3.1 meta-schema.
    loaded = schemathesis.openapi.from_dict(document)
    operations = [op.ok() for op in loaded.get_all_operations()]
    assert len(operations) >= 25
    for operation in operations:
        if operation.path.startswith("/api/v1/") and operation.path not in (
            "/api/v1/auth/login",
            "/api/v1/auth/refresh",
            "/api/v1/openapi.json",
            # Google's redirect carries the connect's one-use state, never a token.
            "/api/v1/youtube/oauth/callback",
            # Stripe's events are proven by their signature over the raw body.
            "/api/v1/billing/stripe/webhook",
        ):
            assert operation.definition.raw.get("security"), operation.path
