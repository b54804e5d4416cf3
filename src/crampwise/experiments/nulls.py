"""The null distribution of an experiment's statistic: diaries simulated from this person's
fitted model with no effect (pair levels and drift, over-dispersion, AR(1) frailty, the same
missing and non-adherent nights), each pair's order re-drawn by a fair coin as the plan did."""

from __future__ import annotations

import numpy as np

from crampwise.experiments.blocks import BoolArray, FloatArray, Layout
from crampwise.experiments.estimate import Studentised, studentise


def bootstrap_null_z(
    y: FloatArray, x: BoolArray, layout: Layout, fit: Studentised, reps: int, seed: int
) -> FloatArray:
    """Studentised statistics of `reps` null diaries simulated from this diary's fitted model."""
    rng = np.random.default_rng(seed)
    obs = layout.observed
    baseline = _null_baseline(y, x, layout, float(fit.beta[0]))
    rho = float(fit.rho[0])
    # Lognormal frailties: covariance exp(s2 rho^k) - 1 = ar rho^k at lag k >= 1 (small s2),
    # and exp(s2 + w2) - 1 = white + ar in total at lag 0.
    ar_var = float(np.log1p(float(fit.ar[0])))
    total_var = float(np.log1p(max(float(fit.white[0]) + float(fit.ar[0]), 0.0)))
    ar_var = min(ar_var, total_var)
    white_var = max(total_var - ar_var, 0.0)
    days = y.size
    latent = ar1_paths(rng, reps, days, np.sqrt(ar_var), rho)
    latent += rng.normal(0.0, np.sqrt(white_var), (reps, days))
    mean = baseline[None, :] * np.exp(latent - total_var / 2)
    y_star = rng.poisson(mean).astype(np.float64)
    # Re-draw each pair's order: flipping a pair swaps its on and off periods, keeping which
    # nights broke the plan (non-adherence) and which were missing.
    coin = rng.random((reps, layout.pairs)) < 0.5
    x_star = x[None, :] ^ coin[:, layout.pair]
    obs_star = np.broadcast_to(obs, (reps, days))
    return studentise(y_star, x_star, obs_star, layout.pair, layout.pairs).z


def _null_baseline(y: FloatArray, x: BoolArray, layout: Layout, beta: float) -> FloatArray:
    """Expected cramps per grid day without the remedy's contrast: pair level + linear drift.

    A Poisson fit of log mu = a_pair + g * (day - pair centre) + beta * on on the observed
    nights; the baseline keeps the pair levels (at the pair's average on-share, so its totals
    match) and the common within-pair slope g, which carries slow drift into the null diaries.
    """
    obs = layout.observed
    pair, day = layout.pair[obs], layout.day[obs]
    yo, xo = y[obs], x[obs].astype(np.float64)
    p = layout.pairs
    centre = np.bincount(pair, weights=day, minlength=p) / np.maximum(
        np.bincount(pair, minlength=p), 1
    )
    t_all = (layout.day - centre[layout.pair]) / 7.0  # weeks, for conditioning
    t = t_all[obs]
    design = np.column_stack([np.eye(p)[pair], t, xo])
    coef = np.zeros(p + 2)
    totals = np.bincount(pair, weights=yo, minlength=p)
    coef[:p] = np.log((totals + 0.5) / np.maximum(np.bincount(pair, minlength=p), 1))
    coef[-1] = beta
    ridge = np.r_[np.full(p, 1e-6), 1.0, 1e-6]  # weak shrinkage of the slope (weeks^-1)
    for _ in range(30):
        eta = np.clip(design @ coef, -30, 30)
        mu = np.exp(eta)
        grad = design.T @ (yo - mu) - ridge * coef * np.r_[np.zeros(p), 1.0, 0.0]
        hess = (design * mu[:, None]).T @ design + np.diag(ridge)
        step = np.linalg.solve(hess, grad)
        coef += step
        if np.max(np.abs(step)) < 1e-8:
            break
    n_pair = np.bincount(pair, minlength=p)
    on_share = np.bincount(pair, weights=xo, minlength=p) / np.maximum(n_pair, 1)
    level = coef[:p] + coef[-1] * on_share
    return np.asarray(np.exp(level[layout.pair] + coef[p] * t_all) * obs, dtype=np.float64)


def ar1_paths(rng: np.random.Generator, reps: int, days: int, sd: float, rho: float) -> FloatArray:
    """Stationary Gaussian AR(1) paths (reps, days) with marginal sd `sd`."""
    if sd <= 0:
        return np.zeros((reps, days))
    shocks = rng.normal(0.0, sd * np.sqrt(1 - rho**2), (reps, days))
    start = rng.normal(0.0, sd, (reps, 1))
    if rho == 0:
        return shocks
    # The recursion u_t = rho u_(t-1) + e_t, one day at a time over all paths at once: a few
    # hundred days of vector steps cost under a millisecond, where importing
    # scipy.signal's lfilter for it cost half a second of every cold `experiment analyze`.
    out = np.empty_like(shocks)
    previous = start[:, 0]
    for day in range(days):
        previous = rho * previous + shocks[:, day]
        out[:, day] = previous
    return out
