"""Plain-language sentences for trigger findings: what went with what, and how sure we are."""

from __future__ import annotations

import math

from crampwise.analysis.design import factor_label
from crampwise.analysis.results import Finding
from crampwise.diary.units import amount_text, unit_system
from crampwise.knowledge.labels import CHOICE_LABELS

__all__ = [
    "describe",
    "finding_sentence",
    "level_words",
    "ratio",
    "ratio_words",
    "step_text",
    "sure_words",
    "sureness",
]


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


# Fractions people say, nearest on a log scale.
_FRACTIONS = (
    (0.1, "about a tenth as frequent"),
    (0.2, "about a fifth as frequent"),
    (0.25, "about a quarter as frequent"),
    (1 / 3, "about a third as frequent"),
    (0.5, "about half as frequent"),
    (2 / 3, "about two thirds as frequent"),
    (0.8, "a little less frequent"),
)


def ratio_words(x: float) -> str:
    """A rate ratio in words: 0.23 → "about a quarter as frequent", 2.1 → "about twice as
    frequent", 1.05 → "about as frequent"."""
    if not x > 0 or math.isinf(x):
        return "of unclear frequency"
    if 0.9 <= x <= 1.12:
        return "about as frequent"
    if x < 1:
        if x < 0.07:
            return "less than a tenth as frequent"
        return min(_FRACTIONS, key=lambda f: abs(math.log(x / f[0])))[1]
    if x < 1.4:
        return "a little more frequent"
    if x < 1.75:
        return "about one and a half times as frequent"
    if x < 2.5:
        return "about twice as frequent"
    return f"about {round(x)} times as frequent"


def sure_words(finding: Finding) -> str:
    """How sure, in words only (the q-value belongs in the details)."""
    q = finding.q_value
    if q <= 0.01:
        return "very likely real"
    if q <= 0.05:
        return "likely real"
    if q <= 0.10:
        return "probably real, worth confirming"
    return "only a hint"


def level_words(factor: str, level: str | None) -> str | None:
    """A categorical level as people say it: 'on your front' for sleep position 'prone'."""
    if not level:
        return None
    words = CHOICE_LABELS.get(("day", factor), {}).get(level) or level.replace("_", " ")
    return words.lower()


def _condition(finding: Finding, units: str) -> str:
    label, _ = factor_label(finding.factor)
    # Lag 1: the day before the night's own day, i.e. the second night after it.
    after = "on nights after" if finding.lag_days == 0 else "on the second night after"
    if finding.kind == "numeric":
        return f"{after} a day when {label} was {step_text(finding, units)}"
    if finding.kind == "boolean":
        return f"{after} a day with “{label}”"
    return f"{after} a day when {label} was {level_words(finding.factor, finding.level)}"


def finding_sentence(finding: Finding, whose: str = "your", units: str = "metric") -> str:
    """The words a person reads for a finding, without statistics: "Your client's cramps were
    about a quarter as frequent on nights after a day with “stretched before bed” (very
    likely real)." (whose: "your" or "your client's"; `describe` has the numbers)."""
    return (
        f"{whose.capitalize()} cramps were {ratio_words(finding.effect.estimate)} "
        f"{_condition(finding, units)} ({sure_words(finding)})."
    )
