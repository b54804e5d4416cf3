"""n-of-1 plans and their analysis (contract §3): schedule, windows, model, verdict."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from crampwise.diary.daytable import DayTable, FactorColumn
from crampwise.errors import InputError
from crampwise.experiments.periods import build_windows, fit_windows, window_totals
from crampwise.experiments.plan import (
    analyze_experiment,
    analyze_nights,
    plan_experiment,
)

START = date(2026, 12, 1)


def _days(n: int, start: date = START) -> list[date]:
    return [start + timedelta(days=i) for i in range(n)]


def _table(cramps: list[int], on: list[bool | None], column: str = "footbath") -> DayTable:
    return DayTable(
        dates=_days(len(cramps)),
        cramps=cramps,
        factors=[FactorColumn(column, "boolean", list(on))],
    )


# --- plan ------------------------------------------------------------------------------


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


# --- windows -----------------------------------------------------------------------------


def test_windows_straddle_each_switch_and_drop_the_washout() -> None:
    # 10 on, 10 off, a gap of 3 days, 6 off, then 8 on
    days = np.array(list(range(20)) + list(range(23, 29)) + list(range(29, 37)))
    on = np.array([True] * 10 + [False] * 16 + [True] * 8)
    design = build_windows(days, on, washout_days=2)
    # wash-out drops the first 2 nights of each of the four runs (the gap starts a run)
    dropped = np.flatnonzero(design.night_window < 0).tolist()
    assert dropped == [0, 1, 10, 11, 20, 21, 26, 27]
    # two switches, two windows: [all 8 kept on, first half of the 12 kept off] and
    # [second half of the off nights, all 6 kept on nights]
    assert design.nights_on.tolist() == [8, 6]
    assert design.nights_off.tolist() == [6, 6]
    assert design.night_window[2:10].tolist() == [0] * 8
    assert design.night_window[-6:].tolist() == [1] * 6


def test_windows_of_a_plan_are_its_pairs_when_two_pairs_meet_without_a_switch() -> None:
    # on-off | off-on | on-off: the merged 14-night runs split at the pair boundaries
    on = np.repeat([True, False, False, True, True, False], 7)
    design = build_windows(np.arange(on.size), on)
    assert design.windows == 3
    assert design.night_window.tolist() == np.repeat([0, 1, 2], 14).tolist()
    # on-off | on-off: every switch gets a window (the middle one straddles the pairs)
    design = build_windows(np.arange(28), np.repeat([True, False, True, False], 7))
    assert design.nights_on.tolist() == [7, 4, 3] and design.nights_off.tolist() == [4, 3, 7]
    assert design.df == 2  # ¾ of W - 1 = 1.5, rounded up


def test_thin_windows_from_a_skipped_evening_merge_into_a_neighbour() -> None:
    on = np.repeat([True, False, True, False], 7)
    on[3] = False  # one skipped evening in the first on-period
    design = build_windows(np.arange(on.size), on)
    assert (design.nights_on >= 1).all() and (design.nights_off >= 1).all()
    assert (design.night_window >= 0).all()
    assert design.nights_on.sum() == 13 and design.nights_off.sum() == 15


def test_rows_without_the_column_are_left_out_and_break_runs() -> None:
    on: list[bool | None] = [True] * 20 + [None] * 5 + [False] * 20
    cramps = [1] * 20 + [9] * 5 + [2] * 20
    result = analyze_experiment(_table(cramps, on), "footbath")
    assert result.nights_on == 20 and result.nights_off == 20
    assert result.cramps_on == 20 and result.cramps_off == 40
    assert result.rate_on == 1.0 and result.rate_off == 2.0


def test_washout_removes_the_first_nights_of_every_run() -> None:
    on = ([True] * 7 + [False] * 7) * 3
    cramps = ([5, 5, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1]) * 3
    result = analyze_experiment(_table(cramps, list(on)), "footbath", washout_days=2)
    assert result.nights_on == 15 and result.nights_off == 15
    assert result.rate_on == 0.0 and result.rate_off == 1.0


# --- the model --------------------------------------------------------------------------


def test_fit_is_the_paired_t_on_window_log_ratios() -> None:
    from scipy import stats

    rng = np.random.default_rng(7)
    plan = plan_experiment("warm_footbath", 10, 7, START, seed=3)
    on = np.repeat([p.condition == "on" for p in plan.periods], 7)
    nights = np.arange(on.size)
    counts = rng.poisson(2.0 * np.where(on, 0.6, 1.0) * np.exp(0.4 * nights / nights.size))
    design = build_windows(nights, on)
    y_on, y_off = (t[0] for t in window_totals(design, counts))
    fit = fit_windows(design, y_on, y_off)
    # by hand: one pseudo-cramp per window, split by exposure
    share = design.nights_on / (design.nights_on + design.nights_off)
    d = np.log((y_on + share) / design.nights_on) - np.log((y_off + 1 - share) / design.nights_off)
    w = d.size
    assert fit.log_rr[0] == pytest.approx(d.mean())
    dev = d - d.mean()
    lag1 = max(0.0, float((dev[1:] * dev[:-1]).sum()) / (w - 1))
    assert fit.se[0] == pytest.approx(np.sqrt((d.var(ddof=1) + 2 * lag1) / w))
    assert fit.df == round(0.75 * (w - 1) + 1e-9)
    expected = stats.t.cdf(-d.mean() / fit.se[0], fit.df)
    assert fit.probability_helps()[0] == pytest.approx(expected)
    assert 0.45 < np.exp(fit.log_rr[0]) < 0.8


def test_slow_drift_cancels_within_windows() -> None:
    # The rate triples over the experiment and the schedule happens to put "on" late in
    # every pair: comparing all on with all off nights would say "worse"; windows do not.
    on = np.tile(np.repeat([False, True], 7), 6)
    t = np.arange(on.size)
    counts = np.round(1.0 + 2.0 * t / t.size).astype(int)
    result = analyze_nights(_days(on.size), counts.tolist(), on.tolist())
    assert result.rate_on > result.rate_off  # the naive comparison
    assert result.verdict == "no_clear_effect"


def test_rate_ratio_estimate_recovers_a_planted_effect() -> None:
    rng = np.random.default_rng(5)
    plan = plan_experiment("warm_footbath", 26, 7, START, seed=9)
    on = np.repeat([p.condition == "on" for p in plan.periods], 7)
    counts = rng.poisson(np.where(on, 0.5, 1.0))
    result = analyze_nights(_days(on.size), counts.tolist(), on.tolist())
    assert result.effect is not None
    assert 0.42 < result.effect.estimate < 0.6
    low, high = result.effect.ci95
    assert low < 0.5 < high
    assert result.verdict == "helps"
    assert result.probability_helps is not None and result.probability_helps > 0.999


def test_verdict_worse_when_cramps_rise_on_the_remedy() -> None:
    on = ([True] * 7 + [False] * 7) * 4
    cramps = ([2, 3, 2, 3, 2, 3, 2, 0, 1, 0, 0, 1, 0, 0]) * 4
    result = analyze_experiment(_table(cramps, list(on)), "footbath")
    assert result.verdict == "worse"
    assert result.probability_helps is not None and result.probability_helps <= 0.05


def test_under_14_nights_in_an_arm_is_not_enough_data() -> None:
    on = [True] * 13 + [False] * 30
    cramps = [0] * 13 + [3] * 30
    result = analyze_experiment(_table(cramps, list(on)), "footbath")
    assert result.verdict == "not_enough_data"
    assert result.nights_on == 13


def test_no_cramps_at_all_gives_no_clear_effect_and_finite_numbers() -> None:
    on = ([True] * 7 + [False] * 7) * 3
    result = analyze_experiment(_table([0] * len(on), list(on)), "footbath")
    assert result.verdict == "no_clear_effect"
    assert result.effect is not None
    assert result.probability_helps == pytest.approx(0.5, abs=0.05)
    assert all(np.isfinite(result.effect.ci95))


def test_zero_cramps_in_one_arm_still_gives_a_finite_interval() -> None:
    on = ([True] * 7 + [False] * 7) * 3
    cramps = ([0] * 7 + [1, 2, 1, 1, 2, 1, 1]) * 3
    result = analyze_experiment(_table(cramps, list(on)), "footbath")
    assert result.effect is not None and np.isfinite(result.effect.ci95[0])
    assert result.effect.estimate < 0.2
    assert result.verdict == "helps"


def test_contract_json_fields() -> None:
    on = ([True] * 7 + [False] * 7) * 3
    cramps = ([0, 1, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1]) * 3
    data = analyze_experiment(_table(cramps, list(on)), "footbath").to_dict()
    assert {"nights_on", "nights_off", "rate_on", "rate_off", "effect"} <= set(data)
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


def test_analysis_reads_the_contract_csv(tmp_path: object) -> None:
    from pathlib import Path

    from crampwise.interop.csv import read_day_table

    path = Path(str(tmp_path)) / "diary.csv"
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


def test_neighbouring_windows_that_move_together_widen_the_interval() -> None:
    # Window contrasts that drift in runs (neighbours alike) carry less information than
    # the same contrasts in alternating order: the lag-1 (MA(1)) term must widen the interval.
    on = np.tile(np.repeat([True, False, False, True], 7), 4)  # 8 windows of 7 + 7 nights
    design = build_windows(np.arange(on.size), on)
    w = design.windows
    assert w == 8
    base = np.full(w, 6.0)
    swing = np.where((np.arange(w) // 4) % 2 == 0, 2.0, 10.0)  # runs of four alike
    alternating = np.where(np.arange(w) % 2 == 0, 2.0, 10.0)
    together = fit_windows(design, swing, base)
    apart = fit_windows(design, alternating, base)
    assert together.log_rr[0] == pytest.approx(apart.log_rr[0])
    assert together.se[0] > apart.se[0]
