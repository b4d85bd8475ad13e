from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.cost_entry_out import CostEntryOut
    from ..models.costs_by_provider import CostsByProvider
    from ..models.costs_by_stage import CostsByStage


T = TypeVar("T", bound="Costs")


@_attrs_define
class Costs:
    """A video's cost entries; they add up exactly to the total.

    Attributes:
        by_provider (CostsByProvider): Micro-dollars per provider.
        by_stage (CostsByStage): Micro-dollars per stage.
        entries (list[CostEntryOut]):
        total_display (str): The total in dollars to the cent ('$1.23').
        total_micro_usd (int): The exact total, in micro-dollars.
        total_usd (str): The same total in dollars, as a decimal string with six places ('1.234500'): exact, unlike a
            JSON number.
    """

    by_provider: CostsByProvider
    by_stage: CostsByStage
    entries: list[CostEntryOut]
    total_display: str
    total_micro_usd: int
    total_usd: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        by_provider = self.by_provider.to_dict()

        by_stage = self.by_stage.to_dict()

        entries = []
        for entries_item_data in self.entries:
            entries_item = entries_item_data.to_dict()
            entries.append(entries_item)

        total_display = self.total_display

        total_micro_usd = self.total_micro_usd

        total_usd = self.total_usd

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "by_provider": by_provider,
                "by_stage": by_stage,
                "entries": entries,
                "total_display": total_display,
                "total_micro_usd": total_micro_usd,
                "total_usd": total_usd,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cost_entry_out import CostEntryOut  # noqa: PLC0415
        from ..models.costs_by_provider import CostsByProvider  # noqa: PLC0415
        from ..models.costs_by_stage import CostsByStage  # noqa: PLC0415

        d = dict(src_dict)
        by_provider = CostsByProvider.from_dict(d.pop("by_provider"))

        by_stage = CostsByStage.from_dict(d.pop("by_stage"))

        entries = []
        _entries = d.pop("entries")
        for entries_item_data in _entries:
            entries_item = CostEntryOut.from_dict(entries_item_data)

            entries.append(entries_item)

        total_display = d.pop("total_display")

        total_micro_usd = d.pop("total_micro_usd")

        total_usd = d.pop("total_usd")

        costs = cls(
            by_provider=by_provider,
            by_stage=by_stage,
            entries=entries,
            total_display=total_display,
            total_micro_usd=total_micro_usd,
            total_usd=total_usd,
        )

        costs.additional_properties = d
        return costs

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
