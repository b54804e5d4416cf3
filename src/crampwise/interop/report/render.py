"""The clinician report laid out on at most two A4 pages (PDF, reportlab; charts drawn with
reportlab.graphics, no matplotlib)."""

from __future__ import annotations

import io
import statistics

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from crampwise.diary.model import BUILTIN_BY_NAME
from crampwise.interop.report.gather import ReportData

METHOD_LINE = (
    "Method: nightly diary; triggers by negative-binomial regression adjusted for the other "
    "factors, trend and season, Benjamini-Hochberg q <= 0.10; remedies by randomised n-of-1 "
    "on/off periods (Bayesian rate ratio)."
)
DISCLAIMER = (
    "Patient-kept diary from crampwise; associations are not proof of cause. Not a diagnosis."
)
# Limits that keep the report on two pages whatever the diary holds.
MAX_TRIGGERS = 10
MAX_EXPERIMENTS = 6
MAX_MEDICINES = 12
TRIAGE_WORDS = {
    "emergency": "EMERGENCY - call emergency services",
    "urgent": "URGENT - see a doctor today",
    "routine": "Routine - book a doctor's appointment",
    "self_care": "Self-care - see a doctor if no better",
}


def _fmt(x: float, digits: int = 1) -> str:
    return f"{x:.{digits}f}"


def _summary_rows(d: ReportData) -> list[list[str]]:
    def spread(values: list[float] | list[int], unit: str) -> str:
        if not values:
            return "not recorded"
        q = statistics.quantiles(values, n=4) if len(values) >= 2 else [values[0]] * 3
        middle = _fmt(statistics.median(values))
        return (
            f"median {middle}{unit} (IQR {_fmt(q[0])}-{_fmt(q[2])}), max {_fmt(max(values))}{unit}"
        )

    woke = (
        f"{d.woke} of {d.woke_known} cramps woke the person ({100 * d.woke / d.woke_known:.0f}%)"
        if d.woke_known else "not recorded"
    )  # fmt: skip
    muscles = ", ".join(f"{m.replace('_', ' ')} {n}" for m, n in d.muscles.most_common()) or "-"
    return [
        ["Nights in diary", f"{d.nights} ({d.first:%d %b %Y} - {d.last:%d %b %Y})"],
        ["Cramps", f"{d.cramps} on {d.cramp_nights} nights; {_fmt(d.per_week)} per week"],
        ["Pain (0-10)", spread(d.pain, "")],
        ["Duration", spread(d.durations, " s")],
        ["Nights woken", f"{d.nights_woken} of {d.nights} nights; {woke}"],
        ["Where", muscles],
    ]


def _factor_label(name: str) -> str:
    spec = BUILTIN_BY_NAME.get(name)
    return spec.label if spec else name.replace("_", " ")


def _trigger_rows(d: ReportData) -> tuple[list[list[str]], str]:
    t = d.triggers
    if t is None:
        return [], d.triggers_error or "not available"
    if not t.enough_data:
        return [], (
            f"Not enough data yet: {t.nights} nights, {t.cramp_nights} with cramps "
            f"(about {t.nights_needed} more nights needed)."
        )
    rows = []
    for f in t.significant[:MAX_TRIGGERS]:
        name = _factor_label(f.factor) + (f" = {f.level}" if f.level else "")
        lag = "same day" if f.lag_days == 0 else "day before"
        lo, hi = f.effect.ci95
        rows.append([
            name, f"{f.direction}, {lag}", f"{f.effect.estimate:.2f} ({lo:.2f}-{hi:.2f})",
            f.effect.per or "", "< 0.001" if f.q_value < 0.001 else f"{f.q_value:.3f}",
        ])  # fmt: skip
    tested = len(t.findings)
    found = len(t.significant)
    note = f"{found} of {tested} tested factor/lag combinations significant (q <= 0.10)"
    note += f"; the {MAX_TRIGGERS} strongest shown." if found > MAX_TRIGGERS else "."
    return rows, note


def render_report(d: ReportData) -> bytes:
    """Lay out the report on at most two A4 pages."""
    styles = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=styles["BodyText"], fontSize=9, leading=11)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9, textColor=colors.grey)
    h1 = ParagraphStyle("h1", parent=styles["Heading1"], fontSize=15, spaceAfter=2)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontSize=11, spaceBefore=6, spaceAfter=3)
    h3 = ParagraphStyle("h3", parent=h2, fontSize=9, spaceBefore=2, spaceAfter=0)
    grid = TableStyle([
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8.5),
        ("FONT", (0, 0), (0, -1), "Helvetica-Bold", 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2), ("TOPPADDING", (0, 0), (-1, -1), 2),
    ])  # fmt: skip
    header = TableStyle([*grid.getCommands(), ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8.5),
                         ("FONT", (0, 1), (0, -1), "Helvetica", 8.5),
                         ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke)])  # fmt: skip

    story: list[Flowable] = [
        Paragraph(f"Night leg cramp diary - {_esc(d.user)}", h1),
        Paragraph(f"Nights {d.first:%d %b %Y} to {d.last:%d %b %Y}. {_esc(DISCLAIMER)}", small),
        Spacer(1, 4),
    ]
    story += _red_flags(d, body, h2)
    story.append(Paragraph("Summary", h2))
    story.append(Table(_summary_rows(d), colWidths=[38 * mm, 142 * mm], style=grid))
    story.append(Paragraph("Cramps per week", h2))
    story.append(_week_chart(d, 180 * mm, 52 * mm))
    if any(p is not None for p in d.week_pain):
        story.append(Paragraph("Pain of the week's cramps (median, 0-10)", h3))
        story.append(_pain_chart(d, 180 * mm, 30 * mm))
    story.append(Paragraph("Triggers found in this diary", h2))
    rows, note = _trigger_rows(d)
    if rows:
        head = ["Factor", "More cramps when", "Rate ratio (95% CI)", "Per", "q"]
        story.append(
            Table(
                [head, *rows],
                colWidths=[40 * mm, 42 * mm, 36 * mm, 44 * mm, 18 * mm],
                style=header,
                repeatRows=1,
            )
        )
    story.append(Paragraph(_esc(note), body))
    story.append(Paragraph("Experiments (randomised n-of-1)", h2))
    story += _experiment_block(d, header, body)
    story.append(Paragraph("Medicines", h2))
    story += _medicine_block(d, header, body)
    story += [Spacer(1, 6), Paragraph(_esc(METHOD_LINE), small)]

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=12 * mm,
        bottomMargin=12 * mm, title=f"crampwise report - {d.user}", author="crampwise",
    )  # fmt: skip

    def footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawRightString(A4[0] - 15 * mm, 7 * mm, f"crampwise report - page {doc.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _red_flags(d: ReportData, body: ParagraphStyle, h2: ParagraphStyle) -> list[Flowable]:
    a = d.assessment
    if not a:
        return [Paragraph("Red flags: no assessment saved.", body)]
    triage = a.get("triage", {})
    level = triage.get("level", "")
    out: list[Flowable] = [Paragraph(f"Last assessment ({d.assessed_on:%d %b %Y})", h2)]
    colour = {"emergency": "#b00020", "urgent": "#c75000"}.get(level, "#222222")
    out.append(
        Paragraph(
            f'<font color="{colour}"><b>{_esc(TRIAGE_WORDS.get(level, level))}</b></font>', body
        )
    )
    for reason in triage.get("reasons", [])[:6]:
        because = ", ".join(str(b).replace("_", " ") for b in reason.get("because", []))
        out.append(
            Paragraph(
                f"- {_esc(reason.get('title', reason.get('id', '')))} ({_esc(because)})", body
            )
        )
    return out


def _experiment_block(d: ReportData, style: TableStyle, body: ParagraphStyle) -> list[Flowable]:
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10)
    if not d.experiments:
        return [Paragraph("None run.", body)]
    rows = [
        ["Remedy", "Dates", "Nights on/off", "Rate ratio on/off (95% CI)", "P(helps)", "Verdict"]
    ]
    # The most recent ones, in calendar order.
    shown = sorted(d.experiments[-MAX_EXPERIMENTS:], key=lambda e: (e.start, e.end))
    for e in shown:
        rr = (
            f"{e.rate_ratio:.2f} ({e.ci95[0]:.2f}-{e.ci95[1]:.2f})"
            if e.rate_ratio and e.ci95
            else "-"
        )
        ph = f"{e.probability_helps:.2f}" if e.probability_helps is not None else "-"
        verdict = (e.verdict or "not started").replace("_", " ")
        if e.status == "active" and d.today is not None and d.today <= e.end:
            verdict += " (running)"
        rows.append(
            [
                Paragraph(_esc(e.title), cell),
                f"{e.start:%d %b} - {e.end:%d %b %y}",
                f"{e.nights_on}/{e.nights_off}",
                rr,
                ph,
                Paragraph(_esc(verdict), cell),
            ]
        )
    widths = [32 * mm, 32 * mm, 20 * mm, 40 * mm, 16 * mm, 40 * mm]
    out: list[Flowable] = [Table(rows, colWidths=widths, style=style, repeatRows=1)]
    if len(d.experiments) > len(shown):
        out.append(
            Paragraph(f"{len(d.experiments) - len(shown)} earlier experiments not shown.", body)
        )
    return out


def _medicine_block(d: ReportData, style: TableStyle, body: ParagraphStyle) -> list[Flowable]:

    if not d.medicines:
        return [Paragraph("None recorded.", body)]
    rows = [["Medicine", "Class", "Taken", "Linked to cramps"]]
    # Those linked to cramps first: they are what the clinician should review.
    ordered = sorted(d.medicines, key=lambda m: (m.linked_to_cramps is not True, m.name.lower()))
    for m in ordered[:MAX_MEDICINES]:
        taken = f"{m.started or 'start not given'} - {m.stopped or 'now'}"
        if m.linked_to_cramps is None:
            link = "not recognised"
        else:
            link = "YES - review" if m.linked_to_cramps else "no"
        rows.append([m.name, (m.drug_class or "-").replace("_", " "), taken, link])
    widths = [45 * mm, 45 * mm, 50 * mm, 40 * mm]
    out: list[Flowable] = [Table(rows, colWidths=widths, style=style, repeatRows=1)]
    if len(ordered) > MAX_MEDICINES:
        rest = ", ".join(m.name for m in ordered[MAX_MEDICINES:])
        out.append(
            Paragraph(_esc(f"Also taken (not linked to cramps or not recognised): {rest}."), body)
        )
    return out


def _week_chart(d: ReportData, width: float, height: float) -> Drawing:
    drawing = Drawing(width, height)
    if not d.weeks:
        drawing.add(String(10, height / 2, "No nights in this period.", fontSize=9))
        return drawing
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 28, 18, width - 40, height - 26
    chart.data = [[c for _, c, _ in d.weeks]]
    chart.bars[0].fillColor = colors.HexColor("#3d6fb6")
    chart.bars[0].strokeColor = None
    top = max(c for _, c, _ in d.weeks)
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max(4, top + 1)
    chart.valueAxis.valueStep = max(1, (top + 4) // 5)
    chart.valueAxis.labels.fontSize = 7
    step = max(1, len(d.weeks) // 12)
    chart.categoryAxis.categoryNames = [
        m.strftime("%d %b") if i % step == 0 else "" for i, (m, _, _) in enumerate(d.weeks)
    ]
    chart.categoryAxis.labels.fontSize = 7
    chart.barLabelFormat = "%d" if len(d.weeks) <= 26 else None
    chart.barLabels.fontSize = 6.5
    chart.barLabels.nudge = 5
    drawing.add(chart)
    drawing.add(String(0, height - 6, "cramps", fontSize=7, fillColor=colors.grey))
    return drawing


def _pain_chart(d: ReportData, width: float, height: float) -> Drawing:
    """Weekly median pain as a line under the bars, same weeks on the x axis."""
    drawing = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y, chart.width, chart.height = 28, 6, width - 40, height - 10
    chart.data = [list(d.week_pain)]
    chart.lines[0].strokeColor = colors.HexColor("#b04a3d")
    chart.lines[0].strokeWidth = 1.5
    chart.joinedLines = True
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 10, 5
    chart.valueAxis.labels.fontSize = 7
    chart.categoryAxis.categoryNames = ["" for _ in d.week_pain]
    chart.categoryAxis.visibleTicks = False
    drawing.add(chart)
    return drawing
