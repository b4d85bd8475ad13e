"""Data export: ``GET /api/v1/export/{dataset}?since=&until=&format=csv|jsonl`` streams
videos, cost entries, the YouTube quota ledger or daily analytics of a date range, one
chunk of rows at a time, as CSV or JSON Lines; your rows (an admin's: the box's)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator
from quart import Blueprint, Response
from quart_schema import document_response, validate_querystring

from appliance.domain import data_export
from appliance.domain.access import Actor
from storage.db import Database
from storage.models import utcnow
from web.api_resources import API_PREFIX
from web.api_schemas import BinaryFile, InputModel, problems
from web.auth import current_user
from web.context import services

blueprint = Blueprint("api_export", __name__, url_prefix=f"{API_PREFIX}/export")
_DATASETS = ", ".join(repr(name) for name in data_export.DATASETS)
MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl"}


class ExportQuery(InputModel):
    since: date | None = Field(
        None, description="First UTC day (YYYY-MM-DD); default: 29 days before `until`."
    )
    until: date | None = Field(None, description="Last UTC day, included; default: today.")
    format: Literal["csv", "jsonl"] = Field("csv", description="CSV, or JSON Lines.")

    @model_validator(mode="after")
    def _range(self) -> ExportQuery:
        if self.since and self.until and self.since > self.until:
            raise ValueError("since must not be after until")
        if self.since and self.until and (self.until - self.since).days >= data_export.MAX_DAYS:
            raise ValueError(f"at most {data_export.MAX_DAYS} days at once")
        return self


class ExportFile(BinaryFile):
    """The rows, streamed: CSV with a header line, or one JSON object per line."""

    media_types: ClassVar[tuple[str, ...]] = tuple(MEDIA.values())


@blueprint.get(f"/<any({_DATASETS}):dataset>")
@validate_querystring(ExportQuery)
@document_response(ExportFile, 200)
@problems(400)
async def export(dataset: str, query_args: ExportQuery) -> Response:
    """Stream a dataset of a date range: `videos` (created in it), `costs` (booked in
    it), `quota` (YouTube calls per project, Pacific day and method), `analytics` (per
    day: made, failed, spend)."""
    caller = await current_user()
    until = query_args.until or utcnow().date()
    since = query_args.since or until - timedelta(days=29)
    if (until - since).days >= data_export.MAX_DAYS:
        since = until - timedelta(days=data_export.MAX_DAYS - 1)
    chosen = data_export.DATASETS[dataset]
    body = _rows(services().db, chosen, caller, since, until, query_args.format)
    filename = f"ytempire-{dataset}-{since}-{until}.{query_args.format}"
    response = Response(body, mimetype=MEDIA[query_args.format].split(";")[0])
    response.headers["Content-Type"] = MEDIA[query_args.format]
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.timeout = None  # a year of a busy box takes a while to stream
    return response


async def _rows(
    db: Database,
    dataset: data_export.Dataset,
    actor: Actor,
    since: date,
    until: date,
    form: str,
) -> AsyncIterator[bytes]:
    """The rows, a chunk at a time (runs after the route returned: no request context)."""
    if form == "csv":
        yield _csv_line(dataset.columns)
    after = 0
    while True:
        last, rows = await db.query(dataset.read, actor, since, until, after, data_export.CHUNK)
        if not rows:
            return
        if form == "csv":
            yield b"".join(_csv_line([_plain(row[c]) for c in dataset.columns]) for row in rows)
        else:
            yield b"".join(json.dumps(row, default=_plain).encode() + b"\n" for row in rows)
        if last is None or len(rows) < data_export.CHUNK:
            return
        after = last


def _csv_line(values: Any) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue().encode()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else value
