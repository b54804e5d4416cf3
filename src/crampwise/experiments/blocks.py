"""Which nights form which periods and pairs: from the plan when it is known, else from runs
of the same condition; the wash-out; and the day grid the estimate and the bootstrap use."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

MIN_RUN_NIGHTS = 3  # fallback periods: shorter runs are skipped evenings, not periods


@dataclass(frozen=True)
class Layout:
    """Nights placed on a calendar grid (missing dates masked) and grouped into pairs."""

    observed: BoolArray  # (days,) night present and kept (not wash-out)
    pair: IntArray  # (days,) pair index 0..P-1 of every grid day (any for unobserved)
    day: FloatArray  # (days,) day number relative to the first night
    pairs: int


def blocks_of(
    day: IntArray,
    on: BoolArray,
    period_index: npt.ArrayLike | None,
    pair_index: npt.ArrayLike | None,
    order: IntArray,
) -> tuple[IntArray, IntArray]:
    """Period and pair of each (sorted) night: from the plan when given, else from runs."""
    if pair_index is not None:
        pairs = np.asarray(pair_index, dtype=np.int64)[order]
        periods = (
            np.asarray(period_index, dtype=np.int64)[order]
            if period_index is not None
            else _runs(day, on, pairs)
        )
        return periods, pairs
    if period_index is not None:
        periods = np.asarray(period_index, dtype=np.int64)[order]
        _, rank = np.unique(periods, return_inverse=True)
        return periods, rank // 2
    periods = _runs(day, on, np.zeros_like(day))
    _, rank = np.unique(periods, return_inverse=True)
    pairs = rank // 2
    # An odd last period joins the previous pair rather than forming a one-sided pair.
    if pairs.size and rank.max() % 2 == 0 and rank.max() > 0:
        pairs[rank == rank.max()] -= 1
    return periods, pairs


def _runs(day: IntArray, on: BoolArray, block: IntArray) -> IntArray:
    """Fallback periods: runs of the same condition; runs < MIN_RUN_NIGHTS join the previous."""
    n = on.size
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.r_[True, (on[1:] != on[:-1]) | (block[1:] != block[:-1])]
    run = np.cumsum(change) - 1
    lengths = np.bincount(run)
    period = np.empty(n, dtype=np.int64)
    current = 0
    for r in range(lengths.size):
        idx = run == r
        first = bool(r == 0)
        if not first and lengths[r] >= MIN_RUN_NIGHTS:
            current += 1
        period[idx] = current
    return period


def after_washout(day: IntArray, period: IntArray, washout_days: int) -> BoolArray:
    """Drop the first `washout_days` calendar days of every period (by its first night)."""
    if washout_days <= 0 or day.size == 0:
        return np.ones(day.size, dtype=np.bool_)
    _, pid = np.unique(period, return_inverse=True)
    start = np.full(pid.max() + 1, np.iinfo(np.int64).max)
    np.minimum.at(start, pid, day)
    return np.asarray(day - start[pid] >= washout_days, dtype=np.bool_)


def layout_of(day: IntArray, pair: IntArray, n_pairs: int) -> Layout:
    """Place nights on a day grid; unobserved days take the pair of the previous night."""
    grid = day - day[0]
    days = int(grid[-1]) + 1
    observed = np.zeros(days, dtype=np.bool_)
    observed[grid] = True
    full_pair = np.zeros(days, dtype=np.int64)
    full_pair[grid] = pair
    filled = np.maximum.accumulate(np.where(observed, np.arange(days), 0))
    return Layout(observed, full_pair[filled], np.arange(days, dtype=np.float64), n_pairs)
