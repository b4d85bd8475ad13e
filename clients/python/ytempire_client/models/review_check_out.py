from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.review_check_out_outcome import ReviewCheckOutOutcome

if TYPE_CHECKING:
    from ..models.review_check_out_figures import ReviewCheckOutFigures


T = TypeVar("T", bound="ReviewCheckOut")


@_attrs_define
class ReviewCheckOut:
    """
    Attributes:
        detail (str):
        figures (ReviewCheckOutFigures): What was measured (LUFS, seconds, bytes, ...).
        name (str): streams, loudness, silence, black, frozen, captions, ...
        outcome (ReviewCheckOutOutcome):
    """

    detail: str
    figures: ReviewCheckOutFigures
    name: str
    outcome: ReviewCheckOutOutcome
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        detail = self.detail

        figures = self.figures.to_dict()

        name = self.name

        outcome = self.outcome.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "detail": detail,
                "figures": figures,
                "name": name,
                "outcome": outcome,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.review_check_out_figures import ReviewCheckOutFigures  # noqa: PLC0415

        d = dict(src_dict)
        detail = d.pop("detail")

        figures = ReviewCheckOutFigures.from_dict(d.pop("figures"))

        name = d.pop("name")

        outcome = ReviewCheckOutOutcome(d.pop("outcome"))

        review_check_out = cls(
            detail=detail,
            figures=figures,
            name=name,
            outcome=outcome,
        )

        review_check_out.additional_properties = d
        return review_check_out

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
