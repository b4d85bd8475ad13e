from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BucketOut")


@_attrs_define
class BucketOut:
    """
    Attributes:
        left (int):
        name (str):
        reserve (int): What uploads leave alone (youtube.reserve_percent).
        size (int): The bucket's day.
        used (int):
    """

    left: int
    name: str
    reserve: int
    size: int
    used: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        left = self.left

        name = self.name

        reserve = self.reserve

        size = self.size

        used = self.used

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "left": left,
                "name": name,
                "reserve": reserve,
                "size": size,
                "used": used,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        left = d.pop("left")

        name = d.pop("name")

        reserve = d.pop("reserve")

        size = d.pop("size")

        used = d.pop("used")

        bucket_out = cls(
            left=left,
            name=name,
            reserve=reserve,
            size=size,
            used=used,
        )

        bucket_out.additional_properties = d
        return bucket_out

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
