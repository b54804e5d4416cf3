"""Server-side SVG charts for the pages: no chart library, no script, styled by charts.css.

An SVG scales its text with its width, so one drawing cannot read well both on a 390-px
phone and on a desktop: `responsive` draws a chart twice, at the width of a phone's card and
at the width of a desktop's, and charts.css shows the one that fits (text stays ~14 px).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

# Content widths (CSS px) of a chart inside a card: phone (390 wide) and desktop.
NARROW, WIDE = 330, 660
FONT = 14  # user units; at those widths, about 14 px on screen


@dataclass(frozen=True)
class Bar:
    """One bar: its label under the axis (may be empty), its value (None: no entry, a gap)."""

    label: str
    value: float | None
    title: str
    faint: bool = False  # drawn lighter: a period with only a few nights logged


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


def responsive(draw: Callable[[int], str], title: str, desc: str = "") -> Markup:
    """The chart drawn at phone and desktop widths; only one is shown (charts.css)."""
    parts = []
    for width, cls in ((NARROW, "chart-narrow"), (WIDE, "chart-wide")):
        parts.append(
            draw(width)
            .replace("<svg ", f'<svg data-width="{width}" ', 1)
            .replace('class="chart', f'class="{cls} chart', 1)
        )
    figure = f'<figure class="chart-figure">{"".join(parts)}'
    if desc:
        figure += f'<figcaption class="visually-hidden">{escape(desc)}</figcaption>'
    return Markup(figure + "</figure>")


def open_svg(cls: str, width: int, height: int, title: str, desc: str = "") -> str:
    extra = f"<desc>{escape(desc)}</desc>" if desc else ""
    return (
        f'<svg class="{cls}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">'
        f"<title>{escape(title)}</title>{extra}"
    )


def y_axis(parts: list[str], peak: float, left: int, right: int, top: int, plot_h: int) -> int:
    """Gridlines and numbers of a y axis from 0 to a round maximum; returns that maximum."""
    ymax = max(1, math.ceil(peak))
    step = max(1, math.ceil(ymax / 4))
    ymax = step * math.ceil(ymax / step)
    for tick in range(0, ymax + 1, step):
        y = top + plot_h - plot_h * tick / ymax
        parts.append(f'<line class="gridline" x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 5:.1f}" text-anchor="end">{tick}</text>')
    return ymax


def bar_chart(
    bars: Sequence[Bar], title: str, width: int = NARROW, height: int | None = None
) -> str:
    """Vertical bars (e.g. cramps per week) with a y axis; a period with no entry is a gap
    with a small open mark on the axis, never a zero bar; each bar has a hover title."""
    height = height or (200 if width <= NARROW else 240)
    left, right, top, bottom = 30, 6, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    base = top + plot_h
    parts = [open_svg("chart", width, height, title)]
    ymax = y_axis(
        parts, max((b.value or 0 for b in bars), default=0), left, width - right, top, plot_h
    )
    slot = plot_w / max(len(bars), 1)
    gap = min(4.0, slot * 0.2)
    # Labels need about 3.5 characters of room each: skip some when bars are narrow.
    every = max(1, math.ceil(FONT * 3.2 / slot))
    last_label = -every
    for i, bar in enumerate(bars):
        x = left + i * slot + gap / 2
        w = max(slot - gap, 0.8)
        if bar.value is None:
            parts.append(
                f'<rect class="bar-gap" x="{x:.1f}" y="{base - 3}" width="{w:.1f}" height="3">'
                f"<title>{escape(bar.title)}</title></rect>"
            )
        else:
            h = plot_h * bar.value / ymax
            shown = max(h, 1.5)  # a zero period still shows a sliver: "none", not "missing"
            cls = (
                "bar"
                + (" bar-zero" if bar.value == 0 else "")
                + (" bar-faint" if bar.faint else "")
            )
            parts.append(
                f'<rect class="{cls}" x="{x:.1f}" y="{base - shown:.1f}" width="{w:.1f}" '
                f'height="{shown:.1f}"><title>{escape(bar.title)}</title></rect>'
            )
        if bar.label and i - last_label >= every:
            parts.append(
                f'<text x="{x + w / 2:.1f}" y="{height - 8}" text-anchor="middle">'
                f"{escape(bar.label)}</text>"
            )
            last_label = i
    parts.append(f'<line class="axis" x1="{left}" x2="{width - right}" y1="{base}" y2="{base}"/>')
    parts.append("</svg>")
    return "".join(parts)


def _marker(r: Interval, x: float, y: float) -> str:
    """A shape that says what the colour says: a square for more cramps, a diamond for
    fewer, an open circle for a hint that does not stand out."""
    if not r.significant:
        return f'<circle class="point" cx="{x:.1f}" cy="{y}" r="6">'
    if r.estimate > 1:
        return f'<rect class="point point-sig" x="{x - 6:.1f}" y="{y - 6}" width="12" height="12">'
    d = f"M{x:.1f} {y - 8}L{x + 8:.1f} {y}L{x:.1f} {y + 8}L{x - 8:.1f} {y}Z"
    return f'<path class="point point-protect" d="{d}">'


def _tag(r: Interval, short: bool = False) -> str:
    if not r.significant:
        return "hint" if short else "hint only"
    word = "more" if r.estimate > 1 else "fewer"
    return word if short else f"{word} cramps"


# Characters of a 15-px bold label that fit a line, per user unit of width (measured:
# about 8.7 units a character in the system sans-serif).
LABEL_CHAR_W = 8.7
LINE_H = 18


def _label_lines(label: str, tag: str, room: float) -> list[tuple[str, str]]:
    """A row label (and its tag in brackets) broken into lines that fit `room` units:
    (words, tag words) per line, the tag on the last line."""
    most = max(int(room / LABEL_CHAR_W), 12)
    lines: list[str] = []
    for word in label.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= most:
            lines[-1] += " " + word
        else:
            lines.append(word)
    tagged = f"({tag})"
    if len(lines[-1]) + 1 + len(tagged) <= most:
        return [(line, "") for line in lines[:-1]] + [(lines[-1], tagged)]
    return [(line, "") for line in lines] + [("", tagged)]


def effect_chart(rows: Sequence[Interval], title: str, width: int = NARROW) -> str:
    """A forest plot of rate ratios on a log scale, 1 = no difference, with 95% intervals.

    Each row puts its label (and, in words, what the row shows) on lines of their own above
    the interval, broken to fit, so a phone can read it.
    """
    row_h, top, bottom, side = 52, 4, 40, 12
    plot_w = width - 2 * side
    labels = [_label_lines(r.label, _tag(r), plot_w) for r in rows]
    heights = [row_h + LINE_H * (len(lines) - 1) for lines in labels]
    height = top + bottom + (sum(heights) if rows else row_h)
    values = [v for r in rows for v in (r.low, r.high, r.estimate) if v > 0]
    lo_log = math.log(max(min([0.5, *values]), 0.05))
    hi_log = math.log(min(max([2.0, *values]), 20.0))

    def xpos(v: float) -> float:
        v = min(max(v, math.exp(lo_log)), math.exp(hi_log))
        return side + plot_w * (math.log(v) - lo_log) / (hi_log - lo_log)

    parts = [open_svg("chart", width, height, title)]
    axis_y = height - bottom
    for tick in (0.1, 0.25, 0.5, 1, 2, 4, 8):
        if math.exp(lo_log) <= tick <= math.exp(hi_log):
            x = xpos(tick)
            parts.append(
                f'<line class="gridline" x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{axis_y}"/>'
            )
            parts.append(
                f'<text x="{x:.1f}" y="{axis_y + 17}" text-anchor="middle">×{_num(tick)}</text>'
            )
    one = xpos(1.0)
    parts.append(f'<line class="ref" x1="{one:.1f}" x2="{one:.1f}" y1="{top}" y2="{axis_y}"/>')
    y = top
    for r, lines, h in zip(rows, labels, heights, strict=True):
        line_y = y + h - 16
        kind = "" if not r.significant else (" ci-sig" if r.estimate > 1 else " ci-protect")
        spans = "".join(
            (f'<tspan x="{side}" dy="{LINE_H}">' if i else "<tspan>")
            + escape(words)
            + (f'{" " if words else ""}<tspan class="tag">{escape(tag)}</tspan>' if tag else "")
            + "</tspan>"
            for i, (words, tag) in enumerate(lines)
        )
        parts.append(f'<text class="label" x="{side}" y="{y + 17}">{spans}</text>')
        parts.append(
            f'<line class="ci{kind}" x1="{xpos(r.low):.1f}" x2="{xpos(r.high):.1f}" '
            f'y1="{line_y}" y2="{line_y}"/>'
        )
        close = "</circle>" if not r.significant else ("</rect>" if r.estimate > 1 else "</path>")
        parts.append(
            _marker(r, xpos(r.estimate), line_y) + f"<title>{escape(r.label)}: ×{_num(r.estimate)} "
            f"(95% interval ×{_num(r.low)} to ×{_num(r.high)})</title>{close}"
        )
        y += h
    parts.append(
        f'<text x="{width / 2:.0f}" y="{height - 6}" text-anchor="middle">'
        f"cramps ×, compared with nights without (1 = same)</text>"
    )
    parts.append("</svg>")
    return "".join(parts)
