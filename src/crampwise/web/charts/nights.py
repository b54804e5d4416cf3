"""Night-by-night views: a month calendar of cramps per night, the pain trend, and which leg.

The calendar is an HTML table (a screen reader reads it as one): each night shows its count
as text, the shade only repeats it, and a night with no record shows a dash, not a 0.
"""

from __future__ import annotations

import calendar
import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from markupsafe import Markup

from crampwise.web.charts.cramps import Period, Span, periods
from crampwise.web.charts.svg import FONT, open_svg, responsive

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Shades: 0, 1, 2, 3 or more cramps a night.
LEGEND = (("0", "none"), ("1", "1 cramp"), ("2", "2 cramps"), ("3", "3 or more"))


@dataclass(frozen=True)
class Month:
    """One month of the calendar, as HTML, with its totals for the summary line."""

    title: str
    html: Markup
    cramps: int
    nights: int


def _cell(day: date, counts: dict[date, int], span: Span) -> str:
    if not span.first <= day <= span.last:
        return f'<td class="cal-out"><span class="cal-day">{day.day}</span></td>'
    n = counts.get(day)
    if n is None:
        return (
            f'<td class="cal-none"><span class="cal-day">{day.day}</span>'
            '<span class="cal-n" aria-hidden="true">–</span>'
            '<span class="visually-hidden">no entry</span></td>'
        )
    words = f"{n} cramp{'' if n == 1 else 's'}"
    return (
        f'<td class="cal-{min(n, 3)}"><span class="cal-day">{day.day}</span>'
        f'<span class="cal-n">{n}</span><span class="visually-hidden"> {words}</span></td>'
    )


def month_calendar(
    dates: Sequence[date], cramps: Sequence[int], span: Span, newest_first: bool = True
) -> list[Month]:
    """One table per month of the span (newest first): rows are weeks, Monday first."""
    counts = dict(zip(dates, cramps, strict=True))
    months: list[tuple[int, int]] = []
    y, m = span.first.year, span.first.month
    while (y, m) <= (span.last.year, span.last.month):
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    out = []
    for y, m in reversed(months) if newest_first else months:
        title = date(y, m, 1).strftime("%B %Y")
        weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(y, m)
        inside = [d for w in weeks for d in w if d.month == m and span.first <= d <= span.last]
        logged = [d for d in inside if d in counts]
        total = sum(counts[d] for d in logged)
        rows = []
        for week in weeks:
            cells = [
                _cell(d, counts, span) if d.month == m else '<td class="cal-pad"></td>'
                for d in week
            ]
            rows.append("<tr>" + "".join(cells) + "</tr>")
        head = "".join(
            f'<th scope="col"><abbr title="{full}">{short}</abbr></th>'
            for short, full in zip(WEEKDAYS, WEEKDAY_NAMES, strict=True)
        )
        summary = (
            f"{total} cramp{'' if total == 1 else 's'} on {len(logged)} "
            f"night{'' if len(logged) == 1 else 's'} logged"
        )
        html = (
            f'<table class="cal"><caption>{escape(title)} '
            f'<span class="muted small">{summary}</span></caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
        out.append(Month(title, Markup(html), total, len(logged)))
    return out


def legend() -> Markup:
    items = "".join(
        f'<li><span class="cal-swatch cal-{k}" aria-hidden="true">{k}</span>{escape(w)}</li>'
        for k, w in LEGEND
    )
    items += '<li><span class="cal-swatch cal-none" aria-hidden="true">–</span>no entry</li>'
    return Markup(f'<ul class="cal-legend" aria-label="Key">{items}</ul>')


# -- pain ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class PainPoint:
    """The median of the worst pain of each night with a pain value, over one period."""

    period: Period
    median: float | None
    nights: int


def pain_points(
    dates: list[date], pain: list[float | None], cramps: list[int], span: Span
) -> tuple[list[PainPoint], bool]:
    by_date = {d: p for d, p in zip(dates, pain, strict=False) if p is not None}
    found, monthly = periods(dates, cramps, span)
    points = []
    for p in found:
        values = [v for d, v in by_date.items() if p.start <= d <= p.end and span.first <= d]
        median = statistics.median(values) if values else None
        points.append(PainPoint(p, median, len(values)))
    return points, monthly


def _pain_svg(points: list[PainPoint], monthly: bool, title: str, width: int) -> str:
    height = 200 if width < 400 else 230
    left, right, top, bottom = 30, 10, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    parts = [open_svg("chart pain-chart", width, height, title)]
    for tick in (0, 5, 10):
        y = base - plot_h * tick / 10
        parts.append(
            f'<line class="gridline" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 5:.1f}" text-anchor="end">{tick}</text>')
    slot = plot_w / max(len(points), 1)
    every = max(1, round(FONT * 3.2 / slot + 0.49))
    run: list[str] = []
    last_label = -every

    def flush() -> None:
        if len(run) > 1:
            parts.append(f'<polyline class="pain-line" points="{" ".join(run)}"/>')
        run.clear()

    for i, pt in enumerate(points):
        x = left + slot * (i + 0.5)
        if pt.median is None:
            flush()  # a period without pain values breaks the line: a gap, not a zero
        else:
            y = base - plot_h * pt.median / 10
            run.append(f"{x:.1f},{y:.1f}")
            when = pt.period.describe(monthly).split(":")[0]
            parts.append(
                f'<circle class="pain-point" cx="{x:.1f}" cy="{y:.1f}" r="4.5"><title>{when}: '
                f"median worst pain {pt.median:g} of 10 over {pt.nights} night"
                f"{'' if pt.nights == 1 else 's'}</title></circle>"
            )
        first_of_month = i == 0 or pt.period.start.month != points[i - 1].period.start.month
        if (monthly or first_of_month) and i - last_label >= every:
            label = pt.period.start.strftime("%b")
            parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{label}</text>')
            last_label = i
    flush()
    parts.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{base}" y2="{base}"/>')
    parts.append("</svg>")
    return "".join(parts)


def pain_chart(points: list[PainPoint], monthly: bool) -> Markup | None:
    """Worst pain per night (0–10), median per week or month; None without pain values."""
    with_pain = [p for p in points if p.median is not None]
    if not with_pain:
        return None
    unit = "month" if monthly else "week"
    title = f"Worst pain of the night, median per {unit} (0 to 10)"
    first, last = with_pain[0], with_pain[-1]
    desc = (
        f"From {first.median:g} in {first.period.describe(monthly).split(':')[0]} "
        f"to {last.median:g} in {last.period.describe(monthly).split(':')[0]}."
    )
    return responsive(lambda w: _pain_svg(points, monthly, title, w), title, desc)


# -- which leg ----------------------------------------------------------------------------
SIDES = (("left", "Left leg"), ("right", "Right leg"), ("both", "Both legs"), (None, "Not said"))


@dataclass(frozen=True)
class SideCount:
    key: str
    words: str
    count: int
    share: float  # of all cramps in the span, 0..1


def side_counts(sides: Sequence[str | None]) -> list[SideCount]:
    counts = Counter(sides)
    total = sum(counts.values())
    return [
        SideCount(key or "unknown", words, counts.get(key, 0), counts.get(key, 0) / total)
        for key, words in SIDES
        if total and (key is not None or counts.get(None, 0))
    ]


def side_bars(found: list[SideCount]) -> Markup | None:
    """Horizontal bars in HTML: the words and numbers are text; the bar only repeats them
    (its width is a class in 5 % steps: the page's CSP allows no inline style)."""
    if not found:
        return None
    rows = "".join(
        f'<li class="side-{s.key}"><span class="side-label">{s.words}</span>'
        f'<span class="side-track" aria-hidden="true">'
        f'<span class="side-bar w{5 * round(20 * s.share)}"></span></span>'
        f'<span class="side-n">{s.count} ({100 * s.share:.0f}%)</span></li>'
        for s in found
    )
    return Markup(f'<ul class="side-bars">{rows}</ul>')
