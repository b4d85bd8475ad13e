"""A scriptable HTTP server on 127.0.0.1 for the fakes of external services.

A fake subclasses ``FakeServer`` and answers in ``respond``. Tests script the
ugly answers in front of it: ``fail_next(429, headers={"Retry-After": "1"})``,
``stall_next(seconds)`` (answers after a client's timeout), ``garble_next()``
(200 with a body that is not what the protocol promises). Every request is
kept in ``requests`` so a test can check what the client really sent.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str  # without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


# A response with this status is no answer: the server closes the connection instead.
DROP = 0


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def drop(cls) -> Response:
        """Hang up without answering (a connection lost mid-request)."""
        return cls(DROP)

    @classmethod
    def json(cls, value: Any, status: int = 200, **headers: str) -> Response:
        return cls(
            status,
            json.dumps(value).encode(),
            {"Content-Type": "application/json; charset=UTF-8", **headers},
        )


@dataclass
class _Scripted:
    response: Response | None = None
    stall_s: float = 0.0
    match: str | None = None  # only requests whose path contains this


class FakeServer:
    """Start with ``with FakeServer() as fake:``; ``fake.url`` is ``http://127.0.0.1:PORT``."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self._script: deque[_Scripted] = deque()
        self._lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in separate writes; with Nagle's algorithm the
            # client's delayed ACK would add 40 ms to every answer.
            disable_nagle_algorithm = True

            def _handle(self) -> None:
                owner._serve(self)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        # Poll for shutdown often: the default 0.5 s would be added to every test's teardown.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- scripting ----------------------------------------------------------------------

    def fail_next(
        self,
        status: int,
        body: Any = None,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        match: str | None = None,
    ) -> None:
        """The next ``times`` requests get ``status`` with ``body`` (JSON unless bytes)."""
        payload = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
        response = Response(
            status, payload, {"Content-Type": "application/json", **(headers or {})}
        )
        with self._lock:
            self._script.extend(_Scripted(response=response, match=match) for _ in range(times))

    def stall_next(self, seconds: float, *, times: int = 1, match: str | None = None) -> None:
        """The next requests are answered normally, but only after ``seconds``."""
        with self._lock:
            self._script.extend(_Scripted(stall_s=seconds, match=match) for _ in range(times))

    def garble_next(self, *, times: int = 1, match: str | None = None) -> None:
        """The next requests get a 200 whose body is not valid JSON."""
        response = Response(200, b'{"truncated": ', {"Content-Type": "application/json"})
        with self._lock:
            self._script.extend(_Scripted(response=response, match=match) for _ in range(times))

    def requests_to(self, fragment: str) -> list[Request]:
        return [r for r in self.requests if fragment in r.path]

    # -- serving ------------------------------------------------------------------------

    def respond(self, request: Request) -> Response:
        """The fake's real behaviour; subclasses override."""
        return Response(404, b"not found")

    def _take_script(self, path: str) -> _Scripted | None:
        with self._lock:
            for index, item in enumerate(self._script):
                if item.match is None or item.match in path:
                    del self._script[index]
                    return item
        return None

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = Request(
            method=handler.command,
            path=split.path,
            query=parse_qs(split.query),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
        )
        with self._lock:
            self.requests.append(request)
        scripted = self._take_script(request.path)
        if scripted is not None and scripted.stall_s:
            time.sleep(scripted.stall_s)
        response = scripted.response if scripted and scripted.response else None
        if response is None:
            response = self.respond(request)
        if response.status == DROP:
            handler.close_connection = True
            try:
                handler.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        try:
            handler.send_response(response.status)
            for name, value in response.headers.items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(response.body)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to answer
