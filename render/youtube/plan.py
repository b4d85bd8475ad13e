"""What the supervisor tells the upload stage about YouTube: where, through what, how.

The connections come in the order to try them (rotation chose it: the project with
the most quota left above the reserve first). Each connection's authorized-user
record travels as the secret ``youtube:<connection id>``, never in the spec file.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Privacy = Literal["private", "unlisted", "public"]
STEPS = ("thumbnail", "captions", "playlist")


class ConnectionChoice(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    connection_id: int
    project_id: int
    audited: bool = False

    @property
    def secret_name(self) -> str:
        return secret_name(self.connection_id)


def secret_name(connection_id: int) -> str:
    return f"youtube:{connection_id}"


class UploadRecord(BaseModel):
    """How far a video's upload got. Kept in the job folder (written before the first byte
    of the video is sent) and by the supervisor, so a repeat resumes instead of uploading
    twice and a done step is never redone."""

    model_config = ConfigDict(extra="forbid")

    connection_id: int
    project_id: int
    session_url: str | None = None
    size: int | None = None
    youtube_video_id: str | None = None
    steps: dict[str, bool] = Field(default_factory=dict)
    privacy: Privacy | None = None
    note: str | None = None


class YouTubePlan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    api_root: str
    token_uri: str
    timeout_s: float = 120.0
    chunk_bytes: int = Field(8 * 256 * 1024, gt=0)
    youtube_channel_id: str
    connections: list[ConnectionChoice] = Field(min_length=1)
    # Connections an earlier attempt's session may belong to (it resumes there whatever the
    # rotation says now); their secrets travel too.
    resume_connections: list[ConnectionChoice] = Field(default_factory=list)
    resume: UploadRecord | None = None
    privacy: Privacy = "private"
    publish_at: datetime | None = None
    category_id: str = "22"
    made_for_kids: bool = False
    language: str = "en"
    playlist_id: str | None = None
    # Pauses between tries of one chunk or call (seconds): 0.5, 1, 2, ... up to the cap.
    retry_base_s: float = Field(0.5, ge=0)
    retry_cap_s: float = Field(10.0, ge=0)
    max_tries: int = Field(8, ge=1)

    def choice(self, connection_id: int) -> ConnectionChoice | None:
        for choice in (*self.connections, *self.resume_connections):
            if choice.connection_id == connection_id:
                return choice
        return None
