"""The statistic of an n-of-1 experiment: the on/off log rate ratio from pair totals and its
standard error allowing for over-dispersion and night-to-night correlation, estimated from
the diary itself. Vectorised over replicates (rows), so bootstraps and power runs analyse
hundreds of diaries at once; see `crampwise.experiments.model` for how it is calibrated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

PSEUDO_CRAMPS = 0.5  # total, split between the arms by exposure: keeps beta finite
MAX_LAG = 28  # nights; an AR(1) with rho <= 0.9 has decayed to < 5% by then
MAX_RHO = 0.9
NEWTON_STEPS = 25
VARIOGRAM_LAGS = 10
RHO_GRID = np.linspace(0.0, MAX_RHO, 19)


@dataclass(frozen=True)
class Studentised:
    """beta, its SE and the extra-Poisson moments, one entry per replicate."""

    beta: FloatArray
    se: FloatArray
    white: FloatArray  # extra-Poisson variance / mu^2 independent between nights (NB alpha;
    # may be negative: an unbiased estimate, the SE is floored at its Poisson value instead)
    ar: FloatArray  # extra-Poisson variance / mu^2 shared with nearby nights (AR(1) frailty)
    rho: FloatArray  # its night-to-night correlation: covariance ar * rho^k at lag k

    @property
    def z(self) -> FloatArray:
        # A replicate without any information (no cramps at all) says nothing either way.
        ok = np.isfinite(self.se) & (self.se > 0) & np.isfinite(self.beta)
        return np.where(ok, self.beta / np.where(ok, self.se, 1.0), 0.0)


def studentise(
    y: FloatArray, x: BoolArray, observed: BoolArray, pair: IntArray, n_pairs: int
) -> Studentised:
    """beta and its sandwich SE for R diaries on a common grid: y, x, observed are (R, days).

    The extra-Poisson covariance is C(0) at lag 0 and C(1) * rho^(k-1) at lag k >= 1, with
    C(0), C(1), rho from the diary's own residual moments; Var(score) >= its Poisson value.
    """
    obs = observed.astype(np.float64)
    xf = x.astype(np.float64) * obs
    yo = y * obs
    one_hot = np.eye(n_pairs)[pair]  # (days, P)
    y1, y0 = (yo * xf) @ one_hot, (yo * (obs - xf)) @ one_hot
    n1, n0 = xf @ one_hot, (obs - xf) @ one_hot
    beta = fit_log_rate_ratio(y1, y0, n1, n0)
    eb = np.exp(beta)[:, None]
    # Fitted pair levels given beta: each pair's cramps spread over its exposure.
    level = (y1 + y0) / np.maximum(n1 * eb + n0, 1e-12)  # (R, P)
    share_on = n1 * eb / np.maximum(n1 * eb + n0, 1e-12)  # pi_j
    mu = level[:, pair] * np.where(x, eb, 1.0) * obs  # (R, days)
    w = (xf - share_on[:, pair]) * obs  # score weights x_t - pi_j
    info = np.sum(mu * w**2, axis=1)
    resid = (yo - mu) * obs
    white, ar, rho = fit_extra_covariance(resid, mu, observed, pair)
    v = w * mu
    poisson = np.sum(w**2 * mu, axis=1)
    var_u = poisson + (white + ar) * np.sum(v**2, axis=1)
    decay = rho.copy()
    days = y.shape[1]
    for k in range(1, min(MAX_LAG, days - 1) + 1):
        var_u += 2.0 * ar * decay * np.sum(v[:, k:] * v[:, :-k], axis=1)
        decay = decay * rho
    var_u = np.maximum(var_u, poisson)
    se = np.sqrt(var_u) / np.maximum(info, 1e-12)
    return Studentised(beta, se, white, ar, rho)


def fit_extra_covariance(
    resid: FloatArray, mu: FloatArray, observed: BoolArray, pair: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Extra-Poisson covariance (white, ar, rho) of R diaries from their within-pair variogram.

    For two nights k apart in the same pair, E[(r_t - r_t+k)^2] / 2 = (mu_t + mu_t+k) / 2 +
    mu_t mu_t+k (white + ar (1 - rho^k)). Differences cancel the pair level, so unlike raw
    residual autocovariances this is not biased by having estimated one level per pair (which
    removes much of a slowly wandering frailty from the residuals and would make the SE too
    small). Weighted least squares over lags 1..VARIOGRAM_LAGS, ar >= 0, rho on a grid.
    """
    obs = observed.astype(np.float64)
    lags = min(VARIOGRAM_LAGS, resid.shape[1] - 1)
    if lags < 1:
        zero = np.zeros(resid.shape[0])
        return zero, zero, zero
    g = np.zeros((resid.shape[0], lags))
    weight = np.zeros((resid.shape[0], lags))
    for k in range(1, lags + 1):
        both = obs[:, k:] * obs[:, :-k] * (pair[k:] == pair[:-k])[None, :]
        half_sq = 0.5 * np.sum(both * (resid[:, k:] - resid[:, :-k]) ** 2, axis=1)
        poisson = 0.5 * np.sum(both * (mu[:, k:] + mu[:, :-k]), axis=1)
        den = np.sum(both * mu[:, k:] * mu[:, :-k], axis=1)
        g[:, k - 1] = np.where(den > 1e-12, (half_sq - poisson) / np.maximum(den, 1e-12), 0.0)
        weight[:, k - 1] = den
    best = np.full(resid.shape[0], np.inf)
    white = np.zeros(resid.shape[0])
    ar = np.zeros(resid.shape[0])
    rho = np.zeros(resid.shape[0])
    sw = np.maximum(weight.sum(axis=1), 1e-12)
    wg_mean = np.sum(weight * g, axis=1) / sw
    for r in RHO_GRID:
        f = 1.0 - r ** np.arange(1, lags + 1)[None, :]
        if r == 0:  # all white: the variogram is flat
            a = np.zeros_like(wg_mean)
            c = wg_mean
        else:
            # Weighted regression of g on (1, f) with ar >= 0. white may come out negative:
            # clipping it at 0 would bias the SE upwards when there is no extra variance at
            # all (pure Poisson nights), costing power; the total is floored at Poisson below.
            f_mean = np.sum(weight * f, axis=1) / sw
            sxx = np.sum(weight * (f - f_mean[:, None]) ** 2, axis=1)
            sxy = np.sum(weight * (f - f_mean[:, None]) * (g - wg_mean[:, None]), axis=1)
            a = np.where(sxx > 1e-12, sxy / np.maximum(sxx, 1e-12), 0.0)
            c = wg_mean - a * f_mean
            no_ar = a < 0
            a = np.where(no_ar, 0.0, a)
            c = np.where(no_ar, wg_mean, c)
        sse = np.sum(weight * (g - c[:, None] - a[:, None] * f) ** 2, axis=1)
        better = sse < best - 1e-15
        best = np.where(better, sse, best)
        white = np.where(better, c, white)
        ar = np.where(better, a, ar)
        rho = np.where(better, r, rho)
    return white, ar, rho


def fit_log_rate_ratio(
    y1: FloatArray, y0: FloatArray, n1: FloatArray, n0: FloatArray
) -> FloatArray:
    """Conditional-Poisson MLE of beta from pair totals (R, P), plus a weak pseudo-observation.

    Given pair j's total, its on-night cramps are Binomial(total, n1 e^b / (n1 e^b + n0)).
    The pseudo-observation is PSEUDO_CRAMPS split by overall exposure (a prior centred on no
    effect, worth half a cramp), so an arm without cramps still gives a finite beta.
    """
    n1_all, n0_all = n1.sum(axis=1, keepdims=True), n0.sum(axis=1, keepdims=True)
    share = n1_all / np.maximum(n1_all + n0_all, 1e-12)
    y1 = np.concatenate([y1, PSEUDO_CRAMPS * share], axis=1)
    tot = np.concatenate([y1[:, :-1] + y0, np.full_like(share, PSEUDO_CRAMPS)], axis=1)
    n1 = np.concatenate([n1, n1_all], axis=1)
    n0 = np.concatenate([n0, n0_all], axis=1)
    # Start from the pooled (Mantel-Haenszel-like) ratio, then Newton on the concave likelihood.
    num = np.sum(y1 * n0 / np.maximum(n1 + n0, 1e-12), axis=1)
    den = np.sum((tot - y1) * n1 / np.maximum(n1 + n0, 1e-12), axis=1)
    beta = np.log(np.maximum(num, 1e-9) / np.maximum(den, 1e-9))
    for _ in range(NEWTON_STEPS):
        e = n1 * np.exp(beta)[:, None]
        p = e / np.maximum(e + n0, 1e-300)
        score = np.sum(y1 - tot * p, axis=1)
        hess = np.sum(tot * p * (1 - p), axis=1)
        step = score / np.maximum(hess, 1e-12)
        beta = beta + np.clip(step, -2.0, 2.0)
        if np.all(np.abs(step) < 1e-10):
            break
    return np.asarray(beta, dtype=np.float64)
