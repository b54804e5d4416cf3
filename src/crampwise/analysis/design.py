"""Turn a DayTable into model columns: lagged factors, tested terms, adjusters, season and trend.

Missing values stay missing (NaN) here. A lag-1 value is the previous *calendar* day's
value; when that day is absent from the table it is missing, so a lag never crosses a gap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crampwise.diary.daytable import DayTable, FactorColumn
from crampwise.diary.model import BUILTIN_BY_NAME, FactorKind

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Array = NDArray[np.float64]

__all__ = ["DesignTables", "Term", "build_design", "joint_design", "test_design"]

LAGS = (0, 1)
MIN_LEVEL_NIGHTS = 5  # a categorical level seen on fewer nights is pooled in the adjusters
MIN_TESTED_LEVEL = 3  # a level seen on fewer nights is not tested at all
MAX_ADJUST_LEVELS = 8  # dummy columns per categorical adjuster (the rarest are pooled)
INDICATOR_SHARE = 0.2  # adjusters missing on this share of nights also get a missing indicator
ADJUSTER_PENALTY = 1.0  # ridge weight on standardised adjusters: ~ one pseudo-cramp of information


@dataclass
class Term:
    """One tested combination: factor x level x lag, with its values (NaN = missing)."""

    factor: str
    kind: FactorKind
    level: str | None
    lag: int
    x: Array
    label: str
    unit: str | None


@dataclass
class DesignTables:
    """Everything the per-term fits share, built once per table."""

    days: Array
    y: Array
    base: Array  # intercept + slow trend + season, one row per night
    base_penalty: Array
    blocks: dict[tuple[str, int], Array] = field(default_factory=dict)  # adjuster columns
    terms: list[Term] = field(default_factory=list)
    notes: list[tuple[str, str | None, int, str]] = field(default_factory=list)  # untestable
    stacked: dict[int, tuple[Array, list[str], NDArray[np.bool_]]] | None = None
    # Factors whose value at lag L matters in the model with every factor at both lags
    # (fit_terms.screen_other_lag): fits at lag 1 - L adjust for them too.
    screened: dict[int, set[str]] = field(default_factory=dict)


def _lagged(values: Array, prev: NDArray[np.intp], lag: int) -> Array:
    import numpy as np

    if lag == 0:
        return values
    out = np.full(values.shape, np.nan)
    ok = prev >= 0
    out[ok] = values[prev[ok]]
    return out


def _season_trend(days: Array) -> tuple[Array, Array]:
    """Intercept, a linear spline trend (a knot a year) and, past a year, an annual cycle."""
    from datetime import date

    import numpy as np

    n = len(days)
    cols = [np.ones(n)]
    span = float(days[-1] - days[0]) if n else 0.0
    if span >= 90:
        t = (days - days[0]) / 365.25
        cols.append(t)
        for knot in range(1, min(int(span // 365.25), 9) + 1):
            cols.append(np.clip(t - knot, 0.0, None))
    if span >= 365:
        # Day of year from the real calendar, so the cycle lines up across users.
        doy = np.array([date.fromordinal(int(d)).timetuple().tm_yday for d in days], dtype=float)
        angle = 2.0 * np.pi * doy / 365.25
        cols += [np.sin(angle), np.cos(angle)]
    base = np.column_stack(cols)
    for j in range(1, base.shape[1]):
        sd = base[:, j].std()
        base[:, j] = (base[:, j] - base[:, j].mean()) / (sd if sd > 0 else 1.0)
    penalty = np.full(base.shape[1], ADJUSTER_PENALTY)
    penalty[0] = 0.0
    return base, penalty


def _encode(
    col: FactorColumn, prev: NDArray[np.intp], out: DesignTables, label: str, unit: str | None
) -> None:
    import numpy as np

    n = len(col.values)
    if col.kind == "categorical":
        text = [None if v is None else str(v) for v in col.values]
        counts: dict[str, int] = {}
        for v in text:
            if v is not None:
                counts[v] = counts.get(v, 0) + 1
        levels = sorted(counts, key=lambda lv: (-counts[lv], lv))
        if not levels:
            out.notes.append((col.name, None, 0, "no values recorded"))
            out.notes.append((col.name, None, 1, "no values recorded"))
            return
        index = {level: i for i, level in enumerate(levels)}
        codes = np.array([np.nan if v is None else float(index[v]) for v in text])
        kept = [i for i in range(1, len(levels)) if counts[levels[i]] >= MIN_LEVEL_NIGHTS]
        kept = kept[:MAX_ADJUST_LEVELS]
        # Levels too rare to test get one note, not a term each (free text has thousands).
        testable = [i for i, level in enumerate(levels) if counts[level] >= MIN_TESTED_LEVEL]
        rare = len(levels) - len(testable)
        for lag in LAGS:
            lagged = _lagged(codes, prev, lag)
            miss = np.isnan(lagged)
            block = np.column_stack([(lagged == k).astype(float) for k in kept] or [np.zeros(n)])
            block[miss] = np.nan
            out.blocks[(col.name, lag)] = block
            for k in testable:
                x = (lagged == k).astype(float)
                x[miss] = np.nan
                out.terms.append(Term(col.name, "categorical", levels[k], lag, x, label, unit))
            if rare:
                out.notes.append(
                    (col.name, None, lag,
                     f"{rare} value(s) seen on fewer than {MIN_TESTED_LEVEL} nights each")
                )  # fmt: skip
        return
    raw = np.array(
        [np.nan if v is None else float(v) for v in col.values], dtype=float
    )  # booleans become 0/1
    for lag in LAGS:
        x = _lagged(raw, prev, lag)
        out.blocks[(col.name, lag)] = x[:, None]
        out.terms.append(Term(col.name, col.kind, None, lag, x, label, unit))


def factor_label(name: str) -> tuple[str, str | None]:
    """A readable name and unit for a factor column (built-ins have both)."""
    spec = BUILTIN_BY_NAME.get(name)
    if spec is not None:
        return spec.label.lower(), spec.unit
    return name.replace("_", " "), None


def build_design(table: DayTable) -> DesignTables:
    """Lag every factor, encode it for testing and for adjusting, and build the base terms."""
    import numpy as np

    order = sorted(range(len(table.dates)), key=lambda i: table.dates[i])
    days = np.array([table.dates[i].toordinal() for i in order], dtype=float)
    y = np.array([table.cramps[i] for i in order], dtype=float)
    prev = np.full(len(days), -1, dtype=np.intp)
    if len(days) > 1:
        follows = np.flatnonzero(np.diff(days) == 1.0) + 1
        prev[follows] = follows - 1
    base, penalty = _season_trend(days)
    out = DesignTables(days=days, y=y, base=base, base_penalty=penalty)
    # Column order must not matter: the same diary exported by storage (built-ins first) or
    # written by hand gives bit-identical numbers, so `analyze` with and without FILE agree.
    for col in sorted(table.factors, key=lambda c: c.name):
        label, unit = factor_label(col.name)
        _encode(
            FactorColumn(col.name, col.kind, [col.values[i] for i in order]), prev, out, label, unit
        )
    return out


def _stacked(tables: DesignTables) -> dict[int, tuple[Array, list[str], NDArray[np.bool_]]]:
    """Per lag: every adjuster column side by side, the factor of each, and block starts."""
    import numpy as np

    if tables.stacked is None:
        stacked: dict[int, tuple[Array, list[str], NDArray[np.bool_]]] = {}
        for lag in LAGS:
            items = [(name, b) for (name, b_lag), b in tables.blocks.items() if b_lag == lag]
            n = len(tables.y)
            matrix = np.concatenate([b for _, b in items], axis=1) if items else np.empty((n, 0))
            owners = [name for name, b in items for _ in range(b.shape[1])]
            starts = np.array([j == 0 for _, b in items for j in range(b.shape[1])], dtype=bool)
            stacked[lag] = (matrix, owners, starts)
        tables.stacked = stacked
    return tables.stacked


def _impute(adj: Array, x: Array) -> tuple[Array, NDArray[np.bool_]]:
    """Fill each adjuster's missing rows by its linear regression on the tested term.

    Plain mean imputation would let a bystander that travels with a real trigger stand in
    for the trigger on the nights the trigger is missing (steps for exercise, say), and the
    bystander would come out significant; predicting from the tested term removes that.
    Returns the filled columns and which rows were missing.
    """
    import numpy as np

    miss = np.isnan(adj)
    seen = ~miss
    count = seen.sum(axis=0).astype(float)
    safe = np.maximum(count, 1.0)
    z = np.where(seen, adj, 0.0)
    x_mean = (x @ seen) / safe
    z_mean = z.sum(axis=0) / safe
    sxx = (x * x) @ seen - count * x_mean**2
    sxz = x @ z - count * x_mean * z_mean
    slope = np.divide(sxz, sxx, out=np.zeros_like(sxz), where=sxx > 1e-12 * np.maximum(count, 1))
    fill = z_mean + (x[:, None] - x_mean) * slope
    return np.where(miss, fill, adj), miss


def test_design(
    tables: DesignTables, term: Term, other_lag: bool = True
) -> tuple[NDArray[np.bool_], Array, Array, int, float, float]:
    """The model matrix for one term: rows where it is known; columns base, term, adjusters.

    Adjusters are every other factor at the same lag plus this factor at the other lag, plus
    the other-lag factors screened in (`DesignTables.screened`). Their
    missing values are imputed from the tested term (`_impute`), plus a missing indicator when
    often missing (so few rows are lost); they are standardised and lightly ridge-penalised;
    the tested term itself is never penalised.
    other_lag=False leaves out every other-lag adjuster: for a remedy switched on and off in
    runs of days (an experiment), yesterday's value is today's on most nights, and adjusting
    for it would leave almost nothing to compare.
    Returns (rows, X, penalty, index of the term, its centre, its scale).
    """
    import numpy as np

    rows = ~np.isnan(term.x)
    x = term.x[rows]
    centre = float(x.mean())
    scale = float(x.std())
    if scale <= 0:
        scale = 1.0
    stacked = _stacked(tables)
    same, same_owner, same_start = stacked[term.lag]
    other, other_owner, other_start = stacked[1 - term.lag]
    pick_same = np.array([o != term.factor for o in same_owner], dtype=bool)
    extra = tables.screened.get(1 - term.lag, set())
    pick_other = np.array(
        [other_lag and (o == term.factor or o in extra) for o in other_owner], dtype=bool
    )
    raw = np.concatenate([same[rows][:, pick_same], other[rows][:, pick_other]], axis=1)
    starts = np.concatenate([same_start[pick_same], other_start[pick_other]])
    adj, miss = _impute(raw, x)
    share = miss.mean(axis=0) if len(x) else np.zeros(adj.shape[1])
    # Often missing: whether a factor was recorded may itself say something.
    flag = starts & (share >= INDICATOR_SHARE) & (share < 1.0)
    if flag.any():
        adj = np.concatenate([adj, miss[:, flag].astype(float)], axis=1)
    sd = adj.std(axis=0)
    keep = sd > 1e-9  # constant, or never recorded on these nights
    adj = (adj[:, keep] - adj[:, keep].mean(axis=0)) / sd[keep]
    base = tables.base[rows]
    X = np.concatenate([base, ((x - centre) / scale)[:, None], adj], axis=1)
    penalty = np.concatenate([tables.base_penalty, [0.0], np.full(adj.shape[1], ADJUSTER_PENALTY)])
    return rows, X, penalty, base.shape[1], centre, scale


def joint_design(tables: DesignTables) -> tuple[Array, Array, list[tuple[str, int]]]:
    """Base terms plus every factor at both lags in one ridge model, with each adjuster
    column's (factor, lag): for the dispersion and the other-lag screen, never for a test.

    Missing values are mean-imputed (no term is being tested here, and the imputation only
    has to keep every night in). Columns are standardised and carry the adjusters' ridge.
    """
    import numpy as np

    stacked = _stacked(tables)
    cols = [stacked[lag][0] for lag in LAGS]
    owners = [(name, lag) for lag in LAGS for name in stacked[lag][1]]
    raw = np.concatenate(cols, axis=1) if cols else np.empty((len(tables.y), 0))
    seen = ~np.isnan(raw)
    count = np.maximum(seen.sum(axis=0), 1)
    mean = np.where(seen, raw, 0.0).sum(axis=0) / count
    adj = np.where(seen, raw, mean)
    sd = adj.std(axis=0)
    keep = sd > 1e-9
    adj = (adj[:, keep] - adj[:, keep].mean(axis=0)) / sd[keep]
    X = np.concatenate([tables.base, adj], axis=1)
    penalty = np.concatenate([tables.base_penalty, np.full(adj.shape[1], ADJUSTER_PENALTY)])
    return X, penalty, [o for o, k in zip(owners, keep, strict=True) if k]
