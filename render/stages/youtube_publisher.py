"""Publishing one exported video to YouTube: a crash-safe resumable upload, then the
thumbnail, the captions and the playlist item, each done once.

The upload record (``youtube-upload.json`` in the job folder) is written the moment
YouTube hands out the session URL, before the first byte of the video is sent, and
again after each step. A repeat of the stage (a retry, a supervisor killed mid-upload)
reads it and asks the session how far it got (``Content-Range: bytes */total``)
instead of starting a second upload; a step recorded done is skipped.

Connections are tried in the plan's order. ``quotaExceeded`` and ``invalid_grant`` move
on to the next connection at once; 5xx, rate limits, timeouts and dropped connections
are tried again with a growing pause, then left to the stage's retry policy. Every
call that reaches YouTube and every failure is reported (``youtube`` lines), so the
supervisor keeps the quota ledger and the connections' health.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from googleapiclient.errors import HttpError
from googleapiclient.http import HttpRequest, MediaFileUpload

from render.artifacts import UPLOAD_RECORD_FILE, read_record, write_record
from render.protocol import Reporter, StageError
from render.youtube import client
from render.youtube.failures import Failure, classify
from render.youtube.plan import ConnectionChoice, UploadRecord, YouTubePlan

RECORD_FILE = UPLOAD_RECORD_FILE
UNAUDITED_NOTE = (
    "uploaded through an API project Google has not audited: YouTube keeps the video "
    "private until the project passes the audit"
)


class CallFailed(Exception):
    def __init__(self, failure: Failure, choice: ConnectionChoice):
        super().__init__(failure.message)
        self.failure = failure
        self.choice = choice


class SessionGone(Exception):
    """The saved session no longer exists on YouTube's side (expired): start over."""


class _SessionWatch:
    """Passes requests through (chunks as bytes); the moment a resumable session is
    created (200 with a ``Location``), ``on_session`` runs, before the first chunk."""

    def __init__(self, http: Any, on_session: Callable[[str], None]):
        self._http = http
        self._on_session = on_session

    def request(
        self, uri: str, method: str = "GET", body: Any = None, *args: Any, **kwargs: Any
    ) -> Any:
        if hasattr(body, "read"):
            # A chunk as bytes: httplib2 silently sends a request again on a connection
            # that died, and a stream slice it already read would go out empty.
            body = body.read()
        response, content = self._http.request(uri, method, body, *args, **kwargs)
        if (
            method == "POST"
            and "uploadType=resumable" in uri
            and response.status == 200
            and "location" in response
        ):
            self._on_session(response["location"])
        return response, content


class Publisher:
    def __init__(
        self,
        plan: YouTubePlan,
        secret: Callable[[str], str | None],
        job_dir: Path,
        reporter: Reporter,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.plan = plan
        self._secret = secret
        self.record_path = job_dir / RECORD_FILE
        self.reporter = reporter
        self._sleep = sleep
        self._clients: dict[int, tuple[Any, Any]] = {}
        self.record = self._earlier_record()

    # -- the whole job --------------------------------------------------------------------

    def close(self) -> None:
        """Close the connections the clients kept open."""
        for _, http in self._clients.values():
            http.http.close()
        self._clients.clear()

    def publish(
        self, video: Path, thumbnail: Path, captions: Path | None, metadata: dict[str, Any]
    ) -> UploadRecord:
        """Upload (or finish uploading) ``video`` and do the steps after it."""
        try:
            return self._publish(video, thumbnail, captions, metadata)
        finally:
            self.close()

    def _publish(
        self, video: Path, thumbnail: Path, captions: Path | None, metadata: dict[str, Any]
    ) -> UploadRecord:
        if self.record is None or self.record.youtube_video_id is None:
            self._upload(video, self._video_body(metadata))
        record = self._require_record()
        steps: list[tuple[str, str, Callable[[Any], HttpRequest]]] = [
            (
                "thumbnail",
                "thumbnails.set",
                lambda yt: yt.thumbnails().set(
                    videoId=record.youtube_video_id,
                    media_body=MediaFileUpload(str(thumbnail), mimetype=_image_type(thumbnail)),
                ),
            ),
        ]
        if captions is not None:
            steps.append(
                (
                    "captions",
                    "captions.insert",
                    lambda yt: yt.captions().insert(
                        part="snippet",
                        body={
                            "snippet": {
                                "videoId": record.youtube_video_id,
                                "language": self.plan.language,
                                "name": "",
                                "isDraft": False,
                            }
                        },
                        media_body=MediaFileUpload(
                            str(captions), mimetype="application/octet-stream"
                        ),
                    ),
                )
            )
        if self.plan.playlist_id:
            steps.append(
                (
                    "playlist",
                    "playlistItems.insert",
                    lambda yt: yt.playlistItems().insert(
                        part="snippet",
                        body={
                            "snippet": {
                                "playlistId": self.plan.playlist_id,
                                "resourceId": {
                                    "kind": "youtube#video",
                                    "videoId": record.youtube_video_id,
                                },
                            }
                        },
                    ),
                )
            )
        for number, (name, method, build) in enumerate(steps, start=1):
            if record.steps.get(name) is not None:
                continue  # done (or refused for good) by an earlier attempt
            self.reporter.progress(0.9 + 0.1 * number / (len(steps) + 1), f"YouTube: {name}")
            done = self._call(method, build)
            record.steps[name] = done
            self._save(record)
        return record

    # -- the upload ---------------------------------------------------------------------

    def _upload(self, video: Path, body: dict[str, Any]) -> None:
        size = video.stat().st_size
        record = self.record
        # The supervisor's copy does not know the size; the job folder's does.
        if record is not None and record.session_url and record.size in (None, size):
            order = self._resume_order(record)
            for choice in order:
                try:
                    self._send(choice, video, body, resume_url=record.session_url)
                    return
                except SessionGone:
                    self.reporter.log("the saved upload session has expired; starting a new one")
                    break
                except CallFailed as failed:
                    if failed.failure.kind != "invalid_grant":
                        raise self._stage_error(failed) from None
            else:
                raise StageError(
                    "wait", "every connection that could finish the upload needs reconnecting"
                )
        last: CallFailed | None = None
        for choice in self.plan.connections:
            try:
                self._send(choice, video, body, resume_url=None)
                return
            except CallFailed as failed:
                last = failed
                if failed.failure.kind in ("quota_exceeded", "invalid_grant"):
                    continue  # the next project (or connection) takes it, in this attempt
                raise self._stage_error(failed) from None
        assert last is not None
        raise self._stage_error(last)

    def _resume_order(self, record: UploadRecord) -> list[ConnectionChoice]:
        first = self.plan.choice(record.connection_id)
        rest = [c for c in self.plan.connections if c.connection_id != record.connection_id]
        return ([first] if first is not None else []) + rest

    def _send(
        self, choice: ConnectionChoice, video: Path, body: dict[str, Any], *, resume_url: str | None
    ) -> None:
        youtube, http = self._client(choice)
        size = video.stat().st_size
        media = MediaFileUpload(
            str(video), mimetype="video/mp4", chunksize=self.plan.chunk_bytes, resumable=True
        )
        request = youtube.videos().insert(
            part="snippet,status", body=body, media_body=media, notifySubscribers=True
        )

        def on_session(url: str) -> None:
            self._call_made(choice, "videos.insert")
            self._save(
                UploadRecord(
                    connection_id=choice.connection_id,
                    project_id=choice.project_id,
                    session_url=url,
                    size=size,
                )
            )

        watch = _SessionWatch(http, on_session)
        if resume_url is not None:
            # Ask the session how far it got before sending anything (the client's own
            # state after a failed chunk, set by hand for a session from an earlier process).
            request.resumable_uri = resume_url
            request._in_error_state = True
        tries = 0
        response = None
        while response is None:
            try:
                status, response = request.next_chunk(http=watch)
            except Exception as error:  # classified below; a bug is raised as it is
                failure = classify(error)
                if failure is None:
                    raise
                started = request.resumable_uri is not None
                if (
                    not started
                    and failure.kind != "quota_exceeded"
                    and isinstance(error, HttpError)
                ):
                    self._call_made(choice, "videos.insert")  # a refused insert still costs
                if (
                    started
                    and isinstance(error, HttpError)
                    and error.resp.status in (404, 410)
                    and resume_url is not None
                ):
                    raise SessionGone() from None
                self._failed(choice, failure)
                tries += 1
                if not failure.retryable or tries >= self.plan.max_tries:
                    raise CallFailed(failure, choice) from None
                self._pause(tries, failure)
                continue
            tries = 0
            if status is not None:
                self.reporter.progress(
                    0.05 + 0.85 * status.progress(),
                    f"uploading to YouTube: {status.resumable_progress >> 20} of {size >> 20} MiB",
                )
        self._succeeded(choice)
        record = self._require_record()
        record.youtube_video_id = str(response["id"])
        record.privacy = response.get("status", {}).get("privacyStatus")
        if not choice.audited:
            record.note = UNAUDITED_NOTE
        self._save(record)

    # -- the calls after it ---------------------------------------------------------------

    def _call(self, method: str, build: Callable[[Any], HttpRequest]) -> bool:
        """One API call with failover: True when done, False when YouTube refused it for
        good (the video is up; a refused thumbnail must not undo that)."""
        record = self._require_record()
        quota_spent = False
        for choice in self._resume_order(record):
            tries = 0
            while True:
                youtube, _ = self._client(choice)
                try:
                    build(youtube).execute(num_retries=0)
                except Exception as error:
                    failure = classify(error)
                    if failure is None:
                        raise
                    if failure.kind != "quota_exceeded" and isinstance(error, HttpError):
                        self._call_made(choice, method)
                    self._failed(choice, failure)
                    if failure.kind == "rejected":
                        self.reporter.log(f"YouTube refused {method}: {failure.message}", "warning")
                        return False
                    if failure.kind in ("quota_exceeded", "invalid_grant", "upload_limit"):
                        quota_spent = quota_spent or failure.kind == "quota_exceeded"
                        break  # the next connection
                    tries += 1
                    if tries >= self.plan.max_tries:
                        raise self._stage_error(CallFailed(failure, choice)) from None
                    self._pause(tries, failure)
                    continue
                self._call_made(choice, method)
                self._succeeded(choice)
                return True
        if quota_spent:
            raise StageError("wait", f"no project has quota left for {method}")
        raise StageError("provider", f"no connection could make {method}", retryable=True)

    # -- plumbing -------------------------------------------------------------------------

    def _client(self, choice: ConnectionChoice) -> tuple[Any, Any]:
        if choice.connection_id not in self._clients:
            raw = self._secret(choice.secret_name)
            if raw is None:
                raise StageError(
                    "internal", f"no credentials for connection {choice.connection_id}"
                )
            creds = client.credentials(json.loads(raw), self.plan.token_uri)
            http = client.authorized_http(creds, self.plan.timeout_s)
            self._clients[choice.connection_id] = (client.youtube(http, self.plan.api_root), http)
        return self._clients[choice.connection_id]

    def _video_body(self, metadata: dict[str, Any]) -> dict[str, Any]:
        plan = self.plan
        status: dict[str, Any] = {
            "privacyStatus": plan.privacy,
            "selfDeclaredMadeForKids": plan.made_for_kids,
            "embeddable": True,
        }
        if plan.publish_at is not None:
            # YouTube publishes a scheduled video itself; it must be private until then.
            status["privacyStatus"] = "private"
            status["publishAt"] = plan.publish_at.isoformat().replace("+00:00", "Z")
        return {
            "snippet": {
                "title": metadata["title"],
                "description": metadata["description"],
                "tags": metadata.get("tags", []),
                "categoryId": plan.category_id,
                "defaultLanguage": plan.language,
                "defaultAudioLanguage": plan.language,
            },
            "status": status,
        }

    def _earlier_record(self) -> UploadRecord | None:
        """The job folder's record, else the supervisor's copy (the folder may be newer)."""
        if self.record_path.is_file():
            try:
                return read_record(self.record_path, UploadRecord)
            except ValueError:
                self.reporter.log("the upload record is damaged; using the supervisor's copy")
        return self.plan.resume.model_copy(deep=True) if self.plan.resume else None

    def _require_record(self) -> UploadRecord:
        if self.record is None:
            raise StageError("internal", "the upload left no record")
        return self.record

    def _save(self, record: UploadRecord) -> None:
        self.record = record
        write_record(self.record_path, record)
        self.reporter.youtube("record", record=record.model_dump(mode="json"))

    def _call_made(self, choice: ConnectionChoice, method: str) -> None:
        self.reporter.youtube(
            "call", connection_id=choice.connection_id, project_id=choice.project_id, method=method
        )

    def _failed(self, choice: ConnectionChoice, failure: Failure) -> None:
        self.reporter.youtube(
            "failure",
            connection_id=choice.connection_id,
            project_id=choice.project_id,
            kind=failure.kind,
            message=failure.message,
        )

    def _succeeded(self, choice: ConnectionChoice) -> None:
        self.reporter.youtube(
            "success", connection_id=choice.connection_id, project_id=choice.project_id
        )

    def _pause(self, tries: int, failure: Failure) -> None:
        delay = min(self.plan.retry_cap_s, self.plan.retry_base_s * 2 ** (tries - 1))
        self.reporter.log(f"YouTube: {failure.message}; trying again in {delay:.1f} s", "warning")
        self._sleep(delay)

    def _stage_error(self, failed: CallFailed) -> StageError:
        kind = failed.failure.kind
        if kind in ("quota_exceeded", "upload_limit"):
            return StageError("wait", f"YouTube: {failed.failure.message}")
        if kind == "invalid_grant":
            return StageError("wait", "every connection needs reconnecting")
        return StageError(
            "provider", f"YouTube: {failed.failure.message}", retryable=failed.failure.retryable
        )


def _image_type(path: Path) -> str:
    return "image/png" if path.suffix.lower() == ".png" else "image/jpeg"
