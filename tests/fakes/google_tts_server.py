"""A loopback Google Cloud Text-to-Speech (v1beta1, REST) with its OAuth token endpoint.

It speaks the wire protocol the ``google-cloud-texttospeech`` REST transport uses:

- ``POST /token``: the service-account JWT-bearer grant. The assertion's RS256
  signature is checked against the keys the fake was given (``service_account_info``),
  with its issuer, audience, scope and expiry; the answer is
  ``{"access_token", "expires_in", "token_type"}``, or ``400 invalid_grant``.
- ``POST /v1beta1/text:synthesize``: camelCase JSON in (``input.ssml``, ``voice``,
  ``audioConfig``, ``enableTimePointing``), ``{"audioContent": base64 WAV,
  "timepoints": [{"markName", "timeSeconds"}], "audioConfig"}`` out. It needs a
  ``Bearer`` token it issued (401 ``UNAUTHENTICATED`` otherwise), refuses input over
  5,000 UTF-8 bytes and SSML that does not parse (400 ``INVALID_ARGUMENT``), all in
  Google's error shape ``{"error": {"code", "message", "status"}}``.

The audio is deterministic: each word a tone whose length grows with the word's
characters, a short gap after it, ``<break>`` as exact silence and a short tail at
the end; each ``<mark>`` is timed at the sample where it falls. ``tamper_next``
rewrites the next answer's JSON (no audio, no timepoints, ...); ``expire_tokens``
and ``reject_tokens`` make the client meet a 401.
"""

from __future__ import annotations

import base64
import io
import json
import math
import secrets
import time
import wave
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import numpy as np
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from tests.fakes.http import FakeServer, Request, Response

TOKEN_PATH = "/token"
SYNTHESIZE_PATH = "/v1beta1/text:synthesize"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SCOPE = "https://www.googleapis.com/auth/cloud-platform"
# The audience google-auth signs grants for, whatever the token_uri (Google checks it).
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
MAX_INPUT_BYTES = 5000
TOO_LONG = (
    "Either `input.text` or `input.ssml` is longer than the limit of 5000 bytes. This limit "
    "is different from quotas. To fix, reduce the byte length of the characters in this "
    "request, or consider using the Long Audio API."
)
UNAUTHENTICATED = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
    "cookie or other valid authentication credential."
)


@dataclass(frozen=True)
class Speech:
    """How the fake "speaks": seconds per word and per character, gaps, the tail."""

    word_s: float = 0.04
    char_s: float = 0.01
    gap_s: float = 0.03
    tail_s: float = 0.08


@dataclass
class Spoken:
    samples: np.ndarray
    marks: list[tuple[str, float]] = field(default_factory=list)


def speak_ssml(ssml: str, rate: int, speech: Speech = Speech()) -> Spoken:
    """The fake's audio for an SSML document (``ET.ParseError`` when it does not parse)."""
    root = ET.fromstring(ssml)
    if root.tag != "speak":
        raise ET.ParseError("the document is not <speak>")
    parts: list[np.ndarray] = []
    marks: list[tuple[str, float]] = []
    position = 0

    def add(samples: np.ndarray) -> None:
        nonlocal position
        parts.append(samples)
        position += len(samples)

    def text(value: str | None) -> None:
        for word in (value or "").split():
            seconds = speech.word_s + speech.char_s * len(word)
            count = round(seconds * rate)
            pitch = 140 + 15 * (len(word) % 8)
            tone = np.sin(2 * math.pi * pitch * np.arange(count) / rate)
            add((tone * 9000).astype(np.int16))
            add(np.zeros(round(speech.gap_s * rate), dtype=np.int16))

    def walk(element: ET.Element) -> None:
        text(element.text)
        for child in element:
            if child.tag == "mark":
                marks.append((child.get("name", ""), position / rate))
            elif child.tag == "break":
                add(np.zeros(round(_break_seconds(child.get("time", "")) * rate), dtype=np.int16))
            else:
                walk(child)
            text(child.tail)

    walk(root)
    add(np.zeros(round(speech.tail_s * rate), dtype=np.int16))
    return Spoken(np.concatenate(parts), marks)


def _break_seconds(value: str) -> float:
    value = value.strip()
    if value.endswith("ms"):
        return float(value[:-2]) / 1000
    if value.endswith("s"):
        return float(value[:-1])
    raise ET.ParseError(f"bad break time {value!r}")


def wav_bytes(samples: np.ndarray, rate: int, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def google_error(code: int, status: str, message: str, **extra: Any) -> Response:
    """An error in the shape Google's REST APIs answer with."""
    return Response.json(
        {"error": {"code": code, "message": message, "status": status, **extra}}, code
    )


def new_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeGoogleTTS(FakeServer):
    """``with FakeGoogleTTS() as fake:``; give the client ``fake.service_account_info(key)``."""

    def __init__(self, speech: Speech = Speech()) -> None:
        super().__init__()
        self.speech = speech
        self._keys: dict[str, rsa.RSAPublicKey] = {}  # private_key_id → public key
        self._emails: dict[str, str] = {}  # private_key_id → the account's email
        self.tokens: set[str] = set()  # access tokens it issued and still accepts
        self.issued: list[str] = []  # every access token it ever issued
        self.reject_tokens = False  # refuse every access token (a revoked account)
        self._tamper: deque[Callable[[dict[str, Any]], dict[str, Any]]] = deque()

    # -- set-up -------------------------------------------------------------------------

    def service_account_info(
        self,
        private_key: rsa.RSAPrivateKey,
        *,
        email: str = "voice@ytempire-test.iam.gserviceaccount.com",
    ) -> dict[str, Any]:
        """A service-account JSON for ``private_key`` whose token_uri is this fake; the fake
        trusts the key from now on."""
        key_id = secrets.token_hex(20)
        self._keys[key_id] = private_key.public_key()
        self._emails[key_id] = email
        pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return {
            "type": "service_account",
            "project_id": "ytempire-test",
            "private_key_id": key_id,
            "private_key": pem,
            "client_email": email,
            "client_id": "100000000000000000001",
            "auth_uri": f"{self.url}/auth",
            "token_uri": f"{self.url}{TOKEN_PATH}",
            "universe_domain": "googleapis.com",
        }

    def expire_tokens(self) -> None:
        """Every token issued so far stops working (the next call meets a 401)."""
        self.tokens.clear()

    def tamper_next(self, change: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        """The next successful synthesize answer goes out as ``change(answer)``."""
        self._tamper.append(change)

    def synthesized(self) -> list[dict[str, Any]]:
        """The JSON of every synthesize request received, in order."""
        return [request.json() for request in self.requests_to(SYNTHESIZE_PATH)]

    # -- serving ------------------------------------------------------------------------

    def respond(self, request: Request) -> Response:
        if request.method == "POST" and request.path == TOKEN_PATH:
            return self._token(request)
        if request.method == "POST" and request.path == SYNTHESIZE_PATH:
            return self._synthesize(request)
        return google_error(404, "NOT_FOUND", f"The requested URL {request.path} was not found.")

    def _token(self, request: Request) -> Response:
        form = {name: values[0] for name, values in parse_qs(request.body.decode()).items()}
        if form.get("grant_type") != JWT_BEARER:
            return _grant_error("unsupported_grant_type", "Invalid grant_type.")
        verified = self._verified_claims(form.get("assertion", ""))
        if verified is None:
            return _grant_error("invalid_grant", "Invalid JWT Signature.")
        key_id, claims = verified
        now = time.time()
        if claims.get("aud") not in (GOOGLE_TOKEN_AUDIENCE, f"{self.url}{TOKEN_PATH}"):
            return _grant_error("invalid_grant", "Invalid JWT: audience does not match.")
        if claims.get("iss") != self._emails.get(key_id):
            return _grant_error("invalid_grant", "Invalid JWT: issuer does not match the key.")
        if not float(claims.get("iat", 0)) - 300 <= now <= float(claims.get("exp", 0)):
            return _grant_error("invalid_grant", "Invalid JWT: Token must be a short-lived token.")
        if SCOPE not in str(claims.get("scope", "")).split():
            return _grant_error("invalid_scope", "The scope is not allowed.")
        token = f"ya29.fake-{secrets.token_urlsafe(24)}"
        self.tokens.add(token)
        self.issued.append(token)
        return Response.json({"access_token": token, "expires_in": 3599, "token_type": "Bearer"})

    def _verified_claims(self, assertion: str) -> tuple[str, dict[str, Any]] | None:
        try:
            header_part, claims_part, signature_part = assertion.split(".")
            header = json.loads(_unbase64(header_part))
            key_id = str(header.get("kid", ""))
            key = self._keys.get(key_id)
            if key is None or header.get("alg") != "RS256":
                return None
            key.verify(
                _unbase64(signature_part),
                f"{header_part}.{claims_part}".encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
            claims = json.loads(_unbase64(claims_part))
        except (ValueError, InvalidSignature):
            return None
        return (key_id, claims) if isinstance(claims, dict) else None

    def _synthesize(self, request: Request) -> Response:
        authorization = request.headers.get("authorization", "")
        token = authorization.removeprefix("Bearer ")
        if (
            self.reject_tokens
            or not authorization.startswith("Bearer ")
            or token not in self.tokens
        ):
            return google_error(401, "UNAUTHENTICATED", UNAUTHENTICATED)
        try:
            body = request.json()
            ssml = body["input"]["ssml"]
            language = body["voice"]["languageCode"]
            config = body["audioConfig"]
        except (ValueError, KeyError, TypeError):
            return google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
        name = body["voice"].get("name", "")
        if name and not name.startswith(f"{language}-"):
            return google_error(
                400, "INVALID_ARGUMENT", f"Voice '{name}' does not match language '{language}'."
            )
        if config.get("audioEncoding") != "LINEAR16":
            return google_error(400, "INVALID_ARGUMENT", "This fake speaks LINEAR16 only.")
        if len(ssml.encode()) > MAX_INPUT_BYTES:
            return google_error(400, "INVALID_ARGUMENT", TOO_LONG)
        rate = int(config.get("sampleRateHertz") or 24000)
        try:
            spoken = speak_ssml(ssml, rate, self.speech)
        except (ET.ParseError, ValueError):
            return google_error(400, "INVALID_ARGUMENT", "Invalid SSML.")
        answer: dict[str, Any] = {
            "audioContent": base64.b64encode(wav_bytes(spoken.samples, rate)).decode(),
            "audioConfig": {"audioEncoding": "LINEAR16", "sampleRateHertz": rate},
        }
        if "SSML_MARK" in body.get("enableTimePointing", []):
            answer["timepoints"] = [
                {"markName": mark, "timeSeconds": seconds} for mark, seconds in spoken.marks
            ]
        if self._tamper:
            answer = self._tamper.popleft()(answer)
        return Response.json(answer)


def _grant_error(error: str, description: str) -> Response:
    return Response.json({"error": error, "error_description": description}, 400)


def _unbase64(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
