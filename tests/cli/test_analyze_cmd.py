"""`crampwise analyze` end to end: the real command, real files, a real SQLite diary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crampwise.analysis.simulation import simulate_diary
from crampwise.interop.csv import write_day_table

CRAMPWISE = str(Path(sys.executable).with_name("crampwise"))


def run(
    *args: str, db: str | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if db:
        env["CRAMPWISE_DATABASE_URL"] = db
    return subprocess.run(
        [CRAMPWISE, *args], capture_output=True, text=True, env=env, input=stdin, timeout=60
    )


@pytest.fixture(scope="module")
def diary_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("diary") / "diary.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        write_day_table(simulate_diary(77, nights=500, mean_cramps=0.8).table, fh)
    return path


def test_json_on_stdout_only(diary_csv: Path) -> None:
    result = run("analyze", str(diary_csv), "--format", "json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)  # exactly one document
    assert doc["enough_data"] is True
    assert doc["nights"] == len(diary_csv.read_text().splitlines()) - 1
    assert any(f["significant"] for f in doc["findings"])
    assert result.stderr == ""


def test_stdin_dash_reads_the_csv(diary_csv: Path) -> None:
    result = run("analyze", "-", "--format", "json", stdin=diary_csv.read_text())
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["nights"] > 400


def test_human_report_in_plain_words(diary_csv: Path) -> None:
    result = run("analyze", str(diary_csv), "--format", "human")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "Found" in text and "× as many cramps" in text
    assert "Not found" in text and "steps" in text
    # A level in everyday words, not the stored code.
    assert "sleep position was 'on your front'" in text and "prone" not in text


def test_too_little_data_says_how_many_more_nights(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(
        "date,cramps,legs_cold\n" + "".join(f"2026-01-{d:02d},{d % 2},yes\n" for d in range(1, 11))
    )
    result = run("analyze", str(path), "--format", "human")
    assert result.returncode == 0, result.stderr
    text = " ".join(result.stdout.split())
    assert "Not enough data yet" in text and "11 more nights" in text
    doc = json.loads(run("analyze", str(path), "--format", "json").stdout)
    assert doc["enough_data"] is False and doc["findings"] == [] and doc["nights_needed"] == 11


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "date,cramps\n2026-01-01,0\n2026-01-02,x\n",
            "line 3, column 'cramps': 'x' is not a whole number ≥ 0",
        ),
        ("date,pain\n2026-01-01,3\n", "required column 'cramps' is missing"),
    ],
)
def test_bad_csv_exits_2_with_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    result = run("analyze", str(path), "--format", "json")
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = run("analyze", str(tmp_path / "nope.csv"), "--format", "json")
    assert result.returncode == 2 and "no such file" in result.stderr


def test_own_diary_gives_the_same_findings_as_its_csv(diary_csv: Path, sqlite_url: str) -> None:
    from crampwise.interop.csv import import_diary
    from crampwise.store import open_store

    with open_store(sqlite_url) as store:
        import_diary(store.diary("me"), diary_csv)
    from_db = run("analyze", "--format", "json", db=sqlite_url)
    from_file = run("analyze", str(diary_csv), "--format", "json")
    assert from_db.returncode == 0, from_db.stderr
    assert json.loads(from_db.stdout) == json.loads(from_file.stdout)
    other = json.loads(run("--user", "nobody", "analyze", "--format", "json", db=sqlite_url).stdout)
    assert other["nights"] == 0 and other["enough_data"] is False


def test_human_report_in_the_users_units(diary_csv: Path, sqlite_url: str) -> None:
    from crampwise.interop.csv import import_diary
    from crampwise.store import open_store

    with open_store(sqlite_url) as store:
        for user, units in (("fahrenheit", "us"), ("celsius", "metric")):
            import_diary(store.diary(user), diary_csv)
            store.diary(user).set_units(units)
    us = run("--user", "fahrenheit", "analyze", "--format", "human", db=sqlite_url)
    assert us.returncode == 0, us.stderr
    text = " ".join(us.stdout.split())
    # The planted cold-bedroom trigger: the analysis's 5 °C step, said in °F.
    assert "bedroom temperature was 9 °F lower" in text and "°C" not in text
    metric = run("--user", "celsius", "analyze", "--format", "human", db=sqlite_url)
    assert "bedroom temperature was 5 °C lower" in " ".join(metric.stdout.split())
    # The contract's JSON keeps the stored units whatever the person reads.
    doc = json.loads(
        run("--user", "fahrenheit", "analyze", "--format", "json", db=sqlite_url).stdout
    )
    [cold] = [f for f in doc["findings"] if f["factor"] == "bedroom_temp_c" and f["lag_days"] == 0]
    assert cold["effect"]["per"] == "5 °C lower"
