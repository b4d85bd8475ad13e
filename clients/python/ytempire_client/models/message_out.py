from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.attempt_out import AttemptOut
    from ..models.message_out_payload import MessageOutPayload


T = TypeVar("T", bound="MessageOut")


@_attrs_define
class MessageOut:
    """
    Attributes:
        attempts (int):
        created_at (datetime.datetime):
        delivered_at (datetime.datetime | None):
        event_type (str):
        id (int):
        last_error (None | str):
        message_id (str): The webhook-id header, the same on every attempt.
        next_attempt_at (datetime.datetime):
        payload (MessageOutPayload): The JSON body that is sent.
        status (str): pending, delivered, or failed (given up).
        tries (list[AttemptOut]): Each attempt, oldest first.
    """

    attempts: int
    created_at: datetime.datetime
    delivered_at: datetime.datetime | None
    event_type: str
    id: int
    last_error: None | str
    message_id: str
    next_attempt_at: datetime.datetime
    payload: MessageOutPayload
    status: str
    tries: list[AttemptOut]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        attempts = self.attempts

        created_at = self.created_at.isoformat()

        delivered_at: None | str
        if isinstance(self.delivered_at, datetime.datetime):
            delivered_at = self.delivered_at.isoformat()
        else:
            delivered_at = self.delivered_at

        event_type = self.event_type

        id = self.id

        last_error: None | str
        last_error = self.last_error

        message_id = self.message_id

        next_attempt_at = self.next_attempt_at.isoformat()

        payload = self.payload.to_dict()

        status = self.status

        tries = []
        for tries_item_data in self.tries:
            tries_item = tries_item_data.to_dict()
            tries.append(tries_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "attempts": attempts,
                "created_at": created_at,
                "delivered_at": delivered_at,
                "event_type": event_type,
                "id": id,
                "last_error": last_error,
                "message_id": message_id,
                "next_attempt_at": next_attempt_at,
                "payload": payload,
                "status": status,
                "tries": tries,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attempt_out import AttemptOut  # noqa: PLC0415
        from ..models.message_out_payload import MessageOutPayload  # noqa: PLC0415

        d = dict(src_dict)
        attempts = d.pop("attempts")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_delivered_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                delivered_at_type_0 = datetime.datetime.fromisoformat(data)

                return delivered_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        delivered_at = _parse_delivered_at(d.pop("delivered_at"))

        event_type = d.pop("event_type")

        id = d.pop("id")

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        message_id = d.pop("message_id")

        next_attempt_at = datetime.datetime.fromisoformat(d.pop("next_attempt_at"))

        payload = MessageOutPayload.from_dict(d.pop("payload"))

        status = d.pop("status")

        tries = []
        _tries = d.pop("tries")
        for tries_item_data in _tries:
            tries_item = AttemptOut.from_dict(tries_item_data)

            tries.append(tries_item)

        message_out = cls(
            attempts=attempts,
            created_at=created_at,
            delivered_at=delivered_at,
            event_type=event_type,
            id=id,
            last_error=last_error,
            message_id=message_id,
            next_attempt_at=next_attempt_at,
            payload=payload,
            status=status,
            tries=tries,
        )

        message_out.additional_properties = d
        return message_out

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
