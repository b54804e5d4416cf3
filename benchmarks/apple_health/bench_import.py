"""Apple Health import: crampwise vs healthkit-to-sqlite vs a bare lxml iterparse pass.

All three read the same generated ~500 MB export in one run (so machine noise hits all of
them); each runs as its own child process and its peak RSS comes from `os.wait4`.
Writes benchmarks/results/apple_health.json. See README.md next to this file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "benchmarks" / "data" / "export500"
H2S_VENV = ROOT / "benchmarks" / ".venv-h2s"
RESULTS = ROOT / "benchmarks" / "results" / "apple_health.json"
GENERATOR = ROOT.parent / "shared" / "tools" / "make_health_export.py"
PY = ROOT / ".venv" / "bin" / "python"

BARE_PASS = """
import sys
from lxml import etree
n = 0
for _, el in etree.iterparse(sys.argv[1], events=("end",), tag="Record"):
    n += 1
    el.clear(keep_tail=True)
    while el.getprevious() is not None:
        del el.getparent()[0]
print(n)
"""


def ensure_export(size_mb: float) -> Path:
    xml = DATA / "export.xml"
    stats = DATA / "export.stats.json"
    if not xml.exists() or not (DATA / "export.zip").exists() or not stats.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"generating a {size_mb:g} MB export in {DATA} ...", flush=True)
        subprocess.run(
            [str(PY), str(GENERATOR), str(size_mb), "--out-dir", str(DATA)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return xml


def ensure_h2s() -> Path:
    exe = H2S_VENV / "bin" / "healthkit-to-sqlite"
    if not exe.exists():
        print("installing healthkit-to-sqlite 1.0.1 into a separate venv ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(H2S_VENV)], check=True)
        subprocess.run(
            [str(H2S_VENV / "bin" / "pip"), "install", "-q", "healthkit-to-sqlite==1.0.1"],
            check=True,
        )
    return exe


def measure(name: str, cmd: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    """Run one child; wall time and its peak resident memory (from wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{name} failed ({proc.returncode}): {err.read().decode()[-2000:]}")
    result = {
        "name": name,
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports KiB
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "command": " ".join(cmd),
    }
    print(f"  {name:<34} {seconds:7.2f} s  {result['peak_rss_mb']:7.1f} MB", flush=True)
    return result


def crampwise_run(label: str, source: Path, tmp: str, n: int) -> dict[str, object]:
    """One timed `crampwise import apple-health` into a fresh, already created database."""
    env = dict(os.environ, CRAMPWISE_DATABASE_URL=f"sqlite:///{tmp}/cw{n}.db")
    # The database exists already, as it does after a person's first use.
    subprocess.run(
        [str(PY), "-c", "from crampwise.store import open_store; open_store().close()"],
        env=env,
        check=True,
    )
    cmd = [str(ROOT / ".venv/bin/crampwise"), "--user", "bench", "import", "apple-health"]
    return measure(label, [*cmd, str(source), "--format", "json"], env)


def summarise(runs: list[dict[str, object]], xml_mb: float) -> dict[str, dict[str, float]]:
    """Per run name: best and median seconds, MB/s of the best, worst peak RSS."""
    out: dict[str, dict[str, float]] = {}
    for name in dict.fromkeys(str(r["name"]) for r in runs):
        mine = [r for r in runs if r["name"] == name]
        secs = sorted(float(r["seconds"]) for r in mine)  # type: ignore[arg-type]
        out[name] = {
            "runs": len(secs),
            "best_s": secs[0],
            "median_s": statistics.median(secs),
            "mb_per_s_best": round(xml_mb / secs[0], 1),
            "peak_rss_mb": max(float(r["peak_rss_mb"]) for r in mine),  # type: ignore[arg-type]
        }
    return out


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=500)
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the fast runs (interleaved)")
    ap.add_argument(
        "--no-h2s", action="store_true", help="skip healthkit-to-sqlite; print, write nothing"
    )
    args = ap.parse_args(argv)
    xml = ensure_export(args.size_mb)
    zipped = xml.with_name("export.zip")
    h2s = None if args.no_h2s else ensure_h2s()
    stats = json.loads(xml.with_name("export.stats.json").read_text())
    xml_mb = xml.stat().st_size / 1e6
    print(f"export.xml {xml_mb:.0f} MB, {stats['records']:,} records, {stats['days']} days")
    load_before = os.getloadavg()[0]
    started = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    runs: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        # Interleaved rounds, so a burst of load elsewhere hits every contender alike.
        for n in range(args.rounds):
            runs.append(measure("bare lxml iterparse (xml)", [str(PY), "-c", BARE_PASS, str(xml)]))
            runs.append(crampwise_run("crampwise (xml)", xml, tmp, 2 * n))
            runs.append(crampwise_run("crampwise (zip)", zipped, tmp, 2 * n + 1))
        if h2s is not None:
            runs.append(
                measure("healthkit-to-sqlite (zip)", [str(h2s), str(zipped), f"{tmp}/h2s.db"])
            )
    by = summarise(runs, xml_mb)
    if h2s is None:
        bare = by["bare lxml iterparse (xml)"]["best_s"]
        for name, row in by.items():
            print(f"{name:<28} best {row['best_s']:7.2f} s  x{row['best_s'] / bare:5.2f}  "
                  f"median {row['median_s']:7.2f} s  {row['peak_rss_mb']:6.1f} MB")  # fmt: skip
        print(f"load average {load_before:.2f} -> {os.getloadavg()[0]:.2f}")
        return 0
    bare = by["bare lxml iterparse (xml)"]["best_s"]
    summary = {
        "speedup_vs_healthkit_to_sqlite_zip": round(
            by["healthkit-to-sqlite (zip)"]["best_s"] / by["crampwise (zip)"]["best_s"], 2
        ),
        "crampwise_xml_over_bare_parse": round(by["crampwise (xml)"]["best_s"] / bare, 2),
        "crampwise_zip_over_bare_parse": round(by["crampwise (zip)"]["best_s"] / bare, 2),
        "crampwise_peak_rss_mb": max(
            by["crampwise (zip)"]["peak_rss_mb"], by["crampwise (xml)"]["peak_rss_mb"]
        ),
        "targets": {"speedup_min": 5.0, "over_bare_max": 2.0, "peak_rss_mb_max": 150},
        "ratios_use": f"best of {args.rounds} interleaved rounds (healthkit-to-sqlite: 1 run)",
    }
    out = {
        "measured_at": started,
        "method": (
            "each contender is its own child process; wall time from time.perf_counter, peak "
            "RSS and CPU time from os.wait4; rounds interleaved, best of each compared"
        ),
        "export": {
            "xml_mb": round(xml_mb, 1),
            **{k: stats[k] for k in ("records", "days", "seed")},
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        },
        "by_run": by,
        "runs": runs,
        "summary": summary,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1) + "\n")
    for name, row in by.items():
        print(f"{name:<28} best {row['best_s']:7.2f} s  median {row['median_s']:7.2f} s  "
              f"{row['mb_per_s_best']:6.1f} MB/s  {row['peak_rss_mb']:6.1f} MB")  # fmt: skip
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
