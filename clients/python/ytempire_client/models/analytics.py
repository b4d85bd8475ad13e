from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.analytics_channel import AnalyticsChannel
    from ..models.analytics_day import AnalyticsDay
    from ..models.analytics_stage import AnalyticsStage
    from ..models.analytics_tally import AnalyticsTally


T = TypeVar("T", bound="Analytics")


@_attrs_define
class Analytics:
    """
    Attributes:
        channel_id (int | None):
        days (int):
        first_day (datetime.date):
        generated_at (datetime.datetime):
        last_day (datetime.date):
        per_channel (list[AnalyticsChannel]):
        per_day (list[AnalyticsDay]):
        stages (list[AnalyticsStage]):
        totals (AnalyticsTally): Videos created in a period and what became of them, with what they cost.
    """

    channel_id: int | None
    days: int
    first_day: datetime.date
    generated_at: datetime.datetime
    last_day: datetime.date
    per_channel: list[AnalyticsChannel]
    per_day: list[AnalyticsDay]
    stages: list[AnalyticsStage]
    totals: AnalyticsTally
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channel_id: int | None
        channel_id = self.channel_id

        days = self.days

        first_day = self.first_day.isoformat()

        generated_at = self.generated_at.isoformat()

        last_day = self.last_day.isoformat()

        per_channel = []
        for per_channel_item_data in self.per_channel:
            per_channel_item = per_channel_item_data.to_dict()
            per_channel.append(per_channel_item)

        per_day = []
        for per_day_item_data in self.per_day:
            per_day_item = per_day_item_data.to_dict()
            per_day.append(per_day_item)

        stages = []
        for stages_item_data in self.stages:
            stages_item = stages_item_data.to_dict()
            stages.append(stages_item)

        totals = self.totals.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channel_id": channel_id,
                "days": days,
                "first_day": first_day,
                "generated_at": generated_at,
                "last_day": last_day,
                "per_channel": per_channel,
                "per_day": per_day,
                "stages": stages,
                "totals": totals,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.analytics_channel import AnalyticsChannel  # noqa: PLC0415
        from ..models.analytics_day import AnalyticsDay  # noqa: PLC0415
        from ..models.analytics_stage import AnalyticsStage  # noqa: PLC0415
        from ..models.analytics_tally import AnalyticsTally  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_channel_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        channel_id = _parse_channel_id(d.pop("channel_id"))

        days = d.pop("days")

        first_day = datetime.date.fromisoformat(d.pop("first_day"))

        generated_at = datetime.datetime.fromisoformat(d.pop("generated_at"))

        last_day = datetime.date.fromisoformat(d.pop("last_day"))

        per_channel = []
        _per_channel = d.pop("per_channel")
        for per_channel_item_data in _per_channel:
            per_channel_item = AnalyticsChannel.from_dict(per_channel_item_data)

            per_channel.append(per_channel_item)

        per_day = []
        _per_day = d.pop("per_day")
        for per_day_item_data in _per_day:
            per_day_item = AnalyticsDay.from_dict(per_day_item_data)

            per_day.append(per_day_item)

        stages = []
        _stages = d.pop("stages")
        for stages_item_data in _stages:
            stages_item = AnalyticsStage.from_dict(stages_item_data)

            stages.append(stages_item)

        totals = AnalyticsTally.from_dict(d.pop("totals"))

        analytics = cls(
            channel_id=channel_id,
            days=days,
            first_day=first_day,
            generated_at=generated_at,
            last_day=last_day,
            per_channel=per_channel,
            per_day=per_day,
            stages=stages,
            totals=totals,
        )

        analytics.additional_properties = d
        return analytics

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
