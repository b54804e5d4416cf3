"""Tonight, the home screen: the Cramp-now button, tonight's routine, the last 14 nights;
and More, the rest of the app on a phone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from crampwise.assess.personal import personal_rules
from crampwise.diary.model import DayLog, last_night, night_of
from crampwise.errors import InputError
from crampwise.web.deps import (
    DiaryDep,
    UserDep,
    WebUser,
    db_call,
    diary_for,
    render,
    web_context,
)
from crampwise.web.pages.common import (
    ROUTINE,
    form_dict,
    knowledge,
    local_now,
    remedy,
    remedy_title,
)

# "Morning" on Tonight: from 04:00 (after the small hours, when a cramp is logged, not
# reviewed) until noon, when the night's diary row ends (`night_of`).
MORNING_STARTS = time(4, 0)
MORNING_ENDS = time(12, 0)
# Routine items and the remedy each one is (for a saved assessment's substitutions).
ROUTINE_REMEDY = {"stretched": "calf_stretch_bedtime", "footbath": "warm_footbath"}
LOGGED = ("cramp", "long_cramp", "checkin")


def is_morning(moment: datetime) -> bool:
    """Whether Tonight asks about last night first (04:00 to noon, local time)."""
    return MORNING_STARTS <= moment.time() < MORNING_ENDS


router = APIRouter()


@router.get("/")
async def tonight(request: Request, user: UserDep, logged: str = "") -> Response:
    """One big Cramp-now button, tonight's routine check-offs, the last 14 nights; in the
    morning, until it is done, the check-in about last night comes first.

    Served from `crampwise.web.pagecache` while nothing in the database has changed.
    """
    now = local_now()
    night = night_of(now)
    morning = is_morning(now)
    logged = logged if logged in LOGGED else ""
    session = request.state.session
    pages = web_context(request).pages
    key = (session.token_hash, user.id, night, logged, morning) if session is not None else None
    body = pages.get(key)
    if body is not None:
        return HTMLResponse(body)
    version = pages.version()  # before the read: see PageCache.put
    # PostgreSQL: the page's reads are round trips, made off the event loop (`db_call`).
    response = await db_call(web_context(request), _render_tonight, request, user, now, logged)
    pages.put(key, version, bytes(response.body))
    return response


def _render_tonight(request: Request, user: WebUser, now: datetime, logged: str) -> Response:
    night = night_of(now)
    diary = diary_for(request, user)
    # One read for everything on the page (counts, entries, routine, experiment, notes, the
    # latest assessment's situation): one connection, statements built once.
    summary = diary.tonight(night, nights=14)
    counts = summary.counts
    first = night - timedelta(days=13)
    # Gaps are gaps: a night with neither a cramp nor a day's entry has no count, and the
    # strip starts at the first night anything was entered (a new diary shows none).
    entered = set(counts) | summary.entered
    nights: list[Night] = []
    for i in range(14):
        day = first + timedelta(days=i)
        if not nights and day not in entered:
            continue
        # Labels made here: a strftime call from the template costs several times more.
        long = f"{_LONG_DAY[day.weekday()]} {day.day:02d} {_MONTH[day.month - 1]}"
        cramps = counts.get(day, 0) if day in entered else None
        nights.append(Night(day, cramps, _LONG_DAY[day.weekday()][:3], long))
    values = summary.values
    rules = personal_rules(summary.situation)
    routine = [
        RoutineItem(name, label, values.get(name) is True)
        for name, label in ROUTINE
        if rules.allows(ROUTINE_REMEDY.get(name, name))
    ]
    instead = [
        _instead_item(rules, ROUTINE_REMEDY.get(name, name))
        for name, _ in ROUTINE
        if not rules.allows(ROUTINE_REMEDY.get(name, name))
    ]
    asked = last_night(now)
    # Done once the check-in stored last night's unlogged count (0 included).
    if first <= asked <= night:  # read with the rest of the page
        counted = asked in summary.counted
    else:
        counted = asked in diary.unlogged_cramps(asked, asked)
    morning = is_morning(now) and not counted
    return render(
        request,
        "tonight.html",
        nights=nights,
        total_14=sum(counts.values()),
        cramp_nights_14=len(counts),
        entered_14=sum(1 for n in nights if n.cramps is not None),
        routine=routine,
        instead=[i for i in instead if i is not None],
        logged=logged,
        long_cramp=knowledge().now_warning if logged == "long_cramp" else None,
        morning=morning,
        asked_night=asked,
        logged_last_night=counts.get(asked, 0) if morning else 0,
        experiment=_tonights_experiment(summary.experiments, night),
        care_notes=summary.notes,
    )


def _instead_item(rules: Any, remedy_id: str) -> dict[str, str] | None:
    """What replaces a withheld routine item tonight (or only why it is left out)."""
    replacement = rules.instead(remedy_id)
    found = remedy(replacement) if replacement else None
    why = rules.why(remedy_id) or ""
    if found is None:
        return {"title": "", "why": why}
    return {"title": found.title, "why": why}


class Night(NamedTuple):
    """One night in Tonight's 14-night strip.

    Tuples, not dicts: Jinja looks `n.cramps` up as an attribute first, and a dict makes
    every look-up fail over to `[]` (the page rendered in ~130 µs with dicts, ~80 with these).
    """

    date: date
    cramps: int | None  # None: nothing entered that night
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
                title = remedy_title(str(getattr(record, "intervention", "experiment")))
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
    if "application/json" in request.headers.get("accept", ""):
        # Bedtime and Tonight tick in place: the page keeps its place and its running timers.
        return JSONResponse({"item": item, "done": done})
    target = form.get("next", "/")
    return RedirectResponse(target if target in ("/", "/bedtime") else "/", status_code=303)


@router.get("/more")
async def more(request: Request, user: UserDep) -> Response:
    """The rest of the app on a phone: bedtime, assessment, guide, settings."""
    return render(request, "more.html")
