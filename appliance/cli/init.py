"""``ytempire init``: a config file for a new box and its prepared data folders."""

from __future__ import annotations

import os
from pathlib import Path

from appliance.config.loader import CONFIG_ENV, DEFAULT_CONFIG_FILES, load_settings
from appliance.config.reference import config_file_template
from appliance.domain import backups
from appliance.domain.box import prepare_storage
from storage.files import write_atomic

DEFAULT_LOCAL_CONFIG = DEFAULT_CONFIG_FILES[0]  # ./ytempire.toml, the first place serve looks


def init_command(config_file: Path | None, data_dir: str | None) -> int:
    path = config_file or Path(os.environ.get(CONFIG_ENV) or DEFAULT_LOCAL_CONFIG)
    if path.exists():
        print(f"{path}: exists; left as it is")
    else:
        target = Path(data_dir) if data_dir else Path.cwd() / "var"
        # 0640: the file may later hold settings an operator wants kept private.
        write_atomic(path, config_file_template(target), mode=0o640)
        print(f"{path}: written")
    # The flag beats the environment, as on every command.
    settings = load_settings(path, overrides={"data_dir": data_dir})
    # An upgrade: the database as it was, before this release migrates it.
    kept = backups.before_upgrade(settings)
    if kept is not None:
        print(f"backed up the database before migrating it: {kept}")
    prepare_storage(settings)
    print(f"data folder {settings.data_dir} ready (database at head, storage tiers created)")
    return 0
