"""Rich rendering of assessments, the guide and the bibliography for a person at a terminal.

Imported only when a human report is printed: `--format json` never loads Rich.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from rich.panel import Panel
from rich.table import Table

from crampwise.cli.common import console, hanging
from crampwise.knowledge import load_knowledge
from crampwise.knowledge.labels import GRADE_LABELS, SOURCE_STATUS_LABELS, short_citation

if TYPE_CHECKING:
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
    return f"[{GRADE_STYLE[text]}]\\[evidence: {GRADE_LABELS.get(text, text)}][/]"


def srcs(ids: Sequence[str]) -> str:
    """Sources as short references, e.g. (Allen RE et al. (2012); NHS (2023))."""
    if not ids:
        return ""
    sources = load_knowledge().sources
    names = [
        short_citation(sources[i].citation, sources[i].year) if i in sources else i for i in ids
    ]
    return f"[dim]({'; '.join(names)})[/]"


def _words(items: Sequence[str]) -> str:
    return ", ".join(items)


def print_assessment(result: dict[str, Any], saved_on: date | None = None) -> None:
    """A short summary first (level, what to do now, top causes, tonight), then the detail.

    `result` is `crampwise.assess.plain.plain_result`: everything printed is in words.
    """
    out = console()
    summary = result["summary"]
    level = summary["level"]
    body = []
    if saved_on is not None:
        body += [f"[dim]Saved on {saved_on.day} {saved_on:%B %Y}.[/]", ""]
    body += [f"[bold]{summary['action']}[/]", ""]
    for r in summary["reasons"]:
        because = f" [dim]because {_words(r['because_text'])}[/]" if r["because_text"] else ""
        body.append(f"[{LEVEL_COLOUR[level]}]■[/] [bold]{r['title']}[/]{because}")
    if summary["now"] and level != "self_care":
        body += ["", "[bold]What to do now[/]", *summary["now"]]
    out.print(
        Panel(
            "\n".join(body),
            title=f"[{LEVEL_STYLE[level]}] {summary['title']} [/]",
            border_style=LEVEL_COLOUR[level],
            expand=True,
        )
    )
    if summary["top_causes"]:
        out.print("\n[bold underline]Most likely contributors[/]")
        for c in summary["top_causes"]:
            because = f": because {_words(c['because_text'])}" if c["because_text"] else ""
            out.print(hanging(f"[bold]{c['title']}[/]{because}", 2, "•"))
    if summary["tonight"]:
        out.print("\n[bold underline]Tonight[/]")
        for p in summary["tonight"]:
            out.print(hanging(f"[bold]{p['title']}[/] [dim]({p['when_text'].lower()})[/]", 2, "•"))
    # Held back with no replacement (massage while a clot is possible): say so, with why.
    # A replaced remedy is explained at its replacement in the plan.
    for w in result.get("withheld_text", []):
        if not w.get("instead"):
            out.print(
                hanging(f"[bold red]Not now: {w['title']}[/]. {w['why']}", 2, "[bold red]✗[/]")
            )
    out.print("\n[bold]In detail[/]")
    _detail(result)


def _detail(result: dict[str, Any]) -> None:
    out = console()
    reasons = result["triage"]["reasons"]
    out.print("\n[bold underline]Warning signs checked[/]")
    for r in reasons:
        because = f" [dim]because {_words(r['because_text'])}[/]" if r["because_text"] else ""
        mark = f"[{LEVEL_COLOUR[r['level']]}]■[/]"
        out.print(hanging(f"[bold]{r['title']}[/]{because}", 2, mark))
        out.print(hanging(f"{r['advice']} {srcs(r['sources'])}", 4))

    if result["medications"]:
        out.print("\n[bold underline]Your medicines[/]")
        for m in result["medications"]:
            if not m["recognised"]:
                said = f"{m['input']}: [yellow]not recognised[/]. {m['advice']}"
                out.print(hanging(said, 2, "[yellow]?[/]"))
                continue
            mark = "[red]●[/]" if m["linked_to_cramps"] else "[green]○[/]"
            said = f"{m['name_text']}: {m['advice_text']} {srcs(m['sources'])}"
            out.print(hanging(said, 2, mark))

    out.print("\n[bold underline]Likely contributors[/] [dim](best supported first)[/]")
    if result["causes"]:
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1))
        table.add_column("Cause")
        table.add_column("Support", justify="right")
        table.add_column("Evidence")
        table.add_column("Because")
        for c in result["causes"]:
            bar = "█" * max(1, round(c["score"] * 10))
            table.add_row(c["title"], bar, grade(c["evidence"]), _words(c["because_text"]))
        out.print(table)
        for c in result["causes"][:3]:
            out.print(
                hanging(
                    f"[bold]{c['title']}[/] {grade(c['evidence'])}: {c['summary_text']} "
                    f"{srcs(c['sources'])}"
                )
            )
    out.print(hanging(f"[dim]{result['note']}[/]"))

    out.print("\n[bold underline]Your plan[/]")
    phase = None
    for p in result["plan"]:
        if p["when"] != phase:
            phase = p["when"]
            out.print(f"\n [bold]{p['when_text']}[/]")
        title = f"[bold]{p['title']}[/] {grade(p['evidence'])} {srcs(p['sources'])}"
        out.print(hanging(title, 2, "•"))
        if p.get("replaces"):
            instead = (p.get("replaces_title") or "the usual remedy").lower()
            said = f"[bold yellow]Instead of {instead}:[/] {p['replacement_reason']}"
            out.print(hanging(said, 4))
        out.print(hanging(p["how"], 4))
        if p["evidence_note_text"]:
            out.print(hanging(f"[dim]Evidence: {p['evidence_note_text']}[/]", 4))
        for caution in p["cautions"]:
            out.print(hanging(caution, 4, "[bold red]![/]"))

    out.print("\n[bold underline]Avoid[/]")
    for a in result["avoid"]:
        said = f"[bold]{a['title']}[/] {grade(a['evidence'])}: {a['why']} {srcs(a['sources'])}"
        out.print(hanging(said, 2, "✗"))
    out.print(f"\n[dim]Sources: `crampwise sources`. Knowledge {result['knowledge_version']}.[/]")
    out.print(f"[italic]{result['disclaimer']}[/]")


def print_sources(sources: list[Source]) -> None:
    """Each source as a reader needs it: the citation, its year, how it was checked and where
    to find it (how its details were verified is for the knowledge base's reviewers)."""
    from rich.markup import escape

    out = console()
    for s in sources:
        link = f"https://doi.org/{s.doi}" if s.doi else s.url
        status = SOURCE_STATUS_LABELS.get(s.status, s.status)
        out.print(hanging(escape(s.citation), 0, "•"))
        where = f" · {escape(link)}" if link else ""
        out.print(hanging(f"[dim]{s.year} · {escape(status)}[/]{where}", 2))


def print_guide(sections: list[Section]) -> None:
    out = console()
    for section in sections:
        out.rule(f"[bold]{section.title}")
        for para in section.intro:
            out.print(para + "\n")
        for item in section.items:
            label = f"[dim]{item.label}[/] " if item.label else ""
            out.print(f"[bold]{item.title}[/] {label}{grade(item.evidence)}")
            if item.not_for_you:
                said = f"[bold red]Not for you now[/] (your saved assessment): {item.not_for_you}"
                out.print(hanging(said))
            if item.seed_claim:
                out.print(hanging(f"[italic]The article says:[/] {item.seed_claim}"))
            out.print(hanging(item.text))
            if item.evidence_note:
                out.print(hanging(f"[dim]Evidence: {item.evidence_note}[/]"))
            if item.sources:
                out.print(hanging(srcs(item.sources)))
            out.print()
