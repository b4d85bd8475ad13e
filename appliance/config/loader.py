"""Load settings from a TOML file, the environment and command-line flags.

Precedence, lowest first: built-in defaults, the config file, ``YTEMPIRE_*``
environment variables, command-line flags. Anything wrong is refused with a
message that names the setting, where the value came from and the problem.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from appliance.config.settings import Settings, setting_definitions

# Names fixed by the contract (shared/CONTRACT.md) that are not derived from the
# registry's naming rule.
ENV_ALIASES = {
    "YTEMPIRE_PORT": "server.port",
    # The providers' own conventional names; the YTEMPIRE_* names win over them.
    "OPENAI_API_KEY": "providers.openai.api_key",
    "GOOGLE_APPLICATION_CREDENTIALS": "providers.google_tts.credentials_file",
    "PEXELS_API_KEY": "providers.stock.pexels_api_key",
    "PIXABAY_API_KEY": "providers.stock.pixabay_api_key",
}
CONFIG_ENV = "YTEMPIRE_CONFIG"
DEFAULT_CONFIG_FILES = (Path("ytempire.toml"), Path("/etc/ytempire/ytempire.toml"))


class ConfigError(Exception):
    """The configuration cannot be used. ``problems`` has one line per fault."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


def find_config_file(explicit: Path | None, environ: Mapping[str, str], cwd: Path) -> Path | None:
    if explicit is None and environ.get(CONFIG_ENV):
        explicit = Path(environ[CONFIG_ENV])
    if explicit is not None:
        explicit = cwd / explicit
        if not explicit.is_file():
            raise ConfigError([f"config file {explicit} does not exist"])
        return explicit.resolve()
    for candidate in DEFAULT_CONFIG_FILES:
        if (cwd / candidate).is_file():
            return (cwd / candidate).resolve()
    return None


def load_settings(
    config_file: Path | None = None,
    *,
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    environ = os.environ if environ is None else environ
    cwd = cwd or Path.cwd()
    definitions = {d.name: d for d in setting_definitions()}
    path_settings = {name for name, d in definitions.items() if "Path" in d.type_name}
    table_settings = {name for name, d in definitions.items() if isinstance(d.default, dict)}
    list_settings = {name for name, d in definitions.items() if isinstance(d.default, list)}

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    problems: list[str] = []

    path = find_config_file(config_file, environ, cwd)
    if path is not None:
        for name, value in _read_toml(path, table_settings).items():
            if name not in definitions:
                problems.append(f"{name}: unknown setting in {path}{_suggest(name, definitions)}")
                continue
            if name in path_settings and isinstance(value, str) and value:
                value = str(path.parent / value)  # relative to the file, not to cwd
            values[name] = value
            sources[name] = f"file {path}"

    from_env = [(var, name) for var, name in ENV_ALIASES.items()]
    from_env += [(d.env_var, name) for name, d in definitions.items()]
    for var, name in from_env:
        if not environ.get(var):
            continue
        value: Any = environ[var]
        if name in list_settings:  # "openai:gpt-4o, template"
            value = [item.strip() for item in value.split(",") if item.strip()]
        elif name in table_settings:
            try:
                value = json.loads(value)
            except ValueError:
                problems.append(f"{name}: {var} must be a JSON object")
                continue
        values[name], sources[name] = value, f"env {var}"
    for name in table_settings & values.keys():
        # A table in the config adds entries to the built-in one or replaces them by key.
        if isinstance(values[name], Mapping):
            values[name] = {**_plain_table(definitions[name].default), **values[name]}
    for name, value in (overrides or {}).items():
        if value is not None:
            values[name], sources[name] = value, "command line"

    for name in path_settings:
        value = values.get(name)
        if isinstance(value, str) and value and not Path(value).is_absolute():
            values[name] = str(cwd / value)

    if problems:
        raise ConfigError(problems)
    try:
        settings = Settings.model_validate(_nest(values))
    except ValidationError as exc:
        secret = {name for name, d in definitions.items() if "secret" in d.type_name}
        raise ConfigError(
            [_describe(error, values, sources, secret) for error in exc.errors()]
        ) from None
    if not settings.data_dir.is_absolute():
        settings = settings.model_copy(update={"data_dir": cwd / settings.data_dir})
    return settings.model_copy(update={"sources": sources, "config_file": path})


def _plain_table(table: Mapping[str, Any]) -> dict[str, Any]:
    return {
        key: value.model_dump() if hasattr(value, "model_dump") else value
        for key, value in table.items()
    }


def _read_toml(path: Path, tables: frozenset[str] | set[str] = frozenset()) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot read: {exc.strerror}"]) from None
    return _flatten(document, tables=tables)


def _flatten(
    document: Mapping[str, Any],
    prefix: str = "",
    *,
    tables: frozenset[str] | set[str] = frozenset(),
) -> dict[str, Any]:
    """Dotted names of the settings in a TOML document; a setting that is itself a
    table (a price table) stays one value."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        if isinstance(value, Mapping) and f"{prefix}{key}" not in tables:
            flat.update(_flatten(value, f"{prefix}{key}.", tables=tables))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for dotted, value in flat.items():
        *groups, leaf = dotted.split(".")
        target = nested
        for group in groups:
            target = target.setdefault(group, {})
        target[leaf] = value
    return nested


def _suggest(name: str, known: Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _describe(
    error: Mapping[str, Any],
    values: Mapping[str, Any],
    sources: Mapping[str, str],
    secret: set[str],
) -> str:
    name = ".".join(str(part) for part in error["loc"])
    source = sources.get(name, "default")
    shown = f" (got {values[name]!r} from {source})" if name in values else f" ({source})"
    if name in secret:
        shown = f" (value hidden, from {source})"
    return f"{name}: {error['msg']}{shown}"
