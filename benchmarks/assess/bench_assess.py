"""Time a cold `crampwise assess - --format json` against `python -c "import typer"`.

Both run alternately N times in fresh processes in the same run (machine noise hits both);
the table gives medians, minimums and the ratio to the floor. Also checks that the output is
a real assessment. Writes benchmarks/results/assess.json.
Usage: python benchmarks/assess/bench_assess.py [--runs 21]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RESULT = ROOT / "benchmarks" / "results" / "assess.json"
SITUATION = ROOT / "scripts" / "sample-situation.json"
TARGET_RATIO = 3.0


def _time(cmd: list[str], stdin: bytes) -> tuple[float, bytes]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, input=stdin, capture_output=True, check=True)
    return time.perf_counter() - start, proc.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    python = sys.executable
    exe = str(Path(python).with_name("crampwise"))
    commands = {
        "python -c pass": [python, "-c", "pass"],
        'python -c "import typer" (floor)': [python, "-c", "import typer"],
        "crampwise assess - --format json": [exe, "assess", "-", "--format", "json"],
    }
    stdin = SITUATION.read_bytes()
    # Installed packages have compiled bytecode; make sure an editable checkout does too.
    subprocess.run([python, "-m", "compileall", "-q", str(ROOT / "src" / "crampwise")], check=True)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():  # warm the file cache once
        _time(cmd, stdin)
    output = b""
    for _ in range(args.runs):
        for name, cmd in commands.items():
            elapsed, out = _time(cmd, stdin)
            times[name].append(elapsed)
            if name.startswith("crampwise"):
                output = out
    result_doc = json.loads(output)
    if result_doc["triage"]["level"] != "routine" or not result_doc["plan"]:
        raise SystemExit("assess did not produce the expected assessment")
    floor = times['python -c "import typer" (floor)']
    assess = times["crampwise assess - --format json"]
    rows = [(name, statistics.median(t) * 1000, min(t) * 1000) for name, t in times.items()]
    print(f"{'command':<40} {'median ms':>10} {'min ms':>8}")
    for name, med, low in rows:
        print(f"{name:<40} {med:>10.1f} {low:>8.1f}")
    ratio = statistics.median(assess) / statistics.median(floor)
    ratio_min = min(assess) / min(floor)
    print(f"{'ratio to floor (median / min)':<40} {ratio:>10.2f} {ratio_min:>8.2f}")
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"target: at most {TARGET_RATIO}x the floor -> {verdict}")
    result = {
        "benchmark": "assess",
        "runs": args.runs,
        "situation": "scripts/sample-situation.json",
        "floor_cmd": 'python -c "import typer"',
        "assess_cmd": "crampwise assess - --format json (stdin: the sample situation)",
        "python_startup_median_ms": round(statistics.median(times["python -c pass"]) * 1000, 1),
        "floor_median_ms": round(statistics.median(floor) * 1000, 1),
        "assess_median_ms": round(statistics.median(assess) * 1000, 1),
        "floor_min_ms": round(min(floor) * 1000, 1),
        "assess_min_ms": round(min(assess) * 1000, 1),
        "ratio_median": round(ratio, 2),
        "ratio_min": round(ratio_min, 2),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio <= TARGET_RATIO,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "load_average": list(os.getloadavg()),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
