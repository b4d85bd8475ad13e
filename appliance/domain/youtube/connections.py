"""Connections: a YouTube channel authorized through an API project.

Connecting is Google's OAuth web-server flow (offline access, consent prompt, PKCE):
``start`` keeps a one-use state with the code verifier and returns the consent URL;
``finish`` takes the code back (from the callback route, or pasted by an operator whose
box Google cannot redirect to), exchanges it, asks YouTube which channel signed in
(``channels.list``), and keeps the refresh token sealed. Connecting the same channel
through the same project again replaces its token (a reconnect).

How a connection fares is learned from the upload stage: ``invalid_grant`` asks for a
reconnect, ``uploadLimitExceeded`` caps the YouTube channel for 24 hours, and a health
score falls with errors and recovers with successes.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from google_auth_oauthlib.flow import Flow
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain.access import Actor, owned, owned_page
from appliance.domain.credentials import CredentialVault, Unreadable
from appliance.domain.errors import FieldError, NotFound
from appliance.domain.events import record_event
from appliance.domain.youtube import projects, quota
from render.youtube import client
from render.youtube.failures import classify
from storage.db import Database
from storage.models import YouTubeConnection, YouTubeOAuthState, YouTubeProject, utcnow

STATE_TTL = timedelta(minutes=30)
CAP_HOURS = 24
# How a health score moves: a failure keeps 70 % of it, a success wins back 20 % of the gap.
HEALTH_KEEP_ON_FAILURE = 0.7
HEALTH_GAIN_ON_SUCCESS = 0.2


class ConnectFailed(Exception):
    """Google or YouTube refused the connect (a bad code, a revoked client); said in words."""


def token_name(project_id: int, youtube_channel_id: str) -> str:
    return f"youtube-token:{project_id}:{youtube_channel_id}"


def _client_config(settings: Settings, project: YouTubeProject, secret: str) -> dict[str, Any]:
    return {
        "web": {
            "client_id": project.client_id,
            "client_secret": secret,
            "auth_uri": settings.youtube.oauth_auth_uri,
            "token_uri": settings.youtube.oauth_token_uri,
        }
    }


@dataclass(frozen=True)
class Started:
    authorization_url: str
    state: str
    redirect_uri: str
    expires_at: datetime


async def start(
    db: Database,
    vault: CredentialVault,
    settings: Settings,
    actor: Actor,
    project_id: int,
    redirect_uri: str,
) -> Started:
    """A consent URL for one of the actor's projects, with a fresh one-use state."""
    state = secrets.token_urlsafe(32)
    async with db.write() as session:
        project = await session.run_sync(owned, actor, YouTubeProject, project_id)
        flow = Flow.from_client_config(
            _client_config(settings, project, _secret(vault, project)),
            scopes=list(client.SCOPES),
            redirect_uri=redirect_uri,
        )
        url, _ = flow.authorization_url(
            access_type="offline", prompt="consent", include_granted_scopes="true", state=state
        )
        now = utcnow()
        expires = now + STATE_TTL
        # Connects started and never finished are of no use once expired.
        await session.execute(delete(YouTubeOAuthState).where(YouTubeOAuthState.expires_at < now))
        session.add(
            YouTubeOAuthState(
                state=state,
                owner_id=actor.id,
                project_id=project.id,
                code_verifier=flow.code_verifier,
                redirect_uri=redirect_uri,
                expires_at=expires,
            )
        )
    return Started(url, state, redirect_uri, expires)


def parse_pasted(pasted: str) -> tuple[str, str | None]:
    """(code, state) from a pasted redirect URL, or (code, None) from a pasted code."""
    pasted = pasted.strip()
    if "?" in pasted or pasted.startswith(("http://", "https://")):
        query = parse_qs(urlsplit(pasted).query)
        if "error" in query:
            raise FieldError("url", f"Google answered {query['error'][0]}: the consent was refused")
        if "code" not in query:
            raise FieldError("url", "has no code: paste the whole address the browser was sent to")
        return query["code"][0], (query.get("state") or [None])[0]
    if not pasted or any(ch.isspace() for ch in pasted):
        raise FieldError("code", "must be the code Google gave, or the whole redirected address")
    return pasted, None


async def finish(
    db: Database,
    vault: CredentialVault,
    settings: Settings,
    *,
    code: str,
    state: str,
    actor: Actor | None = None,
) -> YouTubeConnection:
    """Exchange ``code`` for tokens and keep the connection. ``state`` must be a started,
    unexpired, unused connect (of ``actor`` when given: the paste route names the user;
    the callback's browser carries only the state)."""
    async with db.write() as session:
        row = await session.get(YouTubeOAuthState, state[:64]) if state else None
        if (
            row is None
            or row.used_at is not None
            or row.expires_at < utcnow()
            or (actor is not None and row.owner_id != actor.id and not actor.is_admin)
        ):
            raise FieldError("state", "is not a connect this box started, or it has expired")
        row.used_at = utcnow()
        project = await session.get(YouTubeProject, row.project_id)
        if project is None:
            raise NotFound("the project of this connect is gone")
        config = _client_config(settings, project, _secret(vault, project))
        verifier, redirect_uri, owner_id = row.code_verifier, row.redirect_uri, row.owner_id
        project_id = project.id
    # The exchange and the channel lookup are network calls: off the event loop, and
    # outside the write transaction.
    refresh_token, channel_id, title = await asyncio.to_thread(
        _exchange, settings, config, redirect_uri, verifier, code
    )
    async with db.write() as session:
        await quota.record_call(session, settings, project_id, "channels.list", utcnow())
        return await keep(session, vault, owner_id, project_id, channel_id, title, refresh_token)


def _exchange(
    settings: Settings, config: dict[str, Any], redirect_uri: str, verifier: str | None, code: str
) -> tuple[str, str, str]:
    flow = Flow.from_client_config(
        config,
        scopes=list(client.SCOPES),
        redirect_uri=redirect_uri,
        code_verifier=verifier,
        autogenerate_code_verifier=False,
    )
    try:
        flow.fetch_token(code=code, timeout=settings.youtube.timeout_s)
    except Exception as error:  # oauthlib's and requests' errors alike: said, never a 500
        raise ConnectFailed(f"Google refused the code: {type(error).__name__}: {error}") from None
    creds = flow.credentials
    if not creds.refresh_token:
        raise ConnectFailed("Google gave no refresh token: connect again with the consent screen")
    http = client.authorized_http(creds, settings.youtube.timeout_s)
    try:
        youtube = client.youtube(http, settings.youtube.api_root)
        answer = youtube.channels().list(part="snippet", mine=True).execute(num_retries=2)
    except Exception as error:
        failure = classify(error)
        if failure is None:
            raise
        raise ConnectFailed(
            f"YouTube did not say which channel signed in: {failure.message}"
        ) from None
    finally:
        http.http.close()
    items = answer.get("items") or []
    if not items:
        raise ConnectFailed("the Google account that signed in has no YouTube channel")
    return creds.refresh_token, str(items[0]["id"]), str(items[0]["snippet"].get("title", ""))[:200]


async def keep(
    session: AsyncSession,
    vault: CredentialVault,
    owner_id: int,
    project_id: int,
    channel_id: str,
    title: str,
    refresh_token: str,
) -> YouTubeConnection:
    """Keep a channel's refresh token through a project (the end of a connect): a new
    connection, or the same one renewed (a reconnect)."""
    sealed = vault.encrypt(
        owner_id, token_name(project_id, channel_id), json.dumps({"refresh_token": refresh_token})
    )
    connection = await session.scalar(
        select(YouTubeConnection).where(
            YouTubeConnection.project_id == project_id,
            YouTubeConnection.youtube_channel_id == channel_id,
        )
    )
    kind = "youtube.reconnected" if connection is not None else "youtube.connected"
    if connection is None:
        connection = YouTubeConnection(
            owner_id=owner_id, project_id=project_id, youtube_channel_id=channel_id
        )
        session.add(connection)
    connection.title = title
    connection.token_cipher = sealed
    connection.status = "connected"
    connection.health = 1.0
    connection.last_error = None
    connection.updated_at = utcnow()
    await session.flush()
    await record_event(
        session,
        kind,
        owner_id=owner_id,
        connection_id=connection.id,
        project_id=project_id,
        youtube_channel_id=channel_id,
        title=title,
    )
    return connection


async def disconnect(db: Database, actor: Actor, connection_id: int) -> None:
    async with db.write() as session:
        connection = await session.run_sync(owned, actor, YouTubeConnection, connection_id)
        await record_event(
            session,
            "youtube.disconnected",
            owner_id=connection.owner_id,
            connection_id=connection.id,
            youtube_channel_id=connection.youtube_channel_id,
        )
        await session.delete(connection)


def authorized_user(
    vault: CredentialVault, project: YouTubeProject, connection: YouTubeConnection
) -> dict[str, str] | None:
    """The record the worker's client is built from; None when a seal does not open."""
    try:
        token = json.loads(
            vault.decrypt(
                connection.owner_id,
                token_name(connection.project_id, connection.youtube_channel_id),
                connection.token_cipher,
            )
        )
        secret = _secret(vault, project)
    except Unreadable:
        return None
    return {
        "type": "authorized_user",
        "client_id": project.client_id,
        "client_secret": secret,
        "refresh_token": token["refresh_token"],
    }


def _secret(vault: CredentialVault, project: YouTubeProject) -> str:
    return projects.client_secret(vault, project)


# -- what the upload stage reports ------------------------------------------------------


async def record_failure(
    session: AsyncSession,
    settings: Settings,
    *,
    connection_id: int,
    project_id: int,
    kind: str,
    message: str,
    video_id: int | None,
    now: datetime,
) -> None:
    connection = await session.get(YouTubeConnection, connection_id)
    project = await session.get(YouTubeProject, project_id)
    owner_id = connection.owner_id if connection else project.owner_id if project else None
    if kind == "quota_exceeded" and project is not None:
        project.exhausted_until = quota.next_reset(now)
        await record_event(
            session,
            "youtube.quota_exhausted",
            owner_id=owner_id,
            video_id=video_id,
            project_id=project_id,
            until=project.exhausted_until.isoformat(),
        )
        return
    if connection is None:
        return
    connection.last_error = f"{kind}: {message}"[:500]
    if kind == "upload_limit":
        until = now + timedelta(hours=CAP_HOURS)
        await session.execute(
            update(YouTubeConnection)
            .where(
                YouTubeConnection.owner_id == connection.owner_id,
                YouTubeConnection.youtube_channel_id == connection.youtube_channel_id,
            )
            .values(capped_until=until)
        )
        await record_event(
            session,
            "youtube.upload_capped",
            owner_id=owner_id,
            video_id=video_id,
            youtube_channel_id=connection.youtube_channel_id,
            until=until.isoformat(),
        )
        return
    connection.health = round(connection.health * HEALTH_KEEP_ON_FAILURE, 4)
    if kind == "invalid_grant":
        connection.status = "needs_reconnect"
        await record_event(
            session,
            "youtube.reconnect_needed",
            owner_id=owner_id,
            video_id=video_id,
            connection_id=connection.id,
            youtube_channel_id=connection.youtube_channel_id,
        )


async def record_success(session: AsyncSession, connection_id: int, now: datetime) -> None:
    connection = await session.get(YouTubeConnection, connection_id)
    if connection is None:
        return
    connection.health = round(
        connection.health + (1.0 - connection.health) * HEALTH_GAIN_ON_SUCCESS, 4
    )
    connection.last_used_at = now


def page(
    session: Session, actor: Actor, limit: int, cursor: str | None
) -> tuple[list[YouTubeConnection], str | None]:
    """One page of the actor's connections, newest first."""
    return owned_page(session, actor, YouTubeConnection, limit, cursor)


def one(session: Session, actor: Actor, connection_id: int) -> YouTubeConnection:
    return owned(session, actor, YouTubeConnection, connection_id)
