"""Which settings a running supervisor can take on without a restart, and the settings
in force once an edited config is taken on.

Live: what is read each time it is used (slot counts, thresholds, prices, budgets,
schedules, providers, the review's limits, the tier lifecycle's days, log level...).
Restart: where things are (every folder, the database, the listening socket), what is
set up once at start (the sign-in limits and token lifetimes, the inbox watcher, the log
format). An edit that changes a restart setting is taken on for the rest and the
restart setting keeps its running value until the next start, and says so.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from appliance.config.settings import Settings, setting_definitions

RESTART_GROUPS = ("server.", "database.", "auth.", "inbox.")
RESTART_SETTINGS = frozenset(
    {
        "data_dir",
        "storage.hot",
        "storage.warm",
        "storage.cold",
        "voice.voices_dir",
        "media.library_dir",
        "media.music_dir",
        "media.cache_dir",
        "publish.export_dir",
        "admin.email",
        "log.format",
        # A box registers its name and address once, at start.
        "cluster.box_id",
        "cluster.url",
    }
)


def needs_restart(name: str) -> bool:
    return name in RESTART_SETTINGS or name.startswith(RESTART_GROUPS)


def changed_settings(old: Settings, new: Settings) -> list[str]:
    """The dotted names whose values differ, in the registry's order."""
    return [d.name for d in setting_definitions() if _get(old, d.name) != _get(new, d.name)]


def taken_on(old: Settings, new: Settings) -> tuple[Settings, list[str], list[str]]:
    """(the settings in force, names applied live, names that wait for a restart): the
    new settings with every restart setting kept at its running value."""
    changed = changed_settings(old, new)
    later = [name for name in changed if needs_restart(name)]
    merged = new
    for name in later:
        merged = _with(merged, name, _get(old, name))
    sources = dict(new.sources)
    for name in later:
        was = old.sources.get(name, "default")
        sources[name] = f"{was}; a new value waits for a restart"
    merged = merged.model_copy(update={"sources": sources, "config_file": new.config_file})
    return merged, [name for name in changed if name not in later], later


def _get(settings: Settings, dotted: str) -> Any:
    value: Any = settings
    for part in dotted.split("."):
        value = getattr(value, part)
    return value


def _with(model: BaseModel, dotted: str, value: Any) -> Any:
    """A copy of ``model`` with the setting at ``dotted`` replaced (already validated)."""
    head, _, rest = dotted.partition(".")
    if not rest:
        return model.model_copy(update={head: value})
    return model.model_copy(update={head: _with(getattr(model, head), rest, value)})
