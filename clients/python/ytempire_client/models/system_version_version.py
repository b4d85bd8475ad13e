from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.database_version import DatabaseVersion
    from ..models.system_version_version_libraries import SystemVersionVersionLibraries


T = TypeVar("T", bound="SystemVersionVersion")


@_attrs_define
class SystemVersionVersion:
    """
    Attributes:
        database (DatabaseVersion):
        libraries (SystemVersionVersionLibraries): Installed versions of the key libraries (null: not installed).
        python (str):
        version (str): The appliance's version.
    """

    database: DatabaseVersion
    libraries: SystemVersionVersionLibraries
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
        from ..models.system_version_version_libraries import SystemVersionVersionLibraries  # noqa: PLC0415

        d = dict(src_dict)
        database = DatabaseVersion.from_dict(d.pop("database"))

        libraries = SystemVersionVersionLibraries.from_dict(d.pop("libraries"))

        python = d.pop("python")

        version = d.pop("version")

        system_version_version = cls(
            database=database,
            libraries=libraries,
            python=python,
            version=version,
        )

        system_version_version.additional_properties = d
        return system_version_version

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
