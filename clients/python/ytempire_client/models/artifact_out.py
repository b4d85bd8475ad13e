from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.artifact_out_kind import ArtifactOutKind

T = TypeVar("T", bound="ArtifactOut")


@_attrs_define
class ArtifactOut:
    """
    Attributes:
        bytes_ (int):
        content_type (str):
        kind (ArtifactOutKind):
        modified_at (datetime.datetime):
        name (str): The file's name.
        url (str): Where to download it (Range requests supported).
    """

    bytes_: int
    content_type: str
    kind: ArtifactOutKind
    modified_at: datetime.datetime
    name: str
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        bytes_ = self.bytes_

        content_type = self.content_type

        kind = self.kind.value

        modified_at = self.modified_at.isoformat()

        name = self.name

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "bytes": bytes_,
                "content_type": content_type,
                "kind": kind,
                "modified_at": modified_at,
                "name": name,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        bytes_ = d.pop("bytes")

        content_type = d.pop("content_type")

        kind = ArtifactOutKind(d.pop("kind"))

        modified_at = datetime.datetime.fromisoformat(d.pop("modified_at"))

        name = d.pop("name")

        url = d.pop("url")

        artifact_out = cls(
            bytes_=bytes_,
            content_type=content_type,
            kind=kind,
            modified_at=modified_at,
            name=name,
            url=url,
        )

        artifact_out.additional_properties = d
        return artifact_out

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
