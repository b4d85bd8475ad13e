from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Job")


@_attrs_define
class Job:
    """
    Attributes:
        every_s (float): How often it runs.
        failures (int): Of those, the ones that raised.
        last_duration_s (float | None):
        last_outcome (None | str): "ok: <what it did>" or "error: <why>" (it runs again at its next time).
        last_run_at (datetime.datetime | None):
        name (str): backlog-refill, publishing-schedules, youtube-stats, backups
        next_run_at (datetime.datetime | None):
        runs (int): Runs since the supervisor started.
    """

    every_s: float
    failures: int
    last_duration_s: float | None
    last_outcome: None | str
    last_run_at: datetime.datetime | None
    name: str
    next_run_at: datetime.datetime | None
    runs: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        every_s = self.every_s

        failures = self.failures

        last_duration_s: float | None
        last_duration_s = self.last_duration_s

        last_outcome: None | str
        last_outcome = self.last_outcome

        last_run_at: None | str
        if isinstance(self.last_run_at, datetime.datetime):
            last_run_at = self.last_run_at.isoformat()
        else:
            last_run_at = self.last_run_at

        name = self.name

        next_run_at: None | str
        if isinstance(self.next_run_at, datetime.datetime):
            next_run_at = self.next_run_at.isoformat()
        else:
            next_run_at = self.next_run_at

        runs = self.runs

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "every_s": every_s,
                "failures": failures,
                "last_duration_s": last_duration_s,
                "last_outcome": last_outcome,
                "last_run_at": last_run_at,
                "name": name,
                "next_run_at": next_run_at,
                "runs": runs,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        every_s = d.pop("every_s")

        failures = d.pop("failures")

        def _parse_last_duration_s(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        last_duration_s = _parse_last_duration_s(d.pop("last_duration_s"))

        def _parse_last_outcome(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_outcome = _parse_last_outcome(d.pop("last_outcome"))

        def _parse_last_run_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_run_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_run_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        last_run_at = _parse_last_run_at(d.pop("last_run_at"))

        name = d.pop("name")

        def _parse_next_run_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_run_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_run_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_run_at = _parse_next_run_at(d.pop("next_run_at"))

        runs = d.pop("runs")

        job = cls(
            every_s=every_s,
            failures=failures,
            last_duration_s=last_duration_s,
            last_outcome=last_outcome,
            last_run_at=last_run_at,
            name=name,
            next_run_at=next_run_at,
            runs=runs,
        )

        job.additional_properties = d
        return job

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
