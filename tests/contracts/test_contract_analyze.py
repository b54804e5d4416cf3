"""Contract §2: `crampwise analyze DIARY.csv --format json`: CSV rules, findings, q-values."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .conftest import Cli, write_csv

DIRECTIONS = {"numeric": {"higher", "lower"}, "boolean": {"present", "absent"},
              "categorical": {"present", "absent"}}  # fmt: skip
START = date(2026, 1, 1)


def poisson(rng: random.Random, lam: float) -> int:
    """Knuth's sampler: enough for the small rates of a cramp diary."""
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p < limit:
            return k
        k += 1


def bh(p_values: list[float]) -> list[float]:
    """Benjamini–Hochberg q-values, in the order given (reference, written for this test)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, p_values[i] * m / rank)
        q[i] = running
    return q


def nights_used(rows: dict[date, dict[str, str]], factor: str, lag: int) -> int:
    """Rows whose factor value `lag` calendar days earlier is in the diary and not empty."""
    count = 0
    for day in rows:
        source = rows.get(day - timedelta(days=lag))
        if source is not None and source[factor] != "":
            count += 1
    return count


def _diary(n: int, seed: int, skip: set[int]) -> tuple[list[str], list[list[Any]]]:
    """Planted: colder bedroom, `yn`=yes and `cat`=c go with more cramps; the rest is noise."""
    rng = random.Random(seed)
    header = ["date", "cramps", "pain", "temp", "yn", "tf", "bin01", "cnt", "cat"]
    rows: list[list[Any]] = []
    for i in range(n):
        temp = round(rng.gauss(17, 2.5), 1)
        yn = rng.random() < 0.4
        cat = rng.choice("abc")
        lam = math.exp(-1.2 + 0.9 * yn + 1.0 * (cat == "c") - 0.3 * (temp - 17))
        cramps = poisson(rng, lam)
        if i in skip:
            continue  # a gap in the diary: that day is missing entirely
        rows.append([
            START + timedelta(days=i), cramps, rng.randint(1, 10) if cramps else "",
            "" if i % 13 == 5 else temp,
            "" if i % 17 == 8 else ("yes" if yn else "no"),
            rng.choice(["true", "false"]), rng.choice("01"), rng.choice("012"),
            "" if i % 19 == 2 else cat,
        ])  # fmt: skip
    return header, rows


def test_findings_contract_on_a_diary_with_gaps(cli: Cli, tmp_path: Path) -> None:
    header, rows = _diary(170, seed=7, skip={20, 21, 60, 61, 62, 100, 140})
    path = write_csv(tmp_path / "d.csv", header, rows)
    out = cli.json("analyze", str(path))

    assert out["nights"] == len(rows)
    assert out["cramps"] == sum(r[1] for r in rows)
    assert out["cramp_nights"] == sum(r[1] > 0 for r in rows)
    assert out["enough_data"] is True
    assert isinstance(out["method"], str) and out["method"]

    findings = out["findings"]
    kinds = {"temp": "numeric", "cnt": "numeric", "yn": "boolean", "tf": "boolean",
             "bin01": "boolean", "cat": "categorical"}  # fmt: skip
    expected: set[tuple[str, str | None, int]]
    expected = {(f, None, lag) for f in kinds if f != "cat" for lag in (0, 1)}
    expected |= {("cat", level, lag) for level in "abc" for lag in (0, 1)}
    got = [(f["factor"], f["level"], f["lag_days"]) for f in findings]
    assert len(got) == len(set(got)), "one finding per factor × level × lag"
    assert set(got) == expected

    by_row = {r[0]: dict(zip(header, ("" if v == "" else str(v) for v in r), strict=True))
              for r in rows}  # fmt: skip
    for f in findings:
        assert f["kind"] == kinds[f["factor"]], f
        assert f["direction"] in DIRECTIONS[f["kind"]], f
        assert (f["level"] is None) == (f["kind"] != "categorical"), f
        assert f["effect"]["measure"] == "rate_ratio"
        low, high = f["effect"]["ci95"]
        assert low <= f["effect"]["estimate"] <= high
        # The estimate points the way `direction` says: toward more cramps.
        if f["kind"] == "numeric":
            assert f["effect"]["estimate"] >= 1 and f["direction"] in f["effect"]["per"], f
        else:
            assert (f["direction"] == "present") == (f["effect"]["estimate"] >= 1), f
        assert 0.0 <= f["p_value"] <= 1.0
        assert f["significant"] is (f["q_value"] <= 0.10), f
        # Lags never reach across a missing day; empty cells are missing.
        assert f["nights_used"] == nights_used(by_row, f["factor"], f["lag_days"]), f

    p_values = [f["p_value"] for f in findings]
    assert p_values == sorted(p_values), "smallest p first"
    for f, q in zip(findings, bh(p_values), strict=True):
        assert math.isclose(f["q_value"], q, rel_tol=1e-6, abs_tol=1e-12), (f, q)

    lag0 = {(f["factor"], f["level"]): f for f in findings if f["lag_days"] == 0}
    assert lag0[("temp", None)]["direction"] == "lower"
    assert lag0[("yn", None)]["direction"] == "present"
    assert lag0[("cat", "c")]["direction"] == "present"
    for key in (("temp", None), ("yn", None), ("cat", "c")):
        assert lag0[key]["significant"], lag0[key]
        assert (lag0[key]["effect"]["estimate"] > 1) is True  # rate ratio toward the side


def test_a_factor_that_only_travels_with_a_trigger_is_not_significant(
    cli: Cli, tmp_path: Path
) -> None:
    rng = random.Random(11)
    rows = []
    for i in range(200):
        trigger = rng.random() < 0.5
        proxy = trigger if rng.random() < 0.85 else not trigger
        cramps = poisson(rng, 0.25 * (4.0 if trigger else 1.0))
        rows.append([START + timedelta(days=i), cramps, "yes" if trigger else "no",
                     "yes" if proxy else "no"])  # fmt: skip
    path = write_csv(tmp_path / "c.csv", ["date", "cramps", "trigger", "proxy"], rows)
    findings = cli.json("analyze", str(path))["findings"]
    trig = [f for f in findings if f["factor"] == "trigger" and f["lag_days"] == 0]
    assert trig and trig[0]["significant"] and trig[0]["direction"] == "present"
    assert not any(f["significant"] for f in findings if f["factor"] == "proxy"), findings


def _strong(n_cramp: int, n_calm: int) -> list[list[Any]]:
    """Nights with cramps all follow `hot=yes`; calm nights all `hot=no` (a perfect trigger)."""
    kinds = ["c"] * n_cramp + ["n"] * n_calm
    random.Random(n_cramp * 100 + n_calm).shuffle(kinds)
    return [[START + timedelta(days=i), 3 if k == "c" else 0, "yes" if k == "c" else "no",
             10 + i % 7] for i, k in enumerate(kinds)]  # fmt: skip


def test_enough_data_rules(cli: Cli, tmp_path: Path) -> None:
    header = ["date", "cramps", "hot", "steps"]
    cases = [((10, 10), False), ((5, 16), True), ((26, 4), False), ((4, 26), False),
             ((16, 5), True)]  # fmt: skip
    for (n_cramp, n_calm), enough in cases:
        path = write_csv(tmp_path / f"e{n_cramp}_{n_calm}.csv", header, _strong(n_cramp, n_calm))
        out = cli.json("analyze", str(path))
        assert out["nights"] == n_cramp + n_calm
        assert out["cramp_nights"] == n_cramp
        assert out["enough_data"] is enough, (n_cramp, n_calm, out)
        if not enough:
            assert not any(f["significant"] for f in out["findings"]), out["findings"]


def test_bad_csv_exits_2_naming_the_line(cli: Cli, tmp_path: Path) -> None:
    head = ["date", "cramps", "pain", "x"]
    good = ["2026-01-01", "0", "", "1"]

    def second(*cells: str) -> tuple[list[str], list[list[str]]]:
        return head, [good, list(cells)]

    cases: list[tuple[tuple[list[str], list[list[str]]], list[str]]] = [
        ((["day", "cramps"], [["2026-01-01", "0"]]), ["date"]),
        ((["date", "pain"], [["2026-01-01", "3"]]), ["cramps"]),
        ((["date", "cramps", "x", "x"], [["2026-01-01", "0", "1", "2"]]), ["line 1", "x"]),
        (second("2026/01/02", "0", "", "1"), ["line 3", "date"]),
        (second("2026-02-30", "0", "", "1"), ["line 3", "date"]),
        (second("2026-01-01", "0", "", "1"), ["line 3", "date"]),  # twice
        (second("2026-01-02", "-1", "", "1"), ["line 3", "cramps"]),
        (second("2026-01-02", "1.5", "", "1"), ["line 3", "cramps"]),
        (second("2026-01-02", "", "", "1"), ["line 3", "cramps"]),
        (second("2026-01-02", "1", "11", "1"), ["line 3", "pain"]),
        (second("2026-01-02", "1", "-1", "1"), ["line 3", "pain"]),
        (second("2026-01-02", "1", "2", "1", "9"), ["line 3"]),  # one cell too many
    ]
    for i, ((header, rows), named) in enumerate(cases):
        path = write_csv(tmp_path / f"bad{i}.csv", header, rows)
        message = cli.fails("analyze", str(path))
        for word in named:
            assert word in message, (header, rows, message)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    cli.fails("analyze", str(empty))
    assert "nowhere.csv" in cli.fails("analyze", str(tmp_path / "nowhere.csv"))
    # Boundaries that are fine: pain 0 and 10, cramps 0, any factor text.
    rows_ok = [["2026-01-01", 0, 0], ["2026-01-02", 2, 10], ["2026-01-04", 1, ""]]
    ok = write_csv(tmp_path / "ok.csv", ["date", "cramps", "pain"], rows_ok)
    out = cli.json("analyze", str(ok))
    assert (out["nights"], out["cramp_nights"], out["cramps"]) == (3, 2, 3)
    assert out["enough_data"] is False
