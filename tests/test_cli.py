"""The ``ytempire`` command line, run as a real process."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.serving import YTEMPIRE, base_env


def ytempire(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*YTEMPIRE, *args],
        cwd=tmp_path,
        env=base_env(tmp_path / "data", **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_init_writes_a_config_once_and_prepares_storage(tmp_path: Path) -> None:
    config = tmp_path / "etc" / "ytempire.toml"
    first = ytempire(tmp_path, "init", "--config", str(config), "--data-dir", str(tmp_path / "box"))
    assert first.returncode == 0, first.stderr
    assert config.stat().st_mode & 0o777 == 0o640
    assert f'data_dir = "{tmp_path / "box"}"' in config.read_text()
    assert (tmp_path / "box" / "ytempire.db").exists()
    assert all((tmp_path / "box" / "tiers" / t).is_dir() for t in ("hot", "warm", "cold"))

    config.write_text(config.read_text() + "\n# edited by the operator\n")
    again = ytempire(tmp_path, "init", "--config", str(config), "--data-dir", "/elsewhere")
    assert again.returncode == 0, again.stderr
    assert "exists; left as it is" in again.stdout
    assert "# edited by the operator" in config.read_text()


def test_user_create_and_its_errors(tmp_path: Path) -> None:
    created = ytempire(
        tmp_path,
        "user",
        "create",
        "--email",
        "ops@box.io",
        "--password",
        "s3cret-enough",
        "--role",
        "operator",
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("created operator ops@box.io")

    duplicate = ytempire(
        tmp_path, "user", "create", "--email", "OPS@box.io", "--password", "s3cret-enough"
    )
    assert duplicate.returncode == 1
    assert duplicate.stderr.strip().splitlines() == [
        "ytempire: error: email: a user with email ops@box.io already exists"
    ]
    bad_role = ytempire(
        tmp_path, "user", "create", "--email", "a@b.c", "--password", "longenough", "--role", "god"
    )
    assert bad_role.returncode == 2 and len(bad_role.stderr.strip().splitlines()) == 1
    short = ytempire(tmp_path, "user", "create", "--email", "a@b.c", "--password", "short")
    assert short.returncode == 1
    assert "password: must be at least 8 characters" in short.stderr


def test_config_show_json(tmp_path: Path) -> None:
    result = ytempire(tmp_path, "config", "show", "--json", YTEMPIRE_PORT="9999")
    assert result.returncode == 0, result.stderr
    settings = {row["name"]: row for row in json.loads(result.stdout)["settings"]}
    assert settings["server.port"]["value"] == 9999
    assert settings["server.port"]["source"] == "env YTEMPIRE_PORT"
    assert settings["data_dir"]["value"] == str(tmp_path / "data")


def test_unknown_command_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = ytempire(tmp_path, "explode")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def doctor(tmp_path: Path) -> tuple[int, dict]:
    result = ytempire(tmp_path, "doctor", "--json")
    return result.returncode, json.loads(result.stdout)


def test_doctor_reports_every_check_with_a_reason(tmp_path: Path) -> None:
    assert (
        ytempire(
            tmp_path, "init", "--config", "y.toml", "--data-dir", str(tmp_path / "data")
        ).returncode
        == 0
    )
    code, report = doctor(tmp_path)
    names = [check["name"] for check in report["checks"]]
    assert names == [
        "config",
        "database",
        "storage.hot",
        "storage.warm",
        "storage.cold",
        "gpu",
        "encoder.libx264",
        "encoder.h264_nvenc",
        "voice",
        "providers",
    ]
    for check in report["checks"]:
        assert check["status"] in ("ok", "warn", "fail")
        assert check["detail"], check
    statuses = {check["name"]: check["status"] for check in report["checks"]}
    assert statuses["encoder.libx264"] == "ok"
    assert statuses["voice"] == "ok"
    assert statuses["database"] == "ok"
    assert report["healthy"] is (code == 0)
    assert code == 0, report


def test_doctor_names_the_providers_the_settings_give_keys_for(tmp_path: Path) -> None:
    from appliance.cli.doctor import provider_check
    from tests.conftest import make_settings

    assert provider_check(make_settings(tmp_path)).detail.startswith("offline providers only")
    keyed = make_settings(tmp_path, OPENAI_API_KEY="sk-doctor-0123456789")
    check = provider_check(keyed)
    assert check.status == "ok" and check.data["configured"] == ["openai"]
    assert "sk-doctor" not in check.detail
    missing = make_settings(
        tmp_path, YTEMPIRE_PROVIDERS_GOOGLE_TTS_CREDENTIALS_FILE=str(tmp_path / "gone.json")
    )
    assert provider_check(missing).status == "warn"


def test_doctor_fails_on_a_broken_box(tmp_path: Path) -> None:
    # Nothing initialised: no database; and the voice named does not exist.
    result = ytempire(tmp_path, "doctor", "--json", YTEMPIRE_VOICE_DEFAULT_VOICE="xx_XX-nobody")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    statuses = {check["name"]: check for check in report["checks"]}
    assert report["healthy"] is False
    assert statuses["database"]["status"] == "fail"
    assert "ytempire init" in statuses["database"]["detail"]
    assert statuses["storage.hot"]["status"] == "fail"
    assert statuses["voice"]["status"] == "fail"
    assert "en_US-joe-medium" in statuses["voice"]["detail"]  # lists what is available


def test_doctor_fails_on_an_unwritable_tier(tmp_path: Path) -> None:
    assert (
        ytempire(
            tmp_path, "init", "--config", "y.toml", "--data-dir", str(tmp_path / "data")
        ).returncode
        == 0
    )
    # /proc is a folder nobody can create files in, root included (tests run as root in CI).
    result = ytempire(tmp_path, "doctor", "--json", YTEMPIRE_STORAGE_COLD="/proc")
    code, report = result.returncode, json.loads(result.stdout)
    assert code == 1
    cold = next(c for c in report["checks"] if c["name"] == "storage.cold")
    assert cold["status"] == "fail" and "not writable" in cold["detail"]
