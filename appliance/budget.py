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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from appliance.cost_estimate import stage_micro_usd
from appliance.settings import Settings
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
            cheaper = [p for p in chain if cost(stage, p) < preferred]
            chain = cheaper or chain
        fitting = [p for p in chain if cost(stage, p) <= left]
        if not fitting:
            cheapest = min(cost(stage, p) for p in chain)
            return StagePlan(
                stage,
                [],
                projected,
                downgraded,
                left,
                stop=_stop_reason(stage, spent_micro_usd, cheapest, limit_micro_usd),
            )
        chain = fitting
    else:
        needed = cost(stage, None)
        if needed > left:
            return StagePlan(
                stage,
                [],
                projected,
                downgraded,
                left,
                stop=_stop_reason(stage, spent_micro_usd, needed, limit_micro_usd),
            )
    return StagePlan(stage, chain, projected, downgraded, left)


def _stop_reason(stage: str, spent: int, needed: int, limit: int) -> str:
    return (
        f"the {stage} stage needs about {usd(needed)} and the video has spent {usd(spent)} "
        f"of its {usd(limit)} budget; raise the budget and retry to go on"
    )
