"""Findings in words a person says aloud: "about a quarter as frequent", never "0.23×".

The same finding reads "your cramps were ..." to the client and "your client's cramps
were ..." to a therapist; the ratio and the q-value stay in the chart and its details.
"""

from __future__ import annotations

from crampwise.analysis.design import factor_label
from crampwise.analysis.results import Finding
from crampwise.analysis.wording import describe, finding_sentence, level_words, step_text

__all__ = ["finding_details", "finding_label", "finding_sentence"]


def finding_label(finding: Finding, units: str = "metric") -> str:
    """A finding's row label in the effects chart: "Hard exercise", "Fluids 1 L lower"."""
    label, _ = factor_label(finding.factor)
    label = label[:1].upper() + label[1:]
    if finding.level:
        label = f"{label}: {level_words(finding.factor, finding.level)}"
    if finding.kind == "numeric":
        label = f"{label} {step_text(finding, units)}"
    if finding.lag_days:
        label = f"{label}, day before"
    return label


def finding_details(finding: Finding, units: str = "metric") -> str:
    """The statistics sentence for a details fold, in the reader's units ("9 °F lower")."""
    return describe(finding, units, level_words(finding.factor, finding.level))
