"""The diary commands end to end: log, diary, edit, delete, CSV, factors, medicines."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

from .conftest import EXE, Cli


def test_log_cramp_alone_is_a_calf_cramp_now(cli: Cli) -> None:
    before = datetime.now().replace(microsecond=0)
    result = cli("log", "cramp")
    assert result.code == 0, result.err
    episode = json.loads(result.out)
    started = datetime.fromisoformat(episode["started_at"])
    assert episode["muscle"] == "calf"
    assert before - timedelta(minutes=1) <= started <= datetime.now()
    nights = json.loads(cli("diary").out)["nights"]
    assert [n["cramps"] for n in nights] == [1]


def test_log_cramp_with_everything(cli: Cli) -> None:
    result = cli(
        "log",
        "cramp",
        "--at",
        "2026-11-24T03:10",
        "--muscle",
        "foot",
        "--side",
        "left",
        "--duration",
        "1m30s",
        "--pain",
        "7",
        "--helped",
        "stretch,walk",
        "--helped",
        "heat",
        "--woke",
        "--note",
        "bad one",
        "-f",
        "json",
    )
    episode = json.loads(result.out)
    assert {
        k: episode[k]
        for k in ("night", "muscle", "side", "duration_s", "pain", "woke", "helped", "note")
    } == {
        "night": "2026-11-23",
        "muscle": "foot",
        "side": "left",
        "duration_s": 90,
        "pain": 7,
        "woke": True,
        "helped": ["stretch", "walk", "heat"],
        "note": "bad one",
    }
    human = cli("log", "cramp", "--at", "2026-11-24T04:00", "--format", "human")
    assert human.out.startswith("Logged cramp #2: calf at Tue 24 Nov 04:00 (night of Mon 23 Nov)")


def test_bad_input_exits_2_with_one_line_and_writes_nothing(cli: Cli) -> None:
    for args, expected in [
        (("log", "cramp", "--muscle", "knee"), "is not one of: calf, foot, toes"),
        (("log", "cramp", "--pain", "11"), "episode.pain"),
        (("log", "cramp", "--at", "soon"), "field 'at'"),
        (("log", "day", "--intensity", "extreme"), "none, light, moderate, hard"),
        (("log", "day", "--set", "coffee=2"), "define your own"),
    ]:
        result = cli(*args)
        assert result.code == 2, args
        assert result.err.count("\n") == 1 and expected in result.err, result.err
        assert "Traceback" not in result.err
    assert json.loads(cli("diary").out)["nights"] == []


def test_log_day_with_units_then_export(cli: Cli) -> None:
    result = cli(
        "log",
        "day",
        "--date",
        "2026-11-20",
        "--exercise",
        "45",
        "--intensity",
        "moderate",
        "--fluids",
        "50floz",
        "--bedroom-temp",
        "64F",
        "--position",
        "side",
        "--footbath",
        "--stretched",
        "--steps",
        "9000",
    )
    assert result.code == 0, result.err
    assert json.loads(result.out)["values"]["bedroom_temp_c"] == 17.8
    exported = cli("export", "csv").out
    assert exported == (
        "date,cramps,pain,exercise_min,exercise_intensity,fluids_l,bedroom_temp_c,"
        "sleep_position,stretched,footbath,steps\n"
        "2026-11-20,0,,45,moderate,1.48,17.8,side,true,true,9000\n"
    )


def test_edit_and_delete_are_scoped_to_the_user(cli: Cli) -> None:
    ep = json.loads(cli("log", "cramp", "--at", "2026-11-24T03:10", "--pain", "4").out)
    edited = json.loads(cli("edit", str(ep["id"]), "--at", "2:30", "--pain", "6").out)
    assert (edited["started_at"], edited["pain"]) == ("2026-11-24T02:30:00", 6)
    theirs = cli("--user", "bob", "delete", str(ep["id"]))
    assert theirs.code == 2 and f"no episode {ep['id']} in your diary" in theirs.err
    assert cli("--user", "bob", "edit", str(ep["id"]), "--pain", "1").code == 2
    cli("log", "day", "--date", "2026-11-23", "--fluids", "2")
    day = json.loads(cli("edit", "2026-11-23", "--set", "fluids=", "--set", "stretched=yes").out)
    assert day["values"] == {"stretched": True}
    assert cli("delete", "2026-11-23").code == 0
    assert cli("delete", "2026-11-23").code == 2
    assert json.loads(cli("delete", str(ep["id"])).out)["pain"] == 6
    assert json.loads(cli("diary", "--nights", "9999").out)["nights"] == []


def test_csv_round_trip_and_bad_file(cli: Cli, tmp_path: Path) -> None:
    assert cli("demo", "--days", "185").code == 0
    first = tmp_path / "demo.csv"
    assert cli("--user", "demo", "export", "csv", "-o", str(first)).code == 0
    text = first.read_text()
    assert text.count("\n") > 150
    assert cli("--user", "copy", "import", "csv", str(first)).code == 0
    assert cli("--user", "copy", "import", "csv", str(first)).code == 0
    assert cli("--user", "copy", "export", "csv").out == text
    bad = tmp_path / "bad.csv"
    bad.write_text("date,cramps\n2026-01-01,1\n2026-01-02,many\n")
    result = cli("--user", "fresh", "import", "csv", str(bad))
    assert result.code == 2 and "line 3" in result.err
    assert cli("--user", "fresh", "export", "csv").out == "date,cramps,pain\n"


def test_factors_and_medicines(cli: Cli) -> None:
    assert cli("factor", "define", "coffee", "--unit", "cups").code == 0
    assert json.loads(cli("factor", "list").out) == [
        {"name": "coffee", "kind": "numeric", "unit": "cups", "choices": []}
    ]
    assert cli("log", "day", "--date", "2026-11-20", "--set", "coffee=2").code == 0
    med = json.loads(cli("med", "add", "Lasix", "--started", "2026-01-05").out)
    assert med["started"] == "2026-01-05"
    assert [m["name"] for m in json.loads(cli("med", "list").out)] == ["Lasix"]
    assert json.loads(cli("--user", "bob", "med", "list").out) == []


def test_cold_process_logs_durably_and_help_still_works(tmp_path: Path) -> None:
    """The real executable: the fast `log cramp` path, and Typer for everything else."""
    env = {**os.environ, "CRAMPWISE_DATABASE_URL": f"sqlite:///{tmp_path}/d.sqlite3"}
    done = subprocess.run(
        [EXE, "-u", "ann", "log", "cramp", "--side", "right"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout)["side"] == "right"
    shown = subprocess.run(
        [EXE, "--user=ann", "diary", "-f", "json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(shown.stdout)["nights"][0]["episodes"][0]["side"] == "right"
    helped = subprocess.run(
        [EXE, "log", "cramp", "--help"], env=env, capture_output=True, text=True, check=True
    )
    assert "--muscle" in helped.stdout
    typo = subprocess.run(
        [EXE, "log", "cramp", "--pian", "3"], env=env, capture_output=True, text=True
    )
    assert typo.returncode == 2 and "--pian" in typo.stderr
