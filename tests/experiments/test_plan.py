"""n-of-1 plans (contract §3): schedules, their JSON, and reading a plan back."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from crampwise.errors import InputError
from crampwise.experiments.plan import plan_experiment, read_plan

START = date(2026, 12, 1)


def test_plan_has_pairs_of_contiguous_periods_with_one_on_and_one_off() -> None:
    plan = plan_experiment("warm_footbath", pairs=5, period_days=7, start=START, seed=11)
    assert len(plan.periods) == 10
    assert plan.periods[0].start == START
    for before, after in zip(plan.periods, plan.periods[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
    for p in plan.periods:
        assert (p.end - p.start).days == 6
    for k in range(5):
        pair = {plan.periods[2 * k].condition, plan.periods[2 * k + 1].condition}
        assert pair == {"on", "off"}
    assert plan.end == START + timedelta(days=69)
    assert plan.column == "footbath"


def test_same_seed_same_schedule_and_seeds_vary_the_order() -> None:
    a = plan_experiment("calf_stretch_bedtime", 8, 7, "2026-12-01", seed=42)
    b = plan_experiment("calf_stretch_bedtime", 8, 7, "2026-12-01", seed=42)
    assert a.to_dict() == b.to_dict()
    orders = {
        tuple(p.condition for p in plan_experiment("warm_footbath", 8, 7, START, s).periods)
        for s in range(20)
    }
    assert len(orders) > 10  # 2^8 possible orders: seeds really randomise


def test_randomisation_is_a_fair_coin_per_pair() -> None:
    firsts = [
        plan_experiment("warm_footbath", 1, 3, START, seed=s).periods[0].condition
        for s in range(400)
    ]
    share_on = firsts.count("on") / len(firsts)
    assert 0.42 < share_on < 0.58


def test_plan_without_seed_records_the_seed_it_drew() -> None:
    plan = plan_experiment("warm_footbath", 3, 7, START)
    assert plan.seed is not None
    again = plan_experiment("warm_footbath", 3, 7, START, seed=plan.seed)
    assert again.periods == plan.periods


def test_plan_json_follows_the_contract() -> None:
    data = plan_experiment("warm_footbath", 2, 7, START, seed=1).to_dict()
    assert data["intervention"] == "warm_footbath"
    first = data["periods"][0]
    assert set(first) == {"start", "end", "condition"}
    assert first["start"] == "2026-12-01" and first["end"] == "2026-12-07"
    assert first["condition"] in ("on", "off")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"pairs": 0}, "pairs"),
        ({"period_days": 0}, "period_days"),
        ({"start": "2026-13-01"}, "start"),
        ({"start": "tomorrow"}, "start"),
        ({"washout_days": 7}, "washout_days"),
        ({"pairs": 40, "period_days": 7}, "pairs"),
        ({"intervention": "quinine"}, "intervention"),
        ({"intervention": "ibuprofen"}, "intervention"),
    ],
)
def test_plan_rejects_bad_input_naming_the_field(kwargs: dict[str, object], field: str) -> None:
    args: dict[str, object] = {
        "intervention": "warm_footbath",
        "pairs": 3,
        "period_days": 7,
        "start": START,
        "seed": 1,
    }
    args.update(kwargs)
    with pytest.raises(InputError, match=f"'{field}'"):
        plan_experiment(**args)  # type: ignore[arg-type]


def test_a_printed_plan_reads_back_as_the_same_schedule() -> None:
    plan = plan_experiment("warm_footbath", 3, 7, START, seed=4, washout_days=2)
    again = read_plan(json.dumps(plan.to_dict()))
    assert again.periods == plan.periods and again.washout_days == 2
    assert read_plan(json.dumps(plan.to_dict()), column="bath", washout_days=3).column == "bath"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("{not json", "not JSON"),
        ("[]", "list of 'periods'"),
        ('{"intervention": "warm_footbath", "periods": []}', "list of 'periods'"),
        (
            '{"intervention": "warm_footbath", "periods": [{"start": "2026-12-01", '
            '"end": "2026-11-30", "condition": "on"}]}',
            "period 1",
        ),
        (
            '{"intervention": "warm_footbath", "periods": [{"start": "2026-12-01", '
            '"end": "2026-12-07", "condition": "maybe"}]}',
            "period 1",
        ),
        (
            '{"intervention": "warm_footbath", "periods": [{"start": "soon", '
            '"end": "2026-12-07", "condition": "on"}]}',
            "malformed",
        ),
    ],
)
def test_a_bad_plan_file_is_refused_naming_what_is_wrong(text: str, words: str) -> None:
    with pytest.raises(InputError, match="field 'plan'") as err:
        read_plan(text)
    assert words in str(err.value)
