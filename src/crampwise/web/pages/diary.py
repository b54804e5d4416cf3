"""The diary: nights and episodes (add, edit, delete); the check-in is `checkin.py`'s."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crampwise.diary.model import BUILTIN_BY_NAME, Episode, FactorValue
from crampwise.diary.units import c_to_f
from crampwise.errors import InputError
from crampwise.web.deps import DiaryDep, UserDep, checks_session_at_write, log_episode, render
from crampwise.web.pages.common import (
    MUSCLE_CHOICES,
    form_dict,
    local_now,
    parse_day,
    parse_local_datetime,
    units_of,
)

router = APIRouter()

DIARY_PAGE_NIGHTS = 30


# ---- Diary --------------------------------------------------------------------------------
@router.get("/diary")
async def diary_page(request: Request, user: UserDep, diary: DiaryDep, page: int = 0) -> Response:
    """Nights with anything logged, newest first, a month per page."""
    page = max(page, 0)
    units = units_of(request)
    episodes = diary.episodes()
    days = {log.date: log for log in diary.days()}
    by_night: dict[date, list[Episode]] = {}
    for episode in episodes:
        by_night.setdefault(episode.night, []).append(episode)
    totals = diary.night_totals()  # episodes + cramps counted but not logged one by one
    dates = sorted(set(by_night) | set(days), reverse=True)
    chunk = dates[page * DIARY_PAGE_NIGHTS : (page + 1) * DIARY_PAGE_NIGHTS]
    nights = [
        {
            "date": d,
            "episodes": by_night.get(d, []),
            "cramps": totals[d].cramps if d in totals else 0,
            "unlogged": totals[d].unlogged if d in totals else 0,
            "has_day": d in days,
            "tags": _value_tags(days[d].values, units) if d in days else [],
        }
        for d in chunk
    ]
    more = (page + 1) * DIARY_PAGE_NIGHTS < len(dates)
    return render(
        request,
        "diary.html",
        nights=nights,
        newer=page - 1 if page > 0 else None,
        older=page + 1 if more else None,
    )


def _value_tags(values: dict[str, FactorValue], units: str) -> list[tuple[str, str]]:
    """A day's values as (label, text) with units, the temperature in the user's units."""
    tags = []
    for name, value in values.items():
        if value is None:
            continue
        spec = BUILTIN_BY_NAME.get(name)
        label = spec.label if spec else name.replace("_", " ")
        unit = spec.unit if spec else None
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif isinstance(value, int | float):
            if name == "bedroom_temp_c" and units == "us":
                value, unit = round(c_to_f(float(value)), 1), "°F"
            text = f"{value:g}" + (f" {unit}" if unit and unit != "steps" else "")
        else:
            text = str(value).replace("_", " ")
        tags.append((label, text))
    return tags


def _episode_form(episode: Episode | None) -> dict[str, Any]:
    if episode is None:
        return {"started_at": local_now().strftime("%Y-%m-%dT%H:%M"), "muscle": "calf", "side": ""}
    return {
        "started_at": episode.started_at.strftime("%Y-%m-%dT%H:%M"),
        "muscle": episode.muscle,
        "side": episode.side or "",
        "pain": "" if episode.pain is None else episode.pain,
        "duration_min": "" if episode.duration_s is None else round(episode.duration_s / 60, 1),
        "note": episode.note or "",
    }


def _episode_changes(form: dict[str, str]) -> dict[str, Any]:
    started = parse_local_datetime(form.get("started_at", ""))
    if started is None:
        raise InputError("field 'started_at': required", field="started_at")
    pain = form.get("pain", "").strip()
    minutes = form.get("duration_min", "").strip()
    try:
        duration = None if not minutes else round(float(minutes) * 60)
        pain_value = None if not pain else int(pain)
    except ValueError:
        raise InputError("field 'pain' or 'duration_min': not a number") from None
    return {
        "started_at": started,
        "muscle": form.get("muscle") or "calf",
        "side": form.get("side") or None,
        "pain": pain_value,
        "duration_s": duration,
        "note": form.get("note", "").strip() or None,
    }


def _edit_page(
    request: Request, episode: Episode | None, form: dict[str, Any], error: str = ""
) -> Response:
    action = f"/diary/episodes/{episode.id}" if episode else "/diary/new"
    return render(
        request,
        "episode_edit.html",
        status_code=422 if error else 200,
        episode=episode,
        form=form,
        action=action,
        muscles=MUSCLE_CHOICES,
        error=error,
    )


@router.get("/diary/new")
async def episode_new(request: Request, user: UserDep) -> Response:
    """Add a cramp after the fact."""
    return _edit_page(request, None, _episode_form(None))


@router.post("/diary/new")
@checks_session_at_write
async def episode_create(request: Request, user: UserDep) -> Response:
    form = await form_dict(request)
    try:
        # Group commit on the writer thread: durable, and the event loop never waits on fsync.
        await log_episode(request, user, Episode(**_episode_changes(form), origin="web"))
    except InputError as exc:
        return _edit_page(request, None, form, str(exc))
    return RedirectResponse("/diary", status_code=303)


@router.get("/diary/episodes/{episode_id}")
async def episode_edit(
    request: Request, user: UserDep, diary: DiaryDep, episode_id: int
) -> Response:
    """Edit one cramp."""
    episode = diary.get_episode(episode_id)
    return _edit_page(request, episode, _episode_form(episode))


@router.post("/diary/episodes/{episode_id}")
async def episode_update(
    request: Request, user: UserDep, diary: DiaryDep, episode_id: int
) -> Response:
    episode = diary.get_episode(episode_id)
    form = await form_dict(request)
    try:
        diary.update_episode(episode_id, **_episode_changes(form))
    except InputError as exc:
        return _edit_page(request, episode, form, str(exc))
    return RedirectResponse("/diary", status_code=303)


@router.post("/diary/episodes/{episode_id}/delete")
async def episode_delete(
    request: Request, user: UserDep, diary: DiaryDep, episode_id: int
) -> Response:
    diary.delete_episode(episode_id)
    return RedirectResponse("/diary", status_code=303)


@router.post("/diary/days/{day}/delete")
async def day_delete(request: Request, user: UserDep, diary: DiaryDep, day: str) -> Response:
    parsed = parse_day(day)
    assert parsed is not None
    diary.delete_day(parsed)
    return RedirectResponse("/diary", status_code=303)
