from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="AnalyticsTally")


@_attrs_define
class AnalyticsTally:
    """Videos created in a period and what became of them, with what they cost.

    Attributes:
        avg_cost_micro_usd (int | None): per video created, rounded
        avg_cost_usd (float | None):
        cancelled (int):
        cost_micro_usd (int):
        cost_usd (float):
        created (int):
        failed (int):
        finished (int): succeeded + failed + cancelled + over_budget
        over_budget (int):
        succeeded (int):
        success_rate (float | None): succeeded / finished
    """

    avg_cost_micro_usd: int | None
    avg_cost_usd: float | None
    cancelled: int
    cost_micro_usd: int
    cost_usd: float
    created: int
    failed: int
    finished: int
    over_budget: int
    succeeded: int
    success_rate: float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        avg_cost_micro_usd: int | None
        avg_cost_micro_usd = self.avg_cost_micro_usd

        avg_cost_usd: float | None
        avg_cost_usd = self.avg_cost_usd

        cancelled = self.cancelled

        cost_micro_usd = self.cost_micro_usd

        cost_usd = self.cost_usd

        created = self.created

        failed = self.failed

        finished = self.finished

        over_budget = self.over_budget

        succeeded = self.succeeded

        success_rate: float | None
        success_rate = self.success_rate

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "avg_cost_micro_usd": avg_cost_micro_usd,
                "avg_cost_usd": avg_cost_usd,
                "cancelled": cancelled,
                "cost_micro_usd": cost_micro_usd,
                "cost_usd": cost_usd,
                "created": created,
                "failed": failed,
                "finished": finished,
                "over_budget": over_budget,
                "succeeded": succeeded,
                "success_rate": success_rate,
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

        cost_micro_usd = d.pop("cost_micro_usd")

        cost_usd = d.pop("cost_usd")

        created = d.pop("created")

        failed = d.pop("failed")

        finished = d.pop("finished")

        over_budget = d.pop("over_budget")

        succeeded = d.pop("succeeded")

        def _parse_success_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        success_rate = _parse_success_rate(d.pop("success_rate"))

        analytics_tally = cls(
            avg_cost_micro_usd=avg_cost_micro_usd,
            avg_cost_usd=avg_cost_usd,
            cancelled=cancelled,
            cost_micro_usd=cost_micro_usd,
            cost_usd=cost_usd,
            created=created,
            failed=failed,
            finished=finished,
            over_budget=over_budget,
            succeeded=succeeded,
            success_rate=success_rate,
        )

        analytics_tally.additional_properties = d
        return analytics_tally

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
