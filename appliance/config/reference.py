"""Render the settings registry for people: ``config show``, the reference, a new config file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, SecretStr

from appliance.config.live import needs_restart
from appliance.config.settings import _DERIVED, Settings, setting_definitions, value_of

HIDDEN = "********"


def _plain(value: Any) -> Any:
    """A setting's value as plain data; a secret shows only that it is set."""
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, SecretStr):
        return HIDDEN
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _toml_line(key: str, value: Any) -> str:
    """``key = value`` on one line (a table as an inline table), for the commented template."""
    if isinstance(value, dict):
        items = ", ".join(_toml_line(k, v) for k, v in value.items() if v is not None)
        body = f"{{ {items} }}" if items else "{}"
        return f"{_toml_key(key)} = {body}"
    if isinstance(value, list):
        return f"{_toml_key(key)} = {json.dumps(value)}"
    return tomli_w.dumps({key: value}).strip()


def _toml_key(key: str) -> str:
    return tomli_w.dumps({key: 0}).split(" = ")[0]


def settings_rows(settings: Settings) -> list[dict[str, Any]]:
    """Every setting in effect: name, value (secrets hidden), where it came from, its
    environment variable and what it means."""
    return [
        {
            "name": definition.name,
            "value": _plain(value_of(settings, definition.name)),
            "source": settings.sources.get(definition.name, "default"),
            "env": definition.env_var,
            "applies": "restart" if needs_restart(definition.name) else "live",
            "help": definition.help,
        }
        for definition in setting_definitions()
    ]


def show_settings(settings: Settings, *, as_json: bool = False) -> str:
    rows = settings_rows(settings)
    if as_json:
        document = {"config_file": _plain(settings.config_file), "settings": rows}
        return json.dumps(document, indent=2) + "\n"
    lines = [f"# config file: {settings.config_file or 'none (built-in defaults)'}"]
    width = max(len(row["name"]) for row in rows)
    for row in rows:
        lines.append(f"{row['name']:<{width}}  {json.dumps(row['value'])}  [{row['source']}]")
    return "\n".join(lines) + "\n"


def settings_reference() -> str:
    """Markdown reference of every setting; docs/CONFIGURATION.md is this output."""
    lines = [
        "# Configuration reference",
        "",
        "Generated from the settings registry (`appliance/config/settings.py`) by",
        "`ytempire config reference`; do not edit by hand.",
        "",
        "Settings are read from a TOML file (`--config`, `$YTEMPIRE_CONFIG`, `./ytempire.toml`",
        "or `/etc/ytempire/ytempire.toml`), then from `YTEMPIRE_*` environment variables, then",
        "from command-line flags; later sources win. `YTEMPIRE_PORT` is accepted for",
        "`server.port`. Relative paths in the file are relative to the file's folder.",
        "An unknown key or a bad value stops the appliance at start with a message naming it.",
        "",
        "A running supervisor takes an edited config file on by itself (and on `SIGHUP`,",
        "e.g. `systemctl reload ytempire`): settings marked *live* apply at once; those",
        "marked *restart* keep their running value until the next start, and the log and a",
        "`config.reloaded` event name them. An edit with a fault is refused (logged, and a",
        "`config.refused` event) and the running settings stay.",
        "",
        "| setting | type | default | environment | applies | meaning |",
        "|---|---|---|---|---|---|",
    ]
    for definition in setting_definitions():
        if definition.default is None:
            default = "derived" if definition.name in _DERIVED else "unset"
        else:
            plain = _plain(definition.default)
            shown = json.dumps(plain) if isinstance(plain, dict | list) else plain
            default = f"`{shown}`"
        type_name = definition.type_name.replace("|", "or")
        applies = "restart" if needs_restart(definition.name) else "live"
        lines.append(
            f"| `{definition.name}` | {type_name} | {default} | `{definition.env_var}` "
            f"| {applies} | {definition.help} |"
        )
    return "\n".join(lines) + "\n"


def config_file_template(data_dir: Path) -> str:
    """A new config file: data_dir set, every other setting shown commented with its default."""
    lines = [
        "# YTEmpire appliance configuration.",
        "# Every setting is listed with its default; uncomment to change one.",
        "# Reference: docs/CONFIGURATION.md, or `ytempire config show`.",
        "",
        f"# {Settings.model_fields['data_dir'].description}",
        tomli_w.dumps({"data_dir": str(data_dir)}).strip(),
    ]
    group = None
    for definition in setting_definitions():
        if definition.name == "data_dir":
            continue
        section, key = definition.name.rsplit(".", 1)
        if section != group:
            lines += ["", f"[{section}]"]
            group = section
        lines.append(f"# {definition.help}")
        if definition.default is None:
            unset = "(derived from data_dir)" if definition.name in _DERIVED else "(unset)"
            lines.append(f"# {key} = {unset}")
        else:
            lines.append("# " + _toml_line(key, _plain(definition.default)))
    return "\n".join(lines) + "\n"
