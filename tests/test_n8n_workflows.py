"""The n8n workflows shipped in integrations/n8n/: well-formed for n8n 1.x, every HTTP
call they make is a route of the OpenAPI document with a body its schema accepts, the
queueing workflow replayed against the real app queues once per feed item, and the
notification workflow's Code node (run in node, as n8n runs it) accepts real signed
deliveries and refuses tampered, stale and foreign ones."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from appliance.config.settings import Settings
from appliance.server.webhook_delivery import WebhookDeliverer
from tests.api_support import Api
from tests.conftest import make_settings
from tests.fakes.webhook_receiver import WebhookReceiver

WORKFLOWS = Path(__file__).resolve().parent.parent / "integrations" / "n8n"
RUN_NODE = Path(__file__).resolve().parent / "n8n" / "run_node.js"
RSS_ITEM = {
    "title": "Webb spots the oldest galaxy yet",
    "link": "https://www.nasa.gov/news/webb-oldest-galaxy",
    "guid": "https://www.nasa.gov/?p=812345",
    "isoDate": "2026-12-01T10:00:00.000Z",
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data", YTEMPIRE_WEBHOOKS_ALLOW_PRIVATE_TARGETS="true")


def workflow(name: str) -> dict[str, Any]:
    return json.loads((WORKFLOWS / name).read_text())


def node(flow: dict[str, Any], name: str) -> dict[str, Any]:
    [found] = [n for n in flow["nodes"] if n["name"] == name]
    return found


def run_node(request: dict[str, Any]) -> Any:
    done = subprocess.run(
        [shutil.which("node") or "node", str(RUN_NODE)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return json.loads(done.stdout)


def evaluate(value: Any, item: dict[str, Any], nodes: dict[str, Any]) -> Any:
    return run_node({"mode": "expression", "value": value, "json": item, "nodes": nodes})


@pytest.mark.parametrize("name", sorted(p.name for p in WORKFLOWS.glob("*.json")))
def test_each_workflow_is_a_well_formed_n8n_1_workflow(name: str) -> None:
    flow = workflow(name)
    assert flow["name"].startswith("YTEmpire: ")
    names = [n["name"] for n in flow["nodes"]]
    assert len(names) == len(set(names))
    for item in flow["nodes"]:
        assert re.fullmatch(r"[0-9a-f-]{36}", item["id"]), item["name"]
        assert item["type"].startswith("n8n-nodes-base.") and item["typeVersion"] >= 1
        assert len(item["position"]) == 2 and isinstance(item["parameters"], dict)
    for source, outputs in flow["connections"].items():
        assert source in names
        for branch in outputs["main"]:
            assert all(link["node"] in names for link in branch)
    assert flow["settings"]["executionOrder"] == "v1"
    # Nothing secret ships in a workflow: keys and secrets live in n8n's credentials/env.
    text = json.dumps(flow)
    assert "whsec_" not in text.replace("/^whsec_/", "") and "yte_" not in text


async def test_the_rss_workflow_calls_the_api_as_documented_and_queues_once(api: Api) -> None:
    flow = workflow("queue-videos-from-rss.json")
    spec = await (await api.client.get("/api/v1/openapi.json")).get_json()
    caller = await api.caller()
    channel = await api.channel(caller)
    status, key = await api.call(caller, "POST", "/api/v1/keys", json={"name": "n8n"})
    assert status == 201

    settings = {
        a["name"]: a["value"]
        for a in node(flow, "Settings")["parameters"]["assignments"]["assignments"]
    }
    settings |= {"ytempire_url": "http://box.test", "channel_id": channel["id"]}
    assert (
        evaluate(node(flow, "Read the feed")["parameters"]["url"], settings, {})
        == settings["feed_url"]
    )
    call = node(flow, "Queue a video")
    params = call["parameters"]
    assert call["credentials"]["httpHeaderAuth"]["name"] == "YTEmpire API key"
    url = evaluate(params["url"], RSS_ITEM, {"Settings": settings})
    path = url.removeprefix(settings["ytempire_url"])
    operation = spec["paths"][path][params["method"].lower()]
    headers = {
        h["name"]: evaluate(h["value"], RSS_ITEM, {"Settings": settings})
        for h in params["headerParameters"]["parameters"]
    }
    documented = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
    assert set(headers) <= documented  # Idempotency-Key
    body = json.loads(evaluate(params["jsonBody"], RSS_ITEM, {"Settings": settings}))
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    # (jsonschema_rs comes with schemathesis, the API fuzzer.)
    jsonschema_rs.validate({**schema, "components": spec["components"]}, body)
    assert body["topic"] == RSS_ITEM["title"] and body["channel_id"] == channel["id"]

    # Replayed against the app: the same feed item the next hour queues nothing more.
    sent = {**headers, "X-API-Key": key["key"]}
    first = await api.client.post(path, json=body, headers=sent)
    again = await api.client.post(path, json=body, headers=sent)
    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    status, page = await api.call(caller, "GET", "/api/v1/videos")
    assert [v["topic"] for v in page["items"]] == [RSS_ITEM["title"]]


async def test_the_notification_workflow_verifies_real_deliveries(api: Api) -> None:
    flow = workflow("notify-on-published.json")
    hook = node(flow, "YTEmpire webhook")["parameters"]
    assert hook["httpMethod"] == "POST" and hook["options"]["rawBody"] is True
    assert hook["responseMode"] == "responseNode"
    code = node(flow, "Verify the signature")["parameters"]["jsCode"]
    caller = await api.caller()
    with WebhookReceiver() as receiver:
        status, made = await api.call(
            caller,
            "POST",
            "/api/v1/webhooks",
            json={"url": f"{receiver.url}/webhook/{hook['path']}", "events": ["*"]},
        )
        assert status == 201
        channel = await api.channel(caller)
        await api.video(caller, channel["id"], topic="why tides turn")
        deliverer = WebhookDeliverer(api.services.box)
        await deliverer.deliver_due()
        await deliverer.close()
    [request] = receiver.requests
    assert request.path == f"/webhook/{hook['path']}"

    def verify(body: bytes, headers: dict[str, str], secret: str) -> dict[str, Any]:
        # As n8n hands them over: the headers in the item's JSON, the raw body as binary.
        item = {"json": {"headers": headers, "body": {}}, "raw": body.decode()}
        [out] = run_node({"mode": "code", "code": code, "items": [item],
                          "env": {"YTEMPIRE_WEBHOOK_SECRET": secret}})  # fmt: skip
        return out["json"]

    good = verify(request.body, request.headers, made["secret"])
    assert good["valid"] is True and good["event"]["type"] == "video.queued"
    assert good["event"]["data"]["video"]["topic"] == "why tides turn"
    tampered = request.body.replace(b"tides", b"tidez")
    assert verify(tampered, request.headers, made["secret"])["valid"] is False
    assert verify(request.body, request.headers, "whsec_" + "A" * 32)["valid"] is False
    stale = {**request.headers, "webhook-timestamp": str(int(time.time()) - 600)}
    assert verify(request.body, stale, made["secret"])["valid"] is False

    # The branches: a bad signature is answered 401 (the box retries), a good one 204;
    # only video.published mails the team.
    respond = {n["name"]: n["parameters"]["options"]["responseCode"] for n in flow["nodes"]
               if n["type"] == "n8n-nodes-base.respondToWebhook"}  # fmt: skip
    assert respond == {"Accept": 204, "Refuse": 401}
    signed = flow["connections"]["Signed?"]["main"]
    assert [b[0]["node"] for b in signed] == ["Accept", "Refuse"]
    published = node(flow, "Published?")["parameters"]["conditions"]["conditions"][0]
    assert published["rightValue"] == "video.published"
    event = {**good["event"], "type": "video.published"}
    event["data"]["video"]["youtube_url"] = "https://youtu.be/dQw4w9WgXcQ"
    mail = node(flow, "Mail the team")["parameters"]
    text = evaluate(mail["text"], {}, {"Verify the signature": {"event": event}})
    assert "https://youtu.be/dQw4w9WgXcQ" in text and "why tides turn" in text
