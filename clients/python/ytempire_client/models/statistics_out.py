from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="StatisticsOut")


@_attrs_define
class StatisticsOut:
    """Its figures on YouTube, as last fetched (at most hourly).

    Attributes:
        comments (int):
        fetched_at (datetime.datetime):
        likes (int):
        views (int):
    """

    comments: int
    fetched_at: datetime.datetime
    likes: int
    views: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        comments = self.comments

        fetched_at = self.fetched_at.isoformat()

        likes = self.likes

        views = self.views

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "comments": comments,
                "fetched_at": fetched_at,
                "likes": likes,
                "views": views,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        comments = d.pop("comments")

        fetched_at = datetime.datetime.fromisoformat(d.pop("fetched_at"))

        likes = d.pop("likes")

        views = d.pop("views")

        statistics_out = cls(
            comments=comments,
            fetched_at=fetched_at,
            likes=likes,
            views=views,
        )

        statistics_out.additional_properties = d
        return statistics_out

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
