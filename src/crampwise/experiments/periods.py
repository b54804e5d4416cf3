"""The n-of-1 count model: local on/off contrasts around each switch, combined by a paired t.

Cramps wax and wane by themselves, slowly and strongly enough that nights a few weeks apart
are not comparable; only nights close in time are. The analysis therefore compares each
stretch of "on" nights with the "off" nights right next to it, the classic paired analysis of
n-of-1 trials, without needing the schedule (it works on what was done):

1. *Segments* are maximal stretches of consecutive diary rows in the same condition. The
   wash-out drops the first K nights of every run (a run also breaks at a missing date).
2. Every segment is cut in two halves. A *window* straddles each switch of condition: the
   second half of the segment before the switch and the first half of the one after it (the
   first and last segments are kept whole). Windows never overlap. With a planned schedule
   of equal periods a window is one pair of periods, or half of each of two neighbouring
   periods when two pairs meet without a switch. A window missing a condition (or with
   fewer than `MIN_WINDOW_NIGHTS` in one) is merged into its smaller neighbour.
3. In each window w the log rate ratio is d_w = log((y_on + a_on)/n_on) − log((y_off +
   a_off)/n_off), with one pseudo-cramp per window split by exposure (a = n/(n_on + n_off)),
   so that a window without cramps gives exactly 0.
4. The effect is the mean d̄ of the W window contrasts. Its variance is that of the mean of
   an MA(1) series, (γ̂0 + 2·max(γ̂1, 0)) / W, with γ̂0 the spread of the d_w and γ̂1 the
   autocovariance of neighbouring windows (they share a segment and move together when
   cramps drift slowly; the term only ever widens the interval), and never below a quarter
   of the Poisson variance of the d_w / W (so that windows agreeing by chance cannot give a
   zero variance). The posterior of the mean log rate ratio is t with ν = round(¾·(W − 1))
   degrees of freedom (flat priors): the paired-t result, with the degrees of freedom cut by
   a quarter for the neighbour correlation; calibrated by simulation
   (tests/analysis/test_experiment_calibration.py, benchmarks/experiment/).

Slow drift, seasons and trends cancel within a window by design, so no trend term is
needed. Every function is vectorised over replicates so that power simulations analyse
thousands of data sets at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MIN_WINDOW_NIGHTS = 1  # per condition and window
VARIANCE_FLOOR = 0.25  # × the mean Poisson variance of the window log ratios
LAG1_WEIGHT = 2.0  # Var(mean) of an MA(1) series: (γ0 + 2·γ1) / W
DF_FRACTION = 0.75  # of W − 1: neighbouring windows are not independent


@dataclass(frozen=True)
class WindowDesign:
    """Which night belongs to which window (-1 = dropped), and each window's exposure."""

    night_window: IntArray  # per night: window index, or -1 (wash-out)
    night_on: BoolArray  # per night: condition
    nights_on: FloatArray  # per window
    nights_off: FloatArray  # per window

    @property
    def windows(self) -> int:
        return int(self.nights_on.shape[0])

    @property
    def df(self) -> int:
        """Degrees of freedom of the t posterior: ¾ of W − 1 (rounded), at least 1."""
        return max(1, int(DF_FRACTION * (self.windows - 1) + 0.5))


@dataclass(frozen=True)
class WindowFit:
    """Posterior summaries of the on/off effect, one entry per replicate."""

    log_rr: FloatArray
    se: FloatArray
    dispersion: FloatArray  # variance of the window contrasts / their Poisson variance
    df: int

    def probability_helps(self) -> FloatArray:
        """P(rate ratio < 1 | data) under the t posterior of the mean log rate ratio."""
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


def build_windows(day_numbers: IntArray, on: BoolArray, washout_days: int = 0) -> WindowDesign:
    """Group nights (sorted, unique day numbers) into windows straddling each switch."""
    day_numbers = np.asarray(day_numbers, dtype=np.int64)
    on = np.asarray(on, dtype=np.bool_)
    n = on.shape[0]
    window = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return WindowDesign(window, on, np.zeros(0), np.zeros(0))
    run = runs_of(day_numbers, on)
    starts = np.flatnonzero(np.r_[True, run[1:] != run[:-1]])
    position = np.arange(n) - starts[run]  # night's position in its run
    kept = position >= washout_days
    segment = np.r_[0, np.cumsum(on[1:] != on[:-1])]
    segments = int(segment[-1]) + 1
    last = max(segments - 2, 0)
    for s in range(segments):
        idx = np.flatnonzero((segment == s) & kept)
        first, second = np.array_split(idx, 2)
        window[first] = max(s - 1, 0)
        window[second] = min(s, last)
    window = _merge_thin_windows(window, on)
    member = window >= 0
    count = int(window.max()) + 1 if member.any() else 0
    nights_on = np.bincount(window[member & on], minlength=count).astype(np.float64)
    nights_off = np.bincount(window[member & ~on], minlength=count).astype(np.float64)
    return WindowDesign(window, on, nights_on, nights_off)


def _merge_thin_windows(window: IntArray, on: BoolArray) -> IntArray:
    """Merge windows with fewer than MIN_WINDOW_NIGHTS of a condition into a neighbour."""
    ids = [int(w) for w in np.unique(window) if w >= 0]
    sizes = {w: [int(((window == w) & on).sum()), int(((window == w) & ~on).sum())] for w in ids}
    k = 0
    while len(ids) > 1 and k < len(ids):
        w = ids[k]
        if min(sizes[w]) >= MIN_WINDOW_NIGHTS:
            k += 1
            continue
        if k == 0:
            target = ids[1]
        elif k == len(ids) - 1:
            target = ids[k - 1]
        else:  # the smaller neighbour
            before, after = ids[k - 1], ids[k + 1]
            target = before if sum(sizes[before]) <= sum(sizes[after]) else after
        window[window == w] = target
        sizes[target] = [a + b for a, b in zip(sizes[target], sizes[w], strict=True)]
        ids.pop(k)
        k = max(0, k - 1)
    remap = np.full(int(window.max()) + 2 if window.size else 1, -1, dtype=np.int64)
    remap[np.asarray(ids, dtype=np.int64)] = np.arange(len(ids))
    return np.where(window >= 0, remap[window], -1)


def window_totals(design: WindowDesign, counts: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Cramps on and off per window from night counts (R, nights) or (nights,): two (R, W)."""
    counts = np.atleast_2d(np.asarray(counts, dtype=np.float64))
    member = design.night_window >= 0
    one_hot = np.zeros((design.night_window.shape[0], design.windows))
    one_hot[np.flatnonzero(member), design.night_window[member]] = 1.0
    on = design.night_on[:, None]
    return counts @ (one_hot * on), counts @ (one_hot * ~on)


def fit_windows(
    design: WindowDesign, cramps_on: npt.ArrayLike, cramps_off: npt.ArrayLike
) -> WindowFit:
    """The paired analysis of window contrasts; cramps_on/off are (R, W) window totals."""
    y_on = np.atleast_2d(np.asarray(cramps_on, dtype=np.float64))
    y_off = np.atleast_2d(np.asarray(cramps_off, dtype=np.float64))
    w = design.windows
    if w < 1:
        raise ValueError("no window has both conditions")
    n_on, n_off = design.nights_on, design.nights_off
    share_on = n_on / (n_on + n_off)
    d = np.log((y_on + share_on) / n_on) - np.log((y_off + 1 - share_on) / n_off)
    poisson = (1 / (y_on + share_on) + 1 / (y_off + 1 - share_on)).mean(axis=1)
    mean = d.mean(axis=1)
    if w > 1:
        dev = d - mean[:, None]
        var = (dev**2).sum(axis=1) / (w - 1)
        lag1 = (dev[:, 1:] * dev[:, :-1]).sum(axis=1) / (w - 1)
        var = var + LAG1_WEIGHT * np.maximum(lag1, 0.0)
    else:  # one window: only the Poisson variance is known
        var = poisson.copy()
    var = np.maximum(var, VARIANCE_FLOOR * poisson)
    return WindowFit(
        log_rr=mean,
        se=np.sqrt(var / w),
        dispersion=var / poisson,
        df=design.df,
    )
