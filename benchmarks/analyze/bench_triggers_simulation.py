"""Trigger discovery's power and false discoveries on simulated diaries (the larger study).

Same simulation as tests/analysis/test_triggers_simulation.py (see
crampwise.analysis.simulation), more replicates and two diary lengths. Writes
benchmarks/results/triggers_simulation.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from crampwise.analysis.simulation import run_study

RESULTS = Path(__file__).resolve().parent.parent / "results" / "triggers_simulation.json"
DESIGNS = ((365, 100), (730, 200), (1095, 100))  # (nights, replicates: planted and null each)


def main(argv: list[str]) -> int:
    scale = float(argv[0]) if argv else 1.0  # e.g. 0.2 for a quick look
    studies = []
    for nights, reps in DESIGNS:
        result = run_study(max(2, int(reps * scale)), nights, first_seed=10_000)
        studies.append(result.to_dict())
        print(f"\n{nights} nights, {result.replicates} planted + {result.replicates} null diaries")
        for term, power in result.power.items():
            print(f"  power {term:<24}{power:6.2f}")
        for term, share in result.coverage.items():
            print(f"  95% CI coverage {term:<22}{share:6.2f}")
        for name, rate in result.bystander_rate.items():
            print(f"  bystander {name:<20}{rate:6.2f}")
        print(f"  mean false discovery proportion  {result.mean_fdp:6.3f}")
        print(f"  null diaries with any finding    {result.null_any_rate:6.3f}")
        print(f"  seconds per diary                {result.seconds_per_diary:6.3f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"q_threshold": 0.10, "studies": studies}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
