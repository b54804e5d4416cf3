"""The ceiling for the six-month study: an oracle that knows which five factors are real.

    python benchmarks/analyze/oracle_six_months.py [--generator realistic] [--reps 200]

Fits the NB2 model with only the planted terms (+ intercept and linear trend; no season, no
bystanders to adjust for), alpha by maximum likelihood, model-based Wald tests, and counts a
trigger found when p <= 0.10 x 5 / terms: the Benjamini-Hochberg threshold when all five
planted terms are found among all the terms the diary tests, the most lenient a valid
term-level FDR method could use. No one could use this method (it knows the answer); it
says how much signal the diaries hold. Same planted seeds as bench_six_months.py.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # six_months, beside this script

from six_months import GENERATORS, PLANTED, SixMonthGenerator

from crampwise.analysis.countmodel import estimate_alpha, fit_count_glm, model_cov


def _num(v: object) -> float:
    return float("nan") if v is None else float(v)  # type: ignore[arg-type]


def oracle_hits(gen: SixMonthGenerator, seed: int, scale: float = 1.0) -> np.ndarray:
    """Which of the five planted triggers the oracle finds in the diary of `seed` (0/1 each)."""
    t = gen.simulate(seed, scale=scale).table
    cols = {f.name: f.values for f in t.factors}
    days = np.array([d.toordinal() for d in t.dates], float)
    row_of = {d: i for i, d in enumerate(days)}
    alcohol = np.array([_num(v) for v in cols["alcohol_units"]])
    Z = np.column_stack(
        [
            [_num(v) for v in cols["exercise_min"]],
            [_num(v) for v in cols["bedroom_temp_c"]],
            [_num(v) for v in cols["footbath"]],
            [np.nan if v is None else float(v == "prone") for v in cols["sleep_position"]],
            [alcohol[row_of[d - 1]] if d - 1 in row_of else np.nan for d in days],
        ]
    )
    ok = ~np.isnan(Z).any(axis=1)
    X = np.column_stack([np.ones(len(days)), (days - days[0]) / 365.25, Z])[ok]
    X[:, 1:] = (X[:, 1:] - X[:, 1:].mean(0)) / X[:, 1:].std(0)
    y = np.array(t.cramps, float)[ok]
    fit = fit_count_glm(X, y, alpha=estimate_alpha(X, y))
    se = np.sqrt(np.diag(model_cov(fit)))[2:]
    z = np.abs(fit.coef[2:]) / se
    p = np.array([math.erfc(v / math.sqrt(2)) for v in z])
    return (p <= 0.10 * len(PLANTED) / gen.terms).astype(float)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generator", choices=sorted(GENERATORS), default="realistic")
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0)
    args = ap.parse_args(argv)
    gen = GENERATORS[args.generator]
    hits = sum(
        oracle_hits(gen, seed, args.scale)
        for seed in range(args.first_seed, args.first_seed + args.reps)
    )
    power = hits / args.reps
    print(f"oracle ceiling, generator {gen.name}, scale {args.scale}, {args.reps} diaries")
    for (factor, lag), share in zip(PLANTED, power, strict=True):
        print(f"  power {factor + '@' + str(lag):<26}{share:7.3f}")
    print(f"  {'mean':<32}{power.mean():7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
