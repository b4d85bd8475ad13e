from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.video_in_format_type_0 import VideoInFormatType0
from ..types import UNSET, Unset

T = TypeVar("T", bound="VideoIn")


@_attrs_define
class VideoIn:
    """A video to queue on one of your channels.

    Attributes:
        channel_id (int):
        topic (str):
        format_ (None | Unset | VideoInFormatType0): Null: the channel's format.
        priority (int | Unset): Higher runs sooner. Default: 0.
        seconds (int | Unset): Target length. Default: 60.
    """

    channel_id: int
    topic: str
    format_: None | Unset | VideoInFormatType0 = UNSET
    priority: int | Unset = 0
    seconds: int | Unset = 60

    def to_dict(self) -> dict[str, Any]:
        channel_id = self.channel_id

        topic = self.topic

        format_: None | str | Unset
        if isinstance(self.format_, Unset):
            format_ = UNSET
        elif isinstance(self.format_, VideoInFormatType0):
            format_ = self.format_.value
        else:
            format_ = self.format_

        priority = self.priority

        seconds = self.seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "channel_id": channel_id,
                "topic": topic,
            }
        )
        if format_ is not UNSET:
            field_dict["format"] = format_
        if priority is not UNSET:
            field_dict["priority"] = priority
        if seconds is not UNSET:
            field_dict["seconds"] = seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        channel_id = d.pop("channel_id")

        topic = d.pop("topic")

        def _parse_format_(data: object) -> None | Unset | VideoInFormatType0:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                format_type_0 = VideoInFormatType0(data)

                return format_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VideoInFormatType0, data)

        format_ = _parse_format_(d.pop("format", UNSET))

        priority = d.pop("priority", UNSET)

        seconds = d.pop("seconds", UNSET)

        video_in = cls(
            channel_id=channel_id,
            topic=topic,
            format_=format_,
            priority=priority,
            seconds=seconds,
        )

        return video_in
