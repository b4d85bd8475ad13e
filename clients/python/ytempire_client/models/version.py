from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.database_version import DatabaseVersion
    from ..models.version_libraries import VersionLibraries


T = TypeVar("T", bound="Version")


@_attrs_define
class Version:
    """
    Attributes:
        database (DatabaseVersion):
        libraries (VersionLibraries): Installed versions of the key libraries (null: not installed).
        python (str):
        version (str): The appliance's version.
    """

    database: DatabaseVersion
    libraries: VersionLibraries
    python: str
    version: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        database = self.database.to_dict()

        libraries = self.libraries.to_dict()

        python = self.python

        version = self.version

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "database": database,
                "libraries": libraries,
                "python": python,
                "version": version,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.database_version import DatabaseVersion  # noqa: PLC0415
        from ..models.version_libraries import VersionLibraries  # noqa: PLC0415

        d = dict(src_dict)
        database = DatabaseVersion.from_dict(d.pop("database"))

        libraries = VersionLibraries.from_dict(d.pop("libraries"))

        python = d.pop("python")

        version = d.pop("version")

        version = cls(
            database=database,
            libraries=libraries,
            python=python,
            version=version,
        )

        version.additional_properties = d
        return version

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
