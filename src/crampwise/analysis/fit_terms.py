"""Fit one adjusted count model per tested term and turn it into a Finding (or a reason not to)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from crampwise.analysis.countmodel import (
    estimate_alpha,
    fit_count_glm,
    hac_variance,
    newey_west_bandwidth,
)
from crampwise.analysis.design import DesignTables, Term, joint_design, test_design
from crampwise.analysis.results import (
    MIN_TERM_NIGHTS,
    MIN_TERM_SIDE,
    Z95,
    Direction,
    Effect,
    Finding,
    Untested,
)

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

__all__ = ["fit_all_terms", "nice_step"]

SCREEN_Z = 1.64  # other-lag factors this clear (two-sided p < 0.10) become adjusters
MAX_LOG_EFFECT = 8.0  # |log rate ratio| beyond this (about 3000x) means the model did not settle


def nice_step(spread: float) -> float:
    """The 1, 2, 2.5 or 5 times a power of ten nearest to a spread (a step people can picture)."""
    if not math.isfinite(spread) or spread <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(spread))
    candidates = [m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0)]
    return min(candidates, key=lambda c: abs(math.log(spread / c)))


def _nights(n: int) -> str:
    return "1 night" if n == 1 else f"{n} nights"


def _number(x: float) -> str:
    return f"{x:,.0f}" if x >= 10000 else f"{x:g}"


def _precheck(term: Term, x: NDArray[np.float64], y: NDArray[np.float64]) -> str | None:
    """Why a term cannot be tested on these nights, or None when it can."""
    import numpy as np

    n = len(x)
    if n == 0:
        return "no values recorded" if term.lag == 0 else "no values recorded on the day before"
    if n < MIN_TERM_NIGHTS:
        return f"known on only {_nights(n)} (needs {MIN_TERM_NIGHTS})"
    with_cramps = int(np.count_nonzero(y > 0))
    if with_cramps < MIN_TERM_SIDE or n - with_cramps < MIN_TERM_SIDE:
        return (
            f"only {min(with_cramps, n - with_cramps)} nights with (or without) cramps among them"
        )
    if term.kind == "numeric":
        if np.ptp(x) <= 0:
            return "never varies"
        return None
    present = int(np.count_nonzero(x > 0.5))
    what = f"'{term.level}'" if term.level is not None else "yes"
    if present < MIN_TERM_SIDE:
        return f"{what} on only {_nights(present)} (needs {MIN_TERM_SIDE})"
    if n - present < MIN_TERM_SIDE:
        return f"{what} on all but {_nights(n - present)} (needs {MIN_TERM_SIDE} without)"
    if y[x > 0.5].sum() == 0:
        return f"no cramps on any of the {_nights(present)} with {what}: no ratio can be estimated"
    if y[x < 0.5].sum() == 0:
        return f"cramps only on nights with {what}: no ratio can be estimated"
    return None


def _fit_term(
    tables: DesignTables,
    term: Term,
    alpha: float,
    base_coef: NDArray[np.float64],
    other_lag: bool = True,
) -> tuple[float, float, int, float] | str:
    """Log effect per unit of x, its standard error, nights used and the raw x spread."""
    import numpy as np

    rows = ~np.isnan(term.x)
    y = tables.y[rows]
    reason = _precheck(term, term.x[rows], y)
    if reason:
        return reason
    rows, X, penalty, k, _, scale = test_design(tables, term, other_lag)
    start = np.zeros(X.shape[1])
    start[:k] = base_coef  # intercept, trend and season from the base fit: fewer iterations
    # Newton converges quadratically: after a 1e-5 step the next would be ~1e-10.
    fit = fit_count_glm(X, y, alpha=alpha, penalty=penalty, start=start, tol=1e-5)
    beta = float(fit.coef[k]) / scale
    if not fit.converged or not math.isfinite(beta) or abs(beta) * scale > MAX_LOG_EFFECT:
        return "the model did not settle (the effect looks unbounded on these nights)"
    model_var = float(fit.info_inv[k] @ fit.info @ fit.info_inv[:, k])
    n, p = X.shape
    # Small-sample correction for the model-based error: a Wald test with tens of nuisance
    # columns on ~180 nights is too sure of itself (null p-values below 0.001 came 1.7x too
    # often in the 180-night study). Scale by n / (n - df), df the fit's effective degrees
    # of freedom (ridge-shrunk adjusters count for less than one each).
    df = float(np.sum(fit.info * fit.info_inv))
    model_var *= n / max(n - df, 1.0)
    # Quasi-likelihood scale of this fit: alpha comes from the screened model with the
    # factors that matter at both lags, and whatever this fit leaves out stays here as
    # extra scatter. (A version with the honest alpha but without this, the other-lag
    # screen and the screened alpha had a false discovery proportion of 0.3-0.45 on
    # six-month diaries with strong triggers.) Never below 1 (conservative).
    pearson = float(np.sum((y - fit.mu) ** 2 / (fit.mu * (1.0 + alpha * fit.mu))))
    model_var *= max(1.0, pearson / max(n - df, 1.0))
    hac_var = hac_variance(fit, X, y, tables.days[rows], newey_west_bandwidth(n), k)
    hac_var *= n / max(n - p, 1)
    # Never more confident than either the model or the nights' own scatter allows.
    se = math.sqrt(max(model_var, hac_var)) / scale
    x = term.x[rows]
    q1, q3 = np.percentile(x, [25, 75])
    spread = float(q3 - q1) if q3 > q1 else float(x.std())
    return beta, se, n, spread


def _finding(term: Term, beta: float, se: float, n: int, spread: float) -> Finding:
    direction: Direction
    if term.kind == "numeric":
        step = nice_step(spread)
        b, s = beta * step, se * step
        direction = "higher" if b >= 0 else "lower"
        b = abs(b)
        unit = f" {term.unit}" if term.unit else ""
        per = f"{_number(step)}{unit} {direction}"
    else:
        b, s = beta, se
        direction = "present" if b >= 0 else "absent"
        per = "yes vs no" if term.kind == "boolean" else f"{term.level} vs any other value"
    effect = Effect(math.exp(b), (math.exp(b - Z95 * s), math.exp(b + Z95 * s)), per)
    if term.kind == "numeric":
        effect.step = step
    p_value = math.erfc(abs(b / s) / math.sqrt(2.0)) if s > 0 else 1.0
    return Finding(
        factor=term.factor,
        kind=term.kind,
        level=term.level,
        lag_days=term.lag,
        direction=direction,
        effect=effect,
        p_value=p_value,
        nights_used=n,
    )


def screen_other_lag(
    X: NDArray[np.float64],
    y: NDArray[np.float64],
    penalty: NDArray[np.float64],
    owners: list[tuple[str, int]],
    alpha: float,
    k: int,
) -> tuple[NDArray[np.bool_], dict[int, set[str]]]:
    """Which factor columns pass the screen (|z| >= SCREEN_Z in the ridge model with every
    factor at both lags; columns from k on are the factors, in `owners` order) and, per lag,
    the factors with any column that passes.

    A fit at lag 0 adjusts for the other factors at lag 0 only. A strong trigger the day
    before (alcohol) then stays in that fit's noise and, through day-to-day persistence of
    other factors, can lend them its effect (in the 180-night study with strong triggers,
    lag-1 terms of pure noise factors were the most common false discoveries). Adding the
    few other-lag factors that matter covers that without doubling every fit's width. The
    screen only ever adds adjusters, so it cannot make a test less adjusted.
    """
    import numpy as np

    fit = fit_count_glm(X, y, alpha=alpha, penalty=penalty, tol=1e-6)
    var = np.einsum("ij,jk,ki->i", fit.info_inv, fit.info, fit.info_inv)
    z = np.abs(fit.coef) / np.sqrt(np.maximum(var, 1e-300))
    keep = z[k:] >= SCREEN_Z
    out: dict[int, set[str]] = {}
    for (name, lag), hit in zip(owners, keep, strict=True):
        if hit:
            out.setdefault(lag, set()).add(name)
    return keep, out


def fit_all_terms(tables: DesignTables) -> tuple[list[Finding], list[Untested], float]:
    """Fit every term; return the findings, the untestable combinations and the NB2 alpha."""
    alpha, base_coef = _dispersion_and_base(tables)
    findings: list[Finding] = []
    untested = [Untested(f, lv, lag, why) for f, lv, lag, why in tables.notes]
    for term in tables.terms:
        result = _fit_term(tables, term, alpha, base_coef)
        if isinstance(result, str):
            untested.append(Untested(term.factor, term.level, term.lag, result))
            continue
        findings.append(_finding(term, *result))
    return findings, untested, alpha


def fit_same_night(tables: DesignTables, factor: str) -> Finding | Untested:
    """The yes/no or numeric `factor` on the same night, adjusted for every other factor on
    that night, the trend and the season, but not for its own value the day before."""
    term = next((t for t in tables.terms if t.factor == factor and t.lag == 0), None)
    if term is None:
        why = next((w for f, _, lag, w in tables.notes if f == factor and lag == 0), None)
        return Untested(factor, None, 0, why or "not recorded on enough nights")
    alpha, base_coef = _dispersion_and_base(tables)
    result = _fit_term(tables, term, alpha, base_coef, other_lag=False)
    if isinstance(result, str):
        return Untested(factor, None, 0, result)
    return _finding(term, *result)


def _dispersion_and_base(tables: DesignTables) -> tuple[float, NDArray[np.float64]]:
    """The NB2 alpha of the diary and the base (intercept, trend, season) coefficients."""
    import numpy as np

    alpha = estimate_alpha(tables.base, tables.y) if len(tables.y) else 0.0
    if len(tables.y):
        # The base-only alpha also holds every factor's effect as "dispersion": with real
        # triggers it was 3-20x the true value on six-month diaries, inflating every error
        # (power fell as triggers got stronger).
        X, pen, owners = joint_design(tables)
        k = tables.base.shape[1]
        upper = alpha
        for _ in range(2):
            # Screen the joint model, then alpha by maximum likelihood with only the base and
            # the columns that matter: with every column in, 180 nights overfit and alpha
            # collapses towards 0 (all errors too small); with none, alpha is 3-20x too big.
            keep, tables.screened = screen_other_lag(X, tables.y, pen, owners, alpha, k)
            cols = np.concatenate([np.arange(k), k + np.flatnonzero(keep)])
            alpha = min(upper, estimate_alpha(X[:, cols], tables.y))
    base = fit_count_glm(tables.base, tables.y, alpha=alpha, penalty=tables.base_penalty)
    return alpha, base.coef
