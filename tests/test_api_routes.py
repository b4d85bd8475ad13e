"""Every API route, as nobody and as a second user: 401 without credentials, and

someone else's resource is a 404. The table below must name every route the app
has, so a new route cannot land without saying how it is protected.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from appliance.domain import boxes
from appliance.domain.youtube import connections as youtube_connections
from tests.api_support import Api
from web.app import create_app


@dataclass(frozen=True)
class Route:
    path: str  # with {channel}, {video}, {key}, {user}, {webhook}: the first user's
    body: dict[str, Any] | None = None
    public: bool = False
    # How a second user is kept out: "404" on the first user's resource, "list" (sees
    # none of the first user's rows), or "own" (only ever acts on themselves).
    tenancy: str = "404"
    extra: dict[str, Any] = field(default_factory=dict)


V = "/api/v1/videos/<row_id:video_id>"
CH = "/api/v1/channels/<row_id:channel_id>"
YT = "/api/v1/youtube"
P = f"{YT}/projects/<row_id:project_id>"
C = f"{YT}/connections/<row_id:connection_id>"
W = "/api/v1/webhooks/<row_id:endpoint_id>"
CREDENTIAL = "<any('openai', 'local-llm', 'google-tts', 'pexels', 'pixabay'):name>"
ROUTES: dict[tuple[str, str], Route] = {
    ("POST", "/api/v1/auth/login"): Route("/api/v1/auth/login", public=True, tenancy="own"),
    ("POST", "/api/v1/auth/refresh"): Route("/api/v1/auth/refresh", public=True, tenancy="own"),
    ("POST", "/api/v1/auth/logout"): Route("/api/v1/auth/logout", {}, tenancy="own"),
    ("GET", "/api/v1/docs"): Route("/api/v1/docs", public=True, tenancy="own"),
    ("GET", "/api/v1/openapi.json"): Route("/api/v1/openapi.json", public=True, tenancy="own"),
    ("GET", "/api/v1/me"): Route("/api/v1/me", tenancy="own"),
    ("PATCH", "/api/v1/me"): Route("/api/v1/me", {}, tenancy="own"),
    ("POST", "/api/v1/me/password"): Route("/api/v1/me/password", {}, tenancy="own"),
    ("GET", "/api/v1/users"): Route("/api/v1/users", tenancy="admin"),
    ("POST", "/api/v1/users"): Route("/api/v1/users", {}, tenancy="admin"),
    ("GET", "/api/v1/users/<row_id:user_id>"): Route("/api/v1/users/{user}"),
    ("PATCH", "/api/v1/users/<row_id:user_id>"): Route("/api/v1/users/{user}", {"role": "admin"}),
    ("GET", "/api/v1/keys"): Route("/api/v1/keys", tenancy="list"),
    ("POST", "/api/v1/keys"): Route("/api/v1/keys", {"name": "k"}, tenancy="own"),
    ("GET", "/api/v1/keys/<row_id:key_id>"): Route("/api/v1/keys/{key}"),
    ("DELETE", "/api/v1/keys/<row_id:key_id>"): Route("/api/v1/keys/{key}"),
    ("GET", "/api/v1/credentials"): Route("/api/v1/credentials", tenancy="own"),
    ("PUT", f"/api/v1/credentials/{CREDENTIAL}"): Route(
        "/api/v1/credentials/pexels", {"value": "pexels-key-0123"}, tenancy="own"
    ),
    ("DELETE", f"/api/v1/credentials/{CREDENTIAL}"): Route(
        "/api/v1/credentials/pexels", tenancy="own"
    ),
    ("GET", "/api/v1/channels"): Route("/api/v1/channels", tenancy="list"),
    ("POST", "/api/v1/channels"): Route("/api/v1/channels", {"name": "c"}, tenancy="own"),
    ("GET", "/api/v1/channels/<row_id:channel_id>"): Route("/api/v1/channels/{channel}"),
    ("PATCH", "/api/v1/channels/<row_id:channel_id>"): Route(
        "/api/v1/channels/{channel}", {"name": "mine now"}
    ),
    ("DELETE", "/api/v1/channels/<row_id:channel_id>"): Route("/api/v1/channels/{channel}"),
    ("GET", "/api/v1/videos"): Route("/api/v1/videos", tenancy="list"),
    ("POST", "/api/v1/videos"): Route(
        "/api/v1/videos", {"channel_id": "{channel}", "topic": "stolen channel"}
    ),
    ("POST", "/api/v1/videos/batch"): Route(
        "/api/v1/videos/batch", {"channel_id": "{channel}", "items": [{"topic": "stolen"}]}
    ),
    ("GET", V): Route("/api/v1/videos/{video}"),
    ("DELETE", V): Route("/api/v1/videos/{video}"),
    ("PATCH", V): Route("/api/v1/videos/{video}", {"budget_micro_usd": 4_000_000}),
    ("POST", f"{V}/cancel"): Route("/api/v1/videos/{video}/cancel"),
    ("POST", f"{V}/retry"): Route("/api/v1/videos/{video}/retry"),
    ("GET", f"{V}/costs"): Route("/api/v1/videos/{video}/costs"),
    ("GET", f"{V}/file"): Route("/api/v1/videos/{video}/file"),
    ("GET", f"{V}/thumbnail"): Route("/api/v1/videos/{video}/thumbnail"),
    (
        "GET",
        f"{V}/artifacts/<any('video', 'thumbnail', 'captions', 'metadata', 'script', 'voice', "
        "'timings', 'media'):kind>",
    ): Route("/api/v1/videos/{video}/artifacts/script"),
    ("GET", "/api/v1/analytics"): Route("/api/v1/analytics?channel_id={channel}"),
    ("GET", "/api/v1/system/slots"): Route("/api/v1/system/slots", tenancy="own"),
    ("GET", "/api/v1/system/queue"): Route("/api/v1/system/queue", tenancy="own"),
    ("GET", "/api/v1/system/version"): Route("/api/v1/system/version", tenancy="own"),
    ("GET", "/api/v1/system/jobs"): Route("/api/v1/system/jobs", tenancy="admin"),
    ("GET", "/api/v1/system/boxes"): Route("/api/v1/system/boxes", tenancy="admin"),
    ("POST", "/api/v1/system/boxes/<box_id>/drain"): Route(
        "/api/v1/system/boxes/{box}/drain", tenancy="admin"
    ),
    ("POST", "/api/v1/system/boxes/<box_id>/resume"): Route(
        "/api/v1/system/boxes/{box}/resume", tenancy="admin"
    ),
    ("DELETE", "/api/v1/system/boxes/<box_id>"): Route(
        "/api/v1/system/boxes/{box}", tenancy="admin"
    ),
    ("WS", "/api/v1/events"): Route("/api/v1/events", tenancy="events"),
    ("POST", f"{V}/review/approve"): Route("/api/v1/videos/{video}/review/approve"),
    ("POST", f"{V}/review/reject"): Route("/api/v1/videos/{video}/review/reject", {}),
    ("POST", f"{V}/published"): Route(
        "/api/v1/videos/{video}/published", {"youtube_url": "https://youtu.be/dQw4w9WgXcQ"}
    ),
    ("GET", f"{CH}/backlog"): Route("/api/v1/channels/{channel}/backlog"),
    ("POST", f"{CH}/backlog"): Route("/api/v1/channels/{channel}/backlog", {"topics": ["x"]}),
    ("POST", f"{CH}/backlog/ideas"): Route(
        "/api/v1/channels/{channel}/backlog/ideas", {"count": 1}
    ),
    ("PUT", f"{CH}/backlog/order"): Route("/api/v1/channels/{channel}/backlog/order", {"ids": [1]}),
    ("DELETE", f"{CH}/backlog/<row_id:topic_id>"): Route("/api/v1/channels/{channel}/backlog/1"),
    ("POST", f"{YT}/projects"): Route(f"{YT}/projects", {}, tenancy="own"),
    ("GET", f"{YT}/projects"): Route(f"{YT}/projects", tenancy="list"),
    ("GET", P): Route(f"{YT}/projects/{{project}}"),
    ("PATCH", P): Route(f"{YT}/projects/{{project}}", {"name": "mine now"}),
    ("DELETE", P): Route(f"{YT}/projects/{{project}}"),
    ("GET", f"{P}/quota"): Route(f"{YT}/projects/{{project}}/quota"),
    ("POST", f"{P}/connect"): Route(f"{YT}/projects/{{project}}/connect", {}),
    ("GET", f"{YT}/oauth/callback"): Route(
        f"{YT}/oauth/callback?code=c&state=s", public=True, tenancy="own"
    ),
    ("POST", f"{YT}/connections/paste"): Route(
        f"{YT}/connections/paste", {"code": "c", "state": "s"}, tenancy="own"
    ),
    ("GET", f"{YT}/connections"): Route(f"{YT}/connections", tenancy="list"),
    ("GET", C): Route(f"{YT}/connections/{{connection}}"),
    ("DELETE", C): Route(f"{YT}/connections/{{connection}}"),
    ("POST", f"{C}/reconnect"): Route(f"{YT}/connections/{{connection}}/reconnect", {}),
    ("GET", "/api/v1/webhooks/event-types"): Route("/api/v1/webhooks/event-types", tenancy="own"),
    ("GET", "/api/v1/webhooks"): Route("/api/v1/webhooks", tenancy="list"),
    ("POST", "/api/v1/webhooks"): Route(
        "/api/v1/webhooks", {"url": "http://93.184.215.14/hook", "events": ["*"]}, tenancy="own"
    ),
    ("GET", W): Route("/api/v1/webhooks/{webhook}"),
    ("PATCH", W): Route("/api/v1/webhooks/{webhook}", {"description": "mine now"}),
    ("DELETE", W): Route("/api/v1/webhooks/{webhook}"),
    ("GET", f"{W}/messages"): Route("/api/v1/webhooks/{webhook}/messages"),
    ("POST", f"{W}/messages/<row_id:message_id>/redeliver"): Route(
        "/api/v1/webhooks/{webhook}/messages/{message}/redeliver"
    ),
    ("POST", f"{W}/test"): Route("/api/v1/webhooks/{webhook}/test"),
    ("GET", "/api/v1/billing"): Route("/api/v1/billing", tenancy="own"),
    ("POST", "/api/v1/billing/checkout"): Route(
        "/api/v1/billing/checkout", {"plan": "creator"}, tenancy="own"
    ),
    ("POST", "/api/v1/billing/portal"): Route("/api/v1/billing/portal", {}, tenancy="own"),
    # Stripe's: its signature is the proof (tests/test_billing.py).
    ("POST", "/api/v1/billing/stripe/webhook"): Route(
        "/api/v1/billing/stripe/webhook", {}, public=True, tenancy="own"
    ),
    # Scoped inside: a second user's export is their own rows (tests/test_data_export.py).
    ("GET", "/api/v1/export/<any('videos', 'costs', 'quota', 'analytics'):dataset>"): Route(
        "/api/v1/export/videos", tenancy="own"
    ),
}


def test_the_table_names_every_api_route(settings) -> None:
    app = create_app(settings)
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        if rule.websocket:
            found.add(("WS", rule.rule))
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method, rule.rule))
    assert found == set(ROUTES)


@pytest.fixture
async def world(api: Api) -> dict[str, Any]:
    """The first user's channel, video and key; a second user; an admin."""
    first = await api.caller("operator")
    second = await api.caller("operator")
    admin = await api.caller("admin")
    channel = await api.channel(first)
    video = await api.video(first, channel["id"])
    status, key = await api.call(first, "POST", "/api/v1/keys", json={"name": "mine"})
    assert status == 201
    status, project = await api.call(
        first,
        "POST",
        "/api/v1/youtube/projects",
        json={"name": "p", "client_id": "client-1", "client_secret": "secret-123"},
    )
    assert status == 201, project
    services = api.services
    async with services.db.write() as session:
        connection = await youtube_connections.keep(
            session, services.credentials, first.id, project["id"], "UC" + "x" * 22, "c", "1//t"
        )
    # A public address (no delivery is made here).
    status, hook = await api.call(
        first,
        "POST",
        "/api/v1/webhooks",
        json={"url": "http://93.184.215.14/hook", "events": ["*"]},
    )
    assert status == 201, hook
    status, _ = await api.call(first, "POST", f"/api/v1/webhooks/{hook['id']}/test")
    status, sent = await api.call(first, "GET", f"/api/v1/webhooks/{hook['id']}/messages")
    await boxes.register(services.db, box_id="box-2", boot_id="b", url=None, capacity=4)
    ids = {
        "box": "box-2",
        "webhook": hook["id"],
        "message": sent["items"][0]["id"],
        "channel": channel["id"],
        "video": video["id"],
        "key": key["id"],
        "user": first.id,
        "project": project["id"],
        "connection": connection.id,
    }
    return {"first": first, "second": second, "admin": admin, "ids": ids}


def _fill(value: Any, ids: dict[str, int]) -> Any:
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


HTTP = [key for key in ROUTES if key[0] != "WS"]


@pytest.mark.parametrize(("method", "rule"), HTTP, ids=[f"{m} {r}" for m, r in HTTP])
async def test_credentials_are_required(api: Api, world, method: str, rule: str) -> None:
    route = ROUTES[(method, rule)]
    status, body = await api.call(
        None, method, _fill(route.path, world["ids"]), json=_fill(route.body, world["ids"])
    )
    if route.public:
        assert status != 401, body
    else:
        assert status == 401, body
        assert "authentication required" in body["detail"]


TENANTED = [key for key in HTTP if ROUTES[key].tenancy in ("404", "list", "admin")]


@pytest.mark.parametrize(("method", "rule"), TENANTED, ids=[f"{m} {r}" for m, r in TENANTED])
async def test_a_second_user_cannot_reach_the_first_users_resources(
    api: Api, world, method: str, rule: str
) -> None:
    route = ROUTES[(method, rule)]
    path, body = _fill(route.path, world["ids"]), _fill(route.body, world["ids"])
    status, answer = await api.call(world["second"], method, path, json=body)
    if route.tenancy == "404":
        assert status == 404, answer
        assert answer["detail"].endswith("not found")
    elif route.tenancy == "admin":
        assert status == 403, answer
    else:
        assert status == 200 and answer["items"] == [], answer
    # ...while the owner (or for admin routes, an admin) still can.
    who = world["admin"] if route.tenancy == "admin" else world["first"]
    if method == "GET":
        status, answer = await api.call(who, method, path)
        assert status in (200, 404 if path.endswith(("/file", "/thumbnail", "/script")) else 200)
