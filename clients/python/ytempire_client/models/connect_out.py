from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ConnectOut")


@_attrs_define
class ConnectOut:
    """
    Attributes:
        authorization_url (str): Open this in a browser signed in to the channel.
        expires_at (datetime.datetime):
        redirect_uri (str):
        state (str):
    """

    authorization_url: str
    expires_at: datetime.datetime
    redirect_uri: str
    state: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        authorization_url = self.authorization_url

        expires_at = self.expires_at.isoformat()

        redirect_uri = self.redirect_uri

        state = self.state

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "authorization_url": authorization_url,
                "expires_at": expires_at,
                "redirect_uri": redirect_uri,
                "state": state,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        authorization_url = d.pop("authorization_url")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        redirect_uri = d.pop("redirect_uri")

        state = d.pop("state")

        connect_out = cls(
            authorization_url=authorization_url,
            expires_at=expires_at,
            redirect_uri=redirect_uri,
            state=state,
        )

        connect_out.additional_properties = d
        return connect_out

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
