"""The terminal faces: the assess questionnaire and the `now` countdown, driven through a
pseudo-terminal exactly as a person would use them."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path

import pytest

from crampwise.assess.questionnaire import ask_situation

from .conftest import EXE


class Terminal:
    """A crampwise process on a pseudo-terminal: read what it shows, type answers."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        master, slave = pty.openpty()
        self.proc = subprocess.Popen(
            [EXE, *args],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            close_fds=True,
            env={**os.environ, "COLUMNS": "100", **(env or {})},
        )
        os.close(slave)
        self.master = master
        self.seen = ""

    def expect(self, text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.seen:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"did not see {text!r}; screen ends with:\n{self.seen[-800:]}")
            ready, _, _ = select.select([self.master], [], [], left)
            if ready:
                try:
                    chunk = os.read(self.master, 4096)
                except OSError:  # the process ended and the terminal closed
                    chunk = b""
                if not chunk and self.proc.poll() is not None:
                    raise AssertionError(f"process ended before {text!r}:\n{self.seen[-800:]}")
                self.seen += chunk.decode("utf-8", "replace")
        return self.seen

    def type(self, *lines: str) -> None:
        for line in lines:
            os.write(self.master, (line + "\n").encode())

    def finish(self, timeout: float = 20) -> int:
        try:
            while True:
                ready, _, _ = select.select([self.master], [], [], 0.2)
                if ready:
                    chunk = os.read(self.master, 4096)
                    if not chunk:
                        break
                    self.seen += chunk.decode("utf-8", "replace")
                elif self.proc.poll() is not None:
                    break
        except OSError:
            pass
        code = self.proc.wait(timeout=timeout)
        os.close(self.master)
        return code


def test_questionnaire_stops_at_an_emergency_sign_and_shows_it() -> None:
    term = Terminal("assess")
    term.expect("RIGHT NOW")
    term.expect("Numbers, separated by commas")
    term.type("1")
    term.expect("EMERGENCY")
    assert term.finish() == 0
    assert "Chest pain" in term.seen


def test_questionnaire_full_run_with_a_corrected_answer() -> None:
    term = Terminal("assess")
    term.expect("Numbers, separated by commas")
    answers = [
        "",
        "",
        "",  # no warning signs
        "abc",
        "67",  # age: a wrong answer is asked again
        "f",
        "n",
        "y",  # female, not pregnant, postmenopausal
        "4",  # conditions: diabetes
        "",  # with diabetes: night pain eased by hanging the leg? (skipped)
        "Lipitor",
        "1",
        "1",
        "1",
        "7",
        "3",  # calf, night, 1 minute, pain 7, 3 a week
        *[""] * 10,  # skip the day's questions
    ]
    term.type(*answers)
    term.expect("crampwise sources", timeout=30)  # the last lines of the assessment
    assert term.finish() == 0
    screen = term.seen
    assert "type a number" in screen
    # The corrected age is the one used: the answer "abc" was refused, 67 kept.
    assert "because you are 67" in screen
    assert "ROUTINE" in screen
    assert "Instead of warm footbath before bed" in screen  # diabetes: no soaking
    assert "Brief lukewarm foot wash" in screen
    assert "atorvastatin" in screen


def test_questionnaire_function_with_injected_answers() -> None:
    answers = iter(
        ["", "4", "", "40", "m", "", "Advair 100/50, mystery pill", "calf", "n", "12", "", "", "2"]
    )
    said: list[str] = []
    situation = ask_situation(lambda _prompt: next(answers, ""), said.append)
    assert situation == {
        "person": {"age": 40, "sex": "male"},
        "medications": ["Advair 100/50", "mystery pill"],
        "symptoms": ["calf_pain_persists"],
        "episode": {"muscle": "calf", "when": "night", "duration_s": 720, "per_week": 2},
    }


def test_questionnaire_end_of_input_is_bad_input_not_a_crash() -> None:
    from crampwise.errors import InputError

    def ended(_prompt: str) -> str:
        raise EOFError

    with pytest.raises(InputError, match="input ended"):
        ask_situation(ended, lambda _s: None)


def test_now_countdown_skip_and_log(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    term = Terminal("--user", "bo", "now", "--seconds", "1", env={"CRAMPWISE_DATABASE_URL": url})
    term.expect("Enter: next step")
    term.type("")  # skip the first step
    term.expect("skipped")
    term.expect("Log this cramp in your diary?", timeout=30)
    term.type("y")
    term.expect("Which muscle?")
    term.type("calf")
    term.expect("How painful")
    term.type("6")
    term.expect("Logged cramp #")
    assert term.finish() == 0
    from crampwise.store import open_store

    with open_store(url) as store:
        (episode,) = store.diary("bo", create=False).episodes()
    assert episode.muscle == "calf" and episode.pain == 6
    assert "stretch" in episode.helped


def test_now_ctrl_c_stops_gracefully() -> None:
    term = Terminal("now", "--seconds", "30")
    term.expect("Enter: next step")
    term.proc.send_signal(signal.SIGINT)  # what Ctrl-C sends to the foreground process
    term.expect("Stopped.")
    assert term.finish() == 0
    assert "Traceback" not in term.seen
    assert "10 minutes" in term.seen  # the warning is still shown
