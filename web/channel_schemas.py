"""Request and response shapes of channels: the domain's channel settings, as the API
takes and shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from appliance.domain.channel_settings import (
    BudgetMicroUsd,
    CategoryId,
    ChannelSettings,
    Crontab,
    DowngradeMicroUsd,
    LanguageTag,
    LowMark,
    Niche,
    PlaylistId,
    Privacy,
    ProviderList,
    RefillSize,
    Style,
    TimeZoneName,
    VoiceName,
    YouTubeChannelId,
    budget_field,
    category_field,
    downgrade_field,
    language_field,
    low_mark_field,
    made_for_kids_field,
    name_field,
    niche_field,
    playlist_field,
    privacy_field,
    providers_field,
    refill_field,
    schedule_field,
    style_field,
    timezone_field,
    voice_field,
    youtube_channel_field,
)
from render.protocol import StageName
from web.api_schemas import BodyModel, Page, VideoFormat


class ChannelIn(BodyModel, ChannelSettings):
    """A new channel: only ``name`` is required."""


class ChannelPatch(BodyModel):
    """Only the fields given change; the channel they leave must pass ``ChannelIn``.

    Fields that cannot be null default to None only so that leaving them out is
    allowed; sending null for them is refused like any other wrong type.
    """

    name: str = name_field(None)
    niche: Niche = niche_field(None)
    language: LanguageTag = language_field(None)
    voice: VoiceName | None = voice_field()
    style: Style | None = style_field()
    format: VideoFormat = Field(None)
    schedule: Crontab | None = schedule_field()
    schedule_timezone: TimeZoneName = timezone_field(None)
    providers: dict[StageName, ProviderList] = providers_field(default=None)
    budget_micro_usd: BudgetMicroUsd = budget_field(None)
    downgrade_micro_usd: DowngradeMicroUsd = downgrade_field(None)
    privacy: Privacy = privacy_field(None)
    youtube_channel_id: YouTubeChannelId | None = youtube_channel_field()
    youtube_playlist_id: PlaylistId | None = playlist_field()
    youtube_category_id: CategoryId = category_field(None)
    made_for_kids: bool = made_for_kids_field(None)
    backlog_low_mark: LowMark | None = low_mark_field()
    backlog_refill: RefillSize = refill_field(None)

    def changes(self) -> dict[str, Any]:
        """The fields the request gave, by name."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class Channel(BaseModel):
    """A channel and its settings."""

    id: int
    name: str
    niche: str
    language: str
    voice: str | None
    style: str | None
    format: str
    schedule: str | None
    schedule_timezone: str
    next_slots: list[datetime] = Field(
        default_factory=list, description="The schedule's next five publishing slots (UTC)."
    )
    providers: dict[str, list[str]]
    budget_micro_usd: int
    downgrade_micro_usd: int
    privacy: str
    youtube_channel_id: str | None
    youtube_playlist_id: str | None
    youtube_category_id: str
    made_for_kids: bool
    backlog_low_mark: int | None
    backlog_refill: int
    created_at: datetime
    updated_at: datetime


class ChannelPage(Page):
    items: list[Channel]
