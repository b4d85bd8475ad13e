from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.queue_depth_stages import QueueDepthStages
    from ..models.queue_depth_videos import QueueDepthVideos
    from ..models.queue_depth_waiting import QueueDepthWaiting


T = TypeVar("T", bound="QueueDepth")


@_attrs_define
class QueueDepth:
    """How much work waits, and where: your videos (an admin's: every video).

    Attributes:
        active (int): Videos queued, running or waiting.
        oldest_queued_age_s (float | None): Seconds since the oldest video still in status queued was created.
        oldest_queued_video_id (int | None):
        stages (QueueDepthStages): Where each unfinished video is: its first stage not yet succeeded, counted by stage
            name, then by that stage's status.
        videos (QueueDepthVideos): Videos by status (every status, zeros too).
        waiting (QueueDepthWaiting | Unset): Videos in status waiting, counted by the reason.
    """

    active: int
    oldest_queued_age_s: float | None
    oldest_queued_video_id: int | None
    stages: QueueDepthStages
    videos: QueueDepthVideos
    waiting: QueueDepthWaiting | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active = self.active

        oldest_queued_age_s: float | None
        oldest_queued_age_s = self.oldest_queued_age_s

        oldest_queued_video_id: int | None
        oldest_queued_video_id = self.oldest_queued_video_id

        stages = self.stages.to_dict()

        videos = self.videos.to_dict()

        waiting: dict[str, Any] | Unset = UNSET
        if not isinstance(self.waiting, Unset):
            waiting = self.waiting.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "active": active,
                "oldest_queued_age_s": oldest_queued_age_s,
                "oldest_queued_video_id": oldest_queued_video_id,
                "stages": stages,
                "videos": videos,
            }
        )
        if waiting is not UNSET:
            field_dict["waiting"] = waiting

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.queue_depth_stages import QueueDepthStages  # noqa: PLC0415
        from ..models.queue_depth_videos import QueueDepthVideos  # noqa: PLC0415
        from ..models.queue_depth_waiting import QueueDepthWaiting  # noqa: PLC0415

        d = dict(src_dict)
        active = d.pop("active")

        def _parse_oldest_queued_age_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        oldest_queued_age_s = _parse_oldest_queued_age_s(d.pop("oldest_queued_age_s"))

        def _parse_oldest_queued_video_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        oldest_queued_video_id = _parse_oldest_queued_video_id(d.pop("oldest_queued_video_id"))

        stages = QueueDepthStages.from_dict(d.pop("stages"))

        videos = QueueDepthVideos.from_dict(d.pop("videos"))

        _waiting = d.pop("waiting", UNSET)
        waiting: QueueDepthWaiting | Unset
        if isinstance(_waiting, Unset):
            waiting = UNSET
        else:
            waiting = QueueDepthWaiting.from_dict(_waiting)

        queue_depth = cls(
            active=active,
            oldest_queued_age_s=oldest_queued_age_s,
            oldest_queued_video_id=oldest_queued_video_id,
            stages=stages,
            videos=videos,
            waiting=waiting,
        )

        queue_depth.additional_properties = d
        return queue_depth

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
