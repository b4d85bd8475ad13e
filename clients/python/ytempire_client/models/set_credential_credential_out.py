from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.set_credential_credential_out_name import SetCredentialCredentialOutName
from ..models.set_credential_credential_out_source_type_0 import SetCredentialCredentialOutSourceType0
from ..models.set_credential_credential_out_status_type_0 import SetCredentialCredentialOutStatusType0

T = TypeVar("T", bound="SetCredentialCredentialOut")


@_attrs_define
class SetCredentialCredentialOut:
    """
    Attributes:
        configured (bool): Whether a stage of your videos has this credential.
        fingerprint (None | str): 12 hex digits that tell two keys apart without revealing either.
        name (SetCredentialCredentialOutName):
        source (None | SetCredentialCredentialOutSourceType0): api: the one you entered (it wins); settings: the box's
            own, from its settings or environment; null: none.
        status (None | SetCredentialCredentialOutStatusType0): unreadable: the entry does not decrypt with this box's
            key (the key was replaced); set it again. Stages then use the settings' value, if any.
        updated_at (datetime.datetime | None): When you last set it (api only).
    """

    configured: bool
    fingerprint: None | str
    name: SetCredentialCredentialOutName
    source: None | SetCredentialCredentialOutSourceType0
    status: None | SetCredentialCredentialOutStatusType0
    updated_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        configured = self.configured

        fingerprint: None | str
        fingerprint = self.fingerprint

        name = self.name.value

        source: None | str
        if isinstance(self.source, SetCredentialCredentialOutSourceType0):
            source = self.source.value
        else:
            source = self.source

        status: None | str
        if isinstance(self.status, SetCredentialCredentialOutStatusType0):
            status = self.status.value
        else:
            status = self.status

        updated_at: None | str
        if isinstance(self.updated_at, datetime.datetime):
            updated_at = self.updated_at.isoformat()
        else:
            updated_at = self.updated_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "configured": configured,
                "fingerprint": fingerprint,
                "name": name,
                "source": source,
                "status": status,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        configured = d.pop("configured")

        def _parse_fingerprint(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        fingerprint = _parse_fingerprint(d.pop("fingerprint"))

        name = SetCredentialCredentialOutName(d.pop("name"))

        def _parse_source(data: object) -> None | SetCredentialCredentialOutSourceType0:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                source_type_0 = SetCredentialCredentialOutSourceType0(data)

                return source_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SetCredentialCredentialOutSourceType0, data)

        source = _parse_source(d.pop("source"))

        def _parse_status(data: object) -> None | SetCredentialCredentialOutStatusType0:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = SetCredentialCredentialOutStatusType0(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SetCredentialCredentialOutStatusType0, data)

        status = _parse_status(d.pop("status"))

        def _parse_updated_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                updated_at_type_0 = datetime.datetime.fromisoformat(data)

                return updated_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        updated_at = _parse_updated_at(d.pop("updated_at"))

        set_credential_credential_out = cls(
            configured=configured,
            fingerprint=fingerprint,
            name=name,
            source=source,
            status=status,
            updated_at=updated_at,
        )

        set_credential_credential_out.additional_properties = d
        return set_credential_credential_out

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
