"""``ytempire doctor``: is this box able to make videos? Every check says why."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from appliance.config.settings import Settings
from appliance.observability.health import Check, tier_checks
from render.encoders import probe_encoder
from render.voices import VoiceNotFound, check_voice, find_voice
from scheduler.telemetry import GpuProbe, probe_gpus
from storage import migrate
from storage.urls import shown, sync_url

CPU_ENCODER = "libx264"
GPU_ENCODER = "h264_nvenc"


def config_check(settings: Settings) -> Check:
    source = settings.config_file or "built-in defaults (no config file)"
    return Check("config", "ok", f"loaded from {source}", {"file": str(settings.config_file)})


def database_file_check(db_path: Path) -> Check:
    """Read-only: doctor never creates or migrates the database."""
    if not db_path.exists():
        return Check("database", "fail", f"{db_path} does not exist: run `ytempire init`")
    head = migrate.head_revision()
    try:
        connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=5)
        try:
            integrity = connection.execute("PRAGMA quick_check").fetchone()[0]
            journal = connection.execute("PRAGMA journal_mode").fetchone()[0]
        finally:
            connection.close()
        current = migrate.current_revision(db_path)
    except sqlite3.Error as exc:
        return Check("database", "fail", f"{db_path}: {exc}")
    data = {"path": str(db_path), "revision": current, "head": head, "journal_mode": journal}
    if integrity != "ok":
        return Check("database", "fail", f"{db_path}: integrity check: {integrity}", data)
    return _schema_check(str(db_path), current, head, f"{journal} journal", data)


# The oldest PostgreSQL the appliance is tested against (docs/SCALE-OUT.md).
POSTGRES_MIN = 13


def database_server_check(url: str) -> Check:
    """A shared PostgreSQL database: reachable, new enough, its schema at this release's
    head. Read-only, like the file check."""
    where = shown(url)
    engine = create_engine(sync_url(url), poolclass=NullPool, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            version = connection.scalar(text("SHOW server_version"))
            number = connection.scalar(text("SHOW server_version_num"))
            has_versions = connection.scalar(text("SELECT to_regclass('alembic_version')"))
            current = (
                connection.scalar(text("SELECT version_num FROM alembic_version LIMIT 1"))
                if has_versions
                else None
            )
    except Exception as exc:  # any driver error: not usable, with its reason
        return Check("database", "fail", f"{where}: cannot connect: {exc}".splitlines()[0])
    finally:
        engine.dispose()
    head = migrate.head_revision()
    data = {"url": where, "server_version": version, "revision": current, "head": head}
    if int(number) < POSTGRES_MIN * 10_000:
        return Check(
            "database",
            "fail",
            f"{where}: PostgreSQL {version}, {POSTGRES_MIN} or newer needed",
            data,
        )
    return _schema_check(where, current, head, f"PostgreSQL {version}", data)


def _schema_check(
    where: str, current: str | None, head: str, about: str, data: dict[str, object]
) -> Check:
    if current == head:
        return Check("database", "ok", f"{where}: schema at {head}, {about}", data)
    if current in migrate.revisions_oldest_first() or current is None:
        return Check(
            "database",
            "warn",
            f"{where}: schema at {current}, head is {head}; the next start migrates it",
            data,
        )
    return Check(
        "database",
        "fail",
        f"{where}: schema {current} is newer than this version "
        f"knows (head {head}): was the appliance downgraded?",
        data,
    )


def encoder_checks(gpus: GpuProbe) -> list[Check]:
    cpu = probe_encoder(CPU_ENCODER)
    checks = [Check(f"encoder.{CPU_ENCODER}", "ok" if cpu.ok else "fail", cpu.detail)]
    if gpus.ok:
        nvenc = probe_encoder(GPU_ENCODER)
        checks.append(Check(f"encoder.{GPU_ENCODER}", "ok" if nvenc.ok else "fail", nvenc.detail))
    else:
        checks.append(
            Check(f"encoder.{GPU_ENCODER}", "ok", "not needed: no NVIDIA GPU, renders use libx264")
        )
    return checks


def gpu_check(gpus: GpuProbe) -> Check:
    data = {
        "gpus": [
            {"index": g.index, "name": g.name, "memory_total_bytes": g.memory_total_bytes}
            for g in gpus.gpus
        ]
    }
    if gpus.ok:
        return Check("gpu", "ok", gpus.detail, data)
    return Check("gpu", "warn", f"{gpus.detail}; GPU slots are off, renders take CPU slots", data)


def voice_check(settings: Settings) -> Check:
    name = settings.voice.default_voice
    try:
        voice = find_voice(name, settings.voices_dir)
    except VoiceNotFound as exc:
        return Check("voice", "fail", str(exc))
    result = check_voice(voice)
    data = {"voice": name, "source": voice.source, "sample_rate": result.sample_rate}
    return Check("voice", "ok" if result.ok else "fail", f"{name}: {result.detail}", data)


def provider_check(settings: Settings) -> Check:
    """Which real providers the box's settings give credentials for (API-entered keys are
    per user and live in the database). A credentials file that is set but unreadable
    is a warning: Google voices would silently fall back to Piper."""
    from appliance.domain.credentials import CREDENTIAL_NAMES, settings_secrets

    configured = sorted(settings_secrets(settings))
    data = {"configured": configured}
    account = settings.providers.google_tts.credentials_file
    if account is not None and "google-tts" not in configured:
        return Check(
            "providers", "warn", f"google-tts: {account} cannot be read; voices use Piper", data
        )
    if not configured:
        return Check("providers", "ok", "offline providers only (no credentials in settings)", data)
    missing = [name for name in CREDENTIAL_NAMES if name not in configured]
    detail = f"credentials for {', '.join(configured)}"
    if missing:
        detail += f"; not for {', '.join(missing)}"
    return Check("providers", "ok", detail, data)


def run_checks(settings: Settings) -> list[Check]:
    gpus = probe_gpus()
    steps: list[Callable[[], list[Check]]] = [
        lambda: [config_check(settings)],
        lambda: [
            database_server_check(settings.database.url.get_secret_value())
            if settings.database.url is not None
            else database_file_check(settings.database_path)
        ],
        lambda: tier_checks(settings),
        lambda: [gpu_check(gpus)],
        lambda: encoder_checks(gpus),
        lambda: [voice_check(settings)],
        lambda: [provider_check(settings)],
    ]
    return [check for step in steps for check in step()]


_MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


def doctor_command(settings: Settings, *, as_json: bool) -> int:
    checks = run_checks(settings)
    healthy = not any(check.failed for check in checks)
    if as_json:
        report = {"healthy": healthy, "checks": [check.as_dict() for check in checks]}
        print(json.dumps(report, indent=2, default=str))
    else:
        width = max(len(check.name) for check in checks)
        for check in checks:
            print(f"{_MARK[check.status]}  {check.name:<{width}}  {check.detail}")
        print("healthy" if healthy else "NOT healthy: fix the FAIL lines above", file=sys.stderr)
    return 0 if healthy else 1
