from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.cost_entry_out_detail import CostEntryOutDetail


T = TypeVar("T", bound="CostEntryOut")


@_attrs_define
class CostEntryOut:
    """
    Attributes:
        amount_micro_usd (int): units × unit price, rounded half to even.
        at (datetime.datetime):
        attempt (int):
        provider (str):
        stage (str):
        unit (str):
        unit_price_micro_usd (float): Micro-dollars per unit; may be fractional ($0.15 per 1M tokens is 0.15).
        units (float):
        detail (CostEntryOutDetail | Unset):
    """

    amount_micro_usd: int
    at: datetime.datetime
    attempt: int
    provider: str
    stage: str
    unit: str
    unit_price_micro_usd: float
    units: float
    detail: CostEntryOutDetail | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        amount_micro_usd = self.amount_micro_usd

        at = self.at.isoformat()

        attempt = self.attempt

        provider = self.provider

        stage = self.stage

        unit = self.unit

        unit_price_micro_usd = self.unit_price_micro_usd

        units = self.units

        detail: dict[str, Any] | Unset = UNSET
        if not isinstance(self.detail, Unset):
            detail = self.detail.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "amount_micro_usd": amount_micro_usd,
                "at": at,
                "attempt": attempt,
                "provider": provider,
                "stage": stage,
                "unit": unit,
                "unit_price_micro_usd": unit_price_micro_usd,
                "units": units,
            }
        )
        if detail is not UNSET:
            field_dict["detail"] = detail

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.cost_entry_out_detail import CostEntryOutDetail  # noqa: PLC0415

        d = dict(src_dict)
        amount_micro_usd = d.pop("amount_micro_usd")

        at = datetime.datetime.fromisoformat(d.pop("at"))

        attempt = d.pop("attempt")

        provider = d.pop("provider")

        stage = d.pop("stage")

        unit = d.pop("unit")

        unit_price_micro_usd = d.pop("unit_price_micro_usd")

        units = d.pop("units")

        _detail = d.pop("detail", UNSET)
        detail: CostEntryOutDetail | Unset
        if isinstance(_detail, Unset):
            detail = UNSET
        else:
            detail = CostEntryOutDetail.from_dict(_detail)

        cost_entry_out = cls(
            amount_micro_usd=amount_micro_usd,
            at=at,
            attempt=attempt,
            provider=provider,
            stage=stage,
            unit=unit,
            unit_price_micro_usd=unit_price_micro_usd,
            units=units,
            detail=detail,
        )

        cost_entry_out.additional_properties = d
        return cost_entry_out

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
