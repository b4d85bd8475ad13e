"""The budget guard: before a stage starts, project the video's cost and pick its providers.

- The projection is what the video has spent (its ledger) plus the estimate of this
  stage and every later one with the providers each would use first.
- Past the video's downgrade point ($2.50 by default) the stage uses only the
  providers of its chain that are cheaper than its first choice (gpt-4o-mini for
  gpt-4o, a Standard voice or Piper for Neural2), in the chain's order.
- A provider whose estimate would take the total past the video's budget ($3.00)
  is dropped; when none is left the stage does not start and the video stops as
  ``over_budget``, keeping everything it made. Raising its budget and retrying
  resumes it from that stage.

The worker enforces the same limit call by call (``budget_left_micro_usd``), so an
estimate that was too low cannot carry a video far past its budget.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import SecretStr

from appliance.config.settings import Settings
from appliance.pricing.catalog import STAGE_KINDS, usable_chain
from appliance.pricing.estimate import stage_micro_usd
from render.costs import usd
from render.protocol import STAGES
from render.providers import ProviderChoice


@dataclass(frozen=True)
class StagePlan:
    stage: str
    providers: list[ProviderChoice]  # empty for stages that call none
    projected_micro_usd: int  # spent + this and later stages with their first choices
    downgraded: bool
    budget_left_micro_usd: int  # what this stage may spend at most
    stop: str | None = None  # why the stage must not start

    @property
    def first(self) -> str | None:
        return self.providers[0].name if self.providers else None


def plan_stage(
    settings: Settings,
    stage: str,
    chains: Mapping[str, Sequence[ProviderChoice]],
    *,
    seconds: float,
    spent_micro_usd: int,
    downgrade_micro_usd: int,
    limit_micro_usd: int,
    gpu: bool = True,
) -> StagePlan:
    """``chains``: stage → usable providers in order (already without unconfigured ones
    or those behind an open breaker), for this stage and the ones after it."""

    def cost(name: str, provider: ProviderChoice | None) -> int:
        return stage_micro_usd(settings, name, provider, seconds, gpu=gpu)

    def first(name: str) -> ProviderChoice | None:
        chain = chains.get(name) or ()
        return chain[0] if chain else None

    later = STAGES[STAGES.index(stage) :]  # type: ignore[arg-type]
    projected = spent_micro_usd + sum(cost(name, first(name)) for name in later)
    downgraded = projected > downgrade_micro_usd
    chain = list(chains.get(stage) or ())
    left = limit_micro_usd - spent_micro_usd

    if chain:
        if downgraded:
            preferred = cost(stage, chain[0])
            chain = [p for p in chain if cost(stage, p) < preferred] or chain
        fitting = [p for p in chain if cost(stage, p) <= left]
        if fitting:
            return StagePlan(stage, fitting, projected, downgraded, left)
        needed = min(cost(stage, p) for p in chain)
    else:
        needed = cost(stage, None)
        if needed <= left:
            return StagePlan(stage, [], projected, downgraded, left)
    stop = _stop_reason(stage, spent_micro_usd, needed, limit_micro_usd)
    return StagePlan(stage, [], projected, downgraded, left, stop=stop)


def plan_for_channel(
    settings: Settings,
    stage: str,
    channel_providers: dict | None,
    secrets: Mapping[str, SecretStr],
    *,
    seconds: float,
    spent_micro_usd: int,
    downgrade_micro_usd: int,
    limit_micro_usd: int,
    gpu: bool,
    allow: Callable[[str], bool] = lambda name: True,
    allow_later: Callable[[str], bool] = lambda name: True,
) -> tuple[StagePlan, dict[str, SecretStr]]:
    """Plan ``stage`` of a video from its channel's chains (or the box's) and the
    credentials at hand; returns the plan and just the credentials its providers need.

    ``allow`` filters this stage's providers (a breaker's trial call is taken here),
    ``allow_later`` those of the later stages, which are only projected.
    """
    chains = {
        name: usable_chain(
            settings,
            name,
            channel_providers,
            set(secrets),
            allow=allow if name == stage else allow_later,
        )[0]
        for name in STAGES[STAGES.index(stage) :]  # type: ignore[arg-type]
        if name in STAGE_KINDS
    }
    plan = plan_stage(
        settings,
        stage,
        chains,
        seconds=seconds,
        spent_micro_usd=spent_micro_usd,
        downgrade_micro_usd=downgrade_micro_usd,
        limit_micro_usd=limit_micro_usd,
        gpu=gpu,
    )
    wanted = {p.credential for p in plan.providers if p.credential}
    return plan, {name: value for name, value in secrets.items() if name in wanted}


def _stop_reason(stage: str, spent: int, needed: int, limit: int) -> str:
    return (
        f"the {stage} stage needs about {usd(needed)} and the video has spent {usd(spent)} "
        f"of its {usd(limit)} budget; raise the budget and retry to go on"
    )
