"""Cramp now: the guided routine with a countdown, and a log that needs no scrolling:
which leg, how long, how bad (tapping the pain saves)."""

from __future__ import annotations

import functools
import json
from collections import Counter
from datetime import timedelta
from typing import Any, NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crampwise.diary.model import SIDES, Episode, night_of
from crampwise.errors import InputError
from crampwise.web.deps import DiaryDep, UserDep, checks_session_at_write, log_episode, render
from crampwise.web.pages.common import (
    MUSCLE_CHOICES,
    form_dict,
    knowledge,
    local_now,
    parse_local_datetime,
)

router = APIRouter()

SHORT_STEP_NAMES = {"stretch_lying": "Stretch", "stretch_standing": "Lean", "massage": "Rub"}
SIDE_WORDS = {"left": "Left", "right": "Right", "both": "Both"}
# How far back "your usual muscle" looks.
USUAL_MUSCLE_NIGHTS = 90


class DurationChoice(NamedTuple):
    """A one-tap duration and the representative seconds stored for it."""

    value: str
    label: str
    seconds: int


# Stored as a representative value inside each band (the middle; 12 min for "over 10").
DURATIONS = (
    DurationChoice("under_1", "Under 1 min", 30),
    DurationChoice("1_5", "1–5 min", 180),
    DurationChoice("5_10", "5–10 min", 450),
    DurationChoice("over_10", "Over 10 min", 720),
)
DURATION_SECONDS = {d.value: d.seconds for d in DURATIONS}
LONG_CRAMP = DURATIONS[-1]


def cramp_steps(allows: Any = None) -> list[dict[str, Any]]:
    """The guided routine during a cramp (the knowledge base's `now` steps with a countdown);
    a step whose remedy the person's assessment withholds (massage) is left out."""
    return [
        {
            "short": SHORT_STEP_NAMES.get(step.id, step.id.replace("_", " ").capitalize()),
            "title": step.title,
            "how": step.how,
            "seconds": step.seconds,
        }
        for step in knowledge().now_steps
        if step.seconds > 0 and (allows is None or allows(_STEP_REMEDY.get(step.id, step.id)))
    ]


# The `now` steps that are a remedy the assessment may withhold.
_STEP_REMEDY = {
    "stretch_lying": "stretch_now",
    "stretch_standing": "stretch_now",
    "massage": "massage_now",
    "heat_after": "heat_after",
}
# Most urgent advice first.
_LEVEL_ORDER = {"emergency": 0, "urgent": 1, "routine": 2}


class HelpAdvice(NamedTuple):
    """When to get help, from the triage rules, for a long cramp."""

    title: str
    advice: str
    level: str
    evidence: str
    sources: tuple[str, ...]


@functools.lru_cache(maxsize=1)
def long_cramp_advice() -> tuple[HelpAdvice, ...]:
    """What the triage rules say about a cramp over 10 minutes, and one still going and not
    easing: assessed from those situations, so the words are the knowledge base's."""
    from crampwise.assess.assessment import assess  # only when the page is first shown

    found: dict[str, HelpAdvice] = {}
    situations: list[dict[str, Any]] = [
        {"episode": {"duration_s": LONG_CRAMP.seconds}},
        {"episode": {"duration_s": LONG_CRAMP.seconds}, "symptoms": ["cramp_not_easing"]},
    ]
    for situation in situations:
        try:
            result = assess(situation)
        except InputError:  # a knowledge base without the symptom: the first rule stands
            continue
        for reason in result.triage.reasons:
            found.setdefault(
                reason.id,
                HelpAdvice(
                    reason.title, reason.advice, reason.level, reason.evidence, reason.sources
                ),
            )
    return tuple(sorted(found.values(), key=lambda h: _LEVEL_ORDER.get(h.level, 3)))


def usual_muscle(muscles: list[str]) -> str:
    """The most frequent muscle (ties: the one logged most recently); calf with none."""
    if not muscles:
        return "calf"
    counts = Counter(muscles)
    top = max(counts.values())
    return next(m for m in reversed(muscles) if counts[m] == top)


# A usual leg is chosen in advance only once it is clear: this many cramps with a leg.
USUAL_SIDE_MIN = 3


def usual_side(sides: list[str | None]) -> str | None:
    """The most frequent leg (ties: the most recent), once at least `USUAL_SIDE_MIN` cramps
    had one; else None, and the person taps it. With it chosen in advance, a cramp from the
    home-screen shortcut is stored in two taps: how long, then how bad."""
    known = [s for s in sides if s]
    if len(known) < USUAL_SIDE_MIN:
        return None
    return usual_muscle(known)


@router.get("/cramp")
async def cramp_now(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """The guided routine with a big countdown, and the log on the first screen."""
    rules = diary.personal_rules()
    steps = cramp_steps(rules.allows)
    since = night_of(local_now()) - timedelta(days=USUAL_MUSCLE_NIGHTS)
    kb = knowledge()
    recent = diary.episodes(start=since)
    return render(
        request,
        "cramp.html",
        steps=steps,
        steps_json=json.dumps(steps),
        muscles=MUSCLE_CHOICES,
        default_muscle=usual_muscle([e.muscle for e in recent]),
        default_side=usual_side([e.side for e in recent]),
        sides=[(s, SIDE_WORDS[s]) for s in SIDES],
        durations=DURATIONS,
        help=long_cramp_advice(),
        after=[
            step
            for step in kb.now_steps
            if step.seconds == 0 and rules.allows(_STEP_REMEDY.get(step.id, step.id))
        ],
        warning=kb.now_warning,
    )


def duration_from_form(form: dict[str, str]) -> int | None:
    """Seconds from the tapped duration chip, else from the routine's timer, else None."""
    chip = form.get("duration", "")
    if chip:
        if chip not in DURATION_SECONDS:
            raise InputError(
                f"field 'duration': {chip!r} is not one of: {', '.join(DURATION_SECONDS)}",
                field="duration",
            )
        return DURATION_SECONDS[chip]
    timed = form.get("routine_s", "")
    if not timed:
        return None
    if not timed.isdigit():
        raise InputError(f"field 'routine_s': {timed!r} is not a whole number of seconds")
    return int(timed)


@router.post("/cramp")
@checks_session_at_write
async def cramp_log(request: Request, user: UserDep) -> Response:
    """Log a cramp from the form (the path without JavaScript; app.js uses the JSON API)."""
    form = await form_dict(request)
    started = parse_local_datetime(form.get("started_at", "")) or local_now()
    pain = form.get("pain", "")
    episode = Episode(
        started_at=started,
        muscle=form.get("muscle") or "calf",
        side=form.get("side") or None,
        pain=int(pain) if pain.isdigit() else None,
        duration_s=duration_from_form(form),
        woke=True,
        origin="web",
        client_id=form.get("client_id") or None,
    )
    # Group commit on the writer thread: durable, and the event loop never waits on fsync.
    await log_episode(request, user, episode)
    return RedirectResponse("/?logged=cramp", status_code=303)
