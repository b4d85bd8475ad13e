"""Request and response shapes of /api/v1/youtube: projects, connections, quota."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar

from pydantic import BaseModel, Field

from web.api_schemas import BodyModel, InputModel, Page, WholeNumber

UNAUDITED = (
    "Google has not audited this project: YouTube locks the videos it uploads to private "
    "until the project passes the audit."
)


class ProjectIn(BodyModel):
    """A Google Cloud OAuth client (type: web application) with the YouTube Data API on."""

    free_text: ClassVar[frozenset[str]] = frozenset({"client_secret"})
    name: str = Field(min_length=1, max_length=100)
    client_id: str = Field(min_length=3, max_length=255)
    client_secret: str = Field(
        min_length=6, max_length=255, description="Kept sealed; never shown."
    )
    audited: bool = Field(
        False, description="Google has audited the project (uploads may be public)."
    )
    quota_buckets: dict[str, WholeNumber] = Field(
        default_factory=dict,
        description='This project\'s own bucket sizes per day, e.g. {"uploads": 200} after '
        "a quota raise; the rest are the box's (youtube.quota_buckets).",
    )


class ProjectPatch(BodyModel):
    free_text: ClassVar[frozenset[str]] = frozenset({"client_secret"})
    name: str = Field(None, min_length=1, max_length=100)
    client_secret: str = Field(None, min_length=6, max_length=255)
    audited: bool = Field(None)
    quota_buckets: dict[str, WholeNumber] = Field(None)

    def changes(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class BucketOut(BaseModel):
    name: str
    size: int = Field(description="The bucket's day.")
    used: int
    left: int
    reserve: int = Field(description="What uploads leave alone (youtube.reserve_percent).")


class QuotaOut(BaseModel):
    day: date = Field(description="The Pacific-time day these figures are for.")
    resets_at: datetime = Field(description="The next Pacific midnight.")
    exhausted_until: datetime | None = Field(
        description="Google said quotaExceeded: the project is left out until then."
    )
    buckets: list[BucketOut]


class Project(BaseModel):
    id: int
    name: str
    client_id: str
    client_secret_fingerprint: str
    audited: bool
    note: str | None = Field(description="What an unaudited project means for its uploads.")
    quota_buckets: dict[str, int] = Field(description="Its own bucket sizes, if any.")
    quota: QuotaOut = Field(description="Today's quota.")
    created_at: datetime
    updated_at: datetime


class ProjectPage(Page):
    items: list[Project]


class MethodOut(BaseModel):
    method: str
    bucket: str
    calls: int
    units: int


class QuotaDayOut(QuotaOut):
    methods: list[MethodOut] = Field(description="What each API method took that day.")


class QuotaQuery(InputModel):
    day: date | None = Field(None, description="A Pacific-time day; default today.")


class ConnectIn(BodyModel):
    redirect_uri: str | None = Field(
        None,
        pattern=r"^https?://",
        max_length=2000,
        description="Where Google sends the browser back; it must be registered on the OAuth "
        "client. Default: youtube.public_url (or this request's address) + "
        "/api/v1/youtube/oauth/callback. On a LAN box register e.g. "
        "http://localhost:8080/api/v1/youtube/oauth/callback and paste the address the "
        "browser lands on into /connections/paste.",
    )


class ConnectOut(BaseModel):
    authorization_url: str = Field(description="Open this in a browser signed in to the channel.")
    state: str
    redirect_uri: str
    expires_at: datetime


class PasteIn(BodyModel):
    url: str | None = Field(
        None, max_length=4000, description="The whole address the browser was redirected to."
    )
    code: str | None = Field(None, max_length=2000, description="Or the code alone ...")
    state: str | None = Field(None, max_length=64, description="... with the connect's state.")


class Connection(BaseModel):
    id: int
    project_id: int
    youtube_channel_id: str
    title: str
    status: str = Field(description="connected, or needs_reconnect (the grant was revoked).")
    health: float = Field(
        description="1.0 is perfect; below youtube.health_floor it is used only as a last resort."
    )
    capped_until: datetime | None = Field(
        description="The YouTube channel reached its 24-hour upload cap: no uploads until then."
    )
    last_error: str | None
    last_used_at: datetime | None
    created_at: datetime
    updated_at: datetime


class ConnectionPage(Page):
    items: list[Connection]


class PublishedIn(BodyModel):
    youtube_url: str = Field(
        min_length=11, max_length=500, description="The video's YouTube address (or its id)."
    )
