"""Cramp now: the guided routine with a countdown, then a two-tap log."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crampwise.diary.model import Episode, night_of
from crampwise.web.deps import DiaryDep, UserDep, log_episode, render
from crampwise.web.pages.common import (
    MUSCLE_CHOICES,
    form_dict,
    knowledge,
    local_now,
    parse_local_datetime,
)

router = APIRouter()

SHORT_STEP_NAMES = {"stretch_lying": "Stretch", "stretch_standing": "Lean", "massage": "Rub"}


def cramp_steps() -> list[dict[str, Any]]:
    """The guided routine during a cramp (the knowledge base's `now` steps with a countdown)."""
    return [
        {
            "short": SHORT_STEP_NAMES.get(step.id, step.id.replace("_", " ").capitalize()),
            "title": step.title,
            "how": step.how,
            "seconds": step.seconds,
        }
        for step in knowledge().now_steps
        if step.seconds > 0
    ]


@router.get("/cramp")
async def cramp_now(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """The guided routine with a big countdown, then a two-tap log."""
    steps = cramp_steps()
    recent = diary.episodes(start=night_of(local_now()) - timedelta(days=60))
    default = recent[-1].muscle if recent else "calf"
    kb = knowledge()
    return render(
        request,
        "cramp.html",
        steps=steps,
        steps_json=json.dumps(steps),
        muscles=MUSCLE_CHOICES,
        default_muscle=default,
        after=[step for step in kb.now_steps if step.seconds == 0],
        warning=kb.now_warning,
    )


@router.post("/cramp")
async def cramp_log(request: Request, user: UserDep) -> Response:
    """Log a cramp from the form (the path without JavaScript; app.js uses the JSON API)."""
    form = await form_dict(request)
    started = parse_local_datetime(form.get("started_at", "")) or local_now()
    pain = form.get("pain", "")
    duration = int((local_now() - started).total_seconds()) if form.get("started_at") else None
    episode = Episode(
        started_at=started,
        muscle=form.get("muscle") or "calf",
        pain=int(pain) if pain.isdigit() else None,
        duration_s=duration if duration is not None and duration >= 0 else None,
        woke=True,
        origin="web",
        client_id=form.get("client_id") or None,
    )
    # Group commit on the writer thread: durable, and the event loop never waits on fsync.
    await log_episode(request, user, episode)
    return RedirectResponse("/?logged=cramp", status_code=303)
