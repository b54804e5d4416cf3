"""The commands as a user runs them: `assess`, `sources`, `learn`, `now` (real processes)."""

from __future__ import annotations

import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampwise.cli import main
from crampwise.knowledge import vocabulary as v

from .conftest import run_cli

SAMPLE = Path(__file__).resolve().parents[2] / "scripts" / "sample-situation.json"
CONTRACT_PLAN_KEYS = {"id", "title", "when", "how", "evidence", "cautions", "sources"}


def test_assess_json_from_stdin_follows_the_contract() -> None:
    proc = run_cli("assess", "-", "--format", "json", stdin=SAMPLE.read_text())
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) >= {
        "triage",
        "causes",
        "plan",
        "avoid",
        "medications",
        "knowledge_version",
        "disclaimer",
    }
    assert out["triage"]["level"] in v.LEVELS
    for r in out["triage"]["reasons"]:
        assert set(r) >= {"id", "title", "because", "advice", "sources"}
    for c in out["causes"]:
        assert c["id"] in v.CAUSE_IDS and set(c) >= {"score", "because", "evidence", "sources"}
    assert {p["id"] for p in out["plan"]} >= {
        "stretch_now",
        "warm_footbath",
        "see_doctor_if_persistent",
    }
    for p in out["plan"]:
        assert set(p) >= CONTRACT_PLAN_KEYS
    assert "quinine" in {a["id"] for a in out["avoid"]}
    assert (
        out["medications"][0]
        | {
            "input": "Lipitor",
            "generic": "atorvastatin",
            "class": "statin",
            "linked_to_cramps": True,
        }
        == out["medications"][0]
    )
    assert proc.stderr == ""


def test_assess_file_argument_and_piped_default_is_json(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"symptoms": ["chest_pain"]}')
    proc = run_cli("assess", str(path))
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["triage"]["level"] == "emergency"


@pytest.mark.parametrize(
    ("stdin", "args", "needle"),
    [
        ('{"day": {"sleep_position": "stomach"}}', (), "field 'day.sleep_position'"),
        ("{not json", (), "not valid JSON"),
        ("", (), "empty"),
        ("{}", ("/no/such/file.json",), "cannot read /no/such/file.json"),
    ],
)
def test_bad_input_exits_2_with_one_line(stdin: str, args: tuple[str, ...], needle: str) -> None:
    proc = run_cli("assess", *(args or ("-",)), "--format", "json", stdin=stdin)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert needle in proc.stderr
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_bad_option_is_a_usage_error_not_a_traceback() -> None:
    proc = run_cli("assess", "-", "--format", "xml", stdin="{}")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_human_report_puts_triage_first() -> None:
    proc = run_cli(
        "assess",
        "-",
        "--format",
        "human",
        stdin='{"symptoms": ["one_leg_swollen"], "medications": ["Lasix", "foo"]}',
    )
    assert proc.returncode == 0, proc.stderr
    assert "URGENT: see a doctor today" in proc.stdout.splitlines()[0]
    assert proc.stdout.index("URGENT") < proc.stdout.index("Your medicines")
    assert "not recognised" in proc.stdout and "furosemide" in proc.stdout


def test_save_stores_the_assessment_in_the_diary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    monkeypatch.setenv("CRAMPWISE_DATABASE_URL", url)
    proc = run_cli(
        "--user", "ann", "assess", "-", "--save", "--format", "json", stdin=SAMPLE.read_text()
    )
    assert proc.returncode == 0, proc.stderr
    from crampwise.store import open_store

    with open_store(url) as store:
        record = store.diary("ann", create=False).latest_assessment()
    assert record is not None
    assert json.loads(proc.stdout)["triage"]["level"] == "routine"


def test_sources_lists_the_bibliography() -> None:
    proc = run_cli("sources", "--format", "json")
    assert proc.returncode == 0
    ids = {s["id"] for s in json.loads(proc.stdout)}
    assert {"seed_article", "garrison_2012", "fda_quinine_2009", "hallegraeff_2012"} <= ids


def test_learn_shows_graded_guide_and_rejects_unknown_topics() -> None:
    proc = run_cli("learn", "--format", "json")
    sections = json.loads(proc.stdout)
    assert [s["id"] for s in sections][:3] == ["overview", "causes", "remedies"]
    human = run_cli("learn", "cold_exposure", "--format", "human")
    assert "very low" in human.stdout and "summer" in human.stdout
    bad = run_cli("learn", "astrology")
    assert bad.returncode == 2 and "is not one of" in bad.stderr


def test_now_without_a_terminal_prints_the_steps_without_waiting() -> None:
    proc = run_cli("now", timeout=20)
    assert proc.returncode == 0
    for needle in (
        "pull them up",
        "lean forward",
        "Massage",
        "Walk",
        "warm (not hot)",
        "10 minutes",
    ):
        assert needle in proc.stdout
    assert "crampwise log cramp" in proc.stdout


def _run_main(argv: list[str], stdin: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old_argv, old_stdin = sys.argv, sys.stdin
    sys.argv, sys.stdin = ["crampwise", *argv], io.StringIO(stdin)
    code = 0
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        sys.argv, sys.stdin = old_argv, old_stdin
    return code, out.getvalue(), err.getvalue()


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(
        [("person", "age"), ("episode", "pain"), ("day", "sleep_position"), ("day", "legs_cold")]
    ),
    st.one_of(
        st.text(max_size=6).filter(lambda s: s not in v.SLEEP_POSITIONS),
        st.integers(min_value=200),
        st.lists(st.integers(), max_size=2),
        st.none().map(lambda _: {"a": 1}),
    ),
)
def test_malformed_situation_through_the_cli_exits_2(field: tuple[str, str], value: Any) -> None:
    block, name = field
    code, out, err = _run_main(
        ["assess", "-", "--format", "json"], json.dumps({block: {name: value}})
    )
    assert code == 2, err
    assert (
        out == ""
        and err.startswith(f"crampwise: error: field '{block}.{name}'")
        and err.count("\n") == 1
    )


def test_now_log_flag_stores_the_cramp_without_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    monkeypatch.setenv("CRAMPWISE_DATABASE_URL", url)
    proc = run_cli("--user", "cy", "now", "--log")
    assert proc.returncode == 0, proc.stderr
    assert "Logged cramp #" in proc.stdout
    from crampwise.store import open_store

    with open_store(url) as store:
        (episode,) = store.diary("cy", create=False).episodes()
    assert episode.muscle == "calf" and episode.helped == ["stretch", "massage", "walk"]


@pytest.mark.parametrize(
    ("argv", "parsed"),
    [
        (["assess", "-", "--format", "json"], ("me", "-", "json", False)),
        (
            ["--user", "ann", "assess", "s.json", "-f", "HUMAN", "--save"],
            ("ann", "s.json", "human", True),
        ),
        (["-u", "bo", "assess", "--format=json"], ("bo", None, "json", False)),
        (["assess", "--help"], None),
        (["assess", "a.json", "b.json"], None),
        (["assess", "-", "--format", "xml"], None),
        (["assess", "-", "--format"], None),
        (["log", "cramp"], None),
        (["--verbose", "assess"], None),
    ],
)
def test_fast_path_takes_only_plain_assess_calls(argv: list[str], parsed: Any) -> None:
    from crampwise.cli.fastpath import parse_fast_call

    call = parse_fast_call(argv)
    if call is None or call.command.words != ("assess",):
        assert parsed is None
    else:
        got = call.options
        assert (call.user, got.get("file"), got.get("fmt"), got.get("save", False)) == parsed


def test_fast_path_and_typer_give_the_same_assessment() -> None:
    from crampwise.cli import app

    code, fast_out, _ = _run_main(["assess", "-", "--format", "json"], SAMPLE.read_text())
    assert code == 0
    out = io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(SAMPLE.read_text())
    try:
        with redirect_stdout(out):
            app(["assess", "-", "--format", "json"], standalone_mode=False)
    finally:
        sys.stdin = old_stdin
    assert json.loads(out.getvalue()) == json.loads(fast_out)


def test_a_closed_stdout_ends_assess_quietly() -> None:
    import os
    import subprocess

    from .conftest import EXE

    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before anything is written, like `| head -0`
    try:
        proc = subprocess.run(
            [EXE, "assess", "-", "--format", "json"],
            input=SAMPLE.read_bytes(),
            stdout=write_end,
            stderr=subprocess.PIPE,
            timeout=30,
            check=False,
        )
    finally:
        os.close(write_end)
    assert (proc.returncode, proc.stderr.decode()) == (1, "")


def test_sources_in_words_without_reviewers_notes() -> None:
    human = run_cli("sources", "--format", "human")
    assert human.returncode == 0, human.stderr
    text = " ".join(human.stdout.split())
    assert "Allen RE, Kirby KA. Nocturnal leg cramps." in text
    assert "2012 · checked: read in the source or its abstract" in text
    assert "https://cks.nice.org.uk/leg-cramps" in text
    assert "https://doi.org/10.1186/s12875-016-0509-9" in text
    # How a detail was verified, the bibliography's ids and its status codes stay out.
    for internal in ("found_via", "search pages:", "allen_kirby_2012", "[checked]"):
        assert internal not in text
    listed = json.loads(run_cli("sources", "--format", "json").stdout)
    assert all("found_via" not in s for s in listed)
    assert {"id", "citation", "year", "status"} <= set(listed[0])
