"""Six-month diaries: the error targets hold and the method finds more than it used to (seeded).

Runs the quick mode of the six-month study (benchmarks/analyze/bench_six_months.py, diaries
from benchmarks/analyze/six_months.py, the 10-factor "realistic" generator): 40 planted
diaries (seeds 0-39) and 40 null diaries (seeds 1,000,000-1,000,039) through `find_triggers`,
scored as the study scores them. The published 200 + 200 run is in benchmarks/analyze/README.md.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "analyze"
sys.path.insert(0, str(BENCH))  # the study and its generator live with the benchmarks

from bench_six_months import run_study  # noqa: E402

REPLICATES = 40  # planted and as many null diaries: ~4 s on one core
TARGET = 0.10  # the target for FDP, bystanders and null diaries with any finding
# Monte Carlo standard error of a share whose true value is at the target, over 40 diaries.
RATE_SE = math.sqrt(TARGET * (1 - TARGET) / REPLICATES)  # 0.047


@pytest.fixture(scope="module")
def study() -> dict[str, object]:
    return run_study("realistic", REPLICATES, first_seed=0)


@pytest.mark.slow
def test_false_discoveries_stay_under_the_target(study: dict[str, object]) -> None:
    # These seeds: 0.079 (200 + 200 diaries: 0.059). A mean over 40 diaries estimates the
    # method's FDP to within its standard error; two of them is the allowance.
    fdp, se = float(study["mean_fdp"]), float(study["mean_fdp_se"])  # type: ignore[arg-type]
    assert fdp <= TARGET + 2 * se, (fdp, se)


@pytest.mark.slow
def test_bystanders_and_null_diaries_stay_under_the_target(study: dict[str, object]) -> None:
    # These seeds: worst bystander 0.05, null any-finding 0.075 (200 + 200: 0.035, 0.045).
    # Two binomial standard errors at the target (0.10 + 0.095) bound the noise of 40 diaries.
    for name, share in study["bystander_rate"].items():  # type: ignore[attr-defined]
        assert share <= TARGET + 2 * RATE_SE, (name, study["bystander_rate"])
    assert float(study["null_any_rate"]) <= TARGET + 2 * RATE_SE, study["null_any_rate"]  # type: ignore[arg-type]


@pytest.mark.slow
def test_more_planted_triggers_are_found_than_before(study: dict[str, object]) -> None:
    # These seeds: 0.160 (32 of 200 trigger x diary pairs). The method before the change
    # (one over-dispersion estimate with no factors in the model) found 0.105 on the same
    # 40 diaries (21 pairs) and 0.111 on 200. The bound, 0.135 (27 pairs), is 5 pairs below
    # today's figure so that a few p-values moving across q = 0.10 with a different BLAS
    # cannot fail it, and still 6 pairs above the old method on the same diaries.
    assert float(study["mean_power"]) >= 0.135, study["power"]  # type: ignore[arg-type]


@pytest.mark.slow
def test_confidence_intervals_hold_the_planted_effects(study: dict[str, object]) -> None:
    # These seeds: 0.925-1.00. Nominal 0.95; three binomial standard errors over 40 diaries
    # (0.034 each) below it is 0.85.
    for term, share in study["ci95_coverage"].items():  # type: ignore[attr-defined]
        assert share >= 0.85, (term, study["ci95_coverage"])
