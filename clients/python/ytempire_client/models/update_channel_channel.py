from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.update_channel_channel_providers import UpdateChannelChannelProviders


T = TypeVar("T", bound="UpdateChannelChannel")


@_attrs_define
class UpdateChannelChannel:
    """A channel and its settings.

    Attributes:
        backlog_low_mark (int | None):
        backlog_refill (int):
        budget_micro_usd (int):
        created_at (datetime.datetime):
        downgrade_micro_usd (int):
        format_ (str):
        id (int):
        language (str):
        made_for_kids (bool):
        name (str):
        niche (str):
        privacy (str):
        providers (UpdateChannelChannelProviders):
        schedule (None | str):
        schedule_timezone (str):
        style (None | str):
        updated_at (datetime.datetime):
        voice (None | str):
        youtube_category_id (str):
        youtube_channel_id (None | str):
        youtube_playlist_id (None | str):
        next_slots (list[datetime.datetime] | Unset): The schedule's next five publishing slots (UTC).
    """

    backlog_low_mark: int | None
    backlog_refill: int
    budget_micro_usd: int
    created_at: datetime.datetime
    downgrade_micro_usd: int
    format_: str
    id: int
    language: str
    made_for_kids: bool
    name: str
    niche: str
    privacy: str
    providers: UpdateChannelChannelProviders
    schedule: None | str
    schedule_timezone: str
    style: None | str
    updated_at: datetime.datetime
    voice: None | str
    youtube_category_id: str
    youtube_channel_id: None | str
    youtube_playlist_id: None | str
    next_slots: list[datetime.datetime] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        backlog_low_mark: int | None
        backlog_low_mark = self.backlog_low_mark

        backlog_refill = self.backlog_refill

        budget_micro_usd = self.budget_micro_usd

        created_at = self.created_at.isoformat()

        downgrade_micro_usd = self.downgrade_micro_usd

        format_ = self.format_

        id = self.id

        language = self.language

        made_for_kids = self.made_for_kids

        name = self.name

        niche = self.niche

        privacy = self.privacy

        providers = self.providers.to_dict()

        schedule: None | str
        schedule = self.schedule

        schedule_timezone = self.schedule_timezone

        style: None | str
        style = self.style

        updated_at = self.updated_at.isoformat()

        voice: None | str
        voice = self.voice

        youtube_category_id = self.youtube_category_id

        youtube_channel_id: None | str
        youtube_channel_id = self.youtube_channel_id

        youtube_playlist_id: None | str
        youtube_playlist_id = self.youtube_playlist_id

        next_slots: list[str] | Unset = UNSET
        if not isinstance(self.next_slots, Unset):
            next_slots = []
            for next_slots_item_data in self.next_slots:
                next_slots_item = next_slots_item_data.isoformat()
                next_slots.append(next_slots_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "backlog_low_mark": backlog_low_mark,
                "backlog_refill": backlog_refill,
                "budget_micro_usd": budget_micro_usd,
                "created_at": created_at,
                "downgrade_micro_usd": downgrade_micro_usd,
                "format": format_,
                "id": id,
                "language": language,
                "made_for_kids": made_for_kids,
                "name": name,
                "niche": niche,
                "privacy": privacy,
                "providers": providers,
                "schedule": schedule,
                "schedule_timezone": schedule_timezone,
                "style": style,
                "updated_at": updated_at,
                "voice": voice,
                "youtube_category_id": youtube_category_id,
                "youtube_channel_id": youtube_channel_id,
                "youtube_playlist_id": youtube_playlist_id,
            }
        )
        if next_slots is not UNSET:
            field_dict["next_slots"] = next_slots

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.update_channel_channel_providers import UpdateChannelChannelProviders  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_backlog_low_mark(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        backlog_low_mark = _parse_backlog_low_mark(d.pop("backlog_low_mark"))

        backlog_refill = d.pop("backlog_refill")

        budget_micro_usd = d.pop("budget_micro_usd")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        downgrade_micro_usd = d.pop("downgrade_micro_usd")

        format_ = d.pop("format")

        id = d.pop("id")

        language = d.pop("language")

        made_for_kids = d.pop("made_for_kids")

        name = d.pop("name")

        niche = d.pop("niche")

        privacy = d.pop("privacy")

        providers = UpdateChannelChannelProviders.from_dict(d.pop("providers"))

        def _parse_schedule(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        schedule = _parse_schedule(d.pop("schedule"))

        schedule_timezone = d.pop("schedule_timezone")

        def _parse_style(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        style = _parse_style(d.pop("style"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        def _parse_voice(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        voice = _parse_voice(d.pop("voice"))

        youtube_category_id = d.pop("youtube_category_id")

        def _parse_youtube_channel_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        youtube_channel_id = _parse_youtube_channel_id(d.pop("youtube_channel_id"))

        def _parse_youtube_playlist_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        youtube_playlist_id = _parse_youtube_playlist_id(d.pop("youtube_playlist_id"))

        _next_slots = d.pop("next_slots", UNSET)
        next_slots: list[datetime.datetime] | Unset = UNSET
        if _next_slots is not UNSET:
            next_slots = []
            for next_slots_item_data in _next_slots:
                next_slots_item = datetime.datetime.fromisoformat(next_slots_item_data)

                next_slots.append(next_slots_item)

        update_channel_channel = cls(
            backlog_low_mark=backlog_low_mark,
            backlog_refill=backlog_refill,
            budget_micro_usd=budget_micro_usd,
            created_at=created_at,
            downgrade_micro_usd=downgrade_micro_usd,
            format_=format_,
            id=id,
            language=language,
            made_for_kids=made_for_kids,
            name=name,
            niche=niche,
            privacy=privacy,
            providers=providers,
            schedule=schedule,
            schedule_timezone=schedule_timezone,
            style=style,
            updated_at=updated_at,
            voice=voice,
            youtube_category_id=youtube_category_id,
            youtube_channel_id=youtube_channel_id,
            youtube_playlist_id=youtube_playlist_id,
            next_slots=next_slots,
        )

        update_channel_channel.additional_properties = d
        return update_channel_channel

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
