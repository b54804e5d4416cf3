"""Trigger discovery (contract §2): the JSON, lags and gaps, missing values, minimum data."""

from __future__ import annotations

import math
from datetime import date, timedelta

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from crampwise.analysis.fdr import bh_qvalues
from crampwise.analysis.fit_terms import nice_step
from crampwise.analysis.simulation import simulate_diary
from crampwise.analysis.triggers import find_triggers, nights_needed
from crampwise.diary.daytable import DayTable, FactorColumn
from crampwise.diary.model import FactorValue

FINDING_KEYS = {
    "factor", "kind", "level", "lag_days", "direction", "effect",
    "p_value", "q_value", "significant", "nights_used",
}  # fmt: skip


def table_of(
    cramps: list[int], start: date = date(2026, 1, 1), **factors: list[FactorValue | None]
) -> DayTable:
    n = len(cramps)
    kinds = {bool: "boolean", float: "numeric", int: "numeric", str: "categorical"}
    columns = []
    for name, values in factors.items():
        first = next(v for v in values if v is not None)
        columns.append(FactorColumn(name, kinds[type(first)], values))  # type: ignore[arg-type]
    return DayTable(
        dates=[start + timedelta(days=i) for i in range(n)],
        cramps=cramps,
        pain=[None] * n,
        factors=columns,
    )


@pytest.fixture(scope="module")
def strong_report():  # type: ignore[no-untyped-def]
    """Three years, one cramp a night on average: every planted effect is clear."""
    return find_triggers(simulate_diary(2024, nights=1095, mean_cramps=1.0).table)


def test_json_has_exactly_the_contract_fields(strong_report) -> None:  # type: ignore[no-untyped-def]
    doc = strong_report.to_dict()
    assert {"nights", "cramp_nights", "cramps", "enough_data", "findings", "method"} <= set(doc)
    assert doc["enough_data"] is True
    assert doc["nights"] == strong_report.nights
    for item in doc["findings"]:
        assert set(item) >= FINDING_KEYS
        assert item["kind"] in ("numeric", "boolean", "categorical")
        assert item["lag_days"] in (0, 1)
        assert set(item["effect"]) == {"measure", "estimate", "ci95", "per"}
        assert item["effect"]["measure"] == "rate_ratio"
        low, high = item["effect"]["ci95"]
        assert low <= item["effect"]["estimate"] <= high
        assert item["significant"] is (item["q_value"] <= 0.10)
        if item["kind"] == "numeric":
            assert item["direction"] in ("higher", "lower")
            assert item["effect"]["estimate"] >= 1.0
            assert item["level"] is None
        else:
            assert item["direction"] in ("present", "absent")
            assert (item["direction"] == "present") is (item["effect"]["estimate"] >= 1.0)
    ps = [f["p_value"] for f in doc["findings"]]
    assert ps == sorted(ps)
    assert [f["q_value"] for f in doc["findings"]] == pytest.approx(bh_qvalues(ps))


def test_every_level_and_both_lags_are_tested(strong_report) -> None:  # type: ignore[no-untyped-def]
    combos = {(f.factor, f.level, f.lag_days) for f in strong_report.findings}
    for level in ("back", "side", "prone"):
        for lag in (0, 1):
            assert ("sleep_position", level, lag) in combos
    assert ("exercise_min", None, 0) in combos and ("exercise_min", None, 1) in combos


def test_planted_triggers_found_and_bystanders_not(strong_report) -> None:  # type: ignore[no-untyped-def]
    hits = {(f.factor, f.level, f.lag_days): f for f in strong_report.findings if f.significant}
    exercise = hits[("exercise_min", None, 0)]
    assert exercise.direction == "higher" and exercise.effect.per.endswith("min higher")
    cold = hits[("bedroom_temp_c", None, 0)]
    assert cold.direction == "lower" and cold.effect.per == "5 °C lower"
    # Planted 1.7x per 5 °C colder: the interval covers it.
    assert cold.effect.ci95[0] <= 1.7 <= cold.effect.ci95[1]
    footbath = hits[("footbath", None, 0)]
    assert footbath.direction == "absent" and footbath.effect.estimate < 1
    assert footbath.effect.ci95[0] <= 0.55 <= footbath.effect.ci95[1]
    assert hits[("sleep_position", "prone", 0)].direction == "present"
    assert ("alcohol_units", None, 1) in hits
    for bystander in ("steps", "fluids_l"):
        assert not any(f == bystander for f, _, _ in hits), bystander


def test_plain_sentences_say_how_many_times_and_how_sure(strong_report) -> None:  # type: ignore[no-untyped-def]
    first = strong_report.findings[0]
    assert "× as many cramps" in first.plain
    assert "very likely real" in first.plain
    lag1 = next(f for f in strong_report.findings if f.lag_days == 1)
    assert lag1.plain.startswith("On the second night after")


def test_lag_one_never_crosses_a_gap() -> None:
    rng = np.random.default_rng(3)
    n = 60
    cramps = [int(v) for v in rng.poisson(0.8, n)]
    table = table_of(cramps, x=[float(v) for v in rng.normal(size=n)])
    # Remove every fifth day: each removal leaves the following day without a lag-1 value.
    keep = [i for i in range(n) if i % 5 != 2]
    gappy = DayTable(
        dates=[table.dates[i] for i in keep],
        cramps=[cramps[i] for i in keep],
        pain=[None] * len(keep),
        factors=[FactorColumn("x", "numeric", [table.factors[0].values[i] for i in keep])],
    )
    report = find_triggers(gappy)
    used = {(f.factor, f.lag_days): f.nights_used for f in report.findings}
    after_gap = sum(1 for i in keep if i - 1 not in keep)  # includes the first day
    assert used[("x", 0)] == len(keep)
    assert used[("x", 1)] == len(keep) - after_gap


def test_missing_values_are_missing_not_zero() -> None:
    rng = np.random.default_rng(4)
    n = 80
    values: list[FactorValue | None] = [
        None if i % 4 == 0 else float(rng.normal()) for i in range(n)
    ]
    report = find_triggers(table_of([int(v) for v in rng.poisson(1, n)], x=values))
    lag0 = next(f for f in report.findings if f.lag_days == 0)
    assert lag0.nights_used == n - n // 4


@pytest.mark.parametrize(
    ("cramps", "needed"),
    [
        ([1, 0] * 10, 1),  # 20 nights
        ([1] * 3 + [0] * 40, 26),  # 3 cramp nights: 2 more at (3.5 / 44) a night
        ([1] * 40 + [0] * 3, 26),  # 3 quiet nights, the mirror image
        ([], 21),
    ],
)
def test_too_little_data_tests_nothing_and_says_how_many_more_nights(
    cramps: list[int], needed: int
) -> None:
    n = len(cramps)
    table = table_of(cramps, x=[float(i % 3) for i in range(n)]) if n else DayTable([], [], [], [])
    report = find_triggers(table)
    assert report.enough_data is False
    assert report.findings == []
    assert report.nights_needed == needed == nights_needed(n, sum(1 for c in cramps if c))
    assert report.to_dict()["findings"] == []


def test_just_enough_data_is_enough() -> None:
    cramps = [1] * 5 + [0] * 16
    report = find_triggers(table_of(cramps, x=[float(i % 4) for i in range(21)]))
    assert report.enough_data is True and report.nights_needed == 0


def test_untestable_factors_are_listed_with_a_reason_and_nothing_crashes() -> None:
    rng = np.random.default_rng(9)
    n = 90
    cramps = [int(v) for v in rng.poisson(0.7, n)]
    x = [float(v) for v in rng.normal(size=n)]
    report = find_triggers(
        table_of(
            cramps,
            empty=[None] * (n - 1) + [1.0],
            constant=[2.0] * n,
            never_cramp=[c == 0 and i % 2 == 0 for i, c in enumerate(cramps)],
            rare=["a"] * 2 + ["b"] * (n - 2),
            copy_a=x,
            copy_b=list(x),
            mood=[["ok", "low", "high"][i % 3] for i in range(n)],
        )
    )
    reasons = {(u.factor, u.level, u.lag_days): u.reason for u in report.untested}
    assert "known on only 1 night (needs 14)" in reasons[("empty", None, 0)]
    assert reasons[("constant", None, 0)] == "never varies"
    assert "no cramps on any" in reasons[("never_cramp", None, 0)]
    assert reasons[("rare", None, 0)] == "1 value(s) seen on fewer than 3 nights each"
    assert "'b' on all but 2 nights" in reasons[("rare", "b", 0)]
    tested = {(f.factor, f.level, f.lag_days) for f in report.findings}
    assert ("copy_a", None, 0) in tested and ("copy_b", None, 0) in tested
    assert {("mood", lv, 0) for lv in ("ok", "low", "high")} <= tested
    for f in report.findings:
        assert math.isfinite(f.p_value) and 0 <= f.p_value <= 1
        assert all(math.isfinite(v) for v in f.effect.ci95)


def test_benjamini_hochberg_matches_statsmodels() -> None:
    rng = np.random.default_rng(0)
    ps = list(np.concatenate([rng.uniform(size=40), rng.uniform(0, 0.01, 10)]))
    expected = multipletests(ps, method="fdr_bh")[1]
    np.testing.assert_allclose(bh_qvalues(ps), expected, rtol=1e-12)
    assert bh_qvalues([]) == []


@pytest.mark.parametrize(
    ("spread", "step"),
    [
        (0.8, 1),
        (1.3, 1),
        (1.9, 2),
        (2.6, 2.5),
        (4.4, 5),
        (7.0, 5),
        (8.0, 10),
        (37, 50),
        (3200, 2500),
    ],
)
def test_numeric_effects_are_per_a_readable_step(spread: float, step: float) -> None:
    assert nice_step(spread) == step


def test_missing_categories_are_missing_and_free_text_is_not_tested_value_by_value() -> None:
    rng = np.random.default_rng(12)
    n = 120
    mood: list[FactorValue | None] = [
        None if i % 6 == 0 else ["ok", "low"][i % 2] for i in range(n)
    ]
    report = find_triggers(
        table_of(
            [int(v) for v in rng.poisson(1, n)],
            mood=mood,
            note=[f"note {i}" for i in range(n)],
        )
    )
    used = {(f.factor, f.level, f.lag_days): f.nights_used for f in report.findings}
    assert used[("mood", "ok", 0)] == n - n // 6
    assert not any(f.factor == "note" for f in report.findings)
    notes = [u for u in report.untested if u.factor == "note"]
    assert [u.reason for u in notes] == ["120 value(s) seen on fewer than 3 nights each"] * 2


def test_blas_threads_are_restored_after_concurrent_analyses() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from crampwise.analysis.blas import _controls

    controls = _controls()
    assert controls is not None  # NumPy's bundled OpenBLAS is found on this install
    get, _ = controls
    before = get()
    tables = [simulate_diary(seed, nights=120).table for seed in range(4)]
    with ThreadPoolExecutor(4) as pool:
        reports = list(pool.map(find_triggers, tables))
    assert [r.to_dict() for r in reports] == [find_triggers(t).to_dict() for t in tables]
    assert get() == before
