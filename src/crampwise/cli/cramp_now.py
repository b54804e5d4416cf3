"""`crampwise now`: a guided routine for a cramp happening right now, then an offer to log it.

The steps and their timings are knowledge data (knowledge/now.toml). On a terminal each timed
step shows a live countdown that Enter skips; Ctrl-C stops the routine gracefully. Without a
terminal the steps are printed without waiting.
"""

from __future__ import annotations

import select
import shutil
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import datetime
from typing import TextIO, TypedDict

from crampwise.diary.model import Episode
from crampwise.diary.units import duration_text
from crampwise.knowledge import Knowledge, labels, load_knowledge
from crampwise.knowledge.vocabulary import MUSCLES


class RoutineOutcome(TypedDict):
    """What happened during the routine, and what to log if the person wants it logged."""

    started_at: datetime
    steps_done: list[str]
    stopped: bool
    log: bool
    muscle: str
    pain: int | None
    duration_s: int | None  # how long the routine ran, when someone went through it


# Longer lines are hard to read on a wide terminal.
MAX_LINE = 100
NO_WRAP = 10_000

GRADE_WORDS = {
    "high": "high",
    "moderate": "moderate",
    "low": "low",
    "very_low": "very low",
    "expert_opinion": "expert opinion",
}


def _readable(stream: TextIO, timeout: float) -> bool:
    """Whether a line can be read from `stream` within `timeout` seconds (POSIX select)."""
    try:
        ready, _, _ = select.select([stream], [], [], timeout)
    except (OSError, ValueError):
        time.sleep(timeout)
        return False
    return bool(ready)


def countdown(seconds: int, out: TextIO, stdin: TextIO) -> bool:
    """Show a countdown that updates in place; True if Enter skipped it."""
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            out.write(f"\r   {'':<40}\r   done.\n")
            out.flush()
            return False
        bar = "#" * round(20 * (1 - left / seconds))
        out.write(f"\r   [{bar:<20}] {int(left) + 1:3d} s   (Enter: next step)")
        out.flush()
        if _readable(stdin, min(1.0, left)):
            stdin.readline()
            out.write("\r   skipped.                                   \n")
            out.flush()
            return True


def _wrap(text: str, width: int, indent: str = "   ", first: str | None = None) -> str:
    """`text` wrapped at word boundaries to the terminal; `first` indents the first line
    (default: as the others)."""
    return textwrap.fill(
        text,
        width=max(width, len(indent) + 20),
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _source_names(ids: tuple[str, ...], kb: Knowledge) -> str:
    """The sources as people know them ('NHS (2023)'), not their bibliography ids."""
    found = [kb.sources[i] for i in ids if i in kb.sources]
    return "; ".join(labels.short_citation(s.citation, s.year) for s in found)


def terminal_width() -> int:
    """The terminal's width (COLUMNS, else 80 when it cannot be asked), capped for reading."""
    return min(shutil.get_terminal_size((80, 24)).columns, MAX_LINE)


def run_routine(
    *,
    seconds: int | None = None,
    interactive: bool = False,
    log: bool | None = None,
    out: TextIO | None = None,
    stdin: TextIO | None = None,
    ask: Callable[[str], str] | None = None,
    knowledge: Knowledge | None = None,
    width: int | None = None,
    clock: Callable[[], datetime] | None = None,
    timer: Callable[[], float] = time.monotonic,
) -> RoutineOutcome:
    """Walk through the routine; returns what happened and whether to log the cramp.

    seconds: overrides every timed step's length (tests, `--quick`).
    width: columns to wrap to; default the terminal's, or no wrapping when `out` is not a
    terminal (a pipe or a file keeps whole lines).
    clock, timer: the wall clock (when the cramp started) and a monotonic timer (how long the
    routine ran); tests pass fixed ones.
    """
    kb = knowledge or load_knowledge()
    out = out or sys.stdout
    stdin = stdin or sys.stdin
    if width is None:
        width = terminal_width() if out.isatty() else NO_WRAP
    cols = width
    started = (clock or datetime.now)().replace(microsecond=0)
    began = timer()
    done: list[str] = []
    out.write(_wrap("A cramp right now. Breathe out slowly; it will pass.", cols, "") + "\n")
    if interactive:
        out.write(_wrap("Enter moves to the next step; Ctrl-C stops.", cols, "") + "\n")
    stopped = False
    timed = False
    try:
        for number, step in enumerate(kb.now_steps, 1):
            out.write(f"\n{_wrap(f'{number}. {step.title}', cols, first='')}\n")
            out.write(_wrap(step.how, cols) + "\n")
            grade = f"(evidence: {GRADE_WORDS[step.evidence]}; {_source_names(step.sources, kb)})"
            out.write(_wrap(grade, cols) + "\n")
            length = step.seconds if seconds is None or not step.seconds else seconds
            if length and interactive:
                countdown(length, out, stdin)
                timed = True
            elif length:
                hold = f"Hold for about {length} second{'' if length == 1 else 's'}."
                out.write(_wrap(hold, cols) + "\n")
            done.append(step.id)
    except KeyboardInterrupt:
        stopped = True
        out.write("\n\nStopped.\n")
    # The time the routine ran is the best measure of the cramp there is at 3 a.m.; printed
    # steps that nobody waited through measure nothing.
    ran = round(timer() - began) if interactive or timed else None
    if kb.now_warning is not None:
        out.write("\n" + _wrap(f"! {kb.now_warning.text}", cols, "") + "\n")
    out.flush()
    if log is None and interactive and not stopped:
        # Enter means yes: half asleep, the easy answer must not throw the cramp away.
        answer = _ask(ask, "\nLog this cramp in your diary? [Y/n] ")
        log = answer is not None and answer.strip().lower() not in ("n", "no")
    elif log is None:
        later = "To log this cramp later: crampwise log cramp (or run `crampwise now --log`)."
        out.write("\n" + _wrap(later, cols, "") + "\n")
    outcome: RoutineOutcome = {
        "started_at": started,
        "steps_done": done,
        "stopped": stopped,
        "log": bool(log),
        "muscle": "calf",
        "pain": None,
        "duration_s": ran,
    }
    if log and interactive:
        muscle = (_ask(ask, "Which muscle? [calf] ") or "").strip().lower() or "calf"
        pain = (_ask(ask, "How painful was it, 0-10? [skip] ") or "").strip()
        outcome["muscle"] = muscle if muscle in MUSCLES else "other"
        outcome["pain"] = int(pain) if pain.isdigit() and int(pain) <= 10 else None
    return outcome


def _ask(ask: Callable[[str], str] | None, prompt: str) -> str | None:
    """The typed answer; None when the person pressed Ctrl-C or Ctrl-D instead."""
    try:
        return (ask or input)(prompt)
    except (EOFError, KeyboardInterrupt):
        return None


def log_episode(user: str, outcome: RoutineOutcome, url: str | None = None) -> str:
    """Store the cramp from a finished routine in the user's diary; returns a one-line note."""
    # Imported here: the routine itself runs without loading SQLAlchemy.
    from crampwise.store import open_store

    helped = [
        s for s in ("stretch", "massage", "walk") if any(s in d for d in outcome["steps_done"])
    ]
    episode = Episode(
        started_at=outcome["started_at"],
        muscle=outcome["muscle"],
        pain=outcome["pain"],
        duration_s=outcome["duration_s"],
        helped=helped,
        note="logged by crampwise now",
    )
    with open_store(url) as store:
        saved = store.diary(user).add_episode(episode)
    lasted = "" if saved.duration_s is None else f", {duration_text(saved.duration_s)}"
    muscle = labels.MUSCLE_LABELS.get(saved.muscle, saved.muscle).lower()
    return f"Logged cramp #{saved.id}: {muscle} at {saved.started_at:%a %d %b %H:%M}{lasted}."
