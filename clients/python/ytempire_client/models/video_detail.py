from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.artifact_out import ArtifactOut
    from ..models.costs import Costs
    from ..models.event_out import EventOut
    from ..models.publishing_out import PublishingOut
    from ..models.review_out import ReviewOut
    from ..models.stage_out import StageOut
    from ..models.statistics_out import StatisticsOut


T = TypeVar("T", bound="VideoDetail")


@_attrs_define
class VideoDetail:
    """
    Attributes:
        artifacts (list[ArtifactOut]): The files produced so far.
        budget_micro_usd (int): The video stops as over_budget rather than pass this.
        channel_id (int):
        cost_micro_usd (int):
        costs (Costs): A video's cost entries; they add up exactly to the total.
        created_at (datetime.datetime):
        downgrade_micro_usd (int): Past this projected cost its remaining stages use cheaper providers.
        error (None | str):
        events (list[EventOut]): Its latest events (up to 50, oldest first); progress ticks left out.
        finished_at (datetime.datetime | None):
        format_ (str):
        id (int):
        output_path (None | str):
        priority (int):
        progress (float):
        seconds (int):
        stages (list[StageOut]):
        started_at (datetime.datetime | None):
        status (str):
        topic (str):
        files_moved_at (datetime.datetime | None | Unset): When its files arrived on the tier they are on.
        files_tier (str | Unset): The storage tier that holds its files: hot while it is made, then warm and cold;
            removed once retention deleted them (downloads follow them everywhere). Default: 'hot'.
        publishing (None | PublishingOut | Unset): Its way onto YouTube, when the channel publishes there.
        review (None | ReviewOut | Unset): The checks before upload, once run.
        statistics (None | StatisticsOut | Unset): Its figures on YouTube.
        waiting_reason (None | str | Unset): Why a `waiting` video does not go on now (a retry's time, a full hot tier,
            no free slot), in words.
        youtube_url (None | str | Unset): Its YouTube address, once published.
        youtube_video_id (None | str | Unset): Its id on YouTube, once published.
    """

    artifacts: list[ArtifactOut]
    budget_micro_usd: int
    channel_id: int
    cost_micro_usd: int
    costs: Costs
    created_at: datetime.datetime
    downgrade_micro_usd: int
    error: None | str
    events: list[EventOut]
    finished_at: datetime.datetime | None
    format_: str
    id: int
    output_path: None | str
    priority: int
    progress: float
    seconds: int
    stages: list[StageOut]
    started_at: datetime.datetime | None
    status: str
    topic: str
    files_moved_at: datetime.datetime | None | Unset = UNSET
    files_tier: str | Unset = "hot"
    publishing: None | PublishingOut | Unset = UNSET
    review: None | ReviewOut | Unset = UNSET
    statistics: None | StatisticsOut | Unset = UNSET
    waiting_reason: None | str | Unset = UNSET
    youtube_url: None | str | Unset = UNSET
    youtube_video_id: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.publishing_out import PublishingOut  # noqa: PLC0415
        from ..models.review_out import ReviewOut  # noqa: PLC0415
        from ..models.statistics_out import StatisticsOut  # noqa: PLC0415

        artifacts = []
        for artifacts_item_data in self.artifacts:
            artifacts_item = artifacts_item_data.to_dict()
            artifacts.append(artifacts_item)

        budget_micro_usd = self.budget_micro_usd

        channel_id = self.channel_id

        cost_micro_usd = self.cost_micro_usd

        costs = self.costs.to_dict()

        created_at = self.created_at.isoformat()

        downgrade_micro_usd = self.downgrade_micro_usd

        error: None | str
        error = self.error

        events = []
        for events_item_data in self.events:
            events_item = events_item_data.to_dict()
            events.append(events_item)

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        format_ = self.format_

        id = self.id

        output_path: None | str
        output_path = self.output_path

        priority = self.priority

        progress = self.progress

        seconds = self.seconds

        stages = []
        for stages_item_data in self.stages:
            stages_item = stages_item_data.to_dict()
            stages.append(stages_item)

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        status = self.status

        topic = self.topic

        files_moved_at: None | str | Unset
        if isinstance(self.files_moved_at, Unset):
            files_moved_at = UNSET
        elif isinstance(self.files_moved_at, datetime.datetime):
            files_moved_at = self.files_moved_at.isoformat()
        else:
            files_moved_at = self.files_moved_at

        files_tier = self.files_tier

        publishing: dict[str, Any] | None | Unset
        if isinstance(self.publishing, Unset):
            publishing = UNSET
        elif isinstance(self.publishing, PublishingOut):
            publishing = self.publishing.to_dict()
        else:
            publishing = self.publishing

        review: dict[str, Any] | None | Unset
        if isinstance(self.review, Unset):
            review = UNSET
        elif isinstance(self.review, ReviewOut):
            review = self.review.to_dict()
        else:
            review = self.review

        statistics: dict[str, Any] | None | Unset
        if isinstance(self.statistics, Unset):
            statistics = UNSET
        elif isinstance(self.statistics, StatisticsOut):
            statistics = self.statistics.to_dict()
        else:
            statistics = self.statistics

        waiting_reason: None | str | Unset
        if isinstance(self.waiting_reason, Unset):
            waiting_reason = UNSET
        else:
            waiting_reason = self.waiting_reason

        youtube_url: None | str | Unset
        if isinstance(self.youtube_url, Unset):
            youtube_url = UNSET
        else:
            youtube_url = self.youtube_url

        youtube_video_id: None | str | Unset
        if isinstance(self.youtube_video_id, Unset):
            youtube_video_id = UNSET
        else:
            youtube_video_id = self.youtube_video_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "artifacts": artifacts,
                "budget_micro_usd": budget_micro_usd,
                "channel_id": channel_id,
                "cost_micro_usd": cost_micro_usd,
                "costs": costs,
                "created_at": created_at,
                "downgrade_micro_usd": downgrade_micro_usd,
                "error": error,
                "events": events,
                "finished_at": finished_at,
                "format": format_,
                "id": id,
                "output_path": output_path,
                "priority": priority,
                "progress": progress,
                "seconds": seconds,
                "stages": stages,
                "started_at": started_at,
                "status": status,
                "topic": topic,
            }
        )
        if files_moved_at is not UNSET:
            field_dict["files_moved_at"] = files_moved_at
        if files_tier is not UNSET:
            field_dict["files_tier"] = files_tier
        if publishing is not UNSET:
            field_dict["publishing"] = publishing
        if review is not UNSET:
            field_dict["review"] = review
        if statistics is not UNSET:
            field_dict["statistics"] = statistics
        if waiting_reason is not UNSET:
            field_dict["waiting_reason"] = waiting_reason
        if youtube_url is not UNSET:
            field_dict["youtube_url"] = youtube_url
        if youtube_video_id is not UNSET:
            field_dict["youtube_video_id"] = youtube_video_id

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.artifact_out import ArtifactOut  # noqa: PLC0415
        from ..models.costs import Costs  # noqa: PLC0415
        from ..models.event_out import EventOut  # noqa: PLC0415
        from ..models.publishing_out import PublishingOut  # noqa: PLC0415
        from ..models.review_out import ReviewOut  # noqa: PLC0415
        from ..models.stage_out import StageOut  # noqa: PLC0415
        from ..models.statistics_out import StatisticsOut  # noqa: PLC0415

        d = dict(src_dict)
        artifacts = []
        _artifacts = d.pop("artifacts")
        for artifacts_item_data in _artifacts:
            artifacts_item = ArtifactOut.from_dict(artifacts_item_data)

            artifacts.append(artifacts_item)

        budget_micro_usd = d.pop("budget_micro_usd")

        channel_id = d.pop("channel_id")

        cost_micro_usd = d.pop("cost_micro_usd")

        costs = Costs.from_dict(d.pop("costs"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        downgrade_micro_usd = d.pop("downgrade_micro_usd")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        events = []
        _events = d.pop("events")
        for events_item_data in _events:
            events_item = EventOut.from_dict(events_item_data)

            events.append(events_item)

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        format_ = d.pop("format")

        id = d.pop("id")

        def _parse_output_path(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        output_path = _parse_output_path(d.pop("output_path"))

        priority = d.pop("priority")

        progress = d.pop("progress")

        seconds = d.pop("seconds")

        stages = []
        _stages = d.pop("stages")
        for stages_item_data in _stages:
            stages_item = StageOut.from_dict(stages_item_data)

            stages.append(stages_item)

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

        status = d.pop("status")

        topic = d.pop("topic")

        def _parse_files_moved_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                files_moved_at_type_0 = datetime.datetime.fromisoformat(data)

                return files_moved_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        files_moved_at = _parse_files_moved_at(d.pop("files_moved_at", UNSET))

        files_tier = d.pop("files_tier", UNSET)

        def _parse_publishing(data: object) -> None | PublishingOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                publishing_type_0 = PublishingOut.from_dict(data)

                return publishing_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PublishingOut | Unset, data)

        publishing = _parse_publishing(d.pop("publishing", UNSET))

        def _parse_review(data: object) -> None | ReviewOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                review_type_0 = ReviewOut.from_dict(data)

                return review_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReviewOut | Unset, data)

        review = _parse_review(d.pop("review", UNSET))

        def _parse_statistics(data: object) -> None | StatisticsOut | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                statistics_type_0 = StatisticsOut.from_dict(data)

                return statistics_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StatisticsOut | Unset, data)

        statistics = _parse_statistics(d.pop("statistics", UNSET))

        def _parse_waiting_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        waiting_reason = _parse_waiting_reason(d.pop("waiting_reason", UNSET))

        def _parse_youtube_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        youtube_url = _parse_youtube_url(d.pop("youtube_url", UNSET))

        def _parse_youtube_video_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        youtube_video_id = _parse_youtube_video_id(d.pop("youtube_video_id", UNSET))

        video_detail = cls(
            artifacts=artifacts,
            budget_micro_usd=budget_micro_usd,
            channel_id=channel_id,
            cost_micro_usd=cost_micro_usd,
            costs=costs,
            created_at=created_at,
            downgrade_micro_usd=downgrade_micro_usd,
            error=error,
            events=events,
            finished_at=finished_at,
            format_=format_,
            id=id,
            output_path=output_path,
            priority=priority,
            progress=progress,
            seconds=seconds,
            stages=stages,
            started_at=started_at,
            status=status,
            topic=topic,
            files_moved_at=files_moved_at,
            files_tier=files_tier,
            publishing=publishing,
            review=review,
            statistics=statistics,
            waiting_reason=waiting_reason,
            youtube_url=youtube_url,
            youtube_video_id=youtube_video_id,
        )

        video_detail.additional_properties = d
        return video_detail

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
