"""Outbound webhooks: messages commit with the change they tell about, deliveries are
signed so the reference verifier accepts them, failures retry in order with the same
id and end by turning the endpoint off, SSRF targets are refused, the routes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from appliance.config.settings import Settings
from appliance.domain.events import record_event
from appliance.domain.webhook_targets import target_problem
from appliance.server.webhook_delivery import WebhookDeliverer
from storage.models import Event, Video, WebhookMessage, utcnow
from tests.api_support import Api, Caller
from tests.conftest import make_settings
from tests.console_support import Browser
from tests.fakes.webhook_receiver import WebhookReceiver

# The same behaviour on the embedded database and on the shared one.
pytestmark = pytest.mark.usefixtures("database_backend")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The receiver is on loopback: allowed here, refused by default (tested below).
    return make_settings(tmp_path / "data", YTEMPIRE_WEBHOOKS_ALLOW_PRIVATE_TARGETS="true")


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as fake:
        yield fake


class Clock:
    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


async def endpoint(api: Api, caller: Caller, url: str, events=("*",)) -> dict:
    status, body = await api.call(
        caller, "POST", "/api/v1/webhooks", json={"url": url, "events": list(events)}
    )
    assert status == 201, body
    return body


async def messages(api: Api) -> list[WebhookMessage]:
    async with api.services.db.read() as session:
        return list(await session.scalars(select(WebhookMessage).order_by(WebhookMessage.id)))


async def test_a_message_commits_or_rolls_back_with_its_event(
    api: Api, receiver: WebhookReceiver
) -> None:
    caller = await api.caller()
    await endpoint(api, caller, f"{receiver.url}/hook", events=["video.failed"])
    db = api.services.db

    class Changed(Exception):
        pass

    with pytest.raises(Changed):
        async with db.write() as session:
            await record_event(session, "video.failed", owner_id=caller.id, reason="x")
            raise Changed  # the change fails after its event was recorded
    async with db.read() as session:
        kinds = list(await session.scalars(select(Event.kind)))
    assert "video.failed" not in kinds and await messages(api) == []

    async with db.write() as session:
        await record_event(session, "video.failed", owner_id=caller.id, reason="x")
        await record_event(session, "video.succeeded", owner_id=caller.id)  # not subscribed
    [message] = await messages(api)
    assert message.event_type == "video.failed" and message.payload["data"]["reason"] == "x"


async def test_deliveries_are_signed_the_standard_way(api: Api, receiver: WebhookReceiver) -> None:
    caller = await api.caller()
    made = await endpoint(api, caller, f"{receiver.url}/hook")
    receiver.secret = made["secret"]
    assert made["secret"].startswith("whsec_")
    channel = await api.channel(caller)
    video = await api.video(caller, channel["id"], topic="why tides turn")

    deliverer = WebhookDeliverer(api.services.box)
    assert await deliverer.deliver_due() == 1
    [got] = receiver.received()
    assert got.verified and got.webhook_id.startswith("msg_")
    assert got.payload["type"] == "video.queued"
    assert got.payload["data"]["video"]["id"] == video["id"]
    assert got.payload["data"]["video"]["topic"] == "why tides turn"
    # The reference verifier refuses the same delivery tampered with, or with another secret.
    request = receiver.requests[0]
    tampered = request.body.replace(b"why tides turn", b"why tides burn")
    with pytest.raises(WebhookVerificationError):
        Webhook(made["secret"]).verify(tampered, request.headers)
    other = (await endpoint(api, caller, f"{receiver.url}/other"))["secret"]
    with pytest.raises(WebhookVerificationError):
        Webhook(other).verify(request.body, request.headers)
    [message] = [m for m in await messages(api) if m.endpoint_id == made["id"]]
    assert message.status == "delivered" and message.attempts == 1
    await deliverer.close()


async def test_failures_retry_in_order_with_the_same_id_then_turn_the_endpoint_off(
    api: Api, receiver: WebhookReceiver
) -> None:
    caller = await api.caller()
    made = await endpoint(api, caller, f"{receiver.url}/hook", events=["video.queued"])
    receiver.secret = made["secret"]
    channel = await api.channel(caller)
    first = await api.video(caller, channel["id"], topic="first")
    second = await api.video(caller, channel["id"], topic="second")
    clock = Clock()
    deliverer = WebhookDeliverer(api.services.box, clock=clock)

    receiver.fail_next(503, times=2)
    receiver.fail_next(0)  # a connection dropped without an answer
    for _ in range(3):
        assert await deliverer.deliver_due() == 1  # only the first: the second waits its turn
        assert await deliverer.deliver_due() == 0  # not due again before its pause
        clock.now += timedelta(hours=1)
    assert await deliverer.deliver_due() == 2  # the first at last, then the second behind it
    got = receiver.received()
    assert [g.payload["data"]["video"]["topic"] for g in got] == ["first"] * 4 + ["second"]
    assert len({g.webhook_id for g in got[:4]}) == 1  # every retry: the same webhook-id
    assert all(g.verified for g in got)
    status, page = await api.call(caller, "GET", f"/api/v1/webhooks/{made['id']}/messages")
    assert status == 200
    newest, oldest = page["items"]
    assert oldest["status"] == "delivered" and oldest["attempts"] == 4
    assert [t["status_code"] for t in oldest["tries"]] == [503, 503, None, 204]
    assert oldest["tries"][2]["error"]
    assert newest["payload"]["data"]["video"]["id"] == second["id"] != first["id"]

    # An endpoint that fails for a whole day is turned off, with an event; its later
    # messages wait, nothing new is queued for it, and turning it on sends them.
    receiver.fail_next(500, times=100)
    await api.video(caller, channel["id"], topic="third")
    while await deliverer.deliver_due():
        clock.now += timedelta(hours=3)
    status, row = await api.call(caller, "GET", f"/api/v1/webhooks/{made['id']}")
    assert row["enabled"] is False and "failed for 24 h" in row["disabled_reason"]
    async with api.services.db.read() as session:
        kinds = list(await session.scalars(select(Event.kind).where(Event.owner_id == caller.id)))
    assert "webhook.endpoint_disabled" in kinds
    await api.video(caller, channel["id"], topic="while off")
    assert [m.status for m in await messages(api)] == ["delivered", "delivered", "failed"]
    # The owner's console says so, with what to do.
    browser = Browser(api.client)
    assert (await browser.sign_in(caller.email, caller.password)).status == 303
    page = await browser.get("/")
    assert f"Webhook endpoint {receiver.url}/hook is off" in page.text

    receiver._script.clear()
    status, page = await api.call(caller, "GET", f"/api/v1/webhooks/{made['id']}/messages")
    given_up = page["items"][0]
    status, _ = await api.call(
        caller, "POST", f"/api/v1/webhooks/{made['id']}/messages/{given_up['id']}/redeliver"
    )
    assert status == 204
    assert await deliverer.deliver_due() == 0  # the endpoint is still off
    status, row = await api.call(
        caller, "PATCH", f"/api/v1/webhooks/{made['id']}", json={"enabled": True}
    )
    assert status == 200 and row["enabled"] and row["disabled_reason"] is None
    assert await deliverer.deliver_due() == 1
    assert receiver.received()[-1].payload["data"]["video"]["topic"] == "third"
    assert receiver.received()[-1].webhook_id == given_up["message_id"]
    await deliverer.close()


async def test_a_410_turns_the_endpoint_off_at_once(api: Api, receiver: WebhookReceiver) -> None:
    caller = await api.caller()
    made = await endpoint(api, caller, f"{receiver.url}/hook")
    status, _ = await api.call(caller, "POST", f"/api/v1/webhooks/{made['id']}/test")
    assert status == 204
    receiver.fail_next(410)
    deliverer = WebhookDeliverer(api.services.box)
    await deliverer.deliver_due()
    status, row = await api.call(caller, "GET", f"/api/v1/webhooks/{made['id']}")
    assert row["enabled"] is False and "410" in row["disabled_reason"]
    await deliverer.close()


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://127.0.0.1:9/hook", "this box itself"),
        ("http://localhost:5678/webhook", "this box itself"),
        ("http://[::1]/hook", "this box itself"),
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://0.0.0.0/hook", "this box itself"),
        ("ftp://example.com/hook", "http:// or https://"),
        ("http://user:pw@example.com/hook", "user name or password"),
        ("http:///hook", "names no host"),
    ],
)
def test_ssrf_targets_are_refused(url: str, says: str) -> None:
    problem = target_problem(url, allow_private=False)
    assert problem is not None and says in problem


def test_private_networks_wait_for_the_admin_and_public_targets_pass() -> None:
    for url in ("http://192.168.1.20:5678/webhook/x", "http://10.0.0.7/hook",
                "http://100.64.1.1/hook", "http://[fd00::1]/hook"):  # fmt: skip
        problem = target_problem(url, allow_private=False)
        assert problem is not None and "private network" in problem, url
        assert target_problem(url, allow_private=True) is None, url
    assert target_problem("http://127.0.0.1:5678/webhook/x", allow_private=True) is None
    assert target_problem("https://93.184.215.14/hook", allow_private=False) is None


async def test_the_api_refuses_a_private_target_naming_the_field(tmp_path: Path) -> None:
    from web.app import create_app

    app = create_app(make_settings(tmp_path / "data"))
    async with app.test_app() as test_app:
        api = Api(app, test_app.test_client())
        caller = await api.caller()
        status, body = await api.call(
            caller,
            "POST",
            "/api/v1/webhooks",
            json={"url": "http://127.0.0.1:5678/hook", "events": ["*"]},
        )
    assert status == 400 and body["errors"][0]["field"] == "url"
    assert "webhooks.allow_private_targets" in body["errors"][0]["message"]


async def test_endpoints_are_their_owners_and_the_secret_is_shown_once(
    api: Api, receiver: WebhookReceiver
) -> None:
    alice, bob = await api.caller(), await api.caller()
    made = await endpoint(api, alice, f"{receiver.url}/a", events=["video.published"])
    status, row = await api.call(alice, "GET", f"/api/v1/webhooks/{made['id']}")
    assert status == 200 and "secret" not in row and row["events"] == ["video.published"]
    for method in ("GET", "PATCH", "DELETE"):
        status, _ = await api.call(
            bob, method, f"/api/v1/webhooks/{made['id']}", json={"enabled": False}
        )
        assert status == 404, method
    status, page = await api.call(bob, "GET", "/api/v1/webhooks")
    assert page["items"] == []
    status, body = await api.call(
        alice, "PATCH", f"/api/v1/webhooks/{made['id']}", json={"events": ["video.nope"]}
    )
    assert status == 400 and body["errors"][0]["field"] == "events"
    status, types = await api.call(alice, "GET", "/api/v1/webhooks/event-types")
    assert "video.published" in {t["type"] for t in types["items"]}
    status, _ = await api.call(alice, "DELETE", f"/api/v1/webhooks/{made['id']}")
    assert status == 204
    status, _ = await api.call(alice, "GET", f"/api/v1/webhooks/{made['id']}")
    assert status == 404


async def test_events_of_other_owners_are_not_sent(api: Api, receiver: WebhookReceiver) -> None:
    alice, bob = await api.caller(), await api.caller()
    await endpoint(api, alice, f"{receiver.url}/a")
    channel = await api.channel(bob)
    await api.video(bob, channel["id"])
    assert await messages(api) == []
    async with api.services.db.read() as session:
        assert await session.scalar(select(func.count()).select_from(Video)) == 1


def test_deliveries_survive_a_sigkill_of_the_supervisor(
    tmp_path: Path, receiver: WebhookReceiver
) -> None:
    import signal
    import time

    import httpx

    from tests.serving import TokenAuth, base_env, start_serve

    env = base_env(tmp_path / "data", YTEMPIRE_WEBHOOKS_ALLOW_PRIVATE_TARGETS="true")
    receiver.fail_next(500, times=1000)  # the receiver is down at first
    first = start_serve(tmp_path, env=env)
    try:
        url = first.wait_serving()
        printed = "\n".join(first.lines())
        auth = TokenAuth(printed.split("email:")[1].split()[0],
                         printed.split("password:")[1].split()[0])  # fmt: skip
        made = httpx.post(
            f"{url}/api/v1/webhooks",
            json={"url": f"{receiver.url}/hook", "events": ["*"]},
            auth=auth,
        ).json()
        receiver.secret = made["secret"]
        for _ in range(3):
            answer = httpx.post(f"{url}/api/v1/webhooks/{made['id']}/test", auth=auth)
            assert answer.status_code == 204
        deadline = time.monotonic() + 15
        while not receiver.received() and time.monotonic() < deadline:
            time.sleep(0.05)
        first.process.send_signal(signal.SIGKILL)  # mid-retries
        first.process.wait(10)
    finally:
        first.stop()
    tried = receiver.received()
    assert tried and {t.webhook_id for t in tried} == {tried[0].webhook_id}  # the head only

    receiver._script.clear()  # the receiver is back
    before = len(receiver.requests)
    second = start_serve(tmp_path, env=env)
    try:
        second.wait_serving()
        deadline = time.monotonic() + 30
        while len(receiver.requests) - before < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        second.stop()
    delivered = receiver.received()[len(tried) :]
    assert len(delivered) == 3 and all(d.verified for d in delivered)
    assert delivered[0].webhook_id == tried[0].webhook_id  # the same id as before the kill
    assert len({d.webhook_id for d in delivered}) == 3
    assert [d.payload["type"] for d in delivered] == ["webhook.test"] * 3


async def test_the_console_manages_endpoints_with_the_same_calls(
    api: Api, receiver: WebhookReceiver
) -> None:
    caller = await api.caller()
    browser = Browser(api.client)
    assert (await browser.sign_in(caller.email, caller.password)).status == 303
    await browser.get("/webhooks")
    made = await browser.post(
        "/webhooks", {"url": f"{receiver.url}/console", "events": "video.failed"}
    )
    assert made.status == 200 and "whsec_" in made.text and "shown this once" in made.text
    listed = await browser.get("/webhooks")
    assert f"{receiver.url}/console" in listed.text and "whsec_" not in listed.text
    status, page = await api.call(caller, "GET", "/api/v1/webhooks")
    [row] = page["items"]
    assert row["events"] == ["video.failed"]

    await browser.get(f"/webhooks/{row['id']}")
    assert (await browser.post(f"/webhooks/{row['id']}/test")).status == 303
    deliverer = WebhookDeliverer(api.services.box)
    assert await deliverer.deliver_due() == 1
    await deliverer.close()
    detail = await browser.get(f"/webhooks/{row['id']}")
    assert "webhook.test" in detail.text and "delivered" in detail.text and "204" in detail.text
    [sent] = await messages(api)
    again = await browser.post(f"/webhooks/{row['id']}/messages/{sent.id}/redeliver")
    assert again.status == 303 and (await messages(api))[0].status == "pending"
    off = await browser.post(f"/webhooks/{row['id']}/enabled", {"enabled": "0"})
    assert off.status == 303
    status, body = await api.call(caller, "GET", f"/api/v1/webhooks/{row['id']}")
    assert body["enabled"] is False and body["disabled_reason"] == "turned off"
    assert "is off" not in (await browser.get("/")).text  # off by hand: no warning
    assert (await browser.post(f"/webhooks/{row['id']}/delete")).status == 303
    status, _ = await api.call(caller, "GET", f"/api/v1/webhooks/{row['id']}")
    assert status == 404
