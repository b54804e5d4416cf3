"""Experiment pages (issue #5): plan an n-of-1 test, follow it night by night, read the result.

The library does the work (`crampwise.experiments.running`, `crampwise.experiments.plan`);
these routes parse forms, call it once each and render what it says in plain words.
"""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from crampwise.diary.model import DayLog, night_of
from crampwise.errors import InputError
from crampwise.experiments.catalogue import (
    TESTABLE,
    not_for_you,
    testable_intervention,
)
from crampwise.web.charts.experiment import Night, experiment_chart
from crampwise.web.deps import DiaryDep, UserDep, render, run_blocking
from crampwise.web.pages.common import form_dict, local_now

router = APIRouter()

DEFAULTS = {"intervention": "warm_footbath", "pairs": "4", "period_days": "7", "washout_days": "0"}
# A plan starts tonight at the earliest (a past start would let the diary choose the schedule)
# and at most this many days ahead.
MAX_START_AHEAD = 60
REMIND_AT = time(21, 0)


def _tonight() -> date:
    """The diary row of this evening (before ~noon it is still last night's)."""
    return night_of(local_now())


def _remedy_title(plan: Any) -> str:
    return testable_intervention(plan.intervention, plan.column).title


def _remedies(rules: Any) -> list[dict[str, Any]]:
    """Every testable remedy; one the saved assessment rules out says why, and cannot be
    chosen."""
    return [
        {"id": t.id, "title": t.title, "needs_doctor": t.needs_doctor, "not_for_you": reason}
        for t in TESTABLE.values()
        for reason in [not_for_you(t.id, rules)]
    ]


def _check_allowed(form: dict[str, str], diary: Any) -> None:
    chosen = form.get("intervention", DEFAULTS["intervention"])
    reason = not_for_you(chosen, diary.personal_rules())
    if reason is not None:
        raise InputError(reason, field="intervention")


def _int_field(form: dict[str, str], name: str, low: int, high: int) -> int:
    text = (form.get(name) or DEFAULTS.get(name, "")).strip()
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"field '{name}': {text!r} is not a whole number", field=name) from None
    if not low <= value <= high:
        raise InputError(f"field '{name}': {value} must be from {low} to {high}", field=name)
    return value


def _start_field(form: dict[str, str], today: date) -> date:
    text = form.get("start", "").strip()
    if not text:
        return today
    try:
        start = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"field 'start': {text!r} is not a date", field="start") from None
    if start < today:
        raise InputError(
            f"field 'start': {start} is in the past; start tonight or later", field="start"
        )
    if start > today + timedelta(days=MAX_START_AHEAD):
        raise InputError(
            f"field 'start': {start} is more than {MAX_START_AHEAD} days ahead", field="start"
        )
    return start


def _plan(form: dict[str, str], today: date, history: Any = None, with_seed: bool = False) -> Any:
    """The plan the form describes; with a power statement when `history` is given."""
    # Imported here, as below: experiments load numpy and scipy (~0.5 s at start-up).
    from crampwise.experiments.running import plan_with_power

    rate: float | None = None
    if history is not None and form.get("rate", "").strip():
        try:
            rate = float(form["rate"])
        except ValueError:
            raise InputError(
                f"field 'rate': {form['rate']!r} is not a number", field="rate"
            ) from None
        if not 0 < rate <= 20:
            raise InputError(f"field 'rate': {rate} must be above 0 and at most 20", field="rate")
    seed = _int_field(form, "seed", 0, 2**31) if with_seed else None
    return plan_with_power(
        intervention=form.get("intervention", DEFAULTS["intervention"]),
        pairs=_int_field(form, "pairs", 1, 16),
        period_days=_int_field(form, "period_days", 1, 28),
        start=_start_field(form, today),
        seed=seed,
        washout_days=_int_field(form, "washout_days", 0, 27),
        column=form.get("column", "").strip() or None,
        rate=rate,
        history=history if rate is None else None,
    )


def _wizard(request: Request, diary: Any, form: dict[str, str], error: str = "") -> Response:
    remedies = _remedies(diary.personal_rules())
    allowed = [r["id"] for r in remedies if not r["not_for_you"]]
    first = DEFAULTS["intervention"] if DEFAULTS["intervention"] in allowed else allowed[0]
    values = {**DEFAULTS, "intervention": first, "start": _tonight().isoformat(), **form}
    past = []
    for record in diary.experiments():
        if record.status != "active":
            plan = _plan_of(record)
            last = _last_night(record, plan)
            past.append(
                {"id": record.id, "title": _remedy_title(plan), "first": plan.start, "last": last}
            )
    return render(
        request,
        "experiment.html",
        status_code=422 if error else 200,
        form=values,
        remedies=remedies,
        past=past,
        error=error,
        min_start=_tonight().isoformat(),
        max_start=(_tonight() + timedelta(days=MAX_START_AHEAD)).isoformat(),
    )


def _running(diary: Any) -> Any:
    from crampwise.experiments.running import current_experiment

    try:
        return current_experiment(diary)
    except InputError:
        return None


@router.get("/experiment")
async def experiment_home(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """The running experiment's progress, or the wizard to plan one."""
    from crampwise.experiments.running import status_of

    if _running(diary) is None:
        return _wizard(request, diary, {})
    running, status = status_of(diary, _tonight())
    return render(
        request,
        "experiment_status.html",
        running=running,
        status=status,
        remedy=_remedy_title(running.plan),
        tonight=_tonight(),
        recorded=_recorded(diary, running.plan.column, _tonight()),
        started=request.query_params.get("started") == "1",
    )


def _recorded(diary: Any, column: str, night: date) -> bool | None:
    log = diary.get_day(night)
    value = log.values.get(column) if log else None
    return value if isinstance(value, bool) else None


@router.post("/experiment/plan")
async def experiment_plan(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Preview a schedule and what it can detect; nothing is saved yet."""
    form = await form_dict(request)
    if _running(diary) is not None:
        return RedirectResponse("/experiment", status_code=303)
    try:
        _check_allowed(form, diary)
        plan = await run_blocking(_plan, form, _tonight(), diary.day_table())
    except InputError as exc:
        return _wizard(request, diary, form, str(exc))
    return render(
        request,
        "experiment_plan.html",
        plan=plan,
        remedy=_remedy_title(plan),
        needs_doctor=_remedy_needs_doctor(plan),
        form=form,
    )


def _remedy_needs_doctor(plan: Any) -> bool:
    return testable_intervention(plan.intervention, plan.column).needs_doctor


@router.post("/experiment/start")
async def experiment_start(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Save the previewed plan (same seed, same schedule) as the running experiment."""
    from crampwise.experiments.running import start_experiment

    form = await form_dict(request)
    try:
        _check_allowed(form, diary)
        start_experiment(diary, _plan(form, _tonight(), with_seed=True))
    except InputError as exc:
        return _wizard(request, diary, form, str(exc))
    return RedirectResponse("/experiment?started=1", status_code=303)


@router.post("/experiment/record")
async def experiment_record(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """Record whether the remedy was done tonight (what was done, whatever the schedule)."""
    form = await form_dict(request)
    running = _running(diary)
    if running is None:
        return RedirectResponse("/experiment", status_code=303)
    done = form.get("done", "")
    if done not in ("yes", "no"):
        raise InputError(f"field 'done': {done!r} is not one of: yes, no", field="done")
    diary.put_day(DayLog(_tonight(), {running.plan.column: done == "yes"}), source="manual")
    target = form.get("next", "/experiment")
    return RedirectResponse(target if target in ("/", "/experiment") else "/experiment", 303)


@router.post("/experiment/stop")
async def experiment_stop(request: Request, user: UserDep, diary: DiaryDep) -> Response:
    """End the running experiment; the result page shows what the diary says."""
    from crampwise.experiments.running import stop_and_analyze

    if _running(diary) is None:
        return RedirectResponse("/experiment", status_code=303)
    running, _ = await run_blocking(stop_and_analyze, diary, _tonight())
    return RedirectResponse(f"/experiment/result?id={running.id}", status_code=303)


def _record(diary: Any, experiment_id: int | None, active: bool) -> Any:
    """The experiment `experiment_id` (else 404), or the newest one running (or ended, per
    `active`), or None."""
    if experiment_id is not None:
        return diary.get_experiment(experiment_id)
    return next((r for r in diary.experiments() if (r.status == "active") == active), None)


def _plan_of(record: Any) -> Any:
    from crampwise.experiments.plan import ExperimentPlan

    return ExperimentPlan.from_dict(
        {
            "intervention": record.intervention,
            "periods": record.schedule,
            "washout_days": record.washout_days,
            "column": record.factor,
        }
    )


def _last_night(record: Any, plan: Any) -> date:
    """The last night an ended experiment covers: its schedule's end, or the day it stopped."""
    end: date = plan.end
    stopped: date = record.stopped_at.date() if record.stopped_at else end
    return min(stopped, end)


def chart_nights(plan: Any, table: Any, last: date) -> list[Night]:
    """The experiment's nights up to `last`, as the diary recorded them."""
    rows = dict(zip(table.dates, table.cramps, strict=True))
    column = next((f for f in table.factors if f.name == plan.column), None)
    done = dict(zip(table.dates, column.values, strict=True)) if column else {}
    # Imported here: the analysis behind it loads SciPy (~0.3 s), needed by this page only.
    from crampwise.experiments.verdict import washout_nights

    nights: list[Night] = []
    left_out = washout_nights(plan)
    day = plan.start
    while day <= min(last, plan.end):
        value = done.get(day)
        night = Night(day, rows.get(day), value if isinstance(value, bool) else None, None)
        washout = day in left_out
        nights.append(Night(day, night.cramps, night.done, plan.condition_on(day), washout))
        day += timedelta(days=1)
    return nights


@router.get("/experiment/result")
async def experiment_result(
    request: Request, user: UserDep, diary: DiaryDep, id: int | None = None
) -> Response:
    """The verdict in plain words, the chart, the numbers, and what it cannot tell."""
    from crampwise.experiments.status import analyze_plan
    from crampwise.experiments.words import adherence_words, range_words, verdict_sentence

    record = _record(diary, id, active=False)
    if record is None or record.status == "active":
        return RedirectResponse("/experiment", status_code=303)  # no verdict while running
    plan = _plan_of(record)
    last = _last_night(record, plan)
    table = diary.day_table()
    result = await run_blocking(analyze_plan, plan, table, last)
    remedy = _remedy_title(plan)
    nights = chart_nights(plan, table, last)
    chart = experiment_chart(
        nights, f"Cramps each night of the experiment on {remedy}, by condition", remedy
    )
    return render(
        request,
        "experiment_result.html",
        record=record,
        plan=plan,
        result=result,
        remedy=remedy,
        verdict=verdict_sentence(result, remedy),
        change=range_words(result),
        adherence=adherence_words(result),
        cannot_tell=[item.split(": ", 1) for item in result.cannot_tell],
        chart=chart,
        nights=nights,
        last=last,
    )


@router.get("/experiment/schedule.ics")
async def experiment_schedule(
    request: Request, user: UserDep, diary: DiaryDep, id: int | None = None, remind_at: str = ""
) -> Response:
    """The schedule as an iCalendar file: one all-day event per period, evening reminders."""
    from crampwise.interop.ics import experiment_calendar  # icalendar: ~0.1 s, this route only

    try:
        at = time.fromisoformat(remind_at) if remind_at else REMIND_AT
    except ValueError:
        raise InputError(f"field 'remind_at': {remind_at!r} is not a time (HH:MM)") from None
    record = _record(diary, id, active=True)
    if record is None:
        return RedirectResponse("/experiment", status_code=303)
    plan = _plan_of(record)
    body = experiment_calendar(plan.periods, _remedy_title(plan), at)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="crampwise-experiment-{record.id}.ics"'
        },
    )
