"""`crampwise analyze` on 10 years of nightly data with 30 factors: cold CLI time (target < 2 s).

Measured beside a floor in the same run: `python -c "import numpy"` (the least any NumPy
analysis can cost from a cold start). Writes benchmarks/results/analyze.json.
"""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from coldstart import CRAMPWISE, PYTHON, run_timed, write_result  # benchmarks/coldstart.py

RUNS = 5


def ten_year_diary(path: Path, seed: int = 1) -> tuple[int, int]:
    """3,652 nights, 30 factors (14 numeric, 8 yes/no, 8 categorical), 5% missing, 1% gaps."""
    from crampwise.diary.daytable import DayTable, FactorColumn
    from crampwise.interop.csv import write_day_table

    rng = np.random.default_rng(seed)
    n = 3652
    t = np.arange(n)
    exercise = np.where(rng.random(n) < 0.35, rng.gamma(3, 20, n), 0).round()
    temp = (18 - 3 * np.cos(2 * np.pi * t / 365.25) + rng.normal(0, 2, n)).round(1)
    prone = rng.random(n) < 0.2
    eta = (
        math.log(0.5) + math.log(2) / 60 * exercise - math.log(1.7) / 5 * (temp - 18) + 0.6 * prone
    )
    cramps = rng.poisson(np.exp(eta) * rng.gamma(1 / 0.3, 0.3, n))
    columns: list[FactorColumn] = [
        FactorColumn("exercise_min", "numeric", list(exercise)),
        FactorColumn(
            "steps",
            "numeric",
            list(np.clip(3000 + 60 * exercise + rng.normal(0, 1200, n), 0, None).round()),
        ),
        FactorColumn("bedroom_temp_c", "numeric", list(temp)),
        FactorColumn(
            "sleep_position",
            "categorical",
            ["prone" if p else str(rng.choice(["back", "side"])) for p in prone],
        ),
    ]
    for j in range(12):
        columns.append(FactorColumn(f"num_{j}", "numeric", list(rng.normal(10, 3, n).round(2))))
    for j in range(8):
        columns.append(FactorColumn(f"flag_{j}", "boolean", [bool(v) for v in rng.random(n) < 0.3]))
    for j in range(7):
        levels = ["a", "b", "c", "d"][: 3 + j % 2]
        columns.append(
            FactorColumn(f"cat_{j}", "categorical", [str(v) for v in rng.choice(levels, n)])
        )
    keep = np.flatnonzero(rng.random(n) >= 0.01)
    factors = []
    for col in columns:
        lost = rng.random(n) < 0.05
        factors.append(
            FactorColumn(col.name, col.kind, [None if lost[i] else col.values[i] for i in keep])
        )
    table = DayTable(
        dates=[date(2016, 1, 1) + timedelta(days=int(i)) for i in keep],
        cramps=[int(cramps[i]) for i in keep],
        pain=[None] * len(keep),
        factors=factors,
    )
    with path.open("w", encoding="utf-8", newline="") as fh:
        write_day_table(table, fh)
    return len(keep), len(factors)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "ten_years.csv"
        nights, factors = ten_year_diary(csv)
        floor_runs = [run_timed([PYTHON, "-c", "import numpy"]) for _ in range(RUNS)]
        cli_cmd = [CRAMPWISE, "analyze", str(csv), "--format", "json"]
        cli_runs = [run_timed(cli_cmd) for _ in range(RUNS)]
        doc = json.loads(cli_runs[-1].stdout)
        # CPU seconds (user + sys) are steadier than wall time on a busy machine.
        floor, floor_cpu = [r.seconds for r in floor_runs], [r.cpu_seconds for r in floor_runs]
        cli, cli_cpu = [r.seconds for r in cli_runs], [r.cpu_seconds for r in cli_runs]
        from crampwise.analysis.triggers import find_triggers
        from crampwise.interop.csv import read_day_table

        start = time.perf_counter()
        table = read_day_table(csv)
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        find_triggers(table)
        fit_s = time.perf_counter() - start
    result = {
        "nights": nights,
        "factors": factors,
        "terms_tested": len(doc["findings"]),
        "untested": len(doc["untested"]),
        "significant": [
            f"{f['factor']}@{f['lag_days']}{'=' + f['level'] if f['level'] else ''}"
            for f in doc["findings"]
            if f["significant"]
        ],
        "cli_cold_s_median": statistics.median(cli),
        "cli_cold_s_min": min(cli),
        "cli_cold_s_runs": cli,
        "cli_cold_cpu_s_median": statistics.median(cli_cpu),
        "floor_import_numpy_s_median": statistics.median(floor),
        "floor_import_numpy_cpu_s_median": statistics.median(floor_cpu),
        "load_average_1min": os.getloadavg()[0],
        "in_process_read_csv_s": read_s,
        "in_process_find_triggers_s": fit_s,
        "target_s": 2.0,
        "machine": f"{platform.machine()}, Python {platform.python_version()}",
    }
    write_result("analyze", result)
    print(f"{'what':<42}{'seconds':>10}")
    floor_s = result["floor_import_numpy_s_median"]
    print(f"{'floor: python -c import numpy (median)':<42}{floor_s:>10.3f}")
    print(f"{'crampwise analyze, cold CLI (median of 5)':<42}{result['cli_cold_s_median']:>10.3f}")
    print(f"{'crampwise analyze, cold CLI (best of 5)':<42}{min(cli):>10.3f}")
    print(
        f"{'crampwise analyze, CPU seconds (median)':<42}{result['cli_cold_cpu_s_median']:>10.3f}"
    )
    print(f"{'  of which read CSV (in process)':<42}{read_s:>10.3f}")
    print(f"{'  of which find_triggers (in process)':<42}{fit_s:>10.3f}")
    print(
        f"{nights} nights x {factors} factors, {result['terms_tested']} terms tested; target < 2 s"
    )
    return 0 if result["cli_cold_s_median"] < 2.0 else 1


if __name__ == "__main__":
    sys.exit(main())
