from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="DatabaseVersion")


@_attrs_define
class DatabaseVersion:
    """
    Attributes:
        head (str): The newest migration this build knows.
        revision (None | str): The migration the database is at.
        up_to_date (bool):
        engine (str | Unset): sqlite (one box) or postgresql (boxes sharing a database). Default: 'sqlite'.
    """

    head: str
    revision: None | str
    up_to_date: bool
    engine: str | Unset = "sqlite"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        head = self.head

        revision: None | str
        revision = self.revision

        up_to_date = self.up_to_date

        engine = self.engine

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "head": head,
                "revision": revision,
                "up_to_date": up_to_date,
            }
        )
        if engine is not UNSET:
            field_dict["engine"] = engine

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        head = d.pop("head")

        def _parse_revision(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        revision = _parse_revision(d.pop("revision"))

        up_to_date = d.pop("up_to_date")

        engine = d.pop("engine", UNSET)

        database_version = cls(
            head=head,
            revision=revision,
            up_to_date=up_to_date,
            engine=engine,
        )

        database_version.additional_properties = d
        return database_version

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
