"""The CLI says what it wrote, uses the person's units, and files "today" by the web's night
rule (a time after midnight belongs to the night that began the evening before)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from crampwise.store import open_store

from .conftest import Result, in_process

AFTER_MIDNIGHT = datetime(2026, 12, 2, 1, 0)


@pytest.fixture
def run(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., Result]:
    """crampwise in this process on a fresh SQLite file, the clock frozen at 01:00 on 2 Dec."""
    monkeypatch.delenv("CRAMPWISE_TODAY", raising=False)
    monkeypatch.setattr("crampwise.cli.common.local_now", lambda: AFTER_MIDNIGHT)
    return in_process(sqlite_url, monkeypatch, capsys)


def test_every_export_to_a_file_says_what_it_wrote(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    for night in ("2026-11-28", "2026-11-29", "2026-11-30"):
        assert run("log", "day", "--date", night, "--exercise", "30", "-f", "json").code == 0
    expected = {
        ("export", "csv"): r"Wrote 3 nights to .*diary\.csv \(\d+ bytes\)\.",
        ("export", "fhir"): r"Wrote a FHIR Bundle of \d+ entries to .*diary\.json \(\d+ KB\)\.",
        ("export", "ics"): r"Wrote a calendar of 1 event to .*diary\.ics \(\d+ bytes\)\.",
        ("report",): r"Wrote a 1-page report to .*diary\.pdf \(\d+ KB\)\.",
    }
    for command, line in expected.items():
        target = tmp_path / (
            "diary." + {"csv": "csv", "fhir": "json", "ics": "ics"}.get(command[-1], "pdf")
        )
        done = run(*command, "-o", str(target))
        assert done.code == 0, done.err
        assert done.out == ""  # stdout stays free for the data itself
        assert re.fullmatch(line + "\n", done.err), done.err
        assert target.stat().st_size > 0


def test_log_day_after_midnight_files_the_night_in_progress(run: Callable[..., Result]) -> None:
    done = run("log", "day", "--footbath", "-f", "json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["date"] == "2026-12-01"
    shown = run("diary", "-f", "json")
    assert [n["date"] for n in json.loads(shown.out)["nights"]] == ["2026-12-01"]


def test_experiment_start_after_midnight_starts_with_the_night_in_progress(
    run: Callable[..., Result],
) -> None:
    done = run("experiment", "start", "-i", "calf_stretch_bedtime", "--seed", "1", "-f", "json")
    assert done.code == 0, done.err
    assert json.loads(done.out)["periods"][0]["start"] == "2026-12-01"
    status = json.loads(run("experiment", "status", "-f", "json").out)
    assert status["day"] == 1


def test_temperatures_in_the_chosen_units(run: Callable[..., Result], sqlite_url: str) -> None:
    metric = run("log", "day", "--date", "2026-11-30", "--bedroom-temp", "64F", "-f", "human")
    assert metric.out == "Saved the day of Mon 30 Nov 2026: Bedroom temperature 17.8 °C.\n"
    with open_store(sqlite_url) as store:
        store.diary("me").set_units("us")
    bare = run("log", "day", "--date", "2026-11-29", "--bedroom-temp", "64", "-f", "human")
    assert bare.out == "Saved the day of Sun 29 Nov 2026: Bedroom temperature 64 °F.\n"
    celsius = run(
        "log", "day", "--date", "2026-11-28", "--bedroom-temp", "18C", "--fluids", "1.5l",
        "-f", "human",
    )  # fmt: skip
    assert celsius.out == (
        "Saved the day of Sat 28 Nov 2026: Fluids 51 fl oz; Bedroom temperature 64 °F.\n"
    )
    stored = json.loads(run("diary", "-f", "json").out)["nights"]
    assert [n["day"]["bedroom_temp_c"] for n in stored] == [17.8, 17.8, 18.0]
    table = run("diary", "-f", "human").out
    assert "bedroom 64 °F" in table and "°C" not in table and "=" not in table


def test_a_temperature_that_is_not_one_is_refused(run: Callable[..., Result]) -> None:
    done = run("log", "day", "--bedroom-temp", "warm", "-f", "json")
    assert done.code == 2 and "18C, 64F" in done.err and done.out == ""
    assert json.loads(run("diary", "-f", "json").out)["nights"] == []
