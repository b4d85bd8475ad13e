from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PublishedIn")


@_attrs_define
class PublishedIn:
    """
    Attributes:
        youtube_url (str): The video's YouTube address (or its id).
    """

    youtube_url: str

    def to_dict(self) -> dict[str, Any]:
        youtube_url = self.youtube_url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "youtube_url": youtube_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        youtube_url = d.pop("youtube_url")

        published_in = cls(
            youtube_url=youtube_url,
        )

        return published_in
