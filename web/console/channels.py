"""Channels: list, create, edit every setting the API has, the topic backlog, the voice
preview and the connected YouTube channel."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from typing import Any

from pydantic import ValidationError
from quart import Response, current_app, render_template, request, url_for

from appliance.domain import backlog, channels, ideas
from appliance.domain.channel_settings import Niche, Privacy, Style
from appliance.domain.errors import FieldError
from appliance.domain.values import VideoFormat
from appliance.domain.youtube import connections
from render.voices import find_voice, list_voices, sample_wav
from web.api_channels import channel_out
from web.channel_schemas import ChannelIn, ChannelPatch
from web.console.base import blueprint, done, go, me, message_of, need
from web.console.forms import PROVIDER_STAGES, channel_values, topics_of, whole
from web.context import services

PREVIEW_TEXT = "Here is how this channel's narrator sounds. Thanks for watching."
_PREVIEW_KEEP = 8
_PREVIEWS_KEY = "ytempire.voice_previews"


class _Previews:
    """Piper takes about a second per preview: a few are kept, one is made at a time."""

    def __init__(self) -> None:
        self.made: OrderedDict[str, bytes] = OrderedDict()
        self.lock = asyncio.Lock()


def _previews() -> _Previews:
    return current_app.extensions.setdefault(_PREVIEWS_KEY, _Previews())


def _choices() -> dict[str, Any]:
    app = services()
    return {
        "niches": list(Niche.__args__),
        "styles": list(Style.__args__),
        "formats": list(VideoFormat.__args__),
        "privacies": list(Privacy.__args__),
        "voices": [voice.name for voice in list_voices(app.settings.voices_dir)],
        "provider_stages": PROVIDER_STAGES,
        "provider_defaults": {
            stage: ", ".join(getattr(app.settings.providers, stage)) for stage in PROVIDER_STAGES
        },
    }


def _form_of(channel: Any) -> dict[str, Any]:
    """A channel (as the API shows it) as the form's fields."""
    return {
        **channel.model_dump(),
        "budget_usd": f"{channel.budget_micro_usd / 1e6:.2f}",
        "downgrade_usd": f"{channel.downgrade_micro_usd / 1e6:.2f}",
        "providers": {stage: ", ".join(names) for stage, names in channel.providers.items()},
    }


def _new_form() -> dict[str, Any]:
    budget = services().settings.budget
    defaults = {
        name: field.default
        for name, field in ChannelIn.model_fields.items()
        if not field.is_required()
    }
    return {
        **defaults,
        "name": "",
        "providers": {},
        "budget_usd": f"{budget.video_limit_usd:.2f}",
        "downgrade_usd": f"{min(budget.video_downgrade_usd, budget.video_limit_usd):.2f}",
    }


def _submitted(form: Any) -> dict[str, Any]:
    """The form as it was sent, to show again beside the reason it was refused."""
    shown = dict(form)
    shown["providers"] = {stage: form.get(f"providers.{stage}", "") for stage in PROVIDER_STAGES}
    shown["made_for_kids"] = form.get("made_for_kids") == "on"
    return shown


@blueprint.get("/channels")
async def channel_list() -> str:
    rows, _ = await services().db.query(channels.page, me(), 200, None)
    return await render_template("console/channels.html", channels=[channel_out(c) for c in rows])


@blueprint.get("/channels/new")
async def channel_new() -> str:
    need("write")
    return await render_template(
        "console/channel_form.html", form=_new_form(), channel=None, error=None, **_choices()
    )


@blueprint.post("/channels/new")
async def channel_create() -> Response | tuple[str, int]:
    user = need("write")
    form = await request.form
    app = services()
    try:
        wanted = ChannelIn.model_validate(channel_values(form))
        made = await channels.create(app.db, app.settings, user.id, wanted)
    except (ValidationError, FieldError) as error:
        page = await render_template(
            "console/channel_form.html",
            form=_submitted(form),
            channel=None,
            error=message_of(error)[1],
            **_choices(),
        )
        return page, 400
    return await done(
        f"Channel {made.name} created.", url_for("console.channel_page", channel_id=made.id)
    )


async def _channel_context(channel_id: int) -> dict[str, Any]:
    user = me()
    app = services()

    def read(session):
        found = channels.one(session, user, channel_id)
        return (
            found,
            backlog.topics(session, user, channel_id),
            connections.page(session, user, 100, None)[0],
        )

    channel, topics, linked = await app.db.query(read)
    out = channel_out(channel)
    return {
        "channel": out,
        "topics": topics,
        "connections": [c for c in linked if c.youtube_channel_id == out.youtube_channel_id],
        "all_connections": linked,
        **_choices(),
    }


@blueprint.get("/channels/<int:channel_id>")
async def channel_page(channel_id: int) -> str:
    context = await _channel_context(channel_id)
    return await render_template(
        "console/channel.html", form=_form_of(context["channel"]), error=None, **context
    )


@blueprint.post("/channels/<int:channel_id>")
async def channel_update(channel_id: int) -> Response | tuple[str, int]:
    user = need("write")
    form = await request.form
    app = services()
    try:
        change = ChannelPatch.model_validate(channel_values(form))
        await channels.update(app.db, app.settings, user, channel_id, change.changes())
    except (ValidationError, FieldError) as error:
        context = await _channel_context(channel_id)
        page = await render_template(
            "console/channel.html", form=_submitted(form), error=message_of(error)[1], **context
        )
        return page, 400
    return await done("Settings saved.", url_for("console.channel_page", channel_id=channel_id))


@blueprint.post("/channels/<int:channel_id>/delete")
async def channel_delete(channel_id: int) -> Response:
    user = need("write")
    await channels.delete(services().db, services().settings, user, channel_id)
    return await done("Channel deleted with its videos.", url_for("console.channel_list"))


@blueprint.post("/channels/<int:channel_id>/backlog")
async def backlog_add(channel_id: int) -> Response:
    user = need("write")
    topics = topics_of((await request.form).get("topics", ""))
    if not topics:
        raise FieldError("topics", "write one topic per line")
    await backlog.add(services().db, user, channel_id, topics)
    return await done(
        f"{len(topics)} topic{'s' if len(topics) != 1 else ''} added to the backlog.",
        url_for("console.channel_page", channel_id=channel_id) + "#backlog",
    )


@blueprint.post("/channels/<int:channel_id>/backlog/<int:topic_id>/move")
async def backlog_move(channel_id: int, topic_id: int) -> Response:
    user = need("write")
    direction = (await request.form).get("to", "up")
    rows = await services().db.query(backlog.topics, user, channel_id)
    ids = [row.id for row in rows]
    if topic_id not in ids:
        raise FieldError("topic", f"topic {topic_id} is not in this backlog")
    at = ids.index(topic_id)
    ids.pop(at)
    target = {"top": 0, "up": max(0, at - 1), "down": min(len(ids), at + 1)}.get(direction, at)
    ids.insert(target, topic_id)
    await backlog.reorder(services().db, user, channel_id, ids)
    return go(url_for("console.channel_page", channel_id=channel_id) + "#backlog")


@blueprint.post("/channels/<int:channel_id>/backlog/<int:topic_id>/remove")
async def backlog_remove(channel_id: int, topic_id: int) -> Response:
    user = need("write")
    await backlog.remove(services().db, user, channel_id, topic_id)
    return await done(
        "Topic removed.", url_for("console.channel_page", channel_id=channel_id) + "#backlog"
    )


@blueprint.post("/channels/<int:channel_id>/backlog/ideas")
async def backlog_ideas(channel_id: int) -> Response:
    user = need("write")
    count = whole(await request.form, "count") or 10
    if not 1 <= count <= 50:
        raise FieldError("count", "must be between 1 and 50")
    app = services()
    found = await ideas.suggest(app.db, app.credentials, app.settings, user, channel_id, count)
    return await done(
        f"{len(found.added)} new topics from {found.provider}"
        + (f" ({found.skipped} near-duplicates left out)" if found.skipped else "")
        + ".",
        url_for("console.channel_page", channel_id=channel_id) + "#backlog",
    )


@blueprint.get("/voices/preview")
async def voice_preview() -> Response:
    """A short sample of a Piper voice, as WAV, for the channel form's player."""
    name = request.args.get("voice") or ""
    voices_dir = services().settings.voices_dir
    previews = _previews()
    async with previews.lock:
        if name not in previews.made:
            try:
                voice = find_voice(name, voices_dir) if name else list_voices(voices_dir)[0]
            except (LookupError, IndexError):
                raise FieldError("voice", f"no voice named {name!r} on this box") from None
            previews.made[name] = await asyncio.to_thread(sample_wav, voice, PREVIEW_TEXT)
            while len(previews.made) > _PREVIEW_KEEP:
                previews.made.popitem(last=False)
        audio = previews.made[name]
    response = Response(audio, mimetype="audio/wav")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response
