"""What the review stage holds a video to: one model, the ``review.*`` settings group."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ReviewLimits(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    enabled: bool = Field(
        True, description="Review every finished video before it is uploaded; false passes all."
    )
    loudness_target_lufs: float = Field(
        -14.0, ge=-40, le=-5, description="Integrated loudness YouTube normalises to (LUFS)."
    )
    loudness_tolerance_lu: float = Field(
        2.0,
        gt=0,
        le=20,
        description="Further than this from the target, the audio is fixed: the video is "
        "re-muxed with the gain corrected (the picture is copied, not re-encoded).",
    )
    true_peak_max_dbtp: float = Field(
        -1.0, ge=-20, le=0, description="True peak above this is fixed with a limiter."
    )
    silence_max_s: float = Field(
        2.0,
        gt=0,
        description="A silence longer than this inside the narration holds the video.",
    )
    silence_below_lufs: float = Field(
        -50.0, le=-20, description="Momentary loudness under this counts as silence."
    )
    black_max_s: float = Field(
        1.0, gt=0, description="A black stretch longer than this holds the video."
    )
    frozen_max_s: float = Field(
        1.0, gt=0, description="A frozen stretch (no picture change) longer than this holds it."
    )
    black_luma: float = Field(
        0.10,
        gt=0,
        lt=1,
        description="A frame is black when its brightest tenth is darker than this share of "
        "full brightness.",
    )
    frozen_difference: float = Field(
        0.002,
        gt=0,
        lt=1,
        description="Frames closer than this (mean absolute difference, share of full "
        "range) count as the same picture.",
    )
    caption_max_chars: int = Field(
        42, ge=10, le=200, description="Most characters on one caption line."
    )
    thumbnail_max_bytes: int = Field(
        2 * 1024 * 1024, ge=1024, description="YouTube's limit for a custom thumbnail."
    )
