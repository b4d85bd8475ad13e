"""The files stages hand to each other, as typed records.

Each stage reads the artifacts of the stages before it from the job folder and
writes its own atomically. These records are their JSON shapes; one place, so
a stage and the next can never disagree about a field.

    script.json   Script           (script stage)
    voice.wav     audio            (voice stage)
    timings.json  Timings          (voice stage)
    media.json    MediaManifest    (media stage; assets under media/)
    video.mp4     the render       (render stage)
    captions.srt  burned-in captions as a track (render stage)
    thumbnail.jpg                  (thumbnail stage)
    export/       MP4, thumbnail and metadata.json (publish stage)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from storage.files import write_atomic

SCRIPT_FILE = "script.json"
VOICE_FILE = "voice.wav"
TIMINGS_FILE = "timings.json"
MEDIA_FILE = "media.json"
MEDIA_DIR = "media"
VIDEO_FILE = "video.mp4"
CAPTIONS_FILE = "captions.srt"
THUMBNAIL_FILE = "thumbnail.jpg"
REVIEW_REPORT_FILE = "review.json"  # what the review stage measured and decided
UPLOAD_RECORD_FILE = "youtube-upload.json"  # the upload stage's resumable record
EXPORT_DIR = "export"


class _Record(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Section(_Record):
    heading: str
    narration: str = Field(min_length=1)
    search_terms: list[str] = Field(default_factory=list)


class Script(_Record):
    topic: str
    title: str = Field(min_length=1, max_length=100)  # YouTube's title limit
    description: str = Field(max_length=5000)  # YouTube's description limit
    tags: list[str] = Field(default_factory=list)
    niche: str
    template: str  # which template wrote it, for variety checks and debugging
    words_per_second: float  # the speaking rate the length was planned for
    sections: list[Section] = Field(min_length=1)


class TimedText(_Record):
    text: str
    start: float  # seconds from the start of voice.wav
    end: float


class TimedSentence(TimedText):
    section: int  # index into Script.sections


class Timings(_Record):
    sample_rate: int
    duration: float
    sentences: list[TimedSentence]
    words: list[TimedText] = Field(default_factory=list)  # empty when the engine gives none
    word_timing: Literal["engine", "estimated", "none"] = "none"
    voice: str


class MediaAsset(_Record):
    section: int
    kind: Literal["image", "video"]
    path: str  # relative to the job folder
    source: Literal["library", "generated", "pexels", "pixabay"]
    origin: str  # library file, generator and parameters, or the provider's page URL
    attribution: str | None = None
    license: str | None = None
    duration: float | None = None  # clips only


class MediaManifest(_Record):
    assets: list[MediaAsset]


R = TypeVar("R", bound=BaseModel)


def read_record(path: Path, model: type[R]) -> R:
    return model.model_validate_json(path.read_bytes())


def write_record(path: Path, record: BaseModel) -> None:
    write_atomic(path, json.dumps(record.model_dump(mode="json"), indent=2, ensure_ascii=False))
