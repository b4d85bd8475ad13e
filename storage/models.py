"""Database tables, as SQLAlchemy 2 declarative models.

The migrations in storage/migrations/versions are the source of the schema on
disk; a test compares these models with the migrated database so the two can
never drift apart.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so migrations can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON}


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    display_name: Mapped[str | None] = mapped_column(String(100))
    # Access tokens issued before this moment stop working (password change, disable, role).
    tokens_valid_after: Mapped[datetime | None] = mapped_column()
    # Set when someone else chose the password (the first admin's, an admin's for a new
    # user): the console asks for a new one before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    last_login_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RefreshToken(Base):
    """One refresh token, stored as a hash. Each rotation adds a row to the same family;

    presenting a token that was already used revokes the whole family (RFC 9700 §4.14.2).
    """

    __tablename__ = "refresh_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    family_id: Mapped[str] = mapped_column(String(32), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    address: Mapped[str | None] = mapped_column(String(64))


class ApiKey(Base):
    """An integration's key. Only its hash is kept; ``prefix`` finds it without a scan."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()


class Channel(Base):
    __tablename__ = "channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    niche: Mapped[str] = mapped_column(String(50), default="general")
    language: Mapped[str] = mapped_column(String(16), default="en")
    format: Mapped[str] = mapped_column(String(16), default="1080p")
    voice: Mapped[str | None] = mapped_column(String(100))
    # A script template of the niche ("explainer", "listicle", ...); None lets each video draw.
    style: Mapped[str | None] = mapped_column(String(50))
    # When the channel publishes: a crontab line, or None for as-queued.
    schedule: Mapped[str | None] = mapped_column(String(100))
    # The time zone the crontab is read in (migration 0008).
    schedule_timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # Below this many backlog topics, ideas refill it by backlog_refill (migration 0009).
    backlog_low_mark: Mapped[int | None] = mapped_column(Integer)
    backlog_refill: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    # Per stage, the providers to try in order: {"script": ["openai:gpt-4o", "template"]}.
    providers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    budget_micro_usd: Mapped[int] = mapped_column(Integer, default=3_000_000)
    # Past this projected cost, a video's remaining stages use the cheaper providers.
    downgrade_micro_usd: Mapped[int] = mapped_column(
        Integer, default=2_500_000, server_default="2500000"
    )
    privacy: Mapped[str] = mapped_column(String(16), default="private")
    # Where uploads go (migration 0008): the YouTube channel (UC...), a playlist each video
    # joins, the category and the made-for-kids flag YouTube asks of every upload.
    youtube_channel_id: Mapped[str | None] = mapped_column(String(64), index=True)
    youtube_playlist_id: Mapped[str | None] = mapped_column(String(64))
    youtube_category_id: Mapped[str] = mapped_column(String(8), default="22", server_default="22")
    made_for_kids: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Video(Base):
    __tablename__ = "videos"
    __table_args__ = (
        Index("ix_videos_queue", "status", "priority", "created_at"),
        # Analytics read a window of days, one owner's or everyone's (migration 0005).
        Index("ix_videos_owner_id_created_at", "owner_id", "created_at"),
        Index("ix_videos_created_at", "created_at"),
        # One owner's queue by status, oldest first (migration 0007).
        Index("ix_videos_owner_id_status", "owner_id", "status", "created_at"),
        # The tier lifecycle finds what is due by tier and time of arrival (migration 0012).
        Index("ix_videos_files_tier", "files_tier", "files_moved_at"),
        # A box's own videos; unheld active ones for a box to claim (migration 0015).
        Index("ix_videos_box_id", "box_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id"), index=True)
    topic: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16))
    priority: Mapped[int] = mapped_column(Integer, default=0)
    format: Mapped[str] = mapped_column(String(16), default="1080p")
    target_seconds: Mapped[int] = mapped_column(Integer, default=60)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    budget_micro_usd: Mapped[int] = mapped_column(Integer, default=3_000_000)
    downgrade_micro_usd: Mapped[int] = mapped_column(
        Integer, default=2_500_000, server_default="2500000"
    )
    cost_micro_usd: Mapped[int] = mapped_column(Integer, default=0)
    output_path: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    # Why a waiting video does not go on now, in words (migration 0007).
    waiting_reason: Mapped[str | None] = mapped_column(Text)
    # On YouTube (migration 0008): set by the upload stage, or by hand for a manual upload.
    youtube_video_id: Mapped[str | None] = mapped_column(String(64))
    youtube_url: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    # Which storage tier holds the video's files (hot, warm, cold; removed once retention
    # has deleted them) and since when (migration 0012).
    files_tier: Mapped[str] = mapped_column(String(8), default="hot", server_default="hot")
    files_moved_at: Mapped[datetime | None] = mapped_column()
    # The box that runs the video and whose tiers hold its files, and until when its
    # claim on an unfinished video holds unless renewed (migration 0015).
    box_id: Mapped[str | None] = mapped_column(String(64))
    box_lease_until: Mapped[datetime | None] = mapped_column()


# What a box claims next: unheld videos in queue order, read in index order (0015).
# Partial (no box holds them): PostgreSQL reads an index in order only past equalities,
# and ``box_id IS NULL`` is not one.
Index(
    "ix_videos_unheld",
    Video.priority.desc(),
    Video.created_at,
    Video.id,
    sqlite_where=Video.box_id.is_(None),
    postgresql_where=Video.box_id.is_(None),
)
# Claims of unfinished videos, by when they run out: a dead box's are found at once.
_UNFINISHED = Video.status.in_(("queued", "running", "waiting"))
Index(
    "ix_videos_lapsed",
    Video.box_lease_until,
    sqlite_where=_UNFINISHED,
    postgresql_where=_UNFINISHED,
)


class Stage(Base):
    __tablename__ = "stages"
    __table_args__ = (
        UniqueConstraint("video_id", "name"),
        # Covers analytics' stage durations: read by video, no table lookups (migration 0005).
        Index(
            "ix_stages_video_durations", "video_id", "status", "name", "started_at", "finished_at"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    resource_class: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column()
    not_before: Mapped[datetime | None] = mapped_column()
    slot: Mapped[str | None] = mapped_column(String(16))
    worker_pid: Mapped[int | None] = mapped_column(Integer)
    # Who made the stage's output: "openai:gpt-4o", "pexels+generated", "piper".
    provider: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[dict[str, Any] | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


class CostEntry(Base):
    """One provider call's cost, in integer micro-dollars (the ledger is append-only).

    It belongs to its owner and channel as well as its video: deleting a video leaves
    its entries in the books with ``video_id`` NULL, so spend per day and per provider
    never goes down after the fact.
    """

    __tablename__ = "cost_entries"
    __table_args__ = (
        Index("ix_cost_entries_owner_id_at", "owner_id", "at"),
        Index("ix_cost_entries_provider_at", "provider", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    video_id: Mapped[int | None] = mapped_column(
        ForeignKey("videos.id", ondelete="SET NULL"), index=True
    )
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("channels.id", ondelete="SET NULL"), index=True
    )
    stage: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str] = mapped_column(String(64))
    units: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(32))
    # Fractional: $0.15 per 1M tokens is 0.15 µ$ per token. The amount is always whole.
    unit_price_micro_usd: Mapped[float] = mapped_column(Float)
    amount_micro_usd: Mapped[int] = mapped_column(Integer)
    detail: Mapped[dict[str, Any] | None] = mapped_column()
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Credential(Base):
    """A provider credential entered through the API, encrypted with the box's key."""

    __tablename__ = "credentials"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(32))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    # A short hash that tells two keys apart without revealing either.
    fingerprint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Event(Base):
    """Append-only log; ids only grow (AUTOINCREMENT), so readers resume after the last one."""

    __tablename__ = "events"
    __table_args__ = (
        # The console's warnings: a few kinds, since the start of the day.
        Index("ix_events_kind_at", "kind", "at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(64))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    video_id: Mapped[int | None] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class YouTubeProject(Base):
    """A Google Cloud OAuth client: where YouTube quota lives (per Pacific-time day)."""

    __tablename__ = "youtube_projects"
    __table_args__ = (UniqueConstraint("owner_id", "client_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    client_secret_fingerprint: Mapped[str] = mapped_column(String(16))
    # Unaudited projects' uploads are locked private by YouTube.
    audited: Mapped[bool] = mapped_column(Boolean, default=False)
    # This project's own bucket sizes ({"uploads": 200}); missing buckets take the box's.
    quota_buckets: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # quotaExceeded seen: nothing more from this project until then (the Pacific midnight).
    exhausted_until: Mapped[datetime | None] = mapped_column()
    warned_day: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class YouTubeConnection(Base):
    """One YouTube channel authorized through one project: its refresh token, sealed."""

    __tablename__ = "youtube_connections"
    __table_args__ = (UniqueConstraint("project_id", "youtube_channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("youtube_projects.id", ondelete="CASCADE"), index=True
    )
    youtube_channel_id: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    token_cipher: Mapped[bytes] = mapped_column(LargeBinary)
    # connected | needs_reconnect (invalid_grant: the operator must authorize again)
    status: Mapped[str] = mapped_column(String(24), default="connected")
    health: Mapped[float] = mapped_column(Float, default=1.0)
    # uploadLimitExceeded: the YouTube channel's own 24 h cap, reached.
    capped_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)
    last_used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class YouTubeQuota(Base):
    """Calls of one API method through one project on one Pacific-time day, and their cost."""

    __tablename__ = "youtube_quota"
    __table_args__ = (UniqueConstraint("project_id", "day", "method"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("youtube_projects.id", ondelete="CASCADE"), index=True
    )
    day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD, America/Los_Angeles
    method: Mapped[str] = mapped_column(String(64))
    bucket: Mapped[str] = mapped_column(String(32))
    calls: Mapped[int] = mapped_column(Integer, default=0)
    units: Mapped[int] = mapped_column(Integer, default=0)


class YouTubeUpload(Base):
    """A video's way onto YouTube: the resumable session, the id it got, the steps done.

    Recorded as the upload stage reports them, so a retry (or another supervisor after a
    crash) resumes the same session instead of uploading the video twice.
    """

    __tablename__ = "youtube_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    video_id: Mapped[int] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), unique=True)
    connection_id: Mapped[int | None] = mapped_column(
        ForeignKey("youtube_connections.id", ondelete="SET NULL")
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("youtube_projects.id", ondelete="SET NULL")
    )
    session_url: Mapped[str | None] = mapped_column(Text)
    youtube_video_id: Mapped[str | None] = mapped_column(String(64))
    # Steps after the upload that are done: {"thumbnail": true, "captions": true, ...}.
    steps: Mapped[dict[str, Any]] = mapped_column(default=dict)
    privacy: Mapped[str | None] = mapped_column(String(16))
    publish_at: Mapped[datetime | None] = mapped_column()
    # Why it is private whatever was asked (an unaudited project), in words.
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class InboxFile(Base):
    """A file of topics dropped into the inbox, by its content: queued once, whatever it is
    named or however often it is saved again."""

    __tablename__ = "inbox_files"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))  # queued or refused
    video_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Box(Base):
    """A supervisor on one machine, sharing the database with others (migration 0015).

    ``seen_at`` is its heartbeat; ``url`` is where other boxes reach its API (downloads
    of files on its tiers are sent there); a draining box claims no new videos."""

    __tablename__ = "boxes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    boot_id: Mapped[str] = mapped_column(String(64))
    url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    draining: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class PeriodicRun(Base):
    """The last run of a periodic job that one box runs for all (migration 0015): a box
    starts it only when no box has started it within its interval."""

    __tablename__ = "periodic_runs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    box_id: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    outcome: Mapped[str | None] = mapped_column(Text)


class TierMove(Base):
    """A move of one video's files between tiers that has begun: until it is recorded,
    ``copies`` (the new folders) are not yet the video's; once recorded, ``sources`` (the
    old ones) are leftovers to delete. A crash at any point is finished or undone from
    here at the next run."""

    __tablename__ = "tier_moves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # No foreign key: a move outlives its video being deleted, so its copies are cleaned.
    video_id: Mapped[int] = mapped_column(Integer, unique=True)
    from_tier: Mapped[str] = mapped_column(String(8))
    to_tier: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16))  # copying or recorded
    copies: Mapped[list[str]] = mapped_column(JSON, default=list)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookEndpoint(Base):
    """Where a user wants to be told of events: a URL, the event types, a signing secret
    (sealed with the box key), on or off (turned off when it keeps failing)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    disabled_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebhookMessage(Base):
    """One event for one endpoint: written in the transaction of the change it tells
    about, delivered in order per endpoint, at least once, with the same ``message_id``
    (the ``webhook-id`` header) on every attempt."""

    __tablename__ = "webhook_messages"
    __table_args__ = (
        # The deliverer's question: each endpoint's oldest pending message.
        Index("ix_webhook_messages_endpoint_status", "endpoint_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # delivered, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column()


class WebhookAttempt(Base):
    """One try at delivering a message: what the endpoint answered, or why it did not."""

    __tablename__ = "webhook_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_messages.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class IdempotencyKey(Base):
    """A POST that creates something, by its caller's ``Idempotency-Key``: the request's
    fingerprint and, once answered, the answer a repeat gets back (24 h)."""

    __tablename__ = "idempotency_keys"

    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)  # None: still being answered
    response: Mapped[bytes | None] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Subscription(Base):
    """A Stripe subscription and whose it is: kept from Stripe's webhook events, which may
    come twice and out of order (``event_created`` is the newest event applied)."""

    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stripe_subscription_id: Mapped[str] = mapped_column(String(255), unique=True)
    stripe_customer_id: Mapped[str | None] = mapped_column(String(255), index=True)
    # Known once the checkout that made it completed (its client_reference_id).
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    plan: Mapped[str | None] = mapped_column(String(64))
    price_id: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), default="incomplete")
    current_period_start: Mapped[datetime | None] = mapped_column()
    current_period_end: Mapped[datetime | None] = mapped_column()
    event_created: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StripeEvent(Base):
    """Each Stripe event handled, by its id: one that comes again changes nothing."""

    __tablename__ = "stripe_events"

    id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    created: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class YouTubeOAuthState(Base):
    """A connect that was started: its one-use state, the PKCE verifier, where it returns."""

    __tablename__ = "youtube_oauth_states"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    project_id: Mapped[int] = mapped_column(ForeignKey("youtube_projects.id", ondelete="CASCADE"))
    code_verifier: Mapped[str | None] = mapped_column(String(128))
    redirect_uri: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()


class BacklogTopic(Base):
    """A topic waiting for one of its channel's publishing slots, in the channel's order."""

    __tablename__ = "backlog_topics"
    __table_args__ = (Index("ix_backlog_topics_channel_id_position", "channel_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    topic: Mapped[str] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScheduleSlot(Base):
    """A publishing slot of a channel that was acted on: the video queued for it, or why not.

    One row per channel and slot, so a restarted supervisor never fills a slot twice.
    """

    __tablename__ = "schedule_slots"
    __table_args__ = (UniqueConstraint("channel_id", "slot_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channels.id", ondelete="CASCADE"))
    slot_at: Mapped[datetime] = mapped_column()
    video_id: Mapped[int | None] = mapped_column(ForeignKey("videos.id", ondelete="SET NULL"))
    outcome: Mapped[str] = mapped_column(String(16))  # queued | empty
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class YouTubeStats(Base):
    """A published video's latest statistics from videos.list."""

    __tablename__ = "youtube_stats"

    video_id: Mapped[int] = mapped_column(
        ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True
    )
    views: Mapped[int] = mapped_column(Integer, default=0)
    likes: Mapped[int] = mapped_column(Integer, default=0)
    comments: Mapped[int] = mapped_column(Integer, default=0)
    fetched_at: Mapped[datetime] = mapped_column()
