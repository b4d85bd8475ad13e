from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.publishing_out_steps import PublishingOutSteps


T = TypeVar("T", bound="PublishingOut")


@_attrs_define
class PublishingOut:
    """How its upload to YouTube went.

    Attributes:
        note (None | str): What to know: an unaudited project keeps it private, why it was not uploaded, or that it was
            published by hand.
        privacy (None | str): The privacy YouTube gave it.
        publish_at (datetime.datetime | None): When YouTube makes it public, if scheduled.
        steps (PublishingOutSteps): The steps after the upload: thumbnail, captions, playlist (false: YouTube refused it
            for good).
        youtube_video_id (None | str):
    """

    note: None | str
    privacy: None | str
    publish_at: datetime.datetime | None
    steps: PublishingOutSteps
    youtube_video_id: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        note: None | str
        note = self.note

        privacy: None | str
        privacy = self.privacy

        publish_at: None | str
        if isinstance(self.publish_at, datetime.datetime):
            publish_at = self.publish_at.isoformat()
        else:
            publish_at = self.publish_at

        steps = self.steps.to_dict()

        youtube_video_id: None | str
        youtube_video_id = self.youtube_video_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "note": note,
                "privacy": privacy,
                "publish_at": publish_at,
                "steps": steps,
                "youtube_video_id": youtube_video_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.publishing_out_steps import PublishingOutSteps  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_note(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        note = _parse_note(d.pop("note"))

        def _parse_privacy(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        privacy = _parse_privacy(d.pop("privacy"))

        def _parse_publish_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                publish_at_type_0 = datetime.datetime.fromisoformat(data)

                return publish_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        publish_at = _parse_publish_at(d.pop("publish_at"))

        steps = PublishingOutSteps.from_dict(d.pop("steps"))

        def _parse_youtube_video_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        youtube_video_id = _parse_youtube_video_id(d.pop("youtube_video_id"))

        publishing_out = cls(
            note=note,
            privacy=privacy,
            publish_at=publish_at,
            steps=steps,
            youtube_video_id=youtube_video_id,
        )

        publishing_out.additional_properties = d
        return publishing_out

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
