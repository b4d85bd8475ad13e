from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.project_in_quota_buckets import ProjectInQuotaBuckets


T = TypeVar("T", bound="ProjectIn")


@_attrs_define
class ProjectIn:
    """A Google Cloud OAuth client (type: web application) with the YouTube Data API on.

    Attributes:
        client_id (str):
        client_secret (str): Kept sealed; never shown.
        name (str):
        audited (bool | Unset): Google has audited the project (uploads may be public). Default: False.
        quota_buckets (ProjectInQuotaBuckets | Unset): This project's own bucket sizes per day, e.g. {"uploads": 200}
            after a quota raise; the rest are the box's (youtube.quota_buckets).
    """

    client_id: str
    client_secret: str
    name: str
    audited: bool | Unset = False
    quota_buckets: ProjectInQuotaBuckets | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        client_id = self.client_id

        client_secret = self.client_secret

        name = self.name

        audited = self.audited

        quota_buckets: dict[str, Any] | Unset = UNSET
        if not isinstance(self.quota_buckets, Unset):
            quota_buckets = self.quota_buckets.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "client_id": client_id,
                "client_secret": client_secret,
                "name": name,
            }
        )
        if audited is not UNSET:
            field_dict["audited"] = audited
        if quota_buckets is not UNSET:
            field_dict["quota_buckets"] = quota_buckets

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.project_in_quota_buckets import ProjectInQuotaBuckets  # noqa: PLC0415

        d = dict(src_dict)
        client_id = d.pop("client_id")

        client_secret = d.pop("client_secret")

        name = d.pop("name")

        audited = d.pop("audited", UNSET)

        _quota_buckets = d.pop("quota_buckets", UNSET)
        quota_buckets: ProjectInQuotaBuckets | Unset
        if isinstance(_quota_buckets, Unset):
            quota_buckets = UNSET
        else:
            quota_buckets = ProjectInQuotaBuckets.from_dict(_quota_buckets)

        project_in = cls(
            client_id=client_id,
            client_secret=client_secret,
            name=name,
            audited=audited,
            quota_buckets=quota_buckets,
        )

        return project_in
