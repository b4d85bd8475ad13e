from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.create_project_project_quota_buckets import CreateProjectProjectQuotaBuckets
    from ..models.quota_out import QuotaOut


T = TypeVar("T", bound="CreateProjectProject")


@_attrs_define
class CreateProjectProject:
    """
    Attributes:
        audited (bool):
        client_id (str):
        client_secret_fingerprint (str):
        created_at (datetime.datetime):
        id (int):
        name (str):
        note (None | str): What an unaudited project means for its uploads.
        quota (QuotaOut):
        quota_buckets (CreateProjectProjectQuotaBuckets): Its own bucket sizes, if any.
        updated_at (datetime.datetime):
    """

    audited: bool
    client_id: str
    client_secret_fingerprint: str
    created_at: datetime.datetime
    id: int
    name: str
    note: None | str
    quota: QuotaOut
    quota_buckets: CreateProjectProjectQuotaBuckets
    updated_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        audited = self.audited

        client_id = self.client_id

        client_secret_fingerprint = self.client_secret_fingerprint

        created_at = self.created_at.isoformat()

        id = self.id

        name = self.name

        note: None | str
        note = self.note

        quota = self.quota.to_dict()

        quota_buckets = self.quota_buckets.to_dict()

        updated_at = self.updated_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "audited": audited,
                "client_id": client_id,
                "client_secret_fingerprint": client_secret_fingerprint,
                "created_at": created_at,
                "id": id,
                "name": name,
                "note": note,
                "quota": quota,
                "quota_buckets": quota_buckets,
                "updated_at": updated_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.create_project_project_quota_buckets import CreateProjectProjectQuotaBuckets  # noqa: PLC0415
        from ..models.quota_out import QuotaOut  # noqa: PLC0415

        d = dict(src_dict)
        audited = d.pop("audited")

        client_id = d.pop("client_id")

        client_secret_fingerprint = d.pop("client_secret_fingerprint")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        id = d.pop("id")

        name = d.pop("name")

        def _parse_note(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        note = _parse_note(d.pop("note"))

        quota = QuotaOut.from_dict(d.pop("quota"))

        quota_buckets = CreateProjectProjectQuotaBuckets.from_dict(d.pop("quota_buckets"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

        create_project_project = cls(
            audited=audited,
            client_id=client_id,
            client_secret_fingerprint=client_secret_fingerprint,
            created_at=created_at,
            id=id,
            name=name,
            note=note,
            quota=quota,
            quota_buckets=quota_buckets,
            updated_at=updated_at,
        )

        create_project_project.additional_properties = d
        return create_project_project

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
