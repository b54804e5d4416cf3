"""Power of n-of-1 plans to detect a halving of cramps, and the false "helps" rate.

Simulates persons whose cramp rate waxes and wanes (AR(1) latent log-rate), runs each
simulated experiment through the same analysis as a real diary (windows around each switch,
paired t), and writes
`benchmarks/results/experiment_power.json`. See README.md in this folder.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from crampwise.experiments.plan import analyze_nights
from crampwise.experiments.power import power_statement, power_to_detect

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results" / "experiment_power.json"
REPS = 2000
RATES = (0.3, 0.7, 1.5, 3.0)
PAIRS = (3, 4, 6, 8, 12)
SCENARIOS = {
    # name: (period_days, washout_days, latent_sd, autocorrelation)
    "default (7-day periods, sd 0.5, rho 0.85)": (7, 0, 0.5, 0.85),
    "7-day periods, 2-day wash-out": (7, 2, 0.5, 0.85),
    "steady Poisson nights (sd 0)": (7, 0, 0.0, 0.85),
    "strong slow waxing (sd 0.8, rho 0.95)": (7, 0, 0.8, 0.95),
    "14-day periods (sd 0.5, rho 0.85)": (14, 0, 0.5, 0.85),
    "14-day periods, strong slow waxing": (14, 0, 0.8, 0.95),
}


def grid(period_days: int, washout: int, sd: float, rho: float) -> list[dict[str, float]]:
    rows = []
    for rate in RATES:
        for pairs in PAIRS:
            if 2 * pairs * period_days > 366:
                continue
            power = power_to_detect(rate, pairs, period_days, 0.5, washout, sd, rho, reps=REPS)
            false_helps = power_to_detect(
                rate, pairs, period_days, 1.0, washout, sd, rho, reps=REPS, seed=7
            )
            rows.append(
                {
                    "rate_per_night": rate,
                    "pairs": pairs,
                    "power_halving": round(power, 3),
                    "false_helps": round(false_helps, 3),
                }
            )
    return rows


def timing() -> dict[str, float]:
    start = time.perf_counter()
    statement = power_statement(0.7, 4, 7)
    plan_s = time.perf_counter() - start
    rng = np.random.default_rng(0)
    dates = [date(2027, 1, 1) + timedelta(days=i) for i in range(84)]
    on = np.repeat(rng.random(12) < 0.5, 7).tolist()
    start = time.perf_counter()
    for _ in range(200):
        analyze_nights(dates, rng.poisson(0.8, 84).tolist(), on)
    analyze_ms = (time.perf_counter() - start) / 200 * 1000
    return {
        "power_statement_with_suggestion_s": round(plan_s, 3),
        "suggested_pairs_at_0.7": statement.suggested_pairs or 0,
        "analyze_one_12_week_diary_ms": round(analyze_ms, 2),
    }


def main() -> int:
    started = time.perf_counter()
    out: dict[str, object] = {
        "reps_per_cell": REPS,
        "rate_ratio_for_power": 0.5,
        "helps_threshold": 0.95,
        "method": "paired analysis of window contrasts (period_model.fit_windows)",
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "scenarios": {},
    }
    scenarios: dict[str, object] = {}
    for name, (days, washout, sd, rho) in SCENARIOS.items():
        rows = grid(days, washout, sd, rho)
        scenarios[name] = {
            "period_days": days,
            "washout_days": washout,
            "latent_sd": sd,
            "autocorrelation": rho,
            "rows": rows,
        }
        print(f"\n{name}")
        print("  rate  pairs  power(RR 0.5)  false 'helps'")
        for row in rows:
            print(
                f"  {row['rate_per_night']:4.1f}  {row['pairs']:5d}  "
                f"{row['power_halving']:13.0%}  {row['false_helps']:13.1%}"
            )
    out["scenarios"] = scenarios
    out["timing"] = timing()
    out["total_s"] = round(time.perf_counter() - started, 1)
    print("\n", out["timing"], f"total {out['total_s']} s")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
