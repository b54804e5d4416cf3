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


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=float, default=500)
    args = ap.parse_args(argv)
    xml = ensure_export(args.size_mb)
    zipped = xml.with_name("export.zip")
    h2s = ensure_h2s()
    stats = json.loads(xml.with_name("export.stats.json").read_text())
    xml_mb = xml.stat().st_size / 1e6
    print(f"export.xml {xml_mb:.0f} MB, {stats['records']:,} records, {stats['days']} days")

    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        runs.append(measure("bare lxml iterparse (xml)", [str(PY), "-c", BARE_PASS, str(xml)]))
        for label, source in (("crampwise (zip)", zipped), ("crampwise (xml)", xml)):
            env = dict(os.environ, CRAMPWISE_DATABASE_URL=f"sqlite:///{tmp}/{label[11:14]}.db")
            # The database exists already, as it does after a person's first use.
            subprocess.run(
                [str(PY), "-c", "from crampwise.store import open_store; open_store().close()"],
                env=env,
                check=True,
            )
            runs.append(
                measure(
                    label,
                    [str(ROOT / ".venv/bin/crampwise"), "--user", "bench", "import",
                     "apple-health", str(source), "--format", "json"],
                    env,
                )
            )  # fmt: skip
        runs.append(measure("healthkit-to-sqlite (zip)", [str(h2s), str(zipped), f"{tmp}/h2s.db"]))
    by = {r["name"]: r for r in runs}
    bare = float(by["bare lxml iterparse (xml)"]["seconds"])  # type: ignore[arg-type]
    h2s_s = float(by["healthkit-to-sqlite (zip)"]["seconds"])  # type: ignore[arg-type]
    for r in runs:
        r["mb_per_s"] = round(xml_mb / float(r["seconds"]), 1)  # type: ignore[arg-type]
    cw_zip = float(by["crampwise (zip)"]["seconds"])  # type: ignore[arg-type]
    cw_xml = float(by["crampwise (xml)"]["seconds"])  # type: ignore[arg-type]
    summary = {
        "speedup_vs_healthkit_to_sqlite_zip": round(h2s_s / cw_zip, 2),
        "crampwise_xml_over_bare_parse": round(cw_xml / bare, 2),
        "crampwise_zip_over_bare_parse": round(cw_zip / bare, 2),
        "crampwise_peak_rss_mb": max(
            float(by["crampwise (zip)"]["peak_rss_mb"]),  # type: ignore[arg-type]
            float(by["crampwise (xml)"]["peak_rss_mb"]),  # type: ignore[arg-type]
        ),
        "targets": {"speedup_min": 5.0, "over_bare_max": 2.0, "peak_rss_mb_max": 150},
    }
    out = {
        "export": {
            "xml_mb": round(xml_mb, 1),
            **{k: stats[k] for k in ("records", "days", "seed")},
        },
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "runs": runs,
        "summary": summary,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(summary, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
