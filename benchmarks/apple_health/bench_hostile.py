"""Time and peak memory of `crampwise import apple-health` on hostile files (the issue's sizes).

Each file is generated (tests/interop/hostile_files.py) into a scratch folder and imported by
a child process into a fresh SQLite database; wall time from `time.perf_counter`, peak RSS from
`os.wait4`. `--src DIR` runs another checkout's `src` (e.g. the code before a change, from
`git archive <commit> src | tar -x -C DIR/..`).

    .venv/bin/python benchmarks/apple_health/bench_hostile.py [--src DIR] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "interop"))
import hostile_files as h  # noqa: E402

CASES: dict[str, Callable[[Path], Path]] = {
    "encrypted_zip": lambda p: h.encrypted_zip(p / "export.zip"),
    "deflate64_zip": lambda p: h.method_zip(p / "export.zip", 9),
    "unknown_method_zip": lambda p: h.method_zip(p / "export.zip", 77),
    "attribute_1_5GiB_zip": lambda p: h.huge_attribute_zip(p / "export.zip", 1536 * h.MB),
    "whitespace_4GiB_zip": lambda p: h.whitespace_zip(p / "export.zip", 4096 * h.MB),
    "one_day_12_8M_zip": lambda p: h.write_zip(p / "export.zip", h.one_day_runs(12_800_000)),
    "one_day_2_5M_zip": lambda p: h.write_zip(p / "export.zip", h.one_day_runs(2_502_000)),
    "600_days_of_3600_zip": lambda p: h.write_zip(p / "export.zip", _many_days(600)),
}


def _many_days(days: int) -> list[tuple[bytes, int]]:
    """An hour of distinct one-second iPhone samples on each of `days` days: all are held."""
    hour = b"".join(h.record(h.hms(t), value=1, end=h.hms(t + 1)) for t in range(28_800, 32_400))
    first = date(2020, 1, 1)
    return [
        (h.HEAD, 1),
        *((hour.replace(b"2024-03-10", (first + timedelta(i)).isoformat().encode()), 1)
          for i in range(days)),
        (h.TAIL, 1),
    ]  # fmt: skip


# A child's peak RSS includes the image it was forked from (Linux keeps the high-water mark
# across exec), and this script holds the generated file's blocks: start the CLI from a
# small Python that reports only its children's peak.
MEASURE = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


def run(src: Path | None, file: Path, db: Path, extra: list[str], timeout: float) -> str:
    env = dict(os.environ, CRAMPWISE_DATABASE_URL=f"sqlite:///{db}")
    if src is not None:
        env["PYTHONPATH"] = str(src)
    peak = db.with_suffix(".peak")
    cmd = [sys.executable, "-c", MEASURE, str(peak), sys.executable, "-c",
           "from crampwise.cli import main; main()", "import", "apple-health", str(file),
           *extra]  # fmt: skip
    t0 = time.perf_counter()
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        code, text = done.returncode, done.stderr or done.stdout
    except subprocess.TimeoutExpired:
        code, text = -9, "timed out"
    wall = time.perf_counter() - t0
    rss = int(peak.read_text()) / 1024 if peak.exists() else float("nan")
    lines = text.strip().splitlines()
    last = lines[-1][:150] if lines else ""
    return f"exit {code}, {wall:6.1f} s, peak {rss:7.0f} MB, {len(lines)} line(s): {last}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", type=Path)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--max-ratio", help="passed on to the import (the new code only)")
    args = ap.parse_args()
    extra = ["--max-ratio", args.max_ratio] if args.max_ratio else []
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in CASES.items():
            if args.only and name not in args.only:
                continue
            folder = Path(tmp) / name
            folder.mkdir()
            file = make(folder)
            result = run(args.src, file, folder / "db.sqlite", extra, args.timeout)
            print(f"{name:22} {result}", flush=True)
            file.unlink()


if __name__ == "__main__":
    main()
