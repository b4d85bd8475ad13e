"""YouTube projects and connections over the API, against the loopback Google/YouTube fake:
connecting by callback and by pasted address, one-use states, scoping, secrets never shown,
quota per project and day, reconnecting, publishing by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import select, update

from appliance.config.settings import Settings
from appliance.domain.youtube import connections as youtube_connections
from storage.models import (
    Video,
    YouTubeConnection,
    YouTubeOAuthState,
    YouTubeProject,
    utcnow,
)
from tests.api_support import Api, Caller
from tests.conftest import make_settings
from tests.fakes.youtube_server import FakeYouTube

BASE = "/api/v1/youtube"
CHANNEL = "UC" + "b" * 22
SECRET = "GOCSPX-fake-secret-42"


@pytest.fixture
def fake() -> Iterator[FakeYouTube]:
    with FakeYouTube() as server:
        server.add_project("client-1.apps.googleusercontent.com", SECRET)
        server.consent_as(CHANNEL, "Deep Facts")
        yield server


def youtube_settings(data_dir: Path, fake: FakeYouTube, **env: str) -> Settings:
    return make_settings(
        data_dir,
        YTEMPIRE_YOUTUBE_API_ROOT=f"{fake.url}/",
        YTEMPIRE_YOUTUBE_OAUTH_AUTH_URI=f"{fake.url}/o/oauth2/auth",
        YTEMPIRE_YOUTUBE_OAUTH_TOKEN_URI=f"{fake.url}/token",
        **env,
    )


@pytest.fixture
def settings(tmp_path: Path, fake: FakeYouTube, monkeypatch: pytest.MonkeyPatch) -> Settings:
    # oauthlib refuses http:// token endpoints unless told this is a test.
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    return youtube_settings(tmp_path / "data", fake)


async def add_project(api: Api, caller: Caller, **fields) -> dict:
    body = {
        "name": "Main project",
        "client_id": "client-1.apps.googleusercontent.com",
        "client_secret": SECRET,
        **fields,
    }
    status, project = await api.call(caller, "POST", f"{BASE}/projects", json=body)
    assert status == 201, project
    return project


def consent(authorization_url: str) -> str:
    """What a browser does: open the URL, sign in, land on the redirect (its address)."""
    answer = httpx.get(authorization_url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def connect_by_callback(api: Api, caller: Caller, project_id: int) -> dict:
    status, started = await api.call(
        caller, "POST", f"{BASE}/projects/{project_id}/connect", json={}
    )
    assert status == 200, started
    landed = urlsplit(consent(started["authorization_url"]))
    status, connection = await api.call(None, "GET", f"{landed.path}?{landed.query}")
    assert status == 200, connection
    return connection


async def test_connect_through_the_callback(api: Api, fake: FakeYouTube) -> None:
    caller = await api.caller()
    project = await add_project(api, caller)
    status, started = await api.call(
        caller, "POST", f"{BASE}/projects/{project['id']}/connect", json={}
    )
    assert status == 200
    query = httpx.URL(started["authorization_url"]).params
    assert query["access_type"] == "offline" and query["prompt"] == "consent"
    assert query["state"] == started["state"] and query["code_challenge_method"] == "S256"
    assert started["redirect_uri"].endswith("/api/v1/youtube/oauth/callback")

    landed = urlsplit(consent(started["authorization_url"]))
    status, connection = await api.call(None, "GET", f"{landed.path}?{landed.query}")
    assert status == 200, connection
    assert connection["youtube_channel_id"] == CHANNEL
    assert connection["title"] == "Deep Facts"
    assert connection["status"] == "connected" and connection["health"] == 1.0

    # The same state a second time is refused: it was for one connect.
    status, problem = await api.call(None, "GET", f"{landed.path}?{landed.query}")
    assert status == 400 and problem["errors"][0]["field"] == "state"

    status, listed = await api.call(caller, "GET", f"{BASE}/connections")
    assert [c["id"] for c in listed["items"]] == [connection["id"]]
    # Asking YouTube which channel signed in cost one unit of the project's day.
    status, day = await api.call(caller, "GET", f"{BASE}/projects/{project['id']}/quota")
    assert day["methods"] == [
        {"method": "channels.list", "bucket": "units", "calls": 1, "units": 1}
    ]


async def test_connect_by_pasting_the_redirected_address(api: Api, fake: FakeYouTube) -> None:
    caller = await api.caller()
    project = await add_project(api, caller)
    lan = "http://localhost:8080/api/v1/youtube/oauth/callback"
    status, started = await api.call(
        caller, "POST", f"{BASE}/projects/{project['id']}/connect", json={"redirect_uri": lan}
    )
    assert status == 200 and started["redirect_uri"] == lan
    landed = consent(started["authorization_url"])
    assert landed.startswith(lan)  # where a LAN box's browser shows "cannot connect"
    status, connection = await api.call(
        caller, "POST", f"{BASE}/connections/paste", json={"url": landed}
    )
    assert status == 200, connection
    assert connection["youtube_channel_id"] == CHANNEL


async def test_paste_the_code_alone_with_its_state(api: Api, fake: FakeYouTube) -> None:
    caller = await api.caller()
    project = await add_project(api, caller)
    _, started = await api.call(caller, "POST", f"{BASE}/projects/{project['id']}/connect", json={})
    code = httpx.URL(consent(started["authorization_url"])).params["code"]
    status, problem = await api.call(
        caller, "POST", f"{BASE}/connections/paste", json={"code": code}
    )
    assert status == 400 and problem["errors"][0]["field"] == "state"
    status, connection = await api.call(
        caller, "POST", f"{BASE}/connections/paste", json={"code": code, "state": started["state"]}
    )
    assert status == 200, connection


async def test_a_state_is_its_owners_and_a_bad_code_is_said(api: Api, fake: FakeYouTube) -> None:
    owner, other = await api.caller(), await api.caller()
    project = await add_project(api, owner)
    _, started = await api.call(owner, "POST", f"{BASE}/projects/{project['id']}/connect", json={})
    landed = consent(started["authorization_url"])
    status, problem = await api.call(
        other, "POST", f"{BASE}/connections/paste", json={"url": landed}
    )
    assert status == 400 and problem["errors"][0]["field"] == "state"

    _, started = await api.call(owner, "POST", f"{BASE}/projects/{project['id']}/connect", json={})
    status, problem = await api.call(
        owner,
        "POST",
        f"{BASE}/connections/paste",
        json={"code": "not-a-code", "state": started["state"]},
    )
    assert status == 422 and problem["errors"][0]["field"] == "code"
    assert "invalid_grant" in problem["detail"]

    status, problem = await api.call(
        None, "GET", f"{BASE}/oauth/callback?error=access_denied&state={started['state']}"
    )
    assert status == 400 and "refused" in problem["detail"]


async def test_projects_are_scoped_and_keep_their_secret(api: Api, fake: FakeYouTube) -> None:
    owner, other = await api.caller(), await api.caller()
    project = await add_project(api, owner, audited=False)
    assert SECRET not in str(project)
    assert project["note"] and "audit" in project["note"]
    assert [b["name"] for b in project["quota"]["buckets"]] == ["uploads", "units"]
    uploads = project["quota"]["buckets"][0]
    assert uploads == {"name": "uploads", "size": 100, "used": 0, "left": 100, "reserve": 10}

    status, _ = await api.call(other, "GET", f"{BASE}/projects/{project['id']}")
    assert status == 404
    status, page = await api.call(other, "GET", f"{BASE}/projects")
    assert page["items"] == []
    status, _ = await api.call(other, "DELETE", f"{BASE}/projects/{project['id']}")
    assert status == 404

    async with api.services.db.read() as session:
        row = await session.scalar(select(YouTubeProject))
    assert SECRET.encode() not in row.client_secret_cipher

    status, problem = await api.call(
        owner,
        "POST",
        f"{BASE}/projects",
        json={
            "name": "again",
            "client_id": "client-1.apps.googleusercontent.com",
            "client_secret": SECRET,
        },
    )
    assert status == 409


async def test_bad_project_input_names_the_field(api: Api) -> None:
    caller = await api.caller()
    for body, field in [
        ({"name": "x", "client_id": "bad id!", "client_secret": SECRET}, "client_id"),
        ({"name": "x", "client_id": "c-2", "client_secret": "short"}, "client_secret"),
        (
            {
                "name": "x",
                "client_id": "c-3",
                "client_secret": SECRET,
                "quota_buckets": {"nope": 5},
            },
            "quota_buckets.nope",
        ),
    ]:
        status, problem = await api.call(caller, "POST", f"{BASE}/projects", json=body)
        assert status == 400, problem
        assert field in problem["detail"], problem


async def test_an_api_key_cannot_manage_projects(api: Api) -> None:
    caller = await api.caller()
    status, key = await api.call(
        caller, "POST", "/api/v1/keys", json={"name": "n8n", "scopes": ["read", "write"]}
    )
    assert status == 201, key
    status, _ = await api.call(
        None,
        "POST",
        f"{BASE}/projects",
        json={"name": "x", "client_id": "c-9", "client_secret": SECRET},
        headers={"X-API-Key": key["key"]},
    )
    assert status == 403


async def test_a_revoked_grant_is_reconnected(api: Api, fake: FakeYouTube) -> None:
    caller = await api.caller()
    project = await add_project(api, caller)
    connection = await connect_by_callback(api, caller, project["id"])
    async with api.services.db.write() as session:
        await youtube_connections.record_failure(
            session,
            api.services.settings,
            connection_id=connection["id"],
            project_id=project["id"],
            kind="invalid_grant",
            message="revoked",
            video_id=None,
            now=utcnow(),
        )
    _, found = await api.call(caller, "GET", f"{BASE}/connections/{connection['id']}")
    assert found["status"] == "needs_reconnect" and found["health"] < 1.0

    status, started = await api.call(
        caller, "POST", f"{BASE}/connections/{connection['id']}/reconnect", json={}
    )
    assert status == 200
    landed = urlsplit(consent(started["authorization_url"]))
    status, again = await api.call(None, "GET", f"{landed.path}?{landed.query}")
    assert status == 200 and again["id"] == connection["id"]
    assert again["status"] == "connected" and again["health"] == 1.0


async def test_disconnect_forgets_the_token(api: Api, fake: FakeYouTube) -> None:
    caller = await api.caller()
    project = await add_project(api, caller)
    connection = await connect_by_callback(api, caller, project["id"])
    status, _ = await api.call(caller, "DELETE", f"{BASE}/connections/{connection['id']}")
    assert status == 204
    async with api.services.db.read() as session:
        assert (await session.scalar(select(YouTubeConnection))) is None


async def test_a_video_is_marked_published_by_hand(api: Api) -> None:
    caller = await api.caller()
    channel = await api.channel(caller)
    video = await api.video(caller, channel["id"])
    path = f"/api/v1/videos/{video['id']}/published"
    url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    status, problem = await api.call(caller, "POST", path, json={"youtube_url": url})
    assert status == 409  # not finished yet
    async with api.services.db.write() as session:
        await session.execute(update(Video).values(status="succeeded"))
    status, problem = await api.call(
        caller, "POST", path, json={"youtube_url": "https://example.com/x"}
    )
    assert status == 400 and problem["errors"][0]["field"] == "youtube_url"
    status, published = await api.call(caller, "POST", path, json={"youtube_url": url})
    assert status == 200, published
    assert published["youtube_video_id"] == "dQw4w9WgXcQ"
    assert published["youtube_url"] == url
    status, detail = await api.call(caller, "GET", f"/api/v1/videos/{video['id']}")
    assert detail["publishing"]["note"] == "published by hand"


async def test_expired_connects_are_cleared_and_refused(api: Api, fake: FakeYouTube) -> None:
    caller = await api.caller()
    project = await add_project(api, caller)
    _, old = await api.call(caller, "POST", f"{BASE}/projects/{project['id']}/connect", json={})
    landed = consent(old["authorization_url"])
    async with api.services.db.write() as session:
        await session.execute(
            update(YouTubeOAuthState).values(expires_at=utcnow() - timedelta(minutes=1))
        )
    status, problem = await api.call(
        caller, "POST", f"{BASE}/connections/paste", json={"url": landed}
    )
    assert status == 400 and "expired" in problem["detail"]
    await api.call(caller, "POST", f"{BASE}/projects/{project['id']}/connect", json={})
    async with api.services.db.read() as session:
        states = (await session.scalars(select(YouTubeOAuthState))).all()
    assert [s.state for s in states] != [] and old["state"] not in {s.state for s in states}
