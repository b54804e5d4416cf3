"""Server-side SVG chart of an n-of-1 experiment: nightly cramps coloured by condition."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from html import escape

from markupsafe import Markup

# Labels under the axis are at least this far apart (SVG units), so they never overlap.
LABEL_GAP = 44


@dataclass(frozen=True)
class Night:
    """One night of the experiment as the diary recorded it."""

    day: date
    cramps: int | None  # None: nothing logged for that night
    done: bool | None  # was the remedy done (the diary's yes/no column); None: not recorded
    scheduled: str | None  # "on"/"off" per the plan
    washout: bool = False  # left out of the comparison (first nights after a switch)

    @property
    def kind(self) -> str:
        """'on', 'off' or 'unrecorded': what the analysis will treat this night as."""
        if self.done is None:
            return "unrecorded"
        return "on" if self.done else "off"

    def describe(self, remedy: str) -> str:
        """The night in words, for the bar's tooltip and the table under the chart."""
        did = {"on": f"{remedy} done", "off": f"no {remedy}", "unrecorded": "not recorded"}
        cramps = "no entry" if self.cramps is None else f"{self.cramps} cramps"
        extra = ", wash-out (not compared)" if self.washout else ""
        return f"{self.day.strftime('%a %d %b')}: {cramps}, {did[self.kind]}{extra}"


def experiment_chart(
    nights: Sequence[Night], title: str, remedy: str, width: int = 360, height: int = 190
) -> Markup:
    """Bars of cramps per night, one colour for nights the remedy was done and another for
    nights without it, a dashed outline for nights not recorded; scheduled "on" periods are
    shaded behind the bars (app.css: .exp-on, .exp-off, .exp-unrecorded, .exp-band)."""
    left, right, top, bottom = 24, 4, 8, 24
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((n.cramps or 0 for n in nights), default=0)
    step = max(1, math.ceil(max(1, peak) / 4))
    ymax = step * math.ceil(max(1, peak) / step)
    slot = plot_w / max(len(nights), 1)
    gap = min(2.0, slot * 0.25)
    base = top + plot_h
    parts = [
        f'<svg class="chart exp-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]
    # Shade the scheduled "on" periods first, so bars are drawn over them.
    for i, night in enumerate(nights):
        if night.scheduled == "on":
            x = left + i * slot
            parts.append(
                f'<rect class="exp-band" x="{x:.1f}" y="{top}" width="{slot + 0.05:.2f}" '
                f'height="{plot_h}"/>'
            )
    for tick in range(0, ymax + 1, step):
        y = base - plot_h * tick / ymax
        parts.append(
            f'<line class="gridline" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}</text>')
    last_label = -math.inf
    for i, night in enumerate(nights):
        x = left + i * slot + gap / 2
        w = max(slot - gap, 0.8)
        if night.cramps is not None:
            h = plot_h * night.cramps / ymax
            shown = max(h, 2.5)  # a zero night still shows its condition as a stub
            cls = f"exp-bar exp-{night.kind}" + (" exp-washout" if night.washout else "")
            parts.append(
                f'<rect class="{cls}" x="{x:.1f}" y="{base - shown:.1f}" width="{w:.1f}" '
                f'height="{shown:.1f}"><title>{escape(night.describe(remedy))}</title></rect>'
            )
        starts_period = i == 0 or nights[i - 1].scheduled != night.scheduled
        if starts_period and x - last_label >= LABEL_GAP:
            parts.append(
                f'<text x="{x:.1f}" y="{height - 8}">{night.day.day} '
                f"{night.day.strftime('%b')}</text>"
            )
            last_label = x
    parts.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{base}" y2="{base}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
