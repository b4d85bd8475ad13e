"""YouTube: API projects with today's quota bars, connected channels with their health,
connecting (Google's redirect, or pasting the address it led to) and disconnecting."""

from __future__ import annotations

from quart import Response, redirect, render_template, request, url_for

from appliance.domain.youtube import connections, projects
from storage.models import utcnow
from web.api_youtube import add_project, connection_out, finish_connect, project_out, start_connect
from web.console.base import blueprint, done, me, need
from web.context import services
from web.youtube_schemas import ConnectIn, PasteIn, ProjectIn


@blueprint.get("/youtube")
async def youtube_page() -> str:
    user = me()
    app = services()

    def read(session):
        rows, _ = projects.page(session, user, 100, None)
        return (
            projects.views(session, app.settings, rows, utcnow()),
            connections.page(session, user, 200, None)[0],
        )

    views, linked = await app.db.query(read)
    listed = [project_out(view) for view in views]
    names = {project.id: project.name for project in listed}
    return await render_template(
        "console/youtube.html",
        projects=listed,
        connections=[connection_out(c) for c in linked],
        project_names=names,
        health_floor=app.settings.youtube.health_floor,
    )


@blueprint.post("/youtube/projects")
async def project_create() -> Response:
    user = need("write")
    form = await request.form
    data = ProjectIn.model_validate(
        {
            "name": form.get("name", "").strip(),
            "client_id": form.get("client_id", "").strip(),
            "client_secret": form.get("client_secret", "").strip(),
            "audited": form.get("audited") == "on",
        }
    )
    await add_project(user, data)
    return await done(f"Project {data.name} added.", url_for("console.youtube_page"))


@blueprint.post("/youtube/projects/<int:project_id>/delete")
async def project_delete(project_id: int) -> Response:
    await projects.delete(services().db, need("write"), project_id)
    return await done("Project removed.", url_for("console.youtube_page"))


@blueprint.post("/youtube/projects/<int:project_id>/connect")
async def project_connect(project_id: int) -> Response:
    """Off to Google's consent page; it comes back to the API's callback, which returns
    the browser here."""
    started = await start_connect(need("write"), project_id, ConnectIn())
    return redirect(started.authorization_url, 303)


@blueprint.post("/youtube/connections/<int:connection_id>/reconnect")
async def connection_reconnect(connection_id: int) -> Response:
    user = need("write")
    found = await services().db.query(connections.one, user, connection_id)
    started = await start_connect(user, found.project_id, ConnectIn())
    return redirect(started.authorization_url, 303)


@blueprint.post("/youtube/paste")
async def connection_paste() -> Response:
    user = need("write")
    data = PasteIn.model_validate({"url": (await request.form).get("url", "").strip()})
    code, state = connections.parse_pasted(data.url or "")
    connected = await finish_connect(code, state or "", user)
    return await done(
        f"Connected {connected.title or connected.youtube_channel_id}.",
        url_for("console.youtube_page"),
    )


@blueprint.post("/youtube/connections/<int:connection_id>/disconnect")
async def connection_disconnect(connection_id: int) -> Response:
    await connections.disconnect(services().db, need("write"), connection_id)
    return await done("Disconnected.", url_for("console.youtube_page"))
