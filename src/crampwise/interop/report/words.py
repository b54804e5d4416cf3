"""The report's figures in words: robust summaries (median and the middle half, never a
negative range), rates only with enough nights, durations in minutes, units as chosen."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from datetime import date

from crampwise.analysis.design import factor_label
from crampwise.analysis.results import Finding
from crampwise.analysis.wording import level_words, step_text
from crampwise.diary.units import duration_text
from crampwise.interop.report.gather import MIN_RATE_NIGHTS, ReportData
from crampwise.knowledge import labels

# Up to this many values are listed one by one: quartiles of three numbers mean nothing.
LIST_UP_TO = 4


def day(d: date) -> str:
    """A date as the report prints it: 05 Jan 2026."""
    return f"{d:%d %b %Y}"


def count(n: int, noun: str) -> str:
    """'1 night', '3 nights': a count with its noun in the right number."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def number(x: float) -> str:
    """6, 6.5: no trailing .0."""
    return f"{round(x, 1):g}"


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """Lower quartile, median, upper quartile, always within the values' own range."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    # "inclusive" interpolates between observed values; the default ("exclusive") reaches
    # past them and gave "IQR -22.5-148.5" for durations that cannot be negative.
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, float(statistics.median(values)), q3


def spread(
    values: Sequence[float],
    fmt: Callable[[float], str] = number,
    *,
    noun: tuple[str, str],
    top: str,
) -> str:
    """Median, middle half and the largest of some values, or the values themselves when few.

    noun: what one value is, singular and plural ("cramp rated", "cramps rated");
    top: the word for the largest ("worst", "longest").
    """
    counted = f"{len(values)} {noun[0] if len(values) == 1 else noun[1]}"
    if not values:
        return "not recorded"
    if len(values) <= LIST_UP_TO:
        listed = ", ".join(fmt(v) for v in sorted(values))
        return f"{listed} ({counted})"
    q1, median, q3 = quartiles(values)
    low, high = fmt(q1), fmt(q3)
    middle = low if low == high else f"{low} to {high}"
    return f"median {fmt(median)}; middle half {middle}; {top} {fmt(max(values))} ({counted})"


def summary_rows(d: ReportData) -> list[list[str]]:
    """The summary table: label and words."""
    span = (d.last - d.first).days + 1
    nights = f"{d.nights} of the {span} nights from {day(d.first)} to {day(d.last)}"
    if not d.nights:
        nights = f"No nights recorded from {day(d.first)} to {day(d.last)}"
    rows = [
        ["Nights in diary", nights],
        ["Cramps", _cramps(d)],
        ["Pain (0-10)", spread(d.pain, noun=("cramp rated", "cramps rated"), top="worst")],
        ["Duration", _durations(d.durations)],
        ["Woken by cramps", _woken(d)],
        ["Where", _where(d)],
    ]
    if d.assessed_on is not None:
        names = [labels.CONDITION_LABELS.get(c, c.replace("_", " ")) for c in d.conditions]
        said = ", ".join(names[:1] + [_lower_first(n) for n in names[1:]]) or "None given"
        rows.append([f"Conditions ({d.assessed_on:%d %b %Y})", said])
    return rows


def _cramps(d: ReportData) -> str:
    """'12 on 9 of 28 nights; about 3 per week', or plainly that there are none."""
    if not d.nights:
        return "No cramps recorded; no nights recorded"
    if d.nights < MIN_RATE_NIGHTS:
        rate = f"{count(d.nights, 'night')}: too few for a weekly rate"
    else:
        rate = f"about {number(d.per_week or 0.0)} per week"
    if not d.cramps:
        return f"No cramps recorded in {count(d.nights, 'night')}; {rate}"
    return f"{d.cramps} on {d.cramp_nights} of {count(d.nights, 'night')}; {rate}"


def _lower_first(text: str) -> str:
    """'Diabetes' → 'diabetes' inside a list; 'Parkinson's disease' and 'IBS' stay."""
    first = text.split(" ", 1)[0]
    keep = first.isupper() or first.endswith("'s") or first in ("Parkinson", "Achilles")
    return text if keep else text[:1].lower() + text[1:]


def _durations(seconds: list[int]) -> str:
    timed = [float(s) for s in seconds]
    return spread(timed, duration_text, noun=("cramp timed", "cramps timed"), top="longest")


def _woken(d: ReportData) -> str:
    if not d.woke_known:
        return "not recorded"
    share = f"{100 * d.woke / d.woke_known:.0f}%"
    text = (
        f"{d.woke} of {d.woke_known} cramps woke the person ({share}); "
        f"woken on {d.nights_woken} of {count(d.nights, 'night')}"
    )
    unknown = sum(d.muscles.values()) - d.woke_known
    return text + (f"; not recorded for {unknown} cramps" if unknown > 0 else "")


def _where(d: ReportData) -> str:
    muscles = ", ".join(
        f"{labels.MUSCLE_LABELS.get(m, m.replace('_', ' ')).lower()} {n}"
        for m, n in d.muscles.most_common()
    )
    if not muscles:
        return "not recorded"
    sides = [f"{s} {d.sides[s]}" for s in ("left", "right", "both") if d.sides[s]]
    if d.sides[""] and sides:
        sides.append(f"side not said {d.sides['']}")
    return muscles + (f"; {', '.join(sides)}" if sides else "")


def factor_name(finding: Finding) -> str:
    """The factor (and level) as people read it: 'Exercise intensity: hard'."""
    label, _ = factor_label(finding.factor)
    name = label[:1].upper() + label[1:]
    level = level_words(finding.factor, finding.level)
    return name if level is None else f"{name}: {level}"


def more_cramps_when(finding: Finding) -> str:
    """Which side of the factor went with more cramps, and when."""
    when = "that day" if finding.lag_days == 0 else "the day before"
    if finding.kind == "numeric":
        return f"{finding.direction} values, {when}"
    if finding.kind == "boolean":
        return f"{'yes' if finding.direction == 'present' else 'no'}, {when}"
    return f"{'this' if finding.direction == 'present' else 'any other'} level, {when}"


def compared(finding: Finding, units: str) -> str:
    """What the rate ratio compares, in the person's units ('per 9 °F lower')."""
    if finding.kind == "numeric":
        return f"per {step_text(finding, units)}"
    if finding.kind == "boolean":
        return "yes vs no"
    return "this level vs any other"
