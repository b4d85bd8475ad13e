"""``WS /api/v1/events``: who sees what, resuming, live delivery, and leaving cleanly."""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import socket
import subprocess
import time
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from quart.testing import WebsocketResponseError
from quart.testing.connections import WebsocketDisconnectError
from wsproto import ConnectionType, WSConnection
from wsproto.events import (
    AcceptConnection,
    CloseConnection,
    RejectConnection,
    RejectData,
    Request,
    TextMessage,
)

from appliance.domain.events import record_event
from tests.api_support import Api
from tests.serving import YTEMPIRE, base_env, start_serve
from web import api_events

PATH = "/api/v1/events"


async def record(api: Api, *events: tuple[int | None, str]) -> list[int]:
    """Record (owner_id, kind) events in one transaction; their ids."""
    async with api.services.db.write() as session:
        recorded = [
            await record_event(session, kind, owner_id=owner, step=n)
            for n, (owner, kind) in enumerate(events)
        ]
    return [event.id for event in recorded]


async def next_message(ws: Any, within: float = 5) -> dict[str, Any]:
    return json.loads(await asyncio.wait_for(ws.receive(), within))


async def assert_nothing_more(ws: Any) -> None:
    """A ping is answered after anything already on its way, so a pong next means no more."""
    await ws.send(json.dumps({"type": "ping"}))
    assert await next_message(ws) == {"type": "pong"}


async def test_a_handshake_without_credentials_is_refused_with_401(api: Api) -> None:
    for path in (PATH, f"{PATH}?access_token=not-a-token", f"{PATH}?api_key=nope"):
        with pytest.raises(WebsocketResponseError) as refused:
            async with api.client.websocket(path) as ws:
                await ws.receive()
        response = refused.value.response
        assert response.status_code == 401, path
        assert response.content_type == "application/problem+json"
        assert (await response.get_json())["detail"]


async def test_a_bad_last_event_id_is_refused_with_400(api: Api) -> None:
    alice = await api.caller()
    for bad in ("-1", "abc", "1.5", "9" * 40):
        with pytest.raises(WebsocketResponseError) as refused:
            async with api.client.websocket(
                f"{PATH}?last_event_id={bad}", headers=alice.headers
            ) as ws:
                await ws.receive()
        assert refused.value.response.status_code == 400, bad
        assert "last_event_id" in (await refused.value.response.get_json())["detail"]


async def test_a_user_sees_only_their_events_and_an_admin_sees_all(api: Api) -> None:
    alice, bob, admin = await api.caller(), await api.caller(), await api.caller("admin")
    async with (
        api.client.websocket(PATH, headers=alice.headers) as for_alice,
        api.client.websocket(PATH, headers=bob.headers) as for_bob,
        api.client.websocket(PATH, headers=admin.headers) as for_admin,
    ):
        hellos = [await next_message(ws) for ws in (for_alice, for_bob, for_admin)]
        assert {hello["type"] for hello in hellos} == {"hello"}
        assert len({hello["last_event_id"] for hello in hellos}) == 1

        ids = await record(
            api,
            (alice.id, "video.queued"),
            (bob.id, "video.queued"),
            (None, "system.load_shed"),
            (alice.id, "stage.progress"),
        )

        got = [await next_message(for_alice) for _ in range(2)]
        assert [(m["id"], m["kind"], m["owner_id"]) for m in got] == [
            (ids[0], "video.queued", alice.id),
            (ids[3], "stage.progress", alice.id),
        ]
        assert (await next_message(for_bob))["id"] == ids[1]
        assert [(await next_message(for_admin))["id"] for _ in ids] == ids
        for ws in (for_alice, for_bob, for_admin):
            await assert_nothing_more(ws)


async def test_an_event_recorded_after_connecting_arrives_live(api: Api) -> None:
    alice = await api.caller()
    token = alice.headers["Authorization"].split()[1]
    # The browser way: no headers on a WebSocket, the token in the query string.
    async with api.client.websocket(f"{PATH}?access_token={token}") as ws:
        hello = await next_message(ws)
        assert hello["type"] == "hello" and hello["heartbeat_s"] == api_events.HEARTBEAT_S
        async with api.services.db.write() as session:
            event = await record_event(
                session, "stage.progress", owner_id=alice.id, stage="voice", fraction=0.5
            )
        message = await next_message(ws)
    assert message["type"] == "event" and message["id"] == event.id > hello["last_event_id"]
    assert message["kind"] == "stage.progress" and message["video_id"] is None
    assert message["data"] == {"stage": "voice", "fraction": 0.5}
    assert message["at"].endswith("Z")


async def test_reconnecting_with_last_event_id_replays_exactly_what_was_missed(api: Api) -> None:
    alice, bob = await api.caller(), await api.caller()
    async with api.client.websocket(PATH, headers=alice.headers) as ws:
        await next_message(ws)
        [seen] = await record(api, (alice.id, "video.queued"))
        assert (await next_message(ws))["id"] == seen

    missed = await record(api, (alice.id, "video.running"), (bob.id, "video.queued"))
    missed += await record(api, (alice.id, "video.succeeded"))
    missed = [missed[0], missed[2]]

    async with api.client.websocket(f"{PATH}?last_event_id={seen}", headers=alice.headers) as ws:
        assert await next_message(ws) == {
            "type": "hello",
            "last_event_id": seen,
            "heartbeat_s": api_events.HEARTBEAT_S,
        }
        replayed = [await next_message(ws) for _ in missed]
        assert [(m["id"], m["kind"]) for m in replayed] == [
            (missed[0], "video.running"),
            (missed[1], "video.succeeded"),
        ]
        await assert_nothing_more(ws)
        # ... and it goes on live after the replay.
        [later] = await record(api, (alice.id, "video.queued"))
        assert (await next_message(ws))["id"] == later

    # The header EventSource clients send works the same.
    async with api.client.websocket(
        PATH, headers={**alice.headers, "Last-Event-ID": str(seen)}
    ) as ws:
        await next_message(ws)
        assert [(await next_message(ws))["id"] for _ in range(3)] == [*missed, later]


async def test_a_replay_too_long_keeps_the_newest_and_says_how_many_were_skipped(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api_events, "REPLAY_LIMIT", 3)
    alice = await api.caller()
    ids = await record(api, *[(alice.id, "stage.progress")] * 5)
    async with api.client.websocket(
        f"{PATH}?last_event_id={ids[0] - 1}", headers=alice.headers
    ) as ws:
        assert (await next_message(ws))["type"] == "hello"
        skipped = await next_message(ws)
        assert skipped["type"] == "skipped" and skipped["count"] == 2
        assert [(await next_message(ws))["id"] for _ in range(3)] == ids[2:]
        await assert_nothing_more(ws)


async def test_a_position_past_the_newest_event_starts_at_the_newest(api: Api) -> None:
    """A client that remembers ids from before a restore still gets what comes next."""
    alice = await api.caller()
    async with api.client.websocket(f"{PATH}?last_event_id=999999", headers=alice.headers) as ws:
        hello = await next_message(ws)
        assert hello["last_event_id"] < 999999
        [event] = await record(api, (alice.id, "video.queued"))
        assert (await next_message(ws))["id"] == event


async def test_one_read_of_the_log_serves_every_socket(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = 0
    read_newer = api_events.EventTail._read_newer

    async def counted(self: api_events.EventTail) -> None:
        nonlocal reads
        reads += 1
        await read_newer(self)

    monkeypatch.setattr(api_events.EventTail, "_read_newer", counted)
    alice = await api.caller()
    async with (
        api.client.websocket(PATH, headers=alice.headers) as first,
        api.client.websocket(PATH, headers=alice.headers) as second,
        api.client.websocket(PATH, headers=alice.headers) as third,
    ):
        sockets = (first, second, third)
        for ws in sockets:
            await next_message(ws)
        reads = 0
        [event] = await record(api, (alice.id, "video.queued"))
        assert [(await next_message(ws))["id"] for ws in sockets] == [event] * 3
    assert reads == 1


async def test_a_socket_that_falls_behind_the_shared_tail_still_gets_everything(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(api_events, "TAIL_KEEP", 2)
    alice = await api.caller()
    async with api.client.websocket(PATH, headers=alice.headers) as ws:
        await next_message(ws)
        ids = await record(api, *[(alice.id, "stage.progress")] * 5)
        assert [(await next_message(ws))["id"] for _ in ids] == ids
        await assert_nothing_more(ws)


async def test_an_idle_socket_gets_heartbeats(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(api_events, "HEARTBEAT_S", 0.2)
    alice = await api.caller()
    async with api.client.websocket(PATH, headers=alice.headers) as ws:
        await next_message(ws)
        assert await next_message(ws, within=2) == {"type": "ping"}
        assert await next_message(ws, within=2) == {"type": "ping"}
        await ws.send("not json")  # ignored, as is anything but a ping
        await ws.send(json.dumps({"type": "subscribe"}))
        await assert_nothing_more(ws)


async def test_draining_closes_the_socket_with_1001(api: Api) -> None:
    alice = await api.caller()
    async with api.client.websocket(PATH, headers=alice.headers) as ws:
        await next_message(ws)
        started = time.monotonic()
        api.services.draining = True
        with pytest.raises(WebsocketDisconnectError) as closed:
            await next_message(ws)
    assert closed.value.args[0] == 1001
    assert time.monotonic() - started < 2


async def test_ending_the_session_closes_an_open_socket_with_1008(api: Api) -> None:
    alice = await api.caller()
    async with api.client.websocket(PATH, headers=alice.headers) as ws:
        await next_message(ws)
        status, _ = await api.call(alice, "POST", "/api/v1/auth/logout", json={})
        assert status == 204
        with pytest.raises(WebsocketDisconnectError) as closed:
            while True:  # the logout's own event may come first
                await next_message(ws)
    assert closed.value.args[0] == 1008


async def test_revoking_a_key_closes_its_socket(api: Api) -> None:
    alice = await api.caller()
    status, made = await api.call(alice, "POST", "/api/v1/keys", json={"name": "feed"})
    assert status == 201
    async with api.client.websocket(f"{PATH}?api_key={made['key']}") as ws:
        await next_message(ws)
        await api.call(alice, "DELETE", f"/api/v1/keys/{made['id']}")
        with pytest.raises(WebsocketDisconnectError) as closed:
            while True:  # the revocation's own event may come first
                await next_message(ws)
    assert closed.value.args[0] == 1008


async def test_a_client_leaving_is_not_an_error(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    alice = await api.caller()
    with caplog.at_level(logging.INFO):
        async with api.client.websocket(PATH, headers=alice.headers) as ws:
            await next_message(ws)
        for _ in range(50):  # the handler's cancellation completes on a later loop turn
            if any(r.getMessage() == "events socket closed" for r in caplog.records):
                break
            await asyncio.sleep(0.02)
    closed = [r for r in caplog.records if r.getMessage() == "events socket closed"]
    assert [r.fields["ended_by"] for r in closed] == ["client"]  # type: ignore[attr-defined]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# --- the real server -------------------------------------------------------------------


class WsClient:
    """Just enough of a WebSocket client (wsproto over a socket) to talk to the real server."""

    def __init__(self, url: str, target: str):
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
        self.ws = WSConnection(ConnectionType.CLIENT)
        self.events: deque[Any] = deque()
        self.sock.sendall(self.ws.send(Request(host=parts.netloc, target=target)))

    def next_event(self) -> Any:
        while not self.events:
            data = self.sock.recv(65536)
            self.ws.receive_data(data or None)
            self.events.extend(self.ws.events())
        return self.events.popleft()

    def refusal(self) -> tuple[int, bytes]:
        """A refused handshake's status and body."""
        event = self.next_event()
        assert isinstance(event, RejectConnection), event
        status, body, finished = event.status_code, b"", not event.has_body
        while not finished:
            data = self.next_event()
            assert isinstance(data, RejectData), data
            body, finished = body + data.data, data.body_finished
        return status, body

    def next_message(self) -> dict[str, Any]:
        event = self.next_event()
        assert isinstance(event, TextMessage), event
        return json.loads(event.data)

    def close(self) -> None:
        self.sock.close()


def test_the_real_server_refuses_then_serves_and_sigterm_is_not_held_up(tmp_path: Path) -> None:
    email, password = "ops@box.io", "correct-horse-9"
    # A long grace: if the open socket held Hypercorn for it, the exit would be late.
    env = {**base_env(tmp_path / "data"), "YTEMPIRE_SERVER_GRACE_PERIOD_S": "30"}
    created = subprocess.run(
        [*YTEMPIRE, "user", "create", "--email", email, "--password", password],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert created.returncode == 0, created.stderr
    served = start_serve(tmp_path, env=env)
    try:
        url = served.wait_serving()
        login = httpx.post(f"{url}/api/v1/auth/login", json={"email": email, "password": password})
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]

        refused = WsClient(url, PATH)
        try:
            status, body = refused.refusal()
        finally:
            refused.close()
        assert status == 401 and "authentication required" in json.loads(body)["detail"]

        client = WsClient(url, f"{PATH}?access_token={token}")
        try:
            assert isinstance(client.next_event(), AcceptConnection)
            assert client.next_message()["type"] == "hello"
            sent = time.monotonic()
            served.process.send_signal(signal.SIGTERM)
            closing = client.next_event()
            assert isinstance(closing, CloseConnection) and closing.code == 1001
            client.sock.sendall(client.ws.send(closing.response()))
            assert served.process.wait(timeout=10) == 0
            assert time.monotonic() - sent < 5
        finally:
            client.close()
    finally:
        served.stop()
    assert not [r for r in served.log_records() if r.get("level") in ("error", "critical")]
