from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="StageOut")


@_attrs_define
class StageOut:
    """
    Attributes:
        attempts (int):
        error (None | str):
        name (str):
        progress (float):
        slot (None | str):
        status (str):
        provider (None | str | Unset): Who made its output: "openai:gpt-4o", "pexels+generated", ...
    """

    attempts: int
    error: None | str
    name: str
    progress: float
    slot: None | str
    status: str
    provider: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        error: None | str
        error = self.error

        name = self.name

        progress = self.progress

        slot: None | str
        slot = self.slot

        status = self.status

        provider: None | str | Unset
        if isinstance(self.provider, Unset):
            provider = UNSET
        else:
            provider = self.provider

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "error": error,
                "name": name,
                "progress": progress,
                "slot": slot,
                "status": status,
            }
        )
        if provider is not UNSET:
            field_dict["provider"] = provider

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        attempts = d.pop("attempts")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        name = d.pop("name")

        progress = d.pop("progress")

        def _parse_slot(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        slot = _parse_slot(d.pop("slot"))

        status = d.pop("status")

        def _parse_provider(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider = _parse_provider(d.pop("provider", UNSET))

        stage_out = cls(
            attempts=attempts,
            error=error,
            name=name,
            progress=progress,
            slot=slot,
            status=status,
            provider=provider,
        )

        stage_out.additional_properties = d
        return stage_out

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
