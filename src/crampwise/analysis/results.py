"""What trigger discovery returns (`TriggerReport` and its findings), and how much diary it
needs before it tests anything (`nights_needed`: the one count the CLI, web and PDF show).

The types live here, below the modules that fill them (`fit_terms`, `wording`, `triggers`),
so none of those has to import another to share them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from crampwise.diary.model import FactorKind

MIN_NIGHTS = 21
MIN_CRAMP_NIGHTS = 5  # and as many nights without cramps
MIN_TERM_NIGHTS = 14  # nights with a known value before a single term is tested
MIN_TERM_SIDE = 3  # nights on each side of a yes/no term (and with / without cramps)
Z95 = 1.959963984540054

Direction = Literal["higher", "lower", "present", "absent"]


@dataclass
class Effect:
    """A rate ratio with its 95% confidence interval and the comparison it is for."""

    estimate: float
    ci95: tuple[float, float]
    per: str
    measure: str = "rate_ratio"
    step: float = 1.0  # numeric: the factor units in `per` (not in the JSON; `per` says it)

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "estimate": round(self.estimate, 3),
            "ci95": [round(self.ci95[0], 3), round(self.ci95[1], 3)],
            "per": self.per,
        }


@dataclass
class Finding:
    """One tested factor x level x lag with its adjusted effect, p-value and q-value."""

    factor: str
    kind: FactorKind
    level: str | None
    lag_days: int
    direction: Direction
    effect: Effect
    p_value: float
    nights_used: int
    q_value: float = 1.0
    significant: bool = False
    plain: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "kind": self.kind,
            "level": self.level,
            "lag_days": self.lag_days,
            "direction": self.direction,
            "effect": self.effect.to_dict(),
            "p_value": self.p_value,
            "q_value": self.q_value,
            "significant": self.significant,
            "nights_used": self.nights_used,
            "plain": self.plain,
        }


@dataclass
class Untested:
    """A combination that could not be tested, and why (shown so absence is not misread)."""

    factor: str
    level: str | None
    lag_days: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "factor": self.factor,
            "level": self.level,
            "lag_days": self.lag_days,
            "reason": self.reason,
        }


@dataclass
class TriggerReport:
    """The result of `find_triggers`; `to_dict()` is the contract §2 JSON."""

    nights: int
    cramp_nights: int
    cramps: int
    enough_data: bool
    nights_needed: int
    findings: list[Finding] = field(default_factory=list)
    untested: list[Untested] = field(default_factory=list)
    dispersion: float = 0.0
    method: str = ""

    @property
    def significant(self) -> list[Finding]:
        return [f for f in self.findings if f.significant]

    def to_dict(self) -> dict[str, Any]:
        return {
            "nights": self.nights,
            "cramp_nights": self.cramp_nights,
            "cramps": self.cramps,
            "enough_data": self.enough_data,
            "nights_needed": self.nights_needed,
            "findings": [f.to_dict() for f in self.findings],
            "untested": [u.to_dict() for u in self.untested],
            "dispersion_alpha": round(self.dispersion, 4),
            "method": self.method,
        }


def nights_needed(nights: int, cramp_nights: int) -> int:
    """How many more nights until the minimums hold, at the cramp-night rate seen so far."""
    quiet = nights - cramp_nights
    rate = (cramp_nights + 0.5) / (nights + 1.0)  # smoothed, so 0 of 0 still gives an answer
    more = max(0, MIN_NIGHTS - nights)
    if cramp_nights < MIN_CRAMP_NIGHTS:
        more = max(more, math.ceil((MIN_CRAMP_NIGHTS - cramp_nights) / rate))
    if quiet < MIN_CRAMP_NIGHTS:
        more = max(more, math.ceil((MIN_CRAMP_NIGHTS - quiet) / (1.0 - rate)))
    return more
