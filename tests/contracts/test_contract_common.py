"""Contract §0 and the rules every command shares: --user, the database, demo, exit codes."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest

from .conftest import Cli, write_csv


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_user_defaults_to_me_and_is_created_on_first_write(cli: Cli) -> None:
    assert cli.snapshot() == {}  # nothing exists before the first command
    cli.json("log", "day", "--date", "2026-03-02", "--exercise", "30")
    assert cli.users() == {"me"}
    cli.json("log", "day", "--date", "2026-03-03", "--exercise", "45", user="alice")
    assert cli.users() == {"me", "alice"}

    mine = _rows(cli.ok("export", "csv"))
    hers = _rows(cli.ok("export", "csv", user="alice"))
    assert [r["date"] for r in mine] == ["2026-03-02"]
    assert [r["date"] for r in hers] == ["2026-03-03"]
    assert hers[0]["exercise_min"] in {"45", "45.0"}
    # An explicit `--user me` is the same diary as no --user at all.
    assert _rows(cli.ok("export", "csv", user="me")) == mine
    # `log cramp` takes a fast path past the usual start-up: --user still applies.
    cli.ok("--user=bob", "log", "cramp", "--at", "2026-03-05T02:00", "--format", "json")
    assert cli.users() == {"me", "alice", "bob"}
    assert cli.ok("export", "csv", user="ghost").splitlines()[0].startswith("date,cramps")
    assert "ghost" not in cli.users()  # reading is not a write
    assert [(r["date"], r["cramps"]) for r in _rows(cli.ok("export", "csv", user="bob"))] == [
        ("2026-03-04", "1")
    ]


def test_database_url_is_the_database(cli: Cli) -> None:
    cli.json("log", "day", "--date", "2026-03-02", "--exercise", "30")
    assert cli.db_path is not None and cli.db_path.exists()
    assert cli.db_path.read_bytes()[:16] == b"SQLite format 3\x00"
    data_dir = cli.home / "data"
    assert not data_dir.exists() or not any(p.is_file() for p in data_dir.rglob("*"))
    # A second URL is a second, independent database.
    other = Cli(home=cli.home, db_path=cli.home / "other.db")
    assert _rows(other.ok("export", "csv")) == []


def test_a_bad_database_url_is_one_line_exit_2(tmp_path: Path) -> None:
    for url in ("not a url", "nosuchdb://host/x"):
        cli = Cli(home=tmp_path, db_path=None, extra_env={"CRAMPWISE_DATABASE_URL": url})
        assert "CRAMPWISE_DATABASE_URL" in cli.fails("log", "day", "--exercise", "30")
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_default_database_is_sqlite_in_the_data_folder(tmp_path: Path) -> None:
    cli = Cli(home=tmp_path, db_path=None)  # CRAMPWISE_DATABASE_URL unset
    cli.json("log", "day", "--date", "2026-03-02", "--exercise", "30")
    files = [p for p in (tmp_path / "data").rglob("*") if p.is_file()]
    dbs = [p for p in files if p.read_bytes()[:16] == b"SQLite format 3\x00"]
    assert len(dbs) == 1, files
    assert "crampwise" in dbs[0].relative_to(tmp_path / "data").parts[0]
    # Nothing else in the home folder outside the data folder.
    stray = [p for p in tmp_path.rglob("*") if p.is_file() and "data" not in p.parts]
    assert stray == []
    # The next command reads the same file.
    assert [r["date"] for r in _rows(cli.ok("export", "csv"))] == ["2026-03-02"]


def test_demo_fills_user_demo_with_six_months(demo_cli: Cli) -> None:
    assert "demo" in demo_cli.users() and "me" not in demo_cli.users()
    rows = _rows(demo_cli.ok("export", "csv", user="demo"))
    days = [date.fromisoformat(r["date"]) for r in rows]
    assert days == sorted(days) and len(set(days)) == len(days)
    assert (days[-1] - days[0]).days + 1 >= 182  # six months
    assert len(rows) >= 150  # a diary, not two far-apart entries
    cramp_nights = sum(int(r["cramps"]) > 0 for r in rows)
    assert 0.05 * len(rows) < cramp_nights < 0.95 * len(rows)
    factor_columns = set(rows[0]) - {"date", "cramps", "pain"}
    assert len(factor_columns) >= 4
    assert _rows(demo_cli.ok("export", "csv")) == []  # `me` was not touched


# `--format json` printing exactly one document is checked by `Cli.json` on every JSON call
# in this suite (json.loads of the whole stdout).


def test_bad_input_is_one_line_exit_2_and_writes_nothing(cli: Cli, tmp_path: Path) -> None:
    cli.json("log", "day", "--date", "2026-03-02", "--exercise", "30")
    before = cli.snapshot()
    bad_csv = write_csv(tmp_path / "bad.csv", ["date", "cramps"], [["2026-01-01", "x"]])
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("date,cramps,mood\n2026-01-01,1,café\n".encode("latin-1"))
    cases: list[tuple[tuple[str, ...], str | None, str]] = [
        (("assess", "-", "--save"), '{"person": {"sex": "robot"}}', "sex"),
        (("assess", "-", "--save"), "{not json", "json"),
        (("assess", str(tmp_path / "missing.json")), None, "missing.json"),
        (("import", "csv", str(bad_csv)), None, "line 2"),
        (("import", "csv", str(tmp_path / "missing.csv")), None, "missing.csv"),
        (
            ("experiment", "plan", "--intervention", "warm_footbath", "--pairs", "many"),
            None,
            "pairs",
        ),
        (
            ("experiment", "plan", "--intervention", "warm_footbath", "--start", "soon"),
            None,
            "start",
        ),
        (("assess", "-", "--format", "xml"), "{}", "format"),
        (("log", "day", "--exercise", "30", "--intensity", "extreme"), None, "intensity"),
        (("log", "cramp", "--muscle", "calf", "--pain", "11"), None, "pain"),
        (("import", "csv", str(latin1)), None, "latin1.csv"),  # unreadable: not UTF-8
        (("import", "csv", str(tmp_path)), None, str(tmp_path)),  # a folder
        (("export", "csv", "-o", str(tmp_path / "no" / "such" / "x.csv")), None, "x.csv"),
    ]
    for args, stdin, named in cases:
        # A new user: besides nothing being written, the user must not be created.
        message = cli.fails(*args, stdin=stdin, user="newcomer")
        assert named.lower() in message.lower(), (args, message)
    assert cli.snapshot() == before
    assert "newcomer" not in cli.users()


@pytest.mark.postgres
def test_database_url_may_name_postgresql(tmp_path: Path, postgres_url: str) -> None:
    cli = Cli(home=tmp_path, db_path=None, extra_env={"CRAMPWISE_DATABASE_URL": postgres_url})
    diary = write_csv(
        tmp_path / "d.csv",
        ["date", "cramps", "pain", "legs_cold"],
        [["2026-01-01", 1, 4, "true"], ["2026-01-02", 0, "", "false"]],
    )
    cli.json("import", "csv", str(diary), user="pg")
    exported = cli.ok("export", "csv", user="pg")
    assert exported == diary.read_text(encoding="utf-8")
    bad = write_csv(tmp_path / "bad.csv", ["date", "cramps"], [["2026-01-03", "-2"]])
    assert "line 2" in cli.fails("import", "csv", str(bad), user="pg")
    assert cli.ok("export", "csv", user="pg") == exported
    assert not (tmp_path / "data").exists()  # no SQLite file was made on the side


def test_human_format_is_the_default_on_a_terminal(cli: Cli) -> None:
    out, code = cli.on_terminal("sources")
    assert code == 0 and out.strip(), out
    assert not out.lstrip().startswith((b"[", b"{")), out[:200]
    assert b"nice_cks_leg_cramps" in out or b"NICE" in out or b"National Institute" in out
