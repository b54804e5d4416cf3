"""Time a cold `crampwise assess - --format json` against `python -c "import typer"`.

Both run alternately N times in fresh processes in the same run (machine noise hits both);
the table gives medians, minimums and the ratio to the floor. Also checks that the output is
a real assessment. Writes benchmarks/results/assess.json.
Usage: python benchmarks/assess/bench_assess.py [--runs 21]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from coldstart import (  # benchmarks/coldstart.py, one folder up
    CRAMPWISE,
    PYTHON,
    ROOT,
    alternate,
    compile_package,
    machine,
    ms,
    write_result,
)

SITUATION = ROOT / "scripts" / "sample-situation.json"
TARGET_RATIO = 3.0
FLOOR = 'python -c "import typer" (floor)'
ASSESS = "crampwise assess - --format json"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    commands = {
        "python -c pass": [PYTHON, "-c", "pass"],
        FLOOR: [PYTHON, "-c", "import typer"],
        ASSESS: [CRAMPWISE, "assess", "-", "--format", "json"],
    }
    stdin = SITUATION.read_bytes()
    compile_package()
    alternate(commands, 1, stdin=stdin)  # warm the file cache once
    runs = alternate(commands, args.runs, stdin=stdin)
    result_doc = json.loads(runs[ASSESS][-1].stdout)
    if result_doc["triage"]["level"] != "routine" or not result_doc["plan"]:
        raise SystemExit("assess did not produce the expected assessment")
    times = {name: [run.seconds for run in done] for name, done in runs.items()}
    floor, assess = times[FLOOR], times[ASSESS]
    print(f"{'command':<40} {'median ms':>10} {'min ms':>8}")
    for name, t in times.items():
        print(f"{name:<40} {statistics.median(t) * 1000:>10.1f} {min(t) * 1000:>8.1f}")
    ratio = statistics.median(assess) / statistics.median(floor)
    ratio_min = min(assess) / min(floor)
    print(f"{'ratio to floor (median / min)':<40} {ratio:>10.2f} {ratio_min:>8.2f}")
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"target: at most {TARGET_RATIO}x the floor -> {verdict}")
    write_result(
        "assess",
        {
            "benchmark": "assess",
            "runs": args.runs,
            "situation": "scripts/sample-situation.json",
            "floor_cmd": 'python -c "import typer"',
            "assess_cmd": "crampwise assess - --format json (stdin: the sample situation)",
            "python_startup_median_ms": ms(statistics.median(times["python -c pass"])),
            "floor_median_ms": ms(statistics.median(floor)),
            "assess_median_ms": ms(statistics.median(assess)),
            "floor_min_ms": ms(min(floor)),
            "assess_min_ms": ms(min(assess)),
            "ratio_median": round(ratio, 2),
            "ratio_min": round(ratio_min, 2),
            "target_ratio": TARGET_RATIO,
            "meets_target": ratio <= TARGET_RATIO,
            **machine(),
        },
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
