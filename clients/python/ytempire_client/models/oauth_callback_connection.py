from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="OauthCallbackConnection")


@_attrs_define
class OauthCallbackConnection:
    """
    Attributes:
        capped_until (datetime.datetime | None): The YouTube channel reached its 24-hour upload cap: no uploads until
            then.
        created_at (datetime.datetime):
        health (float): 1.0 is perfect; below youtube.health_floor it is used only as a last resort.
        id (int):
        last_error (None | str):
        last_used_at (datetime.datetime | None):
        project_id (int):
        status (str): connected, or needs_reconnect (the grant was revoked).
        title (str):
        updated_at (datetime.datetime):
        youtube_channel_id (str):
    """

    capped_until: datetime.datetime | None
    created_at: datetime.datetime
    health: float
    id: int
    last_error: None | str
    last_used_at: datetime.datetime | None
    project_id: int
    status: str
    title: str
    updated_at: datetime.datetime
    youtube_channel_id: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        capped_until: None | str
        if isinstance(self.capped_until, datetime.datetime):
            capped_until = self.capped_until.isoformat()
        else:
            capped_until = self.capped_until

        created_at = self.created_at.isoformat()

        health = self.health

        id = self.id

        last_error: None | str
        last_error = self.last_error

        last_used_at: None | str
        if isinstance(self.last_used_at, datetime.datetime):
            last_used_at = self.last_used_at.isoformat()
        else:
            last_used_at = self.last_used_at

        project_id = self.project_id

        status = self.status

        title = self.title

        updated_at = self.updated_at.isoformat()

        youtube_channel_id = self.youtube_channel_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "capped_until": capped_until,
                "created_at": created_at,
                "health": health,
                "id": id,
                "last_error": last_error,
                "last_used_at": last_used_at,
                "project_id": project_id,
                "status": status,
                "title": title,
                "updated_at": updated_at,
                "youtube_channel_id": youtube_channel_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_capped_until(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                capped_until_type_0 = datetime.datetime.fromisoformat(data)

                return capped_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        capped_until = _parse_capped_until(d.pop("capped_until"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        health = d.pop("health")

        id = d.pop("id")

        def _parse_last_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        def _parse_last_used_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_used_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_used_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_used_at = _parse_last_used_at(d.pop("last_used_at"))

        project_id = d.pop("project_id")

        status = d.pop("status")

        title = d.pop("title")

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        youtube_channel_id = d.pop("youtube_channel_id")

        oauth_callback_connection = cls(
            capped_until=capped_until,
            created_at=created_at,
            health=health,
            id=id,
            last_error=last_error,
            last_used_at=last_used_at,
            project_id=project_id,
            status=status,
            title=title,
            updated_at=updated_at,
            youtube_channel_id=youtube_channel_id,
        )

        oauth_callback_connection.additional_properties = d
        return oauth_callback_connection

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
