"""Morning check-in: last night's unlogged cramps (a count) and the day before it, three
questions first and the rest behind "More", in everyday words and the user's units."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from crampwise.diary.model import BUILTIN_BY_NAME, DayLog, FactorValue, last_night
from crampwise.diary.units import FL_OZ_L, c_to_f, f_to_c
from crampwise.errors import InputError
from crampwise.web.deps import DiaryDep, UserDep, render
from crampwise.web.pages.common import form_dict, local_now, parse_day, units_of

router = APIRouter()

# Asked first: what a person can answer half-awake and what the analyses use most.
FIRST_FACTORS = ("legs_cold", "exercise_intensity")
# Behind "More": one tap each first, then the numbers. Importers fill the rest.
MORE_FACTORS = (
    "stretched",
    "footbath",
    "heavy_sweating",
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
CHECKIN_FACTORS = FIRST_FACTORS + MORE_FACTORS
UNLOGGED = "unlogged_cramps"
UNLOGGED_MAX = 20
# Everyday words for the questions and their choices (the stored values stay as they are).
QUESTIONS = {
    "legs_cold": "Were your legs cold in bed?",
    "exercise_intensity": "How hard did you exercise yesterday?",
    "stretched": "Did you stretch before bed?",
    "footbath": "Did you have a warm footbath before bed?",
    "heavy_sweating": "Did you sweat a lot?",
    "sleep_position": "How did you lie when you fell asleep?",
    "massage": "Did you massage your legs?",
    "vitamin_d": "Did you take vitamin D?",
    "exercise_min": "Exercise",
    "fluids_l": "Drinks",
    "bedroom_temp_c": "Bedroom temperature",
    "alcohol_units": "Alcohol",
    "sleep_hours": "Sleep",
    "hours_sitting": "Sitting",
    "hours_standing": "Standing",
}
CHOICE_WORDS = {
    "none": "None",
    "light": "Light",
    "moderate": "Moderate",
    "hard": "Hard",
    "back": "On your back",
    "side": "On your side",
    "prone": "On your front",
}
UNIT_WORDS = {"min": "minutes", "L": "litres", "h": "hours", "units": "units"}
# How far back the check-in looks for earlier answers to offer as defaults.
DEFAULTS_LOOKBACK_DAYS = 7


def _field(name: str, value: Any, units: str) -> dict[str, Any]:
    spec = BUILTIN_BY_NAME[name]
    field: dict[str, Any] = {
        "name": name,
        "label": QUESTIONS.get(name, spec.label),
        "kind": spec.kind,
        "unit": UNIT_WORDS.get(spec.unit or "", spec.unit),
        "choices": [(c, CHOICE_WORDS.get(c, c.capitalize())) for c in spec.choices],
        "value": value,
        "min": spec.minimum,
        "max": spec.maximum,
        "step": "any",
    }
    if name == "bedroom_temp_c" and units == "us":
        field.update(name="bedroom_temp_f", unit="°F", min=14, max=113)
        field["value"] = None if value is None else round(c_to_f(float(value)), 1)
    if name == "fluids_l" and units == "us":
        field.update(name="fluids_floz", unit="fl oz", min=0, max=round(20 / FL_OZ_L))
        field["value"] = None if value is None else round(float(value) / FL_OZ_L)
    if isinstance(field["value"], float) and field["value"].is_integer():
        field["value"] = int(field["value"])
    return field


def _custom_field(factor: Any, value: Any) -> dict[str, Any]:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return {
        "name": factor.name,
        "label": factor.name.replace("_", " ").capitalize(),
        "kind": factor.kind,
        "unit": factor.unit,
        "choices": [(c, c.replace("_", " ").capitalize()) for c in factor.choices],
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


def unlogged_count(diary: Any, night: date) -> int | None:
    """The unlogged cramps recorded for `night`, or None when nobody has said."""
    found = diary.unlogged_cramps(night, night).get(night)
    return None if found is None else int(found.count)


def checkin_done(diary: Any, night: date) -> bool:
    """Whether the morning check-in about `night` has been saved (it always stores the
    unlogged count, 0 included, so a bedtime tick alone does not count as a check-in)."""
    return unlogged_count(diary, night) is not None


@router.get("/checkin")
async def checkin(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Last night's unlogged cramps and the day before it (or a chosen day's), with earlier
    answers as defaults."""
    latest = last_night(local_now())
    day = parse_day(request.query_params.get("date", "")) or latest
    values, defaults_from = _defaults(diary, day)
    units = units_of(request)
    custom = [_custom_field(f, values.get(f.name)) for f in diary.custom_factors()]
    return render(
        request,
        "checkin.html",
        day=day,
        first=[_field(name, values.get(name), units) for name in FIRST_FACTORS],
        more=[_field(name, values.get(name), units) for name in MORE_FACTORS],
        custom=custom,
        defaults_from=defaults_from,
        heading="Morning check-in" if day == latest else "Edit day",
        unlogged=unlogged_count(diary, day),
        logged=len(diary.episodes(start=day, end=day)),
        unlogged_choices=range(6),
        unlogged_max=UNLOGGED_MAX,
        api_url="/checkin",
    )


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
    """The check-in's values, typed, with °F and fl oz turned into the stored °C and litres."""
    kinds: dict[str, str] = {name: BUILTIN_BY_NAME[name].kind for name in CHECKIN_FACTORS}
    kinds.update({f.name: f.kind for f in diary.custom_factors()})
    values: dict[str, FactorValue | None] = {}
    for name, raw in submitted.items():
        if name == "bedroom_temp_f":
            value = _coerce("numeric", name, raw)
            values["bedroom_temp_c"] = None if value is None else round(f_to_c(float(value)), 1)
        elif name == "fluids_floz":
            value = _coerce("numeric", name, raw)
            values["fluids_l"] = None if value is None else round(float(value) * FL_OZ_L, 2)
        elif name in kinds:
            values[name] = _coerce(kinds[name], name, raw)
    return values


def unlogged_value(raw: Any) -> int | None:
    """The submitted count of unlogged cramps (None: not answered)."""
    if raw is None or raw == "":
        return None
    text = str(raw).strip()
    if isinstance(raw, bool) or not text.isdigit():
        raise InputError(
            f"field '{UNLOGGED}': {raw!r} is not a whole number of cramps (0 or more)",
            field=UNLOGGED,
        )
    count = int(text)
    if count > UNLOGGED_MAX:
        raise InputError(
            f"field '{UNLOGGED}': {count} is more than {UNLOGGED_MAX} cramps in one night; "
            "log them in the diary if that is right",
            field=UNLOGGED,
        )
    return count


@router.post("/checkin")
async def checkin_save(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Save a check-in: a form post, or JSON from the offline queue (a replay is harmless)."""
    wants_json = request.headers.get("content-type", "").startswith("application/json")
    try:
        if wants_json:
            body = await request.json()
            if not isinstance(body, dict) or not isinstance(body.get("values"), dict):
                raise InputError("field 'values': expected an object of factor values")
            day = parse_day(str(body.get("date", "")))
            submitted: dict[str, Any] = dict(body["values"])
        else:
            form = await form_dict(request)
            day = parse_day(form.pop("date", ""))
            submitted = dict(form)
        if day is None:
            raise InputError("field 'date': required", field="date")
        # Checked before anything is written, so a bad count changes nothing.
        # "More than 5? How many" wins over the chips when it is filled in.
        many = unlogged_value(submitted.pop(UNLOGGED + "_many", None))
        unlogged = unlogged_value(submitted.pop(UNLOGGED, None))
        unlogged = many if many is not None else unlogged
        values = checkin_values(diary, submitted)
        # put_day writes the same values again on a replay, so a retry changes nothing.
        diary.put_day(DayLog(day, values), source="manual")  # type: ignore[arg-type]
        if unlogged is not None:
            diary.set_unlogged_cramps(day, unlogged, source="manual")
    except InputError as exc:
        if wants_json:
            return JSONResponse({"detail": str(exc), "field": exc.field}, status_code=422)
        raise
    if wants_json:
        return JSONResponse({"date": day.isoformat(), "saved": True})
    return RedirectResponse("/?logged=checkin", status_code=303)
