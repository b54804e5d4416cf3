"""The night-level n-of-1 analysis (`crampwise.experiments.model` and its parts): the estimate
and its standard error against statsmodels, the variogram against a known covariance, and the
behaviour a user relies on (same answer every time, wash-out, too little data, no plan, no
cramps). How often it says "helps" is checked in test_calibration.py; speed is measured in
benchmarks/experiment, never asserted here.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from crampwise.experiments import estimate
from crampwise.experiments.estimate import fit_extra_covariance, studentise
from crampwise.experiments.model import MIN_NIGHTS_PER_ARM, NightAnalysis, analyze_nights
from crampwise.experiments.simulation import Nuisance, SimulatedDiary, simulate_diary

FloatArray = npt.NDArray[np.float64]
Grid = tuple[FloatArray, npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.int64], int]


def _diary(
    seed: int,
    rate: float = 1.0,
    rr: float = 1.0,
    pairs: int = 4,
    days: int = 14,
    nuisance: Nuisance = Nuisance(),
) -> SimulatedDiary:
    return simulate_diary(np.random.default_rng(seed), rate, pairs, days, rr, nuisance)


def _grid(d: SimulatedDiary) -> Grid:
    """One diary on its day grid, as `studentise` takes it (one replicate row)."""
    n = int(d.day_numbers[-1] - d.day_numbers[0]) + 1
    idx = d.day_numbers - d.day_numbers[0]
    y = np.zeros((1, n))
    x = np.zeros((1, n), dtype=np.bool_)
    obs = np.zeros((1, n), dtype=np.bool_)
    y[0, idx], x[0, idx], obs[0, idx] = d.counts, d.on, True
    pair = np.zeros(n, dtype=np.int64)
    pair[idx] = d.pair_index
    pair = np.maximum.accumulate(pair)  # unobserved days: the previous night's pair
    return y, x, obs, pair, int(d.pair_index.max()) + 1


def _analyze(d: SimulatedDiary, **kwargs: int) -> NightAnalysis:
    return analyze_nights(
        d.day_numbers,
        d.counts,
        d.on,
        period_index=d.period_index,
        pair_index=d.pair_index,
        **kwargs,
    )


# ------------------------------------------------------------------ against statsmodels


def _glm_frame(d: SimulatedDiary) -> tuple[FloatArray, FloatArray]:
    """Poisson GLM design: one dummy per pair and the on/off indicator (last column)."""
    pairs = int(d.pair_index.max()) + 1
    design = np.column_stack([np.eye(pairs)[d.pair_index], d.on.astype(np.float64)])
    return design, d.counts.astype(np.float64)


def test_beta_matches_statsmodels_poisson_glm(monkeypatch: pytest.MonkeyPatch) -> None:
    sm = pytest.importorskip("statsmodels.api")
    monkeypatch.setattr(estimate, "PSEUDO_CRAMPS", 0.0)  # the GLM has no pseudo-observation
    d = _diary(1, rate=1.5, rr=0.6)
    design, y = _glm_frame(d)
    glm = sm.GLM(y, design, family=sm.families.Poisson()).fit()
    fit = studentise(*_grid(d))
    # Conditioning on pair totals gives exactly the GLM's estimate with pair dummies.
    assert fit.beta[0] == pytest.approx(glm.params[-1], abs=1e-7)


def test_pseudo_observation_moves_beta_little_and_towards_no_effect() -> None:
    sm = pytest.importorskip("statsmodels.api")
    d = _diary(2, rate=1.0, rr=0.5)
    design, y = _glm_frame(d)
    glm = sm.GLM(y, design, family=sm.families.Poisson()).fit()
    beta = studentise(*_grid(d)).beta[0]
    assert abs(beta - glm.params[-1]) < 0.02  # half a cramp against ~80
    assert abs(beta) < abs(glm.params[-1])


def test_poisson_se_matches_statsmodels(monkeypatch: pytest.MonkeyPatch) -> None:
    sm = pytest.importorskip("statsmodels.api")
    monkeypatch.setattr(estimate, "PSEUDO_CRAMPS", 0.0)

    def no_extra(resid: FloatArray, *_: object) -> tuple[FloatArray, FloatArray, FloatArray]:
        zero = np.zeros(resid.shape[0])
        return zero, zero, zero

    monkeypatch.setattr(estimate, "fit_extra_covariance", no_extra)
    d = _diary(3, rate=2.0, rr=0.7)
    design, y = _glm_frame(d)
    glm = sm.GLM(y, design, family=sm.families.Poisson()).fit()
    fit = studentise(*_grid(d))
    assert fit.se[0] == pytest.approx(glm.bse[-1], rel=1e-5)


def test_nb_se_matches_statsmodels_negative_binomial(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the extra variance fixed at NB alpha and no AR part, the sandwich SE of the Poisson
    estimate is close to the NB GLM's SE (the two estimators differ only in NB's weights)."""
    sm = pytest.importorskip("statsmodels.api")
    alpha = 0.3
    monkeypatch.setattr(estimate, "PSEUDO_CRAMPS", 0.0)

    def fixed(resid: FloatArray, *_: object) -> tuple[FloatArray, FloatArray, FloatArray]:
        rows = resid.shape[0]
        return np.full(rows, alpha), np.zeros(rows), np.zeros(rows)

    monkeypatch.setattr(estimate, "fit_extra_covariance", fixed)
    nuis = Nuisance(latent_sd=(0.0, 0.0), dispersion=(alpha, alpha), drift="none")
    d = _diary(4, rate=1.0, rr=0.7, pairs=8, nuisance=nuis)
    design, y = _glm_frame(d)
    nb = sm.GLM(y, design, family=sm.families.NegativeBinomial(alpha=alpha)).fit()
    fit = studentise(*_grid(d))
    assert fit.beta[0] == pytest.approx(nb.params[-1], abs=0.05)
    assert fit.se[0] == pytest.approx(nb.bse[-1], rel=0.05)


def test_variogram_recovers_the_covariance_of_a_long_series() -> None:
    """Extra-Poisson covariance from 20 long simulated diaries (AR sd .45, rho .5, NB alpha
    .25): white + ar should be alpha + (exp(sd^2) - 1) = 0.25 + 0.22, and rho 0.5."""
    nuis = Nuisance(
        latent_sd=(0.45, 0.45),
        rho=(0.5, 0.5),
        dispersion=(0.25, 0.25),
        adherence=(1.0, 1.0),
        drift="none",
    )
    rng = np.random.default_rng(5)
    rows = []
    for _ in range(20):
        d = simulate_diary(rng, 3.0, 16, 14, 1.0, nuis)
        y, _x, obs, pair, p = _grid(d)
        mu = np.zeros_like(y)
        for j in range(p):
            in_pair = (pair == j) & obs[0]
            mu[0, in_pair] = y[0, in_pair].mean()
        found = fit_extra_covariance((y - mu) * obs, mu, obs, pair)
        rows.append([float(v[0]) for v in found])
    white, ar, rho = np.mean(rows, axis=0)
    assert white + ar == pytest.approx(0.25 + np.expm1(0.45**2), abs=0.08)
    assert rho == pytest.approx(0.5, abs=0.15)


# ------------------------------------------------------------------ what a user relies on


def test_deterministic_and_independent_of_row_order() -> None:
    d = _diary(7, rr=0.6)
    a = _analyze(d)
    again = _analyze(d)
    perm = np.random.default_rng(0).permutation(d.counts.size)
    shuffled = analyze_nights(
        d.day_numbers[perm],
        d.counts[perm],
        d.on[perm],
        period_index=d.period_index[perm],
        pair_index=d.pair_index[perm],
    )
    assert a == again == shuffled
    assert 0 < a.ci95_low < a.estimate < a.ci95_high
    assert 0 <= a.probability_helps <= 1
    assert a.nights_on + a.nights_off == d.counts.size
    assert a.blocks_from_plan and a.pairs == 4


def test_another_bootstrap_seed_changes_the_probability_only_a_little() -> None:
    d = _diary(7, rr=0.6)
    a = analyze_nights(d.day_numbers, d.counts, d.on, pair_index=d.pair_index, seed=0)
    b = analyze_nights(d.day_numbers, d.counts, d.on, pair_index=d.pair_index, seed=1)
    assert a.estimate == b.estimate  # the estimate does not depend on the bootstrap
    # 400 bootstrap diaries: the Monte-Carlo SD of a probability is at most 0.025
    assert abs(a.probability_helps - b.probability_helps) < 0.1


def test_washout_drops_the_first_nights_of_every_period_and_too_few_is_not_enough() -> None:
    d = _diary(8, pairs=3, days=7, nuisance=Nuisance(adherence=(1.0, 1.0), missing=0.0))
    full = _analyze(d)
    assert (full.nights_on, full.nights_off) == (21, 21)
    washed = _analyze(d, washout_days=3)
    assert (washed.nights_on, washed.nights_off) == (12, 12)  # 3 pairs x (7 - 3)
    assert washed.nights_on < MIN_NIGHTS_PER_ARM
    assert washed.verdict == "not_enough_data"
    assert full.verdict != "not_enough_data"


def test_without_a_plan_periods_come_from_runs_of_the_same_condition() -> None:
    d = _diary(9, rr=0.5)
    r = analyze_nights(d.day_numbers, d.counts, d.on)
    assert not r.blocks_from_plan
    # 8 planned periods (4 pairs): neighbouring periods with the same condition (where two
    # pairs meet) merge into one run, and an evening against the schedule inside a period
    # can split it, so the count of pairs is near, not equal to, the plan's
    assert 2 <= r.pairs <= 8
    assert r.verdict in ("helps", "no_clear_effect", "worse")
    assert r.nights_on + r.nights_off == d.counts.size


def test_without_a_plan_a_clean_alternating_diary_is_paired_period_by_period() -> None:
    days = np.arange(56)
    on = (days // 14) % 2 == 0  # on, off, on, off: 4 periods of 14 nights = 2 pairs
    counts = np.random.default_rng(1).poisson(1.0, 56)
    r = analyze_nights(days, counts, on)
    assert (r.pairs, r.nights_on, r.nights_off) == (2, 28, 28)
    assert not r.blocks_from_plan


def test_no_cramps_at_all_says_nothing_either_way() -> None:
    days = np.arange(56)
    on = (days // 14) % 2 == 0
    r = analyze_nights(days, np.zeros(56, dtype=np.int64), on)
    assert r.verdict == "no_clear_effect"
    assert r.probability_helps == 0.5
    assert (r.cramps_on, r.cramps_off) == (0, 0)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        analyze_nights([1, 2, 3], [0, 1], [True, False, True])
    with pytest.raises(ValueError, match=">= 0"):
        analyze_nights([1, 2], [0, -1], [True, False])
    with pytest.raises(ValueError, match="unique"):
        analyze_nights([1, 1], [0, 1], [True, False])
