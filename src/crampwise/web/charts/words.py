"""Findings in words a person says aloud: "about a quarter as frequent", never "0.23×".

The same finding reads "your cramps were ..." to the client and "your client's cramps
were ..." to a therapist; the ratio and the q-value stay in the chart and its details.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the analysis modules import scipy: only the type checker needs them here
    from crampwise.analysis.results import Finding

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


# The analysis words a numeric factor's step in metric ("0.5 L lower", "5 °C colder"): both
# are differences, so °C become °F by 1.8 alone.
_LITRES = re.compile(r"(\d+(?:\.\d+)?) L\b")
_DEGREES_C = re.compile(r"(\d+(?:\.\d+)?) °C")
FL_OZ_PER_L = 33.814


def in_units(text: str, units: str) -> str:
    """A step of a factor in the person's units: "0.5 L lower" → "17 fl oz lower"."""
    if units != "us":
        return text
    text = _LITRES.sub(lambda m: f"{round(float(m.group(1)) * FL_OZ_PER_L):g} fl oz", text)
    return _DEGREES_C.sub(lambda m: f"{round(float(m.group(1)) * 1.8):g} °F", text)


def _condition(finding: Finding, units: str = "metric") -> str:
    from crampwise.analysis.design import factor_label  # scipy-free, but the package is not

    label, _ = factor_label(finding.factor)
    after = "after" if finding.lag_days == 0 else "two days after"
    if finding.kind == "numeric":
        return f"on nights {after} a day when {label} was {in_units(finding.effect.per, units)}"
    if finding.kind == "boolean":
        return f"on nights {after} a day with “{label}”"
    return f"on nights {after} a day when {label} was {str(finding.level).replace('_', ' ')}"


def sure_words(finding: Finding) -> str:
    q = finding.q_value
    if q <= 0.01:
        return "very likely real"
    if q <= 0.05:
        return "likely real"
    if q <= 0.10:
        return "probably real, worth confirming"
    return "only a hint"


def finding_sentence(finding: Finding, whose: str = "your", units: str = "metric") -> str:
    """ "Your client's cramps were about a quarter as frequent on nights after a day with
    “stretched before bed” (very likely real)." (whose: "your" or "your client's")."""
    return (
        f"{whose.capitalize()} cramps were {ratio_words(finding.effect.estimate)} "
        f"{_condition(finding, units)} ({sure_words(finding)})."
    )


def finding_label(finding: Finding, units: str = "metric") -> str:
    """A finding's row label in the effects chart: "Hard exercise", "Fluids 1 L lower"."""
    from crampwise.analysis.design import factor_label  # the package imports scipy

    label, _ = factor_label(finding.factor)
    label = label[:1].upper() + label[1:]
    if finding.level:
        label = f"{label}: {finding.level.replace('_', ' ')}"
    if finding.kind == "numeric":
        label = f"{label} {in_units(finding.effect.per, units)}"
    if finding.lag_days:
        label = f"{label}, day before"
    return label
