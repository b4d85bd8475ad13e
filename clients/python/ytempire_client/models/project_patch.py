from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.project_patch_quota_buckets import ProjectPatchQuotaBuckets


T = TypeVar("T", bound="ProjectPatch")


@_attrs_define
class ProjectPatch:
    """
    Attributes:
        audited (bool | Unset):
        client_secret (str | Unset):
        name (str | Unset):
        quota_buckets (ProjectPatchQuotaBuckets | Unset):
    """

    audited: bool | Unset = UNSET
    client_secret: str | Unset = UNSET
    name: str | Unset = UNSET
    quota_buckets: ProjectPatchQuotaBuckets | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        audited = self.audited

        client_secret = self.client_secret

        name = self.name

        quota_buckets: dict[str, Any] | Unset = UNSET
        if not isinstance(self.quota_buckets, Unset):
            quota_buckets = self.quota_buckets.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if audited is not UNSET:
            field_dict["audited"] = audited
        if client_secret is not UNSET:
            field_dict["client_secret"] = client_secret
        if name is not UNSET:
            field_dict["name"] = name
        if quota_buckets is not UNSET:
            field_dict["quota_buckets"] = quota_buckets

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.project_patch_quota_buckets import ProjectPatchQuotaBuckets  # noqa: PLC0415

        d = dict(src_dict)
        audited = d.pop("audited", UNSET)

        client_secret = d.pop("client_secret", UNSET)

        name = d.pop("name", UNSET)

        _quota_buckets = d.pop("quota_buckets", UNSET)
        quota_buckets: ProjectPatchQuotaBuckets | Unset
        if isinstance(_quota_buckets, Unset):
            quota_buckets = UNSET
        else:
            quota_buckets = ProjectPatchQuotaBuckets.from_dict(_quota_buckets)

        project_patch = cls(
            audited=audited,
            client_secret=client_secret,
            name=name,
            quota_buckets=quota_buckets,
        )

        return project_patch
