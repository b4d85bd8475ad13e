"""Health checks shared by ``/readyz`` and ``ytempire doctor``."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from appliance.config.settings import Settings
from storage.db import Database
from storage.tiers import inspect_tiers
from storage.urls import shown

Status = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    name: str
    status: Status
    detail: str
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


async def database_check(db: Database) -> Check:
    try:
        await db.ping()
    except Exception as exc:  # any driver error means "not usable", with its reason
        return Check("database", "fail", f"{shown(db.target)}: {exc}")
    where = shown(db.target)
    return Check("database", "ok", f"{where} is readable", {"path": where})


def tier_checks(settings: Settings) -> list[Check]:
    min_free = settings.storage.min_free_mb * 2**20
    return [
        Check(
            f"storage.{tier.name}",
            "ok" if tier.ok else "fail",
            tier.problem or f"{tier.path}: {tier.free_bytes // 2**20} MiB free",
            {
                "path": str(tier.path),
                "free_bytes": tier.free_bytes,
                "total_bytes": tier.total_bytes,
            },
        )
        for tier in inspect_tiers(settings.tiers, min_free)
    ]


async def readiness_checks(settings: Settings, db: Database) -> list[Check]:
    tiers = await asyncio.to_thread(tier_checks, settings)
    return [await database_check(db), *tiers]
