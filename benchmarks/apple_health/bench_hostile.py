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
import threading
import time
from collections.abc import Callable
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
}


def run(src: Path | None, file: Path, db: Path, extra: list[str], timeout: float) -> str:
    env = dict(os.environ, CRAMPWISE_DATABASE_URL=f"sqlite:///{db}")
    if src is not None:
        env["PYTHONPATH"] = str(src)
    cmd = [sys.executable, "-c", "from crampwise.cli import main; main()", "import",
           "apple-health", str(file), *extra]  # fmt: skip
    log = db.with_suffix(".log")
    with log.open("wb") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=fh)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    lines = log.read_text(errors="replace").strip().splitlines()
    last = lines[-1][:150] if lines else ""
    return (f"exit {proc.returncode}, {wall:6.1f} s, peak {usage.ru_maxrss / 1024:7.0f} MB, "
            f"{len(lines)} line(s): {last}")  # fmt: skip


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
