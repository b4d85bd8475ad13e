from __future__ import annotations

from pathlib import Path

import pytest

from appliance.config.loader import ConfigError, load_settings
from appliance.config.reference import config_file_template, settings_reference, show_settings
from appliance.config.settings import setting_definitions

REPO = Path(__file__).resolve().parents[1]


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_defaults_without_a_config_file(tmp_path: Path) -> None:
    settings = load_settings(environ={}, cwd=tmp_path)
    assert settings.config_file is None
    assert settings.server.port == 8080
    assert settings.server.host == "127.0.0.1"
    assert settings.data_dir == tmp_path / "var"
    assert settings.database_path == tmp_path / "var" / "ytempire.db"
    assert settings.tiers == {t: tmp_path / "var" / "tiers" / t for t in ("hot", "warm", "cold")}


def test_file_then_environment_then_command_line(tmp_path: Path) -> None:
    config = write(tmp_path / "y.toml", '[server]\nport = 9000\nhost = "0.0.0.0"\n')
    from_file = load_settings(config, environ={}, cwd=tmp_path)
    assert (from_file.server.port, from_file.server.host) == (9000, "0.0.0.0")
    assert from_file.sources["server.port"] == f"file {config.resolve()}"

    from_env = load_settings(config, environ={"YTEMPIRE_SERVER_PORT": "9100"}, cwd=tmp_path)
    assert from_env.server.port == 9100
    assert from_env.sources["server.port"] == "env YTEMPIRE_SERVER_PORT"

    from_cli = load_settings(
        config,
        overrides={"server.port": 9200},
        environ={"YTEMPIRE_SERVER_PORT": "9100"},
        cwd=tmp_path,
    )
    assert from_cli.server.port == 9200
    assert from_cli.sources["server.port"] == "command line"


def test_contract_environment_names(tmp_path: Path) -> None:
    config = write(tmp_path / "elsewhere.toml", "[server]\nport = 9000\n")
    settings = load_settings(
        environ={
            "YTEMPIRE_CONFIG": str(config),
            "YTEMPIRE_PORT": "9300",
            "YTEMPIRE_DATA_DIR": str(tmp_path / "d"),
        },
        cwd=tmp_path,
    )
    assert settings.config_file == config.resolve()
    assert settings.server.port == 9300
    assert settings.data_dir == tmp_path / "d"


def test_config_file_found_in_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "ytempire.toml", "[log]\nlevel = 'DEBUG'\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={}).log.level == "DEBUG"


def test_relative_paths_in_a_file_are_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    config = write(tmp_path / "etc" / "y.toml", 'data_dir = "data"\n[storage]\ncold = "../cold"\n')
    settings = load_settings(config, environ={}, cwd=Path("/"))
    assert settings.data_dir == tmp_path / "etc" / "data"
    assert settings.tier_root("cold").resolve() == tmp_path / "cold"
    assert settings.tier_root("hot") == tmp_path / "etc" / "data" / "tiers" / "hot"


def test_unknown_key_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    config = write(tmp_path / "y.toml", "[server]\nprot = 9000\n")
    with pytest.raises(ConfigError) as error:
        load_settings(config, environ={}, cwd=tmp_path)
    assert error.value.problems == [
        f"server.prot: unknown setting in {config.resolve()} (did you mean server.port?)"
    ]


@pytest.mark.parametrize(
    ("toml", "env", "expected"),
    [
        (
            "[server]\nport = 70000\n",
            {},
            "server.port: Input should be less than or equal to 65535",
        ),
        ("", {"YTEMPIRE_SERVER_PORT": "eighty"}, "from env YTEMPIRE_SERVER_PORT"),
        ("[log]\nlevel = 'LOUD'\n", {}, "log.level: Input should be 'DEBUG', 'INFO'"),
        ("[database]\nsynchronous = 'OFF'\n", {}, "database.synchronous"),
        ("[storage]\nmin_free_mb = -5\n", {}, "storage.min_free_mb"),
    ],
)
def test_bad_values_name_the_setting(tmp_path: Path, toml: str, env: dict, expected: str) -> None:
    config = write(tmp_path / "y.toml", toml)
    with pytest.raises(ConfigError) as error:
        load_settings(config, environ=env, cwd=tmp_path)
    assert expected in str(error.value)


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    config = write(tmp_path / "y.toml", "[server\nport = 1\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(config, environ={}, cwd=tmp_path)
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "missing.toml", environ={}, cwd=tmp_path)


def test_registry_has_name_type_default_and_help_for_every_setting() -> None:
    definitions = setting_definitions()
    names = [d.name for d in definitions]
    assert len(names) == len(set(names))
    assert {"data_dir", "server.port", "storage.hot", "database.synchronous"} <= set(names)
    for definition in definitions:
        assert definition.help, definition.name
        assert definition.type_name, definition.name
        assert definition.env_var == "YTEMPIRE_" + definition.name.replace(".", "_").upper()


def test_config_show_reports_values_and_sources(tmp_path: Path) -> None:
    config = write(tmp_path / "y.toml", "[server]\nport = 9000\n")
    settings = load_settings(config, environ={"YTEMPIRE_LOG_LEVEL": "DEBUG"}, cwd=tmp_path)
    text = show_settings(settings)
    assert "server.port" in text and "9000" in text and f"[file {config.resolve()}]" in text
    assert "[env YTEMPIRE_LOG_LEVEL]" in text
    # Derived settings show what they resolve to, not a blank.
    assert str(settings.database_path) in text


def test_new_config_file_template_loads_to_the_defaults(tmp_path: Path) -> None:
    config = write(tmp_path / "y.toml", config_file_template(tmp_path / "data"))
    settings = load_settings(config, environ={}, cwd=Path("/"))
    defaults = load_settings(environ={"YTEMPIRE_DATA_DIR": str(tmp_path / "data")}, cwd=tmp_path)
    assert settings.data_dir == tmp_path / "data"
    assert settings.model_dump() == defaults.model_dump()
    for definition in setting_definitions():
        assert definition.help in config.read_text()


def test_configuration_reference_doc_is_current() -> None:
    committed = (REPO / "docs" / "CONFIGURATION.md").read_text()
    assert committed == settings_reference(), (
        "docs/CONFIGURATION.md is stale: run `ytempire config reference > docs/CONFIGURATION.md`"
    )
