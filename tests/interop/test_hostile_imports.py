"""Every bad file given to `crampwise import fhir` / `import apple-health` gets a clear answer.

Each case is the input of the issue, generated here (nothing committed), run through the
real CLI: exit 2, one line on stderr naming the problem, the database the same in content
(an SQL dump before and after), and, for the Apple Health files, the peak memory of the
CLI process under 150 MB.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from crampwise.cli.interop_cmds import DEFAULT_MAX_GIB, DEFAULT_MAX_RATIO
from crampwise.errors import InputError
from crampwise.interop.apple_health.limits import DEFAULT_LIMITS, ImportLimits
from crampwise.interop.apple_health.parser import read_export
from crampwise.interop.fhir import export_diary

from . import hostile_files as h
from .conftest import Planted

EXE = Path(sys.executable).with_name("crampwise")
PEAK_MB = 150


@dataclass
class Run:
    code: int
    out: str
    err: str
    peak_mb: float


# The child's peak RSS counts the memory of the process it was forked from (Linux keeps the
# old image's high-water mark across exec), so the CLI is started from a small Python that
# only reports its children's peak, never straight from this large pytest process.
MEASURE = (
    "import resource, subprocess, sys; code = subprocess.call(sys.argv[2:]); "
    "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
    "sys.exit(code)"
)


def crampwise(db: Path, *args: object) -> Run:
    """Run the real CLI on `db`; its peak RSS, in MB, as seen by a small parent."""
    env = dict(os.environ, CRAMPWISE_DATABASE_URL=f"sqlite:///{db}")
    peak = db.with_suffix(".peak")
    cmd = [sys.executable, "-c", MEASURE, peak, EXE, "--user", "alice", *args]
    done = subprocess.run(list(map(str, cmd)), env=env, capture_output=True, text=True)
    return Run(done.returncode, done.stdout, done.stderr, int(peak.read_text()) / 1024)


def dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as con:
        return list(con.iterdump())


@pytest.fixture
def db(planted: Planted) -> Path:
    """A database holding alice's planted diary (what an import must leave alone)."""
    return Path(planted.url.removeprefix("sqlite:///"))


def refused(db: Path, *args: object, says: str) -> Run:
    before = dump(db)
    run = crampwise(db, "import", *args)
    assert run.code == 2, run.err
    assert run.err.count("\n") == 1 and "Traceback" not in run.err, run.err
    assert says in run.err, run.err
    assert dump(db) == before
    return run


# ---------------------------------------------------------------- FHIR


def _bundle(planted: Planted) -> dict[str, object]:
    return export_diary(planted.diary, "alice")


def test_fhir_100000_nested_brackets(db: Path, tmp_path: Path) -> None:
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    refused(db, "fhir", tmp_path / "deep.json", says="nested too deeply")


def test_fhir_a_5000_digit_value_integer(db: Path, planted: Planted, tmp_path: Path) -> None:
    text = json.dumps(_bundle(planted))
    assert '"valueInteger": 5' in text
    text = text.replace('"valueInteger": 5', '"valueInteger": ' + "5" * 5000, 1)
    (tmp_path / "big.json").write_text(text)
    refused(db, "fhir", tmp_path / "big.json", says="number too large")


def test_fhir_a_latin_1_file(db: Path, planted: Planted, tmp_path: Path) -> None:
    bundle = _bundle(planted)
    bundle["entry"][1]["resource"]["note"] = [{"text": "crampe à 3 h, réveillée"}]  # type: ignore[index]
    (tmp_path / "latin1.json").write_bytes(json.dumps(bundle, ensure_ascii=False).encode("latin-1"))
    refused(db, "fhir", tmp_path / "latin1.json", says="not UTF-8 text")


def test_fhir_a_valid_bundle_without_cramps(db: Path, tmp_path: Path) -> None:
    coding = "http://terminology.hl7.org/CodeSystem/condition-clinical"
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"resource": {"resourceType": "Patient", "id": "p"}},
            {"resource": {
                "resourceType": "Observation", "status": "final",
                "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]},
                "subject": {"reference": "Patient/p"},
                "valueQuantity": {"value": 72, "unit": "/min"},
            }},
            {"resource": {
                "resourceType": "Condition", "subject": {"reference": "Patient/p"},
                "clinicalStatus": {"coding": [{"system": coding, "code": "active"}]},
            }},
            {"resource": {"resourceType": "Practitioner", "id": "d"}},
        ],
    }  # fmt: skip
    (tmp_path / "other.json").write_text(json.dumps(bundle))
    run = refused(db, "fhir", tmp_path / "other.json", says="holds no cramp observations")
    assert "Condition, Observation, Patient, Practitioner" in run.err


def test_fhir_a_bundle_with_no_entry(db: Path, tmp_path: Path) -> None:
    (tmp_path / "empty.json").write_text('{"resourceType": "Bundle", "type": "collection"}')
    refused(db, "fhir", tmp_path / "empty.json", says="holds no cramp observations")


# ---------------------------------------------------------------- Apple Health


def ah_refused(db: Path, file: Path, *options: object, says: str) -> Run:
    run = refused(db, "apple-health", file, *options, says=says)
    assert run.peak_mb < PEAK_MB, run.peak_mb
    return run


def test_an_encrypted_zip(db: Path, tmp_path: Path) -> None:
    ah_refused(db, h.encrypted_zip(tmp_path / "export.zip"), says="is encrypted")


@pytest.mark.parametrize(("method", "name"), [(9, "Deflate64"), (77, "method 77")])
def test_a_compression_method_we_cannot_read(
    db: Path, tmp_path: Path, method: int, name: str
) -> None:
    ah_refused(db, h.method_zip(tmp_path / "export.zip", method), says=f"compressed with {name}")


def test_a_1_6_mb_zip_holding_a_1_5_gib_attribute(db: Path, tmp_path: Path) -> None:
    bomb = h.huge_attribute_zip(tmp_path / "export.zip", 1536 * h.MB)
    assert bomb.stat().st_size < 1.7e6
    ah_refused(db, bomb, says="times larger than it is stored")
    # Past the ratio cap, the attribute itself is refused after ~1 MiB has been read.
    ah_refused(db, bomb, "--max-ratio", 1e6, says="more than 1 MiB without a '>'")


def test_4_gib_of_whitespace(db: Path, tmp_path: Path) -> None:
    spaces = h.whitespace_zip(tmp_path / "export.zip", 4096 * h.MB)
    ah_refused(db, spaces, says="times larger than it is stored")
    # Past the ratio cap, reading stops 16 MiB in: no <HealthData> has started.
    ah_refused(db, spaces, "--max-ratio", 1e6, says="no Apple Health records found")
    (tmp_path / "blank.xml").write_text("  \n\n ")
    ah_refused(db, tmp_path / "blank.xml", says="no Apple Health records found")


def test_no_health_data(db: Path, tmp_path: Path) -> None:
    (tmp_path / "gpx.xml").write_text("<?xml version='1.0'?><gpx><trk/></gpx>")
    ah_refused(db, tmp_path / "gpx.xml", says="no Apple Health records found")
    (tmp_path / "empty.xml").write_bytes(h.HEAD + b' <ExportDate value="2024"/>\n' + h.TAIL)
    ah_refused(db, tmp_path / "empty.xml", says="no Apple Health records found")


def test_a_huge_export_is_refused_by_its_declared_size(db: Path, tmp_path: Path) -> None:
    day = h.write_zip(tmp_path / "export.zip", h.one_day_runs(36_000))
    ah_refused(db, day, "--max-size", 0.005, says="GiB limit (--max-size)")


def test_millions_of_records_of_one_day_in_bounded_memory(db: Path, tmp_path: Path) -> None:
    # The file held 12.8 M records of one day (2.4 GB peak). What grew was the
    # day's list of samples kept for merging sources (24 bytes each, then ~150 bytes each
    # as tuples when merged): at 1.8 M records that is ~45 MB, then ~300 MB at the merge,
    # so the old code went past 150 MB at this size, while the bounded state now holds at
    # most one day's distinct intervals (here 3,600) whatever the count.
    day = h.write_zip(tmp_path / "export.zip", h.one_day_runs(1_800_000))
    before = dump(db)
    run = crampwise(db, "import", "apple-health", day, "--max-ratio", 1e6, "--format", "json")
    assert run.code == 0, run.err
    summary = json.loads(run.out)
    assert summary["records_read"] == 1_800_000
    # 1.8 M one-second samples of 3 steps on one day: 5.4 M steps, past the column's limit.
    assert summary["days"] == 0 and summary["skipped"] == {"steps outside 0–200000": 1}
    assert dump(db) == before
    assert run.peak_mb < PEAK_MB, run.peak_mb


def test_merging_gives_the_same_totals_after_compaction(tmp_path: Path) -> None:
    # 252,000 one-step samples, so what is held is compacted once (every 200,000): an hour
    # of one-second samples 30 times from the Watch and 30 times from the iPhone (counted
    # once), and another hour 10 times from the iPhone alone (counted).
    def hour(first: int, source: str) -> bytes:
        return b"".join(
            h.record(h.hms(t), value=1, source=source, end=h.hms(t + 1))
            for t in range(first, first + 3600)
        )

    xml = tmp_path / "export.xml"
    watch, phone = "Alex’s Apple Watch", "Alex’s iPhone"
    xml.write_bytes(
        h.HEAD + hour(28_800, watch) * 30 + hour(28_800, phone) * 30
        + hour(32_400, phone) * 10 + h.TAIL
    )  # fmt: skip
    got = read_export(xml)
    assert got.records_read == 252_000
    assert [v["steps"] for v in got.days.values()] == [108_000 + 36_000]


def test_too_many_distinct_samples_in_one_day_are_refused(tmp_path: Path) -> None:
    body = b"".join(
        h.record(h.hms(t), end=h.hms(t + k)) for k in range(1, 6) for t in range(8 * 3600, 9 * 3600)
    )
    xml = tmp_path / "export.xml"
    xml.write_bytes(h.HEAD + body * 12 + h.TAIL)  # 216,000 records, 18,000 distinct
    small = ImportLimits(max_samples_per_day=10_000)
    with pytest.raises(InputError, match="more than 10,000 different steps samples on 2024-03-10"):
        read_export(xml, limits=small)
    assert read_export(xml).records_read == 216_000


def test_the_cli_defaults_are_the_library_defaults() -> None:
    assert DEFAULT_LIMITS.max_uncompressed_bytes == DEFAULT_MAX_GIB * (1 << 30)
    assert DEFAULT_LIMITS.max_compression_ratio == DEFAULT_MAX_RATIO


def test_records_dated_outside_the_accepted_days_are_skipped(tmp_path: Path) -> None:
    xml = tmp_path / "export.xml"
    old = h.record("08:00:00", end="08:01:00").replace(b"2024-03-10", b"1066-10-14")
    xml.write_bytes(h.HEAD + old + h.record("08:00:00", end="08:01:00") + h.TAIL)
    got = read_export(xml)
    assert list(got.days.values()) == [{"steps": 3.0}]
    assert got.skipped == {"HKQuantityTypeIdentifierStepCount dated outside the accepted days": 1}
