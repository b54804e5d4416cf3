"""What the diary's charts show: cramps per week (or month) from the first entry on, and
which trigger findings are charted with their effects (the client's Insights page and the
practitioner's client page).

A night with no record is a gap, never a zero: charts start at the diary's first night and
a week without any night logged has no bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from markupsafe import Markup

from crampwise.web.charts.svg import Bar, Interval, bar_chart, effect_chart, responsive

if TYPE_CHECKING:  # the analysis module imports scipy: only the type checker needs it here
    from crampwise.analysis.results import Finding

# Findings charted: the significant ones, then the strongest hints, at most this many rows.
CHART_ROWS = 10
HINT_Q = 0.25
# A week with fewer nights logged than this is drawn lighter: its total undercounts.
FULL_WEEK = 4
# Past this many weeks, bars are months (a year of weekly bars is too thin on a phone).
MAX_WEEKS = 56

# The range choices on Insights: key → (words, days; None = the whole diary).
RANGES: dict[str, tuple[str, int | None]] = {
    "3m": ("3 months", 91),
    "6m": ("6 months", 183),
    "1y": ("1 year", 365),
    "all": ("All", None),
}
DEFAULT_RANGE = "all"


@dataclass(frozen=True)
class Span:
    """The nights a chart covers: from the later of the range start and the first entry."""

    first: date
    last: date
    key: str

    @property
    def words(self) -> str:
        return RANGES[self.key][0]


def chart_span(dates: list[date], today: date, key: str = DEFAULT_RANGE) -> Span | None:
    """The nights to chart for a range key; None when the diary has no night yet."""
    if key not in RANGES:
        key = DEFAULT_RANGE
    if not dates:
        return None
    days = RANGES[key][1]
    first = min(dates) if days is None else max(min(dates), today - timedelta(days=days - 1))
    last = max(today, max(dates))
    return Span(first, last, key)


@dataclass(frozen=True)
class Period:
    """Cramps in one week or month of the chart, and how many of its nights were logged."""

    start: date
    end: date
    cramps: int
    nights: int

    def describe(self, monthly: bool) -> str:
        when = self.start.strftime("%B %Y") if monthly else f"Week of {self.start:%d %b %Y}"
        if self.nights == 0:
            return f"{when}: no entry"
        cramps = f"{self.cramps} cramp{'' if self.cramps == 1 else 's'}"
        return f"{when}: {cramps}, {self.nights} night{'' if self.nights == 1 else 's'} logged"


def _month_start(d: date) -> date:
    return d.replace(day=1)


def _next_month(d: date) -> date:
    return (d.replace(day=28) + timedelta(days=4)).replace(day=1)


def periods(dates: list[date], cramps: list[int], span: Span) -> tuple[list[Period], bool]:
    """Weeks (Monday-based) or, for long spans, months of the span, oldest first; the flag
    says whether they are months."""
    monthly = (span.last - span.first).days > MAX_WEEKS * 7
    starts: list[date] = []
    if monthly:
        d = _month_start(span.first)
        while d <= span.last:
            starts.append(d)
            d = _next_month(d)
    else:
        d = span.first - timedelta(days=span.first.weekday())
        while d <= span.last:
            starts.append(d)
            d += timedelta(weeks=1)
    totals = {s: [0, 0] for s in starts}
    for d, c in zip(dates, cramps, strict=True):
        if not span.first <= d <= span.last:
            continue
        key = _month_start(d) if monthly else d - timedelta(days=d.weekday())
        totals[key][0] += c
        totals[key][1] += 1
    out = []
    for i, s in enumerate(starts):
        end = starts[i + 1] - timedelta(days=1) if i + 1 < len(starts) else span.last
        out.append(Period(s, end, totals[s][0], totals[s][1]))
    return out, monthly


def period_bars(found: list[Period], monthly: bool) -> list[Bar]:
    """Bars for the periods: no entry → a gap; few nights logged → a lighter bar."""
    bars = []
    for i, p in enumerate(found):
        if monthly:
            label = p.start.strftime("%b") if p.start.month != 1 else p.start.strftime("%Y")
        else:
            first_of_month = i == 0 or p.start.month != found[i - 1].start.month
            label = p.start.strftime("%b") if first_of_month else ""
        value = None if p.nights == 0 else float(p.cramps)
        faint = not monthly and 0 < p.nights < FULL_WEEK
        bars.append(Bar(label, value, p.describe(monthly), faint))
    return bars


def over_time_chart(found: list[Period], monthly: bool) -> Markup:
    unit = "month" if monthly else "week"
    title = f"Cramps per {unit}"
    logged = [p for p in found if p.nights]
    peak = max(logged, key=lambda p: p.cramps, default=None)
    desc = f"{len(logged)} of {len(found)} {unit}s have entries"
    if peak is not None:
        desc += f"; the most cramps, {peak.cramps}, in {peak.describe(monthly).split(':')[0]}"
    bars = period_bars(found, monthly)
    return responsive(lambda w: bar_chart(bars, title, w), title, desc + ".")


def chart_rows(findings: list[Finding]) -> list[Finding]:
    """Significant findings first, then hints (q ≤ HINT_Q), each list by q-value."""
    chosen = [f for f in findings if f.significant]
    chosen += [f for f in findings if not f.significant and f.q_value <= HINT_Q]
    return sorted(chosen, key=lambda f: (not f.significant, f.q_value))[:CHART_ROWS]


def effects_chart(rows: list[Finding], label: Callable[[Finding], str]) -> Markup | None:
    """The effect of each charted finding with its 95% interval; None when none is charted."""
    if not rows:
        return None
    intervals = [
        Interval(label(f), f.effect.estimate, f.effect.ci95[0], f.effect.ci95[1], f.significant)
        for f in rows
    ]
    title = "Effects of the factors on cramps, with 95% intervals"
    return responsive(lambda w: effect_chart(intervals, title, w), title)
