"""The typed settings registry.

Every setting is a field of one of the pydantic models below: its name, type,
default and help text live in exactly one place. The same models feed the
config file loader, the ``YTEMPIRE_*`` environment overrides,
``ytempire config show``, the generated configuration reference and (later)
the console's settings page.

A setting's dotted name is its place in the TOML file: ``server.port`` is
``[server] port = 8080`` and the environment variable ``YTEMPIRE_SERVER_PORT``.
Top-level settings such as ``data_dir`` map to ``YTEMPIRE_DATA_DIR``.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from render.review_limits import ReviewLimits


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class ServerSettings(_Group):
    host: str = Field("127.0.0.1", description="Address the console and API listen on.")
    port: int = Field(
        8080, ge=0, le=65535, description="TCP port of the console and API; 0 picks a free one."
    )
    proxy_hops: int = Field(
        0,
        ge=0,
        le=5,
        description="Reverse proxies in front of the box whose X-Forwarded-For and "
        "X-Forwarded-Proto to trust (e.g. 1 behind one nginx that terminates TLS): the "
        "client's address for sign-in limits and logs, and https for the console's Secure "
        "cookie. 0 trusts none: set it only when nothing can reach the port but the proxy.",
    )
    grace_period_s: float = Field(
        25.0,
        ge=0,
        le=600,
        description="On shutdown, how long running stages may take to finish before "
        "their workers are terminated (keep below the unit's TimeoutStopSec).",
    )


class DatabaseSettings(_Group):
    url: SecretStr | None = Field(
        None,
        description="A PostgreSQL database shared by several boxes, as a URL "
        "(postgresql://user@host:5432/ytempire). Unset: the box's own SQLite file (path). "
        "Leave the password out and give it in the service user's ~/.pgpass (or "
        "PGPASSFILE): a URL's password is never shown, but a file keeps it out of the "
        "config. See docs/SCALE-OUT.md.",
    )
    path: Path | None = Field(
        None, description="SQLite database file. Default: ytempire.db in data_dir."
    )

    @field_validator("url")
    @classmethod
    def _postgres_only(cls, url: SecretStr | None) -> SecretStr | None:
        if url is not None:
            scheme = url.get_secret_value().split("://", 1)[0]
            # Any postgresql+driver URL is taken; the box always connects with psycopg.
            if scheme != "postgres" and scheme.split("+")[0] != "postgresql":
                raise ValueError("must be a postgresql:// URL")
            if scheme == "postgres":  # libpq's short form; SQLAlchemy knows the long one
                return SecretStr("postgresql" + url.get_secret_value()[len("postgres") :])
        return url

    synchronous: Literal["NORMAL", "FULL"] = Field(
        "FULL",
        description="SQLite synchronous mode. FULL survives power loss without losing "
        "the last committed cost records; NORMAL is faster and survives process crashes.",
    )
    busy_timeout_ms: int = Field(
        5000, ge=0, le=600_000, description="How long a reader waits on a locked database."
    )


class ClusterSettings(_Group):
    """Several boxes on one PostgreSQL database (docs/SCALE-OUT.md)."""

    box_id: str | None = Field(
        None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="This box's name among the boxes sharing a database; unique to it and "
        "kept across restarts (its videos and files are found by it). Default: the "
        "machine's host name.",
    )
    url: str | None = Field(
        None,
        max_length=500,
        pattern=r"^https?://",
        description="Where the other boxes reach this box's API (http://10.0.0.5:8080): a "
        "download of a file on this box's tiers, asked of another box, is fetched from "
        "here. Unset: such a download is refused with a 409 naming the box.",
    )
    hold_videos: int = Field(
        0,
        ge=0,
        le=10_000,
        description="How many unfinished videos this box takes at a time on a shared "
        "database (a box claims a whole video: its stages need its files). 0: twice its "
        "CPU and GPU slots. On its own SQLite file a box holds every video.",
    )


class StorageSettings(_Group):
    hot: Path | None = Field(
        None,
        description="Hot tier (NVMe): jobs in flight and fresh videos. "
        "Default: tiers/hot in data_dir.",
    )
    warm: Path | None = Field(
        None,
        description="Warm tier (SATA SSD): finished videos' files for warm_days. "
        "Default: tiers/warm in data_dir.",
    )
    cold: Path | None = Field(
        None,
        description="Cold tier (HDD): backups, and finished videos' files after warm_days, "
        "for cold_days. Default: tiers/cold in data_dir.",
    )
    min_free_mb: int = Field(
        1024,
        ge=0,
        description="A tier with less free space than this is reported not ready; "
        "on the hot tier it pauses new stages instead of failing them.",
    )
    hot_keep_hours: float = Field(
        0.0,
        ge=0,
        description="How long a finished (published or exported) video's files stay on the "
        "hot tier before they move to warm; 0 moves them at the next migration. When hot is "
        "tight they move sooner, oldest first.",
    )
    warm_days: float = Field(
        7.0, gt=0, description="Days a video's files stay on the warm tier before moving to cold."
    )
    cold_days: float = Field(
        30.0,
        ge=0,
        description="Days a video's files stay on the cold tier before they are deleted (the "
        "video, its costs and its YouTube link stay); 0 keeps them forever.",
    )
    keep_intermediates: bool = Field(
        False,
        description="Whether the stages' intermediate files (the voice track, downloaded "
        "media, work files) move with a video off the hot tier; false keeps only the video, "
        "thumbnail, captions, script, metadata, records and logs.",
    )
    migrate_every_minutes: float = Field(
        10.0,
        gt=0,
        le=24 * 60,
        description="How often the tier migration looks for files due to move or go.",
    )
    hot_target_free_percent: float = Field(
        20.0,
        ge=0,
        lt=100,
        description="When the hot tier has less free space than this share (or less than "
        "min_free_mb), migration runs at once and moves finished videos off it, oldest first, "
        "whatever hot_keep_hours says, until this much is free again.",
    )


class VoiceSettings(_Group):
    voices_dir: Path | None = Field(
        None,
        description="Folder of extra Piper voices (NAME.onnx + NAME.onnx.json). "
        "Default: voices in data_dir.",
    )
    default_voice: str = Field(
        "en_US-joe-medium", min_length=1, description="Piper voice used when a channel names none."
    )


class MediaSettings(_Group):
    library_dir: Path | None = Field(
        None,
        description="Media library: images and clips an operator drops in, matched to "
        "sections by file names and sidecar tags. Default: library in data_dir.",
    )
    music_dir: Path | None = Field(
        None,
        description="Background music tracks mixed under the voice, one chosen per topic. "
        "Default: music in data_dir.",
    )
    cache_dir: Path | None = Field(
        None,
        description="Caches kept between videos: stock media searches and downloads (the "
        "24 hours their terms ask), the media library's index. Default: the hot tier.",
    )


class PublishSettings(_Group):
    export_dir: Path | None = Field(
        None,
        description="Local publishing: each finished video's MP4, thumbnail and metadata "
        "JSON land in a folder here. Default: exports in data_dir.",
    )


class SchedulerSettings(_Group):
    gpu_slots: int = Field(3, ge=0, le=32, description="Render slots per NVIDIA GPU.")
    cpu_slots: int = Field(
        4,
        ge=0,
        le=64,
        description="Slots for CPU work: local voice, "
        "thumbnails, and renders when no GPU slot is free. 0 holds that work back.",
    )
    io_slots: int = Field(
        8,
        ge=0,
        le=256,
        description="Concurrent network-bound stages: script and media providers, uploads. "
        "0 holds that work back.",
    )
    gpu_memory_percent: float = Field(
        90.0,
        gt=0,
        le=100,
        description="A GPU stage starts only while its GPU's memory use is below this; "
        "100 turns the check off.",
    )
    cpu_percent: float = Field(
        90.0,
        gt=0,
        le=100,
        description="A CPU stage starts only while CPU use by other work (not this box's "
        "stages) is below this; 100 turns the check off, for a machine shared with work "
        "the box should not wait for.",
    )
    memory_percent: float = Field(
        90.0,
        gt=0,
        le=100,
        description="A CPU stage starts only while memory use is below this; 100 turns the "
        "check off.",
    )
    max_encoder_sessions: int = Field(8, ge=1, description="NVENC sessions per GPU at most.")
    lease_s: float = Field(
        60.0,
        ge=5,
        description="How long a running stage's claim lasts without renewal; renewed at half this.",
    )
    tick_s: float = Field(
        1.0,
        gt=0,
        le=60,
        description="Admission's safety net: it looks for work at least this often. A video "
        "queued, a stage finished or a slot freed wakes it at once anyway.",
    )
    stage_timeout_s: float = Field(
        3600.0,
        gt=0,
        description="A stage running longer is stopped and counted as a failed attempt.",
    )
    max_attempts: int = Field(
        3, ge=1, le=20, description="Attempts per stage before the video fails."
    )
    retry_base_delay_s: float = Field(
        5.0, ge=0, description="First retry delay; it doubles per attempt, with jitter."
    )
    retry_cap_s: float = Field(300.0, ge=0, description="Longest retry delay.")
    shed_queue_depth: int = Field(
        50,
        ge=1,
        description="Load shedding, level 1: above this many unfinished videos, those of "
        "priority below 0 not yet started wait.",
    )
    shed_normal_depth: int = Field(
        0,
        ge=0,
        description="Level 2: above this many, every video not prioritised (priority 0 or "
        "less) not yet started waits. 0: twice shed_queue_depth.",
    )
    shed_plain_depth: int = Field(
        0,
        ge=0,
        description="Level 3: above this many, new renders also take the plain style (still "
        "pictures, plain cuts). 0: three times shed_queue_depth.",
    )
    worker_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="CPU priority of stage workers (nice value; the supervisor runs at 0), so "
        "the API and console stay quick while every slot renders.",
    )
    worker_io_idle: bool = Field(
        False,
        description="Stage workers' disk I/O only when nothing else wants the disk (idle "
        "class); false: best-effort at the lowest level.",
    )


class LogSettings(_Group):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Lowest level written to the log."
    )
    format: Literal["json", "text"] = Field(
        "json",
        description="json: one JSON object per line (journald, log shippers); "
        "text: for people reading a terminal.",
    )


class BackupSettings(_Group):
    every_hours: float = Field(
        24.0,
        ge=0,
        le=24 * 7,
        description="How often the supervisor backs the database up to the cold tier "
        "(online, consistent while it writes); 0 turns scheduled backups off.",
    )
    keep_daily: int = Field(
        7, ge=0, le=366, description="Scheduled backups kept: the newest of each of this many days."
    )
    keep_weekly: int = Field(
        4,
        ge=0,
        le=520,
        description="Also kept: the newest of each of this many ISO weeks (older than the "
        "daily ones).",
    )


class InboxSettings(_Group):
    enabled: bool = Field(
        True, description="Watch the inbox folder for files of topics and queue them."
    )
    dir: Path | None = Field(None, description="The inbox folder. Default: inbox in data_dir.")
    settle_s: float = Field(
        2.0,
        ge=0.1,
        le=600,
        description="A file is read once its size and time have not changed for this long "
        "(one still being written or copied waits).",
    )
    owner_email: str | None = Field(
        None,
        description="Whose videos the inbox queues (their channels, budget and quota). "
        "Default: admin.email.",
    )
    channel: str | None = Field(
        None,
        description="The channel (name or id) for rows that name none. Unset: such rows "
        "are refused unless the owner has exactly one channel.",
    )


class WebhookSettings(_Group):
    allow_private_targets: bool = Field(
        False,
        description="Allow webhook endpoints whose address is this box itself (loopback, its "
        "own interfaces), link-local (cloud metadata at 169.254.169.254) or on a private "
        "network (10/8, 192.168/16, ...): off, a user could make the box call services only "
        "it can reach. Turn on for n8n on the LAN or on this same box.",
    )
    timeout_s: float = Field(
        10.0, gt=0, le=120, description="How long a delivery waits for the endpoint's answer."
    )
    retry_hours: float = Field(
        24.0,
        gt=0,
        le=24 * 7,
        description="How long a message is retried (with growing pauses) on 5xx answers, "
        "timeouts and refused connections; after that the endpoint is turned off.",
    )
    concurrency: int = Field(
        16, ge=1, le=256, description="Endpoints delivered to at the same time."
    )


class Plan(_Group):
    """A plan people subscribe to through Stripe: its price and what it allows."""

    price_id: str = Field(min_length=3, max_length=255, description="Stripe price id (price_...).")
    videos_per_month: int = Field(ge=0, description="Videos a subscriber may queue per period.")
    channels: int = Field(ge=0, description="Channels a subscriber may have.")
    priority: int = Field(0, ge=-10, le=10, description="Added to their videos' priority.")


class BillingSettings(_Group):
    enabled: bool = Field(
        False,
        description="Sell plans through Stripe: users other than admins need an active "
        "subscription, whose plan limits the videos per period and the channels they may "
        "create. Off: a single operator's box, nobody is billed or limited.",
    )
    stripe_secret_key: SecretStr | None = Field(
        None, description="Stripe secret API key (sk_live_... or sk_test_...)."
    )
    stripe_webhook_secret: SecretStr | None = Field(
        None,
        description="The signing secret of the Stripe webhook endpoint that calls "
        "/api/v1/billing/stripe/webhook (whsec_...).",
    )
    stripe_api_base: str = Field(
        "https://api.stripe.com",
        pattern=r"^https?://",
        description="Stripe's API root; tests point it at a loopback fake.",
    )
    public_url: str | None = Field(
        None,
        pattern=r"^https?://",
        description="How browsers reach this box, for Stripe's return links (checkout "
        "success and cancel, the portal's way back). Unset: the address the request came in on.",
    )
    plans: dict[str, Plan] = Field(
        default_factory=dict,
        description='Plans by name, e.g. [billing.plans.creator] price_id = "price_123", '
        "videos_per_month = 300, channels = 5, priority = 0.",
    )


class AdminSettings(_Group):
    email: str = Field(
        "admin@localhost",
        min_length=3,
        description="Email of the admin user created on first start of an empty database.",
    )


class AuthSettings(_Group):
    access_token_ttl_s: int = Field(
        900, ge=60, le=86_400, description="Lifetime of an access token (JWT), in seconds."
    )
    refresh_token_ttl_days: int = Field(
        30, ge=1, le=365, description="Lifetime of a refresh token, in days."
    )
    login_window_s: int = Field(
        900, ge=10, description="Window over which failed logins are counted."
    )
    login_max_failures_per_account: int = Field(
        5,
        ge=1,
        description="Failed logins for one account within the window before it is "
        "refused until the window passes.",
    )
    login_max_failures_per_address: int = Field(
        20,
        ge=1,
        description="Failed logins from one client address within the window before "
        "that address is refused.",
    )
    secret_key_file: Path | None = Field(
        None,
        description="File holding the key that signs tokens (created, mode 0600, on first "
        "start); default data_dir/secret.key. Back it up with the database.",
    )


class OpenAISettings(_Group):
    api_key: SecretStr | None = Field(
        None,
        description="OpenAI API key; also read from OPENAI_API_KEY. Without one, script "
        "providers named openai:MODEL are skipped.",
    )
    base_url: str = Field(
        "https://api.openai.com/v1",
        pattern=r"^https?://",
        description="Where OpenAI's chat completions are sent.",
    )
    timeout_s: float = Field(120.0, gt=0, le=900, description="Timeout of one request.")


class LocalLLMSettings(_Group):
    base_url: str | None = Field(
        None,
        pattern=r"^https?://",
        description="An OpenAI-compatible server on this box or network (vLLM, Ollama, "
        "llama.cpp), e.g. http://127.0.0.1:11434/v1; providers named local-llm:MODEL use it, "
        "at no cost.",
    )
    api_key: SecretStr | None = Field(None, description="Key the local server wants, if any.")
    timeout_s: float = Field(
        600.0, gt=0, le=3600, description="Timeout of one request (local models are slower)."
    )


class GoogleTTSSettings(_Group):
    credentials_file: Path | None = Field(
        None,
        description="Google service-account JSON for Cloud Text-to-Speech; also read from "
        "GOOGLE_APPLICATION_CREDENTIALS. Without one, google-tts:VOICE providers are skipped.",
    )
    endpoint: str | None = Field(
        None,
        description="API endpoint; unset uses Google's (texttospeech.googleapis.com).",
    )
    timeout_s: float = Field(60.0, gt=0, le=600, description="Timeout of one request.")


class StockSettings(_Group):
    pexels_api_key: SecretStr | None = Field(
        None, description="Pexels API key; also read from PEXELS_API_KEY."
    )
    pexels_base_url: str = Field(
        "https://api.pexels.com", pattern=r"^https?://", description="Pexels API root."
    )
    pixabay_api_key: SecretStr | None = Field(
        None, description="Pixabay API key; also read from PIXABAY_API_KEY."
    )
    pixabay_base_url: str = Field(
        "https://pixabay.com", pattern=r"^https?://", description="Pixabay API root."
    )
    timeout_s: float = Field(30.0, gt=0, le=600, description="Timeout of one request.")


def _chain(*names: str) -> Any:
    return Field(
        list(names),
        min_length=1,
        max_length=5,
        description="Providers this stage tries in order when a channel names none; "
        "one without credentials is skipped, and the offline provider always ends the chain.",
    )


class QuotaCost(_Group):
    """What one call of an API method takes from a project's day: ``cost`` from ``bucket``."""

    bucket: str = Field(min_length=1, max_length=32)
    cost: int = Field(ge=0)


# Current YouTube Data API rules (shared/PROVIDERS.md): videos.insert has its own bucket of
# 100 calls a day; the other methods share 10,000 units. Older or raised quotas: edit config.
DEFAULT_QUOTA_BUCKETS = {"uploads": 100, "units": 10_000}
DEFAULT_QUOTA_COSTS = {
    "videos.insert": QuotaCost(bucket="uploads", cost=1),
    "videos.update": QuotaCost(bucket="units", cost=50),
    "videos.list": QuotaCost(bucket="units", cost=1),
    "thumbnails.set": QuotaCost(bucket="units", cost=50),
    "captions.insert": QuotaCost(bucket="units", cost=400),
    "playlistItems.insert": QuotaCost(bucket="units", cost=50),
    "channels.list": QuotaCost(bucket="units", cost=1),
}


class YouTubeSettings(_Group):
    api_root: str = Field(
        "https://www.googleapis.com/",
        pattern=r"^https?://.*/$",
        description="Root of the YouTube Data API (the discovery document's rootUrl), "
        "ending in a slash. Tests point it at a loopback fake.",
    )
    oauth_auth_uri: str = Field(
        "https://accounts.google.com/o/oauth2/auth",
        pattern=r"^https?://",
        description="Google's OAuth authorization endpoint (where an operator consents).",
    )
    oauth_token_uri: str = Field(
        "https://oauth2.googleapis.com/token",
        pattern=r"^https?://",
        description="Google's OAuth token endpoint (code exchange and refresh).",
    )
    public_url: str | None = Field(
        None,
        pattern=r"^https?://",
        description="How browsers reach this box (e.g. https://box.example.com); the OAuth "
        "callback is this plus /api/v1/youtube/oauth/callback. Unset: the address the "
        "connect request came in on. Google only redirects to URLs registered on the "
        "OAuth client; on a LAN box, paste the redirected URL instead.",
    )
    quota_buckets: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_QUOTA_BUCKETS),
        description="Each quota bucket's size per Pacific-time day for one API project "
        "(a project may set its own). Current rules: uploads 100 calls, units 10,000.",
    )
    quota_costs: dict[str, QuotaCost] = Field(
        default_factory=lambda: dict(DEFAULT_QUOTA_COSTS),
        description="Per API method, the bucket it takes from and its cost. Older rules: "
        'videos.insert = {bucket = "units", cost = 1600}.',
    )
    reserve_percent: float = Field(
        10.0,
        ge=0,
        lt=100,
        description="Share of each bucket uploads never spend, kept for fixes by hand and "
        "statistics.",
    )
    warn_percent: float = Field(
        70.0,
        gt=0,
        le=100,
        description="Warn when a project has used this share of a bucket before warn_hour.",
    )
    warn_hour: int = Field(
        18, ge=0, le=24, description="Pacific-time hour before which warn_percent warns."
    )
    chunk_multiple: int = Field(
        32,
        ge=1,
        le=1024,
        description="Upload chunk size in multiples of 256 KiB (32: 8 MiB per request).",
    )
    timeout_s: float = Field(
        120.0, gt=0, le=3600, description="Timeout of one request to YouTube or Google OAuth."
    )
    max_wait_hours: float = Field(
        48.0,
        gt=0,
        description="A video that cannot be uploaded for this long (no quota, no healthy "
        "connection) ends exported only: downloadable, and it can be marked published by hand.",
    )
    schedule_lead_minutes: float = Field(
        60.0,
        gt=0,
        description="Before a channel's publishing slot, how early its video is queued while "
        "the box has no measured production time of its own yet.",
    )
    schedule_margin_minutes: float = Field(
        30.0,
        ge=0,
        description="Added to the measured production time: how much earlier than strictly "
        "needed a scheduled video is queued.",
    )
    schedule_check_s: float = Field(
        60.0, gt=0, le=3600, description="How often the publishing schedules are looked at."
    )
    stats_refresh_minutes: float = Field(
        360.0,
        ge=60,
        description="How often published videos' statistics are fetched (videos.list, 50 "
        "ids a call); a video's are never fetched again within the hour.",
    )
    health_floor: float = Field(
        0.5,
        ge=0,
        le=1,
        description="A connection whose health score is below this is used only when "
        "no healthier one has quota.",
    )

    @field_validator("quota_costs")
    @classmethod
    def _known_buckets(cls, value: dict[str, QuotaCost], info: Any) -> dict[str, QuotaCost]:
        buckets = info.data.get("quota_buckets") or {}
        for method, cost in value.items():
            if cost.bucket not in buckets:
                raise ValueError(f"{method}: bucket {cost.bucket!r} is not in quota_buckets")
        return value

    @field_validator("quota_buckets")
    @classmethod
    def _positive(cls, value: dict[str, int]) -> dict[str, int]:
        if any(size < 0 for size in value.values()):
            raise ValueError("a bucket's size cannot be negative")
        return value


class ProvidersSettings(_Group):
    script: list[str] = _chain("openai:gpt-4o-mini", "template")
    voice: list[str] = _chain("google-tts:en-US-Neural2-D", "piper")
    media: list[str] = _chain("library", "pexels", "pixabay", "generated")
    breaker_failures: int = Field(
        5, ge=1, le=100, description="Consecutive failures that open a provider's breaker."
    )
    breaker_reset_s: float = Field(
        300.0, gt=0, description="How long an open breaker keeps a provider out before a trial."
    )
    openai: OpenAISettings = Field(default_factory=OpenAISettings)
    local_llm: LocalLLMSettings = Field(default_factory=LocalLLMSettings)
    google_tts: GoogleTTSSettings = Field(default_factory=GoogleTTSSettings)
    stock: StockSettings = Field(default_factory=StockSettings)


class LlmPrice(_Group):
    """Dollars per million tokens (which is micro-dollars per token)."""

    input: float = Field(ge=0)
    cached_input: float | None = Field(None, ge=0)  # None: billed as input
    output: float = Field(ge=0)


# Defaults from shared/PROVIDERS.md (late 2026). Prices change: edit the config, not the code.
DEFAULT_LLM_PRICES = {
    "gpt-4o-mini": LlmPrice(input=0.15, cached_input=0.075, output=0.60),
    "gpt-4.1-mini": LlmPrice(input=0.40, cached_input=0.10, output=1.60),
    "gpt-4o": LlmPrice(input=2.50, cached_input=1.25, output=10.00),
    "gpt-3.5-turbo": LlmPrice(input=0.50, cached_input=None, output=1.50),
}
DEFAULT_TTS_PRICES = {
    "standard": 4.0,
    "wavenet": 16.0,
    "neural2": 16.0,
    "news": 16.0,
    "polyglot": 16.0,
    "casual": 16.0,
    "chirp3-hd": 30.0,
    "studio": 160.0,
}


class PriceSettings(_Group):
    llm: dict[str, LlmPrice] = Field(
        default_factory=lambda: dict(DEFAULT_LLM_PRICES),
        description="OpenAI models: dollars per 1M tokens (input, cached_input, output). "
        "Entries in the config file are added to these or replace them by model name; "
        "an openai:MODEL provider without a price here is refused.",
    )
    tts: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_TTS_PRICES),
        description="Google voices: dollars per 1M characters, by voice family (the part "
        "of the voice name after the language: Standard, Wavenet, Neural2, Chirp3-HD, ...).",
    )
    local_llm_per_million_tokens: float = Field(
        0.0, ge=0, description="Dollars per 1M tokens on the local OpenAI-compatible server."
    )
    pexels_per_request: float = Field(0.0, ge=0, description="Dollars per Pexels API request.")
    pixabay_per_request: float = Field(0.0, ge=0, description="Dollars per Pixabay API request.")
    gpu_slot_per_hour: float = Field(
        0.09,
        ge=0,
        description="Compute: dollars per hour a GPU slot is held (power and the box's "
        "share of its cost). Billed by the second of each stage in the slot.",
    )
    cpu_slot_per_hour: float = Field(
        0.018, ge=0, description="Compute: dollars per hour a CPU slot is held."
    )

    @field_validator("tts")
    @classmethod
    def _families_lower(cls, value: dict[str, float]) -> dict[str, float]:
        if any(price < 0 for price in value.values()):
            raise ValueError("a price cannot be negative")
        return {family.lower(): price for family, price in value.items()}


class BudgetSettings(_Group):
    video_limit_usd: float = Field(
        3.00,
        gt=0,
        le=100,
        description="A new channel's budget per video: a stage that would take a video "
        "past it does not start, and the video stops as over_budget.",
    )
    video_downgrade_usd: float = Field(
        2.50,
        gt=0,
        le=100,
        description="A new channel's downgrade point: when a video's projected cost passes "
        "it, its remaining stages use the channel's cheaper providers.",
    )
    warn_consecutive_videos: int = Field(
        3,
        ge=1,
        le=100,
        description="Warn when this many videos in a row of one channel cost more than "
        "its downgrade point.",
    )
    warn_day_average_usd: float = Field(
        2.00, gt=0, description="Warn when a day's average cost per finished video passes this."
    )
    warn_provider_week_growth_percent: float = Field(
        20.0,
        gt=0,
        description="Warn when a provider's spend over the last 7 days is up by more than "
        "this on the 7 days before.",
    )


class Settings(_Group):
    data_dir: Path = Field(
        Path("var"),
        description="Root for the database, voices and the three storage tiers "
        "when they are not set one by one.",
    )
    server: ServerSettings = Field(default_factory=ServerSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    cluster: ClusterSettings = Field(default_factory=ClusterSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)
    media: MediaSettings = Field(default_factory=MediaSettings)
    publish: PublishSettings = Field(default_factory=PublishSettings)
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings)
    log: LogSettings = Field(default_factory=LogSettings)
    admin: AdminSettings = Field(default_factory=AdminSettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    inbox: InboxSettings = Field(default_factory=InboxSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    billing: BillingSettings = Field(default_factory=BillingSettings)
    auth: AuthSettings = Field(default_factory=AuthSettings)
    providers: ProvidersSettings = Field(default_factory=ProvidersSettings)
    prices: PriceSettings = Field(default_factory=PriceSettings)
    budget: BudgetSettings = Field(default_factory=BudgetSettings)
    youtube: YouTubeSettings = Field(default_factory=YouTubeSettings)
    review: ReviewLimits = Field(default_factory=ReviewLimits)

    # Where the values came from, for `config show`; not a setting itself.
    sources: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)
    config_file: Path | None = Field(None, exclude=True)

    @property
    def secret_key_path(self) -> Path:
        return self.auth.secret_key_file or self.data_dir / "secret.key"

    @property
    def cache_root(self) -> Path:
        """Where caches worth keeping between videos live (stock media, the library index)."""
        return self.media.cache_dir or self.tier_root("hot")

    @property
    def media_cache_dir(self) -> Path:
        """Stock media searches and downloads, kept the 24 hours their terms ask."""
        return self.cache_root / "stock-cache"

    @property
    def database_path(self) -> Path:
        return self.database.path or self.data_dir / "ytempire.db"

    @property
    def box_id(self) -> str:
        return self.cluster.box_id or socket.gethostname()[:64]

    @property
    def database_target(self) -> Path | str:
        """The database this box uses: the PostgreSQL URL when one is set, else the file."""
        if self.database.url is not None:
            return self.database.url.get_secret_value()
        return self.database_path

    @property
    def inbox_dir(self) -> Path:
        return self.inbox.dir or self.data_dir / "inbox"

    @property
    def voices_dir(self) -> Path:
        return self.voice.voices_dir or self.data_dir / "voices"

    @property
    def library_dir(self) -> Path:
        return self.media.library_dir or self.data_dir / "library"

    @property
    def music_dir(self) -> Path:
        return self.media.music_dir or self.data_dir / "music"

    @property
    def export_dir(self) -> Path:
        return self.publish.export_dir or self.data_dir / "exports"

    def tier_root(self, tier: str) -> Path:
        configured = getattr(self.storage, tier)
        return configured or self.data_dir / "tiers" / tier

    @property
    def tiers(self) -> dict[str, Path]:
        return {name: self.tier_root(name) for name in TIERS}


TIERS = ("hot", "warm", "cold")


def setting_definitions(model: type[BaseModel] = Settings, prefix: str = "") -> list[SettingDef]:
    """Walk the models into a flat list of leaf settings, in declaration order."""
    definitions: list[SettingDef] = []
    for name, field in model.model_fields.items():
        if field.exclude:
            continue
        dotted = f"{prefix}{name}"
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            definitions.extend(setting_definitions(annotation, f"{dotted}."))
            continue
        default = field.get_default(call_default_factory=True)
        definitions.append(
            SettingDef(
                name=dotted,
                type_name=_type_name(annotation),
                default=default,
                help=field.description or "",
            )
        )
    return definitions


class SettingDef(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    type_name: str
    default: Any
    help: str

    @property
    def env_var(self) -> str:
        return "YTEMPIRE_" + self.name.replace(".", "_").upper()


def _type_name(annotation: Any) -> str:
    if isinstance(annotation, type):
        return annotation.__name__
    name = str(annotation).replace("pathlib.", "").replace("typing.", "")
    return name.replace("pydantic.types.SecretStr", "secret").replace(
        "appliance.config.settings.", ""
    )


def value_of(settings: Settings, dotted: str) -> Any:
    """The value in force: a derived setting left unset shows what it derives to."""
    if dotted in _DERIVED:
        return _DERIVED[dotted](settings)
    value: Any = settings
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


_DERIVED = {
    "database.path": lambda s: s.database_path,
    "cluster.box_id": lambda s: s.box_id,
    "voice.voices_dir": lambda s: s.voices_dir,
    "inbox.dir": lambda s: s.inbox_dir,
    "media.library_dir": lambda s: s.library_dir,
    "media.music_dir": lambda s: s.music_dir,
    "media.cache_dir": lambda s: s.cache_root,
    "publish.export_dir": lambda s: s.export_dir,
    "auth.secret_key_file": lambda s: s.secret_key_path,
    **{f"storage.{tier}": (lambda s, tier=tier: s.tier_root(tier)) for tier in TIERS},
}
