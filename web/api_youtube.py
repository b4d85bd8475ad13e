"""YouTube under /api/v1/youtube: API projects, connecting channels, quota.

Projects and connections are their owner's (admins see all). Connecting is Google's
OAuth web-server flow: ``POST /projects/{id}/connect`` returns the consent URL; Google
sends the browser back to ``GET /oauth/callback`` (the one-use state is what it
carries, not a token), or, where Google cannot reach the box, the operator pastes the
address it landed on into ``POST /connections/paste``.
"""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, flash, redirect, request
from quart_schema import validate_querystring, validate_request

from appliance.domain import video_reads
from appliance.domain.youtube import connections, projects, quota, uploads
from storage import models
from storage.models import utcnow
from web.api_resources import API_PREFIX, empty_response, use_row_ids
from web.api_schemas import ROW_ID, ListQuery, problems
from web.auth import CurrentUser, Forbidden, current_user
from web.context import services
from web.idempotency import idempotent
from web.openapi import no_content, public
from web.problems import FieldError
from web.responses import JSON, json_response
from web.video_schemas import VideoOut
from web.video_views import video_out
from web.youtube_schemas import (
    UNAUDITED,
    BucketOut,
    ConnectIn,
    Connection,
    ConnectionPage,
    ConnectOut,
    MethodOut,
    PasteIn,
    Project,
    ProjectIn,
    ProjectPage,
    ProjectPatch,
    PublishedIn,
    QuotaDayOut,
    QuotaOut,
    QuotaQuery,
)

blueprint = Blueprint("api_youtube", __name__, url_prefix=f"{API_PREFIX}/youtube")
use_row_ids(blueprint)
CALLBACK_PATH = f"{API_PREFIX}/youtube/oauth/callback"


def _quota(view: projects.ProjectView) -> QuotaOut:
    return QuotaOut(
        day=view.day,  # type: ignore[arg-type]
        resets_at=view.resets_at,
        exhausted_until=view.project.exhausted_until if view.exhausted else None,
        buckets=[
            BucketOut(name=b.name, size=b.size, used=b.used, left=b.left, reserve=b.reserve)
            for b in view.buckets
        ],
    )


def project_out(view: projects.ProjectView) -> Project:
    project = view.project
    return Project(
        id=project.id,
        name=project.name,
        client_id=project.client_id,
        client_secret_fingerprint=project.client_secret_fingerprint,
        audited=project.audited,
        note=None if project.audited else UNAUDITED,
        quota_buckets=project.quota_buckets or {},
        quota=_quota(view),
        created_at=project.created_at,
        updated_at=project.updated_at,
    )


def connection_out(connection: models.YouTubeConnection) -> Connection:
    return Connection(
        id=connection.id,
        project_id=connection.project_id,
        youtube_channel_id=connection.youtube_channel_id,
        title=connection.title,
        status=connection.status,
        health=connection.health,
        capped_until=connection.capped_until,
        last_error=connection.last_error,
        last_used_at=connection.last_used_at,
        created_at=connection.created_at,
        updated_at=connection.updated_at,
    )


async def _person(scope: str) -> CurrentUser:
    """Secrets and grants are handled signed in as a person, not with an API key."""
    caller = await current_user(scope)
    if caller.key_id is not None:
        raise Forbidden(
            "YouTube projects and connections are managed signed in, not with an API key"
        )
    return caller


async def _project_view(user: CurrentUser, project_id: int) -> projects.ProjectView:
    app = services()

    def read(session):  # one thread hand-off for the row and its quota
        return projects.view(
            session, app.settings, projects.one(session, user, project_id), utcnow()
        )

    return await app.db.query(read)


# -- projects ---------------------------------------------------------------------------


async def add_project(user: CurrentUser, data: ProjectIn) -> models.YouTubeProject:
    """The API's and the console's way to add a project: its secret sealed at once."""
    app = services()
    return await projects.create(
        app.db,
        app.credentials,
        app.settings,
        user.id,
        name=data.name,
        client_id=data.client_id,
        client_secret=data.client_secret,
        audited=data.audited,
        quota_buckets=dict(data.quota_buckets),
    )


@blueprint.post("/projects")
@idempotent
@validate_request(ProjectIn)
@json_response(Project, 201)
@problems(400, 401, 403, 409)
async def create_project(data: ProjectIn) -> tuple[Project, int, dict[str, str]]:
    """Add a Google Cloud OAuth client; its secret is sealed and never shown again."""
    user = await _person("write")
    project = await add_project(user, data)
    out = project_out(await _project_view(user, project.id))
    return out, 201, {"Location": f"{API_PREFIX}/youtube/projects/{out.id}"}


@blueprint.get("/projects")
@validate_querystring(ListQuery)
@json_response(ProjectPage)
@problems(400, 401, 403)
async def list_projects(query_args: ListQuery) -> ProjectPage:
    """Your projects with today's quota, newest first."""
    user = await current_user()
    app = services()

    def read(session):
        rows, cursor = projects.page(session, user, query_args.limit, query_args.cursor)
        return projects.views(session, app.settings, rows, utcnow()), cursor

    views, next_cursor = await app.db.query(read)
    return ProjectPage(items=[project_out(v) for v in views], next_cursor=next_cursor)


@blueprint.get(f"/projects/<{ROW_ID}:project_id>")
@json_response(Project)
@problems(401, 403, 404)
async def get_project(project_id: int) -> Project:
    """One project with today's quota."""
    return project_out(await _project_view(await current_user(), project_id))


@blueprint.patch(f"/projects/<{ROW_ID}:project_id>")
@validate_request(ProjectPatch)
@json_response(Project)
@problems(400, 401, 403, 404)
async def update_project(project_id: int, data: ProjectPatch) -> Project:
    """Rename it, mark it audited, set its own bucket sizes, or replace its secret."""
    user = await _person("write")
    app = services()
    changes = data.changes()
    for field in ("name", "audited"):
        if field in changes and changes[field] is None:
            raise FieldError(field, "cannot be null")
    await projects.update(app.db, app.credentials, app.settings, user, project_id, changes)
    return project_out(await _project_view(user, project_id))


@blueprint.delete(f"/projects/<{ROW_ID}:project_id>")
@no_content
@problems(401, 403, 404)
async def delete_project(project_id: int) -> Response:
    """Forget a project with its connections and quota ledger."""
    user = await _person("write")
    await projects.delete(services().db, user, project_id)
    return empty_response()


@blueprint.get(f"/projects/<{ROW_ID}:project_id>/quota")
@validate_querystring(QuotaQuery)
@json_response(QuotaDayOut)
@problems(400, 401, 403, 404)
async def project_quota(project_id: int, query_args: QuotaQuery) -> QuotaDayOut:
    """A day's quota of the project, per bucket and per API method."""
    user = await current_user()
    app = services()
    now = utcnow()

    def read(session):
        project = projects.one(session, user, project_id)
        day = query_args.day.isoformat() if query_args.day else None
        view = projects.view(session, app.settings, project, now, day)
        return view, quota.day_ledger(session, project.id, view.day)

    view, ledger = await app.db.query(read)
    return QuotaDayOut(
        **_quota(view).model_dump(),
        methods=[
            MethodOut(method=m.method, bucket=m.bucket, calls=m.calls, units=m.units)
            for m in ledger
        ],
    )


# -- connecting ---------------------------------------------------------------------------


def _redirect_uri(given: str | None) -> str:
    if given:
        return given
    base = services().settings.youtube.public_url or request.host_url
    return base.rstrip("/") + CALLBACK_PATH


async def start_connect(user: CurrentUser, project_id: int, data: ConnectIn) -> ConnectOut:
    app = services()
    started = await connections.start(
        app.db, app.credentials, app.settings, user, project_id, _redirect_uri(data.redirect_uri)
    )
    return ConnectOut(
        authorization_url=started.authorization_url,
        state=started.state,
        redirect_uri=started.redirect_uri,
        expires_at=started.expires_at,
    )


@blueprint.post(f"/projects/<{ROW_ID}:project_id>/connect")
@validate_request(ConnectIn)
@json_response(ConnectOut)
@problems(400, 401, 403, 404)
async def connect(project_id: int, data: ConnectIn) -> ConnectOut:
    """Start connecting a YouTube channel through this project.

    Open the returned URL in a browser signed in to the channel's Google account (it is
    valid 30 minutes, once).
    """
    return await start_connect(await _person("write"), project_id, data)


@blueprint.post(f"/connections/<{ROW_ID}:connection_id>/reconnect")
@validate_request(ConnectIn)
@json_response(ConnectOut)
@problems(400, 401, 403, 404)
async def reconnect(connection_id: int, data: ConnectIn) -> ConnectOut:
    """Authorize a connection again (after ``needs_reconnect``): the same flow as connect."""
    user = await _person("write")
    found = await services().db.query(connections.one, user, connection_id)
    return await start_connect(user, found.project_id, data)


async def finish_connect(code: str, state: str, user: CurrentUser | None) -> Connection:
    app = services()
    try:
        connection = await connections.finish(
            app.db, app.credentials, app.settings, code=code, state=state, actor=user
        )
    except connections.ConnectFailed as failed:
        raise FieldError("code", str(failed), status=422) from None
    return connection_out(connection)


@blueprint.get("/oauth/callback")
@public
@json_response(Connection)
@problems(400, 422)
async def oauth_callback() -> Connection:
    """Where Google sends the browser back after consent.

    The one-use state proves the connect was started here, so no sign-in is asked.
    """
    args = request.args
    if _from_a_browser():
        # A person in the console: back to its YouTube page, with the outcome on top.
        try:
            connection = await _callback(args)
            await flash(f"Connected {connection.title or connection.youtube_channel_id}.", "ok")
        except FieldError as refused:
            await flash(f"Not connected: {refused.message}", "error")
        return redirect("/youtube", 303)
    return await _callback(args)


async def _callback(args: Any) -> Connection:
    if "error" in args:
        raise FieldError("error", f"Google answered {args['error'][:100]}: the consent was refused")
    code, state = args.get("code", ""), args.get("state", "")
    if not code:
        raise FieldError("code", "is missing: open the authorization URL again")
    return await finish_connect(code, state, None)


def _from_a_browser() -> bool:
    return request.accept_mimetypes.best_match([JSON, "text/html"]) == "text/html"


@blueprint.post("/connections/paste")
@validate_request(PasteIn)
@json_response(Connection)
@problems(400, 401, 403, 422)
async def paste(data: PasteIn) -> Connection:
    """Finish a connect with the address the browser was redirected to.

    For a box Google cannot redirect to: paste the whole address (or its code and state).
    """
    user = await _person("write")
    if not data.url and not data.code:
        raise FieldError("url", "give the redirected address, or code and state")
    code, state = connections.parse_pasted(data.url or data.code or "")
    state = state or data.state
    if not state:
        raise FieldError("state", "is required with a code alone")
    return await finish_connect(code, state, user)


@blueprint.get("/connections")
@validate_querystring(ListQuery)
@json_response(ConnectionPage)
@problems(400, 401, 403)
async def list_connections(query_args: ListQuery) -> ConnectionPage:
    """Your connections with their state and health, newest first."""
    user = await current_user()
    rows, cursor = await services().db.query(
        connections.page, user, query_args.limit, query_args.cursor
    )
    return ConnectionPage(items=[connection_out(c) for c in rows], next_cursor=cursor)


@blueprint.get(f"/connections/<{ROW_ID}:connection_id>")
@json_response(Connection)
@problems(401, 403, 404)
async def get_connection(connection_id: int) -> Connection:
    user = await current_user()
    return connection_out(await services().db.query(connections.one, user, connection_id))


@blueprint.delete(f"/connections/<{ROW_ID}:connection_id>")
@no_content
@problems(401, 403, 404)
async def disconnect(connection_id: int) -> Response:
    """Forget a connection and its token (revoke the app's access in the Google account too)."""
    user = await _person("write")
    await connections.disconnect(services().db, user, connection_id)
    return empty_response()


# -- publishing by hand -----------------------------------------------------------------

videos_blueprint = Blueprint("api_youtube_videos", __name__, url_prefix=f"{API_PREFIX}/videos")
use_row_ids(videos_blueprint)


@videos_blueprint.post(f"/<{ROW_ID}:video_id>/published")
@validate_request(PublishedIn)
@json_response(VideoOut)
@problems(400, 401, 403, 404, 409)
async def mark_published(video_id: int, data: PublishedIn) -> VideoOut:
    """Record that a finished video was uploaded to YouTube by hand.

    For a video left exported only (no connection, or quota spent for too long): its
    YouTube id and address go on the video.
    """
    user = await current_user("write")
    app = services()
    await uploads.mark_published(app.db, user, video_id, data.youtube_url)
    return video_out(await app.db.query(video_reads.one, user, video_id))
