from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="BoxOut")


@_attrs_define
class BoxOut:
    """
    Attributes:
        alive (bool): Seen within the last lease (scheduler.lease_s).
        capacity (int): How many it holds at most (0: all, on SQLite).
        draining (bool): Takes no new videos; finishes those it holds.
        held_videos (int): Unfinished videos it holds now.
        id (str): The box's name (cluster.box_id).
        seen_at (datetime.datetime): Its last heartbeat.
        started_at (datetime.datetime):
        this_box (bool): The box that answered this request.
        url (None | str): Where the other boxes reach its API (cluster.url).
    """

    alive: bool
    capacity: int
    draining: bool
    held_videos: int
    id: str
    seen_at: datetime.datetime
    started_at: datetime.datetime
    this_box: bool
    url: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        alive = self.alive

        capacity = self.capacity

        draining = self.draining

        held_videos = self.held_videos

        id = self.id

        seen_at = self.seen_at.isoformat()

        started_at = self.started_at.isoformat()

        this_box = self.this_box

        url: None | str
        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "alive": alive,
                "capacity": capacity,
                "draining": draining,
                "held_videos": held_videos,
                "id": id,
                "seen_at": seen_at,
                "started_at": started_at,
                "this_box": this_box,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        alive = d.pop("alive")

        capacity = d.pop("capacity")

        draining = d.pop("draining")

        held_videos = d.pop("held_videos")

        id = d.pop("id")

        seen_at = datetime.datetime.fromisoformat(d.pop("seen_at"))

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        this_box = d.pop("this_box")

        def _parse_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        url = _parse_url(d.pop("url"))

        box_out = cls(
            alive=alive,
            capacity=capacity,
            draining=draining,
            held_videos=held_videos,
            id=id,
            seen_at=seen_at,
            started_at=started_at,
            this_box=this_box,
            url=url,
        )

        box_out.additional_properties = d
        return box_out

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
