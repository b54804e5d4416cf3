"""The result of an experiment (contract §3): with a randomised plan, and from a diary that
followed none (a link, adjusted for the other factors, never a causal verdict)."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from crampwise.diary.daytable import DayTable, FactorColumn
from crampwise.errors import InputError
from crampwise.experiments.plan import ExperimentPlan, plan_experiment
from crampwise.experiments.verdict import (
    analyze_experiment,
    analyze_planned,
    switch_runs,
    washout_nights,
)
from crampwise.experiments.words import verdict_sentence

START = date(2026, 12, 1)


def _days(n: int) -> list[date]:
    return [START + timedelta(days=i) for i in range(n)]


def _table(cramps: list[int], on: list[bool | None], *extra: FactorColumn) -> DayTable:
    factors = [FactorColumn("footbath", "boolean", list(on)), *extra]
    return DayTable(dates=_days(len(cramps)), cramps=cramps, factors=factors)


def _followed(plan: ExperimentPlan, rates: tuple[float, float], seed: int) -> DayTable:
    """A diary that followed `plan`, with Poisson cramps at rates (on, off)."""
    rng = np.random.default_rng(seed)
    on = [plan.condition_on(d) == "on" for d in _days((plan.end - plan.start).days + 1)]
    cramps = [int(rng.poisson(rates[0] if o else rates[1])) for o in on]
    return _table(cramps, list(on))


# --- randomised: with the plan ------------------------------------------------------------


def test_a_planned_experiment_recovers_a_halving_and_calls_it_helps() -> None:
    plan = plan_experiment("warm_footbath", 12, 7, START, seed=9)
    result = analyze_planned(plan, _followed(plan, (0.75, 1.5), seed=5))
    assert result.randomised and result.adherence == 1.0 and result.pairs == 12
    assert result.effect is not None and 0.35 < result.effect.estimate < 0.7
    low, high = result.effect.ci95
    assert low < 0.5 < high
    assert result.verdict == "helps" and result.probability_helps is not None
    words = verdict_sentence(result, "the footbath")
    assert "half as many" in words and "sure it helps" in words


def test_only_nights_inside_the_plan_count_and_adherence_is_reported() -> None:
    plan = plan_experiment("warm_footbath", 2, 7, START + timedelta(days=5), seed=1)
    before = [1, 2, 0, 1, 3]  # the diary starts five days before the plan
    on: list[bool | None] = [None] * 5
    cramps = list(before)
    for day in _days(33)[5:]:
        scheduled = plan.condition_on(day)
        if scheduled is None:
            on.append(True)  # after the plan: not counted either
        else:
            on.append(scheduled == "on")
        cramps.append(1)
    on[5] = not on[5]  # one evening against the schedule
    result = analyze_planned(plan, _table(cramps, on))
    assert result.nights_on + result.nights_off == 28
    assert result.adherence == pytest.approx(27 / 28, abs=1e-3)
    assert result.verdict == "not_enough_data"  # 14 a side is the minimum; one flipped


def test_the_wash_out_drops_the_first_nights_after_each_switch_only() -> None:
    plan = plan_experiment("warm_footbath", 3, 7, START, seed=4, washout_days=2)
    runs = switch_runs(plan)
    assert len(runs) == 6 and runs[0] == 0
    switches = 1 + sum(a.condition != b.condition for a, b in pairwise(plan.periods))
    assert len(washout_nights(plan)) == 2 * switches
    result = analyze_planned(plan, _followed(plan, (1.0, 1.0), seed=2))
    assert result.nights_on + result.nights_off == 42 - 2 * switches


def test_a_useless_remedy_is_rarely_called_helpful() -> None:
    plan = plan_experiment("warm_footbath", 4, 7, START, seed=3)
    verdicts = [
        analyze_planned(plan, _followed(plan, (1.0, 1.0), seed=s)).verdict for s in range(40)
    ]
    assert verdicts.count("helps") <= 5  # nominally ~2 of 40 (see benchmarks/experiment)


# --- not randomised: a diary column -------------------------------------------------------


def test_a_diary_that_followed_no_plan_is_adjusted_and_not_called_proof() -> None:
    rng = np.random.default_rng(4)
    n = 120
    # A cold bedroom brings cramps, and the person takes a footbath on cold evenings: the
    # footbath itself does nothing. Unadjusted, footbath nights look worse.
    cold = rng.random(n) < 0.5
    footbath = np.where(cold, rng.random(n) < 0.8, rng.random(n) < 0.2)
    cramps = rng.poisson(np.where(cold, 1.6, 0.5))
    temp = FactorColumn("bedroom_temp_c", "numeric", [14.0 if c else 21.0 for c in cold])
    result = analyze_experiment(_table(cramps.tolist(), footbath.tolist(), temp), "footbath")
    assert not result.randomised and result.adjusted_for == ("bedroom_temp_c",)
    assert result.rate_on > 1.3 * result.rate_off  # the naive comparison
    assert result.verdict != "worse"  # adjusted for the cold, no clear link remains
    data = result.to_dict()
    assert data["randomised"] is False
    words = verdict_sentence(result, "the footbath")
    assert "not proof" in words and "sure it helps" not in words


def test_under_14_nights_in_an_arm_is_not_enough_data() -> None:
    on = [True] * 13 + [False] * 30
    cramps = [0] * 13 + [3] * 30
    result = analyze_experiment(_table(cramps, list(on)), "footbath")
    assert result.verdict == "not_enough_data"
    assert result.nights_on == 13
    assert "Not enough nights" in verdict_sentence(result, "the footbath")


def test_no_cramps_at_all_is_not_a_verdict() -> None:
    on = ([True] * 7 + [False] * 7) * 3
    result = analyze_experiment(_table([0] * len(on), list(on)), "footbath")
    assert result.effect is None and result.verdict == "not_enough_data"


def test_contract_json_fields() -> None:
    on = ([True] * 7 + [False] * 7) * 3
    cramps = ([0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1]) * 3
    data = analyze_experiment(_table(cramps, list(on)), "footbath").to_dict()
    assert {"nights_on", "nights_off", "rate_on", "rate_off", "effect", "randomised"} <= set(data)
    assert {"probability_helps", "verdict"} <= set(data)
    assert data["effect"]["measure"] == "rate_ratio"
    low, high = data["effect"]["ci95"]
    assert low < data["effect"]["estimate"] < high
    assert data["verdict"] in ("helps", "worse", "no_clear_effect", "not_enough_data")


def test_missing_column_and_non_boolean_column_are_input_errors() -> None:
    table = DayTable(
        dates=_days(3),
        cramps=[0, 1, 0],
        factors=[FactorColumn("fluids_l", "numeric", [1.0, 2.0, 1.5])],
    )
    with pytest.raises(InputError, match=r"column 'footbath'.*fluids_l"):
        analyze_experiment(table, "footbath")
    with pytest.raises(InputError, match="column 'fluids_l': is numeric, not boolean"):
        analyze_experiment(table, "fluids_l")


def test_analysis_reads_the_contract_csv(tmp_path: Path) -> None:
    from crampwise.interop.csv import read_day_table

    path = tmp_path / "diary.csv"
    on = ([True] * 7 + [False] * 7) * 3
    cramps = ([0, 1, 0, 0, 1, 0, 0, 1, 2, 1, 1, 2, 1, 1]) * 3
    lines = ["date,cramps,footbath"] + [
        f"{d.isoformat()},{c},{'yes' if o else 'no'}"
        for d, c, o in zip(_days(len(on)), cramps, on, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from_csv = analyze_experiment(read_day_table(path), "footbath")
    direct = analyze_experiment(_table(cramps, list(on)), "footbath")
    assert from_csv.to_dict() == direct.to_dict()
    assert from_csv.nights_on == 21 and from_csv.rate_off == pytest.approx(9 / 7, abs=1e-3)
