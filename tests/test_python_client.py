"""The generated Python client (clients/python/): made from the document the app serves
now, and working against a real ``ytempire serve``: sign in, a channel, a video queued
twice under one Idempotency-Key, a webhook endpoint, errors as Problem objects."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.serving import Served, base_env, start_serve

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = ROOT / "clients"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "ytempire_clients_generate", CLIENTS / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_client_and_its_document_are_current() -> None:
    generator = _generator()
    text = generator.spec_text(await generator.openapi_document())
    committed = (CLIENTS / "openapi.json").read_text()
    stale = "run `.venv/bin/python clients/generate.py` and commit clients/"
    assert committed == text, f"clients/openapi.json is stale: {stale}"
    made_from = (CLIENTS / "python" / generator.MADE_FROM).read_text().strip()
    assert made_from == hashlib.sha256(text.encode()).hexdigest(), f"the client is stale: {stale}"


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Served, str, str]]:
    served = start_serve(tmp_path, env=base_env(tmp_path / "data"))
    try:
        url = served.wait_serving()
        printed = "\n".join(served.lines())
        yield served, url, printed
    finally:
        served.stop()


@pytest.fixture
def client_package() -> Iterator[None]:
    sys.path.insert(0, str(CLIENTS / "python"))
    try:
        yield
    finally:
        sys.path.remove(str(CLIENTS / "python"))


def test_the_client_drives_a_real_server(served, client_package) -> None:
    from ytempire_client import AuthenticatedClient, Client
    from ytempire_client.api.auth import login
    from ytempire_client.api.keys import create_key
    from ytempire_client.api.videos import list_videos
    from ytempire_client.models import ApiKeyIn, LoginIn, Problem

    _, url, printed = served
    email = printed.split("email:")[1].split()[0]
    password = printed.split("password:")[1].split()[0]
    with Client(base_url=url) as anonymous:
        tokens = login.sync(client=anonymous, body=LoginIn(email, password))
    assert not isinstance(tokens, Problem) and tokens is not None
    with AuthenticatedClient(base_url=url, token=tokens.access_token) as api:
        _use(api)
        made = create_key.sync(client=api, body=ApiKeyIn(name="script"))
    # An API key goes in X-API-Key: the same client, told so.
    with AuthenticatedClient(
        base_url=url, token=made.key, prefix="", auth_header_name="X-API-Key"
    ) as keyed:
        assert [v.topic for v in list_videos.sync(client=keyed).items] == ["why tides turn"]


def _use(api) -> None:
    from ytempire_client.api.channels import create_channel
    from ytempire_client.api.videos import create_video, get_video, list_videos
    from ytempire_client.api.webhooks import create_webhook
    from ytempire_client.models import (
        ChannelIn,
        Problem,
        VideoIn,
        WebhookIn,
    )

    channel = create_channel.sync(client=api, body=ChannelIn(name="Deep Facts"))
    assert not isinstance(channel, Problem) and channel.name == "Deep Facts"
    wanted = VideoIn(channel_id=channel.id, topic="why tides turn", seconds=15)
    first = create_video.sync_detailed(client=api, body=wanted, idempotency_key="sheet-row-1")
    again = create_video.sync_detailed(client=api, body=wanted, idempotency_key="sheet-row-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.parsed.id == again.parsed.id
    page = list_videos.sync(client=api)
    assert [video.id for video in page.items] == [first.parsed.id]
    video = get_video.sync(client=api, video_id=first.parsed.id)
    assert video.topic == "why tides turn" and video.files_tier == "hot"

    # Errors come back as the Problem model, the field named.
    refused = create_webhook.sync(
        client=api, body=WebhookIn(url="http://127.0.0.1:9/hook", events=["*"])
    )
    assert isinstance(refused, Problem) and refused.status == 400
    assert refused.errors[0].field == "url"
    missing = get_video.sync(client=api, video_id=999_999)
    assert isinstance(missing, Problem) and missing.status == 404
