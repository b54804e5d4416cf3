"""Server-side SVG charts for the pages: no chart library, no script, styled by app.css."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup


@dataclass(frozen=True)
class Bar:
    """One bar: its label under the axis (may be empty) and its value."""

    label: str
    value: float
    title: str


@dataclass(frozen=True)
class Interval:
    """One row of an effect chart: estimate with its 95% interval on a ratio scale."""

    label: str
    estimate: float
    low: float
    high: float
    significant: bool


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def bar_chart(bars: Sequence[Bar], title: str, width: int = 360, height: int = 170) -> Markup:
    """Vertical bars (e.g. cramps per week) with a y axis; each bar has a hover title."""
    left, right, top, bottom = 24, 4, 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((b.value for b in bars), default=0)
    ymax = max(1, math.ceil(peak))
    step = max(1, math.ceil(ymax / 4))
    ymax = step * math.ceil(ymax / step)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(0, ymax + 1, step):
        y = top + plot_h - plot_h * tick / ymax
        parts.append(
            f'<line class="gridline" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    n = max(len(bars), 1)
    slot = plot_w / n
    gap = min(4.0, slot * 0.2)
    for i, bar in enumerate(bars):
        h = plot_h * bar.value / ymax
        x = left + i * slot + gap / 2
        y = top + plot_h - h
        cls = "bar" if bar.value > 0 else "bar bar-zero"
        shown_h = max(h, 1.5)
        parts.append(
            f'<rect class="{cls}" x="{x:.1f}" y="{y - (shown_h - h):.1f}" width="{slot - gap:.1f}" '
            f'height="{shown_h:.1f}"><title>{escape(bar.title)}</title></rect>'
        )
        if bar.label:
            cx = x + (slot - gap) / 2
            parts.append(
                f'<text x="{cx:.1f}" y="{height - 8}" text-anchor="middle">'
                f"{escape(bar.label)}</text>"
            )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{width - right}" '
        f'y1="{top + plot_h}" y2="{top + plot_h}"/>'
    )
    parts.append("</svg>")
    return Markup("".join(parts))


def effect_chart(rows: Sequence[Interval], title: str, width: int = 360) -> Markup:
    """A forest plot of rate ratios on a log scale, 1 = no difference, with 95% intervals.

    Each row puts its label on a line of its own above the interval, so phones can read it.
    """
    row_h, top, bottom, side = 46, 4, 34, 10
    height = top + bottom + row_h * max(len(rows), 1)
    plot_w = width - 2 * side
    values = [v for r in rows for v in (r.low, r.high, r.estimate) if v > 0]
    lo_log = math.log(max(min([0.5, *values]), 0.05))
    hi_log = math.log(min(max([2.0, *values]), 20.0))

    def xpos(v: float) -> float:
        v = min(max(v, math.exp(lo_log)), math.exp(hi_log))
        return side + plot_w * (math.log(v) - lo_log) / (hi_log - lo_log)

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]
    axis_y = top + row_h * max(len(rows), 1)
    for tick in (0.1, 0.25, 0.5, 1, 2, 4, 8):
        if math.exp(lo_log) <= tick <= math.exp(hi_log):
            x = xpos(tick)
            parts.append(
                f'<line class="gridline" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{axis_y}"/>'
            )
            parts.append(
                f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle">×{_num(tick)}</text>'
            )
    one = xpos(1.0)
    parts.append(f'<line class="ref" x1="{one:.1f}" x2="{one:.1f}" y1="{top}" y2="{axis_y}"/>')
    for i, r in enumerate(rows):
        y = top + row_h * i
        line_y = y + 32
        kind = "" if not r.significant else (" ci-sig" if r.estimate > 1 else " ci-protect")
        pkind = "" if not r.significant else (" point-sig" if r.estimate > 1 else " point-protect")
        parts.append(f'<text class="label" x="{side}" y="{y + 16}">{escape(r.label)}</text>')
        parts.append(
            f'<line class="ci{kind}" x1="{xpos(r.low):.1f}" x2="{xpos(r.high):.1f}" '
            f'y1="{line_y}" y2="{line_y}"/>'
        )
        parts.append(
            f'<circle class="point{pkind}" cx="{xpos(r.estimate):.1f}" cy="{line_y}" r="5">'
            f"<title>{escape(r.label)}: ×{_num(r.estimate)} "
            f"(95% interval ×{_num(r.low)} to ×{_num(r.high)})</title></circle>"
        )
    parts.append(
        f'<text x="{width / 2:.0f}" y="{height - 4}" text-anchor="middle">'
        f"cramps ×, compared with nights without (1 = same)</text>"
    )
    parts.append("</svg>")
    return Markup("".join(parts))
