"""Tonight, the home screen: the Cramp-now button, tonight's routine, the last 14 nights;
and More, the rest of the app on a phone."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, NamedTuple

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from crampwise.diary.model import DayLog, night_of
from crampwise.errors import InputError
from crampwise.web.deps import DiaryDep, UserDep, WebUser, diary_for, render, web_context
from crampwise.web.pages.common import ROUTINE, form_dict, local_now

router = APIRouter()


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


def _render_tonight(request: Request, user: WebUser, night: date, logged: str) -> Response:
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


@router.get("/more")
async def more(request: Request, user: UserDep) -> Response:
    """The rest of the app on a phone: bedtime, assessment, guide, settings."""
    return render(request, "more.html")
