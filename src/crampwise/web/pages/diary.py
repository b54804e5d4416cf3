"""Morning check-in and the diary (nights and episodes: add, edit, delete)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from crampwise.diary.model import BUILTIN_BY_NAME, DayLog, Episode, FactorValue
from crampwise.diary.units import c_to_f, f_to_c
from crampwise.errors import InputError
from crampwise.web.deps import DiaryDep, UserDep, log_episode, render
from crampwise.web.pages.common import (
    MUSCLE_CHOICES,
    form_dict,
    local_now,
    parse_local_datetime,
    units_of,
)

router = APIRouter()

# The check-in asks what a person can answer half-awake; importers fill the rest.
CHECKIN_FACTORS = (
    # One tap each first, then the numbers.
    "legs_cold",
    "stretched",
    "footbath",
    "heavy_sweating",
    "exercise_intensity",
    "sleep_position",
    "massage",
    "vitamin_d",
    "exercise_min",
    "fluids_l",
    "bedroom_temp_c",
    "alcohol_units",
    "sleep_hours",
    "hours_sitting",
    "hours_standing",
)
DIARY_PAGE_NIGHTS = 30
# How far back the check-in looks for earlier answers to offer as defaults.
DEFAULTS_LOOKBACK_DAYS = 7


def _field(name: str, value: Any, units: str) -> dict[str, Any]:
    spec = BUILTIN_BY_NAME[name]
    field: dict[str, Any] = {
        "name": name,
        "label": spec.label,
        "kind": spec.kind,
        "unit": spec.unit,
        "choices": spec.choices,
        "value": value,
        "min": spec.minimum,
        "max": spec.maximum,
        "step": "any",
    }
    if name == "bedroom_temp_c" and units == "us":
        field.update(name="bedroom_temp_f", unit="°F", min=14, max=113)
        field["value"] = None if value is None else round(c_to_f(float(value)), 1)
    if isinstance(field["value"], float) and field["value"].is_integer():
        field["value"] = int(field["value"])
    return field


def _custom_field(factor: Any, value: Any) -> dict[str, Any]:
    return {
        "name": factor.name,
        "label": factor.name.replace("_", " ").capitalize(),
        "kind": factor.kind,
        "unit": factor.unit,
        "choices": factor.choices,
        "value": value,
        "min": None,
        "max": None,
        "step": "any",
    }


def _defaults(diary: Any, day: date) -> tuple[dict[str, FactorValue], date | None]:
    """The day's own values, else the latest earlier check-in's (yesterday's, usually)."""
    own = diary.get_day(day)
    if own is not None and own.values:
        return own.values, None
    earlier = diary.days(
        start=day - timedelta(days=DEFAULTS_LOOKBACK_DAYS), end=day - timedelta(days=1)
    )
    for log in reversed(earlier):
        if log.values:
            return log.values, log.date
    return {}, None


@router.get("/checkin")
async def checkin(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Yesterday's factors (or a chosen day's), with earlier answers as defaults."""
    day = _parse_day(request.query_params.get("date", "")) or local_now().date() - timedelta(days=1)
    values, defaults_from = _defaults(diary, day)
    units = units_of(request)
    fields = [_field(name, values.get(name), units) for name in CHECKIN_FACTORS]
    custom = [_custom_field(f, values.get(f.name)) for f in diary.custom_factors()]
    heading = "Morning check-in" if day == local_now().date() - timedelta(days=1) else "Edit day"
    return render(
        request,
        "checkin.html",
        day=day,
        fields=fields,
        custom=custom,
        defaults_from=defaults_from,
        heading=heading,
        api_url="/checkin",
    )


def _parse_day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"field 'date': {text!r} is not a date (YYYY-MM-DD)") from None


def _coerce(kind: str, name: str, raw: Any) -> FactorValue | None:
    """One submitted value as the factor's type (None clears it)."""
    if raw is None or raw == "":
        return None
    if kind == "numeric":
        if isinstance(raw, bool):
            raise InputError(f"field '{name}': expected a number", field=name)
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise InputError(f"field '{name}': {raw!r} is not a number", field=name) from None
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        if raw in ("true", "false"):
            return bool(raw == "true")
        raise InputError(f"field '{name}': {raw!r} is not one of: true, false", field=name)
    return str(raw)


def checkin_values(diary: Any, submitted: dict[str, Any]) -> dict[str, FactorValue | None]:
    """The check-in's values, typed, with °F turned into the stored °C."""
    kinds: dict[str, str] = {name: BUILTIN_BY_NAME[name].kind for name in CHECKIN_FACTORS}
    kinds.update({f.name: f.kind for f in diary.custom_factors()})
    values: dict[str, FactorValue | None] = {}
    for name, raw in submitted.items():
        if name == "bedroom_temp_f":
            value = _coerce("numeric", name, raw)
            values["bedroom_temp_c"] = None if value is None else round(f_to_c(float(value)), 1)
        elif name in kinds:
            values[name] = _coerce(kinds[name], name, raw)
    return values


@router.post("/checkin")
async def checkin_save(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Save a check-in: a form post, or JSON from the offline queue (a replay is harmless)."""
    wants_json = request.headers.get("content-type", "").startswith("application/json")
    try:
        if wants_json:
            body = await request.json()
            if not isinstance(body, dict) or not isinstance(body.get("values"), dict):
                raise InputError("field 'values': expected an object of factor values")
            day = _parse_day(str(body.get("date", "")))
            submitted: dict[str, Any] = body["values"]
        else:
            form = await form_dict(request)
            day = _parse_day(form.pop("date", ""))
            submitted = form
        if day is None:
            raise InputError("field 'date': required", field="date")
        # put_day writes the same values again on a replay, so a retry changes nothing.
        diary.put_day(DayLog(day, checkin_values(diary, submitted)), source="manual")  # type: ignore[arg-type]
    except InputError as exc:
        if wants_json:
            return JSONResponse({"detail": str(exc), "field": exc.field}, status_code=422)
        raise
    if wants_json:
        return JSONResponse({"date": day.isoformat(), "saved": True})
    return RedirectResponse("/?logged=checkin", status_code=303)


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
    dates = sorted(set(by_night) | set(days), reverse=True)
    chunk = dates[page * DIARY_PAGE_NIGHTS : (page + 1) * DIARY_PAGE_NIGHTS]
    nights = [
        {
            "date": d,
            "episodes": by_night.get(d, []),
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
    parsed = _parse_day(day)
    assert parsed is not None
    diary.delete_day(parsed)
    return RedirectResponse("/diary", status_code=303)
