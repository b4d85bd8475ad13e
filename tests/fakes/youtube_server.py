"""A loopback YouTube Data API v3 with Google's OAuth endpoints, on the real wire protocol.

The official client (``build_from_document`` with the discovery document's ``rootUrl``
moved here) and ``google-auth`` talk to it as they would to Google:

- ``GET /o/oauth2/auth``: the consent screen, answered at once as the channel set by
  ``consent_as`` (a 302 to ``redirect_uri`` with ``code`` and ``state``); the PKCE
  challenge is kept with the code.
- ``POST /token``: ``authorization_code`` (client secret and PKCE verifier checked) gives
  an access and a refresh token; ``refresh_token`` gives a new access token, or
  ``400 invalid_grant`` for a revoked grant.
- ``POST /upload/youtube/v3/videos?uploadType=resumable``: a resumable session (200 and
  ``Location``); ``PUT`` on it with ``Content-Range: bytes a-b/total`` answers 308 with
  ``Range`` until the last byte, then 200 with the video resource; ``bytes */total``
  asks how far it got. Overlapping chunks are taken from where the session stands.
- ``thumbnails.set`` and ``captions.insert`` (media and multipart uploads),
  ``playlistItems.insert``, ``videos.list`` (statistics, up to 50 ids), ``channels.list``.

Quota is counted per OAuth client (the project) and day with the same costs and
buckets the box uses; past a bucket the answer is Google's 403 ``quotaExceeded``.
``roll_day`` is midnight in Pacific time. Each channel has a 24 h upload cap (400
``uploadLimitExceeded``). The ugly answers: ``revoke`` (``invalid_grant``),
``chunk_faults`` (a share of chunks dropped mid-request or answered 503), and
``fail_next`` / ``stall_next`` from ``FakeServer``.
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import json
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

from tests.fakes.http import FakeServer, Request, Response

AUTH_PATH = "/o/oauth2/auth"
TOKEN_PATH = "/token"
UPLOAD_VIDEOS = "/upload/youtube/v3/videos"
THUMBNAILS = "/upload/youtube/v3/thumbnails/set"
CAPTIONS = "/upload/youtube/v3/captions"
PLAYLIST_ITEMS = "/youtube/v3/playlistItems"
VIDEOS = "/youtube/v3/videos"
CHANNELS = "/youtube/v3/channels"
PLAIN_PATH = "/plain"
MAX_THUMBNAIL_BYTES = 2 * 1024 * 1024

COSTS = {
    "videos.insert": ("uploads", 1),
    "videos.list": ("units", 1),
    "thumbnails.set": ("units", 50),
    "captions.insert": ("units", 400),
    "playlistItems.insert": ("units", 50),
    "channels.list": ("units", 1),
}


@dataclass
class Project:
    client_id: str
    client_secret: str
    buckets: dict[str, int]
    used: dict[str, int] = field(default_factory=dict)  # bucket → spent today
    calls: dict[str, int] = field(default_factory=dict)  # method → calls, all days


@dataclass
class Session:
    upload_id: str
    client_id: str
    channel_id: str
    total: int
    metadata: dict[str, Any]
    data: bytearray = field(default_factory=bytearray)
    video_id: str | None = None


@dataclass
class Video:
    id: str
    channel_id: str
    metadata: dict[str, Any]
    size: int
    sha256: str
    thumbnail: bytes | None = None
    captions: list[dict[str, Any]] = field(default_factory=list)
    playlists: list[str] = field(default_factory=list)
    statistics: dict[str, str] = field(
        default_factory=lambda: {"viewCount": "0", "likeCount": "0", "commentCount": "0"}
    )


def error_body(status: int, reason: str, message: str, domain: str = "youtube.api") -> dict:
    """Google's JSON error shape; ``HttpError.error_details`` reads ``errors``."""
    return {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
        }
    }


class FakeYouTube(FakeServer):
    def __init__(self, *, upload_cap: int = 1000, seed: int = 0) -> None:
        super().__init__()
        self.projects: dict[str, Project] = {}
        self.sessions: dict[str, Session] = {}
        self.videos: dict[str, Video] = {}
        self.channel_titles: dict[str, str] = {}
        self.uploads_today: dict[str, int] = {}  # channel → uploads in the cap's window
        self.upload_cap = upload_cap
        self._codes: dict[str, dict[str, Any]] = {}
        self._refresh: dict[str, tuple[str, str]] = {}  # refresh token → (client, channel)
        self._access: dict[str, tuple[str, str]] = {}  # access token → (client, channel)
        self._revoked: set[str] = set()
        self._consent_channel = "UC" + "0" * 22
        self.chunk_fault_rate = 0.0
        self.chunk_delay_s = 0.0
        self._rng = random.Random(seed)
        self._state_lock = threading.Lock()
        self.day = 0
        self.faults_injected = 0
        self.plain_bytes = 0

    # -- set-up ---------------------------------------------------------------------------

    def add_project(
        self, client_id: str, client_secret: str, *, uploads: int = 100, units: int = 10_000
    ) -> Project:
        project = Project(client_id, client_secret, {"uploads": uploads, "units": units})
        self.projects[client_id] = project
        return project

    def consent_as(self, channel_id: str, title: str = "A channel") -> None:
        """Who the next consent screens sign in as."""
        self._consent_channel = channel_id
        self.channel_titles[channel_id] = title

    def grant(self, client_id: str, channel_id: str) -> str:
        """A refresh token for ``channel_id`` through ``client_id``, as a consent would give."""
        token = "1//" + secrets.token_urlsafe(24)
        self._refresh[token] = (client_id, channel_id)
        return token

    def revoke(self, channel_id: str) -> None:
        """The channel's grants stop working (the user removed the app's access)."""
        with self._state_lock:
            for token, (_, channel) in list(self._refresh.items()):
                if channel == channel_id:
                    self._revoked.add(token)
            for token, (_, channel) in list(self._access.items()):
                if channel == channel_id:
                    del self._access[token]

    def roll_day(self) -> None:
        """Pacific midnight: every project's quota and every channel's cap start over."""
        with self._state_lock:
            for project in self.projects.values():
                project.used.clear()
            self.uploads_today.clear()
            self.day += 1

    def chunk_faults(self, rate: float) -> None:
        """A ``rate`` share of upload chunks is dropped mid-request or answered 503."""
        self.chunk_fault_rate = rate

    def completed_uploads(self) -> list[Video]:
        return list(self.videos.values())

    def initiated_sessions(self) -> int:
        return len(self.sessions)

    # -- serving --------------------------------------------------------------------------

    def respond(self, request: Request) -> Response:
        path = request.path
        if path == PLAIN_PATH:
            # The floor for throughput: the same bytes in one plain PUT, no protocol.
            self.plain_bytes += len(request.body)
            return Response(200)
        if path == AUTH_PATH:
            return self._consent(request)
        if path == TOKEN_PATH:
            return self._token(request)
        if path == UPLOAD_VIDEOS and request.method == "POST":
            return self._start_session(request)
        if path == UPLOAD_VIDEOS and request.method == "PUT":
            return self._chunk(request)
        if path == THUMBNAILS:
            return self._thumbnail(request)
        if path == CAPTIONS:
            return self._captions(request)
        if path == PLAYLIST_ITEMS and request.method == "POST":
            return self._playlist_item(request)
        if path == VIDEOS and request.method == "GET":
            return self._videos_list(request)
        if path == CHANNELS and request.method == "GET":
            return self._channels_list(request)
        return Response.json(error_body(404, "notFound", f"no route {path}"), 404)

    # -- OAuth ----------------------------------------------------------------------------

    def _consent(self, request: Request) -> Response:
        client_id = request.param("client_id") or ""
        redirect_uri = request.param("redirect_uri") or ""
        if client_id not in self.projects:
            return Response(400, b"invalid_client")
        code = secrets.token_urlsafe(16)
        self._codes[code] = {
            "client_id": client_id,
            "channel": self._consent_channel,
            "redirect_uri": redirect_uri,
            "challenge": request.param("code_challenge"),
            "scope": request.param("scope") or "",
        }
        query = urlencode({"code": code, "state": request.param("state") or "", "scope": ""})
        return Response(302, b"", {"Location": f"{redirect_uri}?{query}"})

    def _token(self, request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = request.headers.get("authorization", "")
        if basic.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(basic[6:]).decode().partition(":")
        project = self.projects.get(client_id or "")
        if project is None or project.client_secret != client_secret:
            return Response.json({"error": "invalid_client"}, 401)
        grant = form.get("grant_type")
        if grant == "authorization_code":
            code = self._codes.pop(form.get("code", ""), None)
            if code is None or code["client_id"] != client_id:
                return Response.json(
                    {"error": "invalid_grant", "error_description": "Malformed auth code."}, 400
                )
            if code["redirect_uri"] != form.get("redirect_uri"):
                return Response.json(
                    {"error": "redirect_uri_mismatch", "error_description": "Bad Request"}, 400
                )
            if code["challenge"]:
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode()).digest()
                expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
                if expected != code["challenge"]:
                    return Response.json(
                        {"error": "invalid_grant", "error_description": "Invalid code verifier."},
                        400,
                    )
            refresh = "1//" + secrets.token_urlsafe(24)
            self._refresh[refresh] = (client_id, code["channel"])
            return self._access_token(client_id, code["channel"], refresh=refresh)
        if grant == "refresh_token":
            token = form.get("refresh_token", "")
            owner = self._refresh.get(token)
            if owner is None or token in self._revoked or owner[0] != client_id:
                return Response.json(
                    {
                        "error": "invalid_grant",
                        "error_description": "Token has been expired or revoked.",
                    },
                    400,
                )
            return self._access_token(*owner)
        return Response.json({"error": "unsupported_grant_type"}, 400)

    def _access_token(self, client_id: str, channel: str, refresh: str | None = None) -> Response:
        token = "ya29." + secrets.token_urlsafe(24)
        self._access[token] = (client_id, channel)
        body: dict[str, Any] = {
            "access_token": token,
            "expires_in": 3599,
            "token_type": "Bearer",
            "scope": "https://www.googleapis.com/auth/youtube.upload "
            "https://www.googleapis.com/auth/youtube.readonly",
        }
        if refresh:
            body["refresh_token"] = refresh
        return Response.json(body)

    def _caller(self, request: Request) -> tuple[str, str] | Response:
        header = request.headers.get("authorization", "")
        found = self._access.get(header.removeprefix("Bearer "))
        if found is None:
            return Response.json(
                error_body(401, "authError", "Invalid Credentials", domain="global"), 401
            )
        return found

    def _spend(self, client_id: str, method: str) -> Response | None:
        """Charge one call to the project's day; Google's 403 when the bucket is spent."""
        bucket, cost = COSTS[method]
        with self._state_lock:
            project = self.projects[client_id]
            used = project.used.get(bucket, 0)
            if used + cost > project.buckets[bucket]:
                return Response.json(
                    error_body(
                        403,
                        "quotaExceeded",
                        "The request cannot be completed because you have exceeded your "
                        '<a href="/youtube/v3/getting-started#quota">quota</a>.',
                        domain="youtube.quota",
                    ),
                    403,
                )
            project.used[bucket] = used + cost
            project.calls[method] = project.calls.get(method, 0) + 1
        return None

    # -- uploads --------------------------------------------------------------------------

    def _start_session(self, request: Request) -> Response:
        if request.param("uploadType") != "resumable":
            return Response.json(error_body(400, "badRequest", "only resumable here"), 400)
        caller = self._caller(request)
        if isinstance(caller, Response):
            return caller
        client_id, channel = caller
        refused = self._spend(client_id, "videos.insert")
        if refused is not None:
            return refused
        with self._state_lock:
            if self.uploads_today.get(channel, 0) >= self.upload_cap:
                return Response.json(
                    error_body(
                        400,
                        "uploadLimitExceeded",
                        "The user has exceeded the number of videos they may upload.",
                    ),
                    400,
                )
        try:
            total = int(request.headers["x-upload-content-length"])
            metadata = json.loads(request.body or b"{}")
        except (KeyError, ValueError):
            return Response.json(error_body(400, "badRequest", "bad session request"), 400)
        if not metadata.get("snippet", {}).get("title"):
            return Response.json(error_body(400, "invalidTitle", "The title is empty."), 400)
        upload_id = secrets.token_urlsafe(18)
        self.sessions[upload_id] = Session(upload_id, client_id, channel, total, metadata)
        location = f"{self.url}{UPLOAD_VIDEOS}?uploadType=resumable&upload_id={upload_id}"
        return Response(200, b"", {"Location": location, "X-GUploader-UploadID": upload_id})

    def _chunk(self, request: Request) -> Response:
        session = self.sessions.get(request.param("upload_id") or "")
        if session is None:
            return Response.json(error_body(404, "notFound", "no such upload session"), 404)
        content_range = request.headers.get("content-range", "")
        if content_range.startswith("bytes */"):
            return self._session_state(session)
        match = re.fullmatch(r"bytes (\d+)-(\d+)/(\d+)", content_range)
        if match is None:
            return Response.json(error_body(400, "badContent", "bad Content-Range"), 400)
        start, end = int(match[1]), int(match[2])
        if self.chunk_delay_s:
            time.sleep(self.chunk_delay_s)
        fault = self.chunk_fault_rate and self._rng.random() < self.chunk_fault_rate
        with self._state_lock:
            if session.video_id is not None:
                return self._finished(session)
            have = len(session.data)
            if start > have or end - start + 1 != len(request.body):
                return Response.json(error_body(400, "badContent", "chunk out of place"), 400)
            fresh = request.body[have - start :]
            if fault:
                self.faults_injected += 1
                if self._rng.random() < 0.5:
                    # Dropped mid-request: part of the chunk arrived, at 256 KiB granularity.
                    kept = (len(fresh) // 2) // (256 * 1024) * (256 * 1024)
                    session.data.extend(fresh[:kept])
                    return Response.drop()
                return Response.json(error_body(503, "backendError", "Backend Error"), 503)
            session.data.extend(fresh)
            if len(session.data) < session.total:
                return self._session_state(session)
            return self._complete(session)

    def _session_state(self, session: Session) -> Response:
        if session.video_id is not None:
            return self._finished(session)
        headers = {"Range": f"bytes=0-{len(session.data) - 1}"} if session.data else {}
        return Response(308, b"", headers)

    def _complete(self, session: Session) -> Response:
        video_id = secrets.token_urlsafe(8)[:11]
        session.video_id = video_id
        self.uploads_today[session.channel_id] = self.uploads_today.get(session.channel_id, 0) + 1
        self.videos[video_id] = Video(
            video_id,
            session.channel_id,
            session.metadata,
            len(session.data),
            hashlib.sha256(session.data).hexdigest(),
        )
        session.data = bytearray()  # the bytes are not needed past here
        return self._finished(session)

    def _finished(self, session: Session) -> Response:
        video = self.videos[session.video_id or ""]
        return Response.json(self._resource(video), 200)

    def _resource(self, video: Video) -> dict[str, Any]:
        status = dict(video.metadata.get("status", {}))
        status.setdefault("privacyStatus", "private")
        status["uploadStatus"] = "uploaded"
        return {
            "kind": "youtube#video",
            "id": video.id,
            "snippet": {**video.metadata.get("snippet", {}), "channelId": video.channel_id},
            "status": status,
            "statistics": video.statistics,
        }

    def _owned_video(self, request: Request, video_id: str | None) -> tuple[str, Video] | Response:
        caller = self._caller(request)
        if isinstance(caller, Response):
            return caller
        video = self.videos.get(video_id or "")
        if video is None or video.channel_id != caller[1]:
            return Response.json(error_body(404, "videoNotFound", "Video not found."), 404)
        return caller[0], video

    def _thumbnail(self, request: Request) -> Response:
        found = self._owned_video(request, request.param("videoId"))
        if isinstance(found, Response):
            return found
        client_id, video = found
        media = _media_part(request)
        if len(media) > MAX_THUMBNAIL_BYTES:
            return Response.json(error_body(400, "mediaBodyTooLarge", "too large"), 400)
        refused = self._spend(client_id, "thumbnails.set")
        if refused is not None:
            return refused
        video.thumbnail = media
        return Response.json({"kind": "youtube#thumbnailSetResponse", "items": [{"default": {}}]})

    def _captions(self, request: Request) -> Response:
        caller = self._caller(request)
        if isinstance(caller, Response):
            return caller
        metadata = _json_part(request)
        video = self.videos.get(metadata.get("snippet", {}).get("videoId", ""))
        if video is None or video.channel_id != caller[1]:
            return Response.json(error_body(404, "videoNotFound", "Video not found."), 404)
        refused = self._spend(caller[0], "captions.insert")
        if refused is not None:
            return refused
        caption = {"id": secrets.token_urlsafe(8), **metadata, "body": _media_part(request)}
        video.captions.append(caption)
        return Response.json({"kind": "youtube#caption", "id": caption["id"]})

    def _playlist_item(self, request: Request) -> Response:
        caller = self._caller(request)
        if isinstance(caller, Response):
            return caller
        snippet = (request.json() or {}).get("snippet", {})
        video = self.videos.get(snippet.get("resourceId", {}).get("videoId", ""))
        if video is None:
            return Response.json(error_body(404, "videoNotFound", "Video not found."), 404)
        refused = self._spend(caller[0], "playlistItems.insert")
        if refused is not None:
            return refused
        video.playlists.append(snippet.get("playlistId", ""))
        return Response.json({"kind": "youtube#playlistItem", "id": secrets.token_urlsafe(8)})

    def _videos_list(self, request: Request) -> Response:
        caller = self._caller(request)
        if isinstance(caller, Response):
            return caller
        ids = [i for i in (request.param("id") or "").split(",") if i]
        if len(ids) > 50:
            return Response.json(error_body(400, "invalidParameter", "at most 50 ids"), 400)
        refused = self._spend(caller[0], "videos.list")
        if refused is not None:
            return refused
        items = [self._resource(self.videos[i]) for i in ids if i in self.videos]
        return Response.json({"kind": "youtube#videoListResponse", "items": items})

    def _channels_list(self, request: Request) -> Response:
        caller = self._caller(request)
        if isinstance(caller, Response):
            return caller
        refused = self._spend(caller[0], "channels.list")
        if refused is not None:
            return refused
        channel = caller[1]
        title = self.channel_titles.get(channel, "A channel")
        return Response.json(
            {
                "kind": "youtube#channelListResponse",
                "items": [{"id": channel, "snippet": {"title": title}}],
            }
        )


def _multipart(request: Request) -> list[tuple[str, bytes]]:
    """The parts of a multipart/related body: (content type, payload)."""
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith("multipart/"):
        return [(content_type, request.body)]
    message = email.message_from_bytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + request.body,
        policy=email.policy.HTTP,
    )
    return [
        (part.get_content_type(), part.get_payload(decode=True) or b"")
        for part in message.iter_parts()
    ]


def _media_part(request: Request) -> bytes:
    parts = _multipart(request)
    return parts[-1][1] if parts else b""


def _json_part(request: Request) -> dict[str, Any]:
    for kind, payload in _multipart(request):
        if "json" in kind:
            return json.loads(payload)
    return {}
