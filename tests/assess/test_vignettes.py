"""Clinical vignettes (tests/assess/vignettes.toml): every one gets its expected level."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from crampwise.assess.assessment import assess
from crampwise.knowledge import Knowledge
from crampwise.knowledge.vocabulary import LEVELS

VIGNETTES: list[dict[str, Any]] = tomllib.loads(
    (Path(__file__).with_name("vignettes.toml")).read_text(encoding="utf-8")
)["vignette"]


def test_vignettes_cover_every_level_with_enough_cases() -> None:
    assert len(VIGNETTES) >= 30
    for level in LEVELS:
        assert sum(v["level"] == level for v in VIGNETTES) >= 7, level
    assert len({v["id"] for v in VIGNETTES}) == len(VIGNETTES)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["id"] for v in VIGNETTES])
def test_vignette_level(vignette: dict[str, Any], kb: Knowledge) -> None:
    result = assess(vignette["situation"], kb)
    got = result.triage.level
    # Under-triage is the failure that matters most; report it distinctly.
    assert LEVELS.index(got) <= LEVELS.index(vignette["level"]), (
        f"UNDER-TRIAGE: {vignette['id']} got {got}, expected {vignette['level']}"
    )
    assert got == vignette["level"], f"over-triage: {vignette['id']} got {got}"
    if "reason" in vignette:
        assert vignette["reason"] in [r.id for r in result.triage.reasons]
    # The first reason shown is one that sets the level.
    assert result.triage.reasons[0].level == got


def test_every_emergency_vignette_is_caught(kb: Knowledge) -> None:
    emergencies = [v for v in VIGNETTES if v["level"] == "emergency"]
    caught = [
        v["id"] for v in emergencies if assess(v["situation"], kb).triage.level == "emergency"
    ]
    assert len(caught) == len(emergencies)
