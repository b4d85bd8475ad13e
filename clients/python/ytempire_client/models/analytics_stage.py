from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AnalyticsStage")


@_attrs_define
class AnalyticsStage:
    """
    Attributes:
        avg_seconds (float):
        count (int):
        name (str):
        p50_seconds (float):
        p95_seconds (float):
    """

    avg_seconds: float
    count: int
    name: str
    p50_seconds: float
    p95_seconds: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        avg_seconds = self.avg_seconds

        count = self.count

        name = self.name

        p50_seconds = self.p50_seconds

        p95_seconds = self.p95_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "avg_seconds": avg_seconds,
                "count": count,
                "name": name,
                "p50_seconds": p50_seconds,
                "p95_seconds": p95_seconds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        avg_seconds = d.pop("avg_seconds")

        count = d.pop("count")

        name = d.pop("name")

        p50_seconds = d.pop("p50_seconds")

        p95_seconds = d.pop("p95_seconds")

        analytics_stage = cls(
            avg_seconds=avg_seconds,
            count=count,
            name=name,
            p50_seconds=p50_seconds,
            p95_seconds=p95_seconds,
        )

        analytics_stage.additional_properties = d
        return analytics_stage

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
