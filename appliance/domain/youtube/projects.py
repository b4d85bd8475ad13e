"""API projects: a Google Cloud OAuth client (id and secret, the secret sealed at rest).

Quota lives here: each project's day is its own (``quota``). A project not yet audited
by Google gets its uploads locked private; it says so (``audited``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain.access import Actor, owned, owned_page
from appliance.domain.credentials import CredentialVault
from appliance.domain.errors import Conflict, FieldError
from appliance.domain.events import record_event
from appliance.domain.youtube import quota
from appliance.domain.youtube.quota import reserve
from storage.db import Database
from storage.models import YouTubeProject, utcnow

_CLIENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{2,254}")
_SECRET = re.compile(r"[\x21-\x7e]{6,255}")


def secret_name(client_id: str) -> str:
    return f"youtube-client:{client_id}"


def client_secret(vault: CredentialVault, project: YouTubeProject) -> str:
    return vault.decrypt(
        project.owner_id, secret_name(project.client_id), project.client_secret_cipher
    )


def check_client(client_id: str, secret: str | None) -> None:
    if not _CLIENT_ID.fullmatch(client_id):
        raise FieldError("client_id", "must be the OAuth client id from Google Cloud's console")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise FieldError("client_secret", "must be the OAuth client secret, printable ASCII")


def check_buckets(settings: Settings, buckets: dict[str, int]) -> dict[str, int]:
    for name, size in buckets.items():
        if name not in settings.youtube.quota_buckets:
            known = ", ".join(settings.youtube.quota_buckets)
            raise FieldError(f"quota_buckets.{name}", f"is not a quota bucket; one of {known}")
        if not isinstance(size, int) or size < 0:
            raise FieldError(f"quota_buckets.{name}", "must be a whole number, 0 or more")
    return dict(buckets)


async def create(
    db: Database,
    vault: CredentialVault,
    settings: Settings,
    owner_id: int,
    *,
    name: str,
    client_id: str,
    client_secret: str,
    audited: bool = False,
    quota_buckets: dict[str, int] | None = None,
) -> YouTubeProject:
    client_id, client_secret = client_id.strip(), client_secret.strip()
    check_client(client_id, client_secret)
    buckets = check_buckets(settings, quota_buckets or {})
    async with db.write() as session:
        taken = await session.scalar(
            select(YouTubeProject.id).where(
                YouTubeProject.owner_id == owner_id, YouTubeProject.client_id == client_id
            )
        )
        if taken is not None:
            raise Conflict(f"OAuth client {client_id} is already project {taken}")
        project = YouTubeProject(
            owner_id=owner_id,
            name=name,
            client_id=client_id,
            client_secret_cipher=vault.encrypt(owner_id, secret_name(client_id), client_secret),
            client_secret_fingerprint=vault.fingerprint(client_secret),
            audited=audited,
            quota_buckets=buckets,
        )
        session.add(project)
        await session.flush()
        await record_event(
            session, "youtube.project_added", owner_id=owner_id, project_id=project.id, name=name
        )
        return project


async def update(
    db: Database,
    vault: CredentialVault,
    settings: Settings,
    actor: Actor,
    project_id: int,
    changes: dict[str, Any],
) -> YouTubeProject:
    """Rename, mark audited, set bucket sizes, or replace the client secret."""
    async with db.write() as session:
        project = await session.run_sync(owned, actor, YouTubeProject, project_id)
        if "client_secret" in changes:
            secret = str(changes.pop("client_secret")).strip()
            check_client(project.client_id, secret)
            project.client_secret_cipher = vault.encrypt(
                project.owner_id, secret_name(project.client_id), secret
            )
            project.client_secret_fingerprint = vault.fingerprint(secret)
        if "quota_buckets" in changes:
            project.quota_buckets = check_buckets(settings, changes.pop("quota_buckets") or {})
        for field in ("name", "audited"):
            if field in changes:
                setattr(project, field, changes[field])
        project.updated_at = utcnow()
        await record_event(
            session,
            "youtube.project_updated",
            owner_id=project.owner_id,
            project_id=project.id,
            fields=sorted(changes),
        )
        await session.flush()
        return project


async def delete(db: Database, actor: Actor, project_id: int) -> None:
    """Forget a project with its connections (their tokens go with them); the quota
    ledger goes too. Uploads it made keep their YouTube ids."""
    async with db.write() as session:
        project = await session.run_sync(owned, actor, YouTubeProject, project_id)
        await record_event(
            session,
            "youtube.project_removed",
            owner_id=project.owner_id,
            project_id=project.id,
            name=project.name,
        )
        await session.delete(project)


@dataclass(frozen=True)
class BucketState:
    name: str
    size: int
    used: int
    reserve: int

    @property
    def left(self) -> int:
        return max(0, self.size - self.used)


@dataclass(frozen=True)
class ProjectView:
    project: YouTubeProject
    day: str
    buckets: list[BucketState]
    exhausted: bool
    resets_at: datetime


def view(
    session: Session,
    settings: Settings,
    project: YouTubeProject,
    now: datetime,
    day: str | None = None,
) -> ProjectView:
    """The project with its quota for ``day`` (a Pacific date; default today)."""
    return views(session, settings, [project], now, day)[0]


def views(
    session: Session,
    settings: Settings,
    projects: list[YouTubeProject],
    now: datetime,
    day: str | None = None,
) -> list[ProjectView]:
    day = day or quota.pacific_day(now)
    spent = quota.used(session, [p.id for p in projects], day)
    found = []
    for project in projects:
        sizes = quota.bucket_sizes(settings, project)
        buckets = [
            BucketState(
                name,
                size,
                spent[project.id].get(name, 0),
                reserve(settings, size),
            )
            for name, size in sizes.items()
        ]
        exhausted = project.exhausted_until is not None and project.exhausted_until > now
        found.append(ProjectView(project, day, buckets, exhausted, quota.next_reset(now)))
    return found


def page(
    session: Session, actor: Actor, limit: int, cursor: str | None
) -> tuple[list[YouTubeProject], str | None]:
    """One page of the actor's projects, newest first."""
    return owned_page(session, actor, YouTubeProject, limit, cursor)


def one(session: Session, actor: Actor, project_id: int) -> YouTubeProject:
    return owned(session, actor, YouTubeProject, project_id)
