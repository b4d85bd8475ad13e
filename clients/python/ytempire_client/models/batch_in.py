from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.batch_in_format_type_0 import BatchInFormatType0
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.batch_in_items_item import BatchInItemsItem


T = TypeVar("T", bound="BatchIn")


@_attrs_define
class BatchIn:
    """Many videos at once: all of them are queued, in one transaction, or none.

    Attributes:
        items (list[BatchInItemsItem]): Each a video as POST /videos takes one (at least its topic); channel_id,
            seconds, format and priority may be left to the batch's.
        channel_id (int | None | Unset): For items that name none.
        format_ (BatchInFormatType0 | None | Unset): For items that give none.
        priority (int | None | Unset): For items that give none.
        seconds (int | None | Unset): For items that give none.
    """

    items: list[BatchInItemsItem]
    channel_id: int | None | Unset = UNSET
    format_: BatchInFormatType0 | None | Unset = UNSET
    priority: int | None | Unset = UNSET
    seconds: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        items = []
        for items_item_data in self.items:
            items_item = items_item_data.to_dict()
            items.append(items_item)

        channel_id: int | None | Unset
        if isinstance(self.channel_id, Unset):
            channel_id = UNSET
        else:
            channel_id = self.channel_id

        format_: None | str | Unset
        if isinstance(self.format_, Unset):
            format_ = UNSET
        elif isinstance(self.format_, BatchInFormatType0):
            format_ = self.format_.value
        else:
            format_ = self.format_

        priority: int | None | Unset
        if isinstance(self.priority, Unset):
            priority = UNSET
        else:
            priority = self.priority

        seconds: int | None | Unset
        if isinstance(self.seconds, Unset):
            seconds = UNSET
        else:
            seconds = self.seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "items": items,
            }
        )
        if channel_id is not UNSET:
            field_dict["channel_id"] = channel_id
        if format_ is not UNSET:
            field_dict["format"] = format_
        if priority is not UNSET:
            field_dict["priority"] = priority
        if seconds is not UNSET:
            field_dict["seconds"] = seconds

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.batch_in_items_item import BatchInItemsItem  # noqa: PLC0415

        d = dict(src_dict)
        items = []
        _items = d.pop("items")
        for items_item_data in _items:
            items_item = BatchInItemsItem.from_dict(items_item_data)

            items.append(items_item)

        def _parse_channel_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        channel_id = _parse_channel_id(d.pop("channel_id", UNSET))

        def _parse_format_(data: object) -> BatchInFormatType0 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                format_type_0 = BatchInFormatType0(data)

                return format_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(BatchInFormatType0 | None | Unset, data)

        format_ = _parse_format_(d.pop("format", UNSET))

        def _parse_priority(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        priority = _parse_priority(d.pop("priority", UNSET))

        def _parse_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        seconds = _parse_seconds(d.pop("seconds", UNSET))

        batch_in = cls(
            items=items,
            channel_id=channel_id,
            format_=format_,
            priority=priority,
            seconds=seconds,
        )

        return batch_in
