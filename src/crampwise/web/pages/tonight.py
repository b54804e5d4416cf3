"""HTML pages: Tonight, Cramp now, Bedtime, the PWA files; other pages live in `pages_*`."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any, NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from crampwise.diary.model import DayLog, Episode, night_of
from crampwise.errors import InputError
from crampwise.web.care.common import care_store
from crampwise.web.deps import (
    STATIC_DIR,
    DiaryDep,
    UserDep,
    diary_for,
    log_episode,
    render,
    templates,
    web_context,
)
from crampwise.web.pages.common import (
    MUSCLE_CHOICES,
    ROUTINE,
    bath_temperatures,
    form_dict,
    install_template_helpers,
    knowledge,
    local_now,
    parse_local_datetime,
    remedy,
    units_of,
)

router = APIRouter()
install_template_helpers(templates.env)

STRETCH_HOLD_S, STRETCH_REST_S, STRETCH_ROUNDS = 10, 10, 12


# ---- PWA plumbing -------------------------------------------------------------------------
@router.get("/sw.js")
async def service_worker() -> Response:
    """The service worker, from the root so its scope can be the whole app."""
    return FileResponse(
        STATIC_DIR / "sw.js",
        media_type="text/javascript",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


@router.get("/manifest.webmanifest")
async def manifest() -> Response:
    """The web app manifest (installable on a phone's home screen)."""
    return FileResponse(
        STATIC_DIR / "manifest.webmanifest",
        media_type="application/manifest+json",
        headers={"Cache-Control": "no-cache"},
    )


@router.get("/offline")
async def offline(request: Request) -> Response:
    """What the service worker shows for a page it has no copy of."""
    response = render(request, "offline.html")
    response.headers["Cache-Control"] = "no-cache"
    return response


# ---- Tonight ------------------------------------------------------------------------------
@router.get("/")
async def tonight(request: Request, user: UserDep, logged: str = "") -> Response:
    """One big Cramp-now button, tonight's routine check-offs, the last 14 nights.

    Served from `crampwise.web.pagecache` while nothing in the database has changed.
    """
    night = night_of(local_now())
    logged = logged if logged in ("cramp", "checkin") else ""
    session = request.state.session
    pages = web_context(request).pages
    key = (session.token_hash, user.id, night, logged) if session is not None else None
    body = pages.get(key)
    if body is not None:
        return HTMLResponse(body)
    version = pages.version()  # before the read: see PageCache.put
    response = _render_tonight(request, user, night, logged)
    pages.put(key, version, bytes(response.body))
    return response


def _render_tonight(request: Request, user: Any, night: date, logged: str) -> Response:
    # One short read transaction for everything on the page (counts, routine, experiment).
    summary = diary_for(request, user).tonight(night, nights=14)
    counts = summary.counts
    first = night - timedelta(days=13)
    nights = []
    for i in range(14):
        day = first + timedelta(days=i)
        # Labels made here: a strftime call from the template costs several times more.
        long = f"{_LONG_DAY[day.weekday()]} {day.day:02d} {_MONTH[day.month - 1]}"
        nights.append(Night(day, counts.get(day, 0), _LONG_DAY[day.weekday()][:3], long))
    values = summary.values
    routine = [RoutineItem(name, label, values.get(name) is True) for name, label in ROUTINE]
    return render(
        request,
        "tonight.html",
        nights=nights,
        total_14=sum(counts.values()),
        cramp_nights_14=len(counts),
        routine=routine,
        logged=logged,
        experiment=_tonights_experiment(summary.experiments, night),
        care_notes=summary.notes,
    )


class Night(NamedTuple):
    """One night in Tonight's 14-night strip.

    Tuples, not dicts: Jinja looks `n.cramps` up as an attribute first, and a dict makes
    every look-up fail over to `[]` (the page rendered in ~130 µs with dicts, ~80 with these).
    """

    date: date
    cramps: int
    short: str  # "Mon"
    long: str  # "Monday 24 November"


class RoutineItem(NamedTuple):
    """A bedtime routine item and whether it is ticked off tonight."""

    name: str
    label: str
    done: bool


# English names, as strftime gives them in the C locale the pages are written for.
_LONG_DAY = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTH = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def _tonights_experiment(records: list[Any], night: date) -> dict[str, str] | None:
    """Tonight's condition (on/off) of an active n-of-1 experiment, if there is one."""
    for record in records:
        if getattr(record, "status", "active") != "active":
            continue
        for period in getattr(record, "schedule", None) or []:
            start, end = _period_bounds(period)
            if start is not None and end is not None and start <= night <= end:
                title = str(getattr(record, "intervention", "experiment")).replace("_", " ")
                return {"title": title, "condition": str(_field(period, "condition"))}
    return None


def _field(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def _period_bounds(period: Any) -> tuple[date | None, date | None]:
    bounds = []
    for name in ("start", "end"):
        value = _field(period, name)
        if isinstance(value, str):
            value = date.fromisoformat(value)
        bounds.append(value if isinstance(value, date) else None)
    return bounds[0], bounds[1]


@router.post("/tonight/routine")
async def routine_done(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Tick off (or undo) a bedtime routine item for tonight's diary row."""
    form = await form_dict(request)
    names = {name for name, _ in ROUTINE}
    item = form.get("item", "")
    if item not in names:
        raise InputError(f"field 'item': {item!r} is not one of: {', '.join(sorted(names))}")
    done = form.get("done", "true") == "true"
    # None clears the value: "undo" leaves tonight's routine unrecorded, not recorded as skipped.
    values: dict[str, Any] = {item: True if done else None}
    diary.put_day(DayLog(night_of(local_now()), values), source="manual")
    target = form.get("next", "/")
    return RedirectResponse(target if target in ("/", "/bedtime") else "/", status_code=303)


# ---- Cramp now ----------------------------------------------------------------------------
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


# ---- Bedtime routine ----------------------------------------------------------------------
@router.get("/bedtime")
async def bedtime(request: Request, user: UserDep) -> Response:
    """Stretch timer and warm-footbath timer with the safe temperature in the user's units,
    and what the person's care team recommended and they kept in their plan."""
    footbath = remedy("warm_footbath")
    return render(
        request,
        "bedtime.html",
        care_notes=[n for n in care_store(request).notes_for(user.id) if n.in_plan],
        stretch=remedy("calf_stretch_bedtime"),
        footbath=footbath,
        # Diabetes, neuropathy, arterial disease, numb feet: no soaking, a safe alternative.
        instead=remedy(footbath.substitute.with_id) if footbath and footbath.substitute else None,
        # The knowledge base's bedtime stretch: 10 s holds, 3 per leg, 10 s rests, calf and
        # hamstring (Hallegraeff 2012): 2 muscles x 2 legs x 3 = 12 rounds.
        stretch_seconds=STRETCH_ROUNDS * (STRETCH_HOLD_S + STRETCH_REST_S),
        stretch_hold=STRETCH_HOLD_S,
        stretch_rest=STRETCH_REST_S,
        stretch_rounds=STRETCH_ROUNDS,
        bath_seconds=10 * 60,
        bath=bath_temperatures(units_of(request)),
    )


@router.get("/more")
async def more(request: Request, user: UserDep) -> Response:
    """The rest of the app on a phone: bedtime, assessment, guide, settings."""
    return render(request, "more.html")


# Included last: a request is matched against routes in order, first match wins, so the
# pages opened most (Tonight, Cramp now) are found before walking the other modules' routes.
