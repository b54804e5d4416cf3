"""Plain-language sentences for trigger findings: what went with what, and how sure we are."""

from __future__ import annotations

from crampwise.analysis.design import factor_label
from crampwise.analysis.results import Finding
from crampwise.diary.units import amount_text, unit_system

__all__ = ["describe", "ratio", "step_text", "sureness"]


def ratio(x: float) -> str:
    """A rate ratio as people read it: 2.4×, 0.52×."""
    return f"{x:.2g}×" if x < 1 else f"{x:.1f}×" if x < 10 else f"{x:.0f}×"


def _q(q: float) -> str:
    return "q < 0.001" if q < 0.001 else f"q = {q:.2g}"


def sureness(q: float) -> str:
    """How sure, in words, from the false-discovery-adjusted q-value."""
    if q <= 0.01:
        return f"very likely real ({_q(q)})"
    if q <= 0.05:
        return f"likely real ({_q(q)})"
    if q <= 0.10:
        return f"probably real, worth confirming ({_q(q)})"
    if q <= 0.25:
        return f"only a hint, not established ({_q(q)})"
    return f"no good evidence ({_q(q)})"


def step_text(finding: Finding, units: str = "metric") -> str:
    """A numeric finding's step in the person's units: '5 °C lower', or '9 °F lower'."""
    if unit_system(units) == "metric":
        return finding.effect.per  # the analysis works in the stored (metric) units
    _, unit = factor_label(finding.factor)
    return f"{amount_text(finding.effect.step, unit, units)} {finding.direction}"


def describe(finding: Finding, units: str = "metric", level_words: str | None = None) -> str:
    """One sentence: "On nights after a day when exercise was 50 min higher, you had 1.3× as
    many cramps (1.2–1.5×); very likely real (q < 0.001)."

    units: the person's unit system ('metric' or 'us') for the step of a numeric factor;
    level_words: a categorical level as people say it ('on your front' for 'prone').
    """
    label, _ = factor_label(finding.factor)
    effect = finding.effect
    when = "On nights after" if finding.lag_days == 0 else "On the second night after"
    if finding.kind == "numeric":
        what = f"a day when {label} was {step_text(finding, units)}"
    elif finding.kind == "boolean":
        what = f"a day when “{label}” was yes (vs no)"
    else:
        what = f"a day when {label} was '{level_words or finding.level}' (vs anything else)"
    ci = f"{ratio(effect.ci95[0]).rstrip('×')}–{ratio(effect.ci95[1])}"
    return (
        f"{when} {what}, you had {ratio(effect.estimate)} as many cramps ({ci}); "
        f"{sureness(finding.q_value)}."
    )
