from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="WebhookIn")


@_attrs_define
class WebhookIn:
    """
    Attributes:
        events (list[str]): Event types to receive (GET /api/v1/webhooks/event-types), or ["*"] for every one.
        url (str): Where to POST: http(s)://host[:port]/path. Not this box itself or a link-local address unless an
            admin allows it (webhooks.allow_private_targets).
        description (str | Unset):  Default: ''.
    """

    events: list[str]
    url: str
    description: str | Unset = ""

    def to_dict(self) -> dict[str, Any]:
        events = self.events

        url = self.url

        description = self.description

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "events": events,
                "url": url,
            }
        )
        if description is not UNSET:
            field_dict["description"] = description

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        events = cast(list[str], d.pop("events"))

        url = d.pop("url")

        description = d.pop("description", UNSET)

        webhook_in = cls(
            events=events,
            url=url,
            description=description,
        )

        return webhook_in
