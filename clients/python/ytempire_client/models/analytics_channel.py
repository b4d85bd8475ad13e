from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AnalyticsChannel")


@_attrs_define
class AnalyticsChannel:
    """
    Attributes:
        avg_cost_micro_usd (int | None): per video created, rounded
        avg_cost_usd (float | None):
        cancelled (int):
        channel_id (int):
        comments (int):
        cost_micro_usd (int):
        cost_usd (float):
        created (int):
        failed (int):
        finished (int): succeeded + failed + cancelled + over_budget
        likes (int):
        name (None | str):
        over_budget (int):
        published (int): Its videos on YouTube, all time.
        succeeded (int):
        success_rate (float | None): succeeded / finished
        views (int): Their views, as YouTube last said (fetched hourly at most).
    """

    avg_cost_micro_usd: int | None
    avg_cost_usd: float | None
    cancelled: int
    channel_id: int
    comments: int
    cost_micro_usd: int
    cost_usd: float
    created: int
    failed: int
    finished: int
    likes: int
    name: None | str
    over_budget: int
    published: int
    succeeded: int
    success_rate: float | None
    views: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        avg_cost_micro_usd: int | None
        avg_cost_micro_usd = self.avg_cost_micro_usd

        avg_cost_usd: float | None
        avg_cost_usd = self.avg_cost_usd

        cancelled = self.cancelled

        channel_id = self.channel_id

        comments = self.comments

        cost_micro_usd = self.cost_micro_usd

        cost_usd = self.cost_usd

        created = self.created

        failed = self.failed

        finished = self.finished

        likes = self.likes

        name: None | str
        name = self.name

        over_budget = self.over_budget

        published = self.published

        succeeded = self.succeeded

        success_rate: float | None
        success_rate = self.success_rate

        views = self.views

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "avg_cost_micro_usd": avg_cost_micro_usd,
                "avg_cost_usd": avg_cost_usd,
                "cancelled": cancelled,
                "channel_id": channel_id,
                "comments": comments,
                "cost_micro_usd": cost_micro_usd,
                "cost_usd": cost_usd,
                "created": created,
                "failed": failed,
                "finished": finished,
                "likes": likes,
                "name": name,
                "over_budget": over_budget,
                "published": published,
                "succeeded": succeeded,
                "success_rate": success_rate,
                "views": views,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_avg_cost_micro_usd(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        avg_cost_micro_usd = _parse_avg_cost_micro_usd(d.pop("avg_cost_micro_usd"))

        def _parse_avg_cost_usd(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        avg_cost_usd = _parse_avg_cost_usd(d.pop("avg_cost_usd"))

        cancelled = d.pop("cancelled")

        channel_id = d.pop("channel_id")

        comments = d.pop("comments")

        cost_micro_usd = d.pop("cost_micro_usd")

        cost_usd = d.pop("cost_usd")

        created = d.pop("created")

        failed = d.pop("failed")

        finished = d.pop("finished")

        likes = d.pop("likes")

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        over_budget = d.pop("over_budget")

        published = d.pop("published")

        succeeded = d.pop("succeeded")

        def _parse_success_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        success_rate = _parse_success_rate(d.pop("success_rate"))

        views = d.pop("views")

        analytics_channel = cls(
            avg_cost_micro_usd=avg_cost_micro_usd,
            avg_cost_usd=avg_cost_usd,
            cancelled=cancelled,
            channel_id=channel_id,
            comments=comments,
            cost_micro_usd=cost_micro_usd,
            cost_usd=cost_usd,
            created=created,
            failed=failed,
            finished=finished,
            likes=likes,
            name=name,
            over_budget=over_budget,
            published=published,
            succeeded=succeeded,
            success_rate=success_rate,
            views=views,
        )

        analytics_channel.additional_properties = d
        return analytics_channel

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
