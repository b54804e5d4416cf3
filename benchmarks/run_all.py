"""Run every benchmark (`benchmarks/*/bench*.py`) one after another and list its results.

Each script prints its own table and writes `benchmarks/results/<name>.json`.
Run on an otherwise idle machine; numbers in the READMEs were measured on 2 cores.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    failures = 0
    for script in sorted(HERE.glob("*/bench*.py")):
        if wanted and script.parent.name not in wanted:
            continue
        print(f"\n== {script.relative_to(HERE)}", flush=True)
        failures += subprocess.call([sys.executable, str(script)]) != 0
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
