"""What an n-of-1 plan can detect: simulated power, suggested length, variability estimate."""

from __future__ import annotations

import math

import numpy as np
import pytest

from crampwise.errors import InputError
from crampwise.experiments.power import (
    estimate_variability,
    power_statement,
    power_to_detect,
    suggest_pairs,
)


def test_power_is_reproducible_with_its_seed() -> None:
    a = power_to_detect(0.7, 4, 7, reps=320, seed=5)
    b = power_to_detect(0.7, 4, 7, reps=320, seed=5)
    assert a == b


def test_power_grows_with_rate_and_length() -> None:
    by_rate = [power_to_detect(rate, 6, 7, reps=640) for rate in (0.3, 0.7, 1.5)]
    assert by_rate[0] < by_rate[1] < by_rate[2]
    by_pairs = [power_to_detect(0.7, pairs, 7, reps=640) for pairs in (3, 6, 12)]
    assert by_pairs[0] < by_pairs[1] < by_pairs[2]


def test_power_under_no_effect_is_the_false_helps_rate() -> None:
    # rr = 1: "power" is how often a useless remedy is called helpful: about 5% at most
    assert power_to_detect(1.5, 6, 7, rr=1.0, reps=1600) <= 0.065


def test_too_short_a_plan_has_no_power_at_all() -> None:
    # 1 pair of 7 days gives 7 nights per arm: always not_enough_data, never "helps"
    assert power_to_detect(3.0, 1, 7, reps=160) == 0.0


def test_power_without_waxing_and_waning_is_near_a_closed_form_approximation() -> None:
    # Pure Poisson nights, long plan: a Poisson model of all nights would estimate the log
    # rate ratio with variance 1/E[on] + 1/E[off]; its one-sided 5% test has power
    # Φ(|log rr|/se − z_0.95). The paired analysis does not assume steady nights (it
    # estimates the spread from the window contrasts, on fewer degrees of freedom), and
    # pays for that robustness here: below the closed form, but not by much.
    rate, pairs, days = 0.5, 12, 7
    nights = pairs * days
    se = math.sqrt(1 / (nights * rate * 0.5) + 1 / (nights * rate))
    from scipy.stats import norm

    expected = float(norm.cdf(math.log(2) / se - norm.ppf(0.95)))
    simulated = power_to_detect(rate, pairs, days, latent_sd=0.0, reps=1600)
    assert expected - 0.2 < simulated <= expected + 0.03


def test_long_periods_with_strong_slow_drift_stay_calibrated() -> None:
    # The hard case for any model of all nights at once: 14-day periods, few pairs, a cramp
    # rate drifting over weeks (sd 0.8, night-to-night correlation 0.95).
    for rate, pairs in ((1.5, 3), (1.5, 4), (3.0, 4)):
        false_helps = power_to_detect(
            rate, pairs, 14, rr=1.0, latent_sd=0.8, autocorrelation=0.95, reps=4000, seed=11
        )
        assert false_helps <= 0.06, (rate, pairs, false_helps)


def test_suggested_length_is_the_smallest_that_reaches_80_percent() -> None:
    pairs = suggest_pairs(1.5, 7)
    assert pairs is not None
    assert power_to_detect(1.5, pairs, 7) >= 0.8
    assert power_to_detect(1.5, pairs - 1, 7) < 0.8


def test_rare_cramps_get_no_suggestion_rather_than_an_impossible_one() -> None:
    statement = power_statement(0.05, 4, 7)  # searches up to 16 pairs
    assert statement.suggested_pairs is None
    assert statement.power < 0.2


def test_power_statement_fields() -> None:
    statement = power_statement(1.5, 4, 7, washout_days=1)
    data = statement.to_dict()
    assert data["rate_ratio"] == 0.5 and data["target"] == 0.8
    assert data["washout_days"] == 1
    assert 0 <= data["power"] <= 1
    assert data["suggested_pairs"] is None or data["suggested_pairs"] >= 1


def test_washout_costs_power() -> None:
    full = power_to_detect(1.0, 6, 7, reps=800)
    washed = power_to_detect(1.0, 6, 7, washout_days=3, reps=800)
    assert washed < full


@pytest.mark.parametrize(
    ("args", "field"),
    [((-1.0, 4, 7, 0), "rate"), ((1.0, 0, 7, 0), "pairs"), ((1.0, 4, 7, 7), "washout_days")],
)
def test_bad_design_is_an_input_error(args: tuple[float, int, int, int], field: str) -> None:
    rate, pairs, days, washout = args
    with pytest.raises(InputError, match=f"'{field}'"):
        power_to_detect(rate, pairs, days, washout_days=washout)


def test_variability_estimate_recovers_the_latent_sd_roughly() -> None:
    rng = np.random.default_rng(3)
    sd, rho, nights = 0.6, 0.85, 7 * 300
    latent = np.empty(nights)
    latent[0] = rng.normal(0, sd)
    for t in range(1, nights):
        latent[t] = rho * latent[t - 1] + rng.normal(0, sd * math.sqrt(1 - rho**2))
    cramps = rng.poisson(1.2 * np.exp(latent - sd**2 / 2))
    rate, estimate = estimate_variability(cramps.tolist(), autocorrelation=rho)
    assert rate == pytest.approx(1.2, rel=0.15)
    assert estimate == pytest.approx(sd, abs=0.15)
    # a steady Poisson diary gets the lowest variability
    steady = rng.poisson(1.2, 7 * 300)
    assert estimate_variability(steady.tolist())[1] == pytest.approx(0.2, abs=0.05)
