from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.bucket_out import BucketOut
    from ..models.method_out import MethodOut


T = TypeVar("T", bound="QuotaDayOut")


@_attrs_define
class QuotaDayOut:
    """
    Attributes:
        buckets (list[BucketOut]):
        day (datetime.date): The Pacific-time day these figures are for.
        exhausted_until (datetime.datetime | None): Google said quotaExceeded: the project is left out until then.
        methods (list[MethodOut]): What each API method took that day.
        resets_at (datetime.datetime): The next Pacific midnight.
    """

    buckets: list[BucketOut]
    day: datetime.date
    exhausted_until: datetime.datetime | None
    methods: list[MethodOut]
    resets_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        buckets = []
        for buckets_item_data in self.buckets:
            buckets_item = buckets_item_data.to_dict()
            buckets.append(buckets_item)

        day = self.day.isoformat()

        exhausted_until: None | str
        if isinstance(self.exhausted_until, datetime.datetime):
            exhausted_until = self.exhausted_until.isoformat()
        else:
            exhausted_until = self.exhausted_until

        methods = []
        for methods_item_data in self.methods:
            methods_item = methods_item_data.to_dict()
            methods.append(methods_item)

        resets_at = self.resets_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "buckets": buckets,
                "day": day,
                "exhausted_until": exhausted_until,
                "methods": methods,
                "resets_at": resets_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.bucket_out import BucketOut  # noqa: PLC0415
        from ..models.method_out import MethodOut  # noqa: PLC0415

        d = dict(src_dict)
        buckets = []
        _buckets = d.pop("buckets")
        for buckets_item_data in _buckets:
            buckets_item = BucketOut.from_dict(buckets_item_data)

            buckets.append(buckets_item)

        day = datetime.date.fromisoformat(d.pop("day"))

        def _parse_exhausted_until(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                exhausted_until_type_0 = datetime.datetime.fromisoformat(data)

                return exhausted_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        exhausted_until = _parse_exhausted_until(d.pop("exhausted_until"))

        methods = []
        _methods = d.pop("methods")
        for methods_item_data in _methods:
            methods_item = MethodOut.from_dict(methods_item_data)

            methods.append(methods_item)

        resets_at = datetime.datetime.fromisoformat(d.pop("resets_at"))

        quota_day_out = cls(
            buckets=buckets,
            day=day,
            exhausted_until=exhausted_until,
            methods=methods,
            resets_at=resets_at,
        )

        quota_day_out.additional_properties = d
        return quota_day_out

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
