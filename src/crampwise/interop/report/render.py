"""The clinician report laid out on A4 (PDF, reportlab; charts drawn with reportlab.graphics,
no matplotlib): one page, two when a saved assessment, experiments or medicines need the room.

Everything printed is plain words: no ids, no key=value (tests read the PDF's text)."""

from __future__ import annotations

import io
from typing import Any

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

from crampwise.interop.report.charts import pain_chart, week_chart
from crampwise.interop.report.gather import ReportData
from crampwise.interop.report.words import (
    compared,
    count,
    factor_name,
    more_cramps_when,
    summary_rows,
)
from crampwise.knowledge import labels

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


def _trigger_rows(d: ReportData) -> tuple[list[list[str]], str]:
    t = d.triggers
    if t is None:
        return [], d.triggers_error or "not available"
    if not t.enough_data and not t.nights:
        return [], f"Not enough data yet: no nights recorded ({t.nights_needed} nights needed)."
    if not t.enough_data:
        return [], (
            f"Not enough data yet: {count(t.nights, 'night')}, {t.cramp_nights} with cramps "
            f"(about {t.nights_needed} more nights needed)."
        )
    rows = []
    for f in t.significant[:MAX_TRIGGERS]:
        lo, hi = f.effect.ci95
        rows.append([
            factor_name(f), more_cramps_when(f), f"{f.effect.estimate:.2f} ({lo:.2f}-{hi:.2f})",
            compared(f, d.units), "< 0.001" if f.q_value < 0.001 else f"{f.q_value:.3f}",
        ])  # fmt: skip
    tested = len(t.findings)
    found = len(t.significant)
    note = f"{found} of {tested} factors tested (each on the same day and the day before) "
    note += "stood out at a false discovery rate of 10%"
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
    story.append(Table(summary_rows(d), colWidths=[38 * mm, 142 * mm], style=grid))
    story.append(Paragraph("Cramps per week", h2))
    story.append(week_chart(d, 180 * mm, 46 * mm))
    if d.pain_points:
        story.append(
            Paragraph("Pain of each rated cramp (0-10; the line joins weekly medians)", h3)
        )
        story.append(pain_chart(d, 180 * mm, 26 * mm))
    story.append(Paragraph("Triggers found in this diary", h2))
    rows, note = _trigger_rows(d)
    if rows:
        head = ["Factor", "More cramps with", "Rate ratio (95% CI)", "Compared", "q"]
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


def _because(item: object) -> str | None:
    """One reason a warning sign was raised, in words; None for what has no words."""
    text = str(item)
    if text in labels.SYMPTOM_LABELS:
        return labels.symptom_words(text)
    if text in labels.CONDITION_LABELS:  # a noun for the clinician, not "you have ..."
        return labels.CONDITION_LABELS[text].lower()
    if "=" in text:  # a measured fact ("age=64"): the title already says what it means
        return None
    return text.replace("_", " ")


def _red_flags(d: ReportData, body: ParagraphStyle, h2: ParagraphStyle) -> list[Flowable]:
    a: dict[str, Any] | None = d.assessment
    if not a:
        return [Paragraph("Warning signs: no assessment saved.", body)]
    triage = a.get("triage", {})
    level = triage.get("level", "")
    out: list[Flowable] = [Paragraph(f"Last assessment ({d.assessed_on:%d %b %Y})", h2)]
    colour = {"emergency": "#b00020", "urgent": "#c75000"}.get(level, "#222222")
    words = TRIAGE_WORDS.get(level, "Not graded")
    out.append(Paragraph(f'<font color="{colour}"><b>{_esc(words)}</b></font>', body))
    for reason in triage.get("reasons", [])[:6]:
        # The saved plain words name what was meant ("you take Lipitor (atorvastatin, a
        # statin)"); a result saved without them falls back to the codes put into words.
        because = [str(b) for b in reason.get("because_text", []) if b] or [
            w for w in (_because(b) for b in reason.get("because", [])) if w
        ]
        title = str(reason.get("title", "Warning sign"))
        # "Chest pain (chest pain)" says nothing twice: drop a reason that only repeats it.
        because = [b for b in because if b.strip(" .").lower() != title.strip(" .").lower()]
        said = f" ({_esc(', '.join(because))})" if because else ""
        out.append(Paragraph(f"- {_esc(title)}{said}", body))
    return out


def _experiment_block(d: ReportData, style: TableStyle, body: ParagraphStyle) -> list[Flowable]:
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10)
    if not d.experiments:
        return [Paragraph("None run.", body)]
    head = ["Remedy", "Dates", "Nights on/off", "Rate ratio on/off (95% CI)", "Chance it helps",
            "Verdict"]  # fmt: skip
    rows: list[list[Any]] = [[Paragraph(f"<b>{h}</b>", cell) for h in head]]
    # The most recent ones, in calendar order.
    shown = sorted(d.experiments[-MAX_EXPERIMENTS:], key=lambda e: (e.start, e.end))
    for e in shown:
        rr = (
            f"{e.rate_ratio:.2f} ({e.ci95[0]:.2f}-{e.ci95[1]:.2f})"
            if e.rate_ratio and e.ci95
            else "-"
        )
        ph = f"{100 * e.probability_helps:.0f}%" if e.probability_helps is not None else "-"
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
    widths = [32 * mm, 30 * mm, 20 * mm, 38 * mm, 22 * mm, 38 * mm]
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
        if m.from_assessment:
            taken = "named in the assessment"
        else:
            start = f"{m.started:%d %b %Y}" if m.started else "start not given"
            taken = f"{start} - {f'{m.stopped:%d %b %Y}' if m.stopped else 'now'}"
        if m.linked_to_cramps is None:
            link = "not recognised"
        else:
            link = "YES - review" if m.linked_to_cramps else "no"
        name = f"{m.name} ({m.generic})" if m.generic else m.name
        rows.append([name, (m.drug_class or "-").replace("_", " "), taken, link])
    widths = [45 * mm, 45 * mm, 50 * mm, 40 * mm]
    out: list[Flowable] = [Table(rows, colWidths=widths, style=style, repeatRows=1)]
    if len(ordered) > MAX_MEDICINES:
        rest = ", ".join(m.name for m in ordered[MAX_MEDICINES:])
        out.append(
            Paragraph(_esc(f"Also taken (not linked to cramps or not recognised): {rest}."), body)
        )
    return out
