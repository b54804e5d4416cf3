"""`crampwise experiment plan|analyze|start|status|stop` as a user runs them (contract §3)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from crampwise.cli import main
from crampwise.experiments.plan import plan_experiment


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run `crampwise ARGS` in this process through the real entry point (`main`)."""

    def run(*args: str, env: dict[str, str] | None = None) -> Ran:
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        monkeypatch.setattr(sys, "argv", ["crampwise", *args])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return run


PLAN = [
    *("experiment", "plan", "--intervention", "warm_footbath", "--pairs", "3"),
    *("--period-days", "7", "--start", "2026-12-01", "--seed", "7", "--format", "json"),
]


def test_plan_json_matches_the_contract_and_the_library(cli: Any, tmp_path: Path) -> None:
    ics = tmp_path / "schedule.ics"
    done = cli(*PLAN, "--ics", str(ics))
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    expected = plan_experiment("warm_footbath", 3, 7, "2026-12-01", seed=7)
    assert data["intervention"] == "warm_footbath"
    assert data["periods"] == [p.to_dict() for p in expected.periods]
    assert data["periods"][0]["start"] == "2026-12-01"
    assert data["periods"][-1]["end"] == "2027-01-11"
    assert {p["condition"] for p in data["periods"][:2]} == {"on", "off"}
    # the same seed again gives the same schedule
    assert json.loads(cli(*PLAN).stdout)["periods"] == data["periods"]
    _check_calendar(ics, data["periods"])


def _check_calendar(path: Path, periods: list[dict[str, str]]) -> None:
    """Parse the .ics back: one all-day event per period, a 21:00 reminder on 'on' days."""
    cal = Calendar.from_ical(path.read_bytes())
    events = list(cal.walk("VEVENT"))
    all_day = [e for e in events if type(e.decoded("dtstart")) is date]
    assert len(all_day) == len(periods)
    for event, period in zip(
        sorted(all_day, key=lambda e: e.decoded("dtstart")), periods, strict=True
    ):
        assert event.decoded("dtstart") == date.fromisoformat(period["start"])
        # DTEND of an all-day event is the day after the last
        assert event.decoded("dtend") == date.fromisoformat(period["end"]) + timedelta(days=1)
        assert period["condition"].upper() in str(event.get("summary"))
    reminders = [e for e in events if type(e.decoded("dtstart")) is not date]
    on_periods = [p for p in periods if p["condition"] == "on"]
    assert len(reminders) == len(on_periods)
    for event, period in zip(
        sorted(reminders, key=lambda e: e.decoded("dtstart")), on_periods, strict=True
    ):
        start = event.decoded("dtstart")
        assert start.date() == date.fromisoformat(period["start"])
        assert (start.hour, start.minute) == (21, 0)
        assert event.decoded("rrule")["COUNT"] == [7]
        assert list(event.walk("VALARM"))


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        (["--pairs", "0"], "'pairs'"),
        (["--period-days", "0"], "'period_days'"),
        (["--start", "2026-02-30"], "'start'"),
        (["--intervention", "quinine"], "warm_footbath, calf_stretch_bedtime"),
        (["--washout-days", "9"], "'washout_days'"),
    ],
)
def test_plan_bad_input_exits_2_with_one_line(cli: Any, change: list[str], needle: str) -> None:
    args = list(PLAN)
    flag = change[0]
    if flag in args:
        i = args.index(flag)
        args[i + 1] = change[1]
    else:
        args += change
    done = cli(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert needle in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def _write_diary(path: Path, washout_marker: bool = False) -> None:
    on = ([True] * 7 + [False] * 7) * 3
    cramps = ([0, 1, 0, 0, 1, 0, 0, 2, 1, 2, 1, 2, 1, 1]) * 3
    start = date(2026, 12, 1)
    rows = ["date,cramps,footbath,fluids_l"]
    for i, (o, c) in enumerate(zip(on, cramps, strict=True)):
        rows.append(f"{start + timedelta(days=i)},{c},{'true' if o else 'false'},1.5")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_analyze_json(cli: Any, tmp_path: Path) -> None:
    diary = tmp_path / "diary.csv"
    _write_diary(diary)
    done = cli("experiment", "analyze", str(diary), "--column", "footbath", "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["nights_on"] == 21 and data["nights_off"] == 21
    assert data["rate_on"] == pytest.approx(6 / 21, abs=1e-3)
    assert data["rate_off"] == pytest.approx(30 / 21, abs=1e-3)
    assert data["effect"]["measure"] == "rate_ratio"
    assert data["effect"]["estimate"] < 0.4
    assert data["probability_helps"] >= 0.95 and data["verdict"] == "helps"
    washed = cli(
        "experiment",
        "analyze",
        str(diary),
        "--column",
        "footbath",
        "--washout-days",
        "2",
        "--format",
        "json",
    )
    assert json.loads(washed.stdout)["nights_on"] == 15


@pytest.mark.parametrize(
    ("column", "needle"), [("massage", "column 'massage'"), ("fluids_l", "not boolean")]
)
def test_analyze_bad_column_exits_2(cli: Any, tmp_path: Path, column: str, needle: str) -> None:
    diary = tmp_path / "diary.csv"
    _write_diary(diary)
    done = cli("experiment", "analyze", str(diary), "--column", column, "--format", "json")
    assert done.returncode == 2 and done.stdout == ""
    assert needle in done.stderr


def test_start_status_stop_through_the_cli(cli: Any, sqlite_url: str, tmp_path: Path) -> None:
    env = {"CRAMPWISE_DATABASE_URL": sqlite_url, "CRAMPWISE_TODAY": "2026-12-03"}
    ics = tmp_path / "exp.ics"
    started = cli(
        "--user",
        "cy",
        "experiment",
        "start",
        "-i",
        "calf_stretch_bedtime",
        "--pairs",
        "3",
        "--period-days",
        "7",
        "--start",
        "2026-12-01",
        "--seed",
        "3",
        "--ics",
        str(ics),
        "--format",
        "json",
        env=env,
    )
    assert started.returncode == 0, started.stderr
    plan = json.loads(started.stdout)
    assert plan["id"] >= 1 and plan["column"] == "stretched"
    _check_calendar(ics, plan["periods"])
    status = cli("--user", "cy", "experiment", "status", "--format", "json", env=env)
    assert status.returncode == 0, status.stderr
    data = json.loads(status.stdout)
    assert data["day"] == 3 and data["today_condition"] == plan["periods"][0]["condition"]
    assert data["missing_days"] == 3 and data["adherence"] is None
    again = cli(
        "--user", "cy", "experiment", "start", "-i", "warm_footbath", "--format", "json", env=env
    )
    assert again.returncode == 2 and "still running" in again.stderr
    stopped = cli("--user", "cy", "experiment", "stop", "--format", "json", env=env)
    assert stopped.returncode == 0, stopped.stderr
    result = json.loads(stopped.stdout)
    assert result["status"] == "stopped" and result["verdict"] == "not_enough_data"
    none = cli("--user", "cy", "experiment", "status", "--format", "json", env=env)
    assert none.returncode == 2 and "no experiment is running" in none.stderr


def test_human_output_says_the_verdict_in_plain_words(cli: Any, tmp_path: Path) -> None:
    diary = tmp_path / "diary.csv"
    _write_diary(diary)
    done = cli("experiment", "analyze", str(diary), "--column", "footbath", "--format", "human")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split())  # Rich wraps lines at the terminal width
    # The diary followed no plan: a link in words, never a causal verdict.
    assert "goes with fewer cramps" in text and "not proof" in text
    assert "placebo" in text and "cause and effect" in text
    plan = cli(*PLAN[:-2], "--rate", "0.7", "--format", "human")
    assert plan.returncode == 0, plan.stderr
    assert "chance of showing that the remedy helps" in " ".join(plan.stdout.split())


def test_the_installed_command_exits_2_without_a_traceback() -> None:
    exe = Path(sys.executable).with_name("crampwise")
    done = subprocess.run(
        [str(exe), *PLAN[:2], "--intervention", "quinine", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    assert "'intervention'" in done.stderr and "Traceback" not in done.stderr
