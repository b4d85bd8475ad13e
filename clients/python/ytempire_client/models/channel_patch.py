from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.channel_patch_format import ChannelPatchFormat
from ..models.channel_patch_niche import ChannelPatchNiche
from ..models.channel_patch_privacy import ChannelPatchPrivacy
from ..models.channel_patch_style_type_0 import ChannelPatchStyleType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.channel_patch_providers import ChannelPatchProviders


T = TypeVar("T", bound="ChannelPatch")


@_attrs_define
class ChannelPatch:
    """Only the fields given change; the channel they leave must pass ``ChannelIn``.

    Fields that cannot be null default to None only so that leaving them out is
    allowed; sending null for them is refused like any other wrong type.

        Attributes:
            backlog_low_mark (int | None | Unset): Below this many backlog topics, topic ideas refill the backlog (checked
                with the schedules); null: never refilled by itself.
            backlog_refill (int | Unset): How many topics a refill adds beyond the low mark.
            budget_micro_usd (int | Unset): Most a video of this channel may spend, in micro-dollars ($1 = 1000000); a stage
                that would pass it does not start. Default: the box's budget.video_limit_usd.
            downgrade_micro_usd (int | Unset): When a video's projected cost passes this (micro-dollars), its remaining
                stages use the cheaper providers of their chain. At most the budget. Default: the box's
                budget.video_downgrade_usd.
            format_ (ChannelPatchFormat | Unset):
            language (str | Unset): A BCP 47 language tag, e.g. en or pt-BR.
            made_for_kids (bool | Unset): Its uploads are declared made for kids (COPPA).
            name (str | Unset): Shown in the console and on uploads.
            niche (ChannelPatchNiche | Unset): One of the script writer's niches.
            privacy (ChannelPatchPrivacy | Unset): The privacy its uploads get.
            providers (ChannelPatchProviders | Unset): Per stage, the providers to try in order, e.g. {"script":
                ["openai:gpt-4o", "template"]}; a stage left out uses the defaults.
            schedule (None | str | Unset): When the channel publishes, as a crontab line ('0 9 * * mon'); null: as queued.
            schedule_timezone (str | Unset): The IANA time zone the schedule is read in, e.g. Europe/Berlin.
            style (ChannelPatchStyleType0 | None | Unset): A script template of the niche ('explainer' or
                'general/explainer'); null lets each video draw one.
            voice (None | str | Unset): The narrator's voice; null uses the box's default voice.
            youtube_category_id (str | Unset): YouTube category id of its uploads (22: People & Blogs).
            youtube_channel_id (None | str | Unset): The YouTube channel (UC...) its videos are uploaded to, through the
                connections to it; null: exported locally only.
            youtube_playlist_id (None | str | Unset): A playlist each uploaded video is added to; null: none.
    """

    backlog_low_mark: int | None | Unset = UNSET
    backlog_refill: int | Unset = UNSET
    budget_micro_usd: int | Unset = UNSET
    downgrade_micro_usd: int | Unset = UNSET
    format_: ChannelPatchFormat | Unset = UNSET
    language: str | Unset = UNSET
    made_for_kids: bool | Unset = UNSET
    name: str | Unset = UNSET
    niche: ChannelPatchNiche | Unset = UNSET
    privacy: ChannelPatchPrivacy | Unset = UNSET
    providers: ChannelPatchProviders | Unset = UNSET
    schedule: None | str | Unset = UNSET
    schedule_timezone: str | Unset = UNSET
    style: ChannelPatchStyleType0 | None | Unset = UNSET
    voice: None | str | Unset = UNSET
    youtube_category_id: str | Unset = UNSET
    youtube_channel_id: None | str | Unset = UNSET
    youtube_playlist_id: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        backlog_low_mark: int | None | Unset
        if isinstance(self.backlog_low_mark, Unset):
            backlog_low_mark = UNSET
        else:
            backlog_low_mark = self.backlog_low_mark

        backlog_refill = self.backlog_refill

        budget_micro_usd = self.budget_micro_usd

        downgrade_micro_usd = self.downgrade_micro_usd

        format_: str | Unset = UNSET
        if not isinstance(self.format_, Unset):
            format_ = self.format_.value

        language = self.language

        made_for_kids = self.made_for_kids

        name = self.name

        niche: str | Unset = UNSET
        if not isinstance(self.niche, Unset):
            niche = self.niche.value

        privacy: str | Unset = UNSET
        if not isinstance(self.privacy, Unset):
            privacy = self.privacy.value

        providers: dict[str, Any] | Unset = UNSET
        if not isinstance(self.providers, Unset):
            providers = self.providers.to_dict()

        schedule: None | str | Unset
        if isinstance(self.schedule, Unset):
            schedule = UNSET
        else:
            schedule = self.schedule

        schedule_timezone = self.schedule_timezone

        style: None | str | Unset
        if isinstance(self.style, Unset):
            style = UNSET
        elif isinstance(self.style, ChannelPatchStyleType0):
            style = self.style.value
        else:
            style = self.style

        voice: None | str | Unset
        if isinstance(self.voice, Unset):
            voice = UNSET
        else:
            voice = self.voice

        youtube_category_id = self.youtube_category_id

        youtube_channel_id: None | str | Unset
        if isinstance(self.youtube_channel_id, Unset):
            youtube_channel_id = UNSET
        else:
            youtube_channel_id = self.youtube_channel_id

        youtube_playlist_id: None | str | Unset
        if isinstance(self.youtube_playlist_id, Unset):
            youtube_playlist_id = UNSET
        else:
            youtube_playlist_id = self.youtube_playlist_id

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if backlog_low_mark is not UNSET:
            field_dict["backlog_low_mark"] = backlog_low_mark
        if backlog_refill is not UNSET:
            field_dict["backlog_refill"] = backlog_refill
        if budget_micro_usd is not UNSET:
            field_dict["budget_micro_usd"] = budget_micro_usd
        if downgrade_micro_usd is not UNSET:
            field_dict["downgrade_micro_usd"] = downgrade_micro_usd
        if format_ is not UNSET:
            field_dict["format"] = format_
        if language is not UNSET:
            field_dict["language"] = language
        if made_for_kids is not UNSET:
            field_dict["made_for_kids"] = made_for_kids
        if name is not UNSET:
            field_dict["name"] = name
        if niche is not UNSET:
            field_dict["niche"] = niche
        if privacy is not UNSET:
            field_dict["privacy"] = privacy
        if providers is not UNSET:
            field_dict["providers"] = providers
        if schedule is not UNSET:
            field_dict["schedule"] = schedule
        if schedule_timezone is not UNSET:
            field_dict["schedule_timezone"] = schedule_timezone
        if style is not UNSET:
            field_dict["style"] = style
        if voice is not UNSET:
            field_dict["voice"] = voice
        if youtube_category_id is not UNSET:
            field_dict["youtube_category_id"] = youtube_category_id
        if youtube_channel_id is not UNSET:
            field_dict["youtube_channel_id"] = youtube_channel_id
        if youtube_playlist_id is not UNSET:
            field_dict["youtube_playlist_id"] = youtube_playlist_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.channel_patch_providers import ChannelPatchProviders  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_backlog_low_mark(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        backlog_low_mark = _parse_backlog_low_mark(d.pop("backlog_low_mark", UNSET))

        backlog_refill = d.pop("backlog_refill", UNSET)

        budget_micro_usd = d.pop("budget_micro_usd", UNSET)

        downgrade_micro_usd = d.pop("downgrade_micro_usd", UNSET)

        _format_ = d.pop("format", UNSET)
        format_: ChannelPatchFormat | Unset
        if isinstance(_format_, Unset):
            format_ = UNSET
        else:
            format_ = ChannelPatchFormat(_format_)

        language = d.pop("language", UNSET)

        made_for_kids = d.pop("made_for_kids", UNSET)

        name = d.pop("name", UNSET)

        _niche = d.pop("niche", UNSET)
        niche: ChannelPatchNiche | Unset
        if isinstance(_niche, Unset):
            niche = UNSET
        else:
            niche = ChannelPatchNiche(_niche)

        _privacy = d.pop("privacy", UNSET)
        privacy: ChannelPatchPrivacy | Unset
        if isinstance(_privacy, Unset):
            privacy = UNSET
        else:
            privacy = ChannelPatchPrivacy(_privacy)

        _providers = d.pop("providers", UNSET)
        providers: ChannelPatchProviders | Unset
        if isinstance(_providers, Unset):
            providers = UNSET
        else:
            providers = ChannelPatchProviders.from_dict(_providers)

        def _parse_schedule(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        schedule = _parse_schedule(d.pop("schedule", UNSET))

        schedule_timezone = d.pop("schedule_timezone", UNSET)

        def _parse_style(data: object) -> ChannelPatchStyleType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                style_type_0 = ChannelPatchStyleType0(data)

                return style_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChannelPatchStyleType0 | None | Unset, data)

        style = _parse_style(d.pop("style", UNSET))

        def _parse_voice(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        voice = _parse_voice(d.pop("voice", UNSET))

        youtube_category_id = d.pop("youtube_category_id", UNSET)

        def _parse_youtube_channel_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        youtube_channel_id = _parse_youtube_channel_id(d.pop("youtube_channel_id", UNSET))

        def _parse_youtube_playlist_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        youtube_playlist_id = _parse_youtube_playlist_id(d.pop("youtube_playlist_id", UNSET))

        channel_patch = cls(
            backlog_low_mark=backlog_low_mark,
            backlog_refill=backlog_refill,
            budget_micro_usd=budget_micro_usd,
            downgrade_micro_usd=downgrade_micro_usd,
            format_=format_,
            language=language,
            made_for_kids=made_for_kids,
            name=name,
            niche=niche,
            privacy=privacy,
            providers=providers,
            schedule=schedule,
            schedule_timezone=schedule_timezone,
            style=style,
            voice=voice,
            youtube_category_id=youtube_category_id,
            youtube_channel_id=youtube_channel_id,
            youtube_playlist_id=youtube_playlist_id,
        )

        return channel_patch
