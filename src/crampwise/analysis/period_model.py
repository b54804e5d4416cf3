"""The n-of-1 count model: blocks of consecutive nights, quasi-Poisson with a slow trend.

Nights are grouped into *blocks*: runs of consecutive on (or off) nights, a run breaking at a
change of condition or a gap in the dates, wash-out nights dropped from the start of each
run, and each run cut into near-equal blocks of at most `MAX_BLOCK_NIGHTS` nights (at least
two per run). Block totals are modelled as quasi-Poisson counts,

    log E[cramps in block b] = log(nights_b) + β0 + β_on·on_b + Σ γ_k·P_k(t_b),

with P_k Legendre polynomials of the block's mid-date (the slow trend). Working with block
totals absorbs night-to-night correlation inside a block; the dispersion φ estimated from the
spread of block totals (never below 1: nights are at least as variable as Poisson) absorbs
over-dispersion and slow waxing and waning, and is inflated by the correlation between
neighbouring blocks of the same run. Weakly-informative normal priors keep the fit finite
when an arm has no cramps. The posterior of β_on is approximated by a t distribution with
G − p degrees of freedom (G blocks, p coefficients), the usual result for a regression
coefficient when the scale is estimated. Every function is vectorised over replicates so that
power simulations fit thousands of data sets at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MAX_BLOCK_NIGHTS = 7
MIN_BLOCKS_PER_RUN = 2
# Prior SDs on the log scale: log RR ~ N(0, 1.5²) puts 95% of the prior on RR 0.05–19;
# the trend and intercept priors are almost flat.
PRIOR_SD_EFFECT = 1.5
PRIOR_SD_TREND = 5.0
PRIOR_SD_INTERCEPT = 10.0
MIN_RESIDUAL_DF = 2
NEWTON_STEPS = 100


@dataclass(frozen=True)
class BlockDesign:
    """Which night belongs to which block (-1 = dropped), and the blocks' model matrix."""

    night_block: IntArray  # per night: block index, or -1 (wash-out / missing)
    nights: FloatArray  # per block: number of nights (the exposure)
    on: BoolArray  # per block: condition
    X: FloatArray  # (G, p) model matrix: intercept, on, trend terms
    trend_degree: int
    run: IntArray  # per block: the run it was cut from

    @property
    def blocks(self) -> int:
        return int(self.nights.shape[0])

    @property
    def residual_df(self) -> int:
        return self.blocks - int(self.X.shape[1])


@dataclass(frozen=True)
class BlockFit:
    """Posterior summaries of the on/off effect, one entry per replicate."""

    log_rr: FloatArray
    se: FloatArray
    dispersion: FloatArray
    df: int

    def probability_helps(self) -> FloatArray:
        """P(rate ratio < 1 | data) under the t approximation of the posterior."""
        return np.asarray(stats.t.cdf(-self.log_rr / self.se, self.df), dtype=np.float64)

    def interval(self, level: float = 0.95) -> tuple[FloatArray, FloatArray]:
        """Equal-tailed credible interval for log RR."""
        q = float(stats.t.ppf(0.5 + level / 2, self.df))
        return self.log_rr - q * self.se, self.log_rr + q * self.se


def runs_of(day_numbers: IntArray, on: BoolArray) -> IntArray:
    """Run index per night: a run is consecutive days (no gap) in the same condition."""
    n = day_numbers.shape[0]
    run = np.zeros(n, dtype=np.int64)
    if n > 1:
        breaks = (np.diff(day_numbers) != 1) | (on[1:] != on[:-1])
        run[1:] = np.cumsum(breaks)
    return run


def build_design(
    day_numbers: IntArray,
    on: BoolArray,
    washout_days: int = 0,
    max_block: int = MAX_BLOCK_NIGHTS,
) -> BlockDesign:
    """Group nights (sorted, unique day numbers) into blocks and build the model matrix."""
    day_numbers = np.asarray(day_numbers, dtype=np.int64)
    on = np.asarray(on, dtype=np.bool_)
    n = day_numbers.shape[0]
    night_block = np.full(n, -1, dtype=np.int64)
    run = runs_of(day_numbers, on)
    blocks_on: list[bool] = []
    blocks_mid: list[float] = []
    blocks_n: list[int] = []
    blocks_run: list[int] = []
    start = 0
    while start < n:
        stop = start
        while stop < n and run[stop] == run[start]:
            stop += 1
        kept = np.arange(start + washout_days, stop)
        if kept.size:
            # Near-equal blocks of ≤ max_block nights, and at least two per run when possible.
            pieces = min(kept.size, max(MIN_BLOCKS_PER_RUN, -(-kept.size // max_block)))
            for piece in np.array_split(kept, pieces):
                night_block[piece] = len(blocks_n)
                blocks_on.append(bool(on[start]))
                blocks_mid.append(float(day_numbers[piece].mean()))
                blocks_n.append(int(piece.size))
                blocks_run.append(int(run[start]))
        start = stop
    mids = np.asarray(blocks_mid, dtype=np.float64)
    g = mids.shape[0]
    degree = _trend_degree(g, float(mids.max() - mids.min()) if g else 0.0)
    columns = [np.ones(g), np.asarray(blocks_on, dtype=np.float64)]
    if degree:
        span = mids.max() - mids.min()
        scaled = (mids - mids.min()) / span * 2 - 1 if span > 0 else np.zeros(g)
        legendre = np.polynomial.legendre.legvander(scaled, degree)
        columns.extend(legendre[:, k] for k in range(1, degree + 1))
    return BlockDesign(
        night_block=night_block,
        nights=np.asarray(blocks_n, dtype=np.float64),
        on=np.asarray(blocks_on, dtype=np.bool_),
        X=np.column_stack(columns) if g else np.zeros((0, 2)),
        trend_degree=degree,
        run=np.asarray(blocks_run, dtype=np.int64),
    )


def _trend_degree(blocks: int, span_days: float) -> int:
    """Linear trend, one more degree per 12 weeks (at most cubic), keeping residual df."""
    wanted = min(3, 1 + int(span_days // 84))
    return max(0, min(wanted, blocks - 2 - MIN_RESIDUAL_DF))


def block_totals(design: BlockDesign, counts: FloatArray) -> FloatArray:
    """Sum night counts (R, nights) or (nights,) into block totals (R, G)."""
    counts = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    member = design.night_block >= 0
    one_hot = np.zeros((int(member.sum()), design.blocks))
    one_hot[np.arange(one_hot.shape[0]), design.night_block[member]] = 1.0
    return np.asarray(counts[:, member] @ one_hot, dtype=np.float64)


def _within_run_inflation(design: BlockDesign, resid: FloatArray) -> FloatArray:
    """1 + ρ̂: blocks cut from one run are positively correlated when cramps wax and wane
    slowly, so their total varies more than the block-level dispersion says. ρ̂ is the lag-1
    correlation of Pearson residuals between neighbouring blocks of the same run (≥ 0)."""
    same = np.flatnonzero(design.run[1:] == design.run[:-1])
    if same.size == 0:
        return np.ones(resid.shape[0])
    cross = (resid[:, same] * resid[:, same + 1]).mean(axis=1)
    scale = (resid**2).mean(axis=1)
    # Relative to the dispersion actually used (≥ 1), as in the floor above.
    rho = np.clip(cross / np.maximum(scale, 1.0), 0.0, 0.9)
    return np.asarray(1.0 + rho, dtype=np.float64)


def fit_blocks(design: BlockDesign, totals: FloatArray) -> BlockFit:
    """Penalised quasi-Poisson fit of block totals (R, G); returns the on/off effect."""
    X = design.X
    y = np.atleast_2d(np.asarray(totals, dtype=np.float64))
    reps, g = y.shape
    p = X.shape[1]
    df = g - p
    if df < 1:
        raise ValueError(f"{g} blocks cannot fit {p} coefficients")
    log_exposure = np.log(design.nights)
    prior_mean = np.zeros(p)
    prior_sd = np.full(p, PRIOR_SD_TREND)
    prior_sd[0] = PRIOR_SD_INTERCEPT
    prior_sd[1] = PRIOR_SD_EFFECT
    prior_precision = 1.0 / prior_sd**2
    beta = np.zeros((reps, p))
    beta[:, 0] = np.log((y.sum(axis=1) + 0.5) / design.nights.sum())
    prior_mean[0] = 0.0
    phi = np.ones(reps)
    for _ in range(2):  # refit once with the dispersion of the first fit
        for _ in range(NEWTON_STEPS):
            eta = np.clip(beta @ X.T + log_exposure, -30, 30)
            mu = np.exp(eta)
            grad = (y - mu) @ X / phi[:, None] - (beta - prior_mean) * prior_precision
            info = np.einsum("gi,rg,gj->rij", X, mu, X) / phi[:, None, None]
            info += np.diag(prior_precision)
            step = np.linalg.solve(info, grad[..., None])[..., 0]
            # Newton on a concave objective; cap the step so a zero arm cannot jump wildly.
            step = np.clip(step, -3.0, 3.0)
            beta = beta + step
            if float(np.abs(step).max()) < 1e-8:
                break
        mu = np.exp(np.clip(beta @ X.T + log_exposure, -30, 30))
        resid = (y - mu) / np.sqrt(mu)
        pearson = (resid**2).sum(axis=1) / df
        phi = np.maximum(1.0, pearson) * _within_run_inflation(design, resid)
    info = np.einsum("gi,rg,gj->rij", X, mu, X) / phi[:, None, None] + np.diag(prior_precision)
    cov = np.linalg.inv(info)
    return BlockFit(
        log_rr=beta[:, 1].copy(),
        se=np.sqrt(cov[:, 1, 1]),
        dispersion=phi,
        df=df,
    )
