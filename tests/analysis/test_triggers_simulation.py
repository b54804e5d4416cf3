"""Simulation study: planted triggers are found, bystanders and noise are not (seeded).

Diaries of two years (`crampwise.analysis.simulation`): five planted effects — numeric,
"lower is worse" numeric, protective yes/no, one categorical level, lag 1 — with bystanders
that travel with exercise, noise factors of every kind, missing values, missing days,
over-dispersion, night-to-night correlation and a season; null diaries keep all of it but
the effects. The larger run with the published figures is benchmarks/analyze/.
"""

from __future__ import annotations

import pytest

from crampwise.analysis.simulation import StudyResult, run_study

REPLICATES = 60  # planted and as many null diaries: ~10 s on one core
NIGHTS = 730


@pytest.fixture(scope="module")
def study() -> StudyResult:
    return run_study(REPLICATES, NIGHTS, first_seed=500)


@pytest.mark.slow
def test_planted_triggers_are_found(study: StudyResult) -> None:
    # Larger run (200 diaries, benchmarks/analyze): power 0.61-0.96 per effect, mean 0.84.
    assert sum(study.power.values()) / len(study.power) >= 0.7, study.power
    for term, power in study.power.items():
        assert power >= 0.35, (term, study.power)


@pytest.mark.slow
def test_bystanders_that_travel_with_a_trigger_are_not_reported(study: StudyResult) -> None:
    for name, rate in study.bystander_rate.items():
        assert rate <= 0.10, (name, study.bystander_rate)


@pytest.mark.slow
def test_false_discoveries_are_controlled(study: StudyResult) -> None:
    assert study.mean_fdp <= 0.12, study.mean_fdp
    # Under the global null, BH at q = 0.10 flags something in at most ~10% of diaries.
    assert study.null_any_rate <= 0.2, study.null_any_rate


@pytest.mark.slow
def test_confidence_intervals_hold_the_planted_effects(study: StudyResult) -> None:
    # Standard errors are the larger of model-based and Newey–West: coverage >= nominal.
    for term, share in study.coverage.items():
        assert share >= 0.85, (term, study.coverage)
