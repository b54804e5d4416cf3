"""Server-side charts: bars in proportion, gaps for nights with no record, ratios on a log
scale, shapes that repeat what colour says, text that stays readable, labels escaped."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta
from pathlib import Path

from crampwise.analysis.wording import ratio_words
from crampwise.web.charts.cramps import chart_span, period_bars, periods
from crampwise.web.charts.nights import (
    month_calendar,
    pain_chart,
    pain_points,
    side_bars,
    side_counts,
)
from crampwise.web.charts.svg import NARROW, WIDE, Bar, Interval, bar_chart, effect_chart

STATIC = Path(__file__).resolve().parents[3] / "src" / "crampwise" / "web" / "static"


def _rects(svg: str) -> list[tuple[float, float]]:
    return [
        (float(y), float(h))
        for y, h in re.findall(
            r'<rect class="bar(?: [^"]*)?" x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)"',
            svg,
        )
    ]


def test_bar_heights_are_proportional_to_values() -> None:
    svg = bar_chart([Bar("a", 2, "two"), Bar("", 4, "four"), Bar("", 0, "none")], "t")
    (y2, h2), (y4, h4), (_, h0) = _rects(svg)
    assert math.isclose(h4, 2 * h2, rel_tol=0.02)
    assert math.isclose(y2 + h2, y4 + h4, abs_tol=0.1)  # one baseline
    assert 0 < h0 < 2  # a zero week still shows a sliver, so it reads as "none", not missing
    assert "<title>four</title>" in svg and 'role="img"' in svg


def test_a_period_without_entries_is_a_gap_not_a_zero_bar() -> None:
    svg = bar_chart([Bar("a", 3, "three"), Bar("", None, "no entry"), Bar("", 0, "zero")], "t")
    assert len(_rects(svg)) == 2  # the gap draws no bar
    assert re.search(r'<rect class="bar-gap"[^>]*><title>no entry</title>', svg)


def test_axis_text_is_never_tiny() -> None:
    svg = bar_chart([Bar("Jan", 1, "x")], "t")
    assert "font-size" not in svg  # sizes come from charts.css (14 px), not 9-px attributes
    css = (STATIC / "charts.css").read_text(encoding="utf-8")
    sizes = [
        float(s) for s in re.findall(r"svg\.chart[^{]*text[^{]*\{[^}]*font-size: (\d+)px", css)
    ]
    assert sizes and min(sizes) >= 14
    # Drawn for a phone's card and for a desktop's, each shown near 1:1 (text stays ~14 px).
    assert NARROW <= 340 and WIDE >= 640


def test_effect_chart_puts_ratios_on_a_log_scale() -> None:
    rows = [Interval("a", 1.0, 0.5, 2.0, False), Interval("b", 4.0, 2.0, 8.0, True)]
    svg = effect_chart(rows, "effects")
    ref = float(re.search(r'<line class="ref" x1="([^"]+)"', svg).group(1))  # type: ignore[union-attr]
    x_hint = float(re.search(r'<circle class="point" cx="([^"]+)"', svg).group(1))  # type: ignore[union-attr]
    assert math.isclose(x_hint, ref, abs_tol=0.1)  # ratio 1 sits on the no-difference line
    lines = re.findall(r'<line class="ci[^"]*" x1="([^"]+)" x2="([^"]+)"', svg)
    lo_a, hi_a = (float(v) for v in lines[0])
    assert math.isclose(x_hint - lo_a, hi_a - x_hint, abs_tol=0.2)  # ×0.5 and ×2 equally far
    assert 'class="ci ci-sig"' in svg


def test_effect_rows_say_in_shape_and_words_what_colour_says() -> None:
    rows = [
        Interval("More", 3.0, 2.0, 4.5, True),
        Interval("Fewer", 0.3, 0.2, 0.5, True),
        Interval("Hint", 1.3, 0.9, 1.9, False),
    ]
    svg = effect_chart(rows, "effects")
    assert '<rect class="point point-sig"' in svg  # square: more cramps
    assert '<path class="point point-protect"' in svg  # diamond: fewer
    assert '<circle class="point"' in svg  # open circle: a hint
    for words in ("(more cramps)", "(fewer cramps)", "(hint only)"):
        assert words in svg


def test_long_labels_break_into_lines_that_fit_a_phone() -> None:
    from crampwise.web.charts.svg import LABEL_CHAR_W

    label = "Exercise intensity: moderate, day before"
    svg = effect_chart([Interval(label, 0.4, 0.2, 0.8, True)], "effects", NARROW)
    text = re.search(r'<text class="label"[^>]*>(.*?)</text>', svg)
    assert text
    lines = [
        re.sub(r"<[^>]+>", "", t)
        for t in re.findall(r"<tspan(?: x[^>]*)?>(.*?)</tspan>(?=<tspan x|$)", text.group(1))
    ]
    assert len(lines) >= 2 and " ".join(lines).replace("  ", " ").startswith(label)
    assert all(len(line) * LABEL_CHAR_W <= NARROW - 24 for line in lines), lines
    assert "(fewer cramps)" in lines[-1]
    # The interval sits below the last line of its label.
    line_y = float(re.search(r'<line class="ci[^"]*"[^>]* y1="([^"]+)"', svg).group(1))  # type: ignore[union-attr]
    assert line_y > 17 + 18 * (len(lines) - 1)
    # The same row on a desktop needs one line.
    wide = effect_chart([Interval(label, 0.4, 0.2, 0.8, True)], "effects", WIDE)
    assert 'dy="18"' not in wide


def test_labels_are_escaped() -> None:
    svg = effect_chart([Interval("<script>x</script>", 1.5, 1.1, 2.0, True)], "t & u")
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "t &amp; u" in svg


def test_charts_start_at_the_first_entry_and_sum_each_week() -> None:
    today = date(2026, 11, 25)  # a Wednesday
    monday = today - timedelta(days=today.weekday())
    dates = [monday - timedelta(days=15), monday - timedelta(days=1), monday, monday + timedelta(1)]
    span = chart_span(dates, today, "1y")
    assert span is not None and span.first == dates[0]  # not a year of empty weeks
    found, monthly = periods(dates, [5, 2, 2, 1], span)
    assert not monthly and len(found) == 4  # weeks of 2, 9, 16 and 23 November
    assert [p.cramps for p in found] == [5, 0, 2, 3]
    assert [p.nights for p in found] == [1, 0, 1, 2]
    assert chart_span([], today) is None  # a new account: nothing to chart


def test_a_week_without_entries_between_two_is_drawn_as_a_gap() -> None:
    today = date(2026, 11, 25)
    dates = [date(2026, 11, 2), date(2026, 11, 23)]
    span = chart_span(dates, today, "all")
    assert span is not None
    bars = period_bars(*periods(dates, [1, 0], span))
    assert [b.value for b in bars] == [1, None, None, 0]
    assert bars[1].title.endswith("no entry")


def test_a_long_diary_is_charted_by_month() -> None:
    today = date(2026, 11, 25)
    dates = [date(2024, 1, 10), date(2026, 11, 20)]
    span = chart_span(dates, today, "all")
    assert span is not None
    found, monthly = periods(dates, [2, 1], span)
    assert monthly and len(found) == 35 and found[0].cramps == 2 and found[-1].cramps == 1


def test_calendar_shows_counts_as_text_and_dashes_for_no_entry() -> None:
    today = date(2026, 11, 25)
    dates = [date(2026, 11, 3), date(2026, 11, 4)]
    span = chart_span(dates, today, "all")
    assert span is not None
    (month,) = month_calendar(dates, [0, 4], span)
    html = str(month.html)
    assert month.title == "November 2026" and month.cramps == 4 and month.nights == 2
    assert '<td class="cal-0"><span class="cal-day">3</span><span class="cal-n">0</span>' in html
    assert '<td class="cal-3"><span class="cal-day">4</span><span class="cal-n">4</span>' in html
    assert html.count("no entry") == 21  # 5..25 November: nothing logged
    assert "<caption>" in html and 'scope="col"' in html


def test_pain_trend_breaks_where_no_pain_was_rated() -> None:
    today = date(2026, 11, 29)
    dates = [date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 23), date(2026, 11, 24)]
    pain: list[float | None] = [4, 6, 8, 2]
    span = chart_span(dates, today, "all")
    assert span is not None
    points, monthly = pain_points(dates, pain, [1, 1, 1, 1], span)
    assert [p.median for p in points] == [5, None, None, 5]
    chart = str(pain_chart(points, monthly))
    assert "<polyline" not in chart  # two lone points: no line drawn across the gap
    assert chart.count('<circle class="pain-point"') == 4  # 2 points x 2 widths
    assert pain_chart(pain_points(dates, [None] * 4, [1] * 4, span)[0], False) is None


def test_left_and_right_are_counted_and_written() -> None:
    found = side_counts(["left", "left", "right", None])
    assert [(s.words, s.count) for s in found] == [
        ("Left leg", 2),
        ("Right leg", 1),
        ("Both legs", 0),
        ("Not said", 1),
    ]
    html = str(side_bars(found))
    assert "Left leg" in html and "2 (50%)" in html and "side-bar w50" in html
    assert side_bars(side_counts([])) is None


def test_ratio_words_are_what_people_say() -> None:
    assert ratio_words(0.23) == "about a quarter as frequent"
    assert ratio_words(0.5) == "about half as frequent"
    assert ratio_words(1.0) == "about as frequent"
    assert ratio_words(2.1) == "about twice as frequent"
    assert ratio_words(3.4) == "about 3 times as frequent"


def test_a_factors_step_reads_in_the_persons_units() -> None:
    from crampwise.analysis.results import Effect, Finding
    from crampwise.web.charts.words import finding_label

    def numeric(factor: str, per: str, step: float) -> Finding:
        effect = Effect(2.0, (1.5, 2.7), per, step=step)
        return Finding(factor, "numeric", None, 0, "lower", effect, 0.01, 100)

    fluids = numeric("fluids_l", "0.5 L lower", 0.5)
    assert finding_label(fluids, "us") == "Fluids 17 fl oz lower"
    assert finding_label(fluids, "metric") == "Fluids 0.5 L lower"
    # A difference of temperature: 5 °C is 9 °F, no 32 added.
    assert finding_label(numeric("bedroom_temp_c", "5 °C lower", 5.0), "us").endswith("9 °F lower")


def test_a_finding_reads_in_words_without_statistics() -> None:
    from crampwise.analysis.results import Effect, Finding
    from crampwise.analysis.wording import finding_sentence

    def hard(lag: int) -> Finding:
        effect = Effect(0.26, (0.15, 0.46), "hard vs any other value")
        return Finding(
            "sleep_position", "categorical", "prone", lag, "absent", effect, 1e-4, 90, 0.004
        )

    today = finding_sentence(hard(0))
    assert today.startswith("Your cramps were about a quarter as frequent on nights after a day")
    assert "on your front" in today and "prone" not in today
    assert "(very likely real)" in today and "q <" not in today and "×" not in today
    said = finding_sentence(hard(1), whose="your client's")
    assert said.startswith("Your client's cramps") and "on the second night after" in said
