"""Files of topics dropped into the inbox folder: read, checked as one batch, queued once.

A file is known by its content's SHA-256: queuing its videos and recording the hash are
one transaction, so a crash never queues a file twice, and a file saved again unchanged
or renamed is recognised. Its rows go through the same checks as
``POST /api/v1/videos/batch`` (all or nothing); every file gets a report beside it.

Formats, by the file's suffix:

- ``.txt``: one topic per line (blank lines and lines starting with ``#`` skipped);
- ``.csv``: a header row naming ``topic`` and any of ``channel``, ``seconds``, ``format``,
  ``priority``; one video per row;
- ``.json``: a list of topics, or of objects with those keys (``channel_id`` works too),
  or ``{"items": [...]}`` with any of those keys beside ``items`` as defaults.

``channel`` is a channel's id or name. A row that names none gets ``inbox.channel``, or
the owner's only channel.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain.access import Owner
from appliance.domain.errors import PaymentRequired
from appliance.domain.events import record_event
from appliance.domain.video_requests import BatchRefused, Refusal, check_batch
from appliance.domain.videos import add_requested
from storage.db import Database
from storage.models import Channel, InboxFile, User

SUFFIXES = (".txt", ".csv", ".json")
REPORT_SUFFIXES = (".done.json", ".error.json")
_NUMBERS = ("seconds", "priority", "channel_id")


class Unreadable(Exception):
    """The file cannot be read as topics at all (its encoding or its syntax)."""


@dataclass
class Report:
    status: str  # queued, refused or duplicate
    file: str
    sha256: str
    video_ids: list[int] = field(default_factory=list)
    problems: list[dict[str, str]] = field(default_factory=list)
    first_seen_as: str | None = None

    @property
    def ok(self) -> bool:
        return self.status != "refused"

    def as_json(self) -> str:
        body = {k: v for k, v in self.__dict__.items() if v not in (None, [])}
        return json.dumps(body, indent=2) + "\n"


def is_candidate(name: str) -> bool:
    """A file the inbox reads: a known suffix, not a report, not hidden or temporary."""
    lowered = name.lower()
    return (
        not name.startswith((".", "~"))
        and lowered.endswith(SUFFIXES)
        and not lowered.endswith(REPORT_SUFFIXES)
    )


def parse(name: str, data: bytes) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(rows, the file's defaults) of raw fields; Unreadable when it is no list at all."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unreadable("the file is not UTF-8 text") from None
    lowered = name.lower()
    if lowered.endswith(".txt"):
        lines = (line.strip() for line in text.splitlines())
        return [{"topic": line} for line in lines if line and not line.startswith("#")], {}
    if lowered.endswith(".csv"):
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "topic" not in [f.strip() for f in reader.fieldnames]:
            raise Unreadable("a CSV file needs a header row with a topic column")
        rows = []
        for row in reader:
            cleaned = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            rows.append({k: v for k, v in cleaned.items() if v != ""})
        return [_numbers(row) for row in rows], {}
    try:
        document = json.loads(text)
    except ValueError as error:
        raise Unreadable(f"the JSON does not parse: {error}") from None
    defaults: dict[str, Any] = {}
    if isinstance(document, dict) and isinstance(document.get("items"), list):
        defaults = {k: v for k, v in document.items() if k != "items"}
        document = document["items"]
    if not isinstance(document, list):
        raise Unreadable('the JSON must be a list of topics or {"items": [...]}')
    rows = [{"topic": item} if isinstance(item, str) else item for item in document]
    if not all(isinstance(row, dict) for row in rows):
        raise Unreadable("each item must be a topic or an object with one")
    return rows, defaults


def _numbers(row: dict[str, Any]) -> dict[str, Any]:
    """A CSV's numbers arrive as text: whole numbers become numbers, the rest stay text
    (and are refused as such, by name)."""
    for key in _NUMBERS:
        value = row.get(key)
        if isinstance(value, str) and value.lstrip("-").isdigit():
            row[key] = int(value)
    return row


async def take(db: Database, settings: Settings, name: str, data: bytes) -> Report:
    """Queue the file's videos once, or say why not; the report to write beside it."""
    digest = hashlib.sha256(data).hexdigest()
    seen = await db.query(_seen, digest)
    if seen is not None:
        return Report("duplicate", name, digest, list(seen.video_ids), first_seen_as=seen.name)
    try:
        rows, defaults = parse(name, data)
        owner, wanted = await db.query(_checked, settings, rows, defaults)
    except Unreadable as error:
        return await _refused(db, name, digest, [Refusal("file", str(error))])
    except BatchRefused as refused:
        return await _refused(db, name, digest, refused.refusals)
    try:
        async with db.write() as session:
            if await session.get(InboxFile, digest) is not None:  # another reader was first
                return Report("duplicate", name, digest, first_seen_as=name)
            videos = await add_requested(session, owner, wanted, billing=settings.billing)
            ids = [video.id for video in videos]
            session.add(InboxFile(sha256=digest, name=name[:255], status="queued", video_ids=ids))
            await record_event(
                session, "inbox.queued", owner_id=owner.id, file=name, videos=len(ids)
            )
    except PaymentRequired as refused:  # the owner's plan does not allow them all
        return await _refused(db, name, digest, [Refusal(refused.limit, refused.message)])
    return Report("queued", name, digest, ids)


async def _refused(db: Database, name: str, digest: str, refusals: list[Refusal]) -> Report:
    async with db.write() as session:
        if await session.get(InboxFile, digest) is None:
            session.add(InboxFile(sha256=digest, name=name[:255], status="refused", video_ids=[]))
            await record_event(session, "inbox.refused", file=name, problems=len(refusals))
    problems = [{"field": r.field, "message": r.message} for r in refusals]
    return Report("refused", name, digest, problems=problems)


def _seen(session: Session, digest: str) -> InboxFile | None:
    found = session.get(InboxFile, digest)
    # A refused file saved again unchanged is refused again (its report says why), not
    # silently skipped; only a queued one is a duplicate.
    return found if found is not None and found.status == "queued" else None


def _checked(
    session: Session, settings: Settings, rows: list[dict[str, Any]], defaults: dict[str, Any]
) -> tuple[Owner, list[Any]]:
    """The owner the inbox queues for, and the rows checked as a batch of theirs."""
    email = (settings.inbox.owner_email or settings.admin.email).strip().lower()
    user = session.scalar(select(User).where(User.email == email, User.is_active.is_(True)))
    if user is None:
        raise BatchRefused([Refusal("owner", f"no active user {email} (inbox.owner_email)")])
    owner = Owner(user.id)
    channels = list(session.scalars(select(Channel).where(Channel.owner_id == user.id)))
    refusals: list[Refusal] = []

    def channel_of(value: Any, where: str) -> int | None:
        if value is None or value == "":
            return None
        for channel in channels:
            if str(channel.id) == str(value) or channel.name.lower() == str(value).lower():
                return channel.id
        refusals.append(Refusal(where, f"{value!r} is not one of {email}'s channels"))
        return None

    fallback = channel_of(settings.inbox.channel, "inbox.channel")
    if fallback is None and settings.inbox.channel is None and len(channels) == 1:
        fallback = channels[0].id
    defaults = dict(defaults)
    named = defaults.pop("channel", defaults.pop("channel_id", None))
    defaults["channel_id"] = channel_of(named, "channel") or fallback
    items = []
    for index, row in enumerate(rows):
        row = dict(row)
        if "channel" in row or "channel_id" in row:
            value = row.pop("channel", row.pop("channel_id", None))
            row["channel_id"] = channel_of(value, f"items.{index}.channel")
            if row["channel_id"] is None:
                del row["channel_id"]
        items.append(row)
    try:
        wanted = check_batch(items, defaults)
    except BatchRefused as refused:
        refusals.extend(refused.refusals)
    if refusals:
        raise BatchRefused(refusals)
    return owner, wanted
