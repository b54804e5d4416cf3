"""`crampwise now`: wraps to the terminal at word boundaries, Enter logs the cramp, and the
logged cramp lasts as long as the routine ran."""

from __future__ import annotations

import io
import re
from datetime import datetime

import pytest

from crampwise.cli.cramp_now import log_episode, run_routine
from crampwise.store import open_store

STARTED = datetime(2026, 12, 2, 3, 10)


def _timer(*readings: float):  # type: ignore[no-untyped-def]
    """A monotonic timer that reads the given seconds, one per call."""
    values = iter(readings)
    return lambda: next(values)


def _answers(*typed: str):  # type: ignore[no-untyped-def]
    queue = list(typed)
    return lambda prompt: queue.pop(0) if queue else ""


def test_the_routine_wraps_to_the_width_between_words() -> None:
    out = io.StringIO()
    run_routine(seconds=0, out=out, width=40)
    lines = out.getvalue().splitlines()
    assert lines and max(len(line) for line in lines) <= 40
    flowing = " ".join(out.getvalue().split())
    assert "pull them up towards your knee" in flowing  # no word cut in two ("u/p")
    assert "_" not in out.getvalue()  # sources by name, not by bibliography id
    assert "NHS: Leg cramps (2023)" in flowing  # a short reference, its page named


def test_a_pipe_keeps_whole_lines() -> None:
    out = io.StringIO()  # not a terminal
    run_routine(seconds=0, out=out)
    assert any(len(line) > 100 for line in out.getvalue().splitlines())


def test_enter_logs_the_cramp_with_the_time_the_routine_ran(sqlite_url: str) -> None:
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return ""  # Enter, Enter, Enter: half asleep

    outcome = run_routine(
        seconds=0,
        interactive=True,
        out=io.StringIO(),
        ask=ask,
        clock=lambda: STARTED,
        timer=_timer(1000.0, 1150.0),
    )
    assert "[Y/n]" in prompts[0]
    assert outcome["log"] is True and outcome["duration_s"] == 150
    note = log_episode("cy", outcome, sqlite_url)
    assert re.fullmatch(r"Logged cramp #\d+: calf at Wed 02 Dec 03:10, about 3 min\.", note)
    with open_store(sqlite_url) as store:
        (episode,) = store.diary("cy", create=False).episodes()
    assert episode.started_at == STARTED and episode.duration_s == 150
    assert episode.night.isoformat() == "2026-12-01"


@pytest.mark.parametrize("answer", ["n", "No", " no "])
def test_no_means_no(answer: str) -> None:
    outcome = run_routine(
        seconds=0, interactive=True, out=io.StringIO(), ask=_answers(answer), timer=_timer(0, 9)
    )
    assert outcome["log"] is False


def test_ctrl_c_at_the_question_logs_nothing() -> None:
    def interrupted(prompt: str) -> str:
        raise KeyboardInterrupt

    outcome = run_routine(
        seconds=0, interactive=True, out=io.StringIO(), ask=interrupted, timer=_timer(0, 9)
    )
    assert outcome["log"] is False


def test_printed_steps_nobody_waited_through_record_no_duration() -> None:
    outcome = run_routine(seconds=0, log=True, out=io.StringIO(), timer=_timer(0, 0))
    assert outcome["log"] is True and outcome["duration_s"] is None
