"""Trigger discovery on six-month diaries: each figure beside the issue's target (seeded).

    python benchmarks/analyze/bench_six_months.py                     # realistic, 200 + 200
    python benchmarks/analyze/bench_six_months.py --quick             # 40 + 40, a few seconds
    python benchmarks/analyze/bench_six_months.py --generator many-factors

Diaries from `six_months.py` (planted seeds first_seed.., null seeds 1,000,000 + first_seed..)
are analysed by the installed `crampwise.analysis.triggers.find_triggers`. Scoring follows
`crampwise.analysis.simulation`: a planted trigger is found when any of its terms at the
planted lag is significant (q <= 0.10); every sleep-position level at lag 0 counts as true;
the false-discovery proportion is over all significant terms not at a planted factor x lag;
a bystander counts when any of its terms is significant. Writes
benchmarks/results/triggers_six_months_<generator>.json (not with --quick; with --scale S
other than 1, triggers_six_months_<generator>_scaleS.json).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # six_months, beside this script

from six_months import GENERATORS, PLANTED

import crampwise
from crampwise.analysis.triggers import find_triggers

RESULTS = Path(__file__).resolve().parent.parent / "results"
NULL_SEED_OFFSET = 1_000_000
TARGETS = {  # the targets
    "mean_power": (">=", 0.85),
    "mean_fdp": ("<=", 0.10),
    "bystander_max": ("<=", 0.10),
    "null_any_rate": ("<=", 0.10),
}
LABELS = {
    "mean_power": "share of planted triggers found",
    "mean_fdp": "mean false-discovery proportion",
    "bystander_max": "bystanders found (worst one)",
    "null_any_rate": "null diaries with any finding",
}


def run_study(
    generator: str, reps: int, first_seed: int = 0, scale: float = 1.0
) -> dict[str, object]:
    """Power, FDP, bystanders, null any-finding rate and CI coverage over `reps` diaries each."""
    gen = GENERATORS[generator]
    truth = set(PLANTED)
    true_terms = gen.true_terms(scale)
    found = dict.fromkeys(PLANTED, 0)
    bystanders = dict.fromkeys(gen.bystanders, 0)
    held = dict.fromkeys(true_terms, 0)
    tested = dict.fromkeys(true_terms, 0)
    fdps: list[float] = []
    null_any = null_total = 0
    seconds = 0.0
    for r in range(reps):
        diary = gen.simulate(first_seed + r, scale=scale)
        t0 = time.perf_counter()
        findings = find_triggers(diary.table).findings
        seconds += time.perf_counter() - t0
        sig = [f for f in findings if f.significant]
        for key in PLANTED:
            found[key] += any((f.factor, f.lag_days) == key for f in sig)
        for b in gen.bystanders:
            bystanders[b] += any(f.factor == b for f in sig)
        false = sum(1 for f in sig if (f.factor, f.lag_days) not in truth)
        fdps.append(false / len(sig) if sig else 0.0)
        for f in findings:
            term = (f.factor, f.level, f.lag_days)
            if term in true_terms:
                tested[term] += 1
                lo, hi = (math.log(v) for v in f.effect.ci95)
                if f.direction == "lower":
                    lo, hi = -hi, -lo
                held[term] += lo <= true_terms[term] * f.effect.step <= hi

        null = gen.simulate(NULL_SEED_OFFSET + first_seed + r, null=True, scale=scale)
        t0 = time.perf_counter()
        k = sum(f.significant for f in find_triggers(null.table).findings)
        seconds += time.perf_counter() - t0
        null_any += k > 0
        null_total += k

    power = {f"{f}@{lag}": found[(f, lag)] / reps for f, lag in PLANTED}
    return {
        "generator": generator,
        "crampwise_file": crampwise.__file__,
        "replicates": reps,
        "first_seed": first_seed,
        "null_first_seed": NULL_SEED_OFFSET + first_seed,
        "scale": scale,
        "q_threshold": 0.10,
        "power": power,
        "mean_power": sum(power.values()) / len(power),
        "mean_fdp": sum(fdps) / reps,
        "mean_fdp_se": _standard_error(fdps),
        "bystander_rate": {b: v / reps for b, v in bystanders.items()},
        "bystander_max": max(v / reps for v in bystanders.values()),
        "null_any_rate": null_any / reps,
        "null_mean_findings": null_total / reps,
        "ci95_coverage": {
            f"{f}{'=' + lv if lv else ''}@{lag}": held[(f, lv, lag)] / max(tested[(f, lv, lag)], 1)
            for f, lv, lag in true_terms
        },
        "seconds_per_diary": seconds / (2 * reps),
        "targets": {k: f"{op} {v}" for k, (op, v) in TARGETS.items()},
    }


def _standard_error(values: list[float]) -> float:
    """Monte Carlo standard error of the mean of `values`."""
    n = len(values)
    if n < 2:
        return float("nan")
    mean = sum(values) / n
    return math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1) / n)


def report(result: dict[str, object]) -> None:
    print(
        f"crampwise from {result['crampwise_file']}\n"
        f"generator {result['generator']}, scale {result['scale']}: "
        f"{result['replicates']} planted (seeds {result['first_seed']}..) + "
        f"{result['replicates']} null diaries (seeds {result['null_first_seed']}..)"
    )
    for key, (op, target) in TARGETS.items():
        value = float(result[key])  # type: ignore[arg-type]
        ok = value >= target if op == ">=" else value <= target
        status = "met" if ok else "MISSED"
        print(f"  {LABELS[key]:<34}{value:7.3f}   target {op} {target:.2f}   {status}")
    for name, share in result["power"].items():  # type: ignore[attr-defined]
        print(f"  power {name:<28}{share:7.3f}")
    for name, share in result["bystander_rate"].items():  # type: ignore[attr-defined]
        print(f"  bystander {name:<24}{share:7.3f}")
    for name, share in result["ci95_coverage"].items():  # type: ignore[attr-defined]
        print(f"  95% CI coverage {name:<18}{share:7.3f}")
    print(
        f"  null diaries: mean significant findings {result['null_mean_findings']:.3f}; "
        f"{result['seconds_per_diary']:.3f} s per diary"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--generator", choices=sorted(GENERATORS), default="realistic")
    ap.add_argument("--quick", action="store_true", help="40 + 40 diaries, nothing saved")
    ap.add_argument("--reps", type=int, default=None, help="planted (and null) diaries; 200")
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--scale", type=float, default=1.0, help="multiplier on the log effects")
    args = ap.parse_args(argv)
    reps = args.reps or (40 if args.quick else 200)
    result = run_study(args.generator, reps, args.first_seed, args.scale)
    report(result)
    if not args.quick:
        # The scale-1.0 study keeps its name; other scales are a sensitivity analysis.
        tail = "" if args.scale == 1.0 else f"_scale{args.scale:g}"
        out = RESULTS / f"triggers_six_months_{args.generator}{tail}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=2) + "\n")
        print(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
