from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="VideoPatch")


@_attrs_define
class VideoPatch:
    """What can change on a video once queued: its budget (to resume one that stopped
    over budget, then retry it) and its priority.

        Attributes:
            budget_micro_usd (int | Unset): Most it may spend, in micro-dollars.
            downgrade_micro_usd (int | Unset): Past this its stages use cheaper providers.
            priority (int | Unset): Higher runs sooner.
    """

    budget_micro_usd: int | Unset = UNSET
    downgrade_micro_usd: int | Unset = UNSET
    priority: int | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        budget_micro_usd = self.budget_micro_usd

        downgrade_micro_usd = self.downgrade_micro_usd

        priority = self.priority

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if budget_micro_usd is not UNSET:
            field_dict["budget_micro_usd"] = budget_micro_usd
        if downgrade_micro_usd is not UNSET:
            field_dict["downgrade_micro_usd"] = downgrade_micro_usd
        if priority is not UNSET:
            field_dict["priority"] = priority

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        budget_micro_usd = d.pop("budget_micro_usd", UNSET)

        downgrade_micro_usd = d.pop("downgrade_micro_usd", UNSET)

        priority = d.pop("priority", UNSET)

        video_patch = cls(
            budget_micro_usd=budget_micro_usd,
            downgrade_micro_usd=downgrade_micro_usd,
            priority=priority,
        )

        return video_patch
