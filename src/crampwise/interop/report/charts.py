"""The report's two charts, drawn with reportlab shapes on one shared week axis: cramps per
week (a week without any diary is a gap, not a zero) and the pain of every rated cramp."""

from __future__ import annotations

from datetime import date

from reportlab.graphics.shapes import Circle, Drawing, Line, PolyLine, Rect, String
from reportlab.lib import colors

from crampwise.interop.report.gather import ReportData

BAR = colors.HexColor("#3d6fb6")
PAIN = colors.HexColor("#b04a3d")
GRID = colors.HexColor("#dddddd")
INK = colors.HexColor("#444444")
LEFT, RIGHT = 28.0, 12.0  # room for the value axis; the same in both charts, so weeks align
# Beyond this many weeks the count over each bar would crowd.
LABEL_BARS_UP_TO = 26


class WeekAxis:
    """Where week i (and a night in it) sits across the drawing."""

    def __init__(self, first_monday: date, weeks: int, width: float) -> None:
        self.first = first_monday
        self.slot = (width - LEFT - RIGHT) / max(weeks, 1)

    def left(self, i: int) -> float:
        return LEFT + i * self.slot

    def night(self, d: date) -> float:
        days = (d - self.first).days
        return LEFT + (days // 7 + (days % 7 + 0.5) / 7) * self.slot


def _value_axis(drawing: Drawing, bottom: float, height: float, top: int, step: int) -> None:
    width = float(drawing.width)
    for v in range(0, top + 1, step):
        y = bottom + height * v / top
        drawing.add(Line(LEFT, y, width - RIGHT, y, strokeColor=GRID, strokeWidth=0.5))
        drawing.add(String(LEFT - 4, y - 2.5, str(v), fontSize=7, textAnchor="end", fillColor=INK))


def week_chart(d: ReportData, width: float, height: float) -> Drawing:
    """Bars of cramps per week; a grey dash marks a week with no nights in the diary."""
    drawing = Drawing(width, height)
    if not d.weeks:
        drawing.add(String(10, height / 2, "No nights in this period.", fontSize=9))
        return drawing
    bottom, plot_h = 16.0, height - 26.0
    most = max(c for _, c, _ in d.weeks)
    step = max(1, (most + 4) // 5)
    top = max(4, -(-(most + 1) // step) * step)
    _value_axis(drawing, bottom, plot_h, top, step)
    axis = WeekAxis(d.weeks[0][0], len(d.weeks), width)
    label_every = max(1, len(d.weeks) // 12)
    gaps = 0
    for i, (monday, cramps, logged) in enumerate(d.weeks):
        x = axis.left(i) + axis.slot * 0.15
        w = axis.slot * 0.7
        if logged == 0:
            gaps += 1
            drawing.add(Line(x, bottom + 2, x + w, bottom + 2, strokeColor=INK, strokeWidth=1.2))
        elif cramps:
            drawing.add(Rect(x, bottom, w, plot_h * cramps / top, fillColor=BAR, strokeColor=None))
        if logged and len(d.weeks) <= LABEL_BARS_UP_TO:
            y = bottom + plot_h * cramps / top + 2
            drawing.add(String(x + w / 2, y, str(cramps), fontSize=6.5, textAnchor="middle"))
        if i % label_every == 0:
            drawing.add(String(x + w / 2, 4, f"{monday:%d %b}", fontSize=7, textAnchor="middle"))
    drawing.add(String(LEFT, height - 5, "cramps", fontSize=7, fillColor=INK))
    if gaps:
        note = "a dash: a week with no nights in the diary (not a week without cramps)"
        drawing.add(String(width - RIGHT, height - 6, note, fontSize=7, textAnchor="end"))
    return drawing


def pain_chart(d: ReportData, width: float, height: float) -> Drawing:
    """A dot for each rated cramp on its night; a line joins the medians of adjacent weeks."""
    drawing = Drawing(width, height)
    bottom, plot_h = 4.0, height - 10.0
    _value_axis(drawing, bottom, plot_h, 10, 5)
    axis = WeekAxis(d.weeks[0][0] if d.weeks else d.first, max(len(d.weeks), 1), width)
    for night, pain in d.pain_points:
        y = bottom + plot_h * pain / 10
        drawing.add(Circle(axis.night(night), y, 2.2, fillColor=PAIN, strokeColor=None))
    run: list[float] = []
    for i, median in enumerate([*d.week_pain, None]):
        if median is not None:
            run += [axis.left(i) + axis.slot / 2, bottom + plot_h * median / 10]
            continue
        if len(run) >= 4:  # at least two adjacent weeks: a line; one week stays its dots
            drawing.add(PolyLine(run, strokeColor=PAIN, strokeWidth=1.2))
        run = []
    return drawing
