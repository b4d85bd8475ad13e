from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.slots_running_item import SlotsRunningItem
    from ..models.slots_slots import SlotsSlots
    from ..models.slots_telemetry import SlotsTelemetry


T = TypeVar("T", bound="Slots")


@_attrs_define
class Slots:
    """
    Attributes:
        admitting (bool):
        running (list[SlotsRunningItem]):
        shedding (bool):
        slots (SlotsSlots):
        telemetry (SlotsTelemetry):
        waiting_because (None | str):
        shed_level (int | Unset): Load shedding: 0 normal, 1 low-priority videos wait, 2 videos not prioritised wait, 3
            also renders in the plain style. Default: 0.
        shed_reason (None | str | Unset):
    """

    admitting: bool
    running: list[SlotsRunningItem]
    shedding: bool
    slots: SlotsSlots
    telemetry: SlotsTelemetry
    waiting_because: None | str
    shed_level: int | Unset = 0
    shed_reason: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        admitting = self.admitting

        running = []
        for running_item_data in self.running:
            running_item = running_item_data.to_dict()
            running.append(running_item)

        shedding = self.shedding

        slots = self.slots.to_dict()

        telemetry = self.telemetry.to_dict()

        waiting_because: None | str
        waiting_because = self.waiting_because

        shed_level = self.shed_level

        shed_reason: None | str | Unset
        if isinstance(self.shed_reason, Unset):
            shed_reason = UNSET
        else:
            shed_reason = self.shed_reason

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "admitting": admitting,
                "running": running,
                "shedding": shedding,
                "slots": slots,
                "telemetry": telemetry,
                "waiting_because": waiting_because,
            }
        )
        if shed_level is not UNSET:
            field_dict["shed_level"] = shed_level
        if shed_reason is not UNSET:
            field_dict["shed_reason"] = shed_reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.slots_running_item import SlotsRunningItem  # noqa: PLC0415
        from ..models.slots_slots import SlotsSlots  # noqa: PLC0415
        from ..models.slots_telemetry import SlotsTelemetry  # noqa: PLC0415

        d = dict(src_dict)
        admitting = d.pop("admitting")

        running = []
        _running = d.pop("running")
        for running_item_data in _running:
            running_item = SlotsRunningItem.from_dict(running_item_data)

            running.append(running_item)

        shedding = d.pop("shedding")

        slots = SlotsSlots.from_dict(d.pop("slots"))

        telemetry = SlotsTelemetry.from_dict(d.pop("telemetry"))

        def _parse_waiting_because(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        waiting_because = _parse_waiting_because(d.pop("waiting_because"))

        shed_level = d.pop("shed_level", UNSET)

        def _parse_shed_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        shed_reason = _parse_shed_reason(d.pop("shed_reason", UNSET))

        slots = cls(
            admitting=admitting,
            running=running,
            shedding=shedding,
            slots=slots,
            telemetry=telemetry,
            waiting_because=waiting_because,
            shed_level=shed_level,
            shed_reason=shed_reason,
        )

        slots.additional_properties = d
        return slots

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
