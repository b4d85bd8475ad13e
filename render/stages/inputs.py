"""Reading the artifacts an earlier stage left, with a clear error when one is missing."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from render.artifacts import read_record
from render.protocol import StageError

R = TypeVar("R", bound=BaseModel)


def require_record(job_dir: Path, name: str, model: type[R]) -> R:
    path = job_dir / name
    if not path.is_file():
        raise StageError("missing_input", f"{name} is missing: run the earlier stage first")
    try:
        return read_record(path, model)
    except ValidationError as exc:
        raise StageError("missing_input", f"{name} is not valid: {exc}") from None


def require_file(job_dir: Path, name: str) -> Path:
    path = job_dir / name
    if not path.is_file():
        raise StageError("missing_input", f"{name} is missing: run the earlier stage first")
    return path
