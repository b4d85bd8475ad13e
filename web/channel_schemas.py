"""Request and response shapes of channels.

A channel carries what its videos have in common: niche and script style, voice,
format, when it publishes, which providers each stage tries, a budget per video
and the privacy uploads get. ``ChannelIn`` is the one set of rules: a create is
checked against it, and so is the channel a PATCH would leave behind.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from apscheduler.triggers.cron import CronTrigger
from pydantic import BaseModel, Field, ValidationInfo, field_validator

from render.protocol import StageName
from render.script import list_niches, list_templates
from web.api_schemas import BodyModel, Page, VideoFormat, bounded_whole_number

Privacy = Literal["private", "unlisted", "public"]
# The niches and templates the script writer ships, as enums the OpenAPI document shows.
# Which template fits which niche is checked against the niche the channel ends up with.
Niche = Literal[tuple(list_niches())]  # type: ignore[valid-type]
_TEMPLATES = [name for niche in list_niches() for name in list_templates(niche)]
_STYLES = sorted({*_TEMPLATES, *(name.split("/", 1)[1] for name in _TEMPLATES)})
Style = Literal[tuple(_STYLES)]  # type: ignore[valid-type]
MAX_BUDGET_MICRO_USD = 100_000_000  # $100.00
MAX_PROVIDERS_PER_STAGE = 5
PROVIDER_NAME = r"^[a-z0-9][A-Za-z0-9_.:-]{0,63}$"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

ProviderName = Annotated[str, Field(pattern=PROVIDER_NAME, max_length=64)]
ProviderList = Annotated[
    list[ProviderName], Field(min_length=1, max_length=MAX_PROVIDERS_PER_STAGE)
]


# Each field's rules, once: a create requires or defaults them, a PATCH makes them optional.
def _name(default: Any = ...) -> Any:
    return Field(
        default, min_length=1, max_length=100, description="Shown in the console and on uploads."
    )


def _niche(default: Any) -> Any:
    return Field(default, description="One of the script writer's niches.")


def _language(default: Any) -> Any:
    return Field(
        default,
        pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$",
        max_length=16,
        description="A BCP 47 language tag, e.g. en or pt-BR.",
    )


def _voice() -> Any:
    return Field(
        None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}$",
        max_length=100,
        description="The narrator's voice; null uses the box's default voice.",
    )


def _style() -> Any:
    return Field(
        None,
        description=(
            "A script template of the niche ('explainer' or 'general/explainer'); "
            "null lets each video draw one."
        ),
    )


def _schedule() -> Any:
    return Field(
        None,
        max_length=100,
        pattern=r"^\s*\S+(\s+\S+){4}\s*$",
        description="When the channel publishes, as a crontab line ('0 9 * * mon'); "
        "null: as queued.",
    )


def _providers(**default: Any) -> Any:
    return Field(
        **default,
        description=(
            "Per stage, the providers to try in order, e.g. "
            '{"script": ["openai:gpt-4o", "template"]}; a stage left out uses the defaults.'
        ),
    )


# Bounds on the type, not the field: on an optional field pydantic cannot put them in
# the OpenAPI schema.
BudgetMicroUsd = bounded_whole_number(1, MAX_BUDGET_MICRO_USD)
DowngradeMicroUsd = bounded_whole_number(0, MAX_BUDGET_MICRO_USD)


def _budget(default: Any) -> Any:
    return Field(
        default,
        description="Most a video of this channel may spend, in micro-dollars ($1 = 1000000); "
        "a stage that would pass it does not start. Default: the box's budget.video_limit_usd.",
    )


def _downgrade(default: Any) -> Any:
    return Field(
        default,
        description="When a video's projected cost passes this (micro-dollars), its remaining "
        "stages use the cheaper providers of their chain. At most the budget. "
        "Default: the box's budget.video_downgrade_usd.",
    )


def _privacy(default: Any) -> Any:
    return Field(default, description="The privacy its uploads get.")


def _clean_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("name is blank")
    if _CONTROL.search(value):
        raise ValueError("name contains control characters")
    return value


def _style_of(niche: str, value: str) -> str:
    """The template's short name, if it is one of ``niche``'s templates."""
    templates = [name.split("/", 1)[1] for name in list_templates(niche)]
    short = value.removeprefix(f"{niche}/")
    if short not in templates:
        raise ValueError(
            f"{value!r} is not a template of niche {niche}; "
            f"choose one of {', '.join(templates)}, or null to draw one per video"
        )
    return short


def _crontab(value: str) -> str:
    line = " ".join(value.split())
    try:
        CronTrigger.from_crontab(line, timezone="UTC")
    except Exception as error:  # any refusal of the parser is bad input, never a 500
        raise ValueError(f"not a valid crontab line: {error}") from None
    return line


def _distinct(providers: dict[str, list[str]]) -> dict[str, list[str]]:
    for stage, names in providers.items():
        if len(set(names)) != len(names):
            raise ValueError(f"{stage} names a provider twice")
    return providers


class ChannelIn(BodyModel):
    name: str = _name()
    niche: Niche = _niche("general")
    language: str = _language("en")
    voice: str | None = _voice()
    style: Style | None = _style()
    format: VideoFormat = "1080p"
    schedule: str | None = _schedule()
    providers: dict[StageName, ProviderList] = _providers(default_factory=dict)
    budget_micro_usd: BudgetMicroUsd | None = _budget(None)
    downgrade_micro_usd: DowngradeMicroUsd | None = _downgrade(None)
    privacy: Privacy = _privacy("private")

    @field_validator("name")
    @classmethod
    def _clean_name(cls, value: str) -> str:
        return _clean_name(value)

    @field_validator("style")
    @classmethod
    def _fits_niche(cls, value: str | None, info: ValidationInfo) -> str | None:
        niche = info.data.get("niche")
        if value is None or niche is None:  # no valid niche: its own error says why
            return value
        return _style_of(niche, value)

    @field_validator("schedule")
    @classmethod
    def _crontab(cls, value: str | None) -> str | None:
        return None if value is None else _crontab(value)

    @field_validator("providers")
    @classmethod
    def _distinct(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        return _distinct(value)

    @field_validator("downgrade_micro_usd")
    @classmethod
    def _within_budget(cls, value: int | None, info: ValidationInfo) -> int | None:
        budget = info.data.get("budget_micro_usd")
        if value is not None and budget is not None and value > budget:
            raise ValueError(f"cannot be more than budget_micro_usd ({budget})")
        return value


class ChannelPatch(BodyModel):
    """Only the fields given change; the channel they leave must pass ``ChannelIn``.

    Fields that cannot be null default to None only so that leaving them out is
    allowed; sending null for them is refused like any other wrong type.
    """

    name: str = _name(None)
    niche: Niche = _niche(None)
    language: str = _language(None)
    voice: str | None = _voice()
    style: Style | None = _style()
    format: VideoFormat = Field(None)
    schedule: str | None = _schedule()
    providers: dict[StageName, ProviderList] = _providers(default=None)
    budget_micro_usd: BudgetMicroUsd = _budget(None)
    downgrade_micro_usd: DowngradeMicroUsd = _downgrade(None)
    privacy: Privacy = _privacy(None)

    def changes(self) -> dict[str, Any]:
        """The fields the request gave, by name."""
        return {name: getattr(self, name) for name in self.model_fields_set}


class Channel(BaseModel):
    """A channel and its settings."""

    id: int
    name: str
    niche: str
    language: str
    voice: str | None
    style: str | None
    format: str
    schedule: str | None
    providers: dict[str, list[str]]
    budget_micro_usd: int
    downgrade_micro_usd: int
    privacy: str
    created_at: datetime
    updated_at: datetime


class ChannelPage(Page):
    items: list[Channel]
