"""Render the settings registry for people: ``config show``, the reference, a new config file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import tomli_w

from appliance.settings import Settings, setting_definitions, value_of


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Path) else value


def show_settings(settings: Settings, *, as_json: bool = False) -> str:
    rows = [
        {
            "name": definition.name,
            "value": _plain(value_of(settings, definition.name)),
            "source": settings.sources.get(definition.name, "default"),
            "env": definition.env_var,
            "help": definition.help,
        }
        for definition in setting_definitions()
    ]
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
        "Generated from the settings registry (`appliance/settings.py`) by",
        "`ytempire config reference`; do not edit by hand.",
        "",
        "Settings are read from a TOML file (`--config`, `$YTEMPIRE_CONFIG`, `./ytempire.toml`",
        "or `/etc/ytempire/ytempire.toml`), then from `YTEMPIRE_*` environment variables, then",
        "from command-line flags; later sources win. `YTEMPIRE_PORT` is accepted for",
        "`server.port`. Relative paths in the file are relative to the file's folder.",
        "An unknown key or a bad value stops the appliance at start with a message naming it.",
        "",
        "| setting | type | default | environment | meaning |",
        "|---|---|---|---|---|",
    ]
    for definition in setting_definitions():
        default = "derived" if definition.default is None else f"`{_plain(definition.default)}`"
        type_name = definition.type_name.replace("|", "or")
        lines.append(
            f"| `{definition.name}` | {type_name} | {default} | `{definition.env_var}` "
            f"| {definition.help} |"
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
        section, key = definition.name.split(".", 1)
        if section != group:
            lines += ["", f"[{section}]"]
            group = section
        lines.append(f"# {definition.help}")
        if definition.default is None:
            lines.append(f"# {key} = (derived from data_dir)")
        else:
            lines.append("# " + tomli_w.dumps({key: _plain(definition.default)}).strip())
    return "\n".join(lines) + "\n"
