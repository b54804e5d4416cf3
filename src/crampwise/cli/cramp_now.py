"""`crampwise now`: a guided routine for a cramp happening right now, then an offer to log it.

The steps and their timings are knowledge data (knowledge/now.toml). On a terminal each timed
step shows a live countdown that Enter skips; Ctrl-C stops the routine gracefully. Without a
terminal the steps are printed without waiting.
"""

from __future__ import annotations

import select
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import TextIO, TypedDict

from crampwise.diary.model import Episode
from crampwise.knowledge import Knowledge, load_knowledge
from crampwise.knowledge.vocabulary import MUSCLES


class RoutineOutcome(TypedDict):
    """What happened during the routine, and what to log if the person wants it logged."""

    started_at: datetime
    steps_done: list[str]
    stopped: bool
    log: bool
    muscle: str
    pain: int | None


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


def run_routine(
    *,
    seconds: int | None = None,
    interactive: bool = False,
    log: bool | None = None,
    out: TextIO | None = None,
    stdin: TextIO | None = None,
    ask: Callable[[str], str] | None = None,
    knowledge: Knowledge | None = None,
) -> RoutineOutcome:
    """Walk through the routine; returns what happened and whether to log the cramp.

    seconds: overrides every timed step's length (tests, `--quick`).
    """
    kb = knowledge or load_knowledge()
    out = out or sys.stdout
    stdin = stdin or sys.stdin
    started = datetime.now().replace(microsecond=0)
    done: list[str] = []
    out.write("A cramp right now. Breathe out slowly; it will pass.\n")
    if interactive:
        out.write("Enter moves to the next step; Ctrl-C stops.\n")
    stopped = False
    try:
        for number, step in enumerate(kb.now_steps, 1):
            out.write(f"\n{number}. {step.title}\n   {step.how}\n")
            out.write(f"   (evidence: {GRADE_WORDS[step.evidence]}; {', '.join(step.sources)})\n")
            length = step.seconds if seconds is None or not step.seconds else seconds
            if length and interactive:
                countdown(length, out, stdin)
            elif length:
                out.write(f"   Hold for about {length} second{'' if length == 1 else 's'}.\n")
            done.append(step.id)
    except KeyboardInterrupt:
        stopped = True
        out.write("\n\nStopped.\n")
    if kb.now_warning is not None:
        out.write(f"\n! {kb.now_warning.text}\n")
    out.flush()
    if log is None and interactive and not stopped:
        answer = _ask(ask, "\nLog this cramp in your diary? [y/N] ")
        log = answer.strip().lower() in ("y", "yes")
    elif log is None:
        out.write(
            "\nTo log this cramp later: crampwise log cramp (or run `crampwise now --log`).\n"
        )
    outcome: RoutineOutcome = {
        "started_at": started,
        "steps_done": done,
        "stopped": stopped,
        "log": bool(log),
        "muscle": "calf",
        "pain": None,
    }
    if log and interactive:
        muscle = _ask(ask, "Which muscle? [calf] ").strip().lower() or "calf"
        pain = _ask(ask, "How painful was it, 0-10? [skip] ").strip()
        outcome["muscle"] = muscle if muscle in MUSCLES else "other"
        outcome["pain"] = int(pain) if pain.isdigit() and int(pain) <= 10 else None
    return outcome


def _ask(ask: Callable[[str], str] | None, prompt: str) -> str:
    try:
        return (ask or input)(prompt)
    except (EOFError, KeyboardInterrupt):
        return ""


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
        helped=helped,
        note="logged by crampwise now",
    )
    with open_store(url) as store:
        saved = store.diary(user).add_episode(episode)
    return f"Logged cramp #{saved.id}: {saved.muscle} at {saved.started_at:%a %d %b %H:%M}."
