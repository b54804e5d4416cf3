"""Running an experiment in a stored diary: start, status (adherence), stop (analysis)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from crampwise.diary.model import DayLog, Episode
from crampwise.errors import InputError
from crampwise.experiments.plan import plan_experiment
from crampwise.experiments.running import (
    current_experiment,
    plan_with_power,
    start_experiment,
    status_of,
    stop_and_analyze,
)
from crampwise.experiments.status import experiment_status
from crampwise.experiments.verdict import analyze_planned
from crampwise.store import open_store

START = date(2027, 1, 4)


def _log_day(diary: object, day: date, cramps: int, done: bool | None, column: str) -> None:
    values = {} if done is None else {column: done}
    diary.put_day(DayLog(day, values))  # type: ignore[attr-defined]
    for k in range(cramps):
        # a cramp at 02:00 + k minutes the next morning belongs to this day's night
        moment = f"{day + timedelta(days=1)}T02:{k:02d}:00"
        from datetime import datetime

        diary.add_episode(Episode(started_at=datetime.fromisoformat(moment)))  # type: ignore[attr-defined]


def test_start_status_stop_in_a_real_database(database_url: str) -> None:
    rng = np.random.default_rng(2)
    with open_store(database_url) as store:
        diary = store.diary("ann")
        plan = plan_experiment("warm_footbath", 3, 7, START, seed=4)
        running = start_experiment(diary, plan)
        assert current_experiment(diary).plan.periods == plan.periods
        with pytest.raises(InputError, match="still running"):
            start_experiment(diary, plan)
        # log 20 days: the schedule is followed except on day 3 (skipped) and day 10 (missing)
        for i in range(20):
            day = START + timedelta(days=i)
            on = plan.condition_on(day) == "on"
            done: bool | None = on if i != 2 else not on
            if i == 9:
                done = None
            _log_day(diary, day, int(rng.poisson(0.4 if done else 1.2)), done, "footbath")
        today = START + timedelta(days=19)
        again, status = status_of(diary, today)
        assert again.id == running.id
        assert status.day == 20 and status.total_days == 42 and not status.finished
        assert status.today_condition == plan.condition_on(today)
        assert status.missing_days == 1
        recorded = status.scheduled_on_days + status.scheduled_off_days
        assert recorded == 19
        assert status.adherence == pytest.approx(18 / 19, abs=1e-3)
        table = diary.day_table()
        expected = analyze_planned(plan, table, today)
        stopped, result = stop_and_analyze(diary, today)
        assert stopped.status == "stopped"
        assert result.to_dict() == expected.to_dict()
        assert result.randomised and result.adherence == pytest.approx(18 / 19, abs=1e-3)
        assert result.nights_on + result.nights_off == 19
        assert result.verdict == "not_enough_data"  # fewer than 14 nights in an arm
        with pytest.raises(InputError, match="no experiment is running"):
            current_experiment(diary)


def test_a_custom_remedy_defines_its_yes_no_factor(sqlite_url: str) -> None:
    with open_store(sqlite_url) as store:
        diary = store.diary("bo")
        plan = plan_experiment("supplement", 2, 7, START, seed=1, column="mag_taken")
        start_experiment(diary, plan)
        factors = {f.name: f.kind for f in diary.custom_factors()}
        assert factors["mag_taken"] == "boolean"
        assert current_experiment(diary).plan.column == "mag_taken"


def test_status_counts_only_days_up_to_today_and_keeps_off_days_done_apart() -> None:
    from crampwise.diary.daytable import DayTable, FactorColumn

    plan = plan_experiment("calf_stretch_bedtime", 2, 7, START, seed=8)
    days = [START + timedelta(days=i) for i in range(28)]
    # done every day, whatever the schedule
    table = DayTable(days, [1] * 28, factors=[FactorColumn("stretched", "boolean", [True] * 28)])
    status = experiment_status(plan, table, START + timedelta(days=13))
    assert status.scheduled_on_days == 7 and status.done_on_days == 7
    assert status.scheduled_off_days == 7 and status.done_off_days == 7
    assert status.adherence == 0.5
    assert status.nights_on == 14 and status.nights_off == 0
    after = experiment_status(plan, table, START + timedelta(days=40))
    assert after.finished and after.today_condition is None and after.day == 28


def test_power_from_the_persons_own_history() -> None:
    from crampwise.diary.daytable import DayTable

    rng = np.random.default_rng(4)
    days = [START - timedelta(days=100 - i) for i in range(100)]
    cramps = rng.poisson(1.5, 100).tolist()
    # nights on or after the start are not history
    days += [START, START + timedelta(days=1)]
    cramps += [30, 30]
    history = DayTable(days, cramps)
    plan = plan_with_power("warm_footbath", 4, 7, START, seed=1, history=history)
    assert plan.power is not None
    # the rate is the mean of the last 12 weeks before the start
    assert plan.power.rate_per_night == pytest.approx(float(np.mean(cramps[16:100])))
    assert 0 < plan.power.power < 1
    short = DayTable(days[-5:], [1] * 5)
    assert plan_with_power("warm_footbath", 4, 7, START, seed=1, history=short).power is None
