from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="ConnectIn")


@_attrs_define
class ConnectIn:
    """
    Attributes:
        redirect_uri (None | str | Unset): Where Google sends the browser back; it must be registered on the OAuth
            client. Default: youtube.public_url (or this request's address) + /api/v1/youtube/oauth/callback. On a LAN box
            register e.g. http://localhost:8080/api/v1/youtube/oauth/callback and paste the address the browser lands on
            into /connections/paste.
    """

    redirect_uri: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        redirect_uri: None | str | Unset
        if isinstance(self.redirect_uri, Unset):
            redirect_uri = UNSET
        else:
            redirect_uri = self.redirect_uri

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if redirect_uri is not UNSET:
            field_dict["redirect_uri"] = redirect_uri

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_redirect_uri(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        redirect_uri = _parse_redirect_uri(d.pop("redirect_uri", UNSET))

        connect_in = cls(
            redirect_uri=redirect_uri,
        )

        return connect_in
