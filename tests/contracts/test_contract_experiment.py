"""Contract §3: `crampwise experiment plan` (the schedule) and `experiment analyze`."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .conftest import Cli, write_csv

START = date(2026, 3, 1)


def _plan(cli: Cli, pairs: int, days: int, seed: int, start: str = "2026-12-01") -> Any:
    return cli.json(
        "experiment", "plan", "--intervention", "warm_footbath", "--pairs", str(pairs),
        "--period-days", str(days), "--start", start, "--seed", str(seed), "--rate", "0.5",
    )  # fmt: skip


def _check_schedule(plan: Any, pairs: int, days: int, start: str) -> list[str]:
    assert plan["intervention"] == "warm_footbath"
    periods = plan["periods"]
    assert len(periods) == 2 * pairs
    assert periods[0]["start"] == start
    previous_end = None
    for p in periods:
        first, last = date.fromisoformat(p["start"]), date.fromisoformat(p["end"])
        assert (last - first).days + 1 == days, p
        if previous_end is not None:
            assert first == previous_end + timedelta(days=1), "periods are contiguous"
        previous_end = last
    conditions = [p["condition"] for p in periods]
    for k in range(pairs):
        assert sorted(conditions[2 * k : 2 * k + 2]) == ["off", "on"], conditions
    return conditions


def test_plan_schedule(cli: Cli) -> None:
    first = _plan(cli, pairs=4, days=5, seed=3)
    order = _check_schedule(first, pairs=4, days=5, start="2026-12-01")
    assert _plan(cli, pairs=4, days=5, seed=3)["periods"] == first["periods"]  # same seed
    orders = {tuple(order)}
    for seed in (5, 6):
        orders.add(tuple(_check_schedule(_plan(cli, 4, 5, seed), 4, 5, "2026-12-01")))
    assert len(orders) >= 2, "different seeds give different schedules (sometimes)"
    one = _plan(cli, pairs=1, days=1, seed=9, start="2027-02-28")
    _check_schedule(one, pairs=1, days=1, start="2027-02-28")


def _verdict(result: Any) -> str:
    """The contract's verdict rule, applied to the reported numbers."""
    if result["nights_on"] < 14 or result["nights_off"] < 14:
        return "not_enough_data"
    p = result["probability_helps"]
    return "helps" if p >= 0.95 else "worse" if p <= 0.05 else "no_clear_effect"


def _runs_diary(
    path: Path, runs: list[tuple[bool, int]], on_cramps: list[int], off_cramps: list[int]
) -> list[tuple[bool, int, int]]:
    """Write runs of on/off days; returns (on, cramps, position in its run) per day."""
    days: list[tuple[bool, int, int]] = []
    for on, length in runs:
        for pos in range(length):
            pattern = on_cramps if on else off_cramps
            days.append((on, pattern[len(days) % len(pattern)], pos))
    rows = [[START + timedelta(days=i), c, "", "true" if on else "false", i % 5]
            for i, (on, c, _) in enumerate(days)]  # fmt: skip
    write_csv(path, ["date", "cramps", "pain", "footbath", "steps_k"], rows)
    return days


def _expected(days: list[tuple[bool, int, int]], washout: int) -> dict[str, Any]:
    kept = [(on, c) for on, c, pos in days if pos >= washout]
    on = [c for is_on, c in kept if is_on]
    off = [c for is_on, c in kept if not is_on]
    return {"nights_on": len(on), "nights_off": len(off),
            "rate_on": sum(on) / len(on), "rate_off": sum(off) / len(off)}  # fmt: skip


def _analyze(cli: Cli, path: Path, washout: int) -> Any:
    return cli.json(
        "experiment", "analyze", str(path), "--column", "footbath", "--washout-days",
        str(washout),
    )  # fmt: skip


def _check(result: Any, expected: dict[str, Any]) -> None:
    assert result["nights_on"] == expected["nights_on"]
    assert result["nights_off"] == expected["nights_off"]
    assert abs(result["rate_on"] - expected["rate_on"]) < 0.006  # reported to 2 decimals or more
    assert abs(result["rate_off"] - expected["rate_off"]) < 0.006
    assert result["verdict"] in {"helps", "worse", "no_clear_effect", "not_enough_data"}
    if result["verdict"] != "not_enough_data":
        assert 0.0 <= result["probability_helps"] <= 1.0
        assert result["effect"]["measure"] == "rate_ratio"
        low, high = result["effect"]["ci95"]
        assert low <= result["effect"]["estimate"] <= high
        # P(rate ratio < 1) is above one half exactly when the estimate is below 1.
        if result["effect"]["estimate"] != 1:
            assert (result["effect"]["estimate"] < 1) == (result["probability_helps"] > 0.5)
    assert result["verdict"] == _verdict(result), result


def test_analyze_washout_counts_rates_and_verdicts(cli: Cli, tmp_path: Path) -> None:
    runs = [(True, 7), (False, 7), (True, 7), (False, 7), (True, 9), (False, 6)]
    helps_file = tmp_path / "helps.csv"
    days = _runs_diary(helps_file, runs, on_cramps=[0, 0, 1, 0], off_cramps=[2, 3, 2])

    results = {}
    for washout in (0, 2, 3):  # 3 leaves 4+4+3 = 11 off nights: not enough
        results[washout] = _analyze(cli, helps_file, washout)
        _check(results[washout], _expected(days, washout))
    # By hand: runs 7,7,7,7,9,6 less 2 days each -> on 5+5+7, off 5+5+4.
    assert (_expected(days, 2)["nights_on"], _expected(days, 2)["nights_off"]) == (17, 14)
    assert results[0]["verdict"] == "helps"
    assert results[0]["effect"]["estimate"] < 1  # rate ratio on / off
    assert results[3]["verdict"] == "not_enough_data"

    worse_file = tmp_path / "worse.csv"
    days = _runs_diary(worse_file, runs, on_cramps=[2, 3, 2], off_cramps=[0, 0, 1, 0])
    worse = _analyze(cli, worse_file, 0)
    _check(worse, _expected(days, 0))
    assert worse["verdict"] == "worse"

    same_file = tmp_path / "same.csv"
    days = _runs_diary(same_file, runs, on_cramps=[1, 0, 2, 1], off_cramps=[1, 2, 0, 1])
    same = _analyze(cli, same_file, 0)
    _check(same, _expected(days, 0))
    assert same["verdict"] == "no_clear_effect"


def test_analyze_needs_14_nights_in_each_arm(cli: Cli, tmp_path: Path) -> None:
    short = tmp_path / "short.csv"
    days = _runs_diary(short, [(True, 7), (False, 7), (True, 7), (False, 6)], [0], [3])
    result = _analyze(cli, short, 0)
    _check(result, _expected(days, 0))
    assert (result["nights_on"], result["nights_off"]) == (14, 13)
    assert result["verdict"] == "not_enough_data"  # however clear the difference

    bad = write_csv(tmp_path / "bad.csv", ["date", "cramps", "footbath"],
                    [["2026-01-01", 0, "true"], ["2026-01-02", 1, "maybe"]])  # fmt: skip
    message = cli.fails("experiment", "analyze", str(bad), "--column", "footbath")
    assert "footbath" in message or "line 3" in message
    assert "nope" in cli.fails("experiment", "analyze", str(short), "--column", "nope")
    assert "steps_k" in cli.fails("experiment", "analyze", str(short), "--column", "steps_k")
