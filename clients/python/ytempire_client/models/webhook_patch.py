from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookPatch")


@_attrs_define
class WebhookPatch:
    """
    Attributes:
        description (str | Unset):
        enabled (bool | Unset): false turns it off; true turns it on again (also after it was turned off for failing):
            its waiting messages go out, oldest first.
        events (list[str] | Unset): Event types to receive (GET /api/v1/webhooks/event-types), or ["*"] for every one.
        url (str | Unset):
    """

    description: str | Unset = UNSET
    enabled: bool | Unset = UNSET
    events: list[str] | Unset = UNSET
    url: str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        description = self.description

        enabled = self.enabled

        events: list[str] | Unset = UNSET
        if not isinstance(self.events, Unset):
            events = self.events

        url = self.url

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if description is not UNSET:
            field_dict["description"] = description
        if enabled is not UNSET:
            field_dict["enabled"] = enabled
        if events is not UNSET:
            field_dict["events"] = events
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        description = d.pop("description", UNSET)

        enabled = d.pop("enabled", UNSET)

        events = cast(list[str], d.pop("events", UNSET))

        url = d.pop("url", UNSET)

        webhook_patch = cls(
            description=description,
            enabled=enabled,
            events=events,
            url=url,
        )

        return webhook_patch
