"""The diary CSV (contract §2/§4): type inference, errors that name line and column, round trip."""

from __future__ import annotations

import io
import math
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crampwise.diary.daytable import DayTable, FactorColumn
from crampwise.errors import InputError
from crampwise.interop.csv import format_number, read_day_table, write_day_table


def read(text: str) -> DayTable:
    return read_day_table(io.StringIO(text))


def write(table: DayTable) -> str:
    out = io.StringIO()
    write_day_table(table, out)
    return out.getvalue()


def test_reads_rows_sorted_by_date_with_inferred_kinds() -> None:
    table = read(
        "date,cramps,pain,coffee,gym,late,mood,flag\n"
        "2026-01-02,1,5,2.5,yes,TRUE,good,1\n"
        "2026-01-01,0,,,No,false,bad,0\n"
        '2026-01-04,3,7.5,1e-5,yes,False,"a, b",\n'
    )
    assert table.dates == [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 4)]
    assert table.cramps == [0, 1, 3]
    assert table.pain == [None, 5.0, 7.5]
    kinds = {f.name: f.kind for f in table.factors}
    assert kinds == {
        "coffee": "numeric",
        "gym": "boolean",
        "late": "boolean",
        "mood": "categorical",
        "flag": "boolean",
    }
    values = {f.name: f.values for f in table.factors}
    assert values["coffee"] == [None, 2.5, 1e-5]
    assert values["gym"] == [False, True, True]
    assert values["flag"] == [False, True, None]
    assert values["mood"] == ["bad", "good", "a, b"]


def test_missing_is_missing_never_zero() -> None:
    table = read("date,cramps,steps\n2026-03-01,0,\n2026-03-02,1,4000\n")
    assert table.factors[0].values == [None, 4000.0]


def test_numbers_other_than_zero_and_one_make_a_numeric_column() -> None:
    table = read("date,cramps,x\n2026-03-01,0,0\n2026-03-02,1,2\n")
    assert table.factors[0].kind == "numeric"


def test_mixed_words_and_numbers_are_categorical() -> None:
    table = read("date,cramps,x\n2026-03-01,0,3\n2026-03-02,1,n/a\n")
    assert table.factors[0].kind == "categorical"
    assert table.factors[0].values == ["3", "n/a"]


def test_builtin_factors_keep_their_declared_kind() -> None:
    # alcohol_units holding only 0 and 1 is still a number of units, not a yes/no column.
    table = read(
        "date,cramps,alcohol_units,exercise_intensity\n2026-03-01,0,0,Hard\n2026-03-02,1,1,\n"
    )
    by_name = {f.name: f for f in table.factors}
    assert by_name["alcohol_units"].kind == "numeric"
    assert by_name["alcohol_units"].values == [0.0, 1.0]
    assert by_name["exercise_intensity"].values == ["hard", None]


def test_declared_kinds_override_inference() -> None:
    table = read_day_table(
        io.StringIO("date,cramps,cups\n2026-03-01,0,0\n"), kinds={"cups": "numeric"}
    )
    assert table.factors[0].kind == "numeric"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "date,cramps\n2026-01-01,0\n2026-01-02,x\n",
            "line 3, column 'cramps': 'x' is not a whole number ≥ 0",
        ),
        ("date,cramps\n2026-01-01,-1\n", "line 2, column 'cramps': '-1' is not a whole number ≥ 0"),
        (
            "date,cramps\n2026-01-01,1.5\n",
            "line 2, column 'cramps': '1.5' is not a whole number ≥ 0",
        ),
        ("date,cramps\n2026-01-01,\n", "line 2, column 'cramps': '' is not a whole number ≥ 0"),
        (
            "date,cramps\n01/02/2026,1\n",
            "line 2, column 'date': '01/02/2026' is not a date (YYYY-MM-DD)",
        ),
        ("date,cramps\n2026-02-30,1\n", "line 2, column 'date': '2026-02-30' is not a date"),
        (
            "date,cramps\n2026-01-01,1\n2026-01-01,2\n",
            "line 3, column 'date': 2026-01-01 appears twice",
        ),
        ("date,pain\n2026-01-01,1\n", "line 1: required column 'cramps' is missing"),
        ("cramps\n1\n", "line 1: required column 'date' is missing"),
        ("", "line 1: the file is empty"),
        ("date,cramps,x,x\n", "line 1: column 'x' appears twice"),
        ("date,cramps,\n2026-01-01,1,2\n", "line 1: column 3 has no name"),
        ("date,cramps\n2026-01-01,1,2\n", "line 2: expected 2 cells, found 3"),
        (
            "date,cramps,pain\n2026-01-01,1,11\n",
            "line 2, column 'pain': '11' is not a number from 0 to 10",
        ),
        (
            "date,cramps,fluids_l\n2026-01-01,1,lots\n",
            "line 2, column 'fluids_l': 'lots' is not a number",
        ),
        (
            "date,cramps,fluids_l\n2026-01-01,1,25\n",
            "line 2, column 'fluids_l': 25 is outside 0–20",
        ),
        (
            "date,cramps,x\n2026-01-01,1,2\n2026-01-02,0,1e400\n",
            "line 3, column 'x': '1e400' is not a number",
        ),
        (
            "date,cramps,legs_cold\n2026-01-01,1,maybe\n",
            "line 2, column 'legs_cold': 'maybe' is not a yes/no",
        ),
        (
            "date,cramps,sleep_position\n2026-01-01,1,upside_down\n",
            "line 2, column 'sleep_position': 'upside_down' is not one of: back, side, prone",
        ),
        ('date,cramps\n2026-01-01,"1\n', "malformed CSV"),
    ],
)
def test_bad_input_names_line_and_column(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_reads_a_path_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "diary.csv"
    path.write_bytes("\ufeffdate,cramps\n2026-01-01,2\n".encode())
    assert read_day_table(path).cramps == [2]
    assert read_day_table(str(path)).dates == [date(2026, 1, 1)]


def test_unreadable_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_day_table(tmp_path / "absent.csv")
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("date,cramps,mood\n2026-01-01,1,d\xe9j\xe0\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_day_table(bad)


def test_canonical_writing() -> None:
    table = DayTable(
        dates=[date(2026, 1, 2), date(2026, 1, 1)],
        cramps=[2, 0],
        pain=[7.0, None],
        factors=[
            FactorColumn("exercise_min", "numeric", [90.0, None]),
            FactorColumn("fluids_l", "numeric", [0.1 + 0.2, 1.5]),
            FactorColumn("legs_cold", "boolean", [True, False]),
            FactorColumn("mood", "categorical", ["a, b", "ok"]),
        ],
    )
    assert write(table) == (
        "date,cramps,pain,exercise_min,fluids_l,legs_cold,mood\n"
        "2026-01-01,0,,,1.5,false,ok\n"
        '2026-01-02,2,7,90,0.30000000000000004,true,"a, b"\n'
    )


def test_format_number() -> None:
    assert format_number(3.0) == "3"
    assert format_number(-0.0) == "0"
    assert format_number(2.25) == "2.25"
    assert format_number(1e20) == "1e+20"
    with pytest.raises(ValueError):
        format_number(math.nan)


_numbers = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
_levels = st.sampled_from(["low", "mid", "high", "a, b", 'say "hi"', "ünïcode"])


@st.composite
def day_tables(draw: st.DrawFn) -> DayTable:
    n = draw(st.integers(min_value=0, max_value=12))
    start = date(2025, 1, 1)
    offsets = sorted(draw(st.sets(st.integers(0, 400), min_size=n, max_size=n)))
    dates = [start + timedelta(days=k) for k in offsets]
    factors = [
        FactorColumn(
            "num", "numeric", draw(st.lists(st.none() | _numbers, min_size=n, max_size=n))
        ),
        FactorColumn(
            "flag", "boolean", draw(st.lists(st.none() | st.booleans(), min_size=n, max_size=n))
        ),
        FactorColumn(
            "cat", "categorical", draw(st.lists(st.none() | _levels, min_size=n, max_size=n))
        ),
    ]
    return DayTable(
        dates=dates,
        cramps=draw(st.lists(st.integers(0, 20), min_size=n, max_size=n)),
        pain=draw(st.lists(st.none() | st.integers(0, 10).map(float), min_size=n, max_size=n)),
        factors=factors,
    )


@settings(max_examples=60, deadline=None)
@given(day_tables())
def test_export_import_export_is_byte_identical(table: DayTable) -> None:
    first = write(table)
    again = read_day_table(io.StringIO(first), kinds={"num": "numeric", "cat": "categorical"})
    assert again.dates == table.dates
    assert again.cramps == table.cramps
    assert [f.values for f in again.factors] == [f.values for f in table.factors]
    assert write(again) == first
