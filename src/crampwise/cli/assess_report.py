"""Rich rendering of assessments, the guide and the bibliography for a person at a terminal.

Imported only when a human report is printed: `--format json` never loads Rich.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.panel import Panel
from rich.table import Table

from crampwise.assess.guide import PHASE_TITLES
from crampwise.cli.common import console

if TYPE_CHECKING:
    from crampwise.assess.assessment import AssessmentResult
    from crampwise.assess.guide import Section
    from crampwise.knowledge.models import Source

LEVEL_STYLE = {
    "emergency": "bold white on red",
    "urgent": "bold black on dark_orange",
    "routine": "bold white on blue",
    "self_care": "bold black on green",
}
LEVEL_COLOUR = {
    "emergency": "red",
    "urgent": "dark_orange",
    "routine": "blue",
    "self_care": "green",
}
GRADE_STYLE = {
    "high": "bold green",
    "moderate": "green",
    "low": "yellow",
    "very_low": "red",
    "expert_opinion": "magenta",
}


def grade(text: str | None) -> str:
    """A grade as a coloured tag, e.g. [low evidence]."""
    if not text:
        return ""
    return f"[{GRADE_STYLE[text]}]\\[{text.replace('_', ' ')}][/]"


def srcs(ids: Sequence[str]) -> str:
    """Source ids as a dim bracketed list, e.g. (allen2012, hallegraeff2017)."""
    return f"[dim]({', '.join(ids)})[/]" if ids else ""


def print_assessment(result: AssessmentResult) -> None:
    """Triage first and unmistakable, then medicines, causes, plan, things to avoid."""
    out = console()
    t = result.triage
    body = [f"[bold]{t.action}[/]", ""]
    for r in t.reasons:
        because = f" [dim]because: {', '.join(r.because)}[/]" if r.because else ""
        body.append(f"[{LEVEL_COLOUR[r.level]}]■[/] [bold]{r.title}[/]{because}")
        body.append(f"  {r.advice} {srcs(r.sources)}")
    out.print(
        Panel(
            "\n".join(body),
            title=f"[{LEVEL_STYLE[t.level]}] {t.title} [/]",
            border_style=LEVEL_COLOUR[t.level],
            expand=True,
        )
    )

    if result.medications:
        out.print("\n[bold underline]Your medicines[/]")
        for m in result.medications:
            if not m.recognised:
                out.print(f"  [yellow]?[/] {m.input}: [yellow]not recognised[/]. {m.advice}")
                continue
            mark = "[red]●[/]" if m.linked_to_cramps else "[green]○[/]"
            name = m.generic if m.generic == m.input.lower() else f"{m.input} → {m.generic}"
            out.print(f"  {mark} {name} [dim]({m.class_label})[/]: {m.advice} {srcs(m.sources)}")

    out.print("\n[bold underline]Likely contributors[/] [dim](best supported first)[/]")
    if result.causes:
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1))
        table.add_column("Cause")
        table.add_column("Support", justify="right")
        table.add_column("Evidence")
        table.add_column("Because")
        for c in result.causes:
            bar = "█" * max(1, round(c.score * 10))
            table.add_row(c.title, f"{bar} {c.score:.2f}", grade(c.evidence), ", ".join(c.because))
        out.print(table)
        for c in result.causes[:3]:
            out.print(f"  [bold]{c.title}[/] {grade(c.evidence)}: {c.summary} {srcs(c.sources)}")
    out.print(f"  [dim]{result.note}[/]")

    out.print("\n[bold underline]Your plan[/]")
    phase = None
    for p in result.plan:
        if p.when != phase:
            phase = p.when
            out.print(f"\n [bold]{PHASE_TITLES.get(phase, phase)}[/]")
        out.print(f"  • [bold]{p.title}[/] {grade(p.evidence)} {srcs(p.sources)}")
        if p.replaces:
            out.print(f"    [bold yellow]Instead of the warm footbath:[/] {p.replacement_reason}")
        out.print(f"    {p.how}")
        out.print(f"    [dim]Evidence: {p.evidence_note}[/]")
        for caution in p.cautions:
            out.print(f"    [bold red]![/] {caution.text}")

    out.print("\n[bold underline]Avoid[/]")
    for a in result.avoid:
        out.print(f"  ✗ [bold]{a.title}[/] {grade(a.evidence)}: {a.why} {srcs(a.sources)}")
    out.print(f"\n[dim]Sources: `crampwise sources`. Knowledge {result.knowledge_version}.[/]")
    out.print(f"[italic]{result.disclaimer}[/]")


def print_sources(sources: list[Source]) -> None:
    out = console()
    for s in sources:
        link = (s.doi and f"doi:{s.doi}") or s.url or ""
        out.print(f"[bold]{s.id}[/] [dim]\\[{s.status}][/] {s.citation} {link}")
        if s.note:
            out.print(f"    [dim]{s.note}[/]")


def print_guide(sections: list[Section]) -> None:
    out = console()
    for section in sections:
        out.rule(f"[bold]{section.title}")
        for para in section.intro:
            out.print(para + "\n")
        for item in section.items:
            label = f"[dim]{item.label}[/] " if item.label else ""
            out.print(f"[bold]{item.title}[/] {label}{grade(item.evidence)}")
            if item.seed_claim:
                out.print(f"  [italic]The article says:[/] {item.seed_claim}")
            out.print(f"  {item.text}")
            if item.evidence_note:
                out.print(f"  [dim]Evidence: {item.evidence_note}[/]")
            if item.sources:
                out.print(f"  {srcs(item.sources)}")
            out.print()
