"""Night-level analysis of randomised n-of-1 experiments (remedy on/off).

Method in one paragraph (details in docs/methods.md):

* **Estimate.** Every night counts. Cramps on night t are modelled as Poisson with
  log mu_t = a_pair(t) + beta * on_t: one free level per pair of periods (slow drift and
  seasons are absorbed pair by pair) and one on/off log rate ratio beta. The pair levels are
  eliminated exactly by conditioning on each pair's total (conditional Poisson = binomial split
  of the pair's cramps between its on and off nights), so beta depends only on the pair
  totals. A weak pseudo-observation (half a cramp split by exposure) keeps beta finite when an
  arm has no cramps.
* **Standard error.** The sandwich variance of beta's estimating equation, with the covariance
  of the nightly counts modelled as Poisson + extra-Poisson variance (over-dispersion) +
  AR(1)-decaying covariance between nearby nights (a latent frailty that wanders from night to
  night). The three extra-Poisson moments (lag 0, 1 and 2-3) are estimated from the nightly
  residuals of this same diary, so the SE grows with whatever over-dispersion and night-to-night
  correlation the diary shows, never below the Poisson SE.
* **Calibration.** z = beta / SE is referred to its distribution under "no effect", obtained
  by a parametric bootstrap (B = 400, fixed seed): null diaries are simulated from the fitted
  baseline of this person (pair levels + a within-pair linear drift, the estimated
  over-dispersion and AR(1) frailty, the same nights missing, the same nights of
  non-adherence) with the order of each pair re-drawn by a fair coin exactly as the plan does,
  and each is analysed exactly like the real diary (its own SE from its own residuals: a
  bootstrap-t). The null z are widened by NULL_WIDENING (1.15), a safety margin set by the
  simulation study. probability_helps is the share of null z at or above the observed z
  (mid-rank), i.e. 1 - the one-sided p-value; the 95% interval is the bootstrap-t interval.
* **As treated.** The comparison uses what was actually done each evening (the diary), with
  the plan's periods and pairs as blocks. Randomisation of the plan protects the pair order;
  non-adherence that is unrelated to how the night would have gone costs only precision,
  whereas intention-to-treat would dilute the effect (see docs/methods.md).

Everything is numpy; functions are vectorised over replicates so that the bootstrap and
the power calculation analyse hundreds of diaries at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from crampwise.experiments.blocks import after_washout, blocks_of, layout_of
from crampwise.experiments.estimate import studentise
from crampwise.experiments.nulls import bootstrap_null_z

Verdict = Literal["helps", "worse", "no_clear_effect", "not_enough_data"]

HELPS_AT = 0.95
WORSE_AT = 0.05
MIN_NIGHTS_PER_ARM = 14
BOOTSTRAP_REPS = 400
# The bootstrap null distribution of z is widened by this factor before it is used. Without it
# the verdict "helps" came out in 4.5-5.5% of null diaries (the bootstrap plugs in estimated
# over-dispersion and frailty, so it is only nearly exact), and with 1.1 still in ~4.5% at
# 0.3 cramps a night (few cramps: the frailty is hard to estimate); 1.15 moves the level of the
# one-sided test to about 3-4%, so that no cell of the study's grid exceeds 5% (study.py).
NULL_WIDENING = 1.15


@dataclass(frozen=True)
class NightAnalysis:
    """Result of one experiment: rates by arm, rate ratio on/off, and the verdict."""

    nights_on: int
    nights_off: int
    cramps_on: int
    cramps_off: int
    rate_on: float
    rate_off: float
    estimate: float  # rate ratio on/off
    ci95_low: float
    ci95_high: float
    probability_helps: float  # P(rate ratio < 1 | data): 1 - one-sided bootstrap p-value
    verdict: Verdict
    pairs: int
    blocks_from_plan: bool  # False: periods were derived from runs of the same condition


def analyze_nights(
    day_numbers: npt.ArrayLike,
    counts: npt.ArrayLike,
    on: npt.ArrayLike,
    *,
    period_index: npt.ArrayLike | None = None,
    pair_index: npt.ArrayLike | None = None,
    washout_days: int = 0,
    seed: int = 0,
    bootstrap_reps: int = BOOTSTRAP_REPS,
) -> NightAnalysis:
    """Analyse one diary: nightly cramp counts and whether the remedy was done (as treated).

    period_index/pair_index: from the plan (preferred). Without them periods are derived from
    runs of the same condition (runs shorter than MIN_RUN_NIGHTS count as skipped evenings of
    the surrounding period) and consecutive periods are paired: a fallback, since a run-based
    block structure is no longer fixed in advance by the randomisation.
    The result is deterministic: the bootstrap uses `seed` only.
    """
    day_arr = np.asarray(day_numbers, dtype=np.int64)
    y_arr = np.asarray(counts, dtype=np.float64)
    x_arr = np.asarray(on, dtype=np.bool_)
    if not day_arr.shape == y_arr.shape == x_arr.shape or day_arr.ndim != 1:
        raise ValueError("day_numbers, counts and on must be 1-D arrays of the same length")
    if np.any(y_arr < 0):
        raise ValueError("counts must be >= 0")
    order = np.argsort(day_arr, kind="stable")
    day_arr, y_arr, x_arr = day_arr[order], y_arr[order], x_arr[order]
    if day_arr.size and np.any(np.diff(day_arr) == 0):
        raise ValueError("day_numbers must be unique")
    from_plan = period_index is not None or pair_index is not None
    periods, pairs = blocks_of(day_arr, x_arr, period_index, pair_index, order)
    keep = after_washout(day_arr, periods, washout_days)
    day_arr, y_arr, x_arr, pairs = day_arr[keep], y_arr[keep], x_arr[keep], pairs[keep]
    n_on, n_off = int(x_arr.sum()), int((~x_arr).sum())
    c_on, c_off = int(y_arr[x_arr].sum()), int(y_arr[~x_arr].sum())
    rate_on = c_on / n_on if n_on else float("nan")
    rate_off = c_off / n_off if n_off else float("nan")
    _, pair_ids = np.unique(pairs, return_inverse=True)
    n_pairs = int(pair_ids.max()) + 1 if pair_ids.size else 0

    def result(est: float, low: float, high: float, prob: float) -> NightAnalysis:
        verdict: Verdict
        if min(n_on, n_off) < MIN_NIGHTS_PER_ARM:
            verdict = "not_enough_data"
        elif prob >= HELPS_AT:
            verdict = "helps"
        elif prob <= WORSE_AT:
            verdict = "worse"
        else:
            verdict = "no_clear_effect"
        return NightAnalysis(
            n_on,
            n_off,
            c_on,
            c_off,
            rate_on,
            rate_off,
            est,
            low,
            high,
            prob,
            verdict,
            n_pairs,
            from_plan,
        )

    if n_on == 0 or n_off == 0 or c_on + c_off == 0:
        return result(float("nan"), 0.0, float("inf"), 0.5)
    layout = layout_of(day_arr, pair_ids, n_pairs)
    grid = day_arr - day_arr[0]
    y = np.zeros((1, layout.day.size))
    x = np.zeros((1, layout.day.size), dtype=np.bool_)
    y[0, grid], x[0, grid] = y_arr, x_arr
    obs = layout.observed[None, :]
    fit = studentise(y, x, obs, layout.pair, n_pairs)
    null_z = NULL_WIDENING * bootstrap_null_z(y[0], x[0], layout, fit, bootstrap_reps, seed)
    z = float(fit.z[0])
    # Mid-rank share of null z at or above the observed: 1 - the one-sided p-value for "helps".
    prob = (np.sum(null_z > z) + 0.5 * np.sum(null_z == z) + 0.5) / (null_z.size + 1)
    beta, se = float(fit.beta[0]), float(fit.se[0])
    q_low, q_high = np.quantile(null_z, [0.025, 0.975])
    # Bootstrap-t: (beta_hat - beta) / se is distributed like the null z.
    return result(
        float(np.exp(beta)),
        float(np.exp(beta - q_high * se)),
        float(np.exp(beta - q_low * se)),
        float(prob),
    )
