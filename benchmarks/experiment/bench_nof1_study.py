"""Calibration and power study of the n-of-1 analysis on simulated diaries.

    python benchmarks/experiment/bench_nof1_study.py           # quick (default), < 60 s
    python benchmarks/experiment/bench_nof1_study.py --full    # full grid, ~52 min, 1 core

Diaries come from `crampwise.experiments.simulation` (coded apart from the analysis's own
models) and go through `crampwise.experiments.model.analyze_nights` exactly as
`analyze_planned` calls it (plan periods and pairs, bootstrap seed 0). Every number is seeded.
Results are printed beside their targets and saved as JSON: the quick run to
benchmarks/results/experiment_nof1.json, the full run to experiment_nof1_full.json. The quick
run is a smoke test (Monte-Carlo SE ~0.02 per cell); only the full run checks the targets.
See README.md in this folder.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import platform
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from crampwise.experiments.estimate import studentise
from crampwise.experiments.model import MIN_NIGHTS_PER_ARM, analyze_nights
from crampwise.experiments.power import power_to_detect, suggest_pairs
from crampwise.experiments.simulation import Drift, Nuisance, simulate_diary

RESULTS = Path(__file__).resolve().parent.parent / "results"
RATES = (0.3, 1.0, 3.0)
PERIODS = (7, 14)
PAIRS = (3, 4, 6, 8, 12)
DRIFTS: tuple[Drift, ...] = ("none", "mixed")
QUICK_CELLS: list[tuple[float, int, int, Drift]] = [
    (0.3, 7, 3, "mixed"),
    (3.0, 14, 12, "mixed"),
    (1.0, 14, 4, "none"),
]
# --targeted: the cells where null rates came out highest in the last full grid (few cramps,
# few pairs; many cramps with many pairs, where frailty dominates) and the headline design.
TARGETED_CELLS: list[tuple[float, int, int, Drift]] = [
    (0.3, 7, 3, "none"),
    (0.3, 7, 3, "mixed"),
    (0.3, 7, 4, "mixed"),
    (0.3, 14, 12, "none"),
    (1.0, 14, 4, "mixed"),
    (1.0, 14, 6, "mixed"),
    (1.0, 14, 8, "mixed"),
    (3.0, 14, 12, "mixed"),
]
NULL_MAX = 0.05  # "helps" and "worse" for a useless remedy, in every cell
POWER_TARGET = 0.85  # headline design, halving
COVERAGE_TARGET = 0.95


@dataclass(frozen=True)
class CellResult:
    """Verdict shares and CI coverage for one design and one true rate ratio."""

    rate: float
    period_days: int
    pairs: int
    drift: str
    rate_ratio: float
    reps: int
    helps: float
    worse: float
    not_enough_data: float
    coverage: float
    median_estimate: float
    seconds_per_analysis: float


def run_cell(
    rate: float,
    period_days: int,
    pairs: int,
    rate_ratio: float,
    nuisance: Nuisance,
    reps: int,
    seed: int,
    washout_days: int = 0,
    use_plan: bool = True,
) -> CellResult:
    """Simulate `reps` diaries and analyse each as the app would."""
    rng = np.random.default_rng(seed)
    verdicts: list[str] = []
    covered = 0
    estimates: list[float] = []
    start = time.perf_counter()
    for _ in range(reps):
        d = simulate_diary(rng, rate, pairs, period_days, rate_ratio, nuisance)
        r = analyze_nights(
            d.day_numbers,
            d.counts,
            d.on,
            period_index=d.period_index if use_plan else None,
            pair_index=d.pair_index if use_plan else None,
            washout_days=washout_days,
        )
        verdicts.append(r.verdict)
        covered += int(r.ci95_low <= rate_ratio <= r.ci95_high)
        estimates.append(r.estimate)
    elapsed = time.perf_counter() - start
    share = {v: verdicts.count(v) / reps for v in ("helps", "worse", "not_enough_data")}
    return CellResult(
        rate=rate,
        period_days=period_days,
        pairs=pairs,
        drift=nuisance.drift,
        rate_ratio=rate_ratio,
        reps=reps,
        helps=share["helps"],
        worse=share["worse"],
        not_enough_data=share["not_enough_data"],
        coverage=covered / reps,
        median_estimate=float(np.nanmedian(estimates)),
        seconds_per_analysis=elapsed / reps,
    )


def seed_of(*parts: object) -> int:
    """A stable seed from the cell's description (Python's hash() is salted per process)."""
    text = "|".join(str(p) for p in parts)
    return int.from_bytes(text.encode(), "little") % (2**32 - 1)


def mc_se(p: float, n: int) -> float:
    return math.sqrt(max(p * (1 - p), 1e-12) / n)


def mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def fixed(adherence: float, sd: float, rho: float, alpha: float, drift: Drift) -> Nuisance:
    """A nuisance with every parameter fixed (no per-diary draw)."""
    return Nuisance(
        latent_sd=(sd, sd),
        rho=(rho, rho),
        dispersion=(alpha, alpha),
        adherence=(adherence, adherence),
        drift=drift,
    )


def grid(
    cells: list[tuple[float, int, int, Drift]], null_reps: int, power_reps: int
) -> list[dict[str, dict[str, Any]]]:
    """Null and halving diaries for every design cell, one printed line per cell."""
    print(f"Grid: {len(cells)} cells; nuisance per diary: latent sd 0.3-0.6, AR(1) rho 0.3-0.7,")
    print("NB alpha 0-0.5, adherence 0.7-1.0, 3% missing nights; drift 'mixed' = linear ±0.5")
    print("or seasonal amplitude 0.5 (50/50).")
    print(
        f"null reps/cell {null_reps} (MC se at 0.05: {mc_se(0.05, null_reps):.4f}); "
        f"power reps/cell {power_reps}"
    )
    print(f"targets: null helps <= {NULL_MAX}, null worse <= {NULL_MAX} in every cell")
    head = (
        f"{'rate':>5} {'D':>3} {'N':>3} {'drift':>6} | {'null helps':>10} {'null worse':>10}"
        f" {'target':>6} | {'cover RR1':>9} | {'power RR.5':>10} {'cover RR.5':>10} {'ms':>5}"
    )
    print(head)
    print("-" * len(head))
    rows = []
    for rate, period, pairs, drift in cells:
        nuis = Nuisance(drift=drift)
        null = run_cell(
            rate, period, pairs, 1.0, nuis, null_reps, seed_of("null", rate, period, pairs, drift)
        )
        alt = run_cell(
            rate, period, pairs, 0.5, nuis, power_reps, seed_of("alt", rate, period, pairs, drift)
        )
        rows.append({"null": asdict(null), "alt": asdict(alt)})
        ok = null.helps <= NULL_MAX and null.worse <= NULL_MAX
        print(
            f"{rate:>5} {period:>3} {pairs:>3} {drift:>6} | {null.helps:>10.3f} {null.worse:>10.3f}"
            f" {mark(ok):>6} | {null.coverage:>9.3f} | {alt.helps:>10.3f} {alt.coverage:>10.3f}"
            f" {1000 * null.seconds_per_analysis:>5.1f}",
            flush=True,
        )
    return rows


def stress(quick: bool, reps: int, harsh_reps: int = 0) -> list[dict[str, Any]]:
    """Null diaries at the corners of the nuisance ranges."""
    corners = {
        "harsh": Nuisance(
            latent_sd=(0.6, 0.6),
            rho=(0.7, 0.7),
            dispersion=(0.5, 0.5),
            adherence=(0.7, 0.7),
            drift="linear",
        ),
        "mild": fixed(1.0, 0.3, 0.3, 0.0, "none"),
    }
    designs = (
        [(1.0, 14, 4)]
        if quick
        else [(r, d, n) for r in RATES for (d, n) in ((7, 3), (14, 4), (14, 12))]
    )
    print(
        f"\nStress corners (null, {harsh_reps or reps} harsh / {reps} mild reps; target helps,"
        f" worse <= {NULL_MAX}): harsh = sd .6"
        " rho .7 alpha .5 adherence .7 linear drift ±0.5; mild = sd .3 rho .3 alpha 0, full"
        " adherence, no drift"
    )
    out: list[dict[str, Any]] = []
    for name, nuis in corners.items():
        n = harsh_reps if name == "harsh" and harsh_reps else reps
        for rate, period, pairs in designs:
            c = run_cell(
                rate, period, pairs, 1.0, nuis, n, seed_of("stress", name, rate, period, pairs)
            )
            out.append({"corner": name, **asdict(c)})
            ok = c.helps <= NULL_MAX and c.worse <= NULL_MAX
            print(
                f"  {name:>5} rate {rate:>3} {pairs}x{period:<2}: helps {c.helps:.3f} worse"
                f" {c.worse:.3f} {mark(ok)}  coverage {c.coverage:.3f}",
                flush=True,
            )
    return out


def headline(reps: int, oracle_reps: int) -> list[dict[str, Any]]:
    """RR 0.5, 4 pairs x 14 days, 1 cramp/night, adherence 90%, mixed drift, frailty levels."""
    frailties = {
        "grid ranges (sd .3-.6, rho .3-.7, alpha 0-.5)": Nuisance(adherence=(0.9, 0.9)),
        "low (sd .3, rho .3, alpha 0)": fixed(0.9, 0.3, 0.3, 0.0, "mixed"),
        "mid (sd .45, rho .5, alpha .25)": fixed(0.9, 0.45, 0.5, 0.25, "mixed"),
        "none (pure Poisson + drift)": fixed(0.9, 0.0, 0.5, 0.0, "mixed"),
        "high (sd .6, rho .7, alpha .5)": fixed(0.9, 0.6, 0.7, 0.5, "mixed"),
    }
    print(
        f"\nHeadline: RR 0.5, 4 pairs x 14 days, 1 cramp/night, adherence 90%, mixed drift "
        f"({reps} reps). Target power >= {POWER_TARGET} (first row: the brief's frailty)"
    )
    out: list[dict[str, Any]] = []
    for label, nuis in frailties.items():
        c = run_cell(1.0, 14, 4, 0.5, nuis, reps, seed_of("headline", label))
        oracle_z, oracle_beta = oracle_power(
            1.0, 14, 4, 0.5, nuis, oracle_reps, seed_of("oracle", label)
        )
        out.append(
            {
                "frailty": label,
                "oracle_power_z": oracle_z,
                "oracle_power_beta": oracle_beta,
                **asdict(c),
            }
        )
        print(
            f"  {label:<48} power {c.helps:.3f} (±{mc_se(c.helps, reps):.3f})"
            f" {mark(c.helps >= POWER_TARGET):>6}  oracle: z {oracle_z:.3f}, beta"
            f" {oracle_beta:.3f}  coverage {c.coverage:.3f}",
            flush=True,
        )
    return out


def carryover(reps: int) -> list[dict[str, Any]]:
    """The effect fades over 3 nights after the remedy stops; wash-out 0 and 3."""
    print("\nCarry-over (effect fades over 3 nights after stopping), headline design, grid ranges:")
    out: list[dict[str, Any]] = []
    for washout in (0, 3):
        nuis = Nuisance(adherence=(0.9, 0.9), carryover_nights=3)
        c = run_cell(1.0, 14, 4, 0.5, nuis, reps, seed_of("carry", washout), washout_days=washout)
        out.append({"washout_days": washout, **asdict(c)})
        print(
            f"  wash-out {washout}: power {c.helps:.3f}  median RR {c.median_estimate:.3f}"
            f"  coverage of 0.5 {c.coverage:.3f}",
            flush=True,
        )
    return out


def fallback(reps: int) -> dict[str, Any]:
    """No plan indices: periods from runs of the same condition."""
    print("\nFallback without plan indices (periods from runs), headline design, grid ranges:")
    alt = run_cell(
        1.0, 14, 4, 0.5, Nuisance(adherence=(0.9, 0.9)), reps, seed_of("fb", 2), use_plan=False
    )
    null = run_cell(1.0, 14, 4, 1.0, Nuisance(), reps, seed_of("fb", 1), use_plan=False)
    ok = null.helps <= NULL_MAX and null.worse <= NULL_MAX
    print(f"  null helps {null.helps:.3f} worse {null.worse:.3f} {mark(ok)}; power {alt.helps:.3f}")
    return {"null": asdict(null), "alt": asdict(alt)}


def approximation(quick: bool, reps: int) -> list[dict[str, Any]]:
    """power_to_detect against the simulated power of the real analysis, same fixed nuisance."""
    print(
        "\nPlanning approximation power_to_detect vs simulated power of the real analysis"
        " (planning model: sd .45, rho .5, alpha .25, linear drift ±0.5, 3% missing)."
        " Target ±0.05"
    )
    designs = (
        [(1.0, 14, 4, 0.9)]
        if quick
        else [
            (1.0, 14, 4, 0.9),
            (1.0, 14, 4, 1.0),
            (0.3, 14, 6, 0.9),
            (3.0, 7, 3, 0.9),
            (1.0, 7, 8, 0.8),
            (0.3, 7, 12, 1.0),
            (3.0, 14, 4, 0.9),
            (1.0, 7, 4, 0.9),
        ]
    )
    out: list[dict[str, Any]] = []
    for rate, period, pairs, adherence in designs:
        nuis = fixed(adherence, 0.45, 0.5, 0.25, "linear")
        c = run_cell(
            rate, period, pairs, 0.5, nuis, reps, seed_of("approx", rate, period, pairs, adherence)
        )
        start = time.perf_counter()
        p = power_to_detect(rate, pairs, period, rate_ratio=0.5, adherence=adherence)
        took = time.perf_counter() - start
        out.append(
            {
                "rate": rate,
                "period_days": period,
                "pairs": pairs,
                "adherence": adherence,
                "simulated": c.helps,
                "approximation": p,
                "seconds": took,
            }
        )
        print(
            f"  rate {rate} {pairs}x{period} adherence {adherence}: simulated {c.helps:.3f} "
            f"(±{mc_se(c.helps, c.reps):.3f})  approx {p:.3f}  diff {p - c.helps:+.3f}"
            f" {mark(abs(p - c.helps) <= 0.05)}  ({took:.2f} s)",
            flush=True,
        )
    return out


def oracle_power(
    rate: float, period: int, pairs: int, rr: float, nuis: Nuisance, reps: int, seed: int
) -> tuple[float, float]:
    """Power at 5% of z, and of the Poisson estimate beta, when their true null is known.

    Null and alternative diaries from the same generator and nuisance; the 5% point of the
    null statistic is the critical value (no margin): a ceiling no real test reaches.
    0 reps: skipped (quick mode), returns nan.
    """
    if reps == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    days = 2 * pairs * period
    pair = np.repeat(np.arange(pairs), 2 * period)
    zs, betas = [], []
    for ratio in (1.0, rr):
        z = np.empty(reps)
        b = np.empty(reps)
        for i in range(reps):
            d = simulate_diary(rng, rate, pairs, period, ratio, nuis)
            y = np.zeros((1, days))
            x = np.zeros((1, days), dtype=np.bool_)
            obs = np.zeros((1, days), dtype=np.bool_)
            y[0, d.day_numbers], x[0, d.day_numbers], obs[0, d.day_numbers] = d.counts, d.on, True
            enough = min(d.on.sum(), (~d.on).sum()) >= MIN_NIGHTS_PER_ARM
            fit = studentise(y, x, obs, pair, pairs)
            z[i] = fit.z[0] if enough else np.inf
            b[i] = fit.beta[0] if enough else np.inf
        zs.append(z)
        betas.append(b)
    return (
        float(np.mean(zs[1] < np.quantile(zs[0], 0.05))),
        float(np.mean(betas[1] < np.quantile(betas[0], 0.05))),
    )


def timing() -> dict[str, float]:
    """Speed of one 16-week diary in-process and of the planning calls (measured, not
    asserted: the tests never time anything)."""
    rng = np.random.default_rng(7)
    times = []
    for _ in range(30):
        d = simulate_diary(rng, 1.0, 4, 14, 1.0, Nuisance())
        start = time.perf_counter()
        analyze_nights(
            d.day_numbers, d.counts, d.on, period_index=d.period_index, pair_index=d.pair_index
        )
        times.append(time.perf_counter() - start)
    start = time.perf_counter()
    power_to_detect(1.0, 4, 14, adherence=0.9)
    power_s = time.perf_counter() - start
    start = time.perf_counter()
    suggest_pairs(0.5, 14)
    suggest_s = time.perf_counter() - start
    return {
        "analyze_median_s": float(np.median(times)),
        "analyze_max_s": float(np.max(times)),
        "power_s": power_s,
        "suggest_s": suggest_s,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="smoke run, < 60 s (the default)")
    mode.add_argument("--full", action="store_true", help="the full grid (~52 min on one core)")
    mode.add_argument(
        "--targeted",
        action="store_true",
        help="the deciding cells at full size, stress corners at 1,000, headline, planning",
    )
    parser.add_argument(
        "--part",
        choices=("all", "cells", "designs"),
        default="all",
        help="cells: grid and stress corners; designs: headline, carry-over, fallback,"
        " planning and speed (two processes can run the halves at once)",
    )
    parser.add_argument("--null-reps", type=int, default=None)
    parser.add_argument("--power-reps", type=int, default=None)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    quick = not (args.full or args.targeted)
    null_reps = args.null_reps or (100 if quick else 1000)
    power_reps = args.power_reps or (60 if quick else 300)
    name = "quick" if quick else "targeted" if args.targeted else "full"
    tail = "" if args.part == "all" else f"_{args.part}"
    out = args.out or RESULTS / (
        f"experiment_nof1{tail}.json" if quick else f"experiment_nof1_{name}{tail}.json"
    )
    t0 = time.perf_counter()
    report: dict[str, object] = {
        "mode": name,
        "null_reps": null_reps,
        "power_reps": power_reps,
        "python": sys.version.split()[0],
        "machine": platform.machine(),
    }
    cells = (
        QUICK_CELLS
        if quick
        else TARGETED_CELLS
        if args.targeted
        else list(itertools.product(RATES, PERIODS, PAIRS, DRIFTS))
    )
    rows: list[dict[str, dict[str, Any]]] = []
    corners: list[dict[str, Any]] = []
    top: list[dict[str, Any]] = []
    if args.part in ("all", "cells"):
        report["grid"] = rows = grid(cells, null_reps, power_reps)
        harsh = 1000 if args.targeted else 0
        report["stress"] = corners = stress(quick, 60 if quick else 600, harsh)
    if args.part in ("all", "designs"):
        head_reps = 100 if quick else 1000
        report["headline"] = top = headline(head_reps, 0 if quick else 2000)
        report["carryover"] = carryover(head_reps // 2)
        report["fallback"] = fallback(head_reps // 2)
        report["approximation"] = approximation(quick, head_reps // 2)
        report["timing"] = speed = timing()
        print(
            f"\nSpeed: analyze_nights on a 16-week diary {1000 * speed['analyze_median_s']:.1f}"
            f" ms (max {1000 * speed['analyze_max_s']:.1f} ms); power_to_detect"
            f" {speed['power_s']:.2f} s; suggest_pairs {speed['suggest_s']:.2f} s"
        )

    def values(kind: str, key: str) -> list[float]:
        return [float(r[kind][key]) for r in rows] or [float("nan")]

    helps, worse = values("null", "helps"), values("null", "worse")
    cov_null, cov_alt = values("null", "coverage"), values("alt", "coverage")
    summary = {
        "null_helps_max": max(helps),
        "null_helps_mean": float(np.mean(helps)),
        "null_worse_max": max(worse),
        "null_worse_mean": float(np.mean(worse)),
        "coverage_null_min": min(cov_null),
        "coverage_null_mean": float(np.mean(cov_null)),
        "coverage_alt_min": min(cov_alt),
        "coverage_alt_mean": float(np.mean(cov_alt)),
        "stress_helps_max": max((float(s["helps"]) for s in corners), default=float("nan")),
        "stress_worse_max": max((float(s["worse"]) for s in corners), default=float("nan")),
        "headline_power": top[0]["helps"] if top else float("nan"),
        "seconds": time.perf_counter() - t0,
    }
    report["summary"] = summary
    print(f"\nSummary ({report['mode']} run; target beside each):")
    print(
        f"  null 'helps' max over grid cells  {max(helps):.3f}  (target <= {NULL_MAX}) "
        f"{mark(max(helps) <= NULL_MAX)}; mean {np.mean(helps):.3f}"
    )
    print(
        f"  null 'worse' max over grid cells  {max(worse):.3f}  (target <= {NULL_MAX}) "
        f"{mark(max(worse) <= NULL_MAX)}; mean {np.mean(worse):.3f}"
    )
    print(
        f"  stress corners helps/worse max    {summary['stress_helps_max']:.3f} / "
        f"{summary['stress_worse_max']:.3f}  (target <= {NULL_MAX})"
    )
    print(
        f"  CI coverage of RR 1, min / mean   {min(cov_null):.3f} / {np.mean(cov_null):.3f}"
        f"  (target ~{COVERAGE_TARGET})"
    )
    print(
        f"  CI coverage of RR 0.5, min / mean {min(cov_alt):.3f} / {np.mean(cov_alt):.3f}"
        f"  (target ~{COVERAGE_TARGET})"
    )
    for h in top:
        power = float(h["helps"])
        print(
            f"  headline power, {h['frailty']:<46} {power:.3f}  (target >= {POWER_TARGET}) "
            f"{mark(power >= POWER_TARGET)}"
        )
    if quick:
        print("  quick run: cell rates have MC se ~0.02; only --full checks the targets")
    print(f"  total {summary['seconds']:.0f} s")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"saved {out}")
    # A missed target is a finding to report, not a crash: run_all.py counts exit codes.
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
