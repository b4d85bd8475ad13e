"""The ledger's arithmetic, the provider catalog and the budget guard's decisions."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from appliance.config.loader import load_settings
from appliance.config.settings import Settings
from appliance.pricing.budget import plan_stage
from appliance.pricing.catalog import (
    UnknownProvider,
    chain_names,
    check,
    choice,
    google_voice_family,
    usable_chain,
)
from appliance.pricing.estimate import provider_micro_usd, stage_micro_usd, video_estimate
from render.costs import Charge, amount_micro_usd, per_second_from_hourly, usd, usd_exact

GUARD_BENCH = Path(__file__).resolve().parent.parent / "bench" / "cost_guard.py"


@pytest.fixture
def box(tmp_path: Path) -> Settings:
    return load_settings(environ={"YTEMPIRE_DATA_DIR": str(tmp_path)}, cwd=tmp_path)


# -- arithmetic ------------------------------------------------------------------------


def test_amounts_round_half_to_even_on_exact_decimals() -> None:
    # 0.15 µ$ per token is 0.15 exactly, not the float below it.
    assert amount_micro_usd(10, 0.15) == 2  # 1.5 → 2
    assert amount_micro_usd(30, 0.15) == 4  # 4.5 → 4 (half to even)
    assert amount_micro_usd(1234, 2.5) == 3085
    assert amount_micro_usd(7200, 16) == 115_200
    assert Charge("openai:gpt-4o", 1000, "output token", 10.0).amount_micro_usd == 10_000


def test_compute_rate_per_second() -> None:
    assert per_second_from_hourly(0.09) == Decimal(25)
    assert amount_micro_usd(12.345, per_second_from_hourly(0.09)) == 309  # 308.625


def test_dollar_formats() -> None:
    assert usd_exact(1_234_500) == "1.234500"
    assert usd(1_234_567) == "$1.23"
    assert usd(1_235_000) == "$1.24"
    assert usd(5) == "$0.00"
    assert usd(-2_500_000) == "-$2.50"


# -- catalog ---------------------------------------------------------------------------


def test_names_parse_and_prices_come_from_the_table(box: Settings) -> None:
    gpt = choice(box, "script", "openai:gpt-4o")
    assert gpt.kind == "openai" and gpt.model == "gpt-4o"
    assert gpt.prices == {"input token": 2.5, "cached input token": 1.25, "output token": 10.0}
    assert gpt.credential == "openai"
    old = choice(box, "script", "openai:gpt-3.5-turbo")
    assert old.prices["cached input token"] == 0.5  # no cached price: billed as input
    voice = choice(box, "voice", "google-tts:en-US-Neural2-D")
    assert voice.prices == {"character": 16.0} and voice.options["language_code"] == "en-US"
    assert choice(box, "voice", "google-tts:en-US-Standard-C").prices == {"character": 4.0}
    assert google_voice_family("en-US-Chirp3-HD-Achernar") == "chirp3-hd"
    assert choice(box, "media", "pexels").prices == {"request": 0.0}


@pytest.mark.parametrize(
    ("stage", "name", "says"),
    [
        ("script", "openai:gpt-9", "no price for model"),
        ("script", "openai", "name the model"),
        ("script", "pexels", "cannot make the script"),
        ("voice", "google-tts:klingon", "not a Google voice name"),
        ("voice", "google-tts:en-US-Bogus9-A", "no price for voice family"),
        ("render", "template", "takes no providers"),
        ("script", "local-llm:llama3", "local_llm.base_url"),
        ("media", "wikimedia", "unknown provider"),
    ],
)
def test_names_the_box_cannot_use_are_refused(
    box: Settings, stage: str, name: str, says: str
) -> None:
    with pytest.raises(UnknownProvider, match=says):
        check(box, stage, name)


def test_a_price_added_in_the_config_makes_a_model_usable(tmp_path: Path) -> None:
    config = tmp_path / "ytempire.toml"
    config.write_text('[prices.llm."gpt-9"]\ninput = 1.0\noutput = 4.0\n')
    box = load_settings(config, environ={}, cwd=tmp_path)
    assert choice(box, "script", "openai:gpt-9").prices["output token"] == 4.0
    assert "gpt-4o" in box.prices.llm  # the built-in rows stay


def test_chains_end_offline_and_skip_what_cannot_run(box: Settings) -> None:
    assert chain_names(box, "script", None) == ["openai:gpt-4o-mini", "template"]
    assert chain_names(box, "voice", {"voice": ["google-tts:en-US-Neural2-D"]}) == [
        "google-tts:en-US-Neural2-D",
        "piper",
    ]
    chain, skipped = usable_chain(box, "media", None, configured=set())
    assert [c.name for c in chain] == ["library", "generated"]
    assert skipped == [("pexels", "no credentials"), ("pixabay", "no credentials")]
    chain, skipped = usable_chain(
        box, "media", None, configured={"pexels", "pixabay"}, allow=lambda n: n != "pexels"
    )
    assert [c.name for c in chain] == ["library", "pixabay", "generated"]
    assert skipped == [("pexels", "breaker open")]


# -- estimates and the guard -----------------------------------------------------------


def test_estimates_scale_with_length_and_price(box: Settings) -> None:
    mini = choice(box, "script", "openai:gpt-4o-mini")
    big = choice(box, "script", "openai:gpt-4o")
    assert 0 < provider_micro_usd(mini, 480) < provider_micro_usd(big, 480)
    assert provider_micro_usd(big, 480) < provider_micro_usd(big, 900)
    neural = choice(box, "voice", "google-tts:en-US-Neural2-D")
    standard = choice(box, "voice", "google-tts:en-US-Standard-C")
    assert provider_micro_usd(neural, 480) == 4 * provider_micro_usd(standard, 480)
    assert (
        stage_micro_usd(box, "render", None, 480, gpu=True)
        < stage_micro_usd(box, "render", None, 480, gpu=False)
        or box.prices.gpu_slot_per_hour > box.prices.cpu_slot_per_hour
    )
    lines = video_estimate(box, {"script": "template", "voice": "piper", "media": "generated"}, 480)
    assert [line.stage for line in lines] == [
        "script",
        "voice",
        "media",
        "render",
        "thumbnail",
        "review",
        "upload",
    ]
    assert lines[0].micro_usd == 0 and lines[3].micro_usd > 0


def _chains(box: Settings, **names: list[str]):
    return {stage: [choice(box, stage, n) for n in chain] for stage, chain in names.items()}


def test_under_the_downgrade_point_the_first_choice_stands(box: Settings) -> None:
    chains = _chains(
        box,
        script=["openai:gpt-4o", "openai:gpt-4o-mini", "template"],
        voice=["google-tts:en-US-Neural2-D", "piper"],
        media=["generated"],
    )
    plan = plan_stage(
        box,
        "script",
        chains,
        seconds=480,
        spent_micro_usd=0,
        downgrade_micro_usd=2_500_000,
        limit_micro_usd=3_000_000,
    )
    assert plan.first == "openai:gpt-4o" and not plan.downgraded and plan.stop is None
    assert plan.budget_left_micro_usd == 3_000_000


def test_past_the_downgrade_point_cheaper_providers_take_over(box: Settings) -> None:
    chains = _chains(
        box,
        voice=["google-tts:en-US-Neural2-D", "google-tts:en-US-Standard-C", "piper"],
        media=["generated"],
    )
    plan = plan_stage(
        box,
        "voice",
        chains,
        seconds=480,
        spent_micro_usd=2_450_000,
        downgrade_micro_usd=2_500_000,
        limit_micro_usd=3_000_000,
    )
    assert plan.downgraded
    assert [p.name for p in plan.providers] == ["google-tts:en-US-Standard-C", "piper"]
    assert plan.budget_left_micro_usd == 550_000


def test_a_provider_that_would_pass_the_budget_is_dropped_and_none_left_stops(
    box: Settings,
) -> None:
    chains = _chains(box, voice=["google-tts:en-US-Neural2-D"], media=["generated"])
    # Neural2 for 8 minutes is about $0.12: $2.95 spent leaves $0.05.
    plan = plan_stage(
        box,
        "voice",
        chains,
        seconds=480,
        spent_micro_usd=2_950_000,
        downgrade_micro_usd=2_500_000,
        limit_micro_usd=3_000_000,
    )
    assert plan.stop is not None and "raise the budget" in plan.stop
    assert "$2.95" in plan.stop and "$3.00" in plan.stop
    chains = _chains(box, voice=["google-tts:en-US-Neural2-D", "piper"], media=["generated"])
    plan = plan_stage(
        box,
        "voice",
        chains,
        seconds=480,
        spent_micro_usd=2_950_000,
        downgrade_micro_usd=2_500_000,
        limit_micro_usd=3_000_000,
    )
    assert plan.stop is None and plan.first == "piper"


def test_a_stage_without_providers_stops_when_its_compute_would_not_fit(box: Settings) -> None:
    render_cost = stage_micro_usd(box, "render", None, 480, gpu=True)
    plan = plan_stage(
        box,
        "render",
        {},
        seconds=480,
        spent_micro_usd=3_000_000 - render_cost + 1,
        downgrade_micro_usd=2_500_000,
        limit_micro_usd=3_000_000,
    )
    assert plan.stop is not None and "render" in plan.stop
    plan = plan_stage(
        box,
        "render",
        {},
        seconds=480,
        spent_micro_usd=3_000_000 - render_cost,
        downgrade_micro_usd=2_500_000,
        limit_micro_usd=3_000_000,
    )
    assert plan.stop is None and plan.providers == []


# -- docs/COSTS.md ---------------------------------------------------------------------


def test_costs_doc_is_current_and_computed_from_the_price_table() -> None:
    from appliance.pricing.costs_doc import MIXES, costs_markdown, estimates

    repo = Path(__file__).resolve().parent.parent
    assert (repo / "docs" / "COSTS.md").read_text() == costs_markdown(Settings()), (
        "docs/COSTS.md is stale: run `ytempire costs reference > docs/COSTS.md`"
    )
    totals = {
        name: sum(line.micro_usd for line in lines) for name, lines in estimates(Settings()).items()
    }
    assert set(totals) == set(MIXES)
    assert totals["offline"] < totals["cheapest cloud"] < totals["box default (cloud)"]
    assert totals["box default (cloud)"] < totals["best cloud"] < 3_000_000


def test_costs_command_prices_this_box(tmp_path: Path, capsys) -> None:
    import json

    from appliance.cli.main import main

    config = tmp_path / "ytempire.toml"
    config.write_text('data_dir = "data"\n[prices.tts]\nneural2 = 32.0\n')
    assert main(["costs", "--json", "--config", str(config)]) == 0
    doubled = json.loads(capsys.readouterr().out)["mixes"]["box default (cloud)"]
    assert main(["costs", "--json", "--config", str(config), "--seconds", "240"]) == 0
    half = json.loads(capsys.readouterr().out)["mixes"]["box default (cloud)"]
    assert doubled["stages_micro_usd"]["voice"] > 1.9 * half["stages_micro_usd"]["voice"]
    from appliance.pricing.costs_doc import estimates

    reference = estimates(Settings())["box default (cloud)"][1].micro_usd  # the voice line
    assert doubled["stages_micro_usd"]["voice"] == 2 * reference  # this box's price table
    assert main(["costs", "--seconds", "5", "--config", str(config)]) == 2
    assert "--seconds" in capsys.readouterr().err


async def test_the_guard_benchmark_runs_and_reports_against_its_floor() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("cost_guard_bench", GUARD_BENCH)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = await bench.run(videos=3, rounds=1)
    assert result["floor"]["calls"] == result["plan"]["calls"] == 3
    assert result["ratio_p50"] > 0
