"""A channel's settings and their rules, in one place.

A channel carries what its videos have in common: niche and script style, voice,
format, when it publishes, which providers each stage tries, a budget per video
and the privacy uploads get. ``ChannelSettings`` is the one set of rules: a create
is checked against it, and so is the channel a change would leave behind. The API's
request shapes are made of these fields.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from appliance.domain.values import VideoFormat, bounded_whole_number, control_character
from render.protocol import StageName
from render.script import list_niches, list_templates

Privacy = Literal["private", "unlisted", "public"]
# The niches and templates the script writer ships, as enums the OpenAPI document shows.
# Which template fits which niche is checked against the niche the channel ends up with.
Niche = Literal[tuple(list_niches())]  # type: ignore[valid-type]
_TEMPLATES = [name for niche in list_niches() for name in list_templates(niche)]
_STYLES = sorted({*_TEMPLATES, *(name.split("/", 1)[1] for name in _TEMPLATES)})
Style = Literal[tuple(_STYLES)]  # type: ignore[valid-type]
MAX_BUDGET_MICRO_USD = 100_000_000  # $100.00
MAX_PROVIDERS_PER_STAGE = 5
_PROVIDER_NAME = re.compile(r"[a-z0-9][A-Za-z0-9_.:-]{0,63}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}")
_VOICE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,99}")
_YOUTUBE_CHANNEL = re.compile(r"UC[A-Za-z0-9_-]{22}")
_PLAYLIST = re.compile(r"[A-Za-z0-9_-]{2,64}")
_CATEGORY = re.compile(r"[0-9]{1,3}")


def _shaped(pattern: re.Pattern[str], how: str) -> AfterValidator:
    """A text rule whose refusal says in words what the text should look like."""

    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(how)
        return value

    return AfterValidator(check)


def _five_fields(value: str) -> str:
    if len(value.split()) != 5:
        raise ValueError(
            "must be a 5-field crontab such as `0 9 * * *` (minute hour day month weekday)"
        )
    return value


ProviderName = Annotated[
    str,
    Field(max_length=64),
    _shaped(_PROVIDER_NAME, "must be a provider name such as openai:gpt-4o-mini or piper"),
]
LanguageTag = Annotated[
    str,
    Field(max_length=16),
    _shaped(_LANGUAGE, "must be a language tag such as en or pt-BR"),
]
VoiceName = Annotated[
    str,
    Field(max_length=100),
    _shaped(_VOICE, "must be a voice name of letters, digits and . _ : - such as en_US-joe-medium"),
]
Crontab = Annotated[str, Field(max_length=100), AfterValidator(_five_fields)]
ProviderList = Annotated[
    list[ProviderName], Field(min_length=1, max_length=MAX_PROVIDERS_PER_STAGE)
]


# Each field's rules, once: a create requires or defaults them, a PATCH makes them optional.
def name_field(default: Any = ...) -> Any:
    return Field(
        default, min_length=1, max_length=100, description="Shown in the console and on uploads."
    )


def niche_field(default: Any) -> Any:
    return Field(default, description="One of the script writer's niches.")


def language_field(default: Any) -> Any:
    return Field(
        default,
        description="A BCP 47 language tag, e.g. en or pt-BR.",
    )


def voice_field() -> Any:
    return Field(
        None,
        description="The narrator's voice; null uses the box's default voice.",
    )


def style_field() -> Any:
    return Field(
        None,
        description=(
            "A script template of the niche ('explainer' or 'general/explainer'); "
            "null lets each video draw one."
        ),
    )


def schedule_field() -> Any:
    return Field(
        None,
        description="When the channel publishes, as a crontab line ('0 9 * * mon'); "
        "null: as queued.",
    )


def providers_field(**default: Any) -> Any:
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
LowMark = bounded_whole_number(0, 200)
RefillSize = bounded_whole_number(1, 50)
DowngradeMicroUsd = bounded_whole_number(0, MAX_BUDGET_MICRO_USD)


def budget_field(default: Any) -> Any:
    return Field(
        default,
        description="Most a video of this channel may spend, in micro-dollars ($1 = 1000000); "
        "a stage that would pass it does not start. Default: the box's budget.video_limit_usd.",
    )


def downgrade_field(default: Any) -> Any:
    return Field(
        default,
        description="When a video's projected cost passes this (micro-dollars), its remaining "
        "stages use the cheaper providers of their chain. At most the budget. "
        "Default: the box's budget.video_downgrade_usd.",
    )


def privacy_field(default: Any) -> Any:
    return Field(default, description="The privacy its uploads get.")


YouTubeChannelId = Annotated[
    str,
    Field(max_length=24),
    _shaped(_YOUTUBE_CHANNEL, "must be a YouTube channel id: UC and 22 letters, digits, - or _"),
]
PlaylistId = Annotated[
    str,
    Field(max_length=64),
    _shaped(_PLAYLIST, "must be a YouTube playlist id such as PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG"),
]
CategoryId = Annotated[
    str, Field(max_length=3), _shaped(_CATEGORY, "must be a YouTube category id such as 22")
]


def youtube_channel_field() -> Any:
    return Field(
        None,
        description="The YouTube channel (UC...) its videos are uploaded to, through the "
        "connections to it; null: exported locally only.",
    )


def timezone_field(default: Any) -> Any:
    return Field(
        default,
        max_length=64,
        description="The IANA time zone the schedule is read in, e.g. Europe/Berlin.",
    )


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            "is not a time zone this box knows, e.g. UTC or America/New_York"
        ) from None
    return value


TimeZoneName = Annotated[str, Field(max_length=64), AfterValidator(_timezone)]


def low_mark_field() -> Any:
    return Field(
        None,
        description="Below this many backlog topics, topic ideas refill the backlog "
        "(checked with the schedules); null: never refilled by itself.",
    )


def refill_field(default: Any) -> Any:
    return Field(default, description="How many topics a refill adds beyond the low mark.")


def playlist_field() -> Any:
    return Field(None, description="A playlist each uploaded video is added to; null: none.")


def category_field(default: Any) -> Any:
    return Field(default, description="YouTube category id of its uploads (22: People & Blogs).")


def made_for_kids_field(default: Any) -> Any:
    return Field(default, description="Its uploads are declared made for kids (COPPA).")


def _clean_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    found = control_character(value)
    if found:
        raise ValueError(f"must not contain control characters ({found})")
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
        raise ValueError(f"is not a crontab line this box can run: {error}") from None
    return line


def _distinct(providers: dict[str, list[str]]) -> dict[str, list[str]]:
    for stage, names in providers.items():
        if len(set(names)) != len(names):
            raise ValueError(f"{stage} names a provider twice")
    return providers


class ChannelSettings(BaseModel):
    """Everything a channel's row holds that its owner chooses; checked as a whole."""

    model_config = ConfigDict(extra="forbid")
    name: str = name_field()
    niche: Niche = niche_field("general")
    language: LanguageTag = language_field("en")
    voice: VoiceName | None = voice_field()
    style: Style | None = style_field()
    format: VideoFormat = "1080p"
    schedule: Crontab | None = schedule_field()
    schedule_timezone: TimeZoneName = timezone_field("UTC")
    providers: dict[StageName, ProviderList] = providers_field(default_factory=dict)
    budget_micro_usd: BudgetMicroUsd | None = budget_field(None)
    downgrade_micro_usd: DowngradeMicroUsd | None = downgrade_field(None)
    privacy: Privacy = privacy_field("private")
    youtube_channel_id: YouTubeChannelId | None = youtube_channel_field()
    youtube_playlist_id: PlaylistId | None = playlist_field()
    youtube_category_id: CategoryId = category_field("22")
    made_for_kids: bool = made_for_kids_field(False)
    backlog_low_mark: LowMark | None = low_mark_field()
    backlog_refill: RefillSize = refill_field(10)

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


# The settings a channel's row holds, by name.
SETTINGS = tuple(ChannelSettings.model_fields)
