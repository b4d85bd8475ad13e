from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.standing_plans import StandingPlans


T = TypeVar("T", bound="Standing")


@_attrs_define
class Standing:
    """
    Attributes:
        channels_allowed (int | None):
        channels_used (int):
        enabled (bool): Whether this box bills at all (billing.enabled).
        period_end (datetime.datetime | None):
        period_start (datetime.datetime | None):
        plan (None | str):
        plans (StandingPlans): The plans offered: videos_per_month, channels, priority.
        status (None | str): Stripe's status: active, trialing, past_due, ...
        videos_allowed (int | None): null: not limited (an admin, or no billing).
        videos_used (int): Videos queued this period.
    """

    channels_allowed: int | None
    channels_used: int
    enabled: bool
    period_end: datetime.datetime | None
    period_start: datetime.datetime | None
    plan: None | str
    plans: StandingPlans
    status: None | str
    videos_allowed: int | None
    videos_used: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        channels_allowed: int | None
        channels_allowed = self.channels_allowed

        channels_used = self.channels_used

        enabled = self.enabled

        period_end: None | str
        if isinstance(self.period_end, datetime.datetime):
            period_end = self.period_end.isoformat()
        else:
            period_end = self.period_end

        period_start: None | str
        if isinstance(self.period_start, datetime.datetime):
            period_start = self.period_start.isoformat()
        else:
            period_start = self.period_start

        plan: None | str
        plan = self.plan

        plans = self.plans.to_dict()

        status: None | str
        status = self.status

        videos_allowed: int | None
        videos_allowed = self.videos_allowed

        videos_used = self.videos_used

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "channels_allowed": channels_allowed,
                "channels_used": channels_used,
                "enabled": enabled,
                "period_end": period_end,
                "period_start": period_start,
                "plan": plan,
                "plans": plans,
                "status": status,
                "videos_allowed": videos_allowed,
                "videos_used": videos_used,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.standing_plans import StandingPlans  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_channels_allowed(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        channels_allowed = _parse_channels_allowed(d.pop("channels_allowed"))

        channels_used = d.pop("channels_used")

        enabled = d.pop("enabled")

        def _parse_period_end(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                period_end_type_0 = datetime.datetime.fromisoformat(data)

                return period_end_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        period_end = _parse_period_end(d.pop("period_end"))

        def _parse_period_start(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                period_start_type_0 = datetime.datetime.fromisoformat(data)

                return period_start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        period_start = _parse_period_start(d.pop("period_start"))

        def _parse_plan(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        plan = _parse_plan(d.pop("plan"))

        plans = StandingPlans.from_dict(d.pop("plans"))

        def _parse_status(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        status = _parse_status(d.pop("status"))

        def _parse_videos_allowed(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        videos_allowed = _parse_videos_allowed(d.pop("videos_allowed"))

        videos_used = d.pop("videos_used")

        standing = cls(
            channels_allowed=channels_allowed,
            channels_used=channels_used,
            enabled=enabled,
            period_end=period_end,
            period_start=period_start,
            plan=plan,
            plans=plans,
            status=status,
            videos_allowed=videos_allowed,
            videos_used=videos_used,
        )

        standing.additional_properties = d
        return standing

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
