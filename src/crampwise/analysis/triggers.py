"""Which day factors go with more (or fewer) cramps that night: `find_triggers` (contract §2).

Every factor is tested at lag 0 and lag 1, categorical factors level by level, each in a
negative-binomial count model adjusted for the other factors, a slow trend and the season,
with Newey–West standard errors; the false discovery rate is controlled across everything
tested. The method is written up in docs/methods.md ("Trigger discovery").
"""

from __future__ import annotations

from crampwise.analysis.blas import single_threaded_blas
from crampwise.analysis.design import build_design
from crampwise.analysis.fdr import SIGNIFICANCE_Q, bh_qvalues
from crampwise.analysis.fit_terms import fit_all_terms, fit_same_night
from crampwise.analysis.results import (
    MIN_CRAMP_NIGHTS,
    MIN_NIGHTS,
    Effect,
    Finding,
    TriggerReport,
    Untested,
    nights_needed,
)
from crampwise.analysis.wording import describe
from crampwise.diary.daytable import DayTable

__all__ = [
    "MIN_CRAMP_NIGHTS",
    "MIN_NIGHTS",
    "Effect",
    "Finding",
    "TriggerReport",
    "Untested",
    "find_triggers",
    "nights_needed",
    "same_night_effect",
]

METHOD = (
    "Each factor is tested at lag 0 (that day) and lag 1 (the day before; missing when that "
    "day is not in the diary), categorical factors level by level against all other levels. "
    "Model: negative-binomial (NB2) log-link regression of the night's cramp count, over-"
    "dispersion by maximum likelihood in a model with the factors that matter (screened from "
    "a model with every factor at both lags), adjusted for every other factor at the same "
    "lag, the factor itself at the other lag and the screened factors at the other lag "
    "(missing adjuster values imputed from the tested term, with a missing indicator; light "
    "ridge penalty), a slow trend and an annual cycle. Standard errors: the larger of the "
    "model-based (small-sample and quasi-likelihood scale corrected) and the Newey–West "
    "(night-to-night correlation) estimate. Wald tests; Benjamini–Hochberg q-values over all "
    "findings; significant when "
    "q <= 0.10. Numeric effects are per interquartile range rounded to a readable step. "
    "See docs/methods.md."
)


def find_triggers(table: DayTable) -> TriggerReport:
    """Test every factor, level and lag in the diary; see the module docstring."""
    nights = len(table.dates)
    cramp_nights = sum(1 for c in table.cramps if c > 0)
    report = TriggerReport(
        nights=nights,
        cramp_nights=cramp_nights,
        cramps=int(sum(table.cramps)),
        enough_data=False,
        nights_needed=nights_needed(nights, cramp_nights),
        method=METHOD,
    )
    report.enough_data = report.nights_needed == 0
    if not report.enough_data:
        # Too little data: nothing is tested, so nothing can be (mis)read as a finding.
        return report
    tables = build_design(table)
    with single_threaded_blas():
        findings, untested, alpha = fit_all_terms(tables)
    report.dispersion = alpha
    qs = bh_qvalues([f.p_value for f in findings])
    for finding, q in zip(findings, qs, strict=True):
        finding.q_value = q
        finding.significant = q <= SIGNIFICANCE_Q
    for finding in findings:
        finding.plain = describe(finding)
    findings.sort(key=lambda f: (f.p_value, f.factor, f.lag_days, f.level or ""))
    report.findings = findings
    report.untested = untested
    return report


def same_night_effect(table: DayTable, factor: str) -> Finding | Untested:
    """How `factor` on a night goes with that night's cramps, adjusted like `find_triggers`
    (every other factor, trend, season) except for the factor's own value the day before:
    what a diary that was not a randomised experiment can say about a remedy."""
    tables = build_design(table)
    with single_threaded_blas():
        return fit_same_night(tables, factor)
