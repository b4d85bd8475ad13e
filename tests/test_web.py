from __future__ import annotations

import json
import logging
import shutil

import pytest
from quart.typing import TestClientProtocol as Client

from appliance.config.settings import Settings
from appliance.observability.logs import JsonFormatter
from tests.conftest import make_settings
from web.app import create_app


async def test_healthz(app_client: Client) -> None:
    response = await app_client.get("/healthz")
    assert response.status_code == 200
    assert await response.get_json() == {"status": "ok"}


async def test_readyz_ready_with_every_check(app_client: Client) -> None:
    response = await app_client.get("/readyz")
    body = await response.get_json()
    assert response.status_code == 200, body
    assert body["status"] == "ready" and body["reasons"] == []
    assert {c["name"] for c in body["checks"]} == {
        "database",
        "storage.hot",
        "storage.warm",
        "storage.cold",
    }


async def test_readyz_503_names_a_missing_tier(app_client: Client, settings: Settings) -> None:
    shutil.rmtree(settings.tier_root("warm"))
    response = await app_client.get("/readyz")
    body = await response.get_json()
    assert response.status_code == 503
    assert body["status"] == "unavailable"
    assert body["reasons"] == [
        f"storage.warm: {settings.tier_root('warm')} does not exist or is not a folder"
    ]


async def test_readyz_503_when_a_tier_is_short_of_space(tmp_path) -> None:
    settings = make_settings(tmp_path / "d", YTEMPIRE_STORAGE_MIN_FREE_MB=str(2**40))
    app = create_app(settings)
    async with app.test_app() as test_app:
        response = await test_app.test_client().get("/readyz")
        body = await response.get_json()
    assert response.status_code == 503
    assert len(body["reasons"]) == 3 and all("below the minimum" in r for r in body["reasons"])


async def test_readyz_503_while_draining(app_client: Client) -> None:
    app = app_client.app
    app.extensions["ytempire"].draining = True
    response = await app_client.get("/readyz")
    assert response.status_code == 503
    assert (await response.get_json())["reasons"][0] == "shutting down"


async def test_metrics_count_requests(app_client: Client) -> None:
    await app_client.get("/healthz")
    await app_client.get("/healthz")
    response = await app_client.get("/metrics")
    text = await response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain")
    assert 'ytempire_http_requests_total{method="GET",route="/healthz",status="200"} 2.0' in text
    assert 'ytempire_tier_free_bytes{tier="hot"}' in text
    assert "process_resident_memory_bytes" in text
    assert 'ytempire_build_info{version="' in text


async def test_openapi_document_and_offline_docs_page(app_client: Client) -> None:
    response = await app_client.get("/api/v1/openapi.json")
    document = await response.get_json()
    assert response.status_code == 200
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "YTEmpire appliance API"
    assert {"/healthz", "/readyz"} <= set(document["paths"])
    readyz = document["paths"]["/readyz"]["get"]["responses"]
    assert {"200", "503"} <= set(readyz)

    page = await (await app_client.get("/api/v1/docs")).get_data(as_text=True)
    assert "https://" not in page and "http://" not in page  # no CDN
    for asset in (
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
    ):
        assert asset in page
        served = await app_client.get(asset)
        assert served.status_code == 200
        assert len(await served.get_data()) > 10_000


async def test_the_console_asks_a_stranger_to_sign_in(app_client: Client) -> None:
    response = await app_client.get("/")
    assert response.status_code == 303 and response.headers["Location"] == "/sign-in?next=/"
    page = await (await app_client.get("/sign-in")).get_data(as_text=True)
    assert 'name="csrf_token"' in page and "https://" not in page and "http://" not in page
    for asset in ("/static/vendor/htmx/htmx.min.js", "/static/console.js", "/static/console.css"):
        assert asset in page
        assert (await app_client.get(asset)).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "status"), [("GET", "/nope", 404), ("POST", "/healthz", 405)]
)
async def test_errors_are_problem_json(
    app_client: Client, method: str, path: str, status: int
) -> None:
    response = await app_client.open(path, method=method)
    assert response.status_code == status
    assert response.content_type == "application/problem+json"
    body = json.loads(await response.get_data(as_text=True))
    assert body["status"] == status and body["detail"] and body["title"]
    assert body["request_id"] == response.headers["X-Request-ID"]


async def test_request_id_is_echoed_or_made(app_client: Client) -> None:
    given = await app_client.get("/healthz", headers={"X-Request-ID": "n8n-run-42"})
    assert given.headers["X-Request-ID"] == "n8n-run-42"
    made = await app_client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert made.headers["X-Request-ID"] != "bad id with spaces"
    assert len(made.headers["X-Request-ID"]) == 16


async def test_access_log_is_one_json_line_with_the_request_id(
    app_client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="ytempire.access"):
        await app_client.get("/healthz", headers={"X-Request-ID": "trace-1"})
    records = [r for r in caplog.records if r.name == "ytempire.access"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["status"] == 200 and line["route"] == "/healthz" and line["method"] == "GET"
    assert "duration_ms" in line and "\n" not in JsonFormatter().format(records[0])


async def test_the_openapi_document_has_no_console_pages(app_client: Client) -> None:
    document = await (await app_client.get("/api/v1/openapi.json")).get_json()
    paths = set(document["paths"])
    assert {"/healthz", "/api/v1/videos"} <= paths
    assert not {"/", "/sign-in", "/channels", "/videos", "/parts/dashboard"} & paths
