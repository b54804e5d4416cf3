"""Server-side SVG charts: bars in proportion, ratios on a log scale, labels escaped."""

from __future__ import annotations

import math
import re
from datetime import date, timedelta

from crampwise.web.charts.cramps import WEEKS_SHOWN, weekly_bars
from crampwise.web.charts.svg import Bar, Interval, bar_chart, effect_chart


def _rects(svg: str) -> list[tuple[float, float]]:
    return [
        (float(y), float(h))
        for y, h in re.findall(
            r'<rect class="bar[^"]*" x="[^"]+" y="([^"]+)" width="[^"]+" height="([^"]+)"', svg
        )
    ]


def test_bar_heights_are_proportional_to_values() -> None:
    svg = str(bar_chart([Bar("a", 2, "two"), Bar("", 4, "four"), Bar("", 0, "none")], "t"))
    (y2, h2), (y4, h4), (_, h0) = _rects(svg)
    assert math.isclose(h4, 2 * h2, rel_tol=0.02)
    assert math.isclose(y2 + h2, y4 + h4, abs_tol=0.1)  # one baseline
    assert 0 < h0 < 2  # a zero week still shows a sliver, so it reads as "none", not missing
    assert "<title>four</title>" in svg and 'role="img"' in svg


def test_effect_chart_puts_ratios_on_a_log_scale() -> None:
    rows = [Interval("a", 1.0, 0.5, 2.0, False), Interval("b", 4.0, 2.0, 8.0, True)]
    svg = str(effect_chart(rows, "effects"))
    ref = float(re.search(r'<line class="ref" x1="([^"]+)"', svg).group(1))  # type: ignore[union-attr]
    xs = [float(x) for x in re.findall(r'<circle class="point[^"]*" cx="([^"]+)"', svg)]
    assert math.isclose(xs[0], ref, abs_tol=0.1)  # ratio 1 sits on the no-difference line
    lines = re.findall(r'<line class="ci[^"]*" x1="([^"]+)" x2="([^"]+)"', svg)
    lo_a, hi_a = (float(v) for v in lines[0])
    assert math.isclose(xs[0] - lo_a, hi_a - xs[0], abs_tol=0.2)  # ×0.5 and ×2 equally far
    assert 'class="ci ci-sig"' in svg and 'class="point point-sig"' in svg


def test_labels_are_escaped() -> None:
    svg = str(effect_chart([Interval("<script>x</script>", 1.5, 1.1, 2.0, True)], "t & u"))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "t &amp; u" in svg


def test_weekly_bars_sum_each_week() -> None:
    today = date(2026, 11, 25)  # a Wednesday
    monday = today - timedelta(days=today.weekday())
    dates = [monday, monday + timedelta(days=1), monday - timedelta(days=1), date(2020, 1, 1)]
    bars = weekly_bars(dates, [2, 1, 5, 9], today)
    assert len(bars) == WEEKS_SHOWN
    assert bars[-1].value == 3 and bars[-2].value == 5
    assert sum(b.value for b in bars) == 8  # the 2020 night is outside the chart
