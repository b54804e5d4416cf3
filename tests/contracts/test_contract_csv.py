"""Contract §4: `crampwise export csv` and `crampwise import csv FILE`."""

from __future__ import annotations

import csv
import io
import math
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from .conftest import Cli, write_csv


@pytest.fixture(scope="module")
def demo_export(demo_cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo diary as `export csv -o FILE` wrote it."""
    path = tmp_path_factory.mktemp("export") / "demo.csv"
    demo_cli.ok("export", "csv", "-o", str(path), user="demo")
    return path


def _same_findings(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        for key in ("factor", "kind", "level", "lag_days", "direction", "significant",
                    "nights_used"):  # fmt: skip
            assert x[key] == y[key], (key, x, y)
        for key in ("p_value", "q_value"):
            assert math.isclose(x[key], y[key], rel_tol=1e-6, abs_tol=1e-12), (key, x, y)
        assert math.isclose(x["effect"]["estimate"], y["effect"]["estimate"], rel_tol=1e-6)


def test_export_is_the_format_analyze_reads(demo_cli: Cli, demo_export: Path) -> None:
    text = demo_export.read_text(encoding="utf-8")
    assert demo_cli.ok("export", "csv", user="demo") == text  # stdout and -o agree
    rows = list(csv.DictReader(io.StringIO(text)))
    header = text.splitlines()[0].split(",")
    assert header[:2] == ["date", "cramps"] and len(set(header)) == len(header)
    days = [date.fromisoformat(r["date"]) for r in rows]
    assert days == sorted(set(days)), "one row per day, dates ascending"
    for r in rows:
        assert r["cramps"].isdigit()
        assert r.get("pain", "") == "" or 0 <= float(r["pain"]) <= 10

    from_file = demo_cli.json("analyze", str(demo_export))
    own = demo_cli.json("analyze", user="demo")
    for key in ("nights", "cramp_nights", "cramps", "enough_data"):
        assert from_file[key] == own[key], key
    assert from_file["nights"] == len(rows)
    assert from_file["cramps"] == sum(int(r["cramps"]) for r in rows)
    assert from_file["findings"], "the demo diary has factors to test"
    _same_findings(from_file["findings"], own["findings"])


def test_import_twice_changes_nothing_and_round_trips(demo_cli: Cli, demo_export: Path) -> None:
    demo_cli.json("import", "csv", str(demo_export), user="copy")
    after_first = demo_cli.snapshot()
    exported = demo_cli.ok("export", "csv", user="copy")
    assert exported == demo_export.read_text(encoding="utf-8"), "byte for byte"
    demo_cli.json("import", "csv", str(demo_export), user="copy")
    assert demo_cli.snapshot() == after_first
    assert demo_cli.ok("export", "csv", user="copy") == exported


def test_import_of_a_hand_written_file(cli: Cli, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "mine.csv",
        ["date", "cramps", "pain", "bedroom_temp_c", "legs_cold", "coffee", "mood"],
        [["2026-02-01", 2, 6, 16.5, "yes", 1, "tired"],
         ["2026-02-02", 0, "", 19, "no", 0, ""],
         ["2026-02-04", 1, 3, "", "", 1, "ok"]],
    )  # fmt: skip
    cli.json("import", "csv", str(path))
    first_snapshot, first_export = cli.snapshot(), cli.ok("export", "csv")
    cli.json("import", "csv", str(path))
    assert cli.snapshot() == first_snapshot
    assert cli.ok("export", "csv") == first_export
    rows = {r["date"]: r for r in csv.DictReader(io.StringIO(first_export))}
    assert list(rows) == ["2026-02-01", "2026-02-02", "2026-02-04"]
    assert [rows[d]["cramps"] for d in rows] == ["2", "0", "1"]
    assert float(rows["2026-02-01"]["bedroom_temp_c"]) == 16.5
    assert rows["2026-02-04"]["bedroom_temp_c"] == ""  # missing stays missing
    # Exported again and imported into someone else, it comes back byte for byte.
    again = tmp_path / "again.csv"
    again.write_text(first_export, encoding="utf-8")
    cli.json("import", "csv", str(again), user="other")
    assert cli.ok("export", "csv", user="other") == first_export


def test_a_bad_row_names_its_line_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    good = [["2026-02-01", 2, 6, "yes"], ["2026-02-02", 0, "", "no"], ["2026-02-03", 1, 3, "no"]]
    header = ["date", "cramps", "pain", "legs_cold"]
    cli.json("import", "csv", str(write_csv(tmp_path / "good.csv", header, good)))
    before = cli.snapshot()
    bad_rows: list[list[object]] = [
        ["2026-02-04", "many", "", "no"],  # cramps not a whole number
        ["2026-02-04", 1, 12, "no"],  # pain above 10
        ["2026-02-01", 1, 2, "no"],  # a date twice
        ["04/02/2026", 1, 2, "no"],  # not YYYY-MM-DD
    ]
    for i, bad in enumerate(bad_rows):
        path = write_csv(tmp_path / f"bad{i}.csv", header, [*good, bad, ["2026-02-09", 1, 1, "no"]])
        message = cli.fails("import", "csv", str(path), user="someone")
        assert "line 5" in message, (bad, message)
        message = cli.fails("import", "csv", str(path))
        assert "line 5" in message, (bad, message)
    assert cli.snapshot() == before
    assert "someone" not in cli.users()
