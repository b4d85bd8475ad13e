from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.review_out_verdict import ReviewOutVerdict

if TYPE_CHECKING:
    from ..models.review_check_out import ReviewCheckOut


T = TypeVar("T", bound="ReviewOut")


@_attrs_define
class ReviewOut:
    """What the review stage found before upload.

    Attributes:
        checks (list[ReviewCheckOut]):
        fixes (list[str]): What the review fixed by itself.
        holds (list[str]): Why it waits for a person (approve or reject).
        verdict (ReviewOutVerdict):
    """

    checks: list[ReviewCheckOut]
    fixes: list[str]
    holds: list[str]
    verdict: ReviewOutVerdict
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checks = []
        for checks_item_data in self.checks:
            checks_item = checks_item_data.to_dict()
            checks.append(checks_item)

        fixes = self.fixes

        holds = self.holds

        verdict = self.verdict.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checks": checks,
                "fixes": fixes,
                "holds": holds,
                "verdict": verdict,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.review_check_out import ReviewCheckOut  # noqa: PLC0415

        d = dict(src_dict)
        checks = []
        _checks = d.pop("checks")
        for checks_item_data in _checks:
            checks_item = ReviewCheckOut.from_dict(checks_item_data)

            checks.append(checks_item)

        fixes = cast(list[str], d.pop("fixes"))

        holds = cast(list[str], d.pop("holds"))

        verdict = ReviewOutVerdict(d.pop("verdict"))

        review_out = cls(
            checks=checks,
            fixes=fixes,
            holds=holds,
            verdict=verdict,
        )

        review_out.additional_properties = d
        return review_out

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
