from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

T = TypeVar("T", bound="BacklogIn")


@_attrs_define
class BacklogIn:
    """
    Attributes:
        topics (list[str]): Topics to add at the end, in order.
    """

    topics: list[str]

    def to_dict(self) -> dict[str, Any]:
        topics = self.topics

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "topics": topics,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        topics = cast(list[str], d.pop("topics"))

        backlog_in = cls(
            topics=topics,
        )

        return backlog_in
