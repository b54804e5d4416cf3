"""The clinician report: at most two A4 pages a doctor can read in a minute (PDF, reportlab).

`gather_report` collects the figures from a diary (pure data, testable on its own);
`render_report` lays them out; `diary_report` does both. Charts use reportlab.graphics.
"""

from __future__ import annotations

import io
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from crampwise.diary.daytable import DayTable
from crampwise.diary.model import BUILTIN_BY_NAME, Episode, Medicine

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


@dataclass
class ExperimentLine:
    """One experiment as the report shows it."""

    title: str
    start: date
    end: date
    status: str
    verdict: str | None = None
    rate_ratio: float | None = None
    ci95: tuple[float, float] | None = None
    probability_helps: float | None = None
    nights_on: int = 0
    nights_off: int = 0


@dataclass
class MedicineLine:
    """A medicine from the diary, with whether the knowledge base links it to cramps."""

    name: str
    started: date | None
    stopped: date | None
    linked_to_cramps: bool | None  # None: not known to the knowledge base / not checked
    drug_class: str | None = None


@dataclass
class ReportData:
    """Everything the two pages show."""

    user: str
    first: date
    last: date
    nights: int
    cramp_nights: int
    cramps: int
    weeks: list[tuple[date, int, int]]  # (Monday, cramps, nights logged that week)
    week_pain: list[float | None]  # median pain of that week's cramps (None: none rated)
    pain: list[float]
    durations: list[int]
    woke: int
    woke_known: int
    nights_woken: int
    muscles: Counter[str]
    triggers: Any = None  # crampwise.analysis.triggers.TriggerReport
    triggers_error: str | None = None
    experiments: list[ExperimentLine] = field(default_factory=list)
    medicines: list[MedicineLine] = field(default_factory=list)
    assessment: dict[str, Any] | None = None
    assessed_on: date | None = None
    today: date | None = None

    @property
    def per_week(self) -> float:
        return 7 * self.cramps / self.nights if self.nights else 0.0


def _weeks(table: DayTable) -> list[tuple[date, int, int]]:
    if not table.dates:
        return []
    by_week: dict[date, list[int]] = {}
    for d, c in zip(table.dates, table.cramps, strict=True):
        by_week.setdefault(d - timedelta(days=d.weekday()), []).append(c)
    monday = min(by_week)
    out = []
    while monday <= max(by_week):
        counts = by_week.get(monday, [])
        out.append((monday, sum(counts), len(counts)))
        monday += timedelta(days=7)
    return out


def _week_pain(weeks: list[tuple[date, int, int]], episodes: list[Episode]) -> list[float | None]:
    by_week: dict[date, list[int]] = {}
    for e in episodes:
        if e.pain is not None:
            by_week.setdefault(e.night - timedelta(days=e.night.weekday()), []).append(e.pain)
    return [float(statistics.median(by_week[m])) if m in by_week else None for m, _, _ in weeks]


def _experiments(diary: Any, table: DayTable, today: date) -> list[ExperimentLine]:
    from crampwise.experiments.plan import ExperimentPlan
    from crampwise.experiments.status import analyze_plan
    from crampwise.interop.ics import intervention_title

    lines = []
    for record in sorted(diary.experiments(), key=lambda r: (r.created_at, r.id)):
        plan = ExperimentPlan.from_dict({
            "intervention": record.intervention, "periods": record.schedule,
            "washout_days": record.washout_days, "column": record.factor,
        })  # fmt: skip
        line = ExperimentLine(
            intervention_title(record.intervention), plan.start, plan.end, record.status
        )
        if today >= plan.start:
            result = analyze_plan(plan, table, today)
            line.verdict = result.verdict
            line.nights_on, line.nights_off = result.nights_on, result.nights_off
            line.probability_helps = result.probability_helps
            if result.effect is not None:
                low, high = result.effect.ci95
                line.rate_ratio, line.ci95 = result.effect.estimate, (low, high)
        lines.append(line)
    return lines


def _medicine_lines(meds: list[Medicine], assessment: dict[str, Any] | None) -> list[MedicineLine]:
    """Each diary medicine matched against the knowledge base (as `crampwise assess` does);
    a name it does not recognise falls back to what the last saved assessment said."""
    from crampwise.assess.medicines import match_medicine
    from crampwise.knowledge import load_knowledge

    knowledge = load_knowledge()
    saved = {str(e.get("input", "")).lower(): e for e in (assessment or {}).get("medications", [])}
    lines = []
    for med in meds:
        match = match_medicine(med.name, knowledge)
        linked: bool | None = match.linked_to_cramps if match.recognised else None
        label = match.class_label
        if linked is None and med.name.lower() in saved:
            linked = bool(saved[med.name.lower()].get("linked_to_cramps"))
            label = saved[med.name.lower()].get("class")
        lines.append(MedicineLine(med.name, med.started, med.stopped, linked, label))
    return lines


def gather_report(
    diary: Any, user: str, first: date | None, last: date | None, today: date
) -> ReportData:
    """Collect the report's figures from a `crampwise.store.UserDiary` (nights first..last)."""
    full = diary.day_table()
    last = last or (full.dates[-1] if full.dates else today)
    first = first or (full.dates[0] if full.dates else last - timedelta(days=27))
    table = full.window(first, last)
    episodes: list[Episode] = diary.episodes(first, last)
    pains = [float(e.pain) for e in episodes if e.pain is not None]
    woke_known = [e.woke for e in episodes if e.woke is not None]
    data = ReportData(
        user=user, first=first, last=last, nights=len(table), cramps=sum(table.cramps),
        cramp_nights=sum(1 for c in table.cramps if c > 0), weeks=_weeks(table), pain=pains,
        week_pain=_week_pain(_weeks(table), episodes),
        durations=[e.duration_s for e in episodes if e.duration_s is not None],
        woke=sum(1 for w in woke_known if w), woke_known=len(woke_known),
        nights_woken=len({e.night for e in episodes if e.woke}),
        muscles=Counter(e.muscle for e in episodes), today=today,
    )  # fmt: skip
    try:
        from crampwise.analysis.triggers import find_triggers

        data.triggers = find_triggers(table)
    except ImportError as exc:  # pragma: no cover - only while the analysis is missing
        data.triggers_error = f"not available ({exc})"
    data.experiments = _experiments(diary, full, today)
    record = diary.latest_assessment()
    if record is not None:
        data.assessment, data.assessed_on = record.result, record.created_at.date()
    data.medicines = _medicine_lines(diary.medicines(), data.assessment)
    return data


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


def diary_report(
    diary: Any, user: str, first: date | None = None, last: date | None = None, *, today: date
) -> bytes:
    """The clinician report of one user's diary as PDF bytes."""
    return render_report(gather_report(diary, user, first, last, today))


def render_report(d: ReportData) -> bytes:
    """Lay out the report on at most two A4 pages."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

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

    story: list[Any] = [
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
    story += _experiment_block(d, header, body, mm)
    story.append(Paragraph("Medicines", h2))
    story += _medicine_block(d, header, body, mm)
    story += [Spacer(1, 6), Paragraph(_esc(METHOD_LINE), small)]

    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=12 * mm,
        bottomMargin=12 * mm, title=f"crampwise report - {d.user}", author="crampwise",
    )  # fmt: skip

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(colors.grey)
        canvas.drawRightString(A4[0] - 15 * mm, 7 * mm, f"crampwise report - page {doc.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buf.getvalue()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _red_flags(d: ReportData, body: Any, h2: Any) -> list[Any]:
    from reportlab.platypus import Paragraph

    a = d.assessment
    if not a:
        return [Paragraph("Red flags: no assessment saved.", body)]
    triage = a.get("triage", {})
    level = triage.get("level", "")
    out = [Paragraph(f"Last assessment ({d.assessed_on:%d %b %Y})", h2)]
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


def _experiment_block(d: ReportData, style: Any, body: Any, mm: float) -> list[Any]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table

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
    out: list[Any] = [Table(rows, colWidths=widths, style=style, repeatRows=1)]
    if len(d.experiments) > len(shown):
        out.append(
            Paragraph(f"{len(d.experiments) - len(shown)} earlier experiments not shown.", body)
        )
    return out


def _medicine_block(d: ReportData, style: Any, body: Any, mm: float) -> list[Any]:
    from reportlab.platypus import Paragraph, Table

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
    out: list[Any] = [Table(rows, colWidths=widths, style=style, repeatRows=1)]
    if len(ordered) > MAX_MEDICINES:
        rest = ", ".join(m.name for m in ordered[MAX_MEDICINES:])
        out.append(
            Paragraph(_esc(f"Also taken (not linked to cramps or not recognised): {rest}."), body)
        )
    return out


def _week_chart(d: ReportData, width: float, height: float) -> Any:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing, String
    from reportlab.lib import colors

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


def _pain_chart(d: ReportData, width: float, height: float) -> Any:
    """Weekly median pain as a line under the bars, same weeks on the x axis."""
    from reportlab.graphics.charts.linecharts import HorizontalLineChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors

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
